"""The outbound request policy: which URLs webhooks may reach, checked on save and on send."""

import socket

import pytest

from django_video_analytics import outbound

from ..api.factories import BASE, client_for, make_user

REFUSED = [
    "http://169.254.169.254/latest/meta-data/",
    "http://127.0.0.1:6379/",
    "http://localhost:8000/admin/",
    "http://[::1]/",
    "http://[fe80::1]/",
    "http://10.0.0.5/hook",
    "http://192.168.1.20/hook",
    "http://172.16.0.1/",
    "http://100.64.0.1/",  # carrier-grade NAT
    "http://0.0.0.0:8000/",
    "http://224.0.0.1/",
    "http://240.0.0.1/",  # reserved
    "http://[::ffff:127.0.0.1]/",  # IPv4-mapped loopback
    "http://[fd00::5]:8080/",
    "http://2130706433/",  # 127.0.0.1 as one integer
]


@pytest.mark.parametrize("url", REFUSED)
def test_non_public_addresses_are_refused(url):
    with pytest.raises(outbound.OutboundBlocked):
        outbound.validate_url(url)


@pytest.mark.parametrize("url", ["ftp://example.com/x", "file:///etc/passwd", "gopher://x/", "//x"])
def test_only_http_and_https(url):
    with pytest.raises(outbound.OutboundBlocked, match="http"):
        outbound.validate_url(url)


def test_public_addresses_pass():
    outbound.validate_url("https://93.184.216.34/hooks")
    outbound.validate_url("http://[2606:4700:4700::1111]:8443/x")


def test_a_name_that_does_not_resolve_yet_is_left_to_delivery_time():
    outbound.validate_url("https://hooks.invalid/plates")
    with pytest.raises(outbound.OutboundError, match="does not resolve"):
        outbound.check_url("https://hooks.invalid/plates")


def test_allowed_networks_and_hosts_open_the_lan(settings):
    with pytest.raises(outbound.OutboundBlocked):
        outbound.validate_url("http://10.1.2.3/hook")
    settings.VIDEO_ANALYTICS = {
        **settings.VIDEO_ANALYTICS,
        "OUTBOUND_ALLOWED_NETWORKS": ["10.0.0.0/8", "localhost"],
    }
    outbound.validate_url("http://10.1.2.3/hook")
    outbound.validate_url("http://localhost:8000/hook")
    with pytest.raises(outbound.OutboundBlocked):
        outbound.validate_url("http://192.168.1.20/hook")


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["http://169.254.169.254/", "http://[::1]/", "ftp://x.example/"])
def test_the_api_refuses_such_webhook_urls_with_a_400(url):
    client = client_for(make_user("m", "add_watchlistentry", "view_watchlistentry"))
    response = client.post(
        f"{BASE}watchlist/", {"plate": "AB12CDE", "webhook_url": url}, format="json"
    )
    assert response.status_code == 400
    assert "webhook_url" in response.json()


@pytest.mark.django_db
def test_the_admin_refuses_them_too(client):
    from django.contrib.auth import get_user_model

    from django_video_analytics.models import WatchlistEntry

    client.force_login(get_user_model().objects.create_superuser("a", "a@x.example", "pw"))
    response = client.post(
        "/admin/django_video_analytics/watchlistentry/add/",
        {
            "plate": "AB12CDE",
            "max_distance": 0,
            "is_active": "on",
            "webhook_url": "http://127.0.0.1:6379/",
            "webhook_secret": "",
        },
    )
    assert response.status_code == 200  # the form again, with the error
    assert "OUTBOUND_ALLOWED_NETWORKS" in response.content.decode()
    assert not WatchlistEntry.objects.exists()


def test_the_request_goes_to_the_checked_address(receiver, loopback_allowed, monkeypatch):
    """DNS rebinding: a second lookup answering a forbidden address is never made."""
    answers = iter(["127.0.0.1", "10.9.9.9", "10.9.9.9"])
    real = socket.getaddrinfo

    def rebinding_dns(host, port, *args, **kwargs):
        if host != "rebind.test":
            return real(host, port, *args, **kwargs)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding_dns)
    url = receiver.url.replace("127.0.0.1", "rebind.test")
    response = outbound.request("POST", url, body=b"{}", timeout=2)
    assert response.status == 200
    assert receiver.requests[0][0]["Host"].startswith("rebind.test")
    # The next lookup answers a private address: refused before connecting.
    with pytest.raises(outbound.OutboundBlocked):
        outbound.request("POST", url, body=b"{}", timeout=2)
    assert len(receiver.requests) == 1


def test_a_mixed_answer_is_refused(receiver, loopback_allowed, monkeypatch):
    def mixed_dns(host, port, *args, **kwargs):
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("169.254.169.254", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", mixed_dns)
    with pytest.raises(outbound.OutboundBlocked):
        outbound.request("POST", receiver.url, body=b"{}", timeout=2)
    assert receiver.requests == []


def test_without_the_allow_list_the_local_receiver_is_not_reached(receiver):
    with pytest.raises(outbound.OutboundBlocked):
        outbound.request("POST", receiver.url, body=b"{}", timeout=2)
    assert receiver.requests == []


def test_redirects_are_answers_not_followed(receiver, loopback_allowed):
    from ..watchlist.conftest import WebhookReceiver

    redirector = WebhookReceiver()

    def redirect(handler):
        handler.send_response(307)
        handler.send_header("Location", receiver.url)
        handler.end_headers()

    redirector.server.RequestHandlerClass.do_POST = redirect
    redirector.thread.start()
    try:
        response = outbound.request("POST", redirector.url, body=b"{}", timeout=2)
    finally:
        redirector.server.shutdown()
        redirector.server.server_close()
    assert response.status == 307
    assert receiver.requests == []


@pytest.mark.django_db
def test_the_operators_remote_service_is_reached_without_the_allow_list(receiver, camera):
    """ANALYTICS_SERVICE_URL is trusted configuration: the address policy is off for it."""
    from django_video_analytics.control.remote import RemoteControlBackend

    base_url = receiver.url.rsplit("/hooks/", 1)[0]
    with pytest.raises(outbound.OutboundBlocked):
        outbound.validate_url(base_url)  # a webhook could not go there
    RemoteControlBackend(base_url=base_url, retries=0).start(camera)
    [(_headers, body)] = receiver.requests
    assert b'"camera_id": "cam-1"' in body
    camera.refresh_from_db()
    assert camera.enabled
