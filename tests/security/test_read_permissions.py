"""Reads need the model's view permission, as docs/api.md says (like the admin)."""

import pytest

from django_video_analytics.models import PlateAlert, WatchlistEntry

from ..api.factories import BASE, READ_PERMISSIONS, anpr, client_for, detection, make_user, motion

pytestmark = pytest.mark.django_db

READS = {
    "cameras/": "view_camera",
    "cameras/cam-1/": "view_camera",
    "cameras/cam-1/statistics/": "view_camera",
    "detections/": "view_detectionevent",
    "motion/": "view_motionevent",
    "anpr/": "view_anprevent",
    "statistics/": "view_eventstatistics",
    "widgets/live/?camera=cam-1": "view_camera",
    "watchlist/": "view_watchlistentry",
    "alerts/": "view_platealert",
}


@pytest.fixture
def rows(camera):
    detection(camera)
    motion(camera)
    event = anpr(camera)
    entry = WatchlistEntry.objects.create(plate="AB12CDE")
    PlateAlert.objects.create(
        entry=entry, event=event, camera=camera, license_plate="AB12CDE", distance=0
    )


@pytest.mark.parametrize("path,permission", sorted(READS.items()))
def test_reads_need_the_view_permission(rows, path, permission):
    everything_else = set(READ_PERMISSIONS) | {"view_watchlistentry", "view_platealert"}
    without = client_for(make_user("without", *(everything_else - {permission})))
    assert without.get(BASE + path).status_code == 403
    with_it = client_for(make_user("with", permission))
    assert with_it.get(BASE + path).status_code == 200


def test_event_rows_of_one_kind_do_not_open_another(rows):
    plates_only = client_for(make_user("plates", "view_anprevent"))
    assert plates_only.get(f"{BASE}anpr/").status_code == 200
    assert plates_only.get(f"{BASE}detections/").status_code == 403
    assert plates_only.get(f"{BASE}detections/1/").status_code == 403
