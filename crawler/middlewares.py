"""Downloader middlewares for fragile servers: back-off, error pages, redirect loops.

- :class:`BackoffMiddleware` honours ``Retry-After`` and backs off exponentially on 429 and
  503 by holding the host's download slot, so no request reaches that host meanwhile.
- :class:`ErrorPageMiddleware` turns 200 responses that are really error or CAPTCHA pages
  into failures, so they never reach the archive as articles.
- :class:`RedirectLoopMiddleware` stops a redirect that comes back to a URL of its own chain.

:func:`describe_failure` names a failed request's cause in one word and one line, for the
``vngov/errors/<kind>`` stats and the log, which must never hold a traceback.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.asyncio import call_later
from twisted.python.failure import Failure

from crawler.detect import detect_error_page
from crawler.urls import canonicalize_url

logger = logging.getLogger(__name__)

BACKOFF_STATUSES = (429, 503)
KIND_META = "vngov_kind"  # what the spider asked for: page, listing, article, feed, ...
NOT_PAGES = ("attachment", "feed", "sitemap", "robots")
# Article and listing pages are checked by the spider, in the same parse as their content
# (crawler.article_pages, crawler.listing_pages).
CHECKED_BY_SPIDER = ("article", "listing")


class ErrorPageDetected(IgnoreRequest):
    """The server answered with a page that is an error or a CAPTCHA, not the content."""

    def __init__(self, kind: str, reason: str):
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


class RedirectLoop(IgnoreRequest):
    """A redirect leads back to a URL already in its own redirect chain."""


def parse_retry_after(value: bytes | str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class BackoffMiddleware:
    """Hold a host's download slot after 429 or 503: for Retry-After seconds when the server
    says so, else for an exponential back-off (``VNGOV_BACKOFF_BASE`` × 2ⁿ⁻¹ after the n-th
    consecutive refusal), capped at ``VNGOV_BACKOFF_MAX``. The retry itself is left to
    Scrapy's RetryMiddleware; it waits in the held slot like every other request to the host.
    """

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.base = crawler.settings.getfloat("VNGOV_BACKOFF_BASE", 10.0)
        self.maximum = crawler.settings.getfloat("VNGOV_BACKOFF_MAX", 600.0)
        self.strikes: dict[str, int] = defaultdict(int)
        self.held_until: dict[str, float] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        key = request.meta.get("download_slot") or ""
        if response.status not in BACKOFF_STATUSES:
            if response.status < 400:
                self.strikes.pop(key, None)
            return response
        self.strikes[key] += 1
        asked = parse_retry_after(response.headers.get("Retry-After"))
        wait = asked if asked is not None else self.base * 2 ** (self.strikes[key] - 1)
        wait = min(wait, self.maximum)
        self._hold(key, wait)
        stats = self.crawler.stats
        stats.inc_value("vngov/backoff/count")
        stats.inc_value("vngov/backoff/seconds", round(wait, 3))
        if asked is not None:
            stats.inc_value("vngov/backoff/retry_after")
        logger.info(
            "%s answered %s: holding requests to %s for %.1f s (%s)",
            request.url,
            response.status,
            key,
            wait,
            "Retry-After" if asked is not None else f"back-off #{self.strikes[key]}",
        )
        return response

    def _hold(self, key: str, seconds: float) -> None:
        """Keep the slot from starting downloads for ``seconds`` (never shortening a hold)."""
        engine = self.crawler.engine
        downloader = getattr(engine, "downloader", None) if engine else None
        slot = downloader.slots.get(key) if downloader else None
        if slot is None or seconds <= 0:
            return
        until = time.monotonic() + seconds
        if until <= self.held_until.get(key, 0):
            return
        self.held_until[key] = until
        if slot.latercall:
            slot.latercall.cancel()
        # Scrapy's downloader skips a slot while slot.latercall is pending, then resumes it.
        slot.latercall = call_later(seconds, downloader._latercall, slot)


class ErrorPageMiddleware:
    """Refuse 200 pages that are error or CAPTCHA pages (see ``crawler.detect``).

    Runs after decompression (below 590) on the way back, on HTML responses to the spider's
    start pages; feeds, sitemaps, attachments and robots.txt pass untouched, and article and
    listing pages are checked by the spider while it reads them (one parse, in the parser
    worker: see ``crawler.article_pages`` and ``crawler.listing_pages``).
    """

    def __init__(self, stats: Any):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ErrorPageMiddleware:
        return cls(crawler.stats)

    def process_response(self, request: Request, response: Response) -> Response:
        kind = request.meta.get(KIND_META)
        if (
            response.status != 200
            or kind is None
            or kind in NOT_PAGES
            or kind in CHECKED_BY_SPIDER
            or not isinstance(response, TextResponse)
            or b"html" not in response.headers.get("Content-Type", b"text/html").lower()
        ):
            return response
        found = detect_error_page(
            response.body,
            content_type=response.headers.get("Content-Type", b"").decode("latin-1"),
        )
        if found is not None:
            raise ErrorPageDetected(found.kind, found.reason)
        return response


class RedirectLoopMiddleware:
    """Stop a redirect to a URL already in the request's redirect chain.

    Without it the repeated URL is dropped by the duplicate filter and the failure is lost.
    Sits above RedirectMiddleware (600) so it sees the 3xx response first.
    """

    def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get("Location")
        if not (300 <= response.status < 400 and location):
            return response
        target = canonicalize_url(urljoin(request.url, location.decode("latin-1")))
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if target in {canonicalize_url(url) for url in chain}:
            raise RedirectLoop(f"redirect loop: {' → '.join(chain)} → {target}")
        return response


# Exception class names (Scrapy's and Twisted's) → the kind recorded in stats.
_KINDS = {
    "DownloadTimeoutError": "timeout",
    "TimeoutError": "timeout",
    "ResponseDataLossError": "truncated",
    "PotentialDataLoss": "truncated",
    "_DataLoss": "truncated",
    "DownloadConnectionRefusedError": "connection_refused",
    "ConnectionRefusedError": "connection_refused",
    "CannotResolveHostError": "dns",
    "DNSLookupError": "dns",
    "ConnectionLost": "connection_lost",
    "ConnectionDone": "connection_lost",
    "ConnectionAborted": "connection_lost",
    "ResponseNeverReceived": "connection_lost",
    "ResponseFailed": "connection_lost",
    "DownloadFailedError": "connection_lost",
    "DownloadCancelledError": "too_large",
    "SSLError": "tls",
}
_READABLE = {
    "truncated": "the body ended before its announced length",
    "connection_lost": "the connection was closed before a complete answer",
}


def _inner_names(value: BaseException) -> list[str]:
    """Class names of an exception and of the failures Twisted wraps inside it."""
    names = [type(value).__name__]
    for reason in getattr(value, "reasons", None) or []:
        inner = getattr(reason, "value", reason)
        names.append(type(inner).__name__)
    cause = value.__cause__ or value.__context__
    if cause is not None:
        names.append(type(cause).__name__)
    return names


def describe_failure(failure: Failure) -> tuple[str, str]:
    """``(kind, reason)`` of a failed request: ``("http_503", "HTTP 503")``, ``("timeout",
    ...)``, ``("error_page", "title says 'Không tìm thấy'")`` and so on."""
    value = failure.value
    message = (failure.getErrorMessage() or "").strip()
    if isinstance(value, ErrorPageDetected):
        return value.kind, value.reason
    if isinstance(value, RedirectLoop):
        return "redirect_loop", message
    if isinstance(value, HttpError):
        status = value.response.status
        return f"http_{status}", f"HTTP {status}"
    if isinstance(value, IgnoreRequest):
        lowered = message.lower()
        if "max redirections" in lowered:
            return "redirect_loop", "too many redirects"
        if "download_maxsize" in lowered or "max size" in lowered:
            return "too_large", message
        if "robots.txt" in lowered:
            return "robots_forbidden", message
        return "ignored", message or "ignored"
    names = _inner_names(value)
    if "OpenSSL" in type(value).__module__ or any("SSL" in name for name in names):
        return "tls", message or names[0]
    for name in names:
        if name in _KINDS:
            kind = _KINDS[name]
            if kind == "connection_lost" and any(_KINDS.get(n) == "truncated" for n in names):
                kind = "truncated"
            if not message or message.startswith("[<"):  # Twisted's list of wrapped failures
                message = _READABLE.get(kind, name)
            return kind, message
    return _snake(names[0]), message or names[0]


def _snake(name: str) -> str:
    out = []
    for i, char in enumerate(name):
        if char.isupper() and i and not name[i - 1].isupper():
            out.append("_")
        out.append(char.lower())
    return "".join(out).strip("_")
