#!/usr/bin/env bash
# Fuzz the HTTP API from its own OpenAPI schema with schemathesis, against the example
# project served on 127.0.0.1: every path of the schema (cameras, events, statistics,
# watchlist, alerts, widgets/live), with valid and invalid data (--mode all) through the
# examples, coverage and fuzzing phases; dates are often drawn at year 1 and 9999 with
# extreme offsets (scripts/fuzz_hooks.py). Exits non-zero on any 5xx.
#
#   scripts/fuzz_api.sh                       # 30 examples per operation, at most 150 s
#   FUZZ_MAX_EXAMPLES=100 FUZZ_MAX_TIME=600 scripts/fuzz_api.sh
#
# Uses a throw-away SQLite database and (unless REDIS_URL is set) an embedded Redis, both in
# a temporary folder; creates its own superuser and token; starts and stops the server.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
SCHEMATHESIS="${SCHEMATHESIS:-$(dirname "$PYTHON")/schemathesis}"
MAX_EXAMPLES="${FUZZ_MAX_EXAMPLES:-30}"
MAX_TIME="${FUZZ_MAX_TIME:-150}"
PORT="${FUZZ_PORT:-$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
BASE="http://127.0.0.1:$PORT/api/v1/analytics"

WORK="$(mktemp -d)"
export EXAMPLE_VAR_DIR="$WORK" DJANGO_DEBUG=0 PYTHONUNBUFFERED=1
cd "$ROOT/example_project"

SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ]; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

"$PYTHON" manage.py migrate --noinput -v 0
TOKEN="$("$PYTHON" manage.py shell -v 0 -c '
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from django.utils import timezone
from django_video_analytics.models import (
    ANPREvent, Camera, DetectionEvent, MotionEvent, PlateAlert, WatchlistEntry,
)
user = get_user_model().objects.create_superuser("fuzz", "fuzz@example.com", "fuzz")
camera = Camera.objects.create(camera_id="seed", name="Seed", stream_url="rtsp://u:p@cam/1")
now = timezone.now()
for n in range(1, 21):  # ids 1..20 in every event table, for the detail endpoints
    common = {"camera": camera, "timestamp": now, "source_id": f"seed:{n}"}
    box = {"x": 0.1, "y": 0.1, "width": 0.2, "height": 0.2}
    DetectionEvent.objects.create(
        detections=[{"class_name": "car", "confidence": 0.8, "bounding_box": box}], **common
    )
    MotionEvent.objects.create(motion_intensity=0.3, affected_area_percentage=4.0, **common)
    plate = ANPREvent.objects.create(license_plate=f"AB{n:02d}CDE", confidence=0.9, **common)
    entry = WatchlistEntry.objects.create(plate=plate.license_plate, label=f"Seed {n}")
    PlateAlert.objects.create(
        entry=entry, event=plate, camera=camera, license_plate=plate.license_plate, distance=0
    )
print(Token.objects.create(user=user).key)
' | tail -n 1)"

# SIGTERM exits through SystemExit, so atexit handlers stop the embedded Redis too.
"$PYTHON" -c '
import os, signal, sys
from django.core.management import execute_from_command_line
signal.signal(signal.SIGTERM, lambda *args: sys.exit(0))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "example.settings")
execute_from_command_line(["manage.py", "runserver", "--noreload", "--nothreading", sys.argv[1]])
' "127.0.0.1:$PORT" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!

status=0
SCHEMATHESIS_HOOKS="$ROOT/scripts/fuzz_hooks.py" "$SCHEMATHESIS" run "$BASE/schema/?format=json" \
    --header "Authorization: Token $TOKEN" \
    --checks not_a_server_error \
    --mode all \
    --phases examples,coverage,fuzzing \
    --max-examples "$MAX_EXAMPLES" \
    --max-time "$MAX_TIME" \
    --workers 1 \
    --wait-for-schema 60 \
    --suppress-health-check all \
    --seed "${FUZZ_SEED:-4}" || status=$?

if grep -q '" 5[0-9][0-9] ' "$WORK/server.log"; then
    echo "The server answered 5xx:" >&2
    grep '" 5[0-9][0-9] ' "$WORK/server.log" >&2
    status=1
fi
exit "$status"
