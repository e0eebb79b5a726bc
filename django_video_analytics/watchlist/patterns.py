"""Watchlist patterns, compiled with RE2: matching is linear in the plate, whatever the pattern.

Python's ``re`` backtracks, so a user-supplied ``.*.*.*...Z`` can take seconds per plate and
stall the consumer. RE2 accepts the same syntax minus backreferences and lookarounds (which
are refused with a clear message) and never backtracks.
"""

import re2

MAX_PATTERN_LENGTH = 64  # the model field's max_length
MAX_PROGRAM_BYTES = 1 << 20  # RE2's memory budget for one compiled pattern


class PatternError(ValueError):
    """Not a pattern RE2 accepts; the message says why."""


def compile_pattern(text):
    """The compiled pattern; PatternError if it is too long or not valid RE2 syntax."""
    if len(text) > MAX_PATTERN_LENGTH:
        raise PatternError(f"A pattern has at most {MAX_PATTERN_LENGTH} characters.")
    options = re2.Options()
    options.log_errors = False
    options.max_mem = MAX_PROGRAM_BYTES
    try:
        return re2.compile(text, options)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else exc
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise PatternError(
            f"Not a valid regular expression: {reason} (RE2 syntax: no backreferences or "
            "lookarounds)."
        ) from None
