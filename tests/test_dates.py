"""The shared validator of user-supplied dates: inside the range, or a ValidationError."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from django_video_analytics.dates import parse_date_or_datetime, validate_storable_datetime

UTC = datetime.UTC
PLUS_5 = datetime.timezone(datetime.timedelta(hours=5))
MINUS_5 = datetime.timezone(datetime.timedelta(hours=-5))


@pytest.mark.parametrize(
    "value",
    (
        datetime.datetime(1, 1, 1, tzinfo=PLUS_5),  # before year 1 in UTC
        datetime.datetime(1, 1, 1, tzinfo=UTC),
        datetime.datetime(9999, 12, 31, 23, 59, tzinfo=MINUS_5),  # after 9999 in UTC
        datetime.datetime(9999, 12, 31, tzinfo=UTC),
        datetime.datetime(1, 1, 1),  # naive: read in the current time zone
    ),
)
def test_datetimes_at_the_edges_are_refused(value):
    with pytest.raises(ValidationError) as error:
        validate_storable_datetime(value)
    assert error.value.code == "out_of_range"
    assert "0001-01-02 and 9999-12-30" in error.value.messages[0]


@pytest.mark.parametrize(
    "value",
    (
        datetime.datetime(1, 1, 2, tzinfo=UTC),
        datetime.datetime(9999, 12, 30, 23, 59, 59, 999999, tzinfo=UTC),
        datetime.datetime(2026, 11, 30, 1, 0, tzinfo=PLUS_5),
        datetime.datetime(2026, 11, 30, 1, 0),
    ),
)
def test_datetimes_inside_the_range_pass(value):
    validate_storable_datetime(value)


@pytest.mark.parametrize(
    "text,expected",
    (
        ("2026-11-30", datetime.date(2026, 11, 30)),
        ("2026-11-30T12:00:00+05:00", datetime.datetime(2026, 11, 30, 12, tzinfo=PLUS_5)),
        ("2026-11-30T12:00:00Z", datetime.datetime(2026, 11, 30, 12, tzinfo=UTC)),
        ("2026-11-30T12:00:00", datetime.datetime(2026, 11, 30, 12, tzinfo=UTC)),  # TIME_ZONE
    ),
)
def test_parse_returns_dates_and_aware_datetimes(text, expected):
    assert parse_date_or_datetime(text) == expected


@pytest.mark.parametrize(
    "text,code",
    (
        ("9999-12-31", "out_of_range"),
        ("0001-01-01", "out_of_range"),
        ("0001-01-01T00:00:00+05:00", "out_of_range"),
        ("2026-02-30", "invalid"),
        ("2026-11-30T12:00:00+24:00", "invalid"),
        ("tomorrow", "invalid"),
    ),
)
def test_parse_refuses_with_a_code(text, code):
    with pytest.raises(ValidationError) as error:
        parse_date_or_datetime(text)
    assert error.value.code == code
