"""The records the parsers produce: plain dataclasses that turn into JSON-ready dicts."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, is_dataclass
from functools import cache
from typing import Any

_SCALARS = frozenset({str, int, float, bool, type(None)})


def _plain(value: Any) -> Any:
    """``value`` as :func:`dataclasses.asdict` copies it: dataclasses as dicts, lists and
    dicts copied, all the way down. Three to five times faster on a record: asdict sends
    every string through the same generic recursion (and a deep copy), here only containers
    and dataclasses recurse."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is list:
        return [_plain(item) for item in value]
    if kind is dict:
        return {_plain(key): _plain(item) for key, item in value.items()}
    if is_dataclass(value) and not isinstance(value, type):
        return {name: _plain(getattr(value, name)) for name in _field_names(kind)}
    return asdict(_Holder(value))["value"]  # anything else exactly as asdict treats it


@cache
def _field_names(kind: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(kind))


@dataclass
class _Holder:
    value: Any


@dataclass
class Image:
    src: str
    alt: str | None = None
    caption: str | None = None


@dataclass
class Attachment:
    url: str
    text: str


@dataclass
class ContactEntry:
    """One numbered entry of a hotline widget: a person (with honorific and role) or a unit."""

    position: int
    text: str
    honorific: str | None = None
    name: str | None = None
    role: str | None = None
    unit: str | None = None
    phones: list[dict[str, Any]] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    address: str | None = None  # "Địa chỉ: ..." / "Trụ sở: ..." (footers, contact pages)


@dataclass
class ContactBlock:
    """A contact widget or a site footer: its title as printed and its entries in page order.

    ``kind`` is "widget" (a hotline or contact box) or "footer" (the agency's own address and
    numbers at the bottom of every page).
    """

    title: str
    entries: list[ContactEntry] = field(default_factory=list)
    kind: str = "widget"


@dataclass
class Article:
    """Everything extracted from one article page.

    ``published_at`` is ISO 8601 with the +07:00 offset; ``published_text`` is the date string
    as the page shows it (labels kept, trailing counters such as "View count: 842" dropped).
    ``updated_at``/``updated_text`` are the same for a modification date ("Cập nhật", the
    ``article:modified_time`` metadata), kept apart so that an edit never passes for the
    publication. ``page_type`` is "article" (dated), "page" (a static page: no date) or "error"
    (a "not found" or error page, which a crawler should not archive as content).
    ``extraction`` names the platform profile, how it was detected and, per field, the rule
    that produced the value, so a wrong value can be traced to its selector.
    """

    url: str | None
    canonical_url: str | None
    title: str | None
    category: str | None = None
    summary: str | None = None
    published_at: str | None = None
    published_text: str | None = None
    updated_at: str | None = None
    updated_text: str | None = None
    author: str | None = None
    source: str | None = None
    byline: str | None = None
    body: str = ""
    images: list[Image] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    contacts: list[ContactBlock] = field(default_factory=list)
    footer: ContactBlock | None = None  # the agency's address and numbers in the site footer
    doc_refs: list[dict[str, Any]] = field(default_factory=list)  # see parsers.docrefs
    language: str | None = None
    encoding: str | None = None
    page_type: str = "article"
    extraction: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return _plain(self)


@dataclass
class ListingItem:
    """One teaser of a listing page: the linked article as the listing shows it."""

    title: str
    url: str
    published_at: str | None = None
    published_text: str | None = None
    summary: str | None = None


@dataclass
class PageLink:
    """A link to one page of a paginated listing, numbered as the site numbers its pages."""

    number: int
    url: str


@dataclass
class Listing:
    """A listing (category) page: its items in page order and where the other pages are.

    ``current_page`` is the page number this page shows (1 for the first page on every
    platform, even where the URL counts from 0, as Drupal's ``?page=N`` does); ``next_url`` is
    the next page, or None on the last one; ``pages`` the numbered page links the page carries.
    """

    url: str | None
    items: list[ListingItem] = field(default_factory=list)
    current_page: int | None = None
    next_url: str | None = None
    pages: list[PageLink] = field(default_factory=list)
    total_items: int | None = None
    extraction: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return _plain(self)
