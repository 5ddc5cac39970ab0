"""The records the parsers produce: plain dataclasses that turn into JSON-ready dicts."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


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


@dataclass
class ContactBlock:
    """A contact widget: its title as printed and its entries in page order."""

    title: str
    entries: list[ContactEntry] = field(default_factory=list)


@dataclass
class Article:
    """Everything extracted from one article page.

    ``published_at`` is ISO 8601 with the +07:00 offset; ``published_text`` is the date string
    as the page shows it. ``extraction`` names the platform profile and, per field, the rule
    that produced the value, so a wrong value can be traced to its selector.
    """

    url: str | None
    canonical_url: str | None
    title: str | None
    category: str | None = None
    summary: str | None = None
    published_at: str | None = None
    published_text: str | None = None
    author: str | None = None
    source: str | None = None
    byline: str | None = None
    body: str = ""
    images: list[Image] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    contacts: list[ContactBlock] = field(default_factory=list)
    language: str | None = None
    encoding: str | None = None
    extraction: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
