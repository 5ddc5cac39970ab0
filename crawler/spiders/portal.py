"""The one portal spider: walks any site of the registry by its data-file entry."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from crawler.items import ArticleItem
from crawler.parsers.article import parse_article
from crawler.politeness import check_politeness
from crawler.sites import Site, get_site
from crawler.urls import canonicalize_url


class PortalSpider(scrapy.Spider):
    """Crawl one site: start pages, then listings (with pagination), then articles.

    ``scrapy crawl portal -a site=angiang-sonoivu [-a base_url=http://127.0.0.1:8000]
    [-a max_pages=N]``. ``max_pages`` caps the pages requested (robots.txt aside), so a trial
    crawl of a real portal stays small.
    """

    name = "portal"

    def __init__(
        self,
        site: str | None = None,
        base_url: str | None = None,
        max_pages: int | str | None = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        if not site:
            raise ValueError("which site? use -a site=ID (`vngov sites` lists them)")
        self.site: Site = get_site(site, base_url=base_url)
        self.allowed_domains = self.site.allowed_hosts
        self.max_pages = int(max_pages) if max_pages else None
        self.requested: set[str] = set()

    def _request(self, url: str, callback: Any) -> scrapy.Request | None:
        """A request for ``url``, or None if it was requested already or ``max_pages`` were."""
        if url in self.requested:
            return None
        if self.max_pages is not None and len(self.requested) >= self.max_pages:
            self.crawler.stats.set_value("vngov/max_pages_reached", self.max_pages)
            return None
        self.requested.add(url)
        return scrapy.Request(url, callback=callback, errback=self.on_error)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> PortalSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        check_politeness(crawler.settings, spider.allowed_domains)
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.site.start_urls:
            if request := self._request(url, self.parse):
                yield request

    def _follow(self, response: Response, href: str) -> scrapy.Request | None:
        url = canonicalize_url(response.urljoin(href))
        if urlsplit(url).hostname not in self.allowed_domains:
            return None
        if self.site.is_article(url):
            return self._request(url, self.parse_article)
        if self.site.is_listing(url):
            return self._request(url, self.parse)
        return None

    def parse(self, response: Response) -> Iterator[scrapy.Request | ArticleItem]:
        """A home or listing page: follow article links, listing links and pagination."""
        if not isinstance(response, TextResponse):
            self.crawler.stats.inc_value("vngov/errors/not_html")
            self.logger.warning("not an HTML page: %s", response.url)
            return
        if self.site.is_article(response.url):
            yield from self.parse_article(response)
            return
        hrefs = response.css("a::attr(href)").getall()
        if self.site.pagination_css:
            hrefs += response.css(f"{self.site.pagination_css}::attr(href)").getall()
        for href in hrefs:
            request = self._follow(response, href)
            if request is not None:
                yield request

    def parse_article(self, response: Response) -> Iterator[ArticleItem]:
        """An article page: parse it with the pure parser and hand the record on."""
        if not isinstance(response, TextResponse):
            self.crawler.stats.inc_value("vngov/errors/not_html")
            self.logger.warning("not an HTML page: %s", response.url)
            return
        fetched_at = datetime.now(UTC)
        record = parse_article(
            response.body,
            response.url,
            content_type=response.headers.get("Content-Type", b"").decode("latin-1"),
            fetched_at=fetched_at,
        )
        for warning in record.warnings:
            self.logger.warning("%s: %s", response.url, warning)
            self.crawler.stats.inc_value("vngov/parse_warnings")
        yield ArticleItem(
            site=self.site.id,
            url=response.url,
            http_status=response.status,
            fetched_at=fetched_at.isoformat(timespec="seconds"),
            record=record.to_dict(),
        )

    def on_error(self, failure: Failure) -> None:
        """Record a failed request with its URL and reason, without a traceback in the log."""
        request = failure.request if hasattr(failure, "request") else None
        response = getattr(failure.value, "response", None)
        kind = f"http_{response.status}" if response is not None else failure.type.__name__
        self.crawler.stats.inc_value(f"vngov/errors/{kind}")
        self.logger.warning(
            "failed %s: %s", request.url if request else "?", failure.getErrorMessage() or kind
        )
