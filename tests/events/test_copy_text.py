"""Rows written as COPY text formatted ahead (``ingest.copy_text``) are stored exactly."""

from datetime import datetime, timezone

import pytest

from django_video_analytics.events import consumer as consumer_module
from django_video_analytics.events import ingest, wire
from django_video_analytics.models import ANPREvent, DetectionEvent

from .entries import recount_statistics, stored_statistics

pytestmark = pytest.mark.django_db(transaction=True)

MOMENT = datetime(2026, 11, 20, 12, 0, 0, 123456, tzinfo=timezone.utc)
# Every character COPY's text format gives a meaning to, and a few it does not.
AWKWARD = 'a\\b\tc\nd\re "quoted" \\N é😀'


def awkward_entries():
    detection = {
        "class_name": AWKWARD,
        "confidence": 0.75,
        "bounding_box": {"x": 0.1, "y": 0.2, "width": 0.3, "height": 0.4},
        "note": AWKWARD,
    }
    return [
        wire.build_detection(
            "cam-1", MOMENT, 1, [detection], AWKWARD[:60], "8.1\\0", event_id=f"e1{AWKWARD}"
        ),
        wire.build_anpr("cam-1", MOMENT, 2, "AB\\12\t3", 0.5, region=AWKWARD[:60]),
        wire.build_anpr("cam-2", MOMENT, 3, "XY 987", 1e-05, region=None),
        wire.build_motion("cam-2", MOMENT, 4, 0.1 + 0.2, 100.0),
    ]


def stored_rows():
    detections = list(
        DetectionEvent.objects.order_by("frame_number").values_list(
            "source_id", "timestamp", "detections", "model_type", "model_version", "snapshot"
        )
    )
    plates = list(
        ANPREvent.objects.order_by("frame_number").values_list(
            "license_plate", "confidence", "region", "candidates"
        )
    )
    return detections, plates


@pytest.mark.parametrize("formatted_ahead", ["all", "every other", "none"])
def test_awkward_values_are_stored_exactly(publisher, make_consumer, monkeypatch, formatted_ahead):
    texts = []

    def counted(event, source_id):
        keep = formatted_ahead == "all" or (
            formatted_ahead == "every other" and event.frame_number % 2
        )
        text = ingest.copy_text(event, source_id) if keep else None
        texts.append(text)
        return text

    monkeypatch.setattr(consumer_module, "copy_text", counted)
    publisher.publish_many(awkward_entries())
    result = make_consumer().drain()
    assert (result.stored, result.dead_lettered) == (4, 0)

    detections, plates = stored_rows()
    assert detections == [
        (
            f"event:e1{AWKWARD}",
            MOMENT,
            [{**wire.parse_entry(awkward_entries()[0]).detections[0]}],
            AWKWARD[:60],
            "8.1\\0",
            "",
        )
    ]
    assert plates == [("AB\\12\t3", 0.5, AWKWARD[:60], []), ("XY 987", 1e-05, None, [])]
    assert stored_statistics() == recount_statistics()
    if ingest.copies_rows():
        expected = {"all": 4, "every other": 2, "none": 0}[formatted_ahead]
        assert sum(text is not None for text in texts) == expected
    else:
        assert texts == []  # nothing to format ahead without COPY


def test_copy_text_escapes_and_gives_up_on_unknown_types(monkeypatch):
    event = wire.parse_entry(awkward_entries()[1])
    text = ingest.copy_text(event, "s\t1")
    fields = text.split("\t")  # escaped tabs hold no tab character
    names = ingest.ENTRY_FIELDS + ingest.TYPE_FIELDS["anpr"]
    assert len(fields) == len(names)
    assert dict(zip(names, fields, strict=True)) == {
        "timestamp": "2026-11-20T12:00:00.123456+00:00",
        "frame_number": "2",
        "processed": "f",
        "source_id": "s\\t1",
        "license_plate": "AB\\\\12\\t3",
        "confidence": "0.5",
        "region": AWKWARD[:60]
        .replace("\\", "\\\\")
        .replace("\t", "\\t")
        .replace("\n", "\\n")
        .replace("\r", "\\r"),
        "candidates": "[]",
        "snapshot": "",
    }
    no_region = wire.parse_entry(awkward_entries()[2])
    assert ingest.copy_text(no_region, "s2").split("\t")[6] == "\\N"
    # A value of a type it does not format: the row is left to _copy_rows.
    monkeypatch.setattr(ingest, "_type_values", lambda event: (object(),))
    assert ingest.copy_text(event, "s3") is None


def test_copy_columns_cover_the_common_fields_once():
    copied = ingest.STORE_FIELDS + ingest.ENTRY_FIELDS
    assert sorted(copied) == sorted(ingest.COMMON_FIELDS) and len(set(copied)) == len(copied)
