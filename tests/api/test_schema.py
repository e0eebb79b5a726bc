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
    for name in OPERATIONS[(path, method)]:
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
