"""Text formats shared by the filters and the live endpoint."""

import re

# Largest first; the figure is truncated, never rounded up (999,999 is 999.9K, not 1M).
COUNT_UNITS = ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "K"))
PLATE_SEPARATORS = re.compile(r"[\s\-_.·]+")


def format_count(value):
    """1234 -> ``1.2K``, 1234567 -> ``1.2M``; a value that is no number is returned as is."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return value
    sign, number = ("-" if number < 0 else ""), abs(number)
    for size, suffix in COUNT_UNITS:
        if number >= size:
            whole, tenth = divmod(number * 10 // size, 10)
            return f"{sign}{whole}.{tenth}{suffix}" if tenth else f"{sign}{whole}{suffix}"
    return f"{sign}{number}"


def display_counts(counts):
    """``{name: n}`` as ``{name: {"value": n, "display": "1.2K"}}`` for the live script."""
    return {name: {"value": n, "display": format_count(n)} for name, n in counts.items()}


def format_plate(value, groups=""):
    """Upper-case, separators as single spaces; ``groups`` like ``"4-3"`` regroups the characters.

    ``"gx19-whn"`` -> ``GX19 WHN``; ``format_plate("GX19WHN", "4-3")`` -> ``GX19 WHN``. The
    grouping applies only when its sizes add up to the number of letters and digits.
    """
    text = PLATE_SEPARATORS.sub(" ", str(value or "")).strip().upper()
    sizes = [int(size) for size in str(groups).split("-") if size.isdigit()]
    compact = text.replace(" ", "")
    if sizes and sum(sizes) == len(compact):
        parts, start = [], 0
        for size in sizes:
            parts.append(compact[start : start + size])
            start += size
        return " ".join(parts)
    return text
