"""Turn raw OCR text into a plate: upper case, no separators, confusables fixed by format."""

import re
from dataclasses import dataclass
from itertools import combinations

# Characters OCR swaps on plates; which one is right depends on the position's class.
CONFUSABLE_PAIRS = (("O", "0"), ("I", "1"), ("B", "8"), ("S", "5"), ("Z", "2"), ("G", "6"))
SWAP = {a: b for pair in CONFUSABLE_PAIRS for a, b in (pair, pair[::-1])}

# More swaps than this is a guess, not a correction.
MAX_CORRECTIONS = 3

NOT_ALPHANUMERIC = re.compile(r"[^A-Z0-9]")

# What OCR makes of the sides of the plate frame (or a sliver of the car beside it).
FRAME_EDGES = "I1LJU"


@dataclass(frozen=True)
class NormalizedPlate:
    """A plate text, the region of its format and the edits that made it fit."""

    text: str
    region: str | None
    corrections: int


def clean(raw):
    """Upper case with separators, spaces and any other non-alphanumeric stripped."""
    return NOT_ALPHANUMERIC.sub("", raw.upper())


def normalize(raw, plate_format):
    """The plate read in ``raw`` for ``plate_format``, or None when it fits no pattern.

    The fewest edits win: swaps of confusable characters, and dropping an edge read
    into the plate's frame; patterns are tried in order for each number of edits.
    """
    text = clean(raw)
    if not text:
        return None
    variants = list(_without_frame_edges(text))
    for edits in range(MAX_CORRECTIONS + 1):
        for trimmed, edges in variants:
            if edges <= edits:
                plate = _with_swaps(trimmed, plate_format, edits - edges)
                if plate is not None:
                    return NormalizedPlate(plate, plate_format.region, edits)
    return None


def _without_frame_edges(text):
    """``(text, removed)`` variants: OCR reads the plate frame's sides as I, 1, L ..."""
    yield text, 0
    left = text[0] in FRAME_EDGES
    right = text[-1] in FRAME_EDGES
    if left:
        yield text[1:], 1
    if right:
        yield text[:-1], 1
    if left and right and len(text) > 2:
        yield text[1:-1], 2


def _with_swaps(text, plate_format, count):
    """``text`` with exactly ``count`` confusables swapped to fit a pattern, or None."""
    swappable = [index for index, char in enumerate(text) if char in SWAP]
    for pattern in plate_format.patterns:
        for positions in combinations(swappable, count):
            candidate = _swap(text, positions)
            if pattern.fullmatch(candidate):
                return candidate
    return None


def _swap(text, positions):
    chars = list(text)
    for index in positions:
        chars[index] = SWAP[chars[index]]
    return "".join(chars)
