"""Outbound HTTP: the one way the package calls other servers (webhooks, the remote service).

Only ``http`` and ``https``. The host is resolved once, every address it resolves to is
checked against the policy, and the connection goes to the checked address, so a second DNS
answer (DNS rebinding) cannot move the request elsewhere. Loopback, link-local, private,
shared, unspecified, multicast and reserved addresses are refused unless
``OUTBOUND_ALLOWED_NETWORKS`` lists them. Redirects are never followed: a 3xx is an answer.
"""

import http.client
import ipaddress
import socket
import ssl
from typing import NamedTuple
from urllib.parse import urlsplit

from .conf import analytics_settings

SCHEMES = {"http": 80, "https": 443}
MAX_RESPONSE_BYTES = 1024 * 1024


class OutboundError(Exception):
    """A request that got no HTTP answer; ``str()`` is generic, ``detail`` says what happened.

    The message is what API users may see (no port-scan oracle); ``detail`` is for logs and
    for trusted callers such as the remote control backend.
    """

    def __init__(self, message, detail=""):
        super().__init__(message)
        self.detail = detail or message


class OutboundTimeout(OutboundError):
    """No answer within the timeout."""


class OutboundBlocked(OutboundError):
    """The policy refuses the URL (scheme or address); the message says why."""


class Response(NamedTuple):
    status: int
    reason: str
    body: bytes


class Target(NamedTuple):
    """A checked URL: where to connect, and what to ask for there."""

    scheme: str
    host: str
    port: int
    address: str
    path: str


def parse_url(url):
    """``(scheme, host, port, path)`` of an http(s) URL; OutboundBlocked otherwise."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise OutboundBlocked("The URL is not valid.") from exc
    if parts.scheme not in SCHEMES:
        raise OutboundBlocked("Only http and https URLs are allowed.")
    if not parts.hostname:
        raise OutboundBlocked("The URL has no host.")
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return parts.scheme, parts.hostname, port or SCHEMES[parts.scheme], path


def allowed_networks():
    """``(networks, host names)`` of ``OUTBOUND_ALLOWED_NETWORKS``."""
    networks, names = [], set()
    for item in analytics_settings.OUTBOUND_ALLOWED_NETWORKS or ():
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            names.add(item.lower().rstrip("."))
    return networks, names


def is_public(address):
    """True for an address on the public internet (not private, loopback, multicast ...)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    mapped = getattr(ip, "ipv4_mapped", None) or getattr(ip, "sixtofour", None)
    if mapped is not None:
        ip = mapped
    return ip.is_global and not (
        ip.is_multicast or ip.is_reserved or ip.is_link_local or ip.is_unspecified
    )


def address_allowed(address, networks):
    if is_public(address):
        return True
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    return any(ip.version == network.version and ip in network for network in networks)


def resolve(host, port):
    """The addresses ``host`` resolves to (a literal address resolves to itself)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise OutboundError("The host name does not resolve.", detail=str(exc)) from exc
    return list(dict.fromkeys(info[4][0] for info in infos))


def check_addresses(host, addresses):
    """OutboundBlocked unless every address of ``host`` is public or allowed."""
    networks, names = allowed_networks()
    if host.lower().rstrip(".") in names:
        return
    # Every address must pass: a mixed answer is how rebinding is set up.
    if not all(address_allowed(address, networks) for address in addresses):
        raise OutboundBlocked(
            "The host resolves to a private, loopback, link-local or otherwise non-public "
            "address; OUTBOUND_ALLOWED_NETWORKS can allow it."
        )


def check_url(url, *, enforce=True):
    """The ``Target`` to connect to for ``url``; OutboundBlocked if the policy refuses it."""
    scheme, host, port, path = parse_url(url)
    addresses = resolve(host, port)
    if enforce:
        check_addresses(host, addresses)
    return Target(scheme, host, port, addresses[0], path)


def validate_url(url: str) -> None:
    """Save-time check of a receiver URL: scheme, and its addresses if the host resolves."""
    _scheme, host, port, _path = parse_url(url)
    try:
        addresses = resolve(host, port)
    except OutboundError:
        # A name that does not resolve here may resolve where deliveries run; the
        # delivery-time check decides then.
        return
    check_addresses(host, addresses)


class PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the checked address, whatever the host name resolves to now."""

    def __init__(self, target, timeout):
        super().__init__(target.host, target.port, timeout=timeout)
        self.pinned_address = target.address

    def connect(self):
        self.sock = socket.create_connection((self.pinned_address, self.port), self.timeout)


class PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to the checked address; the certificate is verified for the host name."""

    def __init__(self, target, timeout):
        super().__init__(
            target.host, target.port, timeout=timeout, context=ssl.create_default_context()
        )
        self.pinned_address = target.address

    def connect(self):
        sock = socket.create_connection((self.pinned_address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def request(
    method: str,
    url: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 10.0,
    enforce_policy: bool = True,
) -> Response:
    """Send one request and return its ``Response`` (any status; redirects not followed).

    Raises ``OutboundBlocked`` when the policy refuses the URL and ``OutboundError`` when no
    answer came (DNS, connection, TLS, timeout).
    """
    target = check_url(url, enforce=enforce_policy)
    connection_class = PinnedHTTPSConnection if target.scheme == "https" else PinnedHTTPConnection
    connection = connection_class(target, timeout)
    try:
        connection.request(method, target.path, body=body, headers=headers or {})
        reply = connection.getresponse()
        content = reply.read(MAX_RESPONSE_BYTES)
        return Response(reply.status, reply.reason, content)
    except TimeoutError as exc:
        raise OutboundTimeout(
            f"No answer within {timeout} s.", detail=f"timed out after {timeout} s"
        ) from exc
    except (OSError, http.client.HTTPException) as exc:
        raise OutboundError("The connection failed.", detail=str(exc) or repr(exc)) from exc
    finally:
        connection.close()
