import pytest
from django.test import override_settings

from django_video_analytics.checks import (
    check_import_strings,
    check_inference_settings,
    check_outbound_allowed_networks,
    check_redis_reachable,
    check_settings_shape,
    check_webhook_delivery,
)


def ids(messages):
    return [message.id for message in messages]


def test_valid_settings_pass():
    assert check_settings_shape() == []
    assert check_import_strings() == []


def test_e001_settings_not_a_dict():
    with override_settings(VIDEO_ANALYTICS="redis://x"):
        assert ids(check_settings_shape()) == ["django_video_analytics.E001"]


def test_e002_unknown_key():
    with override_settings(VIDEO_ANALYTICS={"STREAM_NAM": "typo"}):
        messages = check_settings_shape()
    assert ids(messages) == ["django_video_analytics.E002"]
    assert "STREAM_NAM" in messages[0].msg


@pytest.mark.parametrize(
    "name, value",
    [("CONSUMER_BATCH_SIZE", "500"), ("CONSUMER_BATCH_SIZE", True), ("STREAM_URL_SCHEMES", "rtsp")],
)
def test_e003_wrong_type(name, value):
    with override_settings(VIDEO_ANALYTICS={name: value}):
        messages = check_settings_shape()
    assert ids(messages) == ["django_video_analytics.E003"]
    assert name in messages[0].msg


def test_e004_value_not_a_choice():
    with override_settings(VIDEO_ANALYTICS={"UNKNOWN_CAMERA_POLICY": "ignore"}):
        assert ids(check_settings_shape()) == ["django_video_analytics.E004"]


def test_e005_unimportable_dotted_path():
    with override_settings(VIDEO_ANALYTICS={"CAMERA_CONTROL_BACKEND": "no.such.Backend"}):
        messages = check_import_strings()
    assert ids(messages) == ["django_video_analytics.E005"]
    assert "CAMERA_CONTROL_BACKEND" in messages[0].msg


def test_w001_redis_unreachable_is_a_warning_with_masked_url():
    url = "redis://admin:s3cret@127.0.0.1:1/0"
    with override_settings(VIDEO_ANALYTICS={"REDIS_URL": url}):
        messages = check_redis_reachable(databases=["default"])
    assert ids(messages) == ["django_video_analytics.W001"]
    assert "s3cret" not in messages[0].msg


def test_w001_silent_when_redis_answers():
    assert check_redis_reachable(databases=["default"]) == []


@pytest.mark.inference
def test_w002_missing_detector_weights_on_an_analysis_machine():
    from django_video_analytics.checks import check_detector_weights

    assert check_detector_weights() == []  # the shipped weights are installed here
    with override_settings(VIDEO_ANALYTICS={"DETECTOR_MODEL": "/no/such/yolo.onnx"}):
        messages = check_detector_weights()
    assert ids(messages) == ["django_video_analytics.W002"]
    assert "/no/such/yolo.onnx" in messages[0].msg


def test_w002_silent_on_a_web_server_without_the_inference_stack(monkeypatch):
    import sys

    from django_video_analytics.checks import check_detector_weights

    for name in ("cv2", "ultralytics", "onnxruntime"):
        monkeypatch.setitem(sys.modules, name, None)  # as if not installed
    with override_settings(VIDEO_ANALYTICS={"DETECTOR_MODEL": "/no/such/yolo.onnx"}):
        assert check_detector_weights() == []


@pytest.mark.parametrize(
    "name, value",
    [("RETENTION_DETECTION_DAYS", 0), ("RETENTION_BATCH_SIZE", -5), ("HEALTH_MAX_LAG_SECONDS", 0)],
)
def test_e070_operations_setting_not_positive(name, value):
    from django_video_analytics.checks import check_operations_settings

    assert check_operations_settings() == []
    with override_settings(VIDEO_ANALYTICS={name: value}):
        messages = check_operations_settings()
    assert ids(messages) == ["django_video_analytics.E070"]
    assert name in messages[0].msg


def test_e071_metrics_directory_missing(monkeypatch, tmp_path):
    from django_video_analytics.checks import check_operations_settings

    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    assert check_operations_settings() == []
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "missing"))
    assert ids(check_operations_settings()) == ["django_video_analytics.E071"]


SNAPSHOTS_ON = {"SNAPSHOTS": True}


def test_snapshot_storage_checks_pass_when_media_is_configured():
    from django_video_analytics.checks import check_snapshot_storage

    with override_settings(VIDEO_ANALYTICS=SNAPSHOTS_ON):
        assert check_snapshot_storage() == []


def test_snapshot_storage_checks_are_silent_with_snapshots_off():
    from django_video_analytics.checks import check_snapshot_storage

    with override_settings(MEDIA_URL="", MEDIA_ROOT=""):
        assert check_snapshot_storage() == []


def test_w050_snapshot_storage_gives_no_url():
    from django_video_analytics.checks import check_snapshot_storage

    with override_settings(VIDEO_ANALYTICS=SNAPSHOTS_ON, MEDIA_URL=""):
        messages = check_snapshot_storage()
    assert ids(messages) == ["django_video_analytics.W050"]
    assert "MEDIA_URL" in messages[0].hint


def test_w051_snapshot_files_relative_to_the_working_directory():
    from django_video_analytics.checks import check_snapshot_storage

    with override_settings(VIDEO_ANALYTICS=SNAPSHOTS_ON, MEDIA_ROOT=""):
        messages = check_snapshot_storage()
    assert ids(messages) == ["django_video_analytics.W051"]
    assert "MEDIA_ROOT" in messages[0].hint


def test_w052_snapshot_storage_alias_unknown():
    from django_video_analytics.checks import check_snapshot_storage

    with override_settings(VIDEO_ANALYTICS={**SNAPSHOTS_ON, "SNAPSHOT_STORAGE": "nowhere"}):
        messages = check_snapshot_storage()
    assert ids(messages) == ["django_video_analytics.W052"]
    assert "'nowhere'" in messages[0].msg


def test_w020_celery_delivery_without_a_broker(settings):
    from celery import current_app

    assert current_app.conf.broker_url is None  # the tests configure no Celery app
    settings.VIDEO_ANALYTICS = {**settings.VIDEO_ANALYTICS, "WEBHOOK_DELIVERY": "celery"}
    assert "django_video_analytics.W020" in ids(check_webhook_delivery())
    current_app.conf.broker_url = "redis://127.0.0.1:6379/1"
    try:
        assert check_webhook_delivery() == []
    finally:
        current_app.conf.broker_url = None


def test_w020_silent_for_the_default_delivery(settings):
    assert check_webhook_delivery() == []


def test_w021_allowed_network_that_is_neither_network_nor_host(settings):
    settings.VIDEO_ANALYTICS = {
        **settings.VIDEO_ANALYTICS,
        "OUTBOUND_ALLOWED_NETWORKS": ["10.0.0.0/8", "hooks.lan", "10.0.0.0/33", "a b"],
    }
    messages = [w.msg for w in check_outbound_allowed_networks()]
    assert len(messages) == 2
    assert "'10.0.0.0/33'" in messages[0] and "'a b'" in messages[1]


@pytest.mark.parametrize("device", ["gpu", "cuda:x", "CUDA", 0])
def test_e100_device_not_a_device(device):
    with override_settings(VIDEO_ANALYTICS={"DEVICE": device}):
        assert ids(check_inference_settings()) == ["django_video_analytics.E100"]


@pytest.mark.parametrize("device", ["auto", "cpu", "cuda", "cuda:1"])
def test_e100_silent_for_valid_devices(device):
    with override_settings(VIDEO_ANALYTICS={"DEVICE": device}):
        assert check_inference_settings() == []


def test_e101_remote_backend_without_a_server():
    backend = "django_video_analytics.pipeline.remote_inference.RemoteDetector"
    with override_settings(VIDEO_ANALYTICS={"DETECTOR_BACKEND": backend}):
        assert ids(check_inference_settings()) == ["django_video_analytics.E101"]
    configured = {"DETECTOR_BACKEND": backend, "INFERENCE_URL": "grpc://127.0.0.1:8001"}
    with override_settings(VIDEO_ANALYTICS=configured):
        assert check_inference_settings() == []


def test_e004_inference_protocol_not_a_choice():
    with override_settings(VIDEO_ANALYTICS={"INFERENCE_PROTOCOL": "rest"}):
        assert ids(check_settings_shape()) == ["django_video_analytics.E004"]
