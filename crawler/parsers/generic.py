"""What a parser knows about any page, whatever its platform: chrome, headings, content density.

:class:`PageContext` bundles a parsed page with its detected platform profile and answers the
question every extractor asks first: is this element part of the site's chrome (menus,
sidebars, headers, footers, widgets), where a newer date or another title can sit, or part of
the page's own content?

The generic fallback for pages of no known platform lives here too: the title is the heading
the ``<title>`` repeats, the date the first one after the title outside the chrome, and the
body the block whose own paragraphs hold the most text net of link text (content density).
We chose this over trafilatura, measured with bench/parse.py on the two unknown-layout
fixtures (an ASP.NET table layout and a custom CMS) and the real pages: trafilatura took
sidebar or "other news" dates (2024-05-22 for an article of 2024-05-18), the site name as the
title, and left the byline or the whole menu in the body (word similarity 0.91 and 0.61 to
the article), while costing about 23 ms a page on the real pages against about 3 ms for a
whole record here; and it cannot say which rule produced a field, which every record must.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache, cached_property, lru_cache

from lxml import etree

from crawler.parsers.dates import VN_TZ, ParsedDate, parse_date_detail
from crawler.parsers.html import (
    AttributeIndex,
    HtmlElement,
    inline_text,
    select,
    select_values,
    selector_markers,
)
from crawler.parsers.profiles import Detected, Profile, profile_chain
from crawler.parsers.text import normalize_line

# Class-name words that mark chrome. Matched at the start of a class token or after - or _,
# so "box-latest" and "gva_menu" count but "elementor-widget-text-editor" is skipped below.
_CHROME_WORD = re.compile(
    r"(?:^|[_-])(?:sidebar|menu|navbar|widget|hotline|banner|related|latest|counter|footer"
    r"|breadcrumbs?|tin-?moi|tin-?khac|lien-?quan|cot-?phai|cot-?trai|quang-?cao|thong-?ke"
    r"|lien-?ket|box-?right|col-?right)(?:$|[_-])",
    re.IGNORECASE,
)
# Page builders put "widget", "menu" and the like in the class of every block they render.
_BUILDER_PREFIXES = ("elementor", "wp-block", "et_pb", "vc_", "fl-", "jeg_")
_CHROME_TAGS = frozenset({"nav", "aside", "footer"})
# A <form> is a search box or a login box, unless it wraps the whole page (ASP.NET, SharePoint).
_SMALL_FORM_CHARS = 1000
_PAGE_PARTS = "boolean(.//h1 | .//h2 | .//h3 | .//article | .//main)"
_HEADINGS = ("h1", "h2", "h3", "h4")
_HEADING_CHILDREN = 6
# Elements whose class says "title" (English or Vietnamese): one pass, not a CSS union.
_TITLE_LIKE = etree.XPath(
    "//*[contains(@class, 'title') or contains(@class, 'tieude') or contains(@class, 'tieu-de')]"
)
_TITLE_SEPARATORS = re.compile(r"\s+[-–—|:»]\s+")
_BLOCK_CANDIDATES = frozenset({"div", "td", "article", "section", "main"})
# Paragraph-like elements; a nested <table> is not one: old portals lay whole pages out in
# tables. A <div> counts when all its children are inline.
_INLINE = ("a", "b", "strong", "i", "em", "u", "span", "font", "br", "img", "sup", "sub", "small")
_PARAGRAPH_LIKE = etree.XPath(
    "//p | //blockquote | //pre | //h2 | //h3 | //h4 | //ul | //ol | //div[not(*[not("
    + " or ".join(f"self::{tag}" for tag in _INLINE)
    + ")])]"
)
_LINE_BREAKS = etree.XPath("//br")
MIN_BODY_CHARS = 100


@dataclass(frozen=True)
class _Compound:
    """A simple selector (``tag#id.class[attr='v']``) checked on one element without XPath."""

    tag: str | None
    id: str | None
    classes: frozenset[str]
    attributes: tuple[tuple[str, str | None], ...]

    def matches(self, node: HtmlElement, tag: str) -> bool:
        if self.tag is not None and tag != self.tag:
            return False
        if self.id is not None and node.get("id") != self.id:
            return False
        if self.classes and not self.classes.issubset((node.get("class") or "").split()):
            return False
        return all(
            node.get(name) is not None if value is None else node.get(name) == value
            for name, value in self.attributes
        )


_COMPOUND = re.compile(
    r"^([a-z][a-z0-9]*)?((?:[.#][\w-]+|\[[\w-]+(?:=['\"]?[^'\"\]]*['\"]?)?\])*)$"
)
_COMPOUND_PART = re.compile(r"([.#])([\w-]+)|\[([\w-]+)(=)?['\"]?([^'\"\]]*)['\"]?\]")


@dataclass
class _ChromeRules:
    """A page's chrome selectors, indexed so that an element is checked against few of them."""

    by_id: dict[str, list[_Compound]] = field(default_factory=dict)
    by_class: dict[str, list[_Compound]] = field(default_factory=dict)
    by_attribute: dict[str, list[_Compound]] = field(default_factory=dict)
    by_tag: dict[str, list[_Compound]] = field(default_factory=dict)
    marked: set[HtmlElement] = field(default_factory=set)

    def add(self, compound: _Compound) -> None:
        if compound.id is not None:
            self.by_id.setdefault(compound.id, []).append(compound)
        elif compound.classes:
            self.by_class.setdefault(min(compound.classes), []).append(compound)
        elif compound.attributes:
            self.by_attribute.setdefault(compound.attributes[0][0], []).append(compound)
        else:
            self.by_tag.setdefault(compound.tag or "*", []).append(compound)

    def matches(self, node: HtmlElement, tag: str, classes: list[str]) -> bool:
        if node in self.marked:
            return True
        candidates: list[_Compound] = [*self.by_tag.get(tag, ()), *self.by_tag.get("*", ())]
        if (node_id := node.get("id")) is not None:
            candidates += self.by_id.get(node_id, ())
        for token in classes:
            candidates += self.by_class.get(token, ())
        for attribute, compounds in self.by_attribute.items():
            if node.get(attribute) is not None:
                candidates += compounds
        return any(c.matches(node, tag) for c in candidates)


@lru_cache(maxsize=4096)
def _is_chrome_class(token: str) -> bool:
    """A class token that names chrome ("sidebar", "box-latest", "gva_menu", "cot-phai")."""
    return not token.startswith(_BUILDER_PREFIXES) and _CHROME_WORD.search(token) is not None


@cache
def _compound(selector: str) -> _Compound | None:
    """The selector as a :class:`_Compound`, or None when it has combinators or pseudo-classes."""
    match = _COMPOUND.match(selector.strip())
    if match is None or not (match.group(1) or match.group(2)):
        return None
    ids, classes, attributes = [], [], []
    for prefix, name, attribute, equals, value in _COMPOUND_PART.findall(match.group(2)):
        if prefix == "#":
            ids.append(name)
        elif prefix == ".":
            classes.append(name)
        else:
            attributes.append((attribute, value if equals else None))
    if len(ids) > 1:
        return None
    return _Compound(match.group(1), ids[0] if ids else None, frozenset(classes), tuple(attributes))


class PageContext:
    """A parsed page with its platform profile, and the chrome of the page computed once."""

    def __init__(
        self,
        root: HtmlElement,
        url: str | None,
        detected: Detected,
        source: str = "",
        index: AttributeIndex | None = None,
    ) -> None:
        self.root = root
        self.detected_index = index
        self.url = url
        self.source = source
        self.detected = detected
        self.profile: Profile = detected.profile
        self.chain: tuple[Profile, ...] = profile_chain(self.profile.key)
        self._chrome_memo: dict[HtmlElement, bool] = {}
        self._may_match: dict[str, bool] = {}

    def specs(self, field: str) -> Iterator[tuple[Profile, str]]:
        """``(profile, selector)`` for a field: the platform's own first, then its parents'."""
        for source in self.chain:
            for spec in source.selectors.get(field, ()):
                yield source, spec

    def listing_specs(self, field: str) -> Iterator[tuple[Profile, str]]:
        """Like :meth:`specs`, for the listing selectors."""
        for source in self.chain:
            for spec in source.listing.selectors.get(field, ()):
                yield source, spec

    @cached_property
    def index(self) -> AttributeIndex:
        """The page's classes and ids (shared with platform detection when it made one)."""
        return self.detected_index or AttributeIndex.of(self.root)

    def may_match(self, selector: str) -> bool:
        """False when the page lacks a class, id or attribute value the selector needs."""
        known = self._may_match.get(selector)
        if known is None:
            known = self._may_match[selector] = self._markers_present(selector)
        return known

    def _markers_present(self, selector: str) -> bool:
        index = self.index
        for attribute, value, exact in selector_markers(selector):
            if attribute == "class":
                found = value in (index.classes if exact else index.class_text)
            elif attribute == "id":
                found = value in (index.ids if exact else index.id_text)
            else:
                found = value in self.source if self.source else True
            if not found:
                return False
        return True

    def select(self, selector: str, within: HtmlElement | None = None) -> list[HtmlElement]:
        """Elements matching a selector in ``within`` or the page, skipping hopeless ones."""
        if not self.may_match(selector):
            return []
        return select(self.root if within is None else within, selector)

    def select_values(self, spec: str) -> Iterator[tuple[HtmlElement, str]]:
        """Like :func:`crawler.parsers.html.select_values`, with the same shortcut."""
        if not self.may_match(spec):
            return iter(())
        return select_values(self.root, spec)

    @cached_property
    def _chrome_rules(self) -> _ChromeRules:
        """The profile's chrome selectors that can match this page: simple ones as matchers
        keyed by their id or first class (tried on the ancestors of a candidate), complex ones
        run once over the page."""
        rules = _ChromeRules()
        for source in self.chain:
            for selector in source.chrome:
                if not self.may_match(selector):
                    continue
                compound = _compound(selector)
                if compound is None:
                    rules.marked.update(select(self.root, selector))
                else:
                    rules.add(compound)
        return rules

    @cached_property
    def title_like(self) -> list[HtmlElement]:
        """Elements whose class names a title ("title", "tieude", "tieu-de"), in page order."""
        return _TITLE_LIKE(self.root)

    @cached_property
    def meta(self) -> dict[str, str]:
        """``<meta>`` values by property, name or itemprop (lower-cased key), first one wins."""
        values: dict[str, str] = {}
        for element in self.root.iter("meta"):
            key = element.get("property") or element.get("name") or element.get("itemprop")
            content = element.get("content")
            if key and content is not None:
                values.setdefault(key.lower(), normalize_line(content))
        return values

    @cached_property
    def title_tag(self) -> str:
        element = self.root.find(".//title")
        return inline_text(element) if element is not None else ""

    def _is_chrome(self, node: HtmlElement) -> bool:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in ("body", "html", ""):
            return False  # their classes describe the whole page ("layout-one-sidebar")
        if tag in _CHROME_TAGS:
            return True
        classes = (node.get("class") or "").split()
        if self._chrome_rules.matches(node, tag, classes):
            return True
        if tag == "header":
            return next(node.iterancestors("article"), None) is None
        if tag == "form":
            return len(node.text_content()) < _SMALL_FORM_CHARS and not node.xpath(_PAGE_PARTS)
        return any(_is_chrome_class(token) for token in classes)

    def in_chrome(self, element: HtmlElement) -> bool:
        """True when an element sits in navigation, a sidebar, a header, a footer or a widget."""
        path: list[HtmlElement] = []
        node: HtmlElement | None = element
        result = False
        while node is not None:
            known = self._chrome_memo.get(node)
            if known is not None:
                result = known
                break
            path.append(node)
            if self._is_chrome(node):
                result = True
                break
            node = node.getparent()
        for visited in path:
            self._chrome_memo[visited] = result
        return result

    def values(
        self, field: str, *, skip_chrome: bool = True
    ) -> Iterator[tuple[str, HtmlElement, str]]:
        """``(value, element, rule)`` for every candidate of a field, in chain order.

        Specs named ``:name`` in profiles.toml are code rules (see article.py); they are left
        to the extractor of the field.
        """
        for source, spec in self.specs(field):
            if spec.startswith(":"):
                continue
            for element, value in self.select_values(spec):
                if value and not (skip_chrome and self.in_chrome(element)):
                    yield value, element, f"{source.key}:{spec}"


def collapsed_text(raw: str) -> str:
    """Raw element text on one line and composed (NFC): a cheap stand-in for inline_text when
    only comparing or measuring (no entity repair)."""
    text = " ".join(raw.split())
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def strip_site_name(title: str, site_names: tuple[str, ...]) -> str:
    """A page title without a trailing " - Site name" when the site name is known."""
    for name in site_names:
        if not name:
            continue
        for separator in (" - ", " | ", " – ", " — "):
            if title.endswith(separator + name) and len(title) > len(separator + name) + 4:
                return title[: -len(separator + name)].strip()
    return title


def title_from_title_tag(title_tag: str) -> str | None:
    """The article title inside a ``<title>``: the part before a " - Site name" suffix."""
    parts = _TITLE_SEPARATORS.split(title_tag)
    if len(parts) == 1:
        return title_tag or None
    head = " - ".join(parts[:-1]) if len(parts) > 2 else parts[0]
    return head if len(head.split()) >= 2 else title_tag


def heading_in_title_tag(page: PageContext) -> HtmlElement | None:
    """The longest heading-like element whose text the ``<title>`` contains.

    On unknown layouts the title is often a ``span`` or ``td`` with a site-specific class, but
    the ``<title>`` repeats it next to the site name: an element whose whole text is a part of
    the ``<title>`` is the article title, not a portlet or sidebar heading.
    """
    title_tag = page.title_tag.casefold()
    if not title_tag:
        return None
    title_words = " ".join(title_tag.split())
    best, best_length = None, 0
    for element in (*page.root.iter(*_HEADINGS), *page.title_like):
        if len(element) > _HEADING_CHILDREN:
            continue  # a box with a title class, not a title
        raw = element.text_content()
        if len(raw) > 4 * len(title_words) + 40:
            continue  # far longer than the <title>: a container, not a heading
        text = collapsed_text(raw).casefold()
        if (
            len(text) > best_length
            and text.count(" ") >= 2
            and text in title_words
            and not page.in_chrome(element)
        ):
            best, best_length = element, len(text)
    return best


def following_elements(element: HtmlElement, limit: int) -> Iterator[HtmlElement]:
    """Elements after ``element`` in document order (not its descendants), at most ``limit``."""
    count = 0
    node: HtmlElement | None = element
    while node is not None and count < limit:
        for sibling in node.itersiblings():
            for candidate in sibling.iter():
                if isinstance(candidate.tag, str):
                    yield candidate
                    count += 1
                    if count >= limit:
                        return
        node = node.getparent()


def _link_length(element: HtmlElement) -> int:
    return sum(len(a.text_content().strip()) for a in element.iter("a"))


def densest_block(page: PageContext) -> HtmlElement | None:
    """The element whose own paragraphs hold the most text: the generic body rule.

    A block scores the text of its paragraph children (``p``, lists, quotes, and the ``div``s
    old CMSs use as paragraphs: only inline content in them) net of link text, plus its text
    between ``<br>``s. Paragraphs are found with one XPath pass and credited to their parent,
    so the cost follows the number of paragraphs, not of elements. None when no block holds
    ``MIN_BODY_CHARS``: a page with an empty content area (a hotline page whose list is filled
    by JavaScript) has no body, not a breadcrumb for a body.
    """
    scores: dict[HtmlElement, int] = {}
    for paragraph in _PARAGRAPH_LIKE(page.root):
        parent = paragraph.getparent()
        if parent is None or parent.tag not in _BLOCK_CANDIDATES:
            continue
        score = len(paragraph.text_content().strip())
        if next(paragraph.iter("a"), None) is not None:
            score -= _link_length(paragraph)
        scores[parent] = scores.get(parent, 0) + score
    for br in _LINE_BREAKS(page.root):
        parent = br.getparent()
        if br.tail and parent is not None and parent.tag in _BLOCK_CANDIDATES:
            scores[parent] = scores.get(parent, 0) + len(br.tail.strip())
    for block, score in sorted(scores.items(), key=lambda item: -item[1]):
        if score < MIN_BODY_CHARS:
            return None
        total = score + len((block.text or "").strip())
        if total >= MIN_BODY_CHARS and not page.in_chrome(block):
            return block
    return None


def url_date(page: PageContext, url: str | None) -> datetime | None:
    """A date encoded in a URL by the platform (chinhphu.vn: ``-102YYMMDDhhmmssNNN.htm``)."""
    if not url:
        return None
    for source in page.chain:
        for pattern in source.url_date:
            match = pattern.search(url)
            if match is None:
                continue
            g = match.groupdict()
            try:
                return datetime(
                    2000 + int(g["y"]) if len(g["y"]) == 2 else int(g["y"]),
                    int(g["m"]),
                    int(g["d"]),
                    int(g.get("H") or 0),
                    int(g.get("M") or 0),
                    int(g.get("S") or 0),
                    tzinfo=VN_TZ,
                )
            except ValueError:
                continue
    return None


def read_page_date(text: str, base: datetime | None, anchor: datetime | None) -> ParsedDate | None:
    """A date from page text; a year-less one takes its year from the page date (``anchor``)."""
    parsed = parse_date_detail(text, base=base)
    if anchor is not None and (
        (parsed is None and base is None)
        or (parsed is not None and "year taken from base" in parsed.warnings)
    ):
        parsed = parse_date_detail(text, base=anchor) or parsed
    return parsed


def date_as_shown(text: str, parsed: ParsedDate) -> str:
    """The date as the page shows it: labels kept, what follows the date (a view counter) cut."""
    start = text.find(parsed.matched)
    if start < 0:
        return text
    end = start + len(parsed.matched)
    if not text[end:].strip(" )]}."):
        return text
    return text[:end].rstrip(" |-–,")
