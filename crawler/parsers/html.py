"""Build lxml trees from page bytes and read text out of them the way a reader sees it."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

import lxml.html
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
_SELECTORS: dict[str, CSSSelector] = {}
_LOCAL = threading.local()
_ALL_CLASSES = etree.XPath("//@class", smart_strings=False)
_ALL_IDS = etree.XPath("//@id", smart_strings=False)
_NOT = re.compile(r":not\([^)]*\)")
_ATTRIBUTE = re.compile(r"\[[^\]]*\]")
_ATTRIBUTE_VALUE = re.compile(r"\[\s*([\w:-]+)\s*([*^$~|]?)=\s*['\"]?([^'\"\]]+?)['\"]?\s*\]")
_CLASS_OR_ID = re.compile(r"([.#])([\w-]+)")


@dataclass(frozen=True)
class AttributeIndex:
    """Every class token and id of a page, as sets and as text: what selectors and platform
    markers are checked against before any tree walk (two XPath calls in C)."""

    classes: frozenset[str]
    class_text: str
    ids: frozenset[str]
    id_text: str

    @classmethod
    def of(cls, root: HtmlElement) -> AttributeIndex:
        class_text = " ".join(_ALL_CLASSES(root))
        ids = _ALL_IDS(root)
        return cls(frozenset(class_text.split()), class_text, frozenset(ids), " ".join(ids))

    def has(self, attribute: str, value: str, exact: bool) -> bool | None:
        """Whether a class or id (exact, or as a substring) occurs; None for other attributes."""
        if attribute == "class":
            return value in self.classes if exact else value in self.class_text
        if attribute == "id":
            return value in self.ids if exact else value in self.id_text
        return None


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
    source = _XML_DECLARATION.sub("", text, count=1)
    if not source.strip():
        source = "<html></html>"
    parser = _parser()
    try:
        root = lxml.html.document_fromstring(source, parser=parser)
    except (etree.ParserError, ValueError):
        root = lxml.html.document_fromstring("<html><body></body></html>", parser=parser)
    return ParsedPage(root, encoding, text)


def _parser() -> etree.HTMLParser:
    """lxml's HTML parser giving every element the :class:`HtmlElement` class.

    lxml.html's own parser picks a class per element in Python (forms, inputs, labels get
    their own), which costs more than the rest of an element visit; the parsers only need
    ``text_content`` and ``drop_tree``. One parser per thread: lxml parsers are not shareable.
    """
    parser = getattr(_LOCAL, "parser", None)
    if parser is None:
        # Comments and processing instructions carry nothing the parsers read; no id table:
        # nothing looks elements up by id.
        parser = _LOCAL.parser = etree.HTMLParser(
            remove_comments=True, remove_pis=True, collect_ids=False
        )
        parser.set_element_class_lookup(etree.ElementDefaultClassLookup(element=HtmlElement))
    return parser


def parse_html(body: bytes | str, content_type: str | None = None) -> tuple[HtmlElement, str]:
    """Decode and parse a page, returning ``(root, encoding)`` (see :func:`parse_page`)."""
    page = parse_page(body, content_type)
    return page.root, page.encoding


@cache
def selector_markers(selector: str) -> tuple[tuple[str, str, bool], ...]:
    """What a page must contain for ``selector`` to match anything: ``(attribute, value, exact)``.

    The classes (``.x``), ids (``#x``) and attribute values (``[a*='x']``) a selector names
    outside ``:not()``; ``exact`` is True for a whole class or id, False for a value that only
    has to occur somewhere in that attribute. Checking them against an index of the page's
    classes and ids is a set lookup; running the selector is a walk of the whole tree, and
    most platform selectors name classes a given page does not have.
    """
    if "," in selector:
        return ()  # a union matches when any branch does
    core = _NOT.sub("", selector.partition("@")[0])
    markers = [
        (name.lower(), value, operator == "" and name.lower() == "id")
        for name, operator, value in _ATTRIBUTE_VALUE.findall(core)
    ]
    for prefix, value in _CLASS_OR_ID.findall(_ATTRIBUTE.sub("", core)):
        markers.append(("class" if prefix == "." else "id", value, True))
    return tuple(markers)


def select(root: HtmlElement, selector: str) -> list[HtmlElement]:
    """Elements matching a CSS selector (compiled once and cached)."""
    compiled = _SELECTORS.get(selector)
    if compiled is None:
        compiled = _SELECTORS[selector] = CSSSelector(selector, translator="html")
    return compiled(root)


def select_values(root: HtmlElement, spec: str) -> Iterator[tuple[HtmlElement, str]]:
    """``(element, value)`` for a selector spec: ``css`` reads text, ``css@attr`` an attribute."""
    selector, _, attribute = spec.partition("@")
    for element in select(root, selector):
        if attribute:
            yield element, normalize_line(element.get(attribute, ""))
        else:
            yield element, inline_text(element)


def _walk(element: HtmlElement, out: list[str]) -> None:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag in SKIP_TAGS or not isinstance(element.tag, str):
        if element.tail:
            out.append(element.tail.replace("\n", " "))
        return
    block = tag in BLOCK_TAGS
    if block:
        out.append("\n\n")
    elif tag == "br":
        out.append("\n")
    if element.text:
        out.append(element.text.replace("\n", " "))
    for child in element:
        _walk(child, out)
    if block:
        out.append("\n\n")
    if element.tail:
        out.append(element.tail.replace("\n", " "))


def block_text(element: HtmlElement) -> str:
    """Text of an element with blocks separated by blank lines and ``<br>`` as a newline."""
    out: list[str] = []
    if element.text:
        out.append(element.text.replace("\n", " "))
    for child in element:
        _walk(child, out)
    return normalize_text("".join(out))


def inline_text(element: HtmlElement) -> str:
    """Text of an element on one line (headings, labels, list items).

    :func:`block_text` has normalised it already; normalising twice would also unescape an
    entity the page prints on purpose ("&amp;lt;" shown as "&lt;") a second time.
    """
    return " ".join(block_text(element).split())
