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
the article), while costing about 20 ms a page on the real pages against about 1.5 ms for
a whole record here; and it cannot say which rule produced a field, which every record must.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache, cached_property, lru_cache

from lxml import etree

from crawler.parsers.dates import VN_TZ, ParsedDate, parse_date_detail
from crawler.parsers.html import (
    AttributeIndex,
    HtmlElement,
    element_values,
    inline_text,
    select,
    selector_needs,
    selector_xpath,
    text_content,
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
# Class-name parts that say "title" (English or Vietnamese).
_TITLE_CLASS_PARTS = ("title", "tieude", "tieu-de")
_TITLE_SEPARATORS = re.compile(r"\s+[-–—|:»]\s+")
# The first step of cssselect's XPath for a selector that starts with a class, ".x" or
# "tag.x" (the class among the element's class names) or "[class*='x']" (in its class
# attribute), then the steps after it, if any.
_CLASS_STEP = re.compile(
    r"^descendant-or-self::(?P<tag>\*|[a-z][a-z0-9]*)"
    r"\[@class and contains\(@class, '(?P<name>[\w-]+)'\)"
    r"(?P<whole> and contains\(concat\(' ', normalize-space\(@class\), ' '\), ' (?P=name) '\))?\]"
    r"(?P<rest>/.*)?$",
    re.DOTALL,
)
_META_EQUALS = re.compile(r"""^meta\[([a-z][a-z0-9_-]*)=(['"])([^'"]*)\2\]$""")
# An attribute name an XPath step can name as it is (no namespace prefix).
_PLAIN_NAME = re.compile(r"^[a-z_][a-z0-9_.-]*$")
_BLOCK_CANDIDATES = frozenset({"div", "td", "article", "section", "main"})
# Paragraph-like elements; a nested <table> is not one: old portals lay whole pages out in
# tables. A <div> counts when all its children are inline.
_PARAGRAPH_TAGS = ("p", "blockquote", "pre", "h2", "h3", "h4", "ul", "ol", "div")
_INLINE = frozenset(
    {"a", "b", "strong", "i", "em", "u", "span", "font", "br", "img", "sup", "sub", "small"}
)
MIN_BODY_CHARS = 100


@dataclass(frozen=True)
class _Compound:
    """A simple selector (``tag#id.class[attr='v']``) checked on one element without XPath."""

    tag: str | None
    id: str | None
    classes: frozenset[str]
    attributes: tuple[tuple[str, str | None], ...]

    def matches(self, node: HtmlElement, tag: str, classes: list[str]) -> bool:
        """Whether ``node`` (its tag and the names in its class attribute given) matches."""
        if self.tag is not None and tag != self.tag:
            return False
        if self.id is not None and node.get("id") != self.id:
            return False
        if self.classes and not self.classes.issubset(classes):
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
    """A profile's chrome selectors, the simple ones indexed so that an element is checked
    against few of them; the others (``complex``) are run over the page."""

    by_id: dict[str, list[_Compound]] = field(default_factory=dict)
    by_class: dict[str, list[_Compound]] = field(default_factory=dict)
    by_attribute: dict[str, list[_Compound]] = field(default_factory=dict)
    by_tag: dict[str, list[_Compound]] = field(default_factory=dict)
    complex: list[str] = field(default_factory=list)

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
        """Whether a compound keyed by the node's tag, id, classes or attributes matches it
        (most nodes have none of these keys: nothing else is done for them)."""
        candidates: list[_Compound] = []
        if self.by_tag:
            candidates += self.by_tag.get(tag, ())
            candidates += self.by_tag.get("*", ())
        if self.by_id and (node_id := node.get("id")) is not None:
            candidates += self.by_id.get(node_id, ())
        if self.by_class:
            for token in classes:
                if token in self.by_class:
                    candidates += self.by_class[token]
        for attribute, compounds in self.by_attribute.items():
            if node.get(attribute) is not None:
                candidates += compounds
        return bool(candidates) and any(c.matches(node, tag, classes) for c in candidates)


@dataclass(frozen=True)
class _ClassLed:
    """A selector that starts with a class (see :data:`_CLASS_STEP`): what the class index
    answers for its first step, and the XPath of the rest (run from those elements, the
    variable ``lead``), if any."""

    tag: str | None
    name: str
    whole: bool  # the whole class name (".x"), or part of the class attribute
    rest: etree.XPath | None


@cache
def _class_led(selector: str) -> _ClassLed | None:
    """``selector`` as a :class:`_ClassLed`, or None when it starts otherwise."""
    if "," in selector:
        return None
    match = _CLASS_STEP.match(selector_xpath(selector))
    if match is None:
        return None
    tag, rest = match.group("tag"), match.group("rest")
    return _ClassLed(
        tag=None if tag == "*" else tag,
        name=match.group("name"),
        whole=match.group("whole") is not None,
        rest=etree.XPath("$lead" + rest) if rest else None,
    )


@cache
def _meta_selector(selector: str) -> tuple[str, str] | None:
    """``(attribute, value)`` for a selector ``meta[attribute='value']``, else None."""
    match = _META_EQUALS.match(selector)
    return (match.group(1), match.group(3)) if match else None


def leading_class(selector: str) -> str | None:
    """The class name, or part of the class attribute, that a selector starts with (``.x h1``,
    ``[class*='x'] a``): every match is found from an element having it. None for a selector
    that starts otherwise."""
    class_led = _class_led(selector)
    return class_led.name if class_led is not None else None


@cache
def _attribute_values(name: str) -> etree.XPath:
    """An XPath returning every value of an attribute (``name`` as :data:`_PLAIN_NAME`)."""
    return etree.XPath(f"//*/@{name}", smart_strings=False)


@cache
def _chrome_rules(profile_key: str) -> _ChromeRules:
    """The chrome selectors of a profile's chain: the simple ones (a compound such as
    ``div#x.y[a='b']``) as matchers keyed by their id or first class, tried on the ancestors
    of a candidate; a matcher needs no check that the page has its class, id or attribute
    first, since it tests them on the element itself."""
    rules = _ChromeRules()
    for source in profile_chain(profile_key):
        for selector in source.chrome:
            compound = _compound(selector)
            if compound is None:
                rules.complex.append(selector)
            else:
                rules.add(compound)
    return rules


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


class _MetaValues(Mapping[str, str]):
    """``<meta>`` contents by key, normalised when first read: pages carry dozens of them
    (keywords, Open Graph, verification codes) and the parsers read a handful."""

    def __init__(self, contents: dict[str, str]) -> None:
        self._contents = contents
        self._normalised: dict[str, str] = {}

    def __getitem__(self, key: str) -> str:
        value = self._normalised.get(key)
        if value is None:
            value = self._normalised[key] = normalize_line(self._contents[key])
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self._contents)

    def __len__(self) -> int:
        return len(self._contents)


class PageContext:
    """A parsed page with its platform profile, and the chrome of the page computed once.

    The page's tree must not change while the context is in use: its index of classes
    answers selectors (extractors change copies, as the body's).
    """

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
        self._attribute_texts: dict[str, str] = {}

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
        if not self.index.may_match(selector):
            return False
        for attribute, value in selector_needs(selector).other_parts:
            text = self._attribute_text(attribute)
            if text is not None and value not in text:
                return False
        return True

    def _attribute_text(self, name: str) -> str | None:
        """Every value of the attribute ``name`` on the page, joined: where a selector's
        ``[name*='value']`` is looked for (a few times shorter than the page source). None
        when the page source is unknown and the name is not one an XPath step can take."""
        text = self._attribute_texts.get(name)
        if text is None:
            if not _PLAIN_NAME.match(name):
                return self.source or None
            text = self._attribute_texts[name] = " ".join(_attribute_values(name)(self.root))
        return text

    def select(self, selector: str, within: HtmlElement | None = None) -> list[HtmlElement]:
        """Elements matching a selector in ``within`` or the page, skipping hopeless ones.

        On the whole page, a selector that starts with a class (``.x``, ``div.x``,
        ``[class*='x']``, then maybe `` h1``) takes the elements of that class from the class
        index and runs the rest of its XPath from them: a few times faster than the XPath
        alone, which tests the class of every element of the page.
        """
        if within is None and (meta := _meta_selector(selector)) is not None:
            # "meta[name='x']": a look at the page's few <meta>, no check or walk needed.
            name, value = meta
            return [element for element in self._meta_elements if element.get(name) == value]
        if not self.may_match(selector):
            return []
        if within is not None:
            return select(within, selector)
        class_led = _class_led(selector)
        if class_led is None:
            return select(self.root, selector)
        index = self.index
        lead = (
            index.with_class(class_led.name) if class_led.whole else index.classed(class_led.name)
        )
        if class_led.tag is not None:
            lead = [element for element in lead if element.tag == class_led.tag]
        if class_led.rest is None or not lead:
            return lead
        return class_led.rest(self.root, lead=lead)

    def select_values(self, spec: str) -> Iterator[tuple[HtmlElement, str]]:
        """Like :func:`crawler.parsers.html.select_values`, with the shortcuts of :meth:`select`."""
        selector, _, attribute = spec.partition("@")
        yield from element_values(self.select(selector), attribute)

    @cached_property
    def _chrome_marked(self) -> set[HtmlElement]:
        """The elements the complex chrome selectors match, found once over the page."""
        marked: set[HtmlElement] = set()
        for selector in _chrome_rules(self.profile.key).complex:
            marked.update(self.select(selector))
        return marked

    @cached_property
    def title_like(self) -> list[HtmlElement]:
        """Elements whose class names a title ("title", "tieude", "tieu-de"), in page order
        (read from the class index: no walk of the tree)."""
        return self.index.classed(*_TITLE_CLASS_PARTS)

    @cached_property
    def _meta_elements(self) -> list[HtmlElement]:
        return list(self.root.iter("meta"))

    @cached_property
    def meta(self) -> Mapping[str, str]:
        """``<meta>`` values by property, name or itemprop (lower-cased key), first one wins."""
        contents: dict[str, str] = {}
        for element in self._meta_elements:
            key = element.get("property") or element.get("name") or element.get("itemprop")
            content = element.get("content")
            if key and content is not None:
                contents.setdefault(key.lower(), content)
        return _MetaValues(contents)

    @cached_property
    def title_tag(self) -> str:
        element = self.root.find(".//title")
        return inline_text(element) if element is not None else ""

    def _is_chrome(self, node: HtmlElement) -> bool:
        tag = node.tag
        if not isinstance(tag, str) or tag in ("body", "html"):
            return False  # their classes describe the whole page ("layout-one-sidebar")
        if tag in _CHROME_TAGS:
            return True
        classes = (node.get("class") or "").split()
        if _chrome_rules(self.profile.key).matches(node, tag, classes):
            return True
        if self._chrome_marked and node in self._chrome_marked:
            return True
        if tag == "header":
            return next(node.iterancestors("article"), None) is None
        if tag == "form":
            return len(text_content(node)) < _SMALL_FORM_CHARS and not node.xpath(_PAGE_PARTS)
        return any(map(_is_chrome_class, classes))

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
        raw = text_content(element)
        if len(raw) > 4 * len(title_words) + 40:
            continue  # far longer than the <title>: a container, not a heading
        if len(raw.split()) < 3:
            continue  # fewer than three words: a label ("Tin tức"), not a title
        text = collapsed_text(raw).casefold()
        if len(text) > best_length and text in title_words and not page.in_chrome(element):
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


def _paragraphs(root: HtmlElement) -> Iterator[tuple[HtmlElement, HtmlElement]]:
    """``(paragraph, block)`` for each paragraph-like element whose parent is a candidate
    block, in document order. (Iterating in C and testing tags in Python costs a third of an
    XPath union of the same elements: libxml2 sorts a union into document order.)"""
    for paragraph in root.iter(_PARAGRAPH_TAGS):
        parent = paragraph.getparent()
        if parent is None or parent.tag not in _BLOCK_CANDIDATES:
            continue
        if paragraph.tag == "div" and len(paragraph) and _has_block_child(paragraph):
            continue  # a <div> of blocks: a container, not a paragraph
        yield paragraph, parent


def _has_block_child(element: HtmlElement) -> bool:
    """Whether an element has a child element that is not inline (comments do not count)."""
    for child in element:
        tag = child.tag
        if tag not in _INLINE and isinstance(tag, str):
            return True
    return False


def _link_length(element: HtmlElement) -> int:
    length = 0
    for link in element.iter("a"):
        length += len(text_content(link).strip())
    return length


def densest_block(page: PageContext) -> HtmlElement | None:
    """The element whose own paragraphs hold the most text: the generic body rule.

    A block scores the text of its paragraph children (``p``, lists, quotes, and the ``div``s
    old CMSs use as paragraphs: only inline content in them) net of link text, plus its text
    between ``<br>``s. Paragraphs are found with one pass and credited to their parent,
    so the cost follows the number of paragraphs, not of elements. None when no block holds
    ``MIN_BODY_CHARS``: a page with an empty content area (a hotline page whose list is filled
    by JavaScript) has no body, not a breadcrumb for a body.
    """
    scores: dict[HtmlElement, int] = {}
    for paragraph, parent in _paragraphs(page.root):
        score = len(text_content(paragraph).strip()) - _link_length(paragraph)
        scores[parent] = scores.get(parent, 0) + score
    for br in page.root.iter("br"):
        if not br.tail:
            continue
        parent = br.getparent()
        if parent is not None and parent.tag in _BLOCK_CANDIDATES:
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
