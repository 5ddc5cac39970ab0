"""Find article URLs: links of listing pages, each platform's pagination, feeds and sitemaps.

Pure functions over page text, shared by the spider and ``vngov sites check``. Pagination
schemes are data (the ``pagination`` table of a site or platform in ``sites.toml``):

- ``query``: the page number is a query parameter (``?page=N`` on Drupal, where the first
  page is 0, and SharePoint; Liferay's ``_101_cur=N`` with its ``p_p_*`` state parameters).
- ``path``: the number is in the path (WordPress ``/page/N/``).
- ``template``: later pages are not linked but built from a template (chinhphu.vn's
  ``/timelinelist/{zone}/{n}.htm``, with the zone id read from the first page).
- ``links``: opaque portlet links (WebSphere ``!ut/p/z1/...``): the number is the link text.
"""

from __future__ import annotations

import gzip
import io
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from lxml import etree

from crawler.parsers.html import HtmlElement, inline_text, parse_html, select, select_values
from crawler.parsers.listing import parse_listing
from crawler.urls import join_url

NEXT_LABELS = frozenset({"»", "›", ">", ">>", "sau", "tiếp", "trang sau", "tiếp theo", "next"})
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml")
MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # the sitemap protocol's own limit, uncompressed


@dataclass(frozen=True)
class Link:
    """An ``<a href>`` of a page: absolute URL, its text, and whether it is pagination."""

    url: str
    text: str
    in_pagination: bool = False


@dataclass(frozen=True)
class Pagination:
    """How a platform numbers the pages of a listing (see the module docstring)."""

    kind: str = "query"
    param: str = "^page$"  # query: regex of the page parameter's name
    first: int = 1  # the number of the first page (Drupal counts from 0)
    drop: str = ""  # query: regex of parameters that only carry paging state
    pattern: str = ""  # path: regex whose group 1 is the page number
    template: str = ""  # template: URL path of page {n} (and {zone})
    zone: str = ""  # template: "css@attr" where the first page names its zone

    KINDS = ("query", "path", "template", "links")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | Pagination) -> Pagination:
        if isinstance(data, Pagination):
            return data
        pagination = cls(**data)
        if pagination.kind not in cls.KINDS:
            raise ValueError(f"unknown pagination kind {pagination.kind!r}")
        if pagination.kind == "path" and not pagination.pattern:
            raise ValueError("a path pagination needs a pattern")
        if pagination.kind == "template" and "{n}" not in pagination.template:
            raise ValueError("a template pagination needs {n} in its template")
        for regex in (pagination.param, pagination.drop, pagination.pattern):
            re.compile(regex)
        return pagination

    def page_number(self, url: str) -> int | None:
        """The page number a URL names, or None when it does not name one."""
        parts = urlsplit(url)
        if self.kind == "query":
            for key, value in parse_qsl(parts.query):
                if re.search(self.param, key) and value.isdigit():
                    return int(value)
        elif self.kind == "path":
            match = re.search(self.pattern, parts.path)
            return int(match.group(1)) if match else None
        elif self.kind == "template":
            match = re.search(_template_regex(self.template), parts.path)
            return int(match.group("n")) if match else None
        return None

    def listing_key(self, url: str) -> str:
        """The URL without its paging: two pages of one listing share it."""
        parts = urlsplit(url)
        path, query = parts.path, parts.query
        if self.kind == "query":
            query = urlencode(
                [
                    (k, v)
                    for k, v in parse_qsl(query, keep_blank_values=True)
                    if not re.search(self.param, k) and not (self.drop and re.search(self.drop, k))
                ]
            )
        elif self.kind == "path":
            match = re.search(self.pattern, path)
            if match:
                path = path[: match.start()] + "/"
        path = path.rstrip("/") or "/"
        return urlunsplit((parts.scheme, parts.netloc, path, query, ""))

    def first_page(self, url: str) -> str:
        """The first page of the listing a URL belongs to (a category link to page 3 → page 1)."""
        if self.kind in ("query", "path") and self.page_number(url) is not None:
            return self.listing_key(url)
        return url


def _template_regex(template: str) -> str:
    escaped = re.escape(template).replace(r"\{zone\}", r"[^/]+").replace(r"\{n\}", r"(?P<n>\d+)")
    return escaped + "$"


def page_links(
    page: bytes | str, url: str, *, pagination_css: str = "", content_type: str | None = None
) -> list[Link]:
    """Every link of a page in document order, absolute, fragments dropped."""
    root, _ = parse_html(page, content_type)
    return links_of(root, url, pagination_css=pagination_css)


def links_of(root: HtmlElement, url: str, *, pagination_css: str = "") -> list[Link]:
    """Like :func:`page_links`, for a parsed tree."""
    paging = set()
    if pagination_css:
        for element in select(root, pagination_css):
            paging.update(element.iter("a") if element.tag != "a" else [element])
    links = []
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        absolute = (join_url(url, href) or "").split("#", 1)[0]
        if not absolute or urlsplit(absolute).scheme not in ("http", "https"):
            continue
        links.append(Link(absolute, inline_text(anchor), anchor in paging))
    return links


def item_links(root: HtmlElement, url: str, item_css: str) -> list[str]:
    """The article links of a listing, by the platform's item selector, in order."""
    urls = []
    for element in select(root, item_css):
        anchors = [element] if element.tag == "a" else list(element.iter("a"))
        for anchor in anchors[:1]:
            href = (anchor.get("href") or "").strip()
            if href and not href.startswith(("#", "javascript:")) and (u := join_url(url, href)):
                urls.append(u.split("#", 1)[0])
    return list(dict.fromkeys(urls))


@dataclass(frozen=True)
class ListingArticles:
    """The article links of a listing page, which rule found them, and the listing parser's
    idea of the next page (used when the site's own pagination scheme finds none)."""

    urls: list[str]
    rule: str
    parser_next: str | None = None


def listing_articles(
    page: bytes | str,
    root: HtmlElement,
    url: str,
    *,
    item_css: str,
    is_article: Callable[[str], bool],
    pagination_css: str = "",
    content_type: str | None = None,
) -> ListingArticles:
    """The article links of a listing page, in page order, by the first rule that finds any:
    the site entry's ``item_css``; the listing parser's items (its platform profiles know
    teasers from sidebars) that ``is_article`` accepts; every article-pattern link outside
    the pagination."""
    if item_css:
        urls = [u for u in item_links(root, url, item_css) if is_article(u)]
        if urls:
            return ListingArticles(urls, "item_css")
    listing = parse_listing(page, url, content_type=content_type)
    urls = [item.url for item in listing.items if is_article(item.url)]
    if urls:
        return ListingArticles(list(dict.fromkeys(urls)), "listing_parser", listing.next_url)
    urls = [
        link.url
        for link in links_of(root, url, pagination_css=pagination_css)
        if not link.in_pagination and is_article(link.url)
    ]
    return ListingArticles(list(dict.fromkeys(urls)), "article_pattern", listing.next_url)


def next_page(
    url: str, number: int, links: list[Link], pagination: Pagination, *, zone: str | None = None
) -> tuple[str, int] | None:
    """The URL and number of the page after page ``number`` of the listing at ``url``.

    Only the next page is followed, never every page the pagination shows, so that an
    incremental walk can stop where the archive already has everything.
    """
    wanted = number + 1
    if pagination.kind == "template":
        if "{zone}" in pagination.template and not zone:
            return None
        path = pagination.template.format(n=wanted, zone=zone or "")
        return urljoin(url, path), wanted
    key = pagination.listing_key(url)
    labelled_next = None
    for link in links:
        if link.url == url:
            continue
        if pagination.kind == "links":
            if not link.in_pagination:
                continue
            if link.text.strip() == str(wanted):
                return link.url, wanted
        elif pagination.listing_key(link.url) == key:
            found = pagination.page_number(link.url)
            if found is None and link.in_pagination and link.text.strip() == str(wanted):
                found = wanted
            if found == wanted:
                return link.url, wanted
        if labelled_next is None and link.in_pagination and _is_next_label(link.text):
            labelled_next = link.url
    return (labelled_next, wanted) if labelled_next else None


def _is_next_label(text: str) -> bool:
    return text.strip().lower() in NEXT_LABELS


def zone_of(root: HtmlElement, spec: str) -> str | None:
    """The zone id a first listing page names (``css@attr``), for template pagination."""
    for _, value in select_values(root, spec):
        if value:
            return value
    return None


def feed_links(root: HtmlElement, url: str) -> list[str]:
    """Feeds a page announces with ``<link rel="alternate" type="application/rss+xml">``."""
    found = []
    for link in root.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower()
        href = (link.get("href") or "").strip()
        if "alternate" in rel and kind in FEED_TYPES and href and (feed := join_url(url, href)):
            found.append(feed)
    return list(dict.fromkeys(found))


def canonical_link(root: HtmlElement, url: str) -> str | None:
    """The ``<link rel="canonical">`` a page declares, absolute, or None."""
    for link in root.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
            return join_url(url, link.get("href").strip())
    return None


@dataclass(frozen=True)
class FeedEntry:
    """One item of an RSS or Atom feed, or one URL of a sitemap."""

    url: str
    title: str | None = None
    date: str | None = None  # as the feed wrote it (pubDate, updated, lastmod)


def _xml_root(data: bytes) -> etree._Element | None:
    """Parse XML without network access or entity expansion; None when it is not XML."""
    if data[:2] == b"\x1f\x8b":
        data = _gunzip(data)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)
    try:
        return etree.fromstring(data.lstrip(), parser=parser)
    except (etree.XMLSyntaxError, ValueError):
        return None


def _gunzip(data: bytes) -> bytes:
    """Decompress a gzipped sitemap, refusing to inflate beyond the protocol's size limit."""
    with gzip.GzipFile(fileobj=io.BytesIO(data)) as file:
        out = file.read(MAX_SITEMAP_BYTES + 1)
    if len(out) > MAX_SITEMAP_BYTES:
        raise ValueError("sitemap larger than 50 MB uncompressed")
    return out


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname.lower() if isinstance(element.tag, str) else ""


def _child_text(element: etree._Element, *names: str) -> str | None:
    for child in element:
        if _local(child) in names and (child.text or "").strip():
            return child.text.strip()
    return None


def parse_feed(data: bytes, url: str = "") -> list[FeedEntry]:
    """Entries of an RSS 2.0, RSS 1.0 (RDF) or Atom feed, in feed order."""
    try:
        root = _xml_root(data)
    except ValueError:
        return []
    if root is None:
        return []
    entries = []
    for element in root.iter():
        name = _local(element)
        if name == "item":
            link = _child_text(element, "link", "guid")
        elif name == "entry":
            link = _atom_link(element)
        else:
            continue
        if link and (absolute := join_url(url, link)):
            entries.append(
                FeedEntry(
                    absolute,
                    _child_text(element, "title"),
                    _child_text(element, "pubdate", "date", "published", "updated"),
                )
            )
    return entries


def _atom_link(entry: etree._Element) -> str | None:
    for child in entry:
        if _local(child) == "link" and child.get("rel", "alternate") == "alternate":
            return child.get("href")
    return None


@dataclass(frozen=True)
class Sitemap:
    """A parsed sitemap: either an index of other sitemaps or a set of page URLs."""

    is_index: bool
    entries: tuple[FeedEntry, ...]


def parse_sitemap(data: bytes, url: str = "") -> Sitemap:
    """A ``<sitemapindex>`` or ``<urlset>`` (gzipped or not); empty when it is neither."""
    try:
        root = _xml_root(data)
    except ValueError:
        root = None
    if root is None or _local(root) not in ("sitemapindex", "urlset"):
        return Sitemap(False, ())
    entries = []
    for element in root:
        if _local(element) in ("sitemap", "url"):
            loc = _child_text(element, "loc")
            if loc and (absolute := join_url(url, loc)):
                entries.append(FeedEntry(absolute, None, _child_text(element, "lastmod")))
    return Sitemap(_local(root) == "sitemapindex", tuple(entries))
