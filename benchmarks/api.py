"""The event API over 1,000,000 detection events in PostgreSQL, against a naive viewset.

Also the zone counts endpoint over 1,000,000 hourly ``ZoneCount`` rows (``--zone-counts``).

Creates (and afterwards drops) its own database, loads 50 cameras x 30 days of detection
events with COPY, plus ANPR events and daily statistics, then times requests through the
Django test client (token auth, so the figures include authentication):

    .venv/bin/python benchmarks/api.py [--events 1000000] [--plates 100000]
        [--zone-counts 1000000] [--only-zone-counts] [--keep]

``BENCH_DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/dva_bench_api``) names
the database; it is dropped and created. The naive viewset is what a first version looks like:
ModelSerializer without ``select_related``, no pagination (offset pages for the deep page),
statistics counted from the event tables per day.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dva_bench_api"
)
CAMERAS = 50
DAYS = 30
ZONE_CAMERAS = 10  # zone counts: their own cameras, three zones each, three classes
ZONES_PER_CAMERA = 3
ZONE_CLASSES = ("person", "car", "bicycle")
MAX_COUNT_QUERIES = 3  # zones/counts/ itself, besides authentication and permissions
TARGET_P95_MS = 50
MAX_QUERIES = 5  # the page (+ statistics: the camera), token auth, the user's permissions


def configure_django():
    import dj_database_url
    from django.conf import settings

    settings.configure(
        DEBUG=False,
        SECRET_KEY="benchmark",
        ALLOWED_HOSTS=["*"],
        USE_TZ=True,
        TIME_ZONE="UTC",
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "rest_framework",
            "rest_framework.authtoken",
            "django_filters",
            "django_video_analytics",
        ],
        DATABASES={"default": dj_database_url.parse(DATABASE_URL)},
        ROOT_URLCONF=__name__,
        REST_FRAMEWORK={
            "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.TokenAuthentication"],
            "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
        },
        VIDEO_ANALYTICS={"REDIS_URL": "redis://127.0.0.1:6379/15"},  # never connected to
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
    )
    import django

    django.setup()


def recreate_database():
    import psycopg

    parts = urlsplit(DATABASE_URL)
    name = parts.path.lstrip("/")
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def drop_database():
    import psycopg
    from django.db import connections

    connections.close_all()
    parts = urlsplit(DATABASE_URL)
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}"')


# --- the naive viewsets ---------------------------------------------------------------


def naive_urlpatterns():
    from django.db.models import Count
    from django.urls import path
    from django_filters.rest_framework import DjangoFilterBackend
    from rest_framework import pagination, serializers, viewsets
    from rest_framework.decorators import api_view
    from rest_framework.response import Response

    from django_video_analytics.api.filters import ANPREventFilterSet, DetectionEventFilterSet
    from django_video_analytics.models import ANPREvent, Camera, DetectionEvent, MotionEvent
    from django_video_analytics.statistics import EVENT_COUNTERS

    class NaiveDetectionSerializer(serializers.ModelSerializer):
        camera_name = serializers.CharField(source="camera.name")

        class Meta:
            model = DetectionEvent
            fields = "__all__"

    class NaiveANPRSerializer(serializers.ModelSerializer):
        camera_name = serializers.CharField(source="camera.name")

        class Meta:
            model = ANPREvent
            fields = "__all__"

    class NaiveDetections(viewsets.ReadOnlyModelViewSet):
        queryset = DetectionEvent.objects.order_by("-timestamp")
        serializer_class = NaiveDetectionSerializer
        filter_backends = [DjangoFilterBackend]
        filterset_class = DetectionEventFilterSet
        pagination_class = None

    class NaiveDetectionPages(NaiveDetections):
        pagination_class = type("Pages", (pagination.PageNumberPagination,), {"page_size": 50})

    class NaivePlates(viewsets.ReadOnlyModelViewSet):
        queryset = ANPREvent.objects.order_by("-timestamp")
        serializer_class = NaiveANPRSerializer
        filter_backends = [DjangoFilterBackend]
        filterset_class = ANPREventFilterSet
        pagination_class = None

    @api_view(["GET"])
    def naive_camera_statistics(request, camera_id):
        camera = Camera.objects.get(camera_id=camera_id)
        today = datetime.now(dt_timezone.utc).date()
        daily = []
        for age in range(int(request.query_params.get("days", 7))):
            day = today - timedelta(days=age)
            row = {"date": day}
            for name, model in (
                (EVENT_COUNTERS["detection"], DetectionEvent),
                (EVENT_COUNTERS["motion"], MotionEvent),
                (EVENT_COUNTERS["anpr"], ANPREvent),
            ):
                row[name] = model.objects.filter(camera=camera, timestamp__date=day).aggregate(
                    n=Count("id")
                )["n"]
            daily.append(row)
        return Response({"daily": daily})

    return [
        path("naive/detections/", NaiveDetections.as_view({"get": "list"})),
        path("naive/detection-pages/", NaiveDetectionPages.as_view({"get": "list"})),
        path("naive/anpr/", NaivePlates.as_view({"get": "list"})),
        path("naive/cameras/<slug:camera_id>/statistics/", naive_camera_statistics),
    ]


def build_urlpatterns():
    from django.urls import include, path

    return [
        path("api/", include(("django_video_analytics.api.urls", "django_video_analytics"))),
        *naive_urlpatterns(),
    ]


# --- loading ----------------------------------------------------------------------------


def plate(rng):
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    return (
        "".join(rng.choices(letters, k=2))
        + f"{rng.randrange(100):02d}"
        + "".join(rng.choices(letters, k=3))
    )


def load(events, plates):
    from django.db import connection

    from django_video_analytics.models import Camera, EventStatistics

    rng = random.Random(7)
    end = datetime.now(dt_timezone.utc).replace(microsecond=0)
    start = end - timedelta(days=DAYS)
    cameras = Camera.objects.bulk_create(
        Camera(camera_id=f"cam-{n:02d}", name=f"Camera {n}", location=f"Site {n % 5}")
        for n in range(CAMERAS)
    )
    pks = [camera.pk for camera in cameras]
    box = {"x": 0.1, "y": 0.2, "width": 0.1, "height": 0.3}
    payloads = [
        json.dumps([{"class_name": name, "confidence": 0.8, "bounding_box": box} for name in mix])
        for mix in (["person"], ["car"], ["person", "car"], ["truck"], ["person", "person", "dog"])
    ]
    step = (end - start) / events
    started = time.perf_counter()
    with connection.cursor() as cursor:
        copy_sql = (
            "COPY video_analytics_detectionevent (camera_id, timestamp, frame_number, "
            "created_at, processed, source_id, detections, detection_count, model_type, "
            "model_version, snapshot) FROM STDIN"
        )
        with cursor.connection.cursor().copy(copy_sql) as copy:
            for n in range(events):
                timestamp = start + step * n
                payload = payloads[n % len(payloads)]
                copy.write_row(
                    (
                        pks[n % CAMERAS],
                        timestamp,
                        n,
                        timestamp,
                        n < events * 0.9,
                        f"bench:{n}",
                        payload,
                        payload.count("class_name"),
                        "yolov8n",
                        "8.1.0",
                        "",
                    )
                )
        detections_seconds = time.perf_counter() - started
        plate_values = [plate(rng) for _ in range(plates // 20)]  # each plate seen ~20 times
        step = (end - start) / plates
        with cursor.connection.cursor().copy(
            "COPY video_analytics_anprevent (camera_id, timestamp, frame_number, created_at, "
            "processed, source_id, license_plate, confidence, region, candidates, snapshot) "
            "FROM STDIN"
        ) as copy:
            for n in range(plates):
                timestamp = start + step * n
                copy.write_row(
                    (
                        pks[n % CAMERAS],
                        timestamp,
                        n,
                        timestamp,
                        False,
                        f"bench-plate:{n}",
                        rng.choice(plate_values),
                        0.9,
                        "GB",
                        "[]",
                        "",
                    )
                )
        EventStatistics.objects.bulk_create(
            EventStatistics(
                camera_id=pk,
                date=(end - timedelta(days=age)).date(),
                detection_count=events // CAMERAS // DAYS,
                person_count=events // CAMERAS // DAYS // 2,
                car_count=events // CAMERAS // DAYS // 3,
                anpr_count=plates // CAMERAS // DAYS,
            )
            for pk in pks
            for age in range(DAYS)
        )
        cursor.execute("ANALYZE")
    return detections_seconds, time.perf_counter() - started, plate_values, start


def load_zone_counts(rows):
    """About ``rows`` hourly counts up to now: ZONE_CAMERAS x ZONES_PER_CAMERA x ZONE_CLASSES.

    Generated by PostgreSQL (``generate_series``); the daily rows by ``rebuild_statistics``.
    """
    from django.db import connection

    from django_video_analytics.models import Camera, Zone
    from django_video_analytics.zone_counts import hour_of, rebuild_days

    cameras = Camera.objects.bulk_create(
        Camera(camera_id=f"site-{n:02d}", name=f"Site camera {n}") for n in range(ZONE_CAMERAS)
    )
    square = [[0.1, 0.1], [0.5, 0.1], [0.5, 0.5], [0.1, 0.5]]
    zones = Zone.objects.bulk_create(
        Zone(camera=camera, name=f"zone-{n}", points=square)
        for camera in cameras
        for n in range(ZONES_PER_CAMERA)
    )
    hours = rows // (len(zones) * len(ZONE_CLASSES))
    last = hour_of(datetime.now(dt_timezone.utc))
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO video_analytics_zonecount (camera_id, zone_id, class_name, hour, "
            "crossings_in, crossings_out, visits, total_dwell_seconds, max_occupancy, "
            "dwell_under_10s, dwell_under_30s, dwell_under_1m, dwell_under_5m, "
            "dwell_under_15m, dwell_15m_or_more) "
            "SELECT z.camera_id, z.id, c.name, %s - make_interval(hours => a), a %% 5, a %% 3, "
            "(a + c.n) %% 7, ((a + c.n) %% 7) * 21.5, (a + c.n) %% 7 / 2 + 1, (a + c.n) %% 7, "
            "0, 0, 0, 0, (a + z.id) %% 2 "
            "FROM video_analytics_zone z, generate_series(0, %s - 1) a, "
            "unnest(%s::text[]) WITH ORDINALITY c(name, n) WHERE z.id = ANY(%s)",
            [last, hours, list(ZONE_CLASSES), [zone.pk for zone in zones]],
        )
        loaded = cursor.rowcount
        rebuild_days()
        # What autovacuum does soon after a load: the index-only scans need the visibility map.
        cursor.execute("VACUUM ANALYZE video_analytics_zonecount")
        cursor.execute("VACUUM ANALYZE video_analytics_zonedaycount")
    return loaded, time.perf_counter() - started, last, [zone.pk for zone in zones]


def zone_count_scenarios(last, zones):
    week = (last - timedelta(days=7)).isoformat().replace("+00:00", "Z")
    year = (last - timedelta(days=365)).date()
    quarter = (last - timedelta(days=90)).date()
    month = (last - timedelta(days=30)).date()
    cameras = [f"site-{n:02d}" for n in range(ZONE_CAMERAS)]
    return [
        ("the floor: an empty range (auth, one query)",
         [f"/api/zones/counts/?start={(last + timedelta(days=2)).date()}"]),
        ("one zone, 7 days by hour",
         [f"/api/zones/counts/?zone={zone}&start={week}" for zone in zones]),
        ("one camera, 365 days by day, by zone",
         [f"/api/zones/counts/?camera__camera_id={c}&start={year}&bucket=day&group_by=zone"
          for c in cameras]),
        ("one camera, 30 days by day, class + direction",
         [f"/api/zones/counts/?camera__camera_id={c}&start={month}&bucket=day"
          "&group_by=class_name,direction" for c in cameras]),
        ("one camera, 90 days by day, CSV",
         [f"/api/zones/counts/?camera__camera_id={c}&start={quarter}&bucket=day&format=csv"
          for c in cameras]),
        ("whole site, 365 days by day, by class",
         [f"/api/zones/counts/?start={year}&bucket=day&group_by=class_name"]),
    ]  # fmt: skip


def app_queries(client, url, token):
    """The queries of one request on the app's tables (not authentication or permissions)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(url, HTTP_AUTHORIZATION=f"Token {token}")
    return sum("video_analytics_" in query["sql"] for query in captured)


def run_zone_counts(args, client, token):
    """Load the hourly counts and time ``zones/counts/``; True when a target was missed."""
    loaded, seconds, last, zones = load_zone_counts(args.zone_counts)
    print(f"\nloaded {loaded:,} hourly zone counts in {seconds:.1f} s")
    print(
        "load average before: {:.1f} {:.1f} {:.1f} (a shared machine: see the floor)".format(
            *os.getloadavg()
        )
    )
    print(f"{'zones/counts/':46} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'rows':>6}")
    failed = False
    for title, urls in zone_count_scenarios(last, zones):
        p50, p95, queries, rows = measure(client, urls, args.repeat, token)
        own = app_queries(client, urls[0], token)
        ok = p95 < TARGET_P95_MS and own <= MAX_COUNT_QUERIES
        failed |= not ok
        verdict = "ok" if ok else "MISSED"
        print(f"{title:46} {p50:8.1f} {p95:8.1f} {queries:5d} ({own}) {rows:6d}  {verdict}")
    print("load average after: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    print(f"counts target: p95 < {TARGET_P95_MS} ms, <= {MAX_COUNT_QUERIES} queries of its own "
          "(in brackets; the total adds token auth and the two permission queries)")  # fmt: skip
    return failed


# --- measuring --------------------------------------------------------------------------


def measure(client, urls, repeat, token):
    """p50/p95 latency in ms and the largest query count over ``repeat`` requests."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings, queries = [], 0
    for n in range(repeat):
        url = urls[n % len(urls)]
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url, HTTP_AUTHORIZATION=f"Token {token}")
            timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
        queries = max(queries, len(captured))
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(round(0.95 * (len(timings) - 1))))]
    if response["Content-Type"].startswith("text/csv"):
        return statistics.median(timings), p95, queries, response.content.count(b"\n") - 1
    body = response.json()
    rows = body if isinstance(body, list) else body.get("results", body.get("daily", []))
    rows = body["rows"] if isinstance(body, dict) and "rows" in body else rows
    return statistics.median(timings), p95, queries, len(rows)


def hundredth_page(client, token):
    url = "/api/detections/"
    for _ in range(99):
        url = client.get(url, HTTP_AUTHORIZATION=f"Token {token}").json()["next"]
    return url


def bench_token():
    """The token of a user holding the view permissions the reads need."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from rest_framework.authtoken.models import Token

    user = get_user_model().objects.create_user("bench")
    readable = Permission.objects.filter(
        content_type__app_label="django_video_analytics", codename__startswith="view_"
    )
    user.user_permissions.set(readable)
    return Token.objects.create(user=user).key


def run(args):
    configure_django()
    from django.core.management import call_command
    from django.test import Client

    global urlpatterns
    urlpatterns = build_urlpatterns()

    target = urlsplit(DATABASE_URL)
    print(f"database {target.path.lstrip('/')} on {target.hostname}")
    recreate_database()
    try:
        call_command("migrate", verbosity=0)
        token = bench_token()
        client = Client()
        if args.only_zone_counts:
            return 1 if run_zone_counts(args, client, token) else 0
        detections_s, total_s, plate_values, start = load(args.events, args.plates)
        print(
            f"loaded {args.events:,} detection events in {detections_s:.1f} s "
            f"({args.events / detections_s:,.0f}/s), {args.plates:,} ANPR events and "
            f"{CAMERAS * DAYS} statistics rows; {total_s:.1f} s in all"
        )
        rng = random.Random(3)
        days = [(start + timedelta(days=d)).date() for d in range(1, DAYS - 2)]

        def window_query(n):
            first = days[n % len(days)]
            return (
                f"camera__camera_id=cam-{n % CAMERAS:02d}&start_date={first}"
                f"&end_date={first + timedelta(days=1)}"
            )

        filtered = [f"/api/detections/?{window_query(n)}" for n in range(20)]
        page_100 = hundredth_page(client, token)
        exact = [f"/api/anpr/?license_plate={p}" for p in rng.sample(plate_values, 20)]
        partial = [f"/api/anpr/?license_plate__icontains={p[1:4]}" for p in plate_values[:20]]
        stats = [f"/api/cameras/cam-{n:02d}/statistics/?days=30" for n in range(20)]
        scenarios = [
            ("filtered detections page (camera + 2 days)", filtered,
             [f"/naive/detections/?{window_query(n)}" for n in range(20)]),
            ("100th page (cursor vs. page=100)", [page_100],
             ["/naive/detection-pages/?page=100"]),
            ("plate search, exact", exact, [u.replace("/api/", "/naive/") for u in exact]),
            ("plate search, icontains", partial,
             [u.replace("/api/", "/naive/") for u in partial]),
            ("camera statistics, 30 days", stats,
             [u.replace("/api/", "/naive/") for u in stats]),
        ]  # fmt: skip
        print(f"\n{'request':44} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'rows':>6}")
        failed = False
        for title, urls, naive_urls in scenarios:
            p50, p95, queries, rows = measure(client, urls, args.repeat, token)
            ok = p95 < TARGET_P95_MS and queries <= MAX_QUERIES
            failed |= not ok
            verdict = "ok" if ok else "MISSED"
            print(f"{title:44} {p50:8.1f} {p95:8.1f} {queries:8d} {rows:6d}  {verdict}")
            n50, n95, nqueries, nrows = measure(client, naive_urls, args.naive_repeat, token)
            print(
                f"{'  naive':44} {n50:8.1f} {n95:8.1f} {nqueries:8d} {nrows:6d}"
                f"  x{n50 / p50:.1f} the API's p50"
            )
        if args.zone_counts:
            failed |= run_zone_counts(args, client, token)
        print(
            f"\ntarget: p95 < {TARGET_P95_MS} ms and <= {MAX_QUERIES} queries "
            "(incl. token auth and permissions)"
        )
        return 1 if failed else 0
    finally:
        if not args.keep:
            drop_database()


urlpatterns = []


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--plates", type=int, default=100_000)
    parser.add_argument("--zone-counts", type=int, default=1_000_000, help="hourly rows")
    parser.add_argument(
        "--only-zone-counts", action="store_true", help="load and time only the zone counts"
    )
    parser.add_argument("--repeat", type=int, default=60, help="requests per API figure")
    parser.add_argument("--naive-repeat", type=int, default=5, help="requests per naive figure")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    sys.exit(run(parser.parse_args()))


if __name__ == "__main__":
    main()
