"""Build lxml trees from page bytes and read text out of them the way a reader sees it."""

from __future__ import annotations

import codecs
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache

import lxml.html
from cssselect import SelectorError
from cssselect import parser as css_parser
from cssselect.parser import parse as parse_css
from lxml import etree
from lxml.cssselect import CSSSelector

from crawler.parsers.text import decode_html, normalize_line, normalize_text

HtmlElement = lxml.html.HtmlElement

BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    ]
)
SKIP_TAGS = frozenset(
    ["script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "canvas"]
)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>", re.IGNORECASE)
_SELECTORS: dict[str, Callable[[HtmlElement], list[HtmlElement]]] = {}
_TAG_NAME = re.compile(r"^[a-z][a-z0-9]*$")
_LOCAL = threading.local()
# "//*/@" is a tenth faster than "//@". Each class value knows its element (getparent()).
_ALL_CLASSES = etree.XPath("//*/@class")
_ALL_IDS = etree.XPath("//*/@id", smart_strings=False)
_XML_SPACES = re.compile(r"[ \t\r\n]+")  # what separates class names for XPath's normalize-space


@dataclass(frozen=True)
class AttributeIndex:
    """Every class token and id of a page, as sets and as text: what selectors and platform
    markers are checked against before any tree walk (two XPath calls in C); and every class
    attribute with its element, which answers selectors that start with a class."""

    classes: frozenset[str]
    class_text: str
    ids: frozenset[str]
    id_text: str
    class_values: tuple[str, ...] = ()  # lxml "smart" strings: getparent() is the element

    @classmethod
    def of(cls, root: HtmlElement) -> AttributeIndex:
        class_values = tuple(_ALL_CLASSES(root))
        class_text = " ".join(class_values)
        ids = _ALL_IDS(root)
        return cls(
            frozenset(class_text.split()), class_text, frozenset(ids), " ".join(ids), class_values
        )

    def classed(self, *parts: str) -> list[HtmlElement]:
        """The elements whose class attribute contains one of ``parts``, in document order."""
        if len(parts) == 1:
            return [value.getparent() for value in self.class_values if parts[0] in value]
        search = _alternatives(parts).search
        return [value.getparent() for value in self.class_values if search(value)]

    def with_class(self, name: str) -> list[HtmlElement]:
        """The elements having the class ``name`` (what ``.name`` selects), in document order."""
        return [
            value.getparent()
            for value in self.class_values
            if name in value and name in _XML_SPACES.split(value)
        ]

    def may_match(self, selector: str) -> bool:
        """False when the page lacks a class or id ``selector`` needs: set lookups instead of
        a walk of the tree (other attributes are not indexed, so they may match)."""
        needs = selector_needs(selector)
        if not (needs.classes <= self.classes and needs.ids <= self.ids):
            return False
        return all(part in self.class_text for part in needs.class_parts) and all(
            part in self.id_text for part in needs.id_parts
        )


@cache
def _alternatives(parts: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(map(re.escape, parts)))


@dataclass(frozen=True)
class ParsedPage:
    """A decoded page: its tree, the encoding used and the decoded source text."""

    root: HtmlElement
    encoding: str
    text: str


def parse_page(body: bytes | str, content_type: str | None = None) -> ParsedPage:
    """Decode and parse a page, keeping the decoded source for platform detection.

    Decoding happens first (see :func:`decode_html`) because lxml, given bytes, ignores a meta
    charset whose attributes come in Liferay's order and falls back to Latin-1.
    """
    text, encoding = decode_html(body, content_type)
    source: str | bytes = _XML_DECLARATION.sub("", text, count=1)
    parser = _parser()
    if not source.strip():
        source = "<html></html>"
    elif isinstance(body, bytes) and _is_text_as_utf8(body, text, encoding) and source == text:
        # lxml parses UTF-8 bytes as they are; a str it first converts (a tenth of the parse).
        source, parser = body, _parser("utf-8")
    try:
        root = lxml.html.document_fromstring(source, parser=parser)
    except (etree.ParserError, ValueError):
        root = lxml.html.document_fromstring("<html><body></body></html>", parser=_parser())
    return ParsedPage(root, encoding, text)


def _is_text_as_utf8(body: bytes, text: str, encoding: str) -> bool:
    """Whether ``body`` is ``text`` encoded in UTF-8: decoded as UTF-8 with nothing replaced
    (no U+FFFD) and no byte-order mark to skip."""
    return encoding == "utf-8" and "\ufffd" not in text and not body.startswith(codecs.BOM_UTF8)


def _parser(encoding: str | None = None) -> etree.HTMLParser:
    """lxml's HTML parser giving every element the :class:`HtmlElement` class; for bytes, one
    that reads them in ``encoding`` whatever the page declares.

    lxml.html's own parser picks a class per element in Python (forms, inputs, labels get
    their own), which costs more than the rest of an element visit; the parsers only need
    ``text_content`` and ``drop_tree``. One parser per thread: lxml parsers are not shareable.
    """
    parsers = getattr(_LOCAL, "parsers", None)
    if parsers is None:
        parsers = _LOCAL.parsers = {}
    parser = parsers.get(encoding)
    if parser is None:
        # Comments and processing instructions carry nothing the parsers read; no id table:
        # nothing looks elements up by id.
        parser = parsers[encoding] = etree.HTMLParser(
            remove_comments=True, remove_pis=True, collect_ids=False, encoding=encoding
        )
        parser.set_element_class_lookup(etree.ElementDefaultClassLookup(element=HtmlElement))
    return parser


def text_content(element: HtmlElement) -> str:
    """All the text inside an element, as ``element.text_content()`` returns it (the text of
    scripts included), several times faster on the small elements parsers test: lxml's
    ``text_content`` sets up an XPath context on each call, serialising as text does not."""
    return etree.tostring(element, method="text", encoding=str, with_tail=False)


def parse_html(body: bytes | str, content_type: str | None = None) -> tuple[HtmlElement, str]:
    """Decode and parse a page, returning ``(root, encoding)`` (see :func:`parse_page`)."""
    page = parse_page(body, content_type)
    return page.root, page.encoding


@cache
def selector_markers(selector: str) -> tuple[tuple[str, str, bool], ...]:
    """What a page must contain for ``selector`` to match anything: ``(attribute, value, exact)``.

    The classes (``.x``), ids (``#x``) and attribute values (``[a*='x']``) a selector names
    outside ``:not()`` and other pseudo-classes' arguments; ``exact`` is True for a whole class
    or id, False for a value that only has to occur somewhere in that attribute. Checking them
    against an index of the page's classes and ids is a set lookup; running the selector is a
    walk of the whole tree, and most platform selectors name classes a given page does not
    have. Classes and ids come first: looking them up is cheaper than searching for an
    attribute value. A selector cssselect cannot parse, or a union (``a, b``: it matches when
    any branch does), needs nothing: it is simply run.
    """
    try:
        [parsed] = parse_css(selector.partition("@")[0])
    except (SelectorError, ValueError):
        return ()
    markers: list[tuple[str, str, bool]] = []
    _collect_markers(parsed.parsed_tree, markers)
    return tuple(sorted(markers, key=lambda marker: marker[0] not in ("class", "id")))


def _collect_markers(node: object, markers: list[tuple[str, str, bool]]) -> None:
    """Add what every element matched by ``node`` must have; arguments of ``:not()``,
    ``:is()``, ``:has()`` and functions are left out (they need not be on the page)."""
    while node is not None:
        if isinstance(node, css_parser.Class):
            markers.append(("class", node.class_name, True))
        elif isinstance(node, css_parser.Hash):
            markers.append(("id", node.id, True))
        elif (
            isinstance(node, css_parser.Attrib)
            and node.value is not None
            and node.operator != "!="  # matches elements without the value
            and getattr(node, "flag", None) is None  # [a='x' i]: any case
        ):
            name, value = node.attrib.lower(), node.value.value
            markers.append((name, value, node.operator == "=" and name == "id"))
        elif isinstance(node, css_parser.CombinedSelector):
            _collect_markers(node.subselector, markers)
        elif isinstance(node, css_parser.Element):
            return
        node = getattr(node, "selector", None)


@dataclass(frozen=True)
class SelectorNeeds:
    """What a page must have for a selector to match anything (see :func:`selector_markers`),
    grouped so that most checks are two subset tests: whole class names and ids, then values
    that must occur in some class, some id, or some value of another attribute."""

    classes: frozenset[str]
    ids: frozenset[str]
    class_parts: tuple[str, ...]
    id_parts: tuple[str, ...]
    other_parts: tuple[tuple[str, str], ...]  # (attribute, value)


@cache
def selector_needs(selector: str) -> SelectorNeeds:
    """:func:`selector_markers` grouped for checking against an :class:`AttributeIndex`."""
    markers = selector_markers(selector)
    return SelectorNeeds(
        classes=frozenset(value for name, value, exact in markers if exact and name == "class"),
        ids=frozenset(value for name, value, exact in markers if exact and name == "id"),
        class_parts=tuple(value for name, value, exact in markers if not exact and name == "class"),
        id_parts=tuple(value for name, value, exact in markers if not exact and name == "id"),
        other_parts=tuple(
            (name, value) for name, value, exact in markers if name not in ("class", "id")
        ),
    )


def select(root: HtmlElement, selector: str) -> list[HtmlElement]:
    """Elements matching a CSS selector (compiled once and cached)."""
    run = _SELECTORS.get(selector)
    if run is None:
        run = _SELECTORS[selector] = _selector_function(selector)
    return run(root)


def _selector_function(selector: str) -> Callable[[HtmlElement], list[HtmlElement]]:
    if _TAG_NAME.match(selector):
        # A bare tag name: lxml's own iteration costs a third less than an XPath evaluation.
        return lambda root: list(root.iter(selector))
    return CSSSelector(selector, translator="html")


@cache
def selector_xpath(selector: str) -> str:
    """The XPath of a CSS selector (what :func:`select` runs for all but bare tag names)."""
    return CSSSelector(selector, translator="html").path


def select_values(root: HtmlElement, spec: str) -> Iterator[tuple[HtmlElement, str]]:
    """``(element, value)`` for a selector spec: ``css`` reads text, ``css@attr`` an attribute."""
    selector, _, attribute = spec.partition("@")
    yield from element_values(select(root, selector), attribute)


def element_values(
    elements: Iterable[HtmlElement], attribute: str
) -> Iterator[tuple[HtmlElement, str]]:
    """``(element, value)``: the value of ``attribute``, or the element's text when it is ""."""
    for element in elements:
        if attribute:
            yield element, normalize_line(element.get(attribute, ""))
        else:
            yield element, inline_text(element)


def _walk(element: HtmlElement, out: list[str]) -> None:
    # tag, text and tail are read once each: lxml makes a new string on every access.
    tag = element.tag
    if not isinstance(tag, str) or tag in SKIP_TAGS:
        tail = element.tail
        if tail:
            out.append(tail.replace("\n", " "))
        return
    block = tag in BLOCK_TAGS
    if block:
        out.append("\n\n")
    elif tag == "br":
        out.append("\n")
    text = element.text
    if text:
        out.append(text.replace("\n", " "))
    for child in element:
        _walk(child, out)
    if block:
        out.append("\n\n")
    tail = element.tail
    if tail:
        out.append(tail.replace("\n", " "))


def block_text(element: HtmlElement) -> str:
    """Text of an element with blocks separated by blank lines and ``<br>`` as a newline."""
    out: list[str] = []
    text = element.text
    if text:
        out.append(text.replace("\n", " "))
    for child in element:
        _walk(child, out)
    return normalize_text("".join(out))


def inline_text(element: HtmlElement) -> str:
    """Text of an element on one line (headings, labels, list items).

    :func:`block_text` has normalised it already; normalising twice would also unescape an
    entity the page prints on purpose ("&amp;lt;" shown as "&lt;") a second time.
    """
    return " ".join(block_text(element).split())
