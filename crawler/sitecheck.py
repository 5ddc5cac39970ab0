"""Try a site by hand: detect a new site's platform, or fetch one listing and one article.

``vngov sites add`` and ``vngov sites check`` make a handful of requests, so they use the
standard library rather than starting Scrapy's reactor; they obey robots.txt, send the
crawler's User-Agent and pause between requests to a real host as the crawler would.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from protego import Protego

from crawler.detect import Detection, detect_error_page, detect_platform, suggest_entry
from crawler.discovery import links_of, listing_articles, next_page, zone_of
from crawler.parsers.article import parse_article
from crawler.parsers.html import parse_html
from crawler.politeness import MIN_DELAY_SECONDS, is_loopback
from crawler.settings import USER_AGENT
from crawler.sites import Site
from crawler.urls import canonicalize_url, request_url

MAX_PAGE_BYTES = 10 * 1024 * 1024
TIMEOUT_SECONDS = 30


class FetchError(Exception):
    """A page could not be fetched; the message says which and why, on one line."""


@dataclass
class Page:
    """A fetched page."""

    url: str
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


@dataclass
class Fetcher:
    """Polite single requests: robots.txt first, a pause between requests to a real host."""

    user_agent: str = USER_AGENT
    delay: float = MIN_DELAY_SECONDS
    _robots: dict[str, Protego | None] = field(default_factory=dict)
    _last: dict[str, float] = field(default_factory=dict)

    def _raw(self, url: str) -> Page:
        host = urlsplit(url).hostname or ""
        wait = self._last.get(host, 0) + (0 if is_loopback(host) else self.delay) - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        request = urllib.request.Request(url, headers={"User-Agent": self.user_agent})
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                body = response.read(MAX_PAGE_BYTES + 1)
                status, final, headers = response.status, response.url, response.headers
        except urllib.error.HTTPError as error:
            body, status, final, headers = (
                error.read(MAX_PAGE_BYTES + 1),
                error.code,
                url,
                error.headers,
            )
        except (urllib.error.URLError, OSError, ValueError) as error:
            reason = getattr(error, "reason", error)
            raise FetchError(f"cannot fetch {url}: {reason}") from None
        finally:
            self._last[host] = time.monotonic()
        if len(body) > MAX_PAGE_BYTES:
            raise FetchError(f"{url} is larger than {MAX_PAGE_BYTES // 1024 // 1024} MB")
        return Page(final, status, {k.lower(): v for k, v in headers.items()}, body)

    def allowed(self, url: str) -> bool:
        """Whether robots.txt of the URL's origin lets us fetch it (no robots.txt: yes)."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._robots:
            try:
                page = self._raw(urljoin(origin, "/robots.txt"))
            except FetchError:
                page = None
            ok = page is not None and page.status == 200
            text = page.body.decode("utf-8", "replace") if ok else ""
            self._robots[origin] = Protego.parse(text) if ok else None
        rules = self._robots[origin]
        return rules is None or rules.can_fetch(url, self.user_agent)

    def get(self, url: str) -> Page:
        """Fetch a page (robots.txt permitting); non-200 answers are errors."""
        if not self.allowed(url):
            raise FetchError(f"robots.txt of {urlsplit(url).netloc} forbids {url}")
        page = self._raw(url)
        if page.status != 200:
            raise FetchError(f"{url} answered HTTP {page.status}")
        return page


def detect_site(url: str, fetcher: Fetcher | None = None) -> tuple[dict[str, Any], Detection]:
    """Fetch a home page and propose a registry entry for it, with the detection evidence."""
    fetcher = fetcher or Fetcher()
    page = fetcher.get(url)
    detection = detect_platform(
        page.body, page.url, headers=page.headers, content_type=page.content_type
    )
    return suggest_entry(page.body, page.url, detection, content_type=page.content_type), detection


def _first_listing(site: Site, page: Page) -> str | None:
    root, _ = parse_html(page.body, page.content_type)
    for link in links_of(root, page.url, pagination_css=site.pagination_css):
        if not link.in_pagination and site.is_own(link.url) and site.is_listing(link.url):
            return request_url(site.pagination.first_page(link.url))
    return None


def _article_summary(page: Page) -> dict[str, Any]:
    record = parse_article(page.body, page.url, content_type=page.content_type).to_dict()
    body = record.get("body") or ""
    return {
        "url": page.url,
        "title": record.get("title"),
        "published_at": record.get("published_at"),
        "published_text": record.get("published_text"),
        "author": record.get("author"),
        "category": record.get("category"),
        "summary": record.get("summary"),
        "body_characters": len(body),
        "body_start": body[:200],
        "images": len(record.get("images") or []),
        "attachments": [a.get("url") for a in record.get("attachments") or []],
        "profile": (record.get("extraction") or {}).get("profile"),
        "warnings": record.get("warnings") or [],
    }


def check_site(site: Site, fetcher: Fetcher | None = None) -> dict[str, Any]:
    """Fetch a site's start page, one listing and its first article; report what came out.

    ``problems`` lists what would keep a crawl from working (no listing found, no article
    links, an error page, no title or body); an empty list means the entry works.
    """
    fetcher = fetcher or Fetcher()
    report: dict[str, Any] = {"site": site.id, "platform": site.platform, "problems": []}
    problems = report["problems"]
    start = fetcher.get(site.start_urls[0])
    report["start_url"] = start.url
    listing_url = start.url if site.is_listing(start.url) else _first_listing(site, start)
    if listing_url is None:
        listing_url = next((u for u in site.start_urls if site.is_listing(u)), None)
    if listing_url is None:
        problems.append("no listing link on the start page matches listing_pattern")
    try:
        listing = start if listing_url in (None, start.url) else fetcher.get(listing_url)
    except FetchError as error:
        problems.append(str(error))
        return report
    root, _ = parse_html(listing.body, listing.content_type)
    found = listing_articles(
        listing.body,
        root,
        listing.url,
        item_css=site.item_css,
        is_article=lambda u: site.is_own(u) and site.is_article(u),
        pagination_css=site.pagination_css,
        content_type=listing.content_type,
    )
    articles = found.urls
    links = links_of(root, listing.url, pagination_css=site.pagination_css)
    number = site.pagination.page_number(listing.url)
    following = next_page(
        listing.url,
        site.pagination.first if number is None else number,
        links,
        site.pagination,
        zone=zone_of(root, site.pagination.zone) if site.pagination.zone else None,
    )
    report["listing"] = {
        "url": listing.url,
        "articles": len(articles),
        "found_by": found.rule,
        "first_articles": [canonicalize_url(u) for u in articles[:5]],
        "next_page": following[0] if following else found.parser_next,
    }
    if not articles:
        problems.append(f"no article links on {listing.url} (item_css / article_pattern)")
        return report
    try:
        article = fetcher.get(request_url(articles[0]))
    except FetchError as error:
        problems.append(str(error))
        return report
    error = detect_error_page(article.body, content_type=article.content_type)
    if error is not None:
        problems.append(f"{article.url} is an error page: {error.reason}")
    summary = _article_summary(article)
    summary["canonical_url"] = canonicalize_url(article.url)
    report["article"] = summary
    for name in ("title", "published_at"):
        if not summary[name]:
            problems.append(f"no {name} extracted from {article.url}")
    if not summary["body_characters"]:
        problems.append(f"no body extracted from {article.url}")
    return report
