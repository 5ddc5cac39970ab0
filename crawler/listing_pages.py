"""Read a fetched listing page in one pass: error check, its articles, links, zone, feeds.

The listing counterpart of :mod:`crawler.article_pages`: what the spider needs from a
category listing page, read from one parse of it by a function of plain values, so that it
runs in the parser worker (:mod:`crawler.workers`) like article pages do.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from crawler.detect import ErrorPage, error_page_of
from crawler.discovery import (
    Link,
    ListingArticles,
    feed_links,
    links_of,
    listing_articles,
    zone_of,
)
from crawler.parsers.html import parse_page
from crawler.sites import Site


@dataclass(frozen=True)
class ListingPage:
    """What the spider reads from a listing page.

    ``error`` is set for an error or CAPTCHA page, and then nothing else is read;
    ``articles`` are the listing's own article links on the site's hosts (see
    :func:`crawler.discovery.listing_articles`); ``links`` every link with whether it is
    pagination; ``zone`` the zone id template pagination needs; ``feeds`` announced feeds.
    """

    error: ErrorPage | None = None
    articles: ListingArticles = field(default_factory=lambda: ListingArticles([], "none"))
    links: list[Link] = field(default_factory=list)
    zone: str | None = None
    feeds: list[str] = field(default_factory=list)


def read_listing_page(
    body: bytes, url: str, site: Site, *, content_type: str | None = None
) -> ListingPage:
    """Decode and parse ``body`` once and read a :class:`ListingPage` of ``site`` from it."""
    parsed = parse_page(body, content_type)
    root = parsed.root
    if error := error_page_of(root):
        return ListingPage(error=error)
    articles = listing_articles(
        parsed.text,
        root,
        url,
        item_css=site.item_css,
        is_article=lambda u: site.is_own(u) and site.is_article(u),
        pagination_css=site.pagination_css,
    )
    zone_spec = site.pagination.zone
    return ListingPage(
        articles=articles,
        links=links_of(root, url, pagination_css=site.pagination_css),
        zone=zone_of(root, zone_spec) if zone_spec else None,
        feeds=feed_links(root, url) if site.discover_feeds else [],
    )
