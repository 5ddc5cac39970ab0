"""Recognise what a page is: which platform a home page runs on, and error or CAPTCHA pages.

Pure functions over page text and headers; the markers are data in ``detect.toml``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from crawler.discovery import feed_links, links_of
from crawler.parsers.html import AttributeIndex, HtmlElement, inline_text, parse_html, select

_TITLE_SPLIT = re.compile(r"\s+[-|–]\s+")


@cache
def _markers() -> dict[str, Any]:
    return tomllib.loads(resources.files(__package__).joinpath("detect.toml").read_text("utf-8"))


@dataclass(frozen=True)
class Detection:
    """The platform a page most likely runs on, its score, and why."""

    platform: str
    score: int
    evidence: tuple[str, ...] = ()
    scores: dict[str, int] = field(default_factory=dict)

    @property
    def confident(self) -> bool:
        """At least a generator or header match, or three independent markers."""
        return self.score >= 3


def _path_and_query(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _generators(root: HtmlElement, headers: Mapping[str, str]) -> list[str]:
    values = [
        m.get("content", "") for m in root.iter("meta") if m.get("name", "").lower() == "generator"
    ]
    values += [v for k, v in headers.items() if k.lower() in ("x-generator", "x-powered-by")]
    return [v for v in values if v]


def detect_platform(
    page: bytes | str,
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    content_type: str | None = None,
) -> Detection:
    """Score every known platform on a page: generator meta, headers, DOM markers, URL shapes.

    Returns ``generic`` with score 0 when nothing matched.
    """
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    root, _ = parse_html(page, content_type)
    source = page if isinstance(page, str) else page[:500_000].decode("utf-8", "replace")
    generators = _generators(root, headers)
    urls = [link.url for link in links_of(root, url)]
    best = Detection("generic", 0)
    scores = {}
    for name, markers in _markers()["platform"].items():
        score, evidence = 0, []
        for pattern in markers.get("generator", []):
            for value in generators:
                if re.search(pattern, value):
                    score += 3
                    evidence.append(f"generator {value!r}")
        for header in markers.get("headers", []):
            if header.lower() in headers:
                score += 3
                evidence.append(f"header {header}")
        for marker in markers.get("html", []):
            if marker in source:
                score += 1
                evidence.append(f"page contains {marker!r}")
        for pattern in markers.get("links", []):
            example = next((u for u in urls if re.search(pattern, _path_and_query(u))), None)
            if example:
                score += 1
                evidence.append(f"link {example}")
        scores[name] = score
        if score > best.score:
            best = Detection(name, score, tuple(evidence))
    return Detection(best.platform, best.score, best.evidence, scores)


def page_title(root: HtmlElement) -> str:
    """The page's ``<title>`` without the site name that follows a dash or bar."""
    title = next(root.iter("title"), None)
    text = inline_text(title) if title is not None else ""
    return _TITLE_SPLIT.split(text, maxsplit=1)[0].strip()


@dataclass(frozen=True)
class ErrorPage:
    """A page that answered but is an error or a CAPTCHA, and the evidence."""

    kind: str  # "error_page" or "captcha"
    reason: str
    # The page says the content does not exist ("Không tìm thấy", 404), as opposed to an
    # outage ("đang bảo trì", 503): only then is an archived article gone from the site.
    not_found: bool = False


def _main_heading(root: HtmlElement) -> str:
    for heading in root.iter("h1", "h2", "h3"):
        text = inline_text(heading)
        if text and len(text) <= 100:
            return text
    return ""


def detect_error_page(page: bytes | str, *, content_type: str | None = None) -> ErrorPage | None:
    """An :class:`ErrorPage` when a 200 page is really "Không tìm thấy", a status page, or a
    CAPTCHA; None for an ordinary page.

    Only the title, the first heading, error-only elements and (on short pages) CAPTCHA
    markers count, so an article that mentions "không tìm thấy" in its text is not an error.
    """
    return error_page_of(parse_html(page, content_type)[0])


def error_page_of(root: HtmlElement, index: AttributeIndex | None = None) -> ErrorPage | None:
    """:func:`detect_error_page` on a parsed page (the tree is only read); ``index``, the
    page's :class:`AttributeIndex` when the caller has one, spares a walk per selector."""
    rules = _markers()["error_page"]
    index = index or AttributeIndex.of(root)
    candidates = [("title", page_title(root)), ("heading", _main_heading(root))]
    for where, text in candidates:
        for pattern in rules["titles"]:
            if text and re.match(pattern, text, re.IGNORECASE):
                gone = any(re.match(p, text, re.IGNORECASE) for p in rules["not_found_titles"])
                return ErrorPage("error_page", f"{where} says {text!r}", not_found=gone)
    for selector in rules["css"]:
        if index.may_match(selector) and select(root, selector):
            gone = selector in rules["not_found_css"]
            return ErrorPage("error_page", f"page has {selector}", not_found=gone)
    for selector in rules["captcha_css"]:
        if index.may_match(selector) and select(root, selector):
            # Measured only now: the page's whole text is most of the cost of this check.
            body = next(root.iter("body"), None)
            text_length = len(inline_text(body)) if body is not None else 0
            if text_length > rules["captcha_max_text"]:
                return None  # a long page that mentions a CAPTCHA is not a CAPTCHA wall
            return ErrorPage(
                "captcha", f"CAPTCHA ({selector}) on a page of {text_length} characters"
            )
    return None


def suggest_entry(
    page: bytes | str,
    url: str,
    detection: Detection,
    *,
    content_type: str | None = None,
) -> dict[str, Any]:
    """A registry entry for a site from its home page: id, name, platform, start path, feeds.

    Patterns and pagination come from the platform's defaults when the registry loads it.
    """
    root, _ = parse_html(page, content_type)
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    labels = [label for label in host.split(".") if label not in ("gov", "vn", "com", "org")]
    site_id = "-".join(reversed(labels)) if labels else host
    name = page_title(root) or host
    feeds = [
        urlsplit(f).path for f in feed_links(root, url) if urlsplit(f).hostname == parts.hostname
    ]
    entry: dict[str, Any] = {
        "id": site_id,
        "name": name,
        "platform": detection.platform,
        "base_url": f"{parts.scheme}://{parts.netloc}",
        "start_paths": [parts.path or "/"],
    }
    if feeds:
        entry["feeds"] = feeds
    entry["verified"] = False
    entry["notes"] = "Added by `vngov sites add`; detected from " + (
        "; ".join(detection.evidence[:4]) or "nothing (generic)"
    )
    return entry
