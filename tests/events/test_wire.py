"""The wire format: what is accepted, what is rejected (with which reason), what is built."""

import json
from datetime import datetime, timedelta, timezone

import pytest

from django_video_analytics.events import wire

from .entries import SEED_ANPR, SEED_DETECTION, SEED_MOTION, seed_entry


def fields_reason(fields):
    with pytest.raises(wire.WireFormatError) as caught:
        wire.parse_entry(fields)
    return caught.value.reason


def reason_for(payload):
    return fields_reason(seed_entry(payload))


def test_seed_detection_entry_with_bytes_fields():
    fields = {b"data": json.dumps(SEED_DETECTION).encode()}
    event = wire.parse_entry(fields)
    assert isinstance(event, wire.DetectionWireEvent)
    assert event.event_type == "detection"
    assert event.camera_id == "cam-1"
    assert event.timestamp == datetime(2026, 11, 20, 12, 0, 0, 250000, tzinfo=timezone.utc)
    assert event.frame_number == 1200
    assert list(event.detections) == SEED_DETECTION["detections"]
    assert (event.model_type, event.model_version) == ("yolov8n", "8.1.0")
    assert event.event_id is None and event.snapshot is None


def test_seed_motion_entry():
    event = wire.parse_entry(seed_entry(SEED_MOTION))
    assert (event.motion_intensity, event.affected_area_percentage) == (0.37, 12.5)
    assert event.timestamp == datetime(2026, 11, 20, 12, 0, 1, tzinfo=timezone.utc)


def test_anpr_region_missing_or_null():
    missing = wire.parse_entry(seed_entry(SEED_ANPR))
    null = wire.parse_entry(
        seed_entry({**SEED_ANPR, "anpr_result": {**SEED_ANPR["anpr_result"], "region": None}})
    )
    given = wire.parse_entry(
        seed_entry({**SEED_ANPR, "anpr_result": {**SEED_ANPR["anpr_result"], "region": "GB"}})
    )
    assert missing.region is None and null.region is None and given.region == "GB"
    assert (missing.license_plate, missing.confidence) == ("AB12CDE", 0.88)


def test_unknown_keys_are_ignored_and_optional_keys_kept():
    payload = {
        **SEED_ANPR,
        "zone": "gate",
        "track_id": 7,
        "event_id": "e-1",
        "snapshot": "video_analytics/plates/e-1.jpg",
        "candidates": [{"text": "AB12CDE", "confidence": 0.8}],
    }
    event = wire.parse_entry(seed_entry(payload))
    assert event.event_id == "e-1"
    assert event.snapshot == "video_analytics/plates/e-1.jpg"
    assert event.candidates == ({"text": "AB12CDE", "confidence": 0.8},)


def test_offsets_and_naive_timestamps_become_utc():
    offset = wire.parse_entry(seed_entry({**SEED_MOTION, "timestamp": "2026-11-20T13:00:01+01:00"}))
    naive = wire.parse_entry(seed_entry({**SEED_MOTION, "timestamp": "2026-11-20T12:00:01"}))
    expected = datetime(2026, 11, 20, 12, 0, 1, tzinfo=timezone.utc)
    assert offset.timestamp == naive.timestamp == expected
    assert offset.timestamp.utcoffset() == timedelta(0)


def test_integer_event_id_and_numbers():
    event = wire.parse_entry(
        seed_entry({**SEED_MOTION, "event_id": 42, "motion_intensity": 1, "frame_number": 0})
    )
    assert event.event_id == "42" and event.motion_intensity == 1.0 and event.frame_number == 0


@pytest.mark.parametrize(
    "fields, reason",
    [
        ({"other": "x"}, "entry has no 'data' field"),
        ({"data": "not json"}, "data is not valid JSON"),
        ({"data": b"\xff\xfe"}, "data is not UTF-8"),
        ({"data": "[1, 2]"}, "data must be a JSON object, got array"),
        ({"data": '{"event_type": "motion", "motion_intensity": NaN}'}, "data is not valid JSON"),
        ({"data": '{"event_type": "motion", "motion_intensity": 1e400}'}, "not valid JSON"),
        ({"data": "x" * (wire.MAX_ENTRY_BYTES + 1)}, "more than the 65536 allowed"),
    ],
)
def test_undecodable_entries(fields, reason):
    assert reason in fields_reason(fields)


@pytest.mark.parametrize(
    "change, reason",
    [
        ({"event_type": "thermal"}, "unknown event_type 'thermal'"),
        ({"event_type": None}, "'event_type' must be a string, got null"),
        ({"camera_id": 7}, "'camera_id' must be a string, got number"),
        ({"camera_id": "front gate"}, "camera_id must be 1-64 letters"),
        ({"camera_id": "c" * 65}, "camera_id must be 1-64 letters"),
        ({"camera_id": "cam-1\n"}, "camera_id must be 1-64 letters"),
        ({"timestamp": "yesterday"}, "'timestamp' is not an ISO 8601 date and time"),
        ({"timestamp": "2026-13-01T00:00:00Z"}, "'timestamp' is not an ISO 8601"),
        ({"timestamp": 1700000000}, "'timestamp' must be a string, got number"),
        ({"frame_number": "12"}, "'frame_number' must be an integer, got string"),
        ({"frame_number": 1.5}, "'frame_number' must be an integer, got number"),
        ({"frame_number": True}, "'frame_number' must be an integer, got boolean"),
        ({"frame_number": -1}, "'frame_number' must be between 0 and 2**63 - 1"),
        ({"frame_number": 2**63}, "'frame_number' must be between 0 and 2**63 - 1"),
        ({"motion_intensity": "high"}, "'motion_intensity' must be a number, got string"),
        ({"motion_intensity": 10**400}, "data is not valid JSON"),
        ({"event_id": ""}, "'event_id' must be a non-empty string"),
        ({"event_id": "e" * 155}, "'event_id' is longer than 154 characters"),
        ({"snapshot": "../../etc/passwd"}, "'snapshot' must be a relative storage name"),
        ({"snapshot": "/etc/passwd"}, "'snapshot' must be a relative storage name"),
        ({"snapshot": 3}, "'snapshot' must be a string, got number"),
    ],
)
def test_wrong_common_keys(change, reason):
    assert reason in reason_for({**SEED_MOTION, **change})


@pytest.mark.parametrize("key", ["event_type", "camera_id", "timestamp", "frame_number"])
def test_missing_common_key(key):
    payload = {k: v for k, v in SEED_MOTION.items() if k != key}
    assert reason_for(payload) == f"missing key '{key}'"


@pytest.mark.parametrize(
    "payload, reason",
    [
        ({**SEED_MOTION, "affected_area_percentage": None}, "'affected_area_percentage' must be"),
        (
            {k: v for k, v in SEED_DETECTION.items() if k != "detections"},
            "missing key 'detections'",
        ),
        ({**SEED_DETECTION, "detections": {}}, "'detections' must be an array, got object"),
        ({**SEED_DETECTION, "detections": [1]}, "'detections[0]' must be an object"),
        (
            {**SEED_DETECTION, "detections": [{"class_name": "person", "confidence": 0.5}]},
            "missing key 'detections[0].bounding_box'",
        ),
        (
            {
                **SEED_DETECTION,
                "detections": [
                    {"class_name": "p", "confidence": 0.5, "bounding_box": {"x": 0, "y": 0}}
                ],
            },
            "missing key 'detections[0].bounding_box.width'",
        ),
        (
            {
                **SEED_DETECTION,
                "detections": [
                    {**SEED_DETECTION["detections"][0], "label": "a\u0000b"},
                ],
            },
            "contains a NUL character",
        ),
        ({**SEED_DETECTION, "model_info": "yolo"}, "model_info must be an object, got string"),
        (
            {**SEED_DETECTION, "model_info": {"model_type": 8, "version": "1"}},
            "'model_info.model_type' must be a string, got number",
        ),
        ({**SEED_ANPR, "anpr_result": None}, "'anpr_result' must be an object, got null"),
        ({**SEED_ANPR, "anpr_result": {"confidence": 0.5}}, "missing key 'anpr_result.license"),
        (
            {**SEED_ANPR, "anpr_result": {"license_plate": " ", "confidence": 0.5}},
            "anpr_result.license_plate is empty",
        ),
        (
            {**SEED_ANPR, "anpr_result": {"license_plate": "A" * 33, "confidence": 0.5}},
            "'anpr_result.license_plate' is longer than 32 characters",
        ),
        (
            {**SEED_ANPR, "anpr_result": {"license_plate": "AB1", "confidence": 0.5, "region": 4}},
            "anpr_result.region must be a string or null, got number",
        ),
        ({**SEED_ANPR, "candidates": "AB1"}, "candidates must be a list, got string"),
    ],
)
def test_wrong_type_specific_keys(payload, reason):
    assert reason in reason_for(payload)


def test_builders_round_trip():
    moment = datetime(2026, 11, 20, 12, 0, 0, 123456, tzinfo=timezone.utc)
    detections = [
        {
            "class_name": "truck",
            "confidence": 0.7,
            "bounding_box": {"x": 0.1, "y": 0.2, "width": 0.3, "height": 0.4},
            "track_id": 3,
        }
    ]
    entry = wire.build_detection(
        "cam-1", moment, 5, detections, "yolov8n", "8.1.0", event_id="abc", reason="changed"
    )
    assert list(entry) == ["data"]
    payload = json.loads(entry["data"])
    assert payload["timestamp"] == "2026-11-20T12:00:00.123456Z"
    assert payload["model_info"] == {"model_type": "yolov8n", "version": "8.1.0"}
    assert payload["reason"] == "changed"
    event = wire.parse_entry(entry)
    assert (event.timestamp, event.frame_number, event.event_id) == (moment, 5, "abc")
    assert list(event.detections) == detections

    motion = wire.parse_entry(wire.build_motion("cam-1", moment, 6, 0.5, 20.0))
    assert (motion.motion_intensity, motion.affected_area_percentage) == (0.5, 20.0)

    anpr = wire.build_anpr("cam-1", moment, 7, "AB12CDE", 0.9, candidates=[{"text": "AB12CDE"}])
    assert json.loads(anpr["data"])["anpr_result"] == {
        "license_plate": "AB12CDE",
        "confidence": 0.9,
        "region": None,
    }
    assert wire.parse_entry(anpr).candidates == ({"text": "AB12CDE"},)


def test_builders_refuse_what_the_consumer_would_reject():
    moment = datetime(2026, 11, 20, tzinfo=timezone.utc)
    with pytest.raises(wire.WireFormatError, match="cannot be encoded as JSON"):
        wire.build_motion("cam-1", moment, 1, float("nan"), 1.0)
    with pytest.raises(wire.WireFormatError, match="camera_id"):
        wire.build_motion("not a slug", moment, 1, 0.5, 1.0)
    with pytest.raises(ValueError, match="timezone-aware"):
        wire.build_motion("cam-1", datetime(2026, 11, 20), 1, 0.5, 1.0)
    with pytest.raises(TypeError, match="unknown keywords for a motion entry: \\['event_type'\\]"):
        wire.build_motion("cam-1", moment, 1, 0.5, 1.0, event_type="anpr")
    with pytest.raises(TypeError, match="licence_plate"):  # a typo is not published as NULL
        wire.build_anpr("cam-1", moment, 1, "AB12CDE", 0.9, licence_plate="AB12CDE")
    with pytest.raises(TypeError, match="candidates"):  # only plates carry candidates
        wire.build_detection("cam-1", moment, 1, [], "yolov8n", "8", candidates=[])


class nested:  # noqa: N801  (reads as a value in the tables below)
    """An array nested ``depth`` levels deep, written into the JSON text by ``deep_entry``."""

    def __init__(self, depth):
        self.depth = depth


def deep_entry(payload):
    """``seed_entry`` for payloads holding ``nested`` values (too deep for json.dumps)."""
    arrays = []

    def placeholder(value):
        arrays.append(value.depth)
        return f"@nested{len(arrays) - 1}@"

    text = json.dumps(payload, default=placeholder)
    for index, depth in enumerate(arrays):
        text = text.replace(f'"@nested{index}@"', "[" * depth + "]" * depth)
    return {"data": text}


def detection_with(**extra):
    return {**SEED_DETECTION, "detections": [{**SEED_DETECTION["detections"][0], **extra}]}


def box_with(**extra):
    item = SEED_DETECTION["detections"][0]
    box = {**item["bounding_box"], **extra}
    return {**SEED_DETECTION, "detections": [{**item, "bounding_box": box}]}


@pytest.mark.parametrize(
    "payload, reason",
    [
        # The entry that crashed COPY: a 2 KB detection holding an array nested 980 deep.
        (detection_with(path=nested(980)), "is nested more than 16 levels deep"),
        (detection_with(path=nested(14)), "is nested more than 16 levels deep"),  # 3 + 14
        ({**SEED_MOTION, "zone": {"shape": nested(20)}}, "'zone.shape"),
        ({**SEED_ANPR, "candidates": [nested(16)]}, "is nested more than 16 levels deep"),
        (detection_with(track_id=-(2**63)), "'detections[0].track_id' is an integer beyond 64"),
        (detection_with(confidence=2**63), "'detections[0].confidence' is an integer beyond"),
        (box_with(x=2**63 + 1), "is an integer beyond 64 bits"),
        (detection_with(note="n" * 1025), "'detections[0].note' is longer than 1024 characters"),
        (
            {**SEED_DETECTION, "detections": SEED_DETECTION["detections"] * 251},
            "'detections' holds more than 500 items",
        ),
        ({**SEED_ANPR, "candidates": [{"text": "A"}] * 101}, "holds more than 100 items"),
        ({**SEED_MOTION, "zones": list(range(501))}, "'zones' holds more than 500 items"),
        ({**SEED_DETECTION, "model_info": {"model_type": "y", "extra": nested(16)}}, "nested"),
        ({**SEED_ANPR, "anpr_result": {**SEED_ANPR["anpr_result"], "x": "a" * 2000}}, "longer"),
    ],
)
def test_bounds_of_depth_size_strings_and_numbers(payload, reason):
    assert reason in fields_reason(deep_entry(payload))


def test_deep_entries_with_escapes_are_bounded_not_recursed():
    entry = deep_entry({**SEED_MOTION, "deep": nested(1000), "note": "a\u0000b"})
    assert "nested more than 16 levels deep" in fields_reason(entry)


def test_values_within_the_bounds_are_accepted():
    item_extras = {"track_id": 2**63 - 1, "note": "n" * 1024, "attributes": {"colour": "red"}}
    within = detection_with(path=nested(13), **item_extras)  # level 3 + 13 = 16
    event = wire.parse_entry(deep_entry(within))
    assert event.detections[0]["track_id"] == 2**63 - 1
    many = {**SEED_DETECTION, "detections": SEED_DETECTION["detections"] * 250}
    assert len(wire.parse_entry(seed_entry(many)).detections) == 500
    # Integers beyond 64 bits but within a float are read as floats, as orjson does.
    event = wire.parse_entry(seed_entry({**SEED_MOTION, "motion_intensity": 2**70}))
    assert event.motion_intensity == float(2**70)


def test_version_2_line_crossing_and_zone_visit_round_trip():
    moment = datetime(2026, 11, 20, 12, 0, 1, 500000, tzinfo=timezone.utc)
    entered = moment - timedelta(seconds=30)
    entry = wire.build_line_crossing("cam-1", moment, 9, "door", 4, 17, "person", "out")
    assert json.loads(entry["data"]) == {
        "event_type": "line_crossing",
        "camera_id": "cam-1",
        "timestamp": "2026-11-20T12:00:01.500000Z",
        "frame_number": 9,
        "zone": "door",
        "zone_id": 4,
        "track_id": 17,
        "class_name": "person",
        "direction": "out",
    }
    crossing = wire.parse_entry(entry)
    assert isinstance(crossing, wire.LineCrossingWireEvent)
    assert (crossing.zone, crossing.zone_id, crossing.track_id, crossing.direction) == (
        "door", 4, 17, "out",
    )  # fmt: skip

    open_visit = wire.build_zone_visit(
        "cam-1", moment, 9, "kiosk", 5, 17, "person", entered, None, 30.0, True, 2, event_id="v"
    )
    assert json.loads(open_visit["data"])["exited"] is None  # written, as null
    visit = wire.parse_entry(open_visit)
    assert isinstance(visit, wire.ZoneVisitWireEvent)
    assert (visit.entered, visit.exited, visit.dwell_seconds, visit.loitered) == (
        entered, None, 30.0, True,
    )  # fmt: skip
    assert (visit.occupancy, visit.event_id) == (2, "v")
    closed = wire.build_zone_visit(
        "cam-1", moment, 9, "kiosk", 5, 17, "person", entered, moment, 30.0, False, 1
    )
    assert wire.parse_entry(closed).exited == moment


def test_version_2_builders_refuse_typos_and_bad_values():
    moment = datetime(2026, 11, 20, tzinfo=timezone.utc)
    with pytest.raises(
        TypeError, match="unknown keywords for a line_crossing entry: \\['snapshot'"
    ):
        wire.build_line_crossing("cam-1", moment, 1, "door", 4, 1, "person", "in", snapshot="x")
    with pytest.raises(TypeError, match="zone_visit entry: \\['exit'\\]"):
        wire.build_zone_visit(
            "cam-1", moment, 1, "k", 5, 1, "person", moment, None, 0.0, False, 1, exit=moment
        )
    with pytest.raises(wire.WireFormatError, match="'direction' must be 'in' or 'out'"):
        wire.build_line_crossing("cam-1", moment, 1, "door", 4, 1, "person", "left")
    with pytest.raises(wire.WireFormatError, match="'zone' is longer than 64 characters"):
        wire.build_line_crossing("cam-1", moment, 1, "d" * 65, 4, 1, "person", "in")
    with pytest.raises(wire.WireFormatError, match="'occupancy' must be between 0 and"):
        wire.build_zone_visit("cam-1", moment, 1, "k", 5, 1, "person", moment, None, 0, True, -1)
    with pytest.raises(wire.WireFormatError, match="'zone_id' must be an integer, got boolean"):
        wire.build_line_crossing("cam-1", moment, 1, "door", True, 1, "person", "in")
