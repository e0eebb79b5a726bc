"""The one plate normaliser for lookups (watchlist entries, plate filters); Django-free."""

import re

NOT_ALPHANUMERIC = re.compile(r"[^A-Z0-9]")


def canonical_plate(text):
    """Upper case without separators: ``"ab-12 cde"`` and ``"AB12CDE"`` are one plate."""
    return NOT_ALPHANUMERIC.sub("", (text or "").upper())
