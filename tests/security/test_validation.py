"""One validation for the admin, the API and the model; bad stored rows never cost a 500."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from django_video_analytics.models import Camera
from django_video_analytics.validators import MAX_ROI_ZONES, MAX_ZONE_POINTS
from tests.api.factories import BASE, client_for, make_user

from .test_admin_secrets import EDITOR_PERMISSIONS, VIEWER_PERMISSIONS, staff_client
from .test_credential_keeping import camera_form

SQUARE = [[0, 0], [1, 0], [1, 1], [0, 1]]

# (field, bad value, a phrase of the error)
BAD_INPUT = [
    ("stream_url", "file:///etc/passwd", "ALLOW_LOCAL_SOURCES"),
    ("stream_url", "/etc/passwd", "ALLOW_LOCAL_SOURCES"),
    ("stream_url", "javascript:alert(1)", "never a stream"),
    ("stream_url", "rtsp://cam.local:99999/live", "0..65535"),
    ("stream_url", "rtsp://[fd00::5/live", "valid URL"),
    ("stream_url", "rtsp://cam.local/live\r\nX-Injected: 1", "Control characters"),
    ("stream_url", "rtsp://cam.local/li\x1bve", "Control characters"),
    ("stream_url", "gopher://cam.local/live", "STREAM_URL_SCHEMES"),
    ("confidence_threshold", 7, "less than or equal to 1"),
    ("confidence_threshold", -1, "greater than or equal to 0"),
    ("detection_classes", ["person", "unicorn"], "Unknown class names: unicorn"),
    ("detection_classes", ["person"] * 81, "At most 80 class names"),
    ("detection_classes", [1, 2], "list of class names"),
    ("roi_zones", [[1, 2]], "Zone 1 must be a list of at least 3"),
    ("roi_zones", [[[0, 0], [1, 0], [1, "x"]]], "no more than 2 numbers"),
    ("roi_zones", [[[0, 0], [1, 0], [1, 1, 1]]], "no more than 2 numbers"),
    ("roi_zones", [[[0, 0], [1, 0], [True, 1]]], "no more than 2 numbers"),
    ("roi_zones", [[[0, 0], [2, 0], [1, 1]]], "less than or equal to 1"),
    ("roi_zones", [SQUARE] * (MAX_ROI_ZONES + 1), f"At most {MAX_ROI_ZONES} zones"),
    ("roi_zones", [[[0.5, 0.5]] * (MAX_ZONE_POINTS + 1)], f"at most {MAX_ZONE_POINTS} points"),
    ("roi_zones", [[[0.5, 0.5]] * 100_000], f"at most {MAX_ZONE_POINTS} points"),
    ("roi_zones", {"zone": 1}, "Expected a list of zones"),
    ("plate_format", "([A-Z", "no valid regular expression"),
    ("plate_format", "[A-Z]{2}" * 5, "32 characters"),
    ("max_fps", 0, "greater than or equal to 0.1"),
    ("motion_threshold", 101, "less than or equal to 100"),
]


@pytest.fixture
def operator(db):
    return client_for(make_user("op", "add_camera", "change_camera", "view_camera"))


@pytest.mark.parametrize("field, value, phrase", BAD_INPUT)
def test_api_answers_400_naming_the_field(operator, field, value, phrase):
    payload = {"camera_id": "gate", "name": "Gate", field: value}
    response = operator.post(f"{BASE}cameras/", payload, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert list(errors) == [field]
    assert phrase in str(errors[field])
    assert not Camera.objects.exists()


def admin_value(value):
    import json

    return value if isinstance(value, str) else json.dumps(value)


@pytest.mark.parametrize("field, value, phrase", BAD_INPUT)
def test_admin_refuses_what_the_api_refuses(db, field, value, phrase):
    root = get_user_model().objects.create_superuser("root", password="pw")
    client = Client()
    client.force_login(root)
    response = client.post(
        reverse("admin:django_video_analytics_camera_add"),
        camera_form(**{"stream_url": "rtsp://cam.local/live", field: admin_value(value)}),
    )
    assert response.status_code == 200  # the form again
    assert phrase in response.content.decode().replace("&#x27;", "'")
    assert not Camera.objects.exists()


@pytest.mark.parametrize("field, value, phrase", BAD_INPUT)
def test_model_full_clean_refuses_it_for_commands(db, field, value, phrase):
    camera = Camera(camera_id="gate", name="Gate", **{field: value})
    with pytest.raises(ValidationError) as excinfo:
        camera.full_clean()
    assert phrase in str(excinfo.value.message_dict[field])


def test_javascript_is_refused_even_when_listed_and_local_sources_allowed(operator, settings):
    settings.VIDEO_ANALYTICS = {
        **settings.VIDEO_ANALYTICS,
        "ALLOW_LOCAL_SOURCES": True,
        "STREAM_URL_SCHEMES": ["rtsp", "javascript"],
    }
    payload = {"camera_id": "gate", "name": "Gate", "stream_url": "javascript:alert(1)"}
    assert operator.post(f"{BASE}cameras/", payload, format="json").status_code == 400


def test_valid_values_pass_everywhere(operator):
    payload = {
        "camera_id": "gate",
        "name": "Gate",
        "stream_url": "rtsp://u:p@[fd00::5]:554/live",
        "confidence_threshold": 1,
        "detection_classes": ["person", "car", "person"],
        "roi_zones": [SQUARE] * MAX_ROI_ZONES,
        "plate_format": "[A-Z]{2}[0-9]{2}[A-Z]{3}",
    }
    response = operator.post(f"{BASE}cameras/", payload, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["detection_classes"] == ["person", "car"]
    Camera.objects.get().full_clean()


BAD_ROWS = [
    {"stream_url": "rtsp://admin:s3cret@cam.local:99999/live"},
    {"stream_url": "rtsp://admin:s3cret@[fd00::5/live"},
    {"stream_url": "rtsp://cam.local/\r\nlive"},
    {"roi_zones": [[1, 2]]},
    {"roi_zones": {"zone": 1}},
    {"detection_classes": 5},
    {"detection_classes": ["unicorn"]},
    {"confidence_threshold": 7},
    {"plate_format": "([A-Z"},
]


@pytest.mark.parametrize("fields", BAD_ROWS)
def test_bad_stored_rows_never_make_a_page_fail(db, fields):
    camera = Camera.objects.create(camera_id="gate", name="Gate", **fields)
    reader = client_for(make_user("reader", "view_camera"))
    assert reader.get(f"{BASE}cameras/").status_code == 200
    assert reader.get(f"{BASE}cameras/gate/").status_code == 200
    pages = (
        reverse("admin:django_video_analytics_camera_changelist"),
        reverse("admin:django_video_analytics_camera_change", args=[camera.pk]),
    )
    for client in (
        staff_client("viewer", VIEWER_PERMISSIONS),
        staff_client("editor", EDITOR_PERMISSIONS),
    ):
        for page in pages:
            response = client.get(page)
            assert response.status_code == 200
            assert "s3cret" not in response.content.decode()


@pytest.mark.parametrize("scheme", ["file", "javascript", "DATA"])
def test_e010_stream_url_schemes_hold_only_network_streams(settings, scheme):
    from django_video_analytics.checks import check_stream_url_schemes

    settings.VIDEO_ANALYTICS = {
        **settings.VIDEO_ANALYTICS,
        "STREAM_URL_SCHEMES": ["rtsp", scheme],
    }
    errors = check_stream_url_schemes()
    assert [error.id for error in errors] == ["django_video_analytics.E010"]
    assert "ALLOW_LOCAL_SOURCES" in errors[0].hint


def test_e010_silent_for_the_default_schemes():
    from django_video_analytics.checks import check_stream_url_schemes

    assert check_stream_url_schemes() == []
