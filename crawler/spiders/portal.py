"""The one portal spider: walks any site of the registry by its data-file entry.

What it reads, in order: the start pages (home, categories), the feeds and sitemaps the entry
names or the start pages announce (robots.txt's sitemaps, when the entry names none), category
listings page after page by the platform's pagination scheme, and the articles they link, with
their attachments.

Three modes (``-a mode=...``):

- ``incremental`` (the default): articles already in the archive are not fetched again, and a
  listing walk stops after ``VNGOV_STOP_AFTER_KNOWN`` consecutive archived articles; archived
  articles due for a revisit (``VNGOV_REVISIT_DAYS`` after they were first seen) are fetched
  with conditional requests, so an unchanged page costs a 304. Until one crawl of the site
  has walked every listing to its end (the first crawl, or after one was interrupted), a
  default crawl is a full one instead (without a job directory: ``--full`` for that).
- ``full``: every listing is walked to its end and every article fetched (archived ones
  conditionally). Run with a JOBDIR it can be paused and resumed (``vngov crawl --full``).
- ``revisit``: only the revisits that are due, no listing walk.
"""

from __future__ import annotations

import functools
import hashlib
import json
import weakref
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from protego import Protego
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import StopDownload
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.settings import BaseSettings
from twisted.python.failure import Failure

from archive.storage import Archive
from crawler.article_pages import read_article_page
from crawler.detect import ErrorPage
from crawler.discovery import (
    Link,
    feed_links,
    item_links,
    links_of,
    next_page,
    parse_feed,
    parse_sitemap,
)
from crawler.items import ArticleItem, AttachmentItem, NotModifiedItem, PageGoneItem
from crawler.listing_pages import ListingPage, read_listing_page
from crawler.middlewares import KIND_META, describe_failure
from crawler.parsers.html import HtmlElement, parse_html
from crawler.politeness import check_politeness
from crawler.settings import user_agent
from crawler.sites import Site, default_user_registry, get_site
from crawler.urls import canonicalize_url, request_url
from crawler.workers import CallTimedOut, WorkerPool, default_workers

MODES = ("incremental", "full", "revisit")
ATTACHMENT_EXTENSIONS = (".pdf", ".doc", ".docx", ".xls", ".xlsx")
GONE_STATUSES = (404, 410)
MAX_FAILURES_KEPT = 200  # failures listed in the crawl_runs row; the log has all of them
_SINGLE_BYTE_CHARSETS = ("iso-8859-1", "latin-1", "latin1", "windows-1252", "cp1252", "ascii")


def guarded(callback: Callable[..., Iterable[Any]]) -> Callable[..., Iterator[Any]]:
    """Run a callback so that an exception on a strange page is recorded, not a traceback."""

    @functools.wraps(callback)
    def wrapper(self: PortalSpider, response: Response, **kwargs: Any) -> Iterator[Any]:
        try:
            yield from callback(self, response, **kwargs) or ()
        except Exception as error:  # one bad page must not stop the crawl or spill a traceback
            self.record_failure(
                response.url, _failure_kind(error), f"{type(error).__name__}: {error}"
            )

    return wrapper


def guarded_async(callback: Callable[..., AsyncIterator[Any]]) -> Callable[..., AsyncIterator[Any]]:
    """:func:`guarded` for a callback that is an async generator."""

    @functools.wraps(callback)
    async def wrapper(self: PortalSpider, response: Response, **kwargs: Any) -> AsyncIterator[Any]:
        try:
            async for output in callback(self, response, **kwargs):
                yield output
        except Exception as error:  # one bad page must not stop the crawl or spill a traceback
            self.record_failure(
                response.url, _failure_kind(error), f"{type(error).__name__}: {error}"
            )

    return wrapper


def _failure_kind(error: Exception) -> str:
    return "parse_timeout" if isinstance(error, CallTimedOut) else "parse_error"


def effective_content_type(content_type: str, body: bytes) -> str:
    """The Content-Type to decode a page with, correcting a header that names a single-byte
    charset for a body that is valid UTF-8 with multi-byte letters (a common server setting
    that would otherwise turn every Vietnamese letter into mojibake)."""
    lowered = content_type.lower()
    if not any(f"charset={name}" in lowered.replace(" ", "") for name in _SINGLE_BYTE_CHARSETS):
        return content_type
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return content_type
    if len(text) == len(body):  # pure ASCII: nothing to correct
        return content_type
    return "text/html; charset=utf-8"


class PortalSpider(scrapy.Spider):
    """Crawl one site of the registry.

    ``scrapy crawl portal -a site=angiang-sonoivu [-a base_url=http://127.0.0.1:8000]
    [-a mode=incremental|full|revisit] [-a registry=sites.local.toml] [-a max_pages=N]``.
    ``max_pages`` caps the requests made (robots.txt aside), so a trial crawl stays small.
    """

    name = "portal"

    def __init__(
        self,
        site: str | None = None,
        base_url: str | None = None,
        max_pages: int | str | None = None,
        mode: str = "incremental",
        registry: str | None = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        if not site:
            raise ValueError("which site? use -a site=ID (`vngov sites` lists them)")
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}: use one of {', '.join(MODES)}")
        self.site_id = site
        self.base_url = base_url
        self.registry = registry
        self.mode = mode
        self.walk_to_end = mode == "full"  # else stop at known articles (see start())
        self.max_pages = int(max_pages) if max_pages else None
        self.requested: set[str] = set()
        self.known: set[str] = set()  # canonical URLs of the site's archived articles
        self.known_keys: set[str] = set()  # their identities (see Site.identity)
        self.validators: dict[str, tuple[str | None, str | None]] = {}
        self.failures: list[dict[str, str]] = []
        # Bytes received so far per attachment request; weak: a redirect's request is never
        # seen by the callback, which gets the request the redirect made.
        self.attachment_bytes: weakref.WeakKeyDictionary[scrapy.Request, int] = (
            weakref.WeakKeyDictionary()
        )
        self.site: Site  # resolved in from_crawler, where the archive's own registry is known

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        """Name the contact URL in the User-Agent when VNGOV_CONTACT_URL was changed alone."""
        super().update_settings(settings)
        contact_priority = settings.getpriority("VNGOV_CONTACT_URL") or 0
        agent_priority = settings.getpriority("USER_AGENT") or 0
        if contact_priority > agent_priority:
            settings.set("USER_AGENT", user_agent(settings["VNGOV_CONTACT_URL"]), contact_priority)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> PortalSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        registry = spider.registry or settings.get("VNGOV_REGISTRY")
        if not registry:
            beside_db = default_user_registry(settings.get("VNGOV_DB"))
            registry = str(beside_db) if beside_db.exists() else None
        spider.site = get_site(spider.site_id, base_url=spider.base_url, user_registry=registry)
        spider.allowed_domains = spider.site.allowed_hosts
        check_politeness(settings, spider.allowed_domains)
        spider.stop_after_known = settings.getint("VNGOV_STOP_AFTER_KNOWN", 10)
        spider.revisit_days = tuple(
            int(d) for d in settings.getlist("VNGOV_REVISIT_DAYS", [1, 7, 30])
        )
        spider.attachment_cap = settings.getint("VNGOV_ATTACHMENT_MAXSIZE", 20 * 1024 * 1024)
        workers = settings.get("VNGOV_PARSE_WORKERS")
        workers = default_workers() if workers is None else int(workers)
        timeout = settings.getfloat("VNGOV_PARSE_TIMEOUT", 120)  # 0 or less: none
        spider.parse_pool = WorkerPool.acquire("parser", workers, timeout)
        spider.parse_pool.start()
        crawler.signals.connect(spider.on_headers, signal=signals.headers_received)
        crawler.signals.connect(spider.on_bytes, signal=signals.bytes_received)
        return spider

    # -- bookkeeping ---------------------------------------------------------------------

    def _load_archive_state(self) -> list[dict[str, Any]]:
        """Read what the archive knows of the site; returns the revisits that are due."""
        archive = Archive(self.settings.get("VNGOV_DB"))
        try:
            self.known = archive.known_article_urls(self.site.id)
            self.known_keys = {self.site.identity(url) for url in self.known}
            self.validators = archive.fetch_validators(self.site.id)
            due = archive.revisits_due(self.site.id, datetime.now(UTC), self.revisit_days)
            walked = archive.last_complete_walk(self.site.id)
        finally:
            archive.close()
        if self.mode == "incremental" and walked is None:
            self.walk_to_end = True  # no walk of the whole site finished yet: walk it all
        mode = "first_full" if self.mode == "incremental" and self.walk_to_end else self.mode
        self.crawler.stats.set_value("vngov/mode", mode)
        self.crawler.stats.set_value("vngov/known_at_start", len(self.known))
        return due

    def closed(self, reason: str) -> None:
        """Mark the run as a complete walk when it walked every listing to its end, so that
        later default crawls can be incremental."""
        self.parse_pool.release()
        stats = self.crawler.stats
        if (
            reason == "finished"
            and self.walk_to_end
            and self.mode != "revisit"
            and not stats.get_value("vngov/max_pages_reached")
        ):
            stats.set_value("vngov/walk_complete", 1)

    def record_failure(self, url: str, kind: str, reason: str) -> None:
        """Count a failure under ``vngov/errors/<kind>`` and log it with its URL, one line."""
        stats = self.crawler.stats
        stats.inc_value(f"vngov/errors/{kind}")
        self.logger.warning("failed %s: %s (%s)", url, kind, reason)
        if len(self.failures) < MAX_FAILURES_KEPT:
            self.failures.append({"url": url, "kind": kind, "reason": reason[:300]})
            stats.set_value("vngov/failures", json.dumps(self.failures, ensure_ascii=False))

    def _budget_left(self) -> bool:
        if self.max_pages is not None and len(self.requested) >= self.max_pages:
            self.crawler.stats.set_value("vngov/max_pages_reached", self.max_pages)
            return False
        return True

    def _request(
        self,
        url: str,
        callback: Callable[..., Any],
        kind: str,
        *,
        key: str | None = None,
        meta: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        priority: int = 0,
    ) -> scrapy.Request | None:
        """A request, or None if ``key`` (default: the URL) was requested already or the
        ``max_pages`` budget is spent."""
        key = key or url
        if key in self.requested or not self._budget_left():
            return None
        self.requested.add(key)
        self.crawler.stats.inc_value(f"vngov/requests/{kind}")
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.on_error,
            meta={KIND_META: kind, **(meta or {})},
            headers=headers,
            priority=priority,
        )

    def _article_request(self, url: str, *, revisit: bool = False) -> scrapy.Request | None:
        """Request an article once per identity; archived ones conditionally."""
        canonical = canonicalize_url(url)
        headers = {}
        if self._is_known(url) or revisit:
            etag, last_modified = self.validators.get(canonical, (None, None))
            if etag:
                headers["If-None-Match"] = etag
            if last_modified:
                headers["If-Modified-Since"] = last_modified
        if revisit:
            self.crawler.stats.inc_value("vngov/revisits")
        return self._request(
            request_url(url),
            self.parse_article,
            "article",
            key=self.site.identity(url),
            meta={"handle_httpstatus_list": [304, *GONE_STATUSES]},
            headers=headers,
            priority=1,  # finish a page's articles before walking further
        )

    def _is_known(self, url: str) -> bool:
        """Whether the archive has this article, under this URL or another of its URLs."""
        return self.site.identity(url) in self.known_keys

    def _wanted(self, url: str) -> bool:
        """Whether to fetch an article: always in a full walk, else only if not archived."""
        return self.walk_to_end or not self._is_known(url)

    # -- start ---------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[scrapy.Request]:
        due = self._load_archive_state()
        if self.mode != "full":
            self.crawler.stats.set_value("vngov/revisits_due", len(due))
            for entry in due:
                self.validators.setdefault(entry["url"], (entry["etag"], entry["last_modified"]))
                if request := self._article_request(entry["url"], revisit=True):
                    yield request
        if self.mode == "revisit":
            return
        for url in self.site.start_urls:
            if self.site.is_listing(url):
                request = self._listing_request(request_url(url), number=None, streak=0)
            else:
                request = self._request(request_url(url), self.parse_start, "page")
            if request:
                yield request
        for url in self.site.feed_urls:
            if request := self._request(url, self.parse_feed, "feed"):
                yield request
        for url in self.site.sitemap_urls:
            if request := self._request(url, self.parse_sitemap, "sitemap"):
                yield request
        if self.walk_to_end and not self.site.sitemaps:
            # Outside the max_pages budget, as Scrapy's own robots.txt request is.
            yield scrapy.Request(
                urljoin(self.site.base_url, "/robots.txt"),
                callback=self.parse_robots,
                errback=self.on_error,
                meta={KIND_META: "robots", "handle_httpstatus_all": True},
            )

    def _listing_request(
        self, url: str, *, number: int | None, streak: int, zone: str | None = None
    ) -> scrapy.Request | None:
        """A listing page; page 1 of a listing is requested once however it is linked."""
        key = canonicalize_url(url) if number is None else url
        return self._request(
            url,
            self.parse_listing,
            "listing",
            key=key,
            meta={"vngov_page": number, "vngov_streak": streak, "vngov_zone": zone},
        )

    # -- pages ---------------------------------------------------------------------------

    def _is_html(self, response: Response) -> bool:
        """Whether the response is a page to parse; a failure of its URL when it is not."""
        if isinstance(response, TextResponse):
            return True
        self.record_failure(response.url, "not_html", "not an HTML page")
        return False

    def _page_failed(self, response: Response, error: ErrorPage) -> None:
        """Record a 200 error or CAPTCHA page as a failure of the URL the spider asked for."""
        self.record_failure(_asked_url(response.meta, response.url), error.kind, error.reason)

    def _detour_failed(self, asked: str, kind: str, response: Response) -> None:
        """Record a page reached through a redirect, not the one asked for, as a failure of
        ``asked``."""
        reasons = ", ".join(map(str, response.meta.get("redirect_reasons", [])))
        self.record_failure(asked, kind, f"redirected ({reasons}) to {response.url}")

    def _tree(self, response: Response) -> HtmlElement | None:
        if not self._is_html(response):
            return None
        root, _ = parse_html(response.body, _content_type(response))
        return root

    def _discovered(
        self, response: Response, links: list[Link], feeds: list[str]
    ) -> Iterator[scrapy.Request]:
        """Category listings among a page's ``links`` (read with the site's pagination_css),
        and the feeds it announces."""
        pagination = self.site.pagination
        here = pagination.listing_key(canonicalize_url(response.url))
        for link in links:
            if link.in_pagination or not self.site.is_own(link.url):
                continue
            if not self.site.is_listing(link.url):
                continue
            first = request_url(pagination.first_page(link.url))
            if pagination.listing_key(canonicalize_url(first)) == here:
                continue
            if request := self._listing_request(first, number=None, streak=0):
                yield request
        for url in feeds:
            if self.site.is_own(url) and (request := self._request(url, self.parse_feed, "feed")):
                yield request

    @guarded
    def parse_start(self, response: Response) -> Iterator[scrapy.Request]:
        """A start page (home page): its articles, its category listings, its feeds."""
        root = self._tree(response)
        if root is None:
            return
        urls = [link.url for link in links_of(root, response.url) if self.site.is_article(link.url)]
        if self.site.item_css:
            urls += item_links(root, response.url, self.site.item_css)
        for url in _distinct(urls):
            if not self.site.is_own(url):
                continue
            if not self._wanted(url):
                self.crawler.stats.inc_value("vngov/known_skipped")
            elif request := self._article_request(url):
                yield request
        links = links_of(root, response.url, pagination_css=self.site.pagination_css)
        feeds = feed_links(root, response.url) if self.site.discover_feeds else []
        yield from self._discovered(response, links, feeds)

    @guarded_async
    async def parse_listing(self, response: Response) -> AsyncIterator[scrapy.Request]:
        """One page of a category listing (read in the parser worker): its new articles, then
        the next page, unless the walk has met enough archived articles in a row
        (incremental mode)."""
        if not self._is_html(response):
            return
        page = await self.parse_pool.run(
            read_listing_page,
            response.body,
            response.url,
            self.site,
            content_type=_content_type(response),
        )
        if page.error is not None:
            self._page_failed(response, page.error)
            return
        for request in self._listing_requests(response, page):
            yield request

    def _listing_requests(self, response: Response, page: ListingPage) -> Iterator[scrapy.Request]:
        pagination = self.site.pagination
        number = response.meta.get("vngov_page")
        if number is None:
            number = pagination.page_number(response.url)
            number = pagination.first if number is None else number
        streak = response.meta.get("vngov_streak", 0)
        found = page.articles
        self.crawler.stats.inc_value(f"vngov/listing_rule/{found.rule}")
        articles = _distinct(found.urls)
        self.crawler.stats.inc_value("vngov/listing_pages")
        if not articles:
            if pagination.kind == "template" and number > pagination.first:
                self.crawler.stats.inc_value("vngov/listing_ends")  # past the last page
            else:
                self.record_failure(
                    response.url, "empty_listing", "a listing page without articles"
                )
            return
        stopped = False
        for url in articles:
            if self._is_known(url):
                streak += 1
            else:
                streak = 0
            if self._wanted(url):
                if request := self._article_request(url):
                    yield request
            else:
                self.crawler.stats.inc_value("vngov/known_skipped")
            if not self.walk_to_end and self.stop_after_known and streak >= self.stop_after_known:
                stopped = True
                break
        yield from self._discovered(response, page.links, page.feeds)
        if stopped:
            self.crawler.stats.inc_value("vngov/listings_stopped_at_known")
            self.logger.info(
                "stopping %s at page %s: %s archived articles in a row",
                pagination.listing_key(response.url),
                number,
                streak,
            )
            return
        zone = response.meta.get("vngov_zone")
        if pagination.kind == "template" and zone is None and pagination.zone:
            zone = page.zone
        following = next_page(response.url, number, page.links, pagination, zone=zone)
        if following is None and found.parser_next and pagination.kind != "template":
            following = (found.parser_next, number + 1)
        if following:
            url, wanted = following
            if request := self._listing_request(
                request_url(url, keep_state=True), number=wanted, streak=streak, zone=zone
            ):
                yield request

    @guarded
    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        """An RSS or Atom feed: its entries on the site's hosts are articles."""
        entries = parse_feed(response.body, response.url)
        self.crawler.stats.inc_value("vngov/feed_entries", len(entries))
        if not entries:
            self.record_failure(response.url, "empty_feed", "no entries in the feed")
        for entry in entries:
            url = entry.url
            if not self.site.is_own(url) or self.site.is_listing(url):
                continue
            if not self._wanted(url):
                self.crawler.stats.inc_value("vngov/known_skipped")
            elif request := self._article_request(url):
                yield request

    @guarded
    def parse_robots(self, response: Response) -> Iterator[scrapy.Request]:
        """The site's robots.txt, read for the sitemaps it announces (``Sitemap:`` lines), on a
        walk of the whole site of an entry that names none. Scrapy reads the rules itself."""
        if response.status != 200 or not isinstance(response, TextResponse):
            return
        for url in Protego.parse(response.text).sitemaps:
            url = urljoin(response.url, url.strip())
            if self.site.is_own(url) and (
                request := self._request(url, self.parse_sitemap, "sitemap")
            ):
                self.crawler.stats.inc_value("vngov/robots_sitemaps")
                yield request

    @guarded
    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        """A sitemap index (its sitemaps are read) or a URL set (its article URLs fetched)."""
        sitemap = parse_sitemap(response.body, response.url)
        if not sitemap.entries:
            self.record_failure(response.url, "empty_sitemap", "not a sitemap, or empty")
            return
        for entry in sitemap.entries:
            if not self.site.is_own(entry.url):
                continue
            if sitemap.is_index:
                if request := self._request(entry.url, self.parse_sitemap, "sitemap"):
                    yield request
            elif self.site.is_article(entry.url):
                if not self._wanted(entry.url):
                    self.crawler.stats.inc_value("vngov/known_skipped")
                elif request := self._article_request(entry.url):
                    yield request

    # -- articles ------------------------------------------------------------------------

    def _identity(self, declared: str | None, url: str) -> str:
        """The article's canonical URL: the page's declared rel=canonical if that is an
        article URL of the site, else the URL it was served at."""
        if declared and self.site.is_own(declared) and self.site.is_article(declared):
            return canonicalize_url(declared)
        return canonicalize_url(url)

    @guarded_async
    async def parse_article(self, response: Response) -> AsyncIterator[Any]:
        """An article page: read it with the pure parsers (in the parser worker), hand the
        record on, then fetch its attachments. A 304 means the archived version stands;
        404/410 that it is gone, and so does a 200 "not found" page for an archived article;
        other 200 error pages (outages) and CAPTCHAs are failures of their URL."""
        fetched_at = datetime.now(UTC)
        stamp = fetched_at.isoformat(timespec="seconds")
        # Filed under the address asked for: a 404 or a removal after a redirect is that
        # address's, and an article's final address is kept as its provenance.
        requested = canonicalize_url(_asked_url(response.meta, response.url))
        if response.status == 304:
            yield NotModifiedItem(site=self.site.id, url=requested, fetched_at=stamp)
            return
        redirects = response.meta.get("redirect_reasons", [])
        # A page reached through a temporary redirect (302, 307, a meta refresh) says nothing
        # for sure about the address asked for: portals send everything to one error page
        # during maintenance.
        moved_for_good = all(reason in (301, 308) for reason in redirects)
        if response.status in GONE_STATUSES:
            if not moved_for_good:
                self._detour_failed(requested, f"http_{response.status}", response)
                return
            yield PageGoneItem(
                site=self.site.id, url=requested, http_status=response.status, fetched_at=stamp
            )
            return
        if redirects and not self.site.is_article(response.url):
            # Not an article to store. For good (an old article sent to the home page): counted;
            # for now (a maintenance page): a failure of the address asked for.
            if not moved_for_good:
                self._detour_failed(requested, "redirected_away", response)
                return
            self.crawler.stats.inc_value("vngov/redirected_away")
            self.logger.info("%s redirects to %s, not an article page", requested, response.url)
            return
        if not self._is_html(response):
            return
        page = await self.parse_pool.run(
            read_article_page,
            response.body,
            response.url,
            content_type=_content_type(response),
            fetched_at=fetched_at,
            article_css=self.site.article_css,
        )
        if page.error is not None:
            if page.error.not_found and moved_for_good and self._is_known(requested):
                # Portals that take an archived article down often answer 200 with a
                # "Không tìm thấy" page: that is a removal, as a 404 would be.
                yield PageGoneItem(
                    site=self.site.id, url=requested, http_status=response.status, fetched_at=stamp
                )
                return
            self._page_failed(response, page.error)
            return
        if not page.is_article or page.record is None:
            self.crawler.stats.inc_value("vngov/not_articles")
            return
        record = page.record
        record["canonical_url"] = self._identity(page.declared_canonical, response.url)
        for warning in record.get("warnings", []):
            self.logger.info("%s: %s", response.url, warning)
            self.crawler.stats.inc_value("vngov/parse_warnings")
        yield ArticleItem(
            site=self.site.id,
            url=requested,
            http_status=response.status,
            fetched_at=stamp,
            record=record,
            final_url=response.url if response.url != requested else None,
            etag=_header(response, b"ETag"),
            last_modified=_header(response, b"Last-Modified"),
        )
        for request in self._attachment_requests(record):
            yield request

    def _attachment_requests(self, record: dict[str, Any]) -> Iterator[scrapy.Request]:
        for attachment in record.get("attachments") or []:
            url = attachment.get("url") or ""
            path = urlsplit(url).path.lower()
            if not path.endswith(ATTACHMENT_EXTENSIONS):
                continue
            if not self.site.is_own(url):
                self.crawler.stats.inc_value("vngov/attachments_offsite")
                continue
            request = self._request(
                url,
                self.parse_attachment,
                "attachment",
                key=canonicalize_url(url),
                meta={
                    "vngov_article": record["canonical_url"],
                    "vngov_text": attachment.get("text") or "",
                    "download_maxsize": 0,  # capped by on_headers/on_bytes instead
                    "download_warnsize": 0,
                },
            )
            if request:
                yield request

    @guarded
    def parse_attachment(self, response: Response) -> Iterator[AttachmentItem]:
        """A document linked from an article: hashed whole, or flagged truncated past the cap.

        A document redirected to a web page (a maintenance or login page, the home page) is
        not a new version of it: that is a failure of its address."""
        if response.request is not None:
            self.attachment_bytes.pop(response.request, None)
        asked = _asked_url(response.meta, response.url)
        redirected = bool(response.meta.get("redirect_urls"))
        if redirected and isinstance(response, HtmlResponse):
            self._detour_failed(asked, "redirected_away", response)
            return
        truncated = "download_stopped" in response.flags
        declared = _header(response, b"Content-Length")
        size = (
            int(declared) if truncated and declared and declared.isdigit() else len(response.body)
        )
        content_type = _header(response, b"Content-Type")
        yield AttachmentItem(
            site=self.site.id,
            article_url=response.meta["vngov_article"],
            url=canonicalize_url(asked),
            text=response.meta.get("vngov_text", ""),
            http_status=response.status,
            fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
            sha256=None if truncated else hashlib.sha256(response.body).hexdigest(),
            size=size,
            content_type=content_type.split(";")[0].strip() if content_type else None,
            truncated=truncated,
            final_url=response.url if redirected else None,
        )

    def on_headers(self, headers: Any, body_length: int, request: scrapy.Request) -> None:
        """Stop an attachment download whose announced size is over the cap."""
        if request.meta.get(KIND_META) == "attachment" and body_length > self.attachment_cap:
            raise StopDownload(fail=False)

    def on_bytes(self, data: bytes, request: scrapy.Request) -> None:
        """Stop an attachment download once it has received more than the cap."""
        if request.meta.get(KIND_META) != "attachment":
            return
        received = self.attachment_bytes.get(request, 0) + len(data)
        self.attachment_bytes[request] = received
        if received > self.attachment_cap:
            raise StopDownload(fail=False)

    def on_error(self, failure: Failure) -> None:
        """Record a failed request with its URL and reason, without a traceback in the log."""
        request = getattr(failure, "request", None)
        kind, reason = describe_failure(failure)
        url = _asked_url(request.meta, request.url) if request is not None else "?"
        if kind == "robots_forbidden":
            self.crawler.stats.inc_value("vngov/robots_forbidden")
            self.logger.info("robots.txt forbids %s", url)
            return
        if request is not None:
            self.attachment_bytes.pop(request, None)
        self.record_failure(url, kind, reason)


def _content_type(response: Response) -> str:
    """The response's Content-Type, corrected as :func:`effective_content_type` does."""
    declared = response.headers.get("Content-Type", b"").decode("latin-1")
    return effective_content_type(declared, response.body)


def _asked_url(meta: dict[str, Any], url: str) -> str:
    """The URL the spider asked for, not where its redirects ended."""
    return meta.get("redirect_urls", [url])[0]


def _distinct(urls: Iterable[str]) -> list[str]:
    """URLs in first-seen order, one per canonical form."""
    seen: set[str] = set()
    unique = []
    for url in urls:
        key = canonicalize_url(url)
        if key not in seen:
            seen.add(key)
            unique.append(url)
    return unique


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1").strip() if value else None
