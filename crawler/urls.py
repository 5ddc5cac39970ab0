"""One article, one identity: canonical forms of portal URLs."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

# WebSphere Portal appends opaque navigational state ("/!ut/p/z1/04_Sj9.../dz/d5/L2dB.../")
# that changes with every click: it must never be part of an article's identity.
_WPS_STATE = re.compile(r"/!ut/p/.*$")
_SESSION_PATH = re.compile(r";(?:jsessionid|sessionid|phpsessid)=[^/?#]*", re.IGNORECASE)
# Parameters that say where a visitor came from or hold a session, never which page it is.
# Liferay adds "redirect" (the page the link was on) to asset-publisher links.
_TRACKING = re.compile(
    r"^(utm_\w+|fbclid|gclid|zarsrc|_ga|ref|jsessionid|phpsessid|aspsessionid\w*|sid"
    r"|redirect|inheritRedirect|_\w+_redirect|p_p_auth)$",
    re.I,
)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _clean(url: str, *, keep_state: bool) -> tuple[str, str, str, list[tuple[str, str]]]:
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if parts.port and parts.port != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{parts.port}"
    path = parts.path if keep_state else _WPS_STATE.sub("", parts.path)
    path = _SESSION_PATH.sub("", path) or "/"
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)
    ]
    return scheme, host, path, query


def canonicalize_url(url: str) -> str:
    """The canonical form of a URL: what two links to the same page have in common.

    Lower-cases scheme and host, drops default ports, fragments, session ids, tracking
    parameters and WebSphere state segments, and sorts the remaining query parameters.
    """
    scheme, host, path, query = _clean(url, keep_state=False)
    if len(path) > 1:
        path = path.rstrip("/")
    return urlunsplit((scheme, host, path, urlencode(sorted(query)), ""))


def request_url(url: str, *, keep_state: bool = False) -> str:
    """A URL fit to request: session ids, tracking parameters and fragments dropped.

    Unlike :func:`canonicalize_url` it keeps the trailing slash and the parameter order (a
    WordPress post answers ``/slug`` with a redirect to ``/slug/``), and with ``keep_state``
    WebSphere's state segment, which is where a portlet's pagination links carry the page.
    """
    scheme, host, path, query = _clean(url, keep_state=keep_state)
    return urlunsplit((scheme, host, path, urlencode(query), ""))


def join_url(base: str | None, href: str) -> str | None:
    """``href`` made absolute against ``base``, or None when it is not a URL at all
    (``http://[::1``: one malformed link must not cost the page it is on)."""
    try:
        joined = urljoin(base or "", href)
        urlsplit(joined).port  # noqa: B018 - raises ValueError on a malformed host or port
    except ValueError:
        return None
    return joined
