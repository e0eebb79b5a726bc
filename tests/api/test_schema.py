import json
import os
import subprocess
import sys

import pytest
from rest_framework.test import APIClient

from .factories import BASE

OPERATIONS = {
    ("/api/v1/analytics/cameras/", "get"): set(),
    ("/api/v1/analytics/cameras/", "post"): set(),
    ("/api/v1/analytics/cameras/{camera_id}/", "get"): set(),
    ("/api/v1/analytics/cameras/{camera_id}/", "put"): set(),
    ("/api/v1/analytics/cameras/{camera_id}/", "patch"): set(),
    ("/api/v1/analytics/cameras/{camera_id}/", "delete"): set(),
    ("/api/v1/analytics/cameras/{camera_id}/start/", "post"): set(),
    ("/api/v1/analytics/cameras/{camera_id}/stop/", "post"): set(),
    ("/api/v1/analytics/cameras/{camera_id}/statistics/", "get"): {"days"},
    ("/api/v1/analytics/statistics/", "get"): {"days", "camera__camera_id"},
}
EVENT_PARAMETERS = {
    "camera__camera_id",
    "processed",
    "start_date",
    "end_date",
    "ordering",
    "cursor",
    "page_size",
}
for endpoint, extra in (
    ("detections", {"class_name"}),
    ("motion", set()),
    ("anpr", {"license_plate", "license_plate__icontains"}),
):
    OPERATIONS[(f"/api/v1/analytics/{endpoint}/", "get")] = EVENT_PARAMETERS | extra
    OPERATIONS[(f"/api/v1/analytics/{endpoint}/{{id}}/", "get")] = set()
    OPERATIONS[(f"/api/v1/analytics/{endpoint}/mark-processed/", "post")] = (
        EVENT_PARAMETERS
        - {
            "cursor",
            "page_size",
        }
        | extra
    )


WATCHLIST_PAGE = {"ordering", "page", "page_size"}
OPERATIONS.update(
    {
        ("/api/v1/analytics/watchlist/", "get"): {"plate", "is_active", "is_pattern"}
        | WATCHLIST_PAGE,
        ("/api/v1/analytics/watchlist/", "post"): set(),
        ("/api/v1/analytics/watchlist/{id}/", "get"): set(),
        ("/api/v1/analytics/watchlist/{id}/", "put"): set(),
        ("/api/v1/analytics/watchlist/{id}/", "patch"): set(),
        ("/api/v1/analytics/watchlist/{id}/", "delete"): set(),
        ("/api/v1/analytics/alerts/", "get"): {
            "camera__camera_id",
            "license_plate",
            "entry",
            "acknowledged",
            "start_date",
            "end_date",
            "ordering",
            "cursor",
            "page_size",
        },
        ("/api/v1/analytics/alerts/{id}/", "get"): set(),
        ("/api/v1/analytics/alerts/{id}/", "patch"): set(),
        ("/api/v1/analytics/widgets/live/", "get"): {"camera", "overall", "zone"},
        ("/api/v1/analytics/camera-health/", "get"): {
            "camera__camera_id",
            "state",
            "start_date",
            "end_date",
            "cursor",
            "page_size",
        },
        ("/api/v1/analytics/camera-health/{id}/", "get"): set(),
        ("/api/v1/analytics/camera-health/uptime/", "get"): {"camera", "days"},
    }
)
ZONE_HOURS = {"start", "end"}
OPERATIONS.update(
    {
        ("/api/v1/analytics/zones/", "get"): {"camera__camera_id", "kind", "enabled"},
        ("/api/v1/analytics/zones/", "post"): set(),
        ("/api/v1/analytics/zones/{id}/", "get"): set(),
        ("/api/v1/analytics/zones/{id}/", "put"): set(),
        ("/api/v1/analytics/zones/{id}/", "patch"): set(),
        ("/api/v1/analytics/zones/{id}/", "delete"): set(),
        ("/api/v1/analytics/zones/counts/", "get"): ZONE_HOURS
        | {"camera__camera_id", "zone", "class_name", "bucket", "group_by", "format"},
        ("/api/v1/analytics/zones/{id}/occupancy/", "get"): set(),
        ("/api/v1/analytics/zones/{id}/dwell-histogram/", "get"): ZONE_HOURS,
    }
)
# Filters whose description the package owns (django-filter's generated ones have none).
UNDESCRIBED = {
    "plate",
    "is_active",
    "is_pattern",
    "entry",
    "acknowledged",
    "state",
    "kind",
    "enabled",
}


@pytest.fixture
def schema(reader):
    response = reader.get(f"{BASE}schema/?format=json")
    assert response.status_code == 200
    return response.json()


def test_schema_lists_exactly_the_api(schema):
    operations = {(path, method) for path, item in schema["paths"].items() for method in item}
    assert operations == set(OPERATIONS)


@pytest.mark.parametrize("path,method", sorted(OPERATIONS))
def test_every_query_parameter_is_documented(schema, path, method):
    operation = schema["paths"][path][method]
    query = {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "query"}
    assert set(query) >= OPERATIONS[(path, method)]
    for name in OPERATIONS[(path, method)] - UNDESCRIBED:
        assert query[name].get("description"), f"{name} has no description"


def test_schema_needs_authentication(db):
    assert APIClient().get(f"{BASE}schema/").status_code in (401, 403)


def test_schema_types(schema):
    parameters = schema["paths"]["/api/v1/analytics/detections/"]["get"]["parameters"]
    by_name = {p["name"]: p["schema"] for p in parameters}
    assert by_name["processed"]["type"] == "boolean"
    assert by_name["page_size"]["type"] == "integer"
    camera = schema["components"]["schemas"]["Camera"]
    assert camera["properties"]["confidence_threshold"]["maximum"] == 1
    assert "camera_id" in camera["required"]


@pytest.mark.parametrize("rest_framework", ({}, {"DEFAULT_SCHEMA_CLASS": None}))
def test_schema_works_whatever_the_hosts_default_schema_class(reader, settings, rest_framework):
    settings.REST_FRAMEWORK = rest_framework
    response = reader.get(f"{BASE}schema/?format=json")
    assert response.status_code == 200, response.content[:300]
    paths = response.json()["paths"]
    assert {(path, method) for path, item in paths.items() for method in item} == set(OPERATIONS)
    assert paths["/api/v1/analytics/cameras/{camera_id}/start/"]["post"]["responses"]["502"]


SCHEMA_IN_A_FRESH_HOST = f"""
import django, json
django.setup()
from django.contrib.auth.models import User
from rest_framework.test import APIClient
client = APIClient()
client.force_authenticate(User(username="reader"))
response = client.get("{BASE}schema/?format=json")
print(json.dumps({{"status": response.status_code, "paths": list(response.json()["paths"])}}))
"""


def test_schema_works_when_the_views_are_imported_in_a_host_without_spectacular():
    """Decorated view methods are built at import time, so this needs a fresh process."""
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.api.settings_without_schema_class",
        "PYTHONPATH": os.pathsep.join(sys.path),
    }
    result = subprocess.run(
        [sys.executable, "-c", SCHEMA_IN_A_FRESH_HOST],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["status"] == 200
    assert {path for path, method in OPERATIONS} == set(answer["paths"])
