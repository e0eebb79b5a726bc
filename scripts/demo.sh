#!/usr/bin/env bash
# The demo: set up .venv (first run only), build clips from real photographs, analyse them
# with the camera worker, store the events with the consumer, then serve the example
# project's dashboard. SQLite and an embedded Redis unless DATABASE_URL / REDIS_URL are set.
# DEMO_NO_SERVE=1 stops before serving (used to check the demo end to end).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh
ensure_venv "demo"
cd example_project
py=../.venv/bin/python
port=${PORT:-8000}

$py manage.py migrate -v0
$py manage.py prepare_demo
$py manage.py run_camera_worker --all --burst
$py manage.py consume_events --burst
$py manage.py shell -c "
from django_video_analytics.models import ANPREvent, DetectionEvent, MotionEvent
print(f'stored: {DetectionEvent.objects.count()} detection, {MotionEvent.objects.count()} motion, {ANPREvent.objects.count()} ANPR events')
"
[ "${DEMO_NO_SERVE:-0}" = 1 ] && exit 0
echo "Dashboard: http://127.0.0.1:$port/  (login: demo / demo; admin at /admin/)"
exec $py manage.py runserver --noreload "127.0.0.1:$port"
