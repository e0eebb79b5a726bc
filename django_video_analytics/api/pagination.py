"""Keyset (cursor) pagination for event lists: stable while new events are inserted."""

from base64 import b64decode, b64encode
from datetime import datetime
from typing import NamedTuple
from urllib.parse import parse_qs, urlencode

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.utils.urls import replace_query_param

from ..conf import analytics_settings
from ..dates import validate_storable_datetime
from .serializers import MAX_ID


class Keyset(NamedTuple):
    """A row's place in the ordering: its ordering value and id; ``reverse`` pages back."""

    position: str
    pk: int
    reverse: bool = False


class EventCursorPagination(CursorPagination):
    """Pages by ``(ordering field, id)`` after the cursor row, never by offset.

    DRF's cursor keeps an offset among rows with equal ordering values, which serves rows
    twice when new ones arrive; a keyset on a total order cannot. ``page_size`` defaults
    to ``API_PAGE_SIZE`` and is capped by ``API_MAX_PAGE_SIZE``.
    """

    ordering = "-timestamp"
    page_size_query_param = "page_size"

    def __init__(self):
        self.page_size = analytics_settings.API_PAGE_SIZE
        self.max_page_size = analytics_settings.API_MAX_PAGE_SIZE

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page_size = self.get_page_size(request)
        self.base_url = request.build_absolute_uri()
        field = self.get_ordering(request, queryset, view)[0]
        self.field_name = field.lstrip("-")
        self.descending = field.startswith("-")
        self.cursor = self.decode_cursor(request)
        reverse = self.cursor is not None and self.cursor.reverse
        rows = list(self.after_cursor(queryset, reverse)[: self.page_size + 1])
        more = len(rows) > self.page_size
        self.page = rows[: self.page_size]
        if reverse:
            self.page.reverse()
            self.has_next, self.has_previous = True, more
        else:
            self.has_next, self.has_previous = more, self.cursor is not None
        return self.page

    def after_cursor(self, queryset, reverse):
        """Rows after the cursor in page order (before it, nearest first, when ``reverse``)."""
        descending = self.descending != reverse
        sign = "-" if descending else ""
        queryset = queryset.order_by(f"{sign}{self.field_name}", f"{sign}pk")
        if self.cursor is None:
            return queryset
        value = self.cursor_value(queryset.model)
        beyond = "lt" if descending else "gt"
        # (field, pk) beyond the cursor, phrased so the field's index bounds the scan.
        return queryset.filter(**{f"{self.field_name}__{beyond}e": value}).exclude(
            **{self.field_name: value, f"pk__{'gte' if descending else 'lte'}": self.cursor.pk}
        )

    def cursor_value(self, model):
        try:
            value = model._meta.get_field(self.field_name).to_python(self.cursor.position)
            if isinstance(value, datetime) and timezone.is_aware(value):
                validate_storable_datetime(value)
            else:
                value = None
        except DjangoValidationError:
            value = None
        if value is None:
            raise self.invalid_cursor()
        return value

    def invalid_cursor(self):
        return ValidationError({self.cursor_query_param: [self.invalid_cursor_message]})

    def get_next_link(self):
        if not self.has_next or not self.page:
            return None
        return self.encode_cursor(self.keyset_of(self.page[-1], reverse=False))

    def get_previous_link(self):
        if not self.has_previous:
            return None
        if not self.page:  # walked past the end: page back from the cursor itself
            return self.encode_cursor(self.cursor._replace(reverse=True))
        return self.encode_cursor(self.keyset_of(self.page[0], reverse=True))

    def keyset_of(self, row, reverse):
        return Keyset(getattr(row, self.field_name).isoformat(), row.pk, reverse)

    def encode_cursor(self, cursor):
        tokens = {"p": cursor.position, "i": cursor.pk}
        if cursor.reverse:
            tokens["r"] = 1
        encoded = b64encode(urlencode(tokens).encode("ascii")).decode("ascii")
        return replace_query_param(self.base_url, self.cursor_query_param, encoded)

    def decode_cursor(self, request):
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is None:
            return None
        try:
            tokens = parse_qs(b64decode(encoded.encode("ascii"), validate=True).decode("ascii"))
            cursor = Keyset(tokens["p"][0], int(tokens["i"][0]), tokens.get("r") == ["1"])
        except (KeyError, TypeError, ValueError, UnicodeError):
            raise self.invalid_cursor() from None
        if not 1 <= cursor.pk <= MAX_ID:
            raise self.invalid_cursor()
        return cursor
