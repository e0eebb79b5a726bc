import pytest
from django.test import override_settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from django_video_analytics.models import Camera

from .factories import BASE, client_for, make_user

SECRET_URL = "rtsp://admin:s3cret-pw@10.0.0.5:554/stream1"
MASKED_URL = "rtsp://***:***@10.0.0.5:554/stream1"


def create(client, **fields):
    data = {"camera_id": "cam-1", "name": "Front gate", **fields}
    return client.post(f"{BASE}cameras/", data, format="json")


EVERY_PATH = [
    ("get", "cameras/"),
    ("post", "cameras/"),
    ("get", "cameras/cam-1/"),
    ("put", "cameras/cam-1/"),
    ("patch", "cameras/cam-1/"),
    ("delete", "cameras/cam-1/"),
    ("post", "cameras/cam-1/start/"),
    ("post", "cameras/cam-1/stop/"),
    ("get", "cameras/cam-1/statistics/?days=7"),
    ("get", "detections/"),
    ("post", "detections/mark-processed/"),
    ("get", "motion/"),
    ("post", "motion/mark-processed/"),
    ("get", "anpr/"),
    ("post", "anpr/mark-processed/"),
    ("get", "statistics/"),
    ("get", "schema/"),
]


@pytest.mark.parametrize("method,path", EVERY_PATH)
def test_anonymous_requests_are_denied(make_camera, method, path):
    make_camera("cam-1")
    response = getattr(APIClient(), method)(BASE + path, {}, format="json")
    assert response.status_code in (401, 403)
    assert Camera.objects.filter(camera_id="cam-1").exists()


WRITES = [
    ("post", "cameras/", "add"),
    ("put", "cameras/cam-1/", "change"),
    ("patch", "cameras/cam-1/", "change"),
    ("delete", "cameras/cam-1/", "delete"),
    ("post", "cameras/cam-1/start/", "change"),
    ("post", "cameras/cam-1/stop/", "change"),
]


@pytest.mark.parametrize("method,path,permission", WRITES)
def test_writes_need_the_matching_model_permission(make_camera, method, path, permission):
    make_camera("cam-1")
    data = {"camera_id": "cam-2", "name": "Other"}
    others = {"add", "change", "delete"} - {permission}
    without = client_for(make_user("without", *(f"{p}_camera" for p in others)))
    assert getattr(without, method)(BASE + path, data, format="json").status_code == 403
    with_it = client_for(make_user("with", f"{permission}_camera"))
    assert getattr(with_it, method)(BASE + path, data, format="json").status_code < 300


def test_reader_may_read(reader, make_camera):
    make_camera("cam-1")
    assert reader.get(f"{BASE}cameras/").json()[0]["camera_id"] == "cam-1"
    assert reader.get(f"{BASE}cameras/cam-1/").status_code == 200


def test_crud_round_trip(operator):
    response = create(operator, location="Gate", detection_classes=["person", "car"])
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "inactive"
    url = f"{BASE}cameras/cam-1/"
    assert operator.get(url).json()["detection_classes"] == ["person", "car"]
    full = {"camera_id": "cam-1", "name": "Back gate", "confidence_threshold": 0.7}
    assert operator.put(url, full, format="json").json()["name"] == "Back gate"
    assert operator.patch(url, {"location": "Yard"}, format="json").json()["location"] == "Yard"
    assert operator.get(f"{BASE}cameras/?status=inactive").json()[0]["camera_id"] == "cam-1"
    assert operator.get(f"{BASE}cameras/?status=active").json() == []
    assert operator.delete(url).status_code == 204
    assert operator.get(url).status_code == 404


def test_credentials_are_write_only(operator):
    response = create(operator, stream_url=SECRET_URL)
    assert response.json()["stream_url"] == MASKED_URL
    assert Camera.objects.get().stream_url == SECRET_URL
    url = f"{BASE}cameras/cam-1/"
    for body in (operator.get(url).content, operator.get(f"{BASE}cameras/").content):
        assert b"s3cret" not in body and b"admin" not in body


@pytest.mark.parametrize(
    "sent,stored",
    [
        (None, SECRET_URL),  # not resent at all
        (MASKED_URL, SECRET_URL),  # the masked URL sent back
        ("rtsp://***:***@10.0.0.5:554/main", "rtsp://admin:s3cret-pw@10.0.0.5:554/main"),
        ("rtsp://viewer:new@10.0.0.5:554/stream1", "rtsp://viewer:new@10.0.0.5:554/stream1"),
        ("rtsp://10.0.0.5/open", "rtsp://10.0.0.5/open"),
    ],
)
def test_update_keeps_stored_credentials_unless_new_ones_are_sent(operator, sent, stored):
    create(operator, stream_url=SECRET_URL)
    data = {"name": "Renamed"} if sent is None else {"stream_url": sent}
    response = operator.patch(f"{BASE}cameras/cam-1/", data, format="json")
    assert response.status_code == 200, response.json()
    assert Camera.objects.get().stream_url == stored
    assert "s3cret" not in response.content.decode()


def test_admin_change_list_and_form_mask_credentials(admin_client, make_camera):
    camera = make_camera("cam-1", stream_url=SECRET_URL)
    change_list = admin_client.get("/admin/django_video_analytics/camera/")
    change_form = admin_client.get(f"/admin/django_video_analytics/camera/{camera.pk}/change/")
    for response in (change_list, change_form):
        assert response.status_code == 200
        html = response.content.decode()
        assert "s3cret" not in html
        assert "***:***@10.0.0.5:554" in html


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("camera_id", "front gate", "slug"),
        ("camera_id", "", "blank"),
        ("name", "", "blank"),
        ("stream_url", "ftp://host/video", "not allowed"),
        ("stream_url", "rtsp://", "no host"),
        ("stream_url", "rtsp://host:99999/x", "valid URL"),
        ("stream_url", "rtsp://[::1/x", "valid URL"),
        ("stream_url", "/var/videos/clip.mp4", "Local files"),
        ("stream_url", "0", "Local files"),
        ("stream_url", "file:///etc/passwd", "Local files"),
        ("confidence_threshold", 1.5, "less than or equal to 1"),
        ("confidence_threshold", -0.1, "greater than or equal to 0"),
        ("detection_classes", ["person", "unicorn"], "unicorn"),
        ("detection_classes", "person", "list"),
        ("roi_zones", [[[0, 0], [1, 1]]], "at least 3"),
        ("roi_zones", [[[0, 0], [1.2, 0], [1, 1]]], "less than or equal to 1"),
        ("roi_zones", [[[0, 0, 0], [1, 0], [1, 1]]], "no more than 2"),
        ("roi_zones", {"zone": 1}, "list"),
        ("motion_threshold", 101, "less than or equal to 100"),
        ("frame_skip", -1, "greater than or equal to 0"),
        ("max_fps", 0, "greater than or equal to 0.1"),
    ],
)
def test_validation_errors_name_the_field(operator, field, value, message):
    response = create(operator, **{field: value})
    assert response.status_code == 400
    errors = response.json()
    assert list(errors) == [field]
    assert message in str(errors[field])
    assert not Camera.objects.exists()


def test_camera_id_is_unique(operator, make_camera):
    make_camera("cam-1")
    response = create(operator)
    assert response.status_code == 400
    assert "already exists" in str(response.json()["camera_id"])


def test_local_sources_when_allowed(operator, settings):
    settings.VIDEO_ANALYTICS = {**settings.VIDEO_ANALYTICS, "ALLOW_LOCAL_SOURCES": True}
    assert create(operator, stream_url="/var/videos/clip.mp4").status_code == 201
    assert create(operator, camera_id="usb", stream_url="0").status_code == 201


def test_scheme_allowlist_and_class_names_are_settings(operator, settings):
    settings.VIDEO_ANALYTICS = {
        **settings.VIDEO_ANALYTICS,
        "STREAM_URL_SCHEMES": ["srt"],
        "DETECTION_CLASS_NAMES": ["unicorn"],
    }
    assert create(operator, stream_url="rtsp://host/x").status_code == 400
    response = create(operator, stream_url="srt://host:9000", detection_classes=["unicorn"])
    assert response.status_code == 201, response.json()


def test_start_and_stop_set_the_desired_state(operator, make_camera):
    make_camera("cam-1")
    response = operator.post(f"{BASE}cameras/cam-1/start/")
    assert response.status_code == 200
    assert response.json()["enabled"] is True
    assert Camera.objects.get().enabled is True
    assert operator.post(f"{BASE}cameras/cam-1/stop/").json()["enabled"] is False
    assert Camera.objects.get().enabled is False
    assert operator.post(f"{BASE}cameras/nope/start/").status_code == 404


def test_session_writes_need_csrf_and_token_writes_do_not(db):
    user = make_user("op", "add_camera", "view_camera")
    session = APIClient(enforce_csrf_checks=True)
    session.force_login(user)
    assert session.get(f"{BASE}cameras/").status_code == 200
    response = create(session)
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    token = APIClient(enforce_csrf_checks=True)
    token.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    assert create(token).status_code == 201


def only_public_cameras(request, queryset):
    """A CAMERA_QUERYSET_HOOK for the tests: staff see all, others only public cameras."""
    return queryset if request.user.is_staff else queryset.filter(location="public")


HOOK = {"CAMERA_QUERYSET_HOOK": f"{__name__}.only_public_cameras"}


def test_camera_queryset_hook_limits_cameras(operator, make_camera, settings):
    make_camera("open", location="public")
    make_camera("hidden", location="vault")
    with override_settings(VIDEO_ANALYTICS={**settings.VIDEO_ANALYTICS, **HOOK}):
        assert [c["camera_id"] for c in operator.get(f"{BASE}cameras/").json()] == ["open"]
        assert operator.get(f"{BASE}cameras/hidden/").status_code == 404
        assert operator.post(f"{BASE}cameras/hidden/start/").status_code == 404
        assert operator.delete(f"{BASE}cameras/hidden/").status_code == 404
    assert Camera.objects.get(camera_id="hidden").enabled is False
    assert len(operator.get(f"{BASE}cameras/").json()) == 2


def test_camera_list_query_count(reader, make_camera, django_assert_max_num_queries):
    for number in range(20):
        make_camera(f"cam-{number}")
    with django_assert_max_num_queries(3):  # + the user's and their groups' permissions
        assert len(reader.get(f"{BASE}cameras/").json()) == 20
