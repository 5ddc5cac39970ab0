"""Extract an article record from a portal page: a pure function from HTML to :class:`Article`.

Each field runs an ordered chain: the detected platform's selectors, then the generic ones,
then a generic rule (the date nearest the title, the densest block of paragraphs). The first
*plausible* value wins, and the record names the rule that produced it.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator
from datetime import datetime
from urllib.parse import urljoin

from crawler.parsers.authors import Byline, parse_byline
from crawler.parsers.contacts import parse_contact_block
from crawler.parsers.dates import parse_date_detail, to_iso
from crawler.parsers.html import (
    HtmlElement,
    block_text,
    inline_text,
    parse_html,
    select,
    select_values,
)
from crawler.parsers.profiles import Profile, detect_profile, load_profiles
from crawler.parsers.records import Article, Attachment, ContactBlock, Image
from crawler.urls import canonicalize_url

PARSER_VERSION = "0.1.0"

DOCUMENT_EXTENSIONS = (
    ".pdf",
    ".doc",
    ".docx",
    ".xls",
    ".xlsx",
    ".ppt",
    ".pptx",
    ".zip",
    ".rar",
    ".odt",
)
IMAGE_PLACEHOLDERS = frozenset({"responsive image", "image", "hình ảnh", "no image"})
# The Vietnamese press end mark "./." (sometimes "…./."), after the last sentence.
_END_MARK = re.compile(r"\s*…?\.?/\.\s*$")
_CENTERED = re.compile(r"text-align\s*:\s*center", re.IGNORECASE)
_RIGHT = re.compile(r"text-align\s*:\s*right", re.IGNORECASE)
_CHROME_TAGS = frozenset({"nav", "aside", "footer", "form"})
_CHROME_CLASS = re.compile(
    r"(?:^|[\s_-])(?:sidebar|menu|widget|hotline|banner|related|latest|counter|footer)", re.I
)
_CAPTION_MAX = 300


def _rule(profile: Profile, selector: str) -> str:
    return f"{profile.key}:{selector}"


def _chains(profile: Profile, name: str) -> Iterator[tuple[Profile, str]]:
    """Selectors for a field: the platform's own first, then the generic profile's."""
    generic = load_profiles()["generic"]
    for source in (profile, generic) if profile is not generic else (generic,):
        for selector in source.selectors.get(name, ()):
            yield source, selector


def _first_value(
    root: HtmlElement, profile: Profile, name: str, plausible: Callable[[str], bool]
) -> tuple[str, HtmlElement, str] | tuple[None, None, None]:
    for source, selector in _chains(profile, name):
        for element, value in select_values(root, selector):
            if value and plausible(value):
                return value, element, _rule(source, selector)
    return None, None, None


def _plausible_title(value: str) -> bool:
    return 5 <= len(value) <= 500 and not value.lower().startswith(
        ("trang chủ", "tin tức - sự kiện")
    )


def _plausible_category(value: str) -> bool:
    return 2 <= len(value) <= 80 and value.lower() != "trang chủ"


def _plausible_summary(value: str) -> bool:
    return 20 <= len(value) <= 2000


def _in_chrome(element: HtmlElement) -> bool:
    """True when an element sits in navigation, a sidebar, a footer or a widget."""
    for node in (element, *element.iterancestors()):
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in _CHROME_TAGS or _CHROME_CLASS.search(node.get("class") or ""):
            return True
        if tag == "header" and next(node.iterancestors("article"), None) is None:
            return True
    return False


def _published(
    root: HtmlElement, profile: Profile, title_el: HtmlElement | None, base: datetime | None
) -> tuple[str | None, str | None, str | None, datetime | None]:
    """``(iso, as_shown, rule, value)`` of the article's own publication date.

    Platform selectors and machine-readable metadata first; failing those, the first date
    that follows the title in document order outside navigation and sidebars, because
    sidebars list newer articles with newer dates.
    """
    for source, selector in _chains(profile, "date"):
        for element, value in select_values(root, selector):
            if _in_chrome(element):
                continue
            parsed = parse_date_detail(value, base=base) if value else None
            if parsed:
                return to_iso(parsed.value), value, _rule(source, selector), parsed.value
    if title_el is not None:
        for count, element in enumerate(title_el.itersiblings()):
            if count > 40:
                break
            for candidate in element.iter():
                if not isinstance(candidate.tag, str) or _in_chrome(candidate):
                    continue
                text = inline_text(candidate)
                if text and len(text) <= 100 and any(ch.isdigit() for ch in text):
                    parsed = parse_date_detail(text, base=base)
                    if parsed:
                        return to_iso(parsed.value), text, "generic:after-title", parsed.value
    return None, None, None, None


def _densest_block(root: HtmlElement) -> HtmlElement | None:
    """The element whose own paragraphs hold the most text: the generic body rule."""
    best, best_score = None, 0
    for element in root.iter("div", "article", "section", "td", "main"):
        if _in_chrome(element):
            continue
        score = sum(len(inline_text(p)) for p in element.iterchildren("p"))
        if score > best_score:
            best, best_score = element, score
    return best


def _body_element(root: HtmlElement, profile: Profile) -> tuple[HtmlElement | None, str | None]:
    for source, selector in _chains(profile, "body"):
        for element in select(root, selector):
            if len(inline_text(element)) >= 50:
                return element, _rule(source, selector)
    densest = _densest_block(root)
    return (densest, "generic:densest-paragraphs") if densest is not None else (None, None)


def _is_styled(element: HtmlElement) -> bool:
    """Set apart as bylines are: right-aligned, or all of its text bold or italic."""
    if element.get("align", "").lower() == "right" or _RIGHT.search(element.get("style", "")):
        return True
    text = inline_text(element)
    marked = " ".join(inline_text(e) for e in element.iter("strong", "b", "em", "i"))
    return bool(text) and marked.strip() == text


def _caption_element(image: HtmlElement) -> HtmlElement | None:
    """The element holding an image's caption, by the three markups editors produce."""
    figure = next(image.iterancestors("figure"), None)
    if figure is not None:
        return next(figure.iter("figcaption"), None)
    table = next(image.iterancestors("table"), None)
    if table is not None:
        cells = [c for c in table.iter("td", "th", "caption") if not list(c.iter("img"))]
        return next((c for c in cells if inline_text(c)), None)
    holder = image.getparent()
    if holder is None or inline_text(holder):
        return None
    following = holder.getnext()
    if following is None or list(following.iter("img")):
        return None
    text = inline_text(following)
    is_caption_like = (
        _CENTERED.search(following.get("style", ""))
        or "caption" in following.get("class", "")
        or (text and " ".join(inline_text(e) for e in following.iter("em", "i")).strip() == text)
    )
    if text and len(text) <= _CAPTION_MAX and is_caption_like:
        return following
    return None


def _images(body: HtmlElement, url: str | None) -> tuple[list[Image], list[HtmlElement]]:
    images, captions = [], []
    for image in body.iter("img"):
        src = image.get("src") or image.get("data-src") or ""
        if not src or src.startswith("data:"):
            continue
        caption_el = _caption_element(image)
        caption = inline_text(caption_el) if caption_el is not None else None
        if caption_el is not None:
            captions.append(caption_el)
        alt = (image.get("alt") or "").strip() or None
        images.append(Image(src=urljoin(url or "", src), alt=alt, caption=caption or None))
    return images, captions


def _attachments(
    root: HtmlElement, body: HtmlElement, profile: Profile, url: str | None
) -> list[Attachment]:
    links = [
        a
        for a in body.iter("a")
        if a.get("href", "").lower().split("?")[0].endswith(DOCUMENT_EXTENSIONS)
    ]
    for _source, selector in _chains(profile, "attachments"):
        links.extend(select(root, selector))
    seen: dict[str, Attachment] = {}
    for link in links:
        href = urljoin(url or "", link.get("href", ""))
        if href and href not in seen:
            seen[href] = Attachment(url=href, text=inline_text(link))
    return list(seen.values())


def _last_block(body: HtmlElement) -> HtmlElement | None:
    """The last element with text that has no block children: where bylines sit."""
    for element in reversed(list(body.iter("p", "div", "span", "strong", "em", "b", "i"))):
        if inline_text(element) and not any(
            isinstance(c.tag, str) and c.tag in ("p", "div") for c in element
        ):
            while (
                element.getparent() is not None
                and element.getparent() is not body
                and (inline_text(element.getparent()) == inline_text(element))
            ):
                element = element.getparent()
            return element
    return None


def _byline(body: HtmlElement) -> Byline | None:
    """Find the byline at the end of the body and cut it out of the body tree."""
    last = _last_block(body)
    if last is None:
        return None
    byline = parse_byline(inline_text(last), styled=_is_styled(last))
    if byline:
        last.drop_tree()
    return byline


def _contacts(root: HtmlElement, profile: Profile, as_of: datetime | None) -> list[ContactBlock]:
    seen: list[HtmlElement] = []
    blocks: list[ContactBlock] = []
    for _source, selector in _chains(profile, "contacts"):
        for element in select(root, selector):
            if any(element is s or s in element.iterancestors() for s in seen):
                continue
            seen.append(element)
            block = parse_contact_block(element, as_of=as_of)
            if block:
                blocks.append(block)
    return blocks


def _clean_body(text: str) -> str:
    paragraphs = [p for p in text.split("\n\n") if p.strip().lower() not in IMAGE_PLACEHOLDERS]
    return _END_MARK.sub("", "\n\n".join(paragraphs)).strip()


def parse_article(
    page: bytes | str,
    url: str | None = None,
    *,
    content_type: str | None = None,
    fetched_at: datetime | None = None,
) -> Article:
    """Extract an :class:`Article` from an article page's HTML (bytes or text).

    ``fetched_at`` is the fetch time: relative dates ("2 giờ trước") are read from it and
    dates after it are rejected. Missing fields stay ``None`` and are listed in ``warnings``.
    """
    root, encoding = parse_html(page, content_type)
    html_text = page if isinstance(page, str) else page[:200_000].decode(encoding, "replace")
    profile = detect_profile(url, html_text)
    rules: dict[str, str] = {}
    warnings: list[str] = []

    title, title_el, rules["title"] = _first_value(root, profile, "title", _plausible_title)
    category, _, rules["category"] = _first_value(root, profile, "category", _plausible_category)
    summary, _, rules["summary"] = _first_value(root, profile, "summary", _plausible_summary)
    published_at, published_text, rules["published_at"], published = _published(
        root, profile, title_el, fetched_at
    )

    body_el, rules["body"] = _body_element(root, profile)
    body_text, images, attachments, byline = "", [], [], None
    if body_el is not None:
        body = copy.deepcopy(body_el)
        for selector in (*profile.noise, *load_profiles()["generic"].noise):
            for element in select(body, selector):
                element.drop_tree()
        images, captions = _images(body, url)
        for caption in captions:
            caption.drop_tree()
        attachments = _attachments(root, body, profile, url)
        byline = _byline(body)
        body_text = _clean_body(block_text(body))
        if summary and body_text.startswith(summary):
            body_text = body_text[len(summary) :].lstrip()
    if byline is None:
        author_value, _, author_rule = _first_value(
            root, profile, "author", lambda v: parse_byline(v, styled=True) is not None
        )
        byline = parse_byline(author_value, styled=True) if author_value else None
        rules["author"] = author_rule
    else:
        rules["author"] = "byline:end-of-body"

    for name, value in (("title", title), ("published_at", published_at), ("body", body_text)):
        if not value:
            warnings.append(f"no {name} found")
    lang = root.get("lang") or None
    return Article(
        url=url,
        canonical_url=canonicalize_url(url) if url else None,
        title=title,
        category=category,
        summary=summary,
        published_at=published_at,
        published_text=published_text,
        author=byline.author if byline else None,
        source=byline.source if byline else None,
        byline=byline.text if byline else None,
        body=body_text,
        images=images,
        attachments=attachments,
        contacts=_contacts(root, profile, published),
        language=lang,
        encoding=encoding,
        extraction={
            "profile": profile.key,
            "parser_version": PARSER_VERSION,
            "rules": {k: v for k, v in rules.items() if v},
        },
        warnings=warnings,
    )
