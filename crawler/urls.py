"""One article, one identity: canonical forms of portal URLs."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# WebSphere Portal appends opaque navigational state ("/!ut/p/z1/04_Sj9.../dz/d5/L2dB.../")
# that changes with every click: it must never be part of an article's identity.
_WPS_STATE = re.compile(r"/!ut/p/.*$")
_SESSION_PATH = re.compile(r";jsessionid=[^/?#]*", re.IGNORECASE)
_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|zarsrc|_ga|ref|jsessionid|phpsessid|sid)$", re.I)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def canonicalize_url(url: str) -> str:
    """The canonical form of a URL: what two links to the same page have in common.

    Lower-cases scheme and host, drops default ports, fragments, session ids, tracking
    parameters and WebSphere state segments, and sorts the remaining query parameters.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if parts.port and parts.port != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{parts.port}"
    path = _SESSION_PATH.sub("", _WPS_STATE.sub("", parts.path)) or "/"
    if len(path) > 1:
        path = path.rstrip("/")
    query = sorted(
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)
    )
    return urlunsplit((scheme, host, path, urlencode(query), ""))
