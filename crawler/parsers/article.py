"""Extract an article record from a portal page: a pure function from HTML to :class:`Article`.

The page is decoded and parsed (html.py), its platform detected (profiles.py), then every field
runs an ordered chain: the platform's selectors, its parent profile's, the generic ones, and
generic code rules placed in the chain by name (``:heading-in-title``, ``:after-title``,
``:densest``...). The first *plausible* value wins (length and shape checks, never inside the
site's chrome for the title, dates and byline), and ``record.extraction`` names the profile
and the rule that produced each field.

Dates: the publication date comes from the article's own date element or machine-readable
metadata, never from a sidebar (sidebars list newer articles); a modification date ("Cập
nhật", ``article:modified_time``) goes into ``updated_at``; a year-less date ("25/04") takes its
year from the page's machine-readable dates, and a date without a time takes the time of the
metadata when both fall on the same day.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from itertools import islice
from urllib.parse import unquote, urlsplit

from lxml import etree

from crawler.parsers.authors import Byline, parse_byline
from crawler.parsers.contacts import FOOTER_SELECTORS, footer_contacts, parse_contact_block
from crawler.parsers.dates import ParsedDate, parse_date_detail, to_iso
from crawler.parsers.docrefs import find_doc_refs
from crawler.parsers.generic import (
    PageContext,
    collapsed_text,
    date_as_shown,
    densest_block,
    following_elements,
    heading_in_title_tag,
    leading_class,
    read_page_date,
    strip_site_name,
    title_from_title_tag,
    url_date,
)
from crawler.parsers.html import (
    AttributeIndex,
    HtmlElement,
    ParsedPage,
    block_text,
    inline_text,
    parse_page,
    text_content,
)
from crawler.parsers.profiles import detect_platform, profile_chain
from crawler.parsers.records import Article, Attachment, ContactBlock, Image
from crawler.parsers.text import detect_mojibake
from crawler.urls import canonicalize_url, join_url

PARSER_VERSION = "0.2.0"

# A link to a document: the extension ends the path or a path segment (Liferay puts a UUID
# after the file name: /documents/20121/1190001/KH-112.pdf/7c2e4a10-...).
DOCUMENT_LINK = re.compile(r"\.(?:pdf|docx?|xlsx?|pptx?|zip|rar|7z|odt|ods)(?:$|[/?#;])", re.I)
IMAGE_PLACEHOLDERS = frozenset({"responsive image", "image", "hình ảnh", "no image"})
# The Vietnamese press end mark "./." (sometimes "…./."), after the last sentence.
_END_MARK = re.compile(r"\s*…?\.?/\.\s*$")
_CENTERED = re.compile(r"text-align\s*:\s*center", re.IGNORECASE)
_RIGHT = re.compile(r"text-align\s*:\s*right", re.IGNORECASE)
_CAPTION_MAX = 300
_CAPTION_TABLE_CELLS = 4  # an image table holds the image and its caption, not a page layout
# "Cập nhật: 03/04/2024", "Ngày cập nhật 10:20", "(Cập nhật ngày 17/11/2023)", "Updated".
_UPDATE_LABEL = re.compile(
    r"(?:ngày\s+)?(?:cập\s*nhật|chỉnh\s*sửa|sửa\s*lần\s*cuối)(?:\s+(?:lúc|ngày|cuối))?\s*:?"
    r"|(?<!\w)(?:last\s+)?(?:updated|modified)(?!\w)\s*:?",
    re.IGNORECASE,
)
_ERROR_TEXT = re.compile(
    r"^(?:lỗi\s*)?(?:404|không tìm thấy(?:\s+trang)?|trang\s+(?:bạn\s+tìm\s+)?không\s+tồn\s+tại"
    r"|page not found|not found|nội dung không tồn tại|bài viết không tồn tại|error\s*404"
    r"|đã (?:xảy|có) ra lỗi)(?!\w)",
    re.IGNORECASE,
)
_CONTACT_HEADING = re.compile(
    r"đường dây nóng|hotline|tiếp nhận phản ánh|số điện thoại tiếp nhận", re.IGNORECASE
)
_PHONE_OR_EMAIL = re.compile(r"\d[\d .()-]{6,}\d|@|\[at\]|＠")
_TAG_ONLY = re.compile(r"^[a-z][a-z0-9]*$")
_CLASSES_IN = etree.XPath("descendant-or-self::*/@class", smart_strings=False)
_DATE_SCAN_LIMIT = 80  # elements after the title searched for its date
_DATE_TEXT_MAX = 120  # a longer text is a sentence, not a date line


@dataclass(frozen=True)
class _DateFound:
    value: datetime
    has_time: bool
    shown: str
    rule: str


@dataclass(frozen=True)
class _Dates:
    published: _DateFound | None
    updated: _DateFound | None


# --- small checks ---------------------------------------------------------------------------


def _plausible_title(value: str) -> bool:
    return 5 <= len(value) <= 500 and not value.lower().startswith(
        ("trang chủ", "tin tức - sự kiện")
    )


def _plausible_category(value: str, title: str | None) -> bool:
    lowered = value.casefold()
    return (
        2 <= len(value) <= 80
        and lowered != "trang chủ"
        and (title is None or lowered != title.casefold())
    )


def _plausible_summary(value: str) -> bool:
    return 20 <= len(value) <= 2000


def _has_text(element: HtmlElement, length: int) -> bool:
    """True when an element holds at least ``length`` characters of text (stops early)."""
    total = 0
    for text in element.itertext():
        total += len(text.strip())
        if total >= length:
            return True
    return False


# --- title, category, summary ---------------------------------------------------------------


def _title(page: PageContext) -> tuple[str | None, HtmlElement | None, str | None]:
    """``(title, element, rule)``: the first plausible title of the chain."""
    site_names = (page.meta.get("og:site_name", ""), page.meta.get("application-name", ""))
    for source, spec in page.specs("title"):
        rule = f"{source.key}:{spec}"
        if spec == ":heading-in-title":
            element = heading_in_title_tag(page)
            if element is not None:
                return inline_text(element), element, rule
        elif spec == ":title-tag":
            value = title_from_title_tag(page.title_tag)
            if value and _plausible_title(value):
                return value, None, rule
        elif not spec.startswith(":"):
            for element in page.select(spec.partition("@")[0]):
                if page.in_chrome(element):
                    continue
                value = (
                    strip_site_name(element.get(spec.partition("@")[2], "").strip(), site_names)
                    if "@" in spec
                    else inline_text(element)
                )
                if value and _plausible_title(value):
                    return value, element, rule
    return None, None, None


def _visible_title(
    page: PageContext, title: str, element: HtmlElement | None
) -> HtmlElement | None:
    """The title as shown in the page body (a ``<meta>`` or ``<title>`` is not on the page)."""
    if element is not None and element.tag not in ("meta", "title"):
        return element
    wanted = title.casefold()
    for candidate in page.root.iter("h1", "h2", "h3"):
        raw = text_content(candidate)
        if (
            len(raw) < 2 * len(title) + 20
            and collapsed_text(raw).casefold() == wanted
            and not page.in_chrome(candidate)
        ):
            return candidate
    return None


def _first_plausible(
    page: PageContext, field: str, plausible, *, skip_chrome: bool = True
) -> tuple[str | None, HtmlElement | None, str | None]:
    for value, element, rule in page.values(field, skip_chrome=skip_chrome):
        if plausible(value, element):
            return value, element, rule
    return None, None, None


# --- dates ----------------------------------------------------------------------------------


class _MachineDates:
    """Dates the page states for machines: metadata and, on some platforms, the URL."""

    def __init__(self, page: PageContext) -> None:
        meta = page.meta
        self.published = self._parse(
            meta.get("article:published_time") or meta.get("datepublished") or meta.get("pubdate")
        )
        self.modified = self._parse(meta.get("article:modified_time") or meta.get("datemodified"))
        self.from_url = url_date(page, page.url)
        known = [d.value for d in (self.published, self.modified) if d] + (
            [self.from_url] if self.from_url else []
        )
        # The page date that a year-less date shown on the page belongs to.
        self.anchor = max(known) if known else None

    @staticmethod
    def _parse(value: str | None) -> ParsedDate | None:
        return parse_date_detail(value) if value else None


def _split_update(text: str) -> tuple[str | None, str | None]:
    """``(publication part, update part)`` of a date line ("Ngày đăng: X | Cập nhật: Y")."""
    match = _UPDATE_LABEL.search(text)
    if match is None:
        return text, None
    before = text[: match.start()].rstrip(" |-–,(")
    if not any(map(str.isdigit, before)):
        return None, text
    return before, text[match.start() :]


def _date_candidates(page: PageContext, spec: str) -> Iterator[tuple[str, str]]:
    """``(value, shown)`` for a date selector: an attribute is read, the visible text shown."""
    selector, _, attribute = spec.partition("@")
    for element in page.select(selector):
        if page.in_chrome(element):
            continue
        text = inline_text(element) if element.tag != "meta" else ""
        value = " ".join(element.get(attribute, "").split()) if attribute else text
        if value:
            yield value, text or value


def _after_title(
    page: PageContext, title_el: HtmlElement | None, body_el: HtmlElement | None
) -> Iterator[tuple[str, str]]:
    """Short texts with digits after the title, up to the body, outside the chrome."""
    if title_el is None:
        return
    for element in following_elements(title_el, _DATE_SCAN_LIMIT):
        if element is body_el:
            return
        raw = text_content(element)
        if len(raw) > 3 * _DATE_TEXT_MAX or not any(map(str.isdigit, raw)):
            continue
        text = inline_text(element)
        if len(text) <= _DATE_TEXT_MAX and not page.in_chrome(element):
            yield text, text


def _found(parsed: ParsedDate, value: str, shown: str, rule: str) -> _DateFound:
    text = date_as_shown(shown, parsed) if shown == value else shown
    return _DateFound(parsed.value, parsed.has_time, text, rule)


def _published_and_split(
    page: PageContext,
    title_el: HtmlElement | None,
    body_el: HtmlElement | None,
    base: datetime | None,
    machine: _MachineDates,
) -> tuple[_DateFound | None, _DateFound | None]:
    """The publication date, and an update date printed in the same element, if any."""
    update_only: tuple[str, str] | None = None
    for source, spec in page.specs("date"):
        rule = f"{source.key}:{spec}"
        if spec == ":url-date":
            if machine.from_url is not None:
                return _DateFound(machine.from_url, True, "", rule), None
            continue
        if spec == ":after-title":
            candidates = _after_title(page, title_el, body_el)
        elif spec.startswith(":"):
            continue
        else:
            candidates = _date_candidates(page, spec)
        for value, shown in candidates:
            published_part, update_part = _split_update(value)
            if published_part is None:
                update_only = update_only or (value, rule)
                continue
            parsed = read_page_date(published_part, base, machine.anchor)
            if parsed is None:
                continue
            shown_part = shown if shown != value else published_part
            found = _found(parsed, published_part, shown_part, rule)
            updated = None
            if update_part and (upd := read_page_date(update_part, base, machine.anchor)):
                updated = _found(upd, update_part, update_part, rule)
            return found, updated
    if update_only is not None:
        # A page whose only date is labelled "Cập nhật" shows when it was posted that way.
        value, rule = update_only
        parsed = read_page_date(value, base, machine.anchor)
        if parsed is not None:
            return _found(parsed, value, value, f"{rule} (update label, the only date)"), None
    return None, None


def _with_machine_time(found: _DateFound, machine: _MachineDates) -> _DateFound:
    """A date shown without a time takes the metadata's time when both name the same day."""
    if found.has_time:
        return found
    for precise in (machine.published.value if machine.published else None, machine.from_url):
        if precise is not None and precise.date() == found.value.date():
            return _DateFound(precise, True, found.shown, f"{found.rule} + time from metadata")
    return found


def _updated(page: PageContext, base: datetime | None, machine: _MachineDates) -> _DateFound | None:
    for source, spec in page.specs("updated"):
        if spec.startswith(":"):
            continue
        for value, shown in _date_candidates(page, spec):
            _, update_part = _split_update(value)
            parsed = read_page_date(update_part or value, base, machine.anchor)
            if parsed is not None:
                return _found(parsed, value, shown, f"{source.key}:{spec}")
    return None


def _dates(
    page: PageContext,
    title_el: HtmlElement | None,
    body_el: HtmlElement | None,
    fetched_at: datetime | None,
) -> _Dates:
    machine = _MachineDates(page)
    published, updated = _published_and_split(page, title_el, body_el, fetched_at, machine)
    if published is not None:
        published = _with_machine_time(published, machine)
    updated = _updated(page, fetched_at, machine) or updated
    if updated is not None and published is not None and updated.value <= published.value:
        updated = None  # "modified" at or before publication: no later edit to record
    return _Dates(published, updated)


# --- body -----------------------------------------------------------------------------------


def _body_element(page: PageContext) -> tuple[HtmlElement | None, str | None]:
    for source, spec in page.specs("body"):
        rule = f"{source.key}:{spec}"
        if spec == ":densest":
            element = densest_block(page)
            if element is not None:
                return element, rule
        elif not spec.startswith(":"):
            for element in page.select(spec):
                if not page.in_chrome(element) and _has_text(element, 50):
                    return element, rule
    return None, None


@dataclass(frozen=True)
class _NoiseSelector:
    selector: str
    tag: str | None  # the selector is a bare tag name ("nav")
    class_part: str | None  # the class it starts with (see leading_class)


@cache
def _noise_selectors(profile_key: str) -> tuple[_NoiseSelector, ...]:
    """The noise selectors of a profile's chain, in order, with what they need to match."""
    return tuple(
        _NoiseSelector(
            selector, selector if _TAG_ONLY.match(selector) else None, leading_class(selector)
        )
        for source in profile_chain(profile_key)
        for selector in source.noise
    )


def _remove_noise(page: PageContext, body: HtmlElement) -> None:
    noise = _noise_selectors(page.profile.key)
    # Two walks of the body say which selectors can match in it (most match nothing there):
    # the tags it has among those named alone ("nav", "form"), and its classes. (The body is
    # a copy, a document of its own: a selector's leading class must be in it to match.)
    bare_tags = [n.tag for n in noise if n.tag is not None]
    tags = {element.tag for element in body.iter(*bare_tags)} if bare_tags else set()
    classes = " ".join(_CLASSES_IN(body))
    for item in noise:
        if (item.tag is not None and item.tag not in tags) or (
            item.class_part is not None and item.class_part not in classes
        ):
            continue
        for element in page.select(item.selector, body):
            if element is not body and element.getparent() is not None:
                element.drop_tree()


def _is_styled(element: HtmlElement, text: str) -> bool:
    """Set apart as bylines are: right-aligned, or all of its text (``text``, its
    :func:`inline_text`) bold or italic."""
    if element.get("align", "").lower() == "right" or _RIGHT.search(element.get("style", "")):
        return True
    marked = " ".join(inline_text(e) for e in element.iter("strong", "b", "em", "i"))
    return bool(text) and marked.strip() == text


def _is_centered(element: HtmlElement) -> bool:
    return bool(_CENTERED.search(element.get("style", ""))) or (
        element.get("align", "").lower() == "center"
    )


def _caption_element(image: HtmlElement) -> HtmlElement | None:
    """The element holding an image's caption, by the markups editors produce."""
    figure = next(image.iterancestors("figure"), None)
    if figure is not None:
        return next(figure.iter("figcaption"), None)
    table = next(image.iterancestors("table"), None)
    if table is not None and len(table.xpath(".//td|.//th")) <= _CAPTION_TABLE_CELLS:
        cells = [c for c in table.iter("td", "th", "caption") if not list(c.iter("img"))]
        return next((c for c in cells if inline_text(c)), None)
    holder = image.getparent()
    while holder is not None and holder.tag == "a" and not inline_text(holder):
        holder = holder.getparent()
    if holder is None or inline_text(holder):
        return None
    following = holder.getnext()
    if following is None or list(following.iter("img")):
        return None
    text = inline_text(following)
    italic = " ".join(inline_text(e) for e in following.iter("em", "i")).strip()
    is_caption_like = (
        _is_centered(following) or "caption" in following.get("class", "") or italic == text
    )
    if text and len(text) <= _CAPTION_MAX and is_caption_like:
        return following
    return None


def _image_src(image: HtmlElement) -> str:
    src = image.get("src") or ""
    if not src or src.startswith("data:"):
        src = image.get("data-src") or image.get("data-original") or ""
    return src


def _images(
    page: PageContext, body: HtmlElement | None, url: str | None
) -> tuple[list[Image], list[HtmlElement]]:
    """Lead images outside the body (the profile's ``images``), then the body's, with captions."""
    lead: list[HtmlElement] = []
    for _source, spec in page.specs("images"):
        lead.extend(e for e in page.select(spec) if not page.in_chrome(e))
    images: dict[str, Image] = {}
    captions: list[HtmlElement] = []
    for image in [*lead, *(body.iter("img") if body is not None else ())]:
        src = _image_src(image)
        if not src or src.startswith("data:"):
            continue
        absolute = join_url(url, src)
        if absolute is None or absolute in images:
            continue
        caption_el = _caption_element(image)
        caption = inline_text(caption_el) if caption_el is not None else None
        if caption_el is not None:
            captions.append(caption_el)
        alt = (image.get("alt") or "").strip() or None
        images[absolute] = Image(src=absolute, alt=alt, caption=caption or None)
    return list(images.values()), captions


def _attachment_text(link: HtmlElement, href: str) -> str:
    text = inline_text(link)
    if text:
        return text
    return unquote(urlsplit(href).path.rstrip("/").rsplit("/", 1)[-1])


def _attachments(page: PageContext, body: HtmlElement | None, url: str | None) -> list[Attachment]:
    """Document links in the body, then the profile's attachment lists outside the chrome."""
    links: list[HtmlElement] = []
    if body is not None:
        links.extend(a for a in body.iter("a") if DOCUMENT_LINK.search(a.get("href", "")))
    for _source, spec in page.specs("attachments"):
        links.extend(a for a in page.select(spec) if not page.in_chrome(a))
    seen: dict[str, Attachment] = {}
    for link in links:
        href = link.get("href", "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        absolute = join_url(url, href)
        if absolute is not None and absolute not in seen:
            seen[absolute] = Attachment(url=absolute, text=_attachment_text(link, absolute))
    return list(seen.values())


_BYLINE_TAGS = ("p", "div", "span", "strong", "em", "b", "i")


def _last_first(element: HtmlElement, tags: tuple[str, ...]) -> Iterator[HtmlElement]:
    """The elements of a subtree with one of ``tags``, in reverse document order (the end of
    a body is read without listing the whole body first)."""
    for child in reversed(element):
        yield from _last_first(child, tags)
    if element.tag in tags:
        yield element


def _last_block(body: HtmlElement) -> tuple[HtmlElement, str] | None:
    """The last element with text that has no block children, where bylines sit, and its
    text (:func:`inline_text`)."""
    for element in _last_first(body, _BYLINE_TAGS):
        if next(element.iterchildren("p", "div"), None) is not None:
            continue
        if not text_content(element).strip():
            continue
        text = inline_text(element)
        if text:
            parent = element.getparent()
            while (
                parent is not None
                and parent is not body
                and len(text_content(parent)) <= 2 * len(text) + 20
                and inline_text(parent) == text
            ):
                element, parent = parent, parent.getparent()
            return element, text
    return None


def _byline(body: HtmlElement) -> Byline | None:
    """The byline at the end of the body, cut out of the body tree.

    A source line ("Nguồn: Y") may follow the author line; both are read.
    """
    author = source = None
    texts: list[str] = []
    for _ in range(2):
        found = _last_block(body)
        if found is None:
            break
        last, text = found
        byline = parse_byline(text, styled=_is_styled(last, text))
        if byline is None:
            break
        last.drop_tree()
        texts.insert(0, byline.text)
        author = author or byline.author
        source = source or byline.source
        if byline.author:
            break  # the author line comes last but for a source line after it
    if not texts:
        return None
    return Byline(author=author, source=source, text="\n".join(texts))


def _clean_body(text: str) -> str:
    paragraphs = [p for p in text.split("\n\n") if p.strip().lower() not in IMAGE_PLACEHOLDERS]
    return _without_end_mark("\n\n".join(paragraphs)).strip()


def _without_end_mark(text: str) -> str:
    """``text`` without the end mark "./." and the spaces around it.

    The pattern only runs on the last few characters and the spaces before them: run on the
    whole text it would be tried at every position (the mark can only end the text).
    """
    end = len(text.rstrip())
    if not text.endswith("/.", 0, end):
        return text
    start = len(text[: max(0, end - 4)].rstrip())  # the mark is at most 4 characters: "…./."
    return text[:start] + _END_MARK.sub("", text[start:])


@dataclass
class _Body:
    text: str = ""
    images: list[Image] | None = None
    attachments: list[Attachment] | None = None
    byline: Byline | None = None


def _body(page: PageContext, body_el: HtmlElement | None, summary: str | None) -> _Body:
    if body_el is None:
        images, _ = _images(page, None, page.url)
        return _Body("", images, _attachments(page, None, page.url), None)
    body = copy.deepcopy(body_el)
    attachments = _attachments(page, body, page.url)
    _remove_noise(page, body)
    images, captions = _images(page, body, page.url)
    for caption in captions:
        if caption.getparent() is not None:
            caption.drop_tree()
    byline = _byline(body)
    text = _clean_body(block_text(body))
    if summary and text.startswith(summary):
        text = text[len(summary) :].lstrip()
    return _Body(text, images, attachments, byline)


# --- author, source, contacts, errors -------------------------------------------------------


def _author_from_elements(page: PageContext) -> tuple[Byline | None, str | None]:
    for value, _element, rule in page.values("author"):
        byline = parse_byline(value, styled=True)
        if byline is not None and byline.author:
            return byline, rule
    return None, None


def _source_from_elements(page: PageContext) -> tuple[str | None, str | None]:
    for value, _element, rule in page.values("source"):
        if len(value) > 120:
            continue
        byline = parse_byline(value, styled=True)
        if byline is not None and byline.source:
            return byline.source, rule
        return value, rule
    return None, None


def _contact_blocks(page: PageContext) -> Iterator[HtmlElement]:
    """Hotline widgets: the profile's selectors, then any block titled like one."""
    for _source, spec in page.specs("contacts"):
        yield from page.select(spec)
    title_classed = page.index.classed("title")
    for heading in (*page.root.iter("h2", "h3", "h4"), *title_classed):
        if len(heading) > 6:
            continue  # a box with a title class, not its heading
        text = text_content(heading)
        if len(text) > 80 or not _CONTACT_HEADING.search(text):
            continue
        block = heading.getparent()
        for _ in range(3):
            if block is None or _PHONE_OR_EMAIL.search(text_content(block)):
                break
            block = block.getparent()
        if block is not None:
            yield block


def _contacts(page: PageContext, as_of: datetime | None) -> list[ContactBlock]:
    seen: list[HtmlElement] = []
    blocks: list[ContactBlock] = []
    for element in _contact_blocks(page):
        if any(element is s or s in element.iterancestors() for s in seen):
            continue
        if any(element in s.iterancestors() for s in seen):
            continue
        seen.append(element)
        block = parse_contact_block(element, as_of=as_of)
        if block:
            blocks.append(block)
    return blocks


# Garbled pages are garbled throughout: a sample is enough to tell, and the check is costly.
MOJIBAKE_SAMPLE_CHARS = 3000


def _footer(page: PageContext, as_of: datetime | None) -> ContactBlock | None:
    """The agency's own contacts from the site footer (profile selectors, then generic)."""
    selectors = [spec for _source, spec in page.specs("footer")]
    return footer_contacts(
        page.root, [*selectors, *FOOTER_SELECTORS], as_of=as_of, find=page.select
    )


def _error_text(page: PageContext) -> str | None:
    """What an error page says ("Không tìm thấy"), or None for a page with content."""
    for value, _element, _rule in page.values("error", skip_chrome=False):
        return value
    title = title_from_title_tag(page.title_tag) or ""
    if title and len(title) <= 80 and _ERROR_TEXT.match(title):
        return title
    for heading in islice(page.root.iter("h1", "h2", "h3"), 6):
        raw = text_content(heading)
        if len(raw) <= 200 and _ERROR_TEXT.match(collapsed_text(raw)):
            text = inline_text(heading)
            if len(text) <= 80:
                return text
    return None


# --- the record -----------------------------------------------------------------------------


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
    An error page ("Không tìm thấy") gives ``page_type="error"`` and no content; a page without
    a date (an introduction, a list of leaders) gives ``page_type="page"``.
    """
    return article_from_page(parse_page(page, content_type), url, fetched_at=fetched_at)


def article_from_page(
    parsed: ParsedPage,
    url: str | None = None,
    *,
    fetched_at: datetime | None = None,
    index: AttributeIndex | None = None,
) -> Article:
    """:func:`parse_article` on a page already decoded and parsed (:func:`parse_page`), so a
    caller that also reads other things from the tree parses it once (``index``, its
    :class:`AttributeIndex`, when the caller made one). The tree is changed (chrome is
    dropped from it): read anything else from it first."""
    index = index or AttributeIndex.of(parsed.root)
    detected = detect_platform(url, parsed.text, parsed.root, index)
    ctx = PageContext(parsed.root, url, detected, parsed.text, index)
    rules: dict[str, str | None] = {}
    warnings: list[str] = []
    extraction = {
        "profile": detected.profile.key,
        "detected_by": list(detected.evidence),
        "parser_version": PARSER_VERSION,
        "rules": rules,
    }
    record = Article(
        url=url,
        canonical_url=canonicalize_url(url) if url else None,
        title=None,
        language=parsed.root.get("lang") or None,
        encoding=parsed.encoding,
        extraction=extraction,
        warnings=warnings,
    )
    record.title, title_el, rules["title"] = _title(ctx)
    if error := _error_text(ctx):
        record.page_type = "error"
        warnings.append(f"error page: {error}")
        _drop_empty(rules)
        return record

    title = record.title
    record.category, _, rules["category"] = _first_plausible(
        ctx, "category", lambda v, _e: _plausible_category(v, title), skip_chrome=False
    )
    record.summary, _, rules["summary"] = _first_plausible(
        ctx,
        "summary",
        lambda v, e: _plausible_summary(v) and len(e.findall(".//p")) < 3,
    )
    body_el, rules["body"] = _body_element(ctx)
    visible_title = _visible_title(ctx, title, title_el) if title else None
    dates = _dates(ctx, visible_title, body_el, fetched_at)
    if dates.published is not None:
        record.published_at = to_iso(dates.published.value)
        record.published_text = dates.published.shown or None
        rules["published_at"] = dates.published.rule
    if dates.updated is not None:
        record.updated_at = to_iso(dates.updated.value)
        record.updated_text = dates.updated.shown or None
        rules["updated_at"] = dates.updated.rule

    body = _body(ctx, body_el, record.summary)
    record.body, record.images, record.attachments = body.text, body.images, body.attachments
    byline, rules["author"] = body.byline, "byline:end-of-body" if body.byline else None
    if byline is None or byline.author is None:
        from_element, rule = _author_from_elements(ctx)
        if from_element is not None:
            source = byline.source if byline else None
            byline = Byline(from_element.author, source, from_element.text)
            rules["author"] = rule
    if byline is not None:
        record.author, record.source, record.byline = byline.author, byline.source, byline.text
    if record.source is None:
        record.source, rules["source"] = _source_from_elements(ctx)
    elif byline is not None:
        rules["source"] = "byline:end-of-body"

    published = dates.published.value if dates.published else None
    record.contacts = _contacts(ctx, published)
    record.footer = _footer(ctx, published)
    text = "\n".join(filter(None, (record.title, record.summary, record.body)))
    record.doc_refs = [ref.as_dict() for ref in find_doc_refs(text)]
    if mojibake := detect_mojibake(text[:MOJIBAKE_SAMPLE_CHARS]):
        warnings.append(f"mojibake: the text looks like {mojibake} read as Unicode")
    if record.published_at is None:
        record.page_type = "page"
    for name, value in (("title", record.title), ("body", record.body)):
        if not value:
            warnings.append(f"no {name} found")
    if record.published_at is None:
        warnings.append("no published date found: a static page?")
    _drop_empty(rules)
    return record


def _drop_empty(rules: dict[str, str | None]) -> None:
    for key in [k for k, v in rules.items() if not v]:
        del rules[key]
