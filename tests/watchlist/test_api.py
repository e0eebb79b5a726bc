from datetime import datetime, timezone

import pytest

from django_video_analytics.models import ANPREvent, PlateAlert, WatchlistEntry, WebhookDelivery

from ..api.factories import BASE, client_for, make_user

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def manager(db):
    return client_for(
        make_user(
            "manager",
            "view_watchlistentry",
            "add_watchlistentry",
            "change_watchlistentry",
            "delete_watchlistentry",
            "view_platealert",
            "change_platealert",
        )
    )


@pytest.fixture
def alert(camera):
    entry = WatchlistEntry.objects.create(plate="AB12CDE", max_distance=1, label="Stolen")
    event = ANPREvent.objects.create(
        camera=camera, timestamp=NOW, license_plate="AB12CDF", confidence=0.8, source_id="t:1"
    )
    alert = PlateAlert.objects.create(
        entry=entry, event=event, camera=camera, license_plate="AB12CDF", distance=1
    )
    WebhookDelivery.objects.create(
        alert=alert, url="https://hooks.example/x", attempt=1, status_code=500, error="HTTP 500"
    )
    return alert


@pytest.mark.django_db
def test_anonymous_and_permissionless_users_are_refused():
    assert client_for(None).get(f"{BASE}watchlist/").status_code in (401, 403)
    reader = client_for(make_user("reader"))
    assert reader.post(f"{BASE}watchlist/", {"plate": "AB12CDE"}).status_code == 403


@pytest.mark.django_db
def test_create_entry_canonicalises_the_plate_and_hides_the_secret(manager, camera):
    response = manager.post(
        f"{BASE}watchlist/",
        {
            "plate": "ab-12 cde",
            "max_distance": 1,
            "cameras": ["cam-1"],
            "webhook_url": "https://hooks.example/plates",
            "webhook_secret": "s3cret",
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    assert response.data["plate"] == "AB12CDE"
    assert response.data["cameras"] == ["cam-1"]
    assert "webhook_secret" not in response.data
    entry = WatchlistEntry.objects.get()
    assert entry.webhook_secret == "s3cret"
    assert list(entry.cameras.values_list("camera_id", flat=True)) == ["cam-1"]


@pytest.mark.django_db
def test_invalid_pattern_and_reversed_span_are_rejected(manager):
    response = manager.post(
        f"{BASE}watchlist/", {"plate": "AB[12", "is_pattern": True}, format="json"
    )
    assert response.status_code == 400
    assert "regular expression" in str(response.data["plate"])
    response = manager.post(
        f"{BASE}watchlist/",
        {
            "plate": "AB12CDE",
            "active_from": "2026-12-01T00:00:00Z",
            "active_until": "2026-11-01T00:00:00Z",
        },
        format="json",
    )
    assert response.status_code == 400 and "active_until" in response.data


@pytest.mark.django_db
def test_alerts_list_with_their_deliveries_and_filters(manager, alert):
    response = manager.get(f"{BASE}alerts/", {"camera__camera_id": "cam-1"})
    assert response.status_code == 200
    [row] = response.data["results"]
    assert (row["license_plate"], row["distance"], row["camera_id"]) == ("AB12CDF", 1, "cam-1")
    assert row["entry_label"] == "Stolen"
    assert [d["status_code"] for d in row["deliveries"]] == [500]
    other = manager.get(f"{BASE}alerts/", {"camera__camera_id": "nope"})
    assert other.data["results"] == []


@pytest.mark.django_db
def test_acknowledge_with_patch_needs_the_change_permission(manager, alert):
    viewer = client_for(make_user("viewer", "view_platealert"))
    url = f"{BASE}alerts/{alert.pk}/"
    assert viewer.patch(url, {"acknowledged": True}, format="json").status_code == 403
    response = manager.patch(url, {"acknowledged": True, "license_plate": "X"}, format="json")
    assert response.status_code == 200
    alert.refresh_from_db()
    assert alert.acknowledged and alert.license_plate == "AB12CDF"  # only the flag changes
    assert manager.delete(url).status_code in (403, 405)  # alerts are never deleted by API
    assert PlateAlert.objects.filter(pk=alert.pk).exists()


@pytest.mark.django_db
def test_alerts_are_cursor_paginated_newest_first(manager, alert, camera):
    entry = alert.entry
    for index in range(2, 5):
        event = ANPREvent.objects.create(
            camera=camera, timestamp=NOW, license_plate="AB12CDE", confidence=0.8,
            source_id=f"t:{index}",
        )  # fmt: skip
        PlateAlert.objects.create(entry=entry, event=event, camera=camera, license_plate="AB12CDE")
    seen = []
    page = manager.get(f"{BASE}alerts/", {"page_size": 3}).json()
    assert "count" not in page and page["previous"] is None
    seen += [row["id"] for row in page["results"]]
    page = manager.get(page["next"]).json()
    seen += [row["id"] for row in page["results"]]
    assert page["next"] is None
    newest_first = PlateAlert.objects.order_by("-created_at", "-id")
    assert seen == list(newest_first.values_list("pk", flat=True))


@pytest.mark.django_db
def test_plate_filters_ignore_case_and_separators(manager, alert):
    found = manager.get(f"{BASE}alerts/", {"license_plate": "ab12 cdf"}).json()["results"]
    assert [row["id"] for row in found] == [alert.pk]
    pattern = WatchlistEntry.objects.create(plate=r"KA01[A-Z]{2}\d{4}", is_pattern=True)
    by_plate = manager.get(f"{BASE}watchlist/", {"plate": "ab-12 cde"}).json()["results"]
    assert [row["id"] for row in by_plate] == [alert.entry.pk]
    by_pattern = manager.get(f"{BASE}watchlist/", {"plate": pattern.plate}).json()["results"]
    assert [row["id"] for row in by_pattern] == [pattern.pk]


def test_the_plate_normaliser_imports_without_django():
    import subprocess
    import sys

    code = (
        "import sys; from django_video_analytics.watchlist.plates import canonical_plate; "
        "assert canonical_plate(' ab-12 cde ') == 'AB12CDE'; "
        "assert not [m for m in sys.modules if m.split('.')[0] in ('django', 'cv2')]"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
