"""Votes over the plate reads of one vehicle track: one plate per vehicle."""

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

# A read that needed format corrections counts a little less per correction.
CORRECTION_WEIGHT = 0.9


@dataclass(frozen=True, eq=False)
class PlateCandidate:
    """One frame's plate read: normalised text, raw OCR text, confidence and context."""

    text: str
    raw: str
    confidence: float
    region: str | None
    corrections: int
    frame: Any  # the pipeline Frame it was read in (without its image)
    crop: Any = None  # the plate image (BGR), for the snapshot

    @property
    def weight(self):
        return self.confidence * CORRECTION_WEIGHT**self.corrections

    def audit(self):
        """The JSON-safe record kept on the event (``ANPREvent.candidates``)."""
        return {
            "text": self.text,
            "raw": self.raw,
            "confidence": round(self.confidence, 4),
            "frame_number": self.frame.index,
        }


@dataclass(frozen=True, eq=False)
class Vote:
    """The winning plate: ``confidence`` is its agreement times its reads' mean OCR score."""

    text: str
    confidence: float
    region: str | None
    votes: int  # reads of exactly this text
    share: float  # the weakest character's share of all the weight
    best: PlateCandidate  # the most confident read of the text (or of its length)


class PlateVoter:
    """Weighted votes per character position among the reads of the most supported length.

    Noise misreads a different character in different frames; voting per position puts
    the plate together from the characters most reads agree on, and the weakest position's
    share of all the weight (reads of other lengths included) says how sure the vote is.
    """

    def __init__(self, min_votes=3, decisive_share=0.7):
        self.min_votes = min_votes
        self.decisive_share = decisive_share
        self.candidates: list[PlateCandidate] = []

    def add(self, candidate):
        self.candidates.append(candidate)

    def result(self):
        """The winning ``Vote``, or None before any read."""
        if not self.candidates:
            return None
        by_length = defaultdict(list)
        for candidate in self.candidates:
            by_length[len(candidate.text)].append(candidate)
        # Ties go to the length read first.
        reads = max(by_length.values(), key=lambda group: sum(c.weight for c in group))
        total = sum(c.weight for c in self.candidates)
        characters, shares = [], []
        for position in range(len(reads[0].text)):
            weights = defaultdict(float)
            for candidate in reads:
                weights[candidate.text[position]] += candidate.weight
            char = max(weights, key=weights.get)
            characters.append(char)
            shares.append(weights[char] / total if total else 0.0)
        text = "".join(characters)
        exact = [c for c in reads if c.text == text]
        share = min(shares)
        best = max(exact or reads, key=lambda c: c.confidence)
        mean_confidence = sum(c.confidence for c in reads) / len(reads)
        return Vote(
            text=text,
            confidence=share * mean_confidence,
            region=best.region,
            votes=len(exact),
            share=share,
            best=best,
        )

    @property
    def decisive(self):
        vote = self.result()
        return (
            vote is not None and vote.votes >= self.min_votes and vote.share >= self.decisive_share
        )

    def audit(self):
        return [candidate.audit() for candidate in self.candidates]
