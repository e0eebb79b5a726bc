from datetime import datetime, timezone

import pytest

from django_video_analytics.pipeline.anpr.voting import PlateCandidate, PlateVoter
from django_video_analytics.pipeline.types import Frame

T0 = datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc)


def read(text, confidence, index, corrections=0):
    frame = Frame(None, index, T0)
    return PlateCandidate(text, text, confidence, "GB", corrections, frame)


def test_agreeing_reads_outvote_a_more_confident_misread():
    voter = PlateVoter()
    for index, (text, confidence) in enumerate(
        [("AB12CDE", 0.6), ("A812CDE", 0.9), ("AB12CDE", 0.5), ("AB12CDE", 0.55)]
    ):
        voter.add(read(text, confidence, index))
    vote = voter.result()
    assert (vote.text, vote.votes) == ("AB12CDE", 3)
    assert vote.share == pytest.approx(1.65 / 2.55)
    # Agreement scales the confidence: a split vote is less sure than its reads.
    assert vote.confidence < 0.55
    assert vote.best.frame.index == 0


def test_unanimous_reads_keep_their_confidence_and_become_decisive():
    voter = PlateVoter(min_votes=3)
    voter.add(read("KA01AB1234", 0.9, 1))
    voter.add(read("KA01AB1234", 0.8, 2))
    assert not voter.decisive  # too few reads yet
    voter.add(read("KA01AB1234", 0.7, 3))
    assert voter.decisive
    assert round(voter.result().confidence, 6) == 0.8


def test_a_split_vote_is_not_decisive():
    voter = PlateVoter(min_votes=3, decisive_share=0.7)
    for index, text in enumerate(["AB12CDE", "AB12CDF", "AB12CDE", "AB12CDF", "AB12CDE"]):
        voter.add(read(text, 0.8, index))
    assert voter.result().text == "AB12CDE"
    assert not voter.decisive


def test_corrected_reads_weigh_less():
    voter = PlateVoter()
    voter.add(read("ABC1D23", 0.8, 1, corrections=2))
    voter.add(read("ABC1023", 0.7, 2))
    assert voter.result().text == "ABC1023"  # 0.7 beats 0.8 * 0.9 ** 2


def test_no_reads_no_vote_and_audit_lists_every_read():
    voter = PlateVoter()
    assert voter.result() is None
    voter.add(read("AB12CDE", 0.61234, 7))
    assert voter.audit() == [
        {"text": "AB12CDE", "raw": "AB12CDE", "confidence": 0.6123, "frame_number": 7}
    ]


def test_characters_are_voted_per_position_across_frames():
    # Noise misreads a different character in each frame; no read is right on its own.
    voter = PlateVoter()
    for index, text in enumerate(["A812CDE", "AB12C0E", "AB1ZCDE", "AB12CDE7"]):
        voter.add(read(text, 0.8, index))
    vote = voter.result()
    assert (vote.text, vote.votes) == ("AB12CDE", 0)
    assert vote.share == pytest.approx(2 / 4)  # 2 of the 4 reads agree on the weakest place
    assert not voter.decisive
