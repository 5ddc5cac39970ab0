"""Find telephone numbers in the text of Vietnamese government pages.

Portals print hotline and contact widgets with officials' numbers in many shapes
(``0983.570.009``, ``02963.957.049 - 0378.247.247``, ``(0296).3852989 – 3852862``,
``(024) 35123536``, ``1900 1234``, ``080 43162``, ``+84 296 3957 049``) next to dates,
document numbers, money and counts that look much like them. This module turns such text into
:class:`Phone` records with an E.164 form, a kind, an extension and the label printed before.

Why not ``phonenumbers.PhoneNumberMatcher`` alone: it reads an old An Giang landline
``(076) 3852 989`` as today's MobiFone mobile ``076 385 2989``, turns masked digits such as
``09xx xxx xxx`` into numbers (letters are keypad digits to it) and forgets how a number was
grouped, which is what tells an old landline from a mobile. So candidates are found here, as
runs of digit groups, and only the digits are handed to ``phonenumbers`` for validation, E.164
and number type.

Rules, in order, for one run of digit groups:

* A run may hold several numbers (``02963.957.049 - 0378.247.247``): it is cut at group
  boundaries, taking the longest prefix that reads as a number each time.
* A bare local number of 7 digits (8 after 024/028) right after a landline, separated by
  ``-``, ``–``, ``,``, ``;``, ``/`` or ``hoặc``, shares that landline's area code:
  ``(0296).3852989 – 3852862`` gives +842963852989 and +842963852862.
* ``080`` followed by 5 digits is the State's private network (mạng chuyên dùng): kind
  ``"government"``, and ``e164`` is what ``phonenumbers`` formats (``"+848043162"``) although
  the number is not dialable from the public network: callers need a stable key, not a route.
* 11-digit mobiles (``0168 123 4567``) are always rewritten by the 2018 table (``038 123 4567``):
  no 11-digit mobile exists any more, and the 7 last digits were kept.
* Old landline area codes (2017 table: ``076`` An Giang, ``04`` Hà Nội, ``08`` TP.HCM, ...)
  followed by a local number of the right length are rewritten (``(076) 3852989`` ->
  ``02963852989``, ``rewritten_from="0763852989"``) when any of these holds:

  - the number read as printed is not a valid number today (``04 3512 3536``, ``0511 3822 123``);
  - it is *written as a landline*: area code in parentheses (``(076) 3852 989``), or as its own
    group followed by the local number in one piece (``076.3852989``, ``076 3852989``), or a
    two-digit ``04``/``08`` as its own group (``08 3829 1234``). A mobile is never printed
    that way, so the page date does not matter;
  - ``as_of`` (the page date) is earlier than the day the printed prefix got its current
    meaning: 15 September 2018 for prefixes handed to mobiles by the 2018 change
    (``0763852989`` on a 2016 page is An Giang's landline), or the 2017 phase start for an
    area code. Prefixes that were mobile before 2017 (09x, 086, 088, 089) are never re-read.

  Otherwise (``as_of`` unknown or later, and printed like a mobile: ``0763852989``,
  ``076 385 2989``) the number is read as it is valid today, a mobile. The point: an old An
  Giang landline never becomes someone's mobile, and a current mobile is not turned into a
  landline that no longer exists.
* Masked placeholders (``3852 xxx``, ``0296.xxx.xxx``, ``09xx xxx xxx``, ``0983.570.***``) give
  nothing; digits glued to letters or to ``/`` (``439/QĐ-TTg``, ``178/2024/NĐ-CP``) give
  nothing; dotted thousands (``4.142``, ``84.140``, ``1.234.567 đồng``) and dates
  (``06.02.2024``) give nothing; a label such as ``Mã số thuế`` or ``STK`` before digits makes
  them not a phone.
* A number that ``phonenumbers`` finds possible but not valid is kept, with kind ``"unknown"``,
  only when a phone label (``Điện thoại:``, ``ĐT:``, ``Fax:``, ...) stands before it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime
from typing import Any

import phonenumbers
from phonenumbers import PhoneNumberType

from crawler.parsers.phone_tables import (
    EIGHT_DIGIT_LOCAL_CODES,
    GOVERNMENT_NETWORK_PREFIX,
    LANDLINE_CODE_CHANGES,
    LANDLINE_PHASES,
    MOBILE_CHANGE,
    MOBILE_PREFIX_CHANGES,
    MOBILE_PREFIXES_BEFORE_2017,
)

__all__ = ["Phone", "find_phones", "parse_phone"]

KIND_MOBILE = "mobile"
KIND_LANDLINE = "landline"
KIND_TOLL_FREE = "toll_free"
KIND_PREMIUM = "premium"
KIND_GOVERNMENT = "government"
KIND_UNKNOWN = "unknown"

_KINDS = {
    PhoneNumberType.MOBILE: KIND_MOBILE,
    PhoneNumberType.FIXED_LINE: KIND_LANDLINE,
    PhoneNumberType.TOLL_FREE: KIND_TOLL_FREE,
    PhoneNumberType.PREMIUM_RATE: KIND_PREMIUM,
}


@dataclass(frozen=True)
class Phone:
    """One telephone number as printed on a page, with its normalised forms.

    ``raw`` is the printed text of the number alone (no label, no extension); ``e164`` the
    international form; ``kind`` one of ``mobile``, ``landline``, ``toll_free``, ``premium``,
    ``government`` or ``unknown``; ``extension`` the internal line (``"102"`` from
    ``máy lẻ 102``); ``rewritten_from`` the old national form when the 2017/2018 tables were
    applied; ``label`` the canonical label printed before it (``"Điện thoại"``, ``"Di động"``,
    ``"Fax"``, ``"Hotline"``, ``"Đường dây nóng"``, ``"Tổng đài"``, or several joined by ``/``
    as in ``"Điện thoại/Fax"``), so that callers can tell a fax from a phone.
    """

    raw: str
    e164: str
    kind: str
    extension: str | None = None
    rewritten_from: str | None = None
    label: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The fields as a plain dict, for JSON columns and items."""
        return asdict(self)


# --- Candidates ----------------------------------------------------------------------------

_SP = "[ \u00a0\u2007\u2009\u202f]"
_FIRST = rf"\({_SP}*\+?{_SP}?\d{{1,5}}{_SP}*\)|\+{_SP}?\d+|\d+"
_NEXT = rf"\({_SP}*\d{{1,5}}{_SP}*\)|\d+"
# Inside one number groups are joined by one space, or a dot or hyphen (maybe spaced), or
# nothing after a closing parenthesis. " - " also joins: runs are cut into numbers later.
_JOIN = rf"{_SP}?[.\-]{_SP}?|{_SP}{{1,2}}|(?<=\))"
_RUN_RE = re.compile(rf"(?:{_FIRST})(?:(?:{_JOIN})(?:{_NEXT}))*")
_GROUP_RE = re.compile(_FIRST)

# A run of x or * standing for digits after some digits; not the x of a word ("0983... xã").
_MASK_AFTER_RE = re.compile(r"[ .\-]?(?:[xX]+|[*•]+)(?![^\W\d_])")
_PHONE_START_RE = re.compile(r"[ \u00a0]?(?:\(?[ \u00a0]?0|\+)")
_DUMMY_RE = re.compile(r"0(?:123456789|(\d)\1+)")  # 0123456789, 0000000000: filler, not numbers
_UNIT_AFTER_RE = re.compile(
    r"[ \u00a0]*(?:đồng|vnđ|vnd|usd|tỷ|triệu|nghìn|ngàn)(?!\w)", re.IGNORECASE
)
_LIST_SEP_RE = re.compile(r"[ \u00a0]*(?:[-–—,;/&]|hoặc|và|or)[ \u00a0]*", re.IGNORECASE)
_EXTENSION_RE = re.compile(
    r"[ \u00a0]*[-–,;]?[ \u00a0]*\(?[ \u00a0]*"
    r"(?:số[ \u00a0]+)?(?:máy[ \u00a0]+lẻ|nội[ \u00a0]+bộ|nhánh|ext(?:ension)?\.?|ml\.?)"
    r"[ \u00a0]*[:.]?[ \u00a0]*(\d{1,6})(?!\d)(?:[ \u00a0]*\))?",
    re.IGNORECASE,
)

# Labels printed before numbers, lower-cased -> canonical name (None: "this is not a phone").
_LABELS: dict[str, str | None] = {
    "điện thoại di động": "Di động",
    "đtdđ": "Di động",
    "di động": "Di động",
    "dđ": "Di động",
    "mobile": "Di động",
    "số điện thoại": "Điện thoại",
    "điện thoại": "Điện thoại",
    "sđt": "Điện thoại",
    "đt": "Điện thoại",
    "tel": "Điện thoại",
    "telephone": "Điện thoại",
    "phone": "Điện thoại",
    "fax": "Fax",
    "hotline": "Hotline",
    "đường dây nóng": "Đường dây nóng",
    "tổng đài": "Tổng đài",
    # Identifiers that are digits too.
    "mã số thuế": None,
    "mst": None,
    "mã số doanh nghiệp": None,
    "mã doanh nghiệp": None,
    "msdn": None,
    "mã số": None,
    "mã": None,
    "số tài khoản": None,
    "stk": None,
    "tài khoản": None,
    "tk": None,
    "cmnd": None,
    "cccd": None,
    "căn cước công dân": None,
    "số định danh": None,
    "mã định danh": None,
    "hộ chiếu": None,
    "mã bưu chính": None,
    "mã bưu điện": None,
    "postal code": None,
    "zip code": None,
    "tax code": None,
    "mã hồ sơ": None,
    "số hồ sơ": None,
    "số hiệu": None,
    "số ký hiệu": None,
    "giấy phép": None,
    "gpkd": None,
    "đkkd": None,
}
_LABEL_WORD = "|".join(
    re.escape(k).replace(r"\ ", r"\s+") for k in sorted(_LABELS, key=len, reverse=True)
)
_QUALIFIER = r"cơ\s+quan|văn\s+phòng|liên\s+hệ|liên\s+lạc|nhà\s+riêng|bàn|cố\s+định|trực"
_LABEL_TAIL_RE = re.compile(
    rf"(?<!\w)((?:{_LABEL_WORD})(?:\s*[/,&-]\s*(?:{_LABEL_WORD}))*)"
    rf"(?:\s+(?:{_QUALIFIER}))?\s*(?:\([^()\d\n]{{0,30}}\))?\s*[:.]{{0,2}}\s*[(\[]?\s*$",
    re.IGNORECASE,
)
_LABEL_SPLIT_RE = re.compile(r"\s*[/,&-]\s*")


@dataclass(frozen=True)
class _Group:
    """One group of digits of a run: ``0983`` or ``(0296)`` or ``+84``."""

    start: int
    end: int
    digits: str
    paren: bool
    plus: bool
    sep: str  # the text joining it to the group before ("" for the first)


@dataclass(frozen=True)
class _Reading:
    """What a sequence of groups means as a number."""

    national: str
    e164: str
    kind: str
    rewritten_from: str | None = None
    area: str | None = None  # current landline area code, shared by bare local numbers after it
    old_area: str | None = None  # the pre-2017 code when the number was rewritten


_MAX_DIGITS = 14  # "+84 296 3957 049" is 11 digits; a longer slice is never one number
_NOT_PHONE = "\x00"  # label marker: the digits follow "Mã số thuế" or the like


def find_phones(text: str, *, as_of: date | datetime | None = None) -> list[Phone]:
    """Every telephone number in ``text``, in order of appearance, de-duplicated.

    ``as_of`` is the date of the page: it decides how plainly written old numbers are read (see
    the module docstring). Duplicates are numbers with the same E.164 form and extension; the
    first occurrence is kept.
    """
    text = unicodedata.normalize("NFC", text)
    day = _as_date(as_of)
    phones: list[Phone] = []
    seen: set[tuple[str, str | None]] = set()
    last_end = 0
    last_reading: _Reading | None = None
    last_label: str | None = None

    for run in _RUN_RE.finditer(text):
        groups = _trim(text, _groups(text, run.start(), run.end()))
        if not groups or _is_quantity(text, groups):
            continue
        start = groups[0].start
        joined = last_end > 0 and _LIST_SEP_RE.fullmatch(text, last_end, start) is not None
        if joined:
            label = last_label
        else:
            label = _label_before(text, start, last_end)
            last_reading = None
        if label == _NOT_PHONE:
            last_end, last_label, last_reading = groups[-1].end, label, None
            continue

        prev = last_reading if joined else None
        i = 0
        while i < len(groups):
            found = None
            for j in range(_last_group(groups, i), i, -1):
                reading = _read(groups[i:j], day=day, prev=prev, labelled=label is not None)
                if reading is not None:
                    found = j, reading
                    break
            if found is None:
                i += 1
                prev = None
                continue
            j, reading = found
            end = groups[j - 1].end
            extension = None
            if j == len(groups):
                ext = _EXTENSION_RE.match(text, end)
                if ext:
                    extension, end = ext.group(1), ext.end()
            phone = Phone(
                raw=text[groups[i].start : groups[j - 1].end],
                e164=reading.e164,
                kind=reading.kind,
                extension=extension,
                rewritten_from=reading.rewritten_from,
                label=label,
            )
            if (phone.e164, phone.extension) not in seen:
                seen.add((phone.e164, phone.extension))
                phones.append(phone)
            last_end, last_reading, last_label = end, reading, label
            prev = reading
            i = j
    return phones


def parse_phone(raw: str, *, as_of: date | datetime | None = None) -> Phone | None:
    """The first telephone number in ``raw`` (one printed number, maybe with label), or None."""
    phones = find_phones(raw, as_of=as_of)
    return phones[0] if phones else None


# --- Helpers -------------------------------------------------------------------------------


def _as_date(value: date | datetime | None) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value


def _groups(text: str, start: int, end: int) -> list[_Group]:
    groups: list[_Group] = []
    previous_end = start
    for m in _GROUP_RE.finditer(text, start, end):
        token = m.group()
        groups.append(
            _Group(
                start=m.start(),
                end=m.end(),
                digits=re.sub(r"\D", "", token),
                paren=token.startswith("("),
                plus="+" in token,
                sep=text[previous_end : m.start()],
            )
        )
        previous_end = m.end()
    return groups


def _trim(text: str, groups: list[_Group]) -> list[_Group]:
    """Drop an edge group glued to letters, slashes or mask characters (``09xx``, ``3852 xxx``).

    A slash between two numbers (``0983.570.009/0913.658.627``) is a list separator; any other
    slash marks a date or a document number (``06/02/2024``, ``439/QĐ-TTg``).
    """
    if groups:
        start = groups[0].start
        before = text[start - 1] if start else " "
        slash_ok = (
            before == "/"
            and (start < 2 or text[start - 2].isdigit() or text[start - 2].isspace())
            and _PHONE_START_RE.match(text, start) is not None
        )
        if before.isalnum() or (before in "/@_\\" and not slash_ok):
            groups = groups[1:]
            if groups:
                groups[0] = replace(groups[0], sep="")
    if groups:
        end = groups[-1].end
        after = text[end] if end < len(text) else " "
        slash_ok = after == "/" and _PHONE_START_RE.match(text, end + 1) is not None
        if (
            after.isalnum()
            or (after in "/@_\\%" and not slash_ok)
            or _MASK_AFTER_RE.match(text, end)
        ):
            groups = groups[:-1]
    return groups


def _last_group(groups: Sequence[_Group], i: int) -> int:
    """The end of the longest slice from ``i`` short enough to be one number (14 digits)."""
    total, j = 0, i
    while j < len(groups) and total + len(groups[j].digits) <= _MAX_DIGITS:
        total += len(groups[j].digits)
        j += 1
    return max(j, i + 1)


def _is_quantity(text: str, groups: Sequence[_Group]) -> bool:
    """Dotted thousands (``4.142``, ``1.234.567``) or an amount followed by a currency word."""
    if _UNIT_AFTER_RE.match(text, groups[-1].end):
        return True
    first = groups[0]
    return (
        len(groups) >= 2
        and not first.paren
        and not first.plus
        and 1 <= len(first.digits) <= 3
        and not first.digits.startswith("0")
        and all(g.sep in (".", ",") and len(g.digits) == 3 and not g.paren for g in groups[1:])
    )


def _label_before(text: str, pos: int, floor: int) -> str | None:
    """The canonical label printed just before ``pos`` (or at the end of the line above)."""
    line_start = text.rfind("\n", 0, pos) + 1
    if not text[line_start:pos].strip():
        line_start = text.rfind("\n", 0, max(line_start - 1, 0)) + 1
    window = text[max(line_start, floor) : pos]
    m = _LABEL_TAIL_RE.search(window)
    if not m:
        return None
    names: list[str] = []
    for word in _LABEL_SPLIT_RE.split(m.group(1).strip()):
        name = _LABELS.get(re.sub(r"\s+", " ", word.lower()))
        if name is None:
            return _NOT_PHONE
        if name not in names:
            names.append(name)
    return "/".join(names)


def _local_length(area: str) -> int:
    return 8 if area in EIGHT_DIGIT_LOCAL_CODES else 7


def _area(national: str) -> str | None:
    if national.startswith(("024", "028")):
        return national[:3]
    if national.startswith("02"):
        return national[:4]
    return None


def _parse(national: str) -> _Reading | None:
    """Today's reading of a national number, if ``phonenumbers`` finds it valid."""
    try:
        number = phonenumbers.parse(national, "VN")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    kind = _KINDS.get(phonenumbers.number_type(number), KIND_UNKNOWN)
    return _Reading(
        national=national,
        e164=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
        kind=kind,
        area=_area(national) if kind == KIND_LANDLINE else None,
    )


def _read(
    groups: Sequence[_Group], *, day: date | None, prev: _Reading | None, labelled: bool
) -> _Reading | None:
    """Read a sequence of groups as one number, or None."""
    digits = "".join(g.digits for g in groups)
    if not 7 <= len(digits) <= _MAX_DIGITS:
        return None
    first = groups[0]
    if prev is not None and not first.plus and not first.paren:
        local = _read_local(digits, prev)
        if local is not None:
            return local

    # National digits, and the groups that carry them (for the "written as a landline" test).
    parts = [(g.digits, g.paren) for g in groups]
    international = first.plus or first.digits in ("84", "0084")
    if international:
        if first.plus and not first.digits.startswith("84"):
            return _parse_foreign(digits)
        prefix = "0084" if first.digits.startswith("0084") else "84"
        parts[0] = (first.digits[len(prefix) :], False)
        if not parts[0][0]:
            parts = parts[1:]
        if not parts:
            return None
        parts[0] = ("0" + parts[0][0].lstrip("0"), parts[0][1])  # also "+84 (0) 296 ..."
    national = "".join(p for p, _ in parts)

    if not national.startswith("0"):
        if national.startswith(("1800", "1900")):
            return _parse(national)
        return None
    if national.startswith(GOVERNMENT_NETWORK_PREFIX) and len(national) == 8:
        if parts[0][0] == GOVERNMENT_NETWORK_PREFIX or len(parts) == 1:
            return _Reading(national, "+84" + national[1:], KIND_GOVERNMENT)
        return None

    if len(national) == 11 and national[:4] in MOBILE_PREFIX_CHANGES:
        new = MOBILE_PREFIX_CHANGES[national[:4]].new + national[4:]
        reading = _parse(new)
        if reading is not None and reading.kind == KIND_MOBILE:
            return replace(reading, rewritten_from=national)
        return None

    current = _parse(national)
    old = _old_landline(national)
    if old is not None:
        code, local = old
        if current is None or _written_as_landline(parts, code) or _predates(current, day):
            reading = _parse(LANDLINE_CODE_CHANGES[code].new + local)
            if reading is not None and reading.kind == KIND_LANDLINE:
                return replace(reading, rewritten_from=national, old_area=code)
    if current is not None:
        return current
    if labelled and len(national) in (10, 11) and not _DUMMY_RE.fullmatch(national):
        number = phonenumbers.parse(national, "VN")
        if phonenumbers.is_possible_number(number):
            e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            return _Reading(national, e164, KIND_UNKNOWN)
    return None


def _read_local(digits: str, prev: _Reading) -> _Reading | None:
    """A bare local number after a landline: ``3852862`` in ``(0296).3852989 – 3852862``."""
    if prev.kind != KIND_LANDLINE or prev.area is None:
        return None
    if len(digits) != _local_length(prev.area) or digits[0] in "01":
        return None
    reading = _parse(prev.area + digits)
    if reading is None or reading.kind != KIND_LANDLINE:
        return None
    if prev.old_area is not None:
        return replace(reading, rewritten_from=prev.old_area + digits, old_area=prev.old_area)
    return reading


def _parse_foreign(digits: str) -> _Reading | None:
    try:
        number = phonenumbers.parse("+" + digits, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return _Reading(
        national=digits,
        e164=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
        kind=_KINDS.get(phonenumbers.number_type(number), KIND_UNKNOWN),
    )


def _old_landline(national: str) -> tuple[str, str] | None:
    """(old area code, local number) if ``national`` has the shape of a pre-2017 landline."""
    for size in (4, 3, 2):
        code = national[:size]
        if code in LANDLINE_CODE_CHANGES:
            local = national[size:]
            if len(local) == _local_length(code) and local[0] not in "01":
                return code, local
            return None
    return None


def _written_as_landline(parts: Sequence[tuple[str, bool]], code: str) -> bool:
    """``(076) 3852 989``, ``076.3852989``, ``08 3829 1234``: the area code stands apart."""
    digits, paren = parts[0]
    if digits != code:
        return False
    return paren or len(code) == 2 or len(parts) == 2


def _predates(current: _Reading, day: date | None) -> bool:
    """Whether the page is older than the current meaning of the number's prefix."""
    if day is None:
        return False
    if current.kind == KIND_MOBILE:
        if current.national.startswith(MOBILE_PREFIXES_BEFORE_2017):
            return False
        return day < MOBILE_CHANGE.start
    if current.kind == KIND_LANDLINE:
        for change in LANDLINE_CODE_CHANGES.values():
            if current.national.startswith(change.new):
                return day < LANDLINE_PHASES[change.phase].start
    return False
