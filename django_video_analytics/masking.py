"""Hide the credentials in URLs (user info and secret query values) wherever a URL is shown.

``mask_url()`` is the one masking function: the API, the admin, log lines, error messages
and templates all show URLs through it. ``keep_stored_credentials()`` is its inverse for a
form or API client that sends a masked URL back. Plain Python: the analysis wing uses it too.
"""

import re
from dataclasses import dataclass
from urllib.parse import unquote

MASK = "***"

# Query parameters whose values are credentials (compared in lower case, percent-decoded).
SECRET_QUERY_KEYS = frozenset(
    {
        "user",
        "username",
        "login",
        "password",
        "passwd",
        "pass",
        "pwd",
        "token",
        "auth",
        "key",
        "apikey",
        "sig",
        "signature",
        "secret",
        "credentials",
    }
)
# ... and any parameter whose name contains one of these (access_token, api_key, ...).
SECRET_QUERY_WORDS = ("password", "passwd", "token", "secret", "key")

SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*")
URL_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>]+")  # up to a space or quote


class CredentialsNotKept(ValueError):
    """A masked URL asks to keep credentials that belong to another server."""

    def __init__(self):
        super().__init__(
            "Masked credentials (***) can only be kept for the same scheme, host and port; "
            "send new credentials or none."
        )


@dataclass(frozen=True)
class URLParts:
    """A URL cut where credentials live; joining the parts gives the URL back unchanged."""

    scheme: str  # "rtsp://" (with the separator), or "" for a path
    userinfo: str | None  # "user:password" without the "@", None when absent
    host: str  # "host:port" as written, brackets of IPv6 literals included
    path: str  # the path up to the query
    query: str | None  # without the "?", None when absent
    fragment: str  # "#..." or ""

    def join(self):
        userinfo = "" if self.userinfo is None else f"{self.userinfo}@"
        query = "" if self.query is None else f"?{self.query}"
        return f"{self.scheme}{userinfo}{self.host}{self.path}{query}{self.fragment}"

    def server(self):
        """Scheme, host and port in lower case: whom the credentials were given to."""
        return self.scheme.lower(), self.host.lower()


def split_url(url):
    """Cut ``url`` into ``URLParts`` by hand: never raises, keeps every character.

    The authority runs to the first ``/``; its user info ends at the last ``@``, so a
    password holding ``@``, ``:``, ``?`` or ``#`` is still masked whole (a query holding
    ``@`` right after the host is over-masked, never leaked).
    """
    head, separator, rest = url.partition("://")
    if separator and SCHEME.fullmatch(head):
        scheme = head + separator
        slash = rest.find("/")
        authority, rest = (rest, "") if slash < 0 else (rest[:slash], rest[slash:])
        userinfo, at, host = authority.rpartition("@")
        if not at:
            userinfo = None
        cut = min((i for i in (host.find("?"), host.find("#")) if i >= 0), default=-1)
        if cut >= 0:  # no path: the query or fragment starts right after the host
            host, rest = host[:cut], host[cut:] + rest
    else:
        scheme, userinfo, host, rest = "", None, "", url
    rest, hash_sign, fragment = rest.partition("#")
    path, question, query = rest.partition("?")
    return URLParts(
        scheme=scheme,
        userinfo=userinfo,
        host=host,
        path=path,
        query=query if question else None,
        fragment=hash_sign + fragment,
    )


def is_secret_key(key):
    name = unquote(key).lower()
    return name in SECRET_QUERY_KEYS or any(word in name for word in SECRET_QUERY_WORDS)


def _query_items(query):
    """``(key, separator, value)`` of each ``&``-separated parameter, as written."""
    return [item.partition("=") for item in query.split("&")]


def mask_url(url):
    """``url`` with user name, password and secret query values replaced by ``***``.

    Everything else (host, IPv6 brackets, port, percent-encoding) stays as written, and no
    input, however malformed, raises: a bad row must still be displayable.
    """
    if not isinstance(url, str) or not url:
        return url
    parts = split_url(url)
    userinfo = parts.userinfo
    if userinfo is not None:
        userinfo = f"{MASK}:{MASK}" if ":" in userinfo else MASK
    query = parts.query
    if query is not None:
        query = "&".join(
            f"{key}={MASK}" if equals and is_secret_key(key) else f"{key}{equals}{value}"
            for key, equals, value in _query_items(query)
        )
    return URLParts(parts.scheme, userinfo, parts.host, parts.path, query, parts.fragment).join()


def mask_urls_in(text):
    """``text`` (an error message, a log line) with every URL in it masked by ``mask_url``."""
    return URL_IN_TEXT.sub(lambda match: mask_url(match.group()), str(text))


def keep_stored_credentials(new_url, stored_url):
    """``new_url`` with each ``***`` replaced by the stored credential it stands for.

    A client sends back the masked URL it was shown; the mask keeps the stored user name,
    password or secret query value, but only for the server they were given to: with
    another scheme, host or port it raises ``CredentialsNotKept``.
    """
    if not isinstance(new_url, str) or MASK not in new_url:
        return new_url
    new, stored = split_url(new_url), split_url(stored_url or "")
    userinfo = _kept_userinfo(new.userinfo, stored.userinfo)
    query = _kept_query(new.query, stored.query)
    if (userinfo, query) != (new.userinfo, new.query) and new.server() != stored.server():
        raise CredentialsNotKept()
    return URLParts(new.scheme, userinfo, new.host, new.path, query, new.fragment).join()


def _kept_userinfo(new, stored):
    if new is None or MASK not in new:
        return new
    new_user, new_colon, new_password = new.partition(":")
    stored_user, stored_colon, stored_password = (stored or "").partition(":")
    if stored is None or (new_password == MASK and not stored_colon):
        raise CredentialsNotKept()
    user = stored_user if new_user == MASK else new_user
    password = stored_password if new_password == MASK else new_password
    return f"{user}{new_colon}{password}"


def _kept_query(new, stored):
    if new is None or MASK not in new:
        return new
    stored_values = {key: value for key, equals, value in _query_items(stored or "") if equals}
    kept = []
    for key, equals, value in _query_items(new):
        if value == MASK:
            if key not in stored_values:
                raise CredentialsNotKept()
            value = stored_values[key]
        kept.append(f"{key}{equals}{value}")
    return "&".join(kept)
