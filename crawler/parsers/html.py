"""Build lxml trees from page bytes and read text out of them the way a reader sees it."""

from __future__ import annotations

import re
from collections.abc import Iterator

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


def parse_html(body: bytes | str, content_type: str | None = None) -> tuple[HtmlElement, str]:
    """Decode and parse a page, returning ``(root, encoding)``.

    Decoding happens first (see :func:`decode_html`) because lxml, given bytes, ignores a meta
    charset whose attributes come in Liferay's order and falls back to Latin-1.
    """
    text, encoding = decode_html(body, content_type)
    text = _XML_DECLARATION.sub("", text, count=1)
    if not text.strip():
        text = "<html></html>"
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        root = lxml.html.document_fromstring("<html><body></body></html>")
    return root, encoding


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
        value = element.get(attribute, "") if attribute else inline_text(element)
        yield element, normalize_line(value)


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
    """Text of an element on one line (headings, labels, list items)."""
    return normalize_line(block_text(element))
