"""Hotline and contact widgets, and site footers: who to call, at which number, for what.

A widget is a titled box ("Đường dây nóng", "Hotline", "Số điện thoại tiếp nhận phản ánh kiến
nghị") of entries, as list items, table rows or numbered paragraphs. An entry names a person
with honorific and role ("Ông Trương Long Hồ (Phó Giám Đốc Sở)", "Bà X - Chánh Văn phòng", or
the role on its own line) or a unit ("Tổ kiểm tra công vụ"), then phones and emails on
labelled lines. A footer is the agency's own block: its name, "Địa chỉ:" or "Trụ sở:",
"Điện thoại:", "Fax:", "Email:", sometimes a second line for a service desk ("Bộ phận tiếp nhận
hồ sơ (Một cửa): (024) 37367115").

An entry needs a phone or an email: text without any (a leadership list, an empty hotline
page, an article) yields no contacts rather than junk.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import re
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime

from lxml import etree

from crawler.parsers.emails import find_emails
from crawler.parsers.html import HtmlElement, block_text, inline_text, select, text_content
from crawler.parsers.phones import Phone, find_phones
from crawler.parsers.records import ContactBlock, ContactEntry
from crawler.parsers.text import is_vietnamese_syllable

__all__ = ["FOOTER_SELECTORS", "find_footer", "parse_contact_block", "parse_footer_contacts"]

FOOTER_SELECTORS = (
    "footer",
    "#footer",
    ".footer",
    "[id*='footer']",
    "[class*='footer']",
    "#bottom",
    ".bottom",
)
# A run of digits long enough for a phone number, or the mark of an email address.
_CONTACT_HINT = re.compile(r"\d[\d .()\-–]{5,}\d|[@＠]|\[at\]|\(at\)", re.IGNORECASE)
_HEADING = "h1, h2, h3, h4, h5, h6, [class*='title'], [class*='header'], caption"
_POSITION = re.compile(r"^\d{1,2}[.)]?$")
_POSITION_PREFIX = re.compile(r"^\d{1,2}\s*[.)/\-–]\s+(?=\S)")
_LABEL_WORDS = (
    r"điện thoại di động|số điện thoại|điện thoại|đtdđ|đt|di động|dđ|sđt|tel|phone|mobile|fax"
    r"|e-mail|email|thư điện tử|hotline|đường dây nóng|tổng đài|địa chỉ|trụ sở(?: chính)?"
    r"|address|add|website|web"
)
_LABEL_LINE = re.compile(rf"^(?:{_LABEL_WORDS})\b", re.IGNORECASE)
_LABEL_ANYWHERE = re.compile(rf"(?<!\w)(?:{_LABEL_WORDS})\s*[:.]", re.IGNORECASE)
_HONORIFIC = r"Ông|Bà|Đồng chí|Đ/c|Đ/C|đ/c"
_PERSON = re.compile(
    rf"^(?P<honorific>{_HONORIFIC})\.?\s+(?P<name>[^()\-–,:]+?)"
    r"(?:\s*\((?P<role>[^)]+)\)|\s*[-–,:]\s*(?P<role_after>.+))?$"
)
# "Giám đốc Sở: Ông Ngô Hồng Yến"
_ROLE_FIRST = re.compile(rf"^(?P<role>[^:()]{{3,60}}):\s*(?P<honorific>{_HONORIFIC})\.?\s+"
                         r"(?P<name>[^()\-–,:]+?)$")  # fmt: skip
_NAME_AND_ROLE = re.compile(r"^(?P<name>[^()\-–,:]+?)(?:\s*\((?P<role>[^)]+)\)|\s*[-–,:]\s*"
                            r"(?P<role_after>.+))?$")  # fmt: skip
# Common family names: a heading without honorific is a person only if it starts with one.
_SURNAMES = frozenset(
    {
        "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
        "Hồ", "Ngô", "Dương", "Lý", "Trương", "Đinh", "Lâm", "Mai", "Tô", "Trịnh", "Đoàn", "Lương",
        "Châu", "Cao", "Tạ", "Hà", "Thái", "Đào", "Quách", "Lưu", "Kiều", "Chu", "Tăng", "Lục",
        "Hứa", "Diệp", "La", "Từ", "Thân", "Triệu", "Lại", "Khổng", "Tôn", "Mạc", "Văn", "Nông",
        "Hầu", "Giang", "Khúc", "Lò", "Lữ", "Âu", "Ông",
    }
)  # fmt: skip
_FIELD_LABELS = {
    "điện thoại di động": "Di động",
    "số điện thoại": "Điện thoại",
    "điện thoại": "Điện thoại",
    "đtdđ": "Di động",
    "đt": "Điện thoại",
    "di động": "Di động",
    "dđ": "Di động",
    "sđt": "Điện thoại",
    "tel": "Điện thoại",
    "phone": "Điện thoại",
    "mobile": "Di động",
    "fax": "Fax",
    "hotline": "Hotline",
    "đường dây nóng": "Đường dây nóng",
    "tổng đài": "Tổng đài",
}
_PHONE_LABEL = re.compile(
    r"(?<!\w)(" + "|".join(sorted(map(re.escape, _FIELD_LABELS), key=len, reverse=True)) + r")"
    r"(?!\w)",
    re.IGNORECASE,
)
_ADDRESS = re.compile(
    r"(?<!\w)(?:địa chỉ|trụ sở(?: chính)?|address|add)\s*:\s*(?P<address>.+?)"
    rf"(?=\s*[-–;,|]?\s*(?:{_LABEL_WORDS})\s*:|$)",
    re.IGNORECASE,
)
_AGENCY_WORDS = re.compile(
    r"^(?:cổng|sở|ubnd|ủy ban|uỷ ban|hđnd|bộ|ban|trung tâm|văn phòng|báo|đài|tỉnh ủy|tỉnh uỷ"
    r"|portal|website|trang thông tin|cơ quan|chi cục|cục|tổng cục)\b",
    re.IGNORECASE,
)
_COPYRIGHT = re.compile(r"^(?:©|®|\(c\)|copyright|bản quyền(?: thuộc)?)\s*", re.IGNORECASE)
_MAX_HEADING = 120
_MAX_PROSE = 300  # an "entry" longer than this is a paragraph of an article, not a contact


# --- shared --------------------------------------------------------------------------------


def _day(as_of: date | datetime | None) -> date | None:
    return as_of.date() if isinstance(as_of, datetime) else as_of


def _labelled_phones(text: str, day: date | None) -> list[Phone]:
    """Phones in ``text``, each with the label printed before it on its own line when the
    phone parser saw none ("Điện thoại: Văn phòng: 080 43162" -> "Điện thoại")."""
    phones = []
    for line in text.split("\n"):
        cursor = 0
        for phone in find_phones(line, as_of=day):
            start = line.find(phone.raw, cursor)
            if start < 0:
                start = cursor
            if phone.label is None:
                segment = line[cursor:start]
                labels = list(_PHONE_LABEL.finditer(segment))
                if labels:
                    label = _FIELD_LABELS[labels[-1].group(1).lower()]
                    phone = dataclasses.replace(phone, label=label)
            cursor = start + len(phone.raw)
            phones.append(phone)
    seen: set[tuple[str, str | None]] = set()
    unique = []
    for phone in phones:
        if (phone.e164, phone.extension) not in seen:
            seen.add((phone.e164, phone.extension))
            unique.append(phone)
    return unique


def _before_contact_details(line: str, phones: Iterable[Phone], emails: Iterable[str]) -> str:
    """The part of a line before its first label, phone or email ("Ông X (Giám đốc): 0913...")."""
    cut = len(line)
    if match := _LABEL_ANYWHERE.search(line):
        cut = match.start()
    for raw in (*(p.raw for p in phones), *emails):
        position = line.lower().find(raw.lower())
        if 0 <= position < cut:
            cut = position
    return line[:cut].strip(" :-–—,;|")


def _is_person_name(name: str) -> bool:
    words = name.split()
    return (
        2 <= len(words) <= 5
        and words[0] in _SURNAMES
        and all(w[0].isupper() and is_vietnamese_syllable(w) for w in words)
    )


def _person(heading: str) -> tuple[str | None, str, str | None] | None:
    """(honorific, name, role) when the heading names a person, else None."""
    if match := _PERSON.match(heading):
        role = match.group("role") or match.group("role_after")
        return match.group("honorific"), match.group("name").strip(), _clean(role)
    if match := _ROLE_FIRST.match(heading):
        return match.group("honorific"), match.group("name").strip(), _clean(match.group("role"))
    if (match := _NAME_AND_ROLE.match(heading)) and _is_person_name(match.group("name")):
        role = match.group("role") or match.group("role_after")
        return None, match.group("name").strip(), _clean(role)
    return None


def _clean(value: str | None) -> str | None:
    value = (value or "").strip(" :-–—,;.")
    return value or None


# --- widgets -------------------------------------------------------------------------------


def _entry_from_lines(position: int, lines: list[str], day: date | None) -> ContactEntry | None:
    lines = [_POSITION_PREFIX.sub("", line) for line in lines if not _POSITION.match(line)]
    text = "\n".join(lines)
    phones = _labelled_phones(text, day)
    emails = find_emails(text)
    if not phones and not emails:
        return None
    entry = ContactEntry(
        position=position, text=text, phones=[p.as_dict() for p in phones], emails=emails
    )
    for index, line in enumerate(lines):
        heading = _before_contact_details(line, phones, emails)
        if not heading:
            continue
        if len(heading) > _MAX_PROSE:
            return None  # a paragraph of prose that happens to hold a number
        if person := _person(heading):
            entry.honorific, entry.name, entry.role = person
            if entry.role is None:
                entry.role = _role_below(lines, index, phones, emails)
        elif len(heading) <= _MAX_HEADING:
            entry.unit = heading
        break
    return entry


def _role_below(lines: list[str], index: int, phones: list[Phone], emails: list[str]) -> str | None:
    """A role printed on its own line under the person's name."""
    if index + 1 >= len(lines) or _LABEL_LINE.match(lines[index + 1]):
        return None
    below = _before_contact_details(lines[index + 1], phones, emails)
    return below if below and len(below) <= _MAX_HEADING else None


def _outermost(elements: list[HtmlElement], tag: str) -> list[HtmlElement]:
    """The elements not nested in another of them (a list inside a list item is one entry)."""
    return [e for e in elements if not any(a in elements for a in e.iterancestors(tag))]


_COLUMN_KEYS = (
    ("name", re.compile(r"họ (?:và )?tên|tên|lãnh đạo|người", re.IGNORECASE)),
    ("role", re.compile(r"chức vụ|chức danh|nhiệm vụ", re.IGNORECASE)),
    ("unit", re.compile(r"đơn vị|cơ quan|phòng ban|bộ phận", re.IGNORECASE)),
    ("phone", re.compile(r"điện thoại|đt|số máy|hotline|di động", re.IGNORECASE)),
    ("email", re.compile(r"e-?mail|thư", re.IGNORECASE)),
)


def _table_entries(table: HtmlElement, day: date | None) -> list[ContactEntry]:
    """Entries of a contact table, by its header row when it has one."""
    rows = [r for r in table.iter("tr") if next(r.iterancestors("table")) is table]
    columns: dict[int, str] = {}
    header: list[str] = []
    if rows:
        header = [inline_text(c) for c in rows[0] if isinstance(c.tag, str)]
        for index, cell in enumerate(header):
            for key, pattern in _COLUMN_KEYS:
                if pattern.search(cell) and key not in columns.values():
                    columns[index] = key
                    break
        if columns:
            rows = rows[1:]
    entries: list[ContactEntry] = []
    for row in rows:
        cells = [inline_text(c) for c in row if isinstance(c.tag, str)]
        if not columns:
            entry = _entry_from_lines(len(entries) + 1, [c for c in cells if c], day)
        else:
            entry = _entry_from_columns(len(entries) + 1, cells, columns, header, day)
        if entry is not None:
            entries.append(entry)
    return entries


def _entry_from_columns(
    position: int, cells: list[str], columns: dict[int, str], header: list[str], day: date | None
) -> ContactEntry | None:
    """An entry from a table row whose header says what each column holds."""
    values = {key: cells[i] for i, key in columns.items() if i < len(cells) and cells[i]}
    text = "\n".join(c for c in cells if c and not _POSITION.match(c))
    phones = _labelled_phones(values.get("phone", text), day)
    phone_header = next((header[i] for i, key in columns.items() if key == "phone"), "")
    label = _FIELD_LABELS.get(phone_header.lower())
    if label:
        phones = [p if p.label else dataclasses.replace(p, label=label) for p in phones]
    emails = find_emails(values.get("email", text))
    if not phones and not emails:
        return None
    entry = ContactEntry(
        position=position, text=text, phones=[p.as_dict() for p in phones], emails=emails
    )
    if name := values.get("name"):
        person = _person(name)
        if person:
            entry.honorific, entry.name, entry.role = person
        elif "unit" not in values:
            entry.unit = name
    entry.role = values.get("role") or entry.role
    entry.unit = values.get("unit") or entry.unit
    return entry


def _split_entries(element: HtmlElement) -> list[list[str]]:
    """Lines of each entry: one per list item, else split where a number or a name starts."""
    items = _outermost(select(element, "li"), "li")
    if items:
        return [[line for line in block_text(li).split("\n") if line] for li in items]
    groups: list[list[str]] = []
    current: list[str] = []
    for line in block_text(element).split("\n"):
        if not line:
            continue
        starts_entry = (
            _POSITION.match(line)
            or _POSITION_PREFIX.match(line)
            or (current and not _LABEL_LINE.match(line) and _LABEL_LINE.match(current[-1]))
        )
        if starts_entry and current:
            groups.append(current)
            current = []
        current.append(line)
    if current:
        groups.append(current)
    return groups


_PARSED: OrderedDict[tuple, ContactBlock | None] = OrderedDict()
_PARSED_MAX = 256


def _same_markup_same_result(parse: Callable) -> Callable:
    """Reuse the result for a widget already parsed: portals repeat the same hotline box and
    footer on every page, and parsing them is most of the cost of a page. The key is the
    element's markup and the date the phones are read as of, so the function stays pure."""

    @functools.wraps(parse)
    def parse_once(element: HtmlElement, *, as_of: date | datetime | None = None):
        day = as_of.date() if isinstance(as_of, datetime) else as_of
        key = (parse.__name__, etree.tostring(element, with_tail=False), day)
        if key in _PARSED:
            _PARSED.move_to_end(key)
        else:
            _PARSED[key] = parse(element, as_of=as_of)
            if len(_PARSED) > _PARSED_MAX:
                _PARSED.popitem(last=False)
        return _copy_block(_PARSED[key])

    return parse_once


def _copy_block(block: ContactBlock | None) -> ContactBlock | None:
    """A copy of a cached block that a caller may change freely (``copy.deepcopy`` costs ten
    times as much: it inspects every object; entries hold only strings, lists and flat dicts)."""
    if block is None:
        return None
    entries = [
        dataclasses.replace(entry, phones=[dict(p) for p in entry.phones], emails=[*entry.emails])
        for entry in block.entries
    ]
    return ContactBlock(title=block.title, entries=entries, kind=block.kind)


@_same_markup_same_result
def parse_contact_block(
    element: HtmlElement, *, as_of: date | datetime | None = None
) -> ContactBlock | None:
    """The contact block in a widget element, or None when it holds no phone or email.

    ``as_of`` is the page date, which decides how old phone numbers are read (see
    :mod:`crawler.parsers.phones`). The block's ``kind`` is "widget".
    """
    element = copy.deepcopy(element)  # the heading is cut out below; leave the page intact
    heading = next(iter(select(element, _HEADING)), None)
    title = inline_text(heading) if heading is not None else ""
    # The selector may have matched the heading itself ("h3.hotline-title"): nothing to cut.
    if heading is element:
        heading = None
    if heading is not None and len(title) <= _MAX_HEADING and not find_phones(title):
        heading.drop_tree()
    else:
        title = ""
    day = _day(as_of)
    tables = _outermost(select(element, "table"), "table")
    if tables:
        entries = [e for table in tables for e in _table_entries(table, day)]
        for number, entry in enumerate(entries, start=1):
            entry.position = number
    else:
        entries = []
        for lines in _split_entries(element):
            entry = _entry_from_lines(len(entries) + 1, lines, day)
            if entry is not None:
                entries.append(entry)
    return ContactBlock(title=title, entries=entries, kind="widget") if entries else None


# --- footers -------------------------------------------------------------------------------


def _footer_candidates(
    root: HtmlElement, selectors: Iterable[str], find: Callable[[str], list[HtmlElement]] | None
) -> Iterator[HtmlElement]:
    """Elements matched by ``selectors`` (in order, each once) whose text could hold a contact."""
    tried: set[HtmlElement] = set()
    for selector in dict.fromkeys(selectors):
        for element in find(selector) if find is not None else select(root, selector):
            if element in tried:
                continue
            tried.add(element)
            if _CONTACT_HINT.search(text_content(element)):  # cheap test before parsing
                yield element


def find_footer(
    root: HtmlElement, selectors: Iterable[str] = FOOTER_SELECTORS
) -> HtmlElement | None:
    """The page's footer: the first element matched by ``selectors`` (tried in order) that
    holds a phone number or an email address, or None."""
    for element in _footer_candidates(root, selectors, None):
        text = block_text(element)
        if find_phones(text) or find_emails(text):
            return element
    return None


def footer_contacts(
    root: HtmlElement,
    selectors: Iterable[str] = FOOTER_SELECTORS,
    *,
    as_of: date | datetime | None = None,
    find: Callable[[str], list[HtmlElement]] | None = None,
) -> ContactBlock | None:
    """The contacts of the page's footer: the first candidate that yields a block.

    ``find`` runs a selector on the page (by default :func:`select` on ``root``): a caller
    that indexed the page passes its faster one.
    """
    for element in _footer_candidates(root, selectors, find):
        block = parse_footer_contacts(element, as_of=as_of)
        if block is not None:
            return block
    return None


def _footer_title(element: HtmlElement, lines: list[str]) -> str | None:
    """The agency's name: a heading of the footer, or its first line that names an agency."""
    for heading in select(element, _HEADING + ", strong, b"):
        text = _COPYRIGHT.sub("", inline_text(heading)).strip(" .")
        if _plausible_title(text):
            return text
    for line in lines:
        text = _COPYRIGHT.sub("", line).strip(" .")
        if _AGENCY_WORDS.match(text) and _plausible_title(text):
            return text
    return None


def _plausible_title(text: str) -> bool:
    return (
        3 <= len(text) <= 200
        and not any(ch.isdigit() for ch in text)
        and not _LABEL_LINE.match(text)
        and "|" not in text
        and not find_emails(text)
    )


@_same_markup_same_result
def parse_footer_contacts(
    element: HtmlElement, *, as_of: date | datetime | None = None
) -> ContactBlock | None:
    """The agency's contact details in a site footer (or a "Liên hệ" page), or None.

    The block's ``title`` is the agency's name as printed (a leading "©" dropped), or
    "footer" when the footer names none; ``kind`` is "footer". The first entry (``unit`` = the
    agency's name) holds the address ("Địa chỉ:", "Trụ sở:") and the lines that start with a
    label; a line introduced by its own name ("Bộ phận tiếp nhận hồ sơ (Một cửa): (024) ...")
    becomes an entry of its own with that ``unit``. Every phone carries its ``kind`` (mobile,
    landline, government...) and its printed ``label`` (Điện thoại, Fax, Hotline...).
    """
    day = _day(as_of)
    lines = [line for line in block_text(element).split("\n") if line]
    title = _footer_title(element, lines)
    main = ContactEntry(position=1, text="", unit=title)
    main_lines: list[str] = []
    others: list[ContactEntry] = []
    for line in lines:
        address = _ADDRESS.search(line)
        phones = _labelled_phones(line, day)
        emails = find_emails(line)
        if not (address or phones or emails):
            continue
        lead = _before_contact_details(line, phones, emails)
        if lead and not address and _is_unit_lead(lead, title):
            others.append(
                ContactEntry(
                    position=0,
                    text=line,
                    unit=lead,
                    phones=[p.as_dict() for p in phones],
                    emails=emails,
                )
            )
            continue
        main_lines.append(line)
        if address and main.address is None:
            main.address = address.group("address").strip(" .,;-–")
        main.phones.extend(p.as_dict() for p in phones)
        main.emails.extend(e for e in emails if e not in main.emails)
    main.text = "\n".join(main_lines)
    entries = [e for e in (main, *others) if e.phones or e.emails or e.address]
    if not any(e.phones or e.emails for e in entries):
        return None
    for number, entry in enumerate(entries, start=1):
        entry.position = number
    return ContactBlock(title=title or "footer", entries=entries, kind="footer")


def _is_unit_lead(lead: str, title: str | None) -> bool:
    """Whether the text before a line's numbers names a desk or unit of its own."""
    return (
        lead != title
        and 2 <= len(lead.split()) <= 20
        and not any(ch.isdigit() for ch in lead)
        and not _COPYRIGHT.match(lead)
    )
