"""Dates and datetimes from user input, kept within what Python and every database hold.

Python's ``datetime`` ends at year 1 and 9999: a bound such as ``9999-12-31`` (whose day
after does not exist) or ``0001-01-01T00:00:00+05:00`` (before year 1 in UTC) overflows
when the database adapter converts it. Inputs are therefore limited to a range one day
inside Python's, where every time-zone conversion is safe.
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _

EARLIEST_DATE = datetime.date(1, 1, 2)
LATEST_DATE = datetime.date(9999, 12, 30)
EARLIEST = datetime.datetime.combine(EARLIEST_DATE, datetime.time.min, datetime.timezone.utc)
LATEST = datetime.datetime.combine(LATEST_DATE, datetime.time.max, datetime.timezone.utc)

INVALID = _("Enter an ISO 8601 date or date and time.")
OUT_OF_RANGE = _("Enter a date between %(earliest)s and %(latest)s.")


def out_of_range():
    return ValidationError(
        OUT_OF_RANGE,
        code="out_of_range",
        params={"earliest": EARLIEST_DATE.isoformat(), "latest": LATEST_DATE.isoformat()},
    )


def validate_storable_datetime(value):
    """Raise ``ValidationError`` unless ``value`` (naive: current time zone) is in range."""
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    try:
        utc = value.astimezone(datetime.UTC)
    except OverflowError:
        raise out_of_range() from None
    if not EARLIEST <= utc <= LATEST:
        raise out_of_range()


def parse_date_or_datetime(text):
    """An ISO 8601 date, or an aware datetime (naive: current time zone), within the range."""
    try:
        parsed = parse_date(text) or parse_datetime(text)
    except ValueError:
        parsed = None
    if parsed is None:
        raise ValidationError(INVALID, code="invalid")
    if isinstance(parsed, datetime.datetime):
        validate_storable_datetime(parsed)
        return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)
    if not EARLIEST_DATE <= parsed <= LATEST_DATE:
        raise out_of_range()
    return parsed
