"""Read a listing (category) page: its teasers in page order, and where its other pages are.

Same profiles as the article parser (``[<platform>.listing]`` in profiles.toml): the first item
selector that finds teasers outside the chrome wins, so a "latest news" sidebar never passes
for the listing. Page links are numbered by the platform's scheme (Liferay ``_101_cur=N`` or
``..._cur=N``, WordPress ``/page/N/``, Drupal ``?page=N`` counted from 0, SharePoint
``?page=N``) or, for WebSphere portlet links whose state is opaque, by their text. A page of
no known platform falls back to the largest group of sibling blocks that each hold one
heading link.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime

from crawler.parsers.dates import to_iso
from crawler.parsers.generic import PageContext, date_as_shown, read_page_date, url_date
from crawler.parsers.html import AttributeIndex, HtmlElement, inline_text, parse_page
from crawler.parsers.profiles import detect_platform
from crawler.parsers.records import Listing, ListingItem, PageLink
from crawler.urls import join_url

_NEXT_TEXT = re.compile(
    r"^(?:next|sau|tiếp|trang sau|tiếp theo|xem thêm|older posts|›|»|>|>>|→)", re.IGNORECASE
)
_TOTAL = re.compile(
    r"(?:of|của|trên|tổng(?:\s+số)?:?)\s*([\d.,]+)\s*(?:kết quả|bài|tin|mục|results?|items?)?",
    re.IGNORECASE,
)
_ACTIVE = re.compile(r"(?:^|\s)(?:active|current|is-active|selected)(?:\s|$)")
_MIN_TITLE = 8
_MIN_SUMMARY = 15


def _absolute(base: str | None, href: str | None) -> str | None:
    href = (href or "").strip()
    if not href or href.startswith(("javascript:", "mailto:", "#")):
        return None
    return join_url(base, href)


def _base_url(root: HtmlElement, url: str | None) -> str | None:
    """The URL relative links resolve against (a ``<base href>`` wins over the page URL)."""
    base = root.find(".//base[@href]")
    return (join_url(url, base.get("href")) or url) if base is not None else url


# --- items ----------------------------------------------------------------------------------


def _title_link(page: PageContext, item: HtmlElement) -> HtmlElement | None:
    for _source, spec in page.listing_specs("title"):
        for link in page.select(spec, item):
            if link.get("href") and len(inline_text(link)) >= _MIN_TITLE:
                return link
    return None


def _item_date(
    page: PageContext, item: HtmlElement, link_url: str, fetched_at: datetime | None
) -> tuple[str | None, str | None]:
    """``(ISO date, date as shown)`` of a teaser; from the URL where the platform encodes it."""
    for _source, spec in page.listing_specs("date"):
        selector, _, attribute = spec.partition("@")
        for element in page.select(selector, item):
            shown = inline_text(element)
            value = " ".join(element.get(attribute, "").split()) if attribute else shown
            if not value:
                continue
            parsed = read_page_date(value, fetched_at, None)
            if parsed is not None:
                as_shown = shown if attribute and shown else date_as_shown(value, parsed)
                return to_iso(parsed.value), as_shown
    from_url = url_date(page, link_url)
    return (to_iso(from_url), None) if from_url else (None, None)


def _item_summary(page: PageContext, item: HtmlElement, title: str) -> str | None:
    for _source, spec in page.listing_specs("summary"):
        for element in page.select(spec, item):
            text = inline_text(element)
            if len(text) >= _MIN_SUMMARY and text != title and title not in text:
                return text
    return None


def _item(
    page: PageContext, item: HtmlElement, base: str | None, fetched_at: datetime | None
) -> ListingItem | None:
    link = _title_link(page, item)
    if link is None:
        return None
    url = _absolute(base, link.get("href"))
    if url is None:
        return None
    title = inline_text(link)
    published_at, published_text = _item_date(page, item, url, fetched_at)
    return ListingItem(
        title=title,
        url=url,
        published_at=published_at,
        published_text=published_text,
        summary=_item_summary(page, item, title),
    )


def _looks_like_headline(text: str) -> bool:
    """Link text long enough to be an article title rather than a menu entry."""
    return len(text) >= 25 and len(text.split()) >= 5


def _repeated_blocks(page: PageContext) -> list[HtmlElement]:
    """The largest group of sibling blocks that each hold exactly one heading link."""
    links = [
        a
        for a in page.root.iter("a")
        if a.get("href") and _looks_like_headline(inline_text(a)) and not page.in_chrome(a)
    ]
    # How many headline links each element holds, so that a link's teaser is its highest
    # ancestor holding no other headline link.
    counts: dict[HtmlElement, int] = defaultdict(int)
    for link in links:
        for ancestor in link.iterancestors():
            counts[ancestor] += 1
    groups: dict[HtmlElement, list[HtmlElement]] = defaultdict(list)
    for link in links:
        item = link
        parent = item.getparent()
        while parent is not None and counts[parent] == 1:
            item, parent = parent, parent.getparent()
        if parent is not None:
            groups[parent].append(item)
    best = max(groups.values(), key=len, default=[])
    return best if len(best) >= 2 else []


def _items(
    page: PageContext, base: str | None, fetched_at: datetime | None
) -> tuple[list[ListingItem], str | None]:
    for source, spec in page.listing_specs("item"):
        elements = [e for e in page.select(spec) if not page.in_chrome(e)]
        items = [i for i in (_item(page, e, base, fetched_at) for e in elements) if i]
        if items:
            return items, f"{source.key}:{spec}"
    elements = _repeated_blocks(page)
    items = [i for i in (_item(page, e, base, fetched_at) for e in elements) if i]
    return items, "generic::repeated-blocks" if items else None


# --- pagination -----------------------------------------------------------------------------


def _page_number(page: PageContext, url: str) -> int | None:
    """The page number a URL names, by the platform's scheme (Drupal's 0 is page 1)."""
    for source in page.chain:
        for pattern in source.listing.page_param:
            match = pattern.search(url)
            if match:
                first = source.listing.first_page
                return int(match.group(1)) - (1 if first is None else first) + 1
    return None


def _link_number(page: PageContext, link: HtmlElement, url: str) -> int | None:
    number = _page_number(page, url)
    if number is None:
        text = inline_text(link)
        number = int(text) if text.isdigit() else None
    return number


def _pagination_links(page: PageContext, base: str | None) -> Iterator[tuple[HtmlElement, str]]:
    seen: set[HtmlElement] = set()
    for _source, spec in page.listing_specs("pagination"):
        for link in page.select(spec):
            url = _absolute(base, link.get("href"))
            # Pagers sit in <nav> elements, which are chrome for every other purpose.
            if url and link not in seen:
                seen.add(link)
                yield link, url


def _current_page(page: PageContext, url: str | None, links: list[tuple[HtmlElement, str]]) -> int:
    """The page this is: by the URL's page parameter, else the pager's highlighted number."""
    if url and (number := _page_number(page, url)) is not None:
        return number
    containers: list[HtmlElement] = []
    for link, _url in links:
        for ancestor in list(link.iterancestors())[:2]:
            if ancestor not in containers:
                containers.append(ancestor)
    for container in containers:
        for element in container.iter():
            marked = _ACTIVE.search(element.get("class") or "") or element.get("aria-current")
            if marked and (text := inline_text(element)).isdigit():
                return int(text)
    return 1


def _next_url(
    page: PageContext,
    base: str | None,
    current: int,
    numbered: list[tuple[int | None, HtmlElement, str]],
) -> tuple[str | None, str | None]:
    """``(url, rule)`` of the next page: the platform's next link, a "Sau »" link, or N+1."""
    for source, spec in page.listing_specs("next"):
        selector, _, attribute = spec.partition("@")
        for element in page.select(selector):
            url = _absolute(base, element.get(attribute or "href"))
            if url is None:
                continue
            number = _page_number(page, url)
            if number is None or number > current:
                return url, f"{source.key}:{spec}"
    for number, link, url in numbered:
        if _NEXT_TEXT.match(inline_text(link)) and (number is None or number > current):
            return url, "generic:next-text"
    for number, _link, url in numbered:
        if number == current + 1:
            return url, "generic:current+1"
    return None, None


def _total(page: PageContext) -> int | None:
    for _source, spec in page.listing_specs("total"):
        for element in page.select(spec):
            numbers = _TOTAL.findall(inline_text(element))
            if numbers:
                return int(re.sub(r"[.,]", "", numbers[-1]))
    return None


def parse_listing(
    page: bytes | str,
    url: str | None = None,
    *,
    content_type: str | None = None,
    fetched_at: datetime | None = None,
) -> Listing:
    """Extract the items and pagination of a listing page (bytes or text).

    Item URLs are absolute when ``url`` is given. ``fetched_at`` anchors year-less and relative
    item dates ("2 giờ trước"); without it those dates are left out rather than guessed.
    """
    parsed = parse_page(page, content_type)
    index = AttributeIndex.of(parsed.root)
    detected = detect_platform(url, parsed.text, parsed.root, index)
    ctx = PageContext(parsed.root, url, detected, parsed.text, index)
    base = _base_url(parsed.root, url)
    items, item_rule = _items(ctx, base, fetched_at)
    links = list(_pagination_links(ctx, base))
    current = _current_page(ctx, url, links)
    numbered = [(_link_number(ctx, link, href), link, href) for link, href in links]
    pages: dict[int, str] = {}
    for number, _link, href in numbered:
        if number is not None and number >= 1:
            pages.setdefault(number, href)
    next_url, next_rule = _next_url(ctx, base, current, numbered)
    warnings = [] if items else ["no listing items found"]
    return Listing(
        url=url,
        items=items,
        current_page=current,
        next_url=next_url,
        pages=[PageLink(number=n, url=pages[n]) for n in sorted(pages)],
        total_items=_total(ctx),
        extraction={
            "profile": detected.profile.key,
            "detected_by": list(detected.evidence),
            "rules": {k: v for k, v in (("items", item_rule), ("next_url", next_rule)) if v},
        },
        warnings=warnings,
    )
