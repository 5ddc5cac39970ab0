"""Find the official documents an article cites: "Quyết định số 439/QĐ-TTg", "Đề án 06".

Journalists follow a decision, a decree or a plan through every announcement that cites it, so
each reference is kept in a normalised official form (``ref``) with its parts. Vietnamese
document numbers follow the rules of Nghị định 30/2020/NĐ-CP on administrative documents and
Hướng dẫn 36-HD/VPTW for Party documents:

* administrative: ``439/QĐ-TTg`` (number / type code - issuer), with the year for legal
  documents: ``178/2024/NĐ-CP``, ``22/2023/TT-BTTTT``, ``12/2015/TTLT-BNV-BTC``;
* official letters (công văn) carry no type code: ``1942/BTTTT-CVT`` (issuer - drafting unit);
* laws and resolutions of the National Assembly: ``33/2024/QH15`` (the issuer with its term);
* Party documents put the type before the slash: ``18-NQ/TW``, ``08-CTr/TU``;
* a few programmes are known by a short name: ``Đề án 06``.

The type comes from the code (``QĐ`` → Quyết định) or, when there is none, from the words
before the number ("Luật Lưu trữ số 33/2024/QH15" → Luật). The year comes from the number or,
failing that, from a date right after it ("439/QĐ-TTg ngày 15/8/2023" → 2023).

A reference needs a letter code glued to the number by ``/`` or ``-``, so dates (15/12/2023),
ratios (153/699), percentages, phone numbers and addresses ("Số 15 Lê Triệu Kiết") never match.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import filterfalse
from typing import Any

__all__ = ["DocRef", "find_doc_refs", "fold_doc_ref", "normalize_doc_ref"]

# Type codes (Nghị định 30/2020/NĐ-CP, appendix III; Hướng dẫn 36-HD/VPTW) -> the names they
# stand for, the usual one first. Party documents use QĐ for both Quyết định and Quy định.
TYPE_CODES: dict[str, tuple[str, ...]] = {
    "QĐ": ("Quyết định", "Quy định"),
    "NĐ": ("Nghị định",),
    "NQ": ("Nghị quyết",),
    "NQLT": ("Nghị quyết liên tịch",),
    "TT": ("Thông tư",),
    "TTLT": ("Thông tư liên tịch",),
    "CT": ("Chỉ thị",),
    "KH": ("Kế hoạch",),
    "TB": ("Thông báo",),
    "CV": ("Công văn",),
    "ĐA": ("Đề án",),
    "DA": ("Dự án",),
    "HD": ("Hướng dẫn",),
    "CTr": ("Chương trình",),
    "KL": ("Kết luận",),
    "QyĐ": ("Quy định",),
    "QC": ("Quy chế",),
    "BC": ("Báo cáo",),
    "TTr": ("Tờ trình",),
    "CĐ": ("Công điện",),
    "TC": ("Thông cáo",),
    "PA": ("Phương án",),
    "HĐ": ("Hợp đồng",),
    "BB": ("Biên bản",),
    "GM": ("Giấy mời",),
    "PL": ("Pháp lệnh",),
    "L": ("Lệnh",),
}
# Codes in their official spelling, keyed by their folded form ("qd" and "qđ" -> "QĐ").
# Where folding makes two codes collide (DA Dự án / ĐA Đề án, HD Hướng dẫn / HĐ Hợp đồng) the
# spelling as written decides and the folded form is not a key.
_CODE_BY_CASEFOLD = {code.casefold(): code for code in TYPE_CODES}


def _fold(text: str) -> str:
    """Lower case without diacritics, with đ as d: what people type on a bare keyboard."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(filterfalse(unicodedata.combining, text)).casefold()


_FOLDED_CODES: dict[str, list[str]] = {}
for _code in TYPE_CODES:
    _FOLDED_CODES.setdefault(_fold(_code), []).append(_code)
_CODE_BY_FOLD = {folded: codes[0] for folded, codes in _FOLDED_CODES.items() if len(codes) == 1}

# Document types as written before a number, longest first so "Thông tư liên tịch" wins.
_TYPE_NAMES = sorted(
    {name for names in TYPE_CODES.values() for name in names} | {"Luật", "Bộ luật"},
    key=len,
    reverse=True,
)
_TYPE_BY_FOLD = {_fold(name): name for name in _TYPE_NAMES}
_NAME_TO_CODE = {name: code for code, names in TYPE_CODES.items() for name in names}
# Issuers whose documents are one type only: a Nghị định is always the Government's.
_ONLY_ISSUER = {"NĐ": "CP"}
# Mixed-case issuer codes in their official spelling ("ttg" -> "TTg").
_ISSUER_SPELLING = {"ttg": "TTg"}

_DASH = "[-–‐]"
_SEP = r"[ \u00a0]?"  # "959 / QĐ - UBND": one space around separators is tolerated
_NUMBER = r"\d{1,6}[a-z]?"
_YEAR = r"(?:19[4-9]\d|20\d\d)"
_CODE = r"[A-Za-zĐđ]{1,8}"
# An issuer: a capital, then letters or digits ("CP", "TTg", "UBND", "QH15", "HĐND").
_ISSUER = r"[A-ZĐ][A-Za-zĐđ0-9]{0,11}"
# A number in running text, not glued to a word, a path or another number ("A12/", "1.5/"):
# the look-behind is made from the first digit, so that a search skips straight from digit
# to digit (a pattern that starts with a look-behind is tried at every position: 2.5x slower).
_FIRST_NUMBER = r"\d(?<![\w/.,\-–]\d)\d{0,5}[a-z]?"
_END = r"(?![\w/])"

# 178/2024/NĐ-CP, 439/QĐ-TTg, 1942/BTTTT-CVT, 12/2015/TTLT-BNV-BTC
_ADMIN_RE = re.compile(
    rf"(?P<number>{_FIRST_NUMBER}){_SEP}/{_SEP}(?:(?P<year>{_YEAR}){_SEP}/{_SEP})?"
    rf"(?P<code>{_CODE}){_SEP}{_DASH}{_SEP}(?P<issuer>{_ISSUER}(?:{_DASH}{_ISSUER})*){_END}"
)
# 33/2024/QH15, 35/2023/UBTVQH15
_ASSEMBLY_RE = re.compile(
    rf"(?P<number>{_FIRST_NUMBER}){_SEP}/{_SEP}(?P<year>{_YEAR}){_SEP}/{_SEP}"
    rf"(?P<issuer>(?:UBTV)?QH\d{{1,2}}){_END}"
)
# 18-NQ/TW, 08-CTr/TU, 102-QĐ/TW
_PARTY_RE = re.compile(
    rf"(?P<number>{_FIRST_NUMBER}){_SEP}{_DASH}{_SEP}(?P<code>{_CODE}){_SEP}/{_SEP}"
    rf"(?P<issuer>{_ISSUER}){_END}"
)
# Đề án 06, Đề án số 6
_PROGRAMME_RE = re.compile(
    r"(?<!\w)(?P<type>đề án)\s+(?:số\s*)?(?P<number>\d{1,3})(?![\d/\-–]|[.,]\d)", re.IGNORECASE
)
_TYPE_NAME_RE = re.compile(
    r"(?<!\w)(?:" + "|".join(re.escape(n) for n in _TYPE_NAMES) + r")(?!\w)", re.IGNORECASE
)
_BETWEEN_RE = re.compile(r"(?:\s+[^\s,.;:()\"“”]+){0,6}\s*:?\s*")
_DATE_AFTER_RE = re.compile(
    r"\s*,?\s*(?:ban hành\s+|được ban hành\s+)?ngày\s+(?:\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*"
    r"|\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+)(?P<year>\d{4})(?!\d)",
    re.IGNORECASE,
)
_LOOKBACK = 120


@dataclass(frozen=True)
class DocRef:
    """One cited document: ``ref`` is the normalised official form used as the key.

    ``type`` is the document type in full ("Quyết định"), None when neither the number nor
    the words before it say (a bare ``33/2024/QH15`` may be a law or a resolution);
    ``number`` is the number as written ("06"); ``year`` the year of issue when known;
    ``issuer`` the issuer code ("TTg", "UBND", "BTC-BNV", "QH15", "TW"); ``text`` the span
    as written on the page (NFC).
    """

    ref: str
    type: str | None
    number: str
    year: int | None
    issuer: str | None
    text: str

    @property
    def folded(self) -> str:
        """The matching key: see :func:`fold_doc_ref`."""
        return fold_doc_ref(self.ref)

    def as_dict(self) -> dict[str, Any]:
        """The fields plus ``ref_folded``, as stored in the record and the doc_refs table."""
        # The fields hold strings, numbers and None: asdict would deep-copy them for nothing.
        return {**vars(self), "ref_folded": self.folded}


def _official_code(code: str) -> str | None:
    """A type code in its official spelling, or None when it is not one ("BTTTT")."""
    if code in TYPE_CODES:
        return code
    return _CODE_BY_CASEFOLD.get(code.casefold()) or _CODE_BY_FOLD.get(_fold(code))


def _official_issuer(issuer: str) -> str:
    parts = re.split(_DASH, issuer)
    return "-".join(_ISSUER_SPELLING.get(p.casefold(), p.upper()) for p in parts)


def _is_issuer(token: str) -> bool:
    """An issuer code has at least two capitals or a digit ("CP", "TTg", "QH15"), not "Kế"."""
    return sum(c.isupper() for c in token) >= 2 or any(c.isdigit() for c in token)


def _type_before(text: str, start: int) -> tuple[str, int] | None:
    """The document type named just before a number, and where its name starts.

    "Luật Lưu trữ số 33/2024/QH15" gives ("Luật", 0): the nearest type word wins, if at most
    six words and no punctuation stand between it and the number.
    """
    offset = max(0, start - _LOOKBACK)
    window = text[offset:start]
    for match in reversed(list(_TYPE_NAME_RE.finditer(window))):
        if _BETWEEN_RE.fullmatch(window, match.end()):
            name = _TYPE_BY_FOLD.get(_fold(match.group()))
            if name:
                return name, offset + match.start()
    return None


def _typed(
    match: re.Match[str], text: str, allowed: tuple[str, ...] | None
) -> tuple[str | None, str]:
    """The type named before a match if it is one of ``allowed`` (any when None), and the
    span as written: from the type word when it is used, else the number alone."""
    before = _type_before(text, match.start())
    if before is None or (allowed is not None and before[0] not in allowed):
        return None, match.group()
    return before[0], text[before[1] : match.end()]


def _year_after(text: str, end: int) -> int | None:
    match = _DATE_AFTER_RE.match(text, end)
    if match:
        year = int(match.group("year"))
        if 1945 <= year <= 2100:
            return year
    return None


def _admin(match: re.Match[str], text: str) -> DocRef | None:
    number, year_text, code = match.group("number", "year", "code")
    issuers = re.split(_DASH, match.group("issuer"))
    if not all(_is_issuer(p) for p in issuers):
        return None
    year = int(year_text) if year_text else None
    official = _official_code(code)
    if official is None:
        # A công văn: "1942/BTTTT-CVT" is issuer BTTTT, drafting unit CVT.
        if year is not None or not _is_issuer(code) or code != code.upper():
            return None
        issuer = _official_issuer(code)
        ref = f"{number}/{issuer}-{_official_issuer('-'.join(issuers))}"
        _, span = _typed(match, text, ("Công văn",))
        return DocRef(ref, "Công văn", number, year, issuer, span)
    issuer = _official_issuer("-".join(issuers))
    prefix = f"{number}/{year}" if year else number
    words, span = _typed(match, text, TYPE_CODES[official])
    kind = words or TYPE_CODES[official][0]
    return DocRef(f"{prefix}/{official}-{issuer}", kind, number, year, issuer, span)


def _assembly(match: re.Match[str], text: str) -> DocRef:
    number, year, issuer = match.group("number", "year", "issuer")
    kind, span = _typed(match, text, ("Luật", "Bộ luật", "Nghị quyết", "Pháp lệnh"))
    return DocRef(f"{number}/{year}/{issuer}", kind, number, int(year), issuer, span)


def _party(match: re.Match[str], text: str) -> DocRef | None:
    number, code, issuer = match.group("number", "code", "issuer")
    official = _official_code(code)
    if official is None or not (_is_issuer(issuer) or issuer.isupper()):
        return None
    issuer = _official_issuer(issuer)
    words, span = _typed(match, text, TYPE_CODES[official])
    kind = words or TYPE_CODES[official][0]
    return DocRef(f"{number}-{official}/{issuer}", kind, number, None, issuer, span)


def _programme(match: re.Match[str], text: str) -> DocRef:
    number = match.group("number")
    return DocRef(f"Đề án {number}", "Đề án", number, None, None, match.group())


# A rule runs only on a text that holds what all its matches hold: most texts hold dates
# ("15/12/2023") but no document number, and a full pattern costs ten times this test.
_ADMIN_HINT = re.compile(rf"/{_SEP}(?:{_YEAR}{_SEP}/{_SEP})?[A-Za-zĐđ]")  # "/QĐ", "/2024/NĐ"
_PARTY_HINT = re.compile(r"/(?<=[A-Za-zĐđ]/)|/(?<=[A-Za-zĐđ][ \u00a0]/)")  # "NQ/", "NQ /"


def _rules_for(
    text: str,
) -> Iterator[tuple[re.Pattern[str], Callable[[re.Match[str], str], DocRef | None]]]:
    """The rules that may match in ``text``, in the order they are tried."""
    if _ADMIN_HINT.search(text):
        yield _ADMIN_RE, _admin
    if "QH" in text:
        yield _ASSEMBLY_RE, _assembly
    if _PARTY_HINT.search(text):
        yield _PARTY_RE, _party
    if "đề án" in text.lower():  # the pattern ignores case
        yield _PROGRAMME_RE, _programme


def find_doc_refs(text: str) -> list[DocRef]:
    """Every document reference in ``text``, de-duplicated by ``ref`` in order of appearance.

    Input may be NFD or NFC; spans are reported from its NFC form. When a reference appears
    several times, the first occurrence is kept and a year or type learnt from a later one
    (``... ngày 15/8/2023``) fills what the first lacked.
    """
    if not text:
        return []
    text = unicodedata.normalize("NFC", text)
    found: list[tuple[int, int, DocRef]] = []
    for pattern, build in _rules_for(text):
        for match in pattern.finditer(text):
            if any(s < match.end() and match.start() < e for s, e, _ in found):
                continue  # already read by a more specific rule
            ref = build(match, text)
            if ref is None:
                continue
            if ref.year is None and (year := _year_after(text, match.end())):
                ref = DocRef(ref.ref, ref.type, ref.number, year, ref.issuer, ref.text)
            found.append((match.start(), match.end(), ref))
    found.sort(key=lambda item: item[0])
    merged: dict[str, DocRef] = {}
    for _, _, ref in found:
        first = merged.get(ref.ref)
        if first is None:
            merged[ref.ref] = ref
        elif (first.year is None and ref.year) or (first.type is None and ref.type):
            merged[ref.ref] = DocRef(
                first.ref,
                first.type or ref.type,
                first.number,
                first.year or ref.year,
                first.issuer,
                first.text,
            )
    return list(merged.values())


def fold_doc_ref(ref: str) -> str:
    """The key two spellings of one reference share: lower case, đ→d, no marks or spaces,
    no leading zeros in the number ("06/QĐ-TTg" and "6/qd-ttg" -> "6/qd-ttg")."""
    folded = re.sub(r"\s*([/\-–])\s*", lambda m: "-" if m.group(1) != "/" else "/", _fold(ref))
    folded = re.sub(r"\s+", " ", folded).strip()
    return re.sub(r"(?<!\d)0+(?=\d)", "", folded)


# What people type: "959/qd-ubnd", "959 / QĐ - UBND", "nghi dinh 178/2024", "de an 06".
_TYPED_ADMIN_RE = re.compile(
    rf"(?P<number>{_NUMBER})\s*/\s*(?:(?P<year>{_YEAR})\s*/?\s*)?"
    rf"(?:(?P<code>[a-zđ]{{1,8}})\s*(?:{_DASH}\s*(?P<issuer>[a-zđ0-9]+(?:\s*{_DASH}\s*[a-zđ0-9]+)*))?)?",
    re.IGNORECASE,
)
_TYPED_ASSEMBLY_RE = re.compile(
    rf"(?P<number>{_NUMBER})\s*/\s*(?P<year>{_YEAR})\s*/\s*(?P<issuer>(?:ubtv)?qh\d{{1,2}})",
    re.IGNORECASE,
)
_TYPED_PARTY_RE = re.compile(
    rf"(?P<number>{_NUMBER})\s*{_DASH}\s*(?P<code>[a-zđ]{{1,5}})\s*/\s*(?P<issuer>[a-zđ0-9]+)",
    re.IGNORECASE,
)
_TYPED_NUMBER_RE = re.compile(rf"(?:(?:số|so)\s*:?\s*)?(?P<number>{_NUMBER})", re.IGNORECASE)


def _leading_type(text: str) -> tuple[str | None, str]:
    """Split "nghi dinh 178/2024" into ("Nghị định", "178/2024"); the type may be absent."""
    folded = _fold(text)
    for name in _TYPE_NAMES:
        key = _fold(name)
        if folded.startswith(key + " "):
            return name, text[len(key) + 1 :].strip()
    return None, text


def _typed_ref(kind: str | None, rest: str) -> str | None:
    rest = re.sub(r"^(?:số|so)\s*:?\s*", "", rest, flags=re.IGNORECASE)
    if kind == "Đề án" and re.fullmatch(r"\d{1,3}", rest):
        return f"Đề án {rest}"
    if match := _TYPED_ASSEMBLY_RE.fullmatch(rest):
        number, year, issuer = match.group("number", "year", "issuer")
        return f"{number}/{year}/{issuer.upper()}"
    if match := _TYPED_PARTY_RE.fullmatch(rest):
        code = _official_code(match.group("code"))
        issuer = _official_issuer(match.group("issuer"))
        return f"{match.group('number')}-{code}/{issuer}" if code else None
    match = _TYPED_ADMIN_RE.fullmatch(rest) or (_TYPED_NUMBER_RE.fullmatch(rest) if kind else None)
    if match is None:
        return None
    groups = match.groupdict()
    number, year, code_text, issuer_text = (
        groups.get(k) for k in ("number", "year", "code", "issuer")
    )
    code = _official_code(code_text) if code_text else _NAME_TO_CODE.get(kind or "")
    if code is None:
        if code_text and issuer_text and not year:  # a công văn: "1942/btttt-cvt"
            return f"{number}/{_official_issuer(code_text)}-{_official_issuer(issuer_text)}"
        return None
    issuer = _official_issuer(issuer_text) if issuer_text else _ONLY_ISSUER.get(code, "")
    return f"{number}/{year}/{code}-{issuer}" if year else f"{number}/{code}-{issuer}"


def normalize_doc_ref(user_text: str) -> str | None:
    """The ``ref`` a journalist means, in the official form used by :func:`find_doc_refs`.

    ``"959/qd-ubnd"`` and ``"959 / QĐ - UBND"`` give ``"959/QĐ-UBND"``; ``"nghi dinh 178/2024"``
    gives ``"178/2024/NĐ-CP"`` (a Nghị định is always the Government's); ``"de an 06"`` gives
    ``"Đề án 06"``; ``"33/2024/qh15"`` gives ``"33/2024/QH15"``; ``"18-nq/tw"`` gives
    ``"18-NQ/TW"``. When the issuer is missing and cannot be inferred (``"quyet dinh 439"``,
    ``"439/QĐ"``, ``"thong tu 22/2023"``) the result ends with ``-`` (``"439/QĐ-"``): a
    prefix, to match every reference that starts with it. Text that is no document reference
    gives None. Compare references through :func:`fold_doc_ref`.
    """
    text = " ".join(unicodedata.normalize("NFC", user_text or "").split())
    if not text:
        return None
    kind, rest = _leading_type(text)
    if ref := _typed_ref(kind, rest):
        return ref
    found = find_doc_refs(text)
    return found[0].ref if len(found) == 1 else None
