"""Schemathesis hooks for scripts/fuzz_api.sh: dates at the edges of what Python holds.

Plain generation rarely draws year 1 or 9999, or an offset that pushes a datetime past
them; these are the values that once cost a 500 (OverflowError), so draw them often.
"""

import schemathesis
from hypothesis import strategies as st

EDGE_DATES = ("0001-01-01", "0001-01-02", "9999-12-30", "9999-12-31", "2026-02-29")
EDGE_OFFSETS = ("Z", "+00:00", "+05:00", "-05:00", "+23:59", "-23:59")
EDGE_TIMES = ("00:00:00", "23:59:59", "23:59:59.999999")

dates = st.sampled_from(EDGE_DATES) | st.dates().map(str)
schemathesis.openapi.format("date", dates)
schemathesis.openapi.format(
    "date-time",
    st.builds("{}T{}{}".format, dates, st.sampled_from(EDGE_TIMES), st.sampled_from(EDGE_OFFSETS)),
)
