"""Rows and clients for the API tests."""

import itertools
from datetime import datetime, timedelta, timezone

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from django_video_analytics.models import ANPREvent, DetectionEvent, MotionEvent

BASE = "/api/v1/analytics/"
T0 = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
_sources = itertools.count()
# What a read-only API client needs: the view permission of every model it reads.
READ_PERMISSIONS = (
    "view_camera",
    "view_detectionevent",
    "view_motionevent",
    "view_anprevent",
    "view_eventstatistics",
)


def make_user(username, *codenames):
    user = get_user_model().objects.create_user(username, password="pw")
    if codenames:
        user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


def client_for(user):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def detection(camera, timestamp=T0, classes=("person",), **fields):
    return DetectionEvent.objects.create(
        camera=camera,
        timestamp=timestamp,
        source_id=f"test:{next(_sources)}",
        detections=[
            {
                "class_name": name,
                "confidence": 0.9,
                "bounding_box": {"x": 0.1, "y": 0.1, "width": 0.2, "height": 0.3},
            }
            for name in classes
        ],
        detection_count=len(classes),
        model_type="yolov8n",
        model_version="8.1.0",
        **fields,
    )


def motion(camera, timestamp=T0, **fields):
    return MotionEvent.objects.create(
        camera=camera,
        timestamp=timestamp,
        source_id=f"test:{next(_sources)}",
        motion_intensity=0.4,
        affected_area_percentage=12.5,
        **fields,
    )


def anpr(camera, plate="AB12CDE", timestamp=T0, **fields):
    return ANPREvent.objects.create(
        camera=camera,
        timestamp=timestamp,
        source_id=f"test:{next(_sources)}",
        license_plate=plate,
        confidence=0.93,
        region="GB",
        **fields,
    )


def minutes(n):
    return T0 + timedelta(minutes=n)
