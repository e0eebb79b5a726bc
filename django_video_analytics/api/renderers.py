"""CSV for table-shaped responses (``?format=csv``): header from ``columns``, rows from ``rows``."""

import csv
import io

from rest_framework import renderers

# A cell starting with one of these is a formula in a spreadsheet: shown as text instead.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class CSVRenderer(renderers.BaseRenderer):
    """``{"columns": [...], "rows": [{...}]}`` as CSV; an error body as ``field,error`` lines."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if "rows" in data:
            header = data["columns"]
            rows = ([row.get(name) for name in header] for row in data["rows"])
        else:
            header = ["field", "error"]
            rows = _error_lines(data)
        output = io.StringIO()
        writer = csv.writer(output)
        writer.writerow(header)
        writer.writerows([_cell(value) for value in row] for row in rows)
        return output.getvalue().encode(self.charset)


def _error_lines(errors):
    for field, messages in errors.items():
        for message in messages if isinstance(messages, list) else [messages]:
            yield [field, str(message)]


def _cell(value):
    if value is None:
        return ""
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text
