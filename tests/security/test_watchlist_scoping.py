"""The watchlist honours CAMERA_QUERYSET_HOOK: lists, writes, alerts and matching."""

from datetime import datetime, timezone

import pytest

from django_video_analytics import webhook_outbox as outbox
from django_video_analytics.models import ANPREvent, Camera, WatchlistEntry
from django_video_analytics.watchlist.matching import raise_alerts

from ..api.factories import BASE, client_for, make_user
from .conftest import LOOPBACK

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc)
PERMISSIONS = (
    "view_watchlistentry",
    "add_watchlistentry",
    "change_watchlistentry",
    "delete_watchlistentry",
    "view_platealert",
    "change_platealert",
)

pytestmark = pytest.mark.django_db


def cameras_at_users_location(request, queryset):
    """The hook of these tests: a user sees the cameras whose location is their name."""
    return queryset.filter(location=request.user.username)


@pytest.fixture
def scoped(settings):
    settings.VIDEO_ANALYTICS = {
        **settings.VIDEO_ANALYTICS,
        **LOOPBACK,
        "WEBHOOK_DELIVERY": "consumer",
        "CAMERA_QUERYSET_HOOK": f"{__name__}.cameras_at_users_location",
    }


@pytest.fixture
def site():
    """Alice sees the gate, Bob the yard."""
    alice, bob = make_user("alice", *PERMISSIONS), make_user("bob", *PERMISSIONS)
    gate = Camera.objects.create(camera_id="gate", name="Gate", location="alice")
    yard = Camera.objects.create(camera_id="yard", name="Yard", location="bob")
    return alice, bob, gate, yard


def entry(plate, owner=None, cameras=(), **values):
    created = WatchlistEntry.objects.create(plate=plate, created_by=owner, **values)
    created.cameras.set(cameras)
    return created


def plates_listed(user):
    response = client_for(user).get(f"{BASE}watchlist/")
    assert response.status_code == 200
    return sorted(row["plate"] for row in response.json()["results"])


def sighting(camera, plate, source_id):
    event = ANPREvent.objects.create(
        camera=camera, timestamp=NOW, license_plate=plate, confidence=0.9, source_id=source_id
    )
    return raise_alerts([event])


def test_a_scoped_user_lists_only_entries_of_their_cameras(scoped, site):
    alice, bob, gate, yard = site
    entry("GATE111", cameras=[gate])
    entry("YARD222", cameras=[yard])
    entry("BOTH333", cameras=[gate, yard])
    entry("ALICE44", owner=alice)  # camera-less, Alice's own
    entry("BOBS555", owner=bob)  # camera-less, Bob's
    entry("NOBODY6")  # camera-less, no creator: for users who see every camera
    assert plates_listed(alice) == ["ALICE44", "GATE111"]
    assert plates_listed(bob) == ["BOBS555", "YARD222"]
    hidden = WatchlistEntry.objects.get(plate="YARD222")
    client = client_for(alice)
    assert client.get(f"{BASE}watchlist/{hidden.pk}/").status_code == 404
    assert client.delete(f"{BASE}watchlist/{hidden.pk}/").status_code == 404
    assert WatchlistEntry.objects.filter(pk=hidden.pk).exists()


def test_without_the_hook_everyone_sees_everything(site):
    alice, _bob, _gate, yard = site
    entry("YARD222", cameras=[yard])
    entry("NOBODY6")
    assert plates_listed(alice) == ["NOBODY6", "YARD222"]


def test_a_scoped_user_cannot_create_on_a_hidden_camera(scoped, site):
    alice, _bob, gate, _yard = site
    client = client_for(alice)
    refused = client.post(
        f"{BASE}watchlist/", {"plate": "AB12CDE", "cameras": ["yard"]}, format="json"
    )
    assert refused.status_code == 400 and "cameras" in refused.json()
    mine = client.post(
        f"{BASE}watchlist/", {"plate": "AB12CDE", "cameras": ["gate"]}, format="json"
    )
    assert mine.status_code == 201
    created = WatchlistEntry.objects.get()
    assert created.created_by == alice
    moved = client.patch(
        f"{BASE}watchlist/{created.pk}/", {"cameras": ["gate", "yard"]}, format="json"
    )
    assert moved.status_code == 400


def test_alerts_of_hidden_cameras_are_invisible(scoped, site):
    alice, _bob, gate, yard = site
    entry("AB12CDE")
    [on_gate] = sighting(gate, "AB12CDE", "t:1")
    [on_yard] = sighting(yard, "AB12CDE", "t:2")
    client = client_for(alice)
    listed = [row["id"] for row in client.get(f"{BASE}alerts/").json()["results"]]
    assert listed == [on_gate.pk]
    assert client.get(f"{BASE}alerts/{on_yard.pk}/").status_code == 404
    patch = client.patch(f"{BASE}alerts/{on_yard.pk}/", {"acknowledged": True}, format="json")
    assert patch.status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_camera_less_entry_fires_only_where_its_owner_sees(scoped, site, receiver):
    alice, _bob, gate, yard = site
    entry("AB12CDE", owner=alice, webhook_url=receiver.url)
    assert sighting(yard, "AB12CDE", "t:1") == []  # Bob's camera: no alert, no webhook
    assert len(sighting(gate, "AB12CDE", "t:2")) == 1
    outbox.run_due()
    assert [body["camera_id"] for body in map(receiver.json, range(len(receiver.requests)))] == [
        "gate"
    ]


def test_an_entry_naming_a_camera_its_owner_lost_stops_firing_there(scoped, site):
    alice, _bob, gate, yard = site
    entry("AB12CDE", owner=alice, cameras=[gate, yard])  # e.g. yard moved to Bob later
    assert sighting(yard, "AB12CDE", "t:1") == []
    assert len(sighting(gate, "AB12CDE", "t:2")) == 1


def test_an_entry_without_creator_fires_everywhere(scoped, site):
    _alice, _bob, gate, yard = site
    entry("AB12CDE")
    assert len(sighting(yard, "AB12CDE", "t:1")) == 1
    assert len(sighting(gate, "AB12CDE", "t:2")) == 1


def test_reads_need_the_view_permission(site):
    client = client_for(make_user("nobody"))
    assert client.get(f"{BASE}watchlist/").status_code == 403
    assert client.get(f"{BASE}alerts/").status_code == 403
    alice = site[0]
    assert client_for(alice).get(f"{BASE}alerts/").status_code == 200


def test_the_admin_records_the_creator(site, client):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("root", "r@x.example", "pw")
    client.force_login(admin)
    response = client.post(
        "/admin/django_video_analytics/watchlistentry/add/",
        {"plate": "AB12CDE", "max_distance": 0, "is_active": "on"},
    )
    assert response.status_code == 302
    assert WatchlistEntry.objects.get().created_by == admin
