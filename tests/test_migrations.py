from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_models_and_migrations_are_in_sync():
    out = StringIO()
    try:
        call_command(
            "makemigrations", "django_video_analytics", check=True, dry_run=True, stdout=out
        )
    except SystemExit:  # pragma: no cover - reported below
        pytest.fail(f"Model changes without a migration:\n{out.getvalue()}")


@pytest.mark.postgres
@pytest.mark.django_db
def test_partial_plate_search_uses_the_trigram_index_on_postgresql():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the trigram index exists on PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'va_anpr_plate_trgm'")
        (definition,) = cursor.fetchone()
    assert "gin_trgm_ops" in definition and "upper" in definition.lower()


@pytest.mark.postgres
@pytest.mark.django_db
def test_class_name_filter_uses_the_detections_gin_index_on_postgresql():
    from django.db import connection

    from django_video_analytics.models import DetectionEvent

    if connection.vendor != "postgresql":
        pytest.skip("the GIN index exists on PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'va_detection_detections_gin'"
        )
        (definition,) = cursor.fetchone()
        assert "gin" in definition and "jsonb_path_ops" in definition
        cursor.execute("SET LOCAL enable_seqscan = off")
        query = DetectionEvent.objects.filter(detections__contains=[{"class_name": "bus"}])
        plan = query.explain()
    assert "va_detection_detections_gin" in plan


# Each zone count index on PostgreSQL and the start of the non-key columns it carries.
COVERED = {
    "va_zonecount_cam_hour": "INCLUDE (zone_id, class_name, crossings_in",
    "va_zonecount_hour": "INCLUDE (zone_id, class_name, crossings_in",
    "va_zonecount_zone_hour_class": "(zone_id, hour, class_name) INCLUDE (crossings_in",
    "va_zoneday_cam_day": "INCLUDE (zone_id, class_name, crossings_in",
    "va_zoneday_day": "INCLUDE (zone_id, class_name, crossings_in",
    "va_zoneday_zone_day_class": "(zone_id, day, class_name) INCLUDE (crossings_in",
}


@pytest.mark.postgres
@pytest.mark.django_db
def test_zone_count_indexes_carry_the_counters_on_postgresql():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("covering indexes are built on PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE 'va_zone%%'"
        )
        definitions = dict(cursor.fetchall())
    for name, covered in COVERED.items():
        assert covered in definitions[name], definitions[name]
    for name in ("va_zonecount_zone_hour_class", "va_zoneday_zone_day_class"):
        assert definitions[name].startswith("CREATE UNIQUE INDEX")
