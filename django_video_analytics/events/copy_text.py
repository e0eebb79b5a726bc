"""Event rows in PostgreSQL's COPY text format, encoded before their transaction opens.

``ingest`` stores a batch with one ``COPY ... FROM STDIN`` per event type. Most of a row is
known once its entry is parsed, so the consumer's reader thread encodes it then
(``encode_row``), while the batch before it waits on the database; the columns only the
transaction knows (the primary key drawn from the sequence, the camera's key and
``created_at``) come first in the column list and are put in front of the encoded rest
(``batch_text``). The COPY of a batch is then one string, written in one call.

The text format: a tab between columns, a newline after each row, ``\\N`` for NULL, and the
backslash, tab, newline and carriage return of a value escaped with a backslash. Values are
written as PostgreSQL reads them back: aware datetimes in ISO 8601 with their offset (the
same instant whatever the connection's time zone), floats as ``repr`` (the shortest text
that reads back the same float), booleans as ``t``/``f``, lists (the JSON columns) as
compact JSON.
"""

from datetime import datetime

from . import wire
from .kinds import COMMON_FIELDS, STORED_KINDS

# The columns ``batch_text`` puts in front of each encoded row, then those ``encode_row`` writes.
LEADING_FIELDS = ("id", "camera_id", "created_at")
ENCODED_FIELDS = tuple(name for name in COMMON_FIELDS if name not in LEADING_FIELDS)

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def columns(event_type: str) -> tuple[str, ...]:
    """The fields of a COPY of ``event_type`` rows, in the order the row text has them."""
    return LEADING_FIELDS + ENCODED_FIELDS + STORED_KINDS[event_type].fields


def encode_row(event: wire.WireEvent, source_id: str) -> str:
    """The text of the row of ``event`` after its leading columns, newline included."""
    own = STORED_KINDS[str(event.event_type)].values(event, _aware)
    common = f"{event.timestamp.isoformat()}\t{event.frame_number}\tf\t{_escape(source_id)}"
    return "\t".join([common, *map(value_text, own)]) + "\n"


def batch_text(rows, created_at: datetime) -> str:
    """The COPY data of ``rows``: ``(primary key, camera key, encoded row)`` triples."""
    created = created_at.isoformat()
    return "".join(f"{pk}\t{camera_pk}\t{created}\t{row}" for pk, camera_pk, row in rows)


def value_text(value) -> str:
    """One value as COPY's text format writes it (escaped, without the tab after it)."""
    kind = type(value)
    if kind is str:
        return _escape(value)
    if value is None:
        return "\\N"
    if kind is bool:
        return "t" if value else "f"
    if kind is int or kind is float:
        return repr(value)
    if kind is list:  # the value of a JSON column
        return _escape(wire.dumps(value))
    if kind is datetime:
        return value.isoformat()
    raise TypeError(f"no COPY text for a value of type {kind.__name__}")


def _escape(text):
    # Tests for the four characters run in C; most values hold none of them.
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        return text.translate(_ESCAPES)
    return text


def _aware(value):
    # Rows are written with their offset: no conversion to the connection's time zone.
    return value
