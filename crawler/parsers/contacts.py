"""Hotline and contact widgets: who to call, at which number, for what.

A widget is a titled box ("đường dây nóng ngành nội vụ an giang") of numbered entries. An entry
names a person with honorific and role ("Ông Trương Long Hồ (Phó Giám Đốc Sở)") or a unit
("Tổ kiểm tra công vụ"), then phones and emails on labelled lines.
"""

from __future__ import annotations

import copy
import re
from datetime import date, datetime

from crawler.parsers.emails import find_emails
from crawler.parsers.html import HtmlElement, block_text, inline_text, select
from crawler.parsers.phones import find_phones
from crawler.parsers.records import ContactBlock, ContactEntry

_HEADING = "h1, h2, h3, h4, h5, h6, [class*='title'], [class*='header']"
_POSITION = re.compile(r"^\d{1,2}[.)]?$")
_LABEL_LINE = re.compile(
    r"^(điện thoại|đt|đtdđ|di động|dđ|fax|email|e-mail|thư điện tử|hotline|địa chỉ|sđt)\b",
    re.IGNORECASE,
)
_PERSON = re.compile(
    r"^(?P<honorific>Ông|Bà|Đồng chí|Đ/c)\s+(?P<name>[^()\-–,:]+?)"
    r"(?:\s*\((?P<role>[^)]+)\)|\s*[-–,:]\s*(?P<role_after>.+))?$"
)


def _entry_from_lines(position: int, lines: list[str], as_of: date | None) -> ContactEntry | None:
    text = "\n".join(lines)
    phones = [p.as_dict() for p in find_phones(text, as_of=as_of)]
    emails = find_emails(text)
    if not phones and not emails:
        return None
    entry = ContactEntry(position=position, text=text, phones=phones, emails=emails)
    heading = next((line for line in lines if not _LABEL_LINE.match(line)), None)
    if heading and (person := _PERSON.match(heading)):
        entry.honorific = person.group("honorific")
        entry.name = person.group("name").strip()
        entry.role = (person.group("role") or person.group("role_after") or "").strip() or None
    elif heading:
        entry.unit = heading
    return entry


def _split_entries(element: HtmlElement) -> list[list[str]]:
    """Lines of each entry: one per list item, else split where a number or a name starts."""
    items = select(element, "li")
    if items:
        return [[line for line in block_text(li).split("\n") if line] for li in items]
    groups: list[list[str]] = []
    current: list[str] = []
    for line in block_text(element).split("\n"):
        if not line:
            continue
        starts_entry = _POSITION.match(line) or (
            current and not _LABEL_LINE.match(line) and _LABEL_LINE.match(current[-1])
        )
        if starts_entry and current:
            groups.append(current)
            current = []
        current.append(line)
    if current:
        groups.append(current)
    return groups


def parse_contact_block(
    element: HtmlElement, *, as_of: date | datetime | None = None
) -> ContactBlock | None:
    """The contact block in a widget element, or None when it holds no phone or email."""
    element = copy.deepcopy(element)  # the heading is cut out below; leave the page intact
    heading = next(iter(select(element, _HEADING)), None)
    title = inline_text(heading) if heading is not None else ""
    if heading is not None:
        heading.drop_tree()
    day = as_of.date() if isinstance(as_of, datetime) else as_of
    entries: list[ContactEntry] = []
    for lines in _split_entries(element):
        lines = [line for line in lines if not _POSITION.match(line)]
        entry = _entry_from_lines(len(entries) + 1, lines, day)
        if entry is not None:
            entries.append(entry)
    return ContactBlock(title=title, entries=entries) if entries else None
