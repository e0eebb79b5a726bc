"""The event wire format of SPEC.md: the only code that builds or parses event JSON.

A stream entry has one field, ``data``, holding a JSON object. ``parse_entry`` turns an
entry into a ``WireEvent`` or raises ``WireFormatError`` naming the problem; the builders
produce entries for publishers and validate what they build, so a producer of this package
can never publish an entry the consumer would reject.

Everything a ``WireEvent`` carries fits the database columns it is stored in (lengths, integer
ranges, no NUL characters, no NaN) and is bounded in size and nesting, so a batch is never
failed by one odd entry. The JSON is decoded once per entry, by orjson where installed.
"""

import json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, ClassVar

from django.utils.dateparse import parse_datetime

try:
    import orjson
except ImportError:  # pragma: no cover - orjson is a dependency; json is the fallback
    orjson = None  # type: ignore[assignment]

# Larger entries are rejected before they are parsed (a detection with a hundred boxes is
# about 15 KB); they still reach the dead-letter stream whole.
MAX_ENTRY_BYTES = 64 * 1024
# Bounds of everything else an entry holds (docs/events.md, "What is rejected").
MAX_DEPTH = 16  # arrays and objects nested in the data object (which is level 1)
MAX_DETECTIONS = 500  # items in ``detections``
MAX_CANDIDATES = 100  # items in ``candidates``
MAX_CONTAINER_ITEMS = 500  # items of any other array or object
MAX_STRING_LENGTH = 1024  # characters of a string without a column of its own
MAX_INTEGER = 2**63 - 1  # integers in stored JSON lie in -MAX_INTEGER..MAX_INTEGER

DATA_FIELD = "data"
CAMERA_ID_RE = re.compile(r"[-a-zA-Z0-9_]{1,64}")  # Camera.camera_id is a SlugField
MAX_FRAME_NUMBER = 2**63 - 1  # BigIntegerField
# Column lengths of the models (source_id is "event:" + event_id, 160 characters at most).
MAX_LENGTHS = {
    "event_id": 154,
    "snapshot": 255,
    "model_type": 64,
    "model_version": 64,
    "license_plate": 32,
    "region": 64,
    "class_name": 64,
    "zone": 64,  # Zone.name
}
MAX_ZONE_ID = 2**63 - 1  # Zone's BigAutoField
MAX_TRACK_ID = 2**63 - 1  # BigIntegerField
MAX_OCCUPANCY = 2**31 - 1  # PositiveIntegerField
DIRECTIONS = ("in", "out")


class WireFormatError(ValueError):
    """An entry that is not a valid event; ``reason`` says why, for the dead-letter stream."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class WireEvent:
    """Keys every event has, plus the optional ones the consumer stores."""

    event_type: ClassVar[str | None] = None  # set by each subclass

    camera_id: str
    timestamp: datetime  # aware, UTC
    frame_number: int
    event_id: str | None = None  # -> source_id "event:<event_id>"
    snapshot: str | None = None  # a storage name, stored in the row's FileField


@dataclass(frozen=True)
class DetectionWireEvent(WireEvent):
    event_type = "detection"

    detections: tuple = ()  # the items as on the wire (dicts)
    model_type: str = ""
    model_version: str = ""


@dataclass(frozen=True)
class MotionWireEvent(WireEvent):
    event_type = "motion"

    motion_intensity: float = 0.0
    affected_area_percentage: float = 0.0


@dataclass(frozen=True)
class AnprWireEvent(WireEvent):
    event_type = "anpr"

    license_plate: str = ""
    confidence: float = 0.0
    region: str | None = None
    candidates: tuple = ()  # the per-frame reads the plate was voted from


@dataclass(frozen=True)
class LineCrossingWireEvent(WireEvent):
    """Version 2: a track crossed a counting line (``zone`` is the line's name)."""

    event_type = "line_crossing"

    zone: str = ""
    zone_id: int = 0  # the Zone's primary key
    track_id: int = 0
    class_name: str = ""
    direction: str = "in"  # "in" or "out"


@dataclass(frozen=True)
class ZoneVisitWireEvent(WireEvent):
    """Version 2: a visit of a zone; ``exited`` None is an open (loitering) report."""

    event_type = "zone_visit"

    zone: str = ""
    zone_id: int = 0
    track_id: int = 0
    class_name: str = ""
    entered: datetime | None = None  # aware, UTC (always set by the parser)
    exited: datetime | None = None
    dwell_seconds: float = 0.0
    loitered: bool = False
    occupancy: int = 0


# Parsing ---------------------------------------------------------------------------------


def parse_entry(fields: Mapping[Any, Any]) -> WireEvent:
    """The ``WireEvent`` of a raw stream entry (a mapping with bytes or str keys and values)."""
    raw = _data_field(fields)
    if len(raw) > MAX_ENTRY_BYTES:
        raise WireFormatError(f"entry is {len(raw)} bytes, more than the {MAX_ENTRY_BYTES} allowed")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise WireFormatError(f"data is not UTF-8: {exc}") from None
    try:
        payload = _loads(text)
    except (ValueError, RecursionError) as exc:
        raise WireFormatError(f"data is not valid JSON: {exc}") from None
    # Raw UTF-8 holds neither NUL (JSON forbids control characters in strings) nor lone
    # surrogates: only escapes can bring them in, so most entries skip the deep walk.
    if "\\u" in text and _UNSAFE_ESCAPE.search(text):  # a substring test is cheaper
        _check_json(payload, "data")
    return _parse_object(payload)


def dumps(value):
    """Compact JSON text of ``value`` (already validated: finite numbers, bounded depth)."""
    if orjson is not None:
        return orjson.dumps(value).decode()
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _loads(text):
    if orjson is not None:
        # Strict JSON: no NaN/Infinity, numbers beyond a float are errors, integers beyond
        # 64 bits become floats.
        return orjson.loads(text)
    return json.loads(
        text, parse_constant=_reject_constant, parse_float=_finite_float, parse_int=_json_int
    )


def parse_payload(payload):
    """The ``WireEvent`` of an already decoded JSON object (e.g. from another transport)."""
    _check_json(payload, "data")
    return _parse_object(payload)


def _parse_object(payload):
    if not isinstance(payload, dict):
        raise WireFormatError(f"data must be a JSON object, got {_json_type(payload)}")
    if len(payload) > MAX_CONTAINER_ITEMS:
        raise WireFormatError(f"data has more than {MAX_CONTAINER_ITEMS} keys")
    for key, value in payload.items():
        # Keys this module reads are bounded where they are read; the rest only here.
        if key not in _READ_KEYS and type(value) in _CONTAINERS:
            _check_value(value, key, 2)
    event_type = _required(payload, "event_type", str)
    kind = KINDS.get(event_type)
    if kind is None:
        raise WireFormatError(f"unknown event_type {event_type[:40]!r}")
    camera_id = _required(payload, "camera_id", str)
    if not CAMERA_ID_RE.fullmatch(camera_id):
        raise WireFormatError(
            "camera_id must be 1-64 letters, digits, '-' or '_', got " + repr(camera_id[:80])
        )
    common = {
        "camera_id": camera_id,
        "timestamp": _timestamp(_required(payload, "timestamp", str)),
        "frame_number": _frame_number(_required(payload, "frame_number", int)),
        "event_id": _event_id(payload.get("event_id")),
        "snapshot": _snapshot(payload.get("snapshot")),
    }
    return kind.parse(payload, common)


def _parse_detection(payload, common):
    detections = _required(payload, "detections", list)
    if len(detections) > MAX_DETECTIONS:
        raise WireFormatError(f"'detections' holds more than {MAX_DETECTIONS} items")
    items = tuple(_detection_item(item, index) for index, item in enumerate(detections))
    model_info = payload.get("model_info")
    if model_info is None:
        model_info = {}
    elif not isinstance(model_info, dict):
        raise WireFormatError(f"model_info must be an object, got {_json_type(model_info)}")
    else:
        _check_value(model_info, "model_info", 2)
    common["detections"] = items
    common["model_type"] = _optional_text(model_info, "model_type", where="model_info.model_type")
    common["model_version"] = _optional_text(model_info, "version", where="model_info.version")
    return _make(DetectionWireEvent, common)


def _parse_motion(payload, common):
    common["motion_intensity"] = _number(payload, "motion_intensity")
    common["affected_area_percentage"] = _number(payload, "affected_area_percentage")
    return _make(MotionWireEvent, common)


def _parse_anpr(payload, common):
    result = _required(payload, "anpr_result", dict)
    _check_value(result, "anpr_result", 2)
    plate = _required(result, "license_plate", str, where="anpr_result.license_plate")
    if not plate.strip():
        raise WireFormatError("anpr_result.license_plate is empty")
    _check_text(plate, "anpr_result.license_plate", MAX_LENGTHS["license_plate"])
    region = result.get("region")
    if region is not None:
        if not isinstance(region, str):
            raise WireFormatError(
                f"anpr_result.region must be a string or null, got {_json_type(region)}"
            )
        _check_text(region, "anpr_result.region", MAX_LENGTHS["region"])
    candidates = payload.get("candidates")
    if candidates is None:
        candidates = []
    elif not isinstance(candidates, list):
        raise WireFormatError(f"candidates must be a list, got {_json_type(candidates)}")
    elif len(candidates) > MAX_CANDIDATES:
        raise WireFormatError(f"'candidates' holds more than {MAX_CANDIDATES} items")
    else:
        _check_value(candidates, "candidates", 2)
    common["license_plate"] = plate
    common["confidence"] = _number(result, "confidence", where="anpr_result.confidence")
    common["region"] = region
    common["candidates"] = tuple(candidates)
    return _make(AnprWireEvent, common)


def _make(cls, fields):
    """``cls(**fields)`` for every field of ``cls``, without a frozen dataclass' ``__init__``.

    That sets each field with ``object.__setattr__``: the dearest step of parsing an entry.
    """
    event = object.__new__(cls)
    event.__dict__.update(fields)
    return event


def _zone_fields(payload):
    """The keys line crossings and zone visits share: zone, zone_id, track_id, class_name."""
    zone = _required(payload, "zone", str)
    if not zone.strip():
        raise WireFormatError("'zone' is empty")
    _check_text(zone, "zone", MAX_LENGTHS["zone"])
    class_name = _required(payload, "class_name", str)
    _check_text(class_name, "class_name", MAX_LENGTHS["class_name"])
    return {
        "zone": zone,
        "zone_id": _bounded_int(payload, "zone_id", 1, MAX_ZONE_ID),
        "track_id": _bounded_int(payload, "track_id", 0, MAX_TRACK_ID),
        "class_name": class_name,
    }


def _parse_line_crossing(payload, common):
    direction = _required(payload, "direction", str)
    if direction not in DIRECTIONS:
        raise WireFormatError(f"'direction' must be 'in' or 'out', got {direction[:20]!r}")
    return LineCrossingWireEvent(**common, **_zone_fields(payload), direction=direction)


def _parse_zone_visit(payload, common):
    entered = _timestamp(_required(payload, "entered", str), "entered")
    if "exited" not in payload:
        raise WireFormatError("missing key 'exited' (null while the visit is open)")
    exited = payload["exited"]
    if exited is not None:
        if not isinstance(exited, str):
            raise WireFormatError(f"'exited' must be a string or null, got {_json_type(exited)}")
        exited = _timestamp(exited, "exited")
        if exited < entered:
            raise WireFormatError("'exited' is before 'entered'")
    dwell = _number(payload, "dwell_seconds")
    if dwell < 0:
        raise WireFormatError("'dwell_seconds' is negative")
    loitered = payload.get("loitered")
    if not isinstance(loitered, bool):
        raise WireFormatError(f"'loitered' must be a boolean, got {_json_type(loitered)}")
    return ZoneVisitWireEvent(
        **common,
        **_zone_fields(payload),
        entered=entered,
        exited=exited,
        dwell_seconds=dwell,
        loitered=loitered,
        occupancy=_bounded_int(payload, "occupancy", 0, MAX_OCCUPANCY),
    )


def _bounded_int(mapping, key, low, high):
    value = _required(mapping, key, int)
    if not low <= value <= high:
        raise WireFormatError(f"'{key}' must be between {low} and {high}, got {value}")
    return value


# The keys the parsers read (and bound) themselves.
_READ_KEYS = frozenset(
    {
        "event_type",
        "camera_id",
        "timestamp",
        "frame_number",
        "detections",
        "model_info",
        "motion_intensity",
        "affected_area_percentage",
        "anpr_result",
        "event_id",
        "snapshot",
        "candidates",
    }
)
_CONTAINERS = (dict, list)


def _data_field(fields):
    if not hasattr(fields, "get"):
        raise WireFormatError("entry is not a mapping of fields")
    raw = fields.get(b"data")
    if raw is None:
        raw = fields.get(DATA_FIELD)
    if raw is None:
        raise WireFormatError("entry has no 'data' field")
    if isinstance(raw, str):
        return raw.encode("utf-8", "surrogatepass")
    if not isinstance(raw, bytes):
        raise WireFormatError(f"'data' must be bytes or str, got {type(raw).__name__}")
    return raw


def _reject_constant(name):
    # json.loads accepts NaN and Infinity; neither is JSON nor storable in a JSON column.
    raise ValueError(f"{name} is not valid JSON")


def _finite_float(literal):
    value = float(literal)
    if not math.isfinite(value):  # 1e400
        raise ValueError(f"number {literal[:20]} is out of range")
    return value


def _json_int(literal):
    # As orjson reads them: integers beyond 64 bits are floats, beyond a float an error.
    value = int(literal)
    if -(2**63) <= value < 2**64:
        return value
    return _finite_float(literal)


_UNSAFE_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F])")


def _json_type(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


_TYPE_NAMES = {str: "a string", int: "an integer", list: "an array", dict: "an object"}


def _required(mapping, key, kind, where=None):
    where = where or key
    if key not in mapping:
        raise WireFormatError(f"missing key '{where}'")
    value = mapping[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise WireFormatError(f"'{where}' must be {_TYPE_NAMES[kind]}, got {_json_type(value)}")
    return value


def _number(mapping, key, where=None):
    where = where or key
    if key not in mapping:
        raise WireFormatError(f"missing key '{where}'")
    value = mapping[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise WireFormatError(f"'{where}' must be a number, got {_json_type(value)}")
    try:
        value = float(value)
    except OverflowError:  # an integer beyond any float
        value = math.inf
    if not math.isfinite(value):
        raise WireFormatError(f"'{where}' is not a finite number")
    return value


def _optional_text(mapping, key, where):
    value = mapping.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise WireFormatError(f"'{where}' must be a string, got {_json_type(value)}")
    _check_text(value, where, MAX_LENGTHS[key if key != "version" else "model_version"])
    return value


def _check_text(value, where, max_length):
    if len(value) > max_length:
        raise WireFormatError(f"'{where}' is longer than {max_length} characters")
    _check_string(value, where)


def _check_string(value, where):
    # PostgreSQL stores neither NUL characters nor lone surrogates, in text or JSON columns.
    if "\x00" in value:
        raise WireFormatError(f"'{where}' contains a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise WireFormatError(f"'{where}' contains an unpaired surrogate") from None


def _check_json(value, where, depth=1):
    """Every string and number inside ``value`` can be stored in a JSON column."""
    if isinstance(value, str):
        _check_string(value, where)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise WireFormatError(f"'{where}' holds a number that is not finite")
    elif isinstance(value, (dict, list)):
        if depth > MAX_DEPTH:
            raise WireFormatError(f"'{where}' is nested more than {MAX_DEPTH} levels deep")
        if isinstance(value, dict):
            for key, item in value.items():
                _check_string(key, where)
                _check_json(item, f"{where}.{key}", depth + 1)
        else:
            for index, item in enumerate(value):
                _check_json(item, f"{where}[{index}]", depth + 1)


def _check_value(value, where, depth):
    """``value`` (at nesting level ``depth``) keeps to the size, depth and number bounds."""
    kind = type(value)
    if kind is str:
        if len(value) > MAX_STRING_LENGTH:
            raise WireFormatError(f"'{where}' is longer than {MAX_STRING_LENGTH} characters")
    elif kind is int:
        if not -MAX_INTEGER <= value <= MAX_INTEGER:
            raise WireFormatError(f"'{where}' is an integer beyond 64 bits")
    elif kind is dict or kind is list:
        if depth > MAX_DEPTH:
            raise WireFormatError(f"'{where}' is nested more than {MAX_DEPTH} levels deep")
        if len(value) > MAX_CONTAINER_ITEMS:
            raise WireFormatError(f"'{where}' holds more than {MAX_CONTAINER_ITEMS} items")
        # The path of an item is only spelled out for the ones that need a closer look.
        if kind is dict:
            for key, item in value.items():
                if len(key) > MAX_STRING_LENGTH:
                    raise WireFormatError(f"'{where}' has a key over {MAX_STRING_LENGTH} chars")
                if not _plain_scalar(item):
                    _check_value(item, f"{where}.{key}", depth + 1)
        else:
            for index, item in enumerate(value):
                if not _plain_scalar(item):
                    _check_value(item, f"{where}[{index}]", depth + 1)


def _timestamp(value, where="timestamp"):
    try:
        parsed = parse_datetime(value)
    except ValueError:
        parsed = None
    if parsed is None:
        raise WireFormatError(f"'{where}' is not an ISO 8601 date and time: {value[:40]!r}")
    if parsed.tzinfo is None:
        # The SPEC's producers write UTC with a trailing Z; a bare time is taken as UTC too.
        parsed = parsed.replace(tzinfo=timezone.utc)
    try:
        return parsed.astimezone(timezone.utc)
    except OverflowError:
        raise WireFormatError(f"'{where}' is out of range: {value[:40]!r}") from None


def _frame_number(value):
    if not 0 <= value <= MAX_FRAME_NUMBER:
        raise WireFormatError("'frame_number' must be between 0 and 2**63 - 1")
    return value


def _event_id(value):
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value:
        raise WireFormatError(
            f"'event_id' must be a non-empty string or an integer, got {_json_type(value)}"
        )
    _check_text(value, "event_id", MAX_LENGTHS["event_id"])
    return value


def _snapshot(value):
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise WireFormatError(f"'snapshot' must be a string, got {_json_type(value)}")
    _check_text(value, "snapshot", MAX_LENGTHS["snapshot"])
    # A storage name, never a path out of the storage.
    if value.startswith(("/", "\\")) or ".." in re.split(r"[/\\]", value):
        raise WireFormatError("'snapshot' must be a relative storage name without '..'")
    return value


_BOX_KEYS = ("x", "y", "width", "height")  # the fast path below spells them out
_ITEM_KEYS = frozenset({"class_name", "confidence", "bounding_box"})


def _plain_number(value):
    kind = type(value)
    return kind is float or (kind is int and -MAX_INTEGER <= value <= MAX_INTEGER)


def _plain_scalar(value):
    kind = type(value)
    if kind is str:
        return len(value) <= MAX_STRING_LENGTH
    return value is None or kind is bool or _plain_number(value)


def _plain_extras(item):
    """The keys a producer added to a detection item hold short scalars only."""
    if len(item) > MAX_CONTAINER_ITEMS:
        return False
    for key, value in item.items():
        if key not in _ITEM_KEYS and not _plain_scalar(value):
            return False
    return True


def _detection_item(item, index):
    # The common case in a few type checks; anything unusual takes the path that words it.
    try:
        box = item["bounding_box"]
        name = item["class_name"]
        confidence, x, y = item["confidence"], box["x"], box["y"]
        width, height = box["width"], box["height"]
        if (
            type(name) is str
            and len(name) <= MAX_LENGTHS["class_name"]
            and len(box) == 4
            # Floats first: most values are, and they need no range check.
            and (type(confidence) is float or _plain_number(confidence))
            and (type(x) is float or _plain_number(x))
            and (type(y) is float or _plain_number(y))
            and (type(width) is float or _plain_number(width))
            and (type(height) is float or _plain_number(height))
            and (len(item) == len(_ITEM_KEYS) or _plain_extras(item))
        ):
            return item
    except (KeyError, TypeError):
        pass
    return _explain_detection_item(item, index)


def _explain_detection_item(item, index):
    where = f"detections[{index}]"
    if not isinstance(item, dict):
        raise WireFormatError(f"'{where}' must be an object, got {_json_type(item)}")
    name = _required(item, "class_name", str, where=f"{where}.class_name")
    _check_text(name, f"{where}.class_name", MAX_LENGTHS["class_name"])
    _number(item, "confidence", where=f"{where}.confidence")
    box = _required(item, "bounding_box", dict, where=f"{where}.bounding_box")
    for key in _BOX_KEYS:
        _number(box, key, where=f"{where}.bounding_box.{key}")
    _check_value(item, where, 3)  # data is level 1, detections 2
    return item


# Building --------------------------------------------------------------------------------


def format_timestamp(value):
    """ISO 8601 in UTC with a trailing ``Z``, as the SPEC's producers write it."""
    if isinstance(value, str):
        return value
    if value.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware datetimes")
    return value.astimezone(timezone.utc).replace(tzinfo=None).isoformat() + "Z"


def build_detection(
    camera_id: str,
    timestamp: datetime | str,
    frame_number: int,
    detections: Iterable[Mapping[str, Any]],
    model_type: str,
    model_version: str,
    **extra: Any,
) -> dict[str, str]:
    """A detection entry; ``detections`` are ``{class_name, confidence, bounding_box}`` dicts."""
    payload = _common(DetectionWireEvent, camera_id, timestamp, frame_number)
    payload["detections"] = list(detections)
    payload["model_info"] = {"model_type": model_type, "version": model_version}
    return _entry(payload, extra)


def build_motion(
    camera_id: str,
    timestamp: datetime | str,
    frame_number: int,
    motion_intensity: float,
    affected_area_percentage: float,
    **extra: Any,
) -> dict[str, str]:
    """A motion entry; ``affected_area_percentage`` is 0..100."""
    payload = _common(MotionWireEvent, camera_id, timestamp, frame_number)
    payload["motion_intensity"] = motion_intensity
    payload["affected_area_percentage"] = affected_area_percentage
    return _entry(payload, extra)


def build_anpr(
    camera_id: str,
    timestamp: datetime | str,
    frame_number: int,
    license_plate: str,
    confidence: float,
    region: str | None = None,
    **extra: Any,
) -> dict[str, str]:
    """An ANPR entry; ``region`` may be None (the key is then still written, as null)."""
    payload = _common(AnprWireEvent, camera_id, timestamp, frame_number)
    payload["anpr_result"] = {
        "license_plate": license_plate,
        "confidence": confidence,
        "region": region,
    }
    return _entry(payload, extra)


def build_line_crossing(
    camera_id: str,
    timestamp: datetime | str,
    frame_number: int,
    zone: str,
    zone_id: int,
    track_id: int,
    class_name: str,
    direction: str,
    **extra: Any,
) -> dict[str, str]:
    """A line crossing entry (version 2); ``direction`` is ``"in"`` or ``"out"``."""
    payload = _common(LineCrossingWireEvent, camera_id, timestamp, frame_number)
    payload.update(zone=zone, zone_id=zone_id, track_id=track_id, class_name=class_name)
    payload["direction"] = direction
    return _entry(payload, extra)


def build_zone_visit(
    camera_id: str,
    timestamp: datetime | str,
    frame_number: int,
    zone: str,
    zone_id: int,
    track_id: int,
    class_name: str,
    entered: datetime | str,
    exited: datetime | str | None,
    dwell_seconds: float,
    loitered: bool,
    occupancy: int,
    **extra: Any,
) -> dict[str, str]:
    """A zone visit entry (version 2); ``exited`` None reports an open (loitering) visit."""
    payload = _common(ZoneVisitWireEvent, camera_id, timestamp, frame_number)
    payload.update(zone=zone, zone_id=zone_id, track_id=track_id, class_name=class_name)
    payload["entered"] = format_timestamp(entered)
    payload["exited"] = None if exited is None else format_timestamp(exited)
    payload["dwell_seconds"] = dwell_seconds
    payload["loitered"] = loitered
    payload["occupancy"] = occupancy
    return _entry(payload, extra)


def _common(event_class, camera_id, timestamp, frame_number):
    return {
        "event_type": event_class.event_type,
        "camera_id": camera_id,
        "timestamp": format_timestamp(timestamp),
        "frame_number": frame_number,
    }


def _entry(payload, extra):
    unknown = set(extra) - KINDS[payload["event_type"]].optional_keys
    if unknown:
        raise TypeError(f"unknown keywords for a {payload['event_type']} entry: {sorted(unknown)}")
    payload.update((key, value) for key, value in extra.items() if value is not None)
    try:
        data = json.dumps(payload, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise WireFormatError(f"event cannot be encoded as JSON: {exc}") from None
    entry = {DATA_FIELD: data}
    parse_entry(entry)  # what we publish, we accept: fail in the producer, not the consumer
    return entry


# The event types ----------------------------------------------------------------------------


@dataclass(frozen=True)
class WireKind:
    """One event type on the wire: its event class, parser and builder.

    The wire half of the event types; ``events.kinds.STORED_KINDS`` (its model and columns)
    and the worker's ``encoder.ENCODERS`` are keyed by the same names, and a test keeps the
    three in step.
    """

    event_class: type[WireEvent]
    version: int  # the wire format version that added the type (docs/events.md)
    parse: Callable[[dict, dict], WireEvent]  # (payload, the common keys parsed) -> event
    build: Callable[..., dict[str, str]]
    optional_keys: frozenset[str]  # what ``build`` takes as keywords; any other is a typo

    @property
    def name(self) -> str:
        return str(self.event_class.event_type)


KINDS: dict[str, WireKind] = {
    kind.name: kind
    for kind in (
        WireKind(
            DetectionWireEvent,
            1,
            _parse_detection,
            build_detection,
            frozenset({"event_id", "snapshot", "reason"}),
        ),
        WireKind(
            MotionWireEvent, 1, _parse_motion, build_motion, frozenset({"event_id", "snapshot"})
        ),
        WireKind(
            AnprWireEvent,
            1,
            _parse_anpr,
            build_anpr,
            frozenset({"event_id", "snapshot", "track_id", "candidates"}),
        ),
        WireKind(
            LineCrossingWireEvent,
            2,
            _parse_line_crossing,
            build_line_crossing,
            frozenset({"event_id"}),
        ),
        WireKind(
            ZoneVisitWireEvent, 2, _parse_zone_visit, build_zone_visit, frozenset({"event_id"})
        ),
    )
}
