"""Hide credentials embedded in stream URLs (``rtsp://user:pass@host``)."""

from urllib.parse import urlsplit, urlunsplit

MASK = "***"


def mask_stream_url(url):
    """Return ``url`` with user name and password replaced by ``***``."""
    if not url or "@" not in url:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return MASK
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit(parts._replace(netloc=f"{MASK}:{MASK}@{host}"))


def url_credentials(url):
    """The ``(username, password)`` embedded in ``url``, or ``(None, None)``."""
    try:
        parts = urlsplit(url or "")
    except ValueError:
        return None, None
    return parts.username, parts.password


def keep_stored_credentials(new_url, stored_url):
    """Put the stored credentials back into ``new_url`` where it carries the mask.

    Forms and API clients show the masked URL; sending it back unchanged (or with only the
    host changed) must not overwrite the real user name and password with ``***``.
    """
    if not new_url or MASK not in new_url:
        return new_url
    user, password = url_credentials(stored_url)
    parts = urlsplit(new_url)
    new_user = user if parts.username == MASK else parts.username
    new_password = password if parts.password == MASK else parts.password
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    credentials = new_user or ""
    if new_password is not None:
        credentials = f"{credentials}:{new_password}"
    netloc = f"{credentials}@{host}" if credentials else host
    return urlunsplit(parts._replace(netloc=netloc))
