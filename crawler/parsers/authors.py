"""Read the byline that Vietnamese government news puts at the end of an article.

Forms seen: a lone name ("Mạnh Cường", often right-aligned, bold or italic), "Tin, ảnh: X",
"Bài, ảnh: X", "Tin và ảnh: X", "Tin: X - Ảnh: Y", "Nguồn: Y" and "Theo Y" (a source, not a
person), "PV", "BBT", "Nhóm PV", and several names joined by commas, dashes or "và". The hard
part is saying no: a short sentence of the body, a caption, a date or a place must never
become an author.

Choices where pages are ambiguous:

* ``author`` lists the people credited, in order, joined by ", ": "Tin: X - Ảnh: Y" gives
  "X, Y" (the photographer is credited too).
* A person's unit is not an author: "Mạnh Cường - Phòng CCHC" and "Mạnh Cường (Trung tâm Y)"
  give "Mạnh Cường"; the unit stays in ``text``, the byline as printed. A unit alone
  ("Phòng Cải cách hành chính") is the author only when set apart (``styled``), since a plain
  paragraph naming an office is as likely the end of a sentence.
* "(tổng hợp)", "(TH)", "(st)" after a name are dropped: "PV (tổng hợp)" gives "PV".
* A publication named alone ("Báo An Giang") is a source, like "Nguồn: Báo An Giang".
* Names are checked syllable by syllable (:func:`is_vietnamese_syllable`), so "Responsive
  Image" or "Internet" are not names; a single word is a name only when styled.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from crawler.parsers.text import is_vietnamese_syllable, normalize_line, strip_diacritics

__all__ = ["Byline", "parse_byline"]

_ROLE_LABELS = (
    r"(?:tin|bài|ảnh|video|clip|thực hiện|đồ họa|đồ hoạ|tin và ảnh|bài và ảnh|bài viết"
    r"|ảnh minh họa|ảnh minh hoạ)"
)
# "Tin, ảnh: X", "Bài và ảnh: X", "Tin: X - Ảnh: Y" (the label list may hold commas).
_LABELLED = re.compile(
    rf"^{_ROLE_LABELS}(?:\s*[,/&]\s*{_ROLE_LABELS}|\s+và\s+{_ROLE_LABELS})*\s*:\s*(?P<rest>.+)$",
    re.IGNORECASE,
)
_SECOND_LABEL = re.compile(rf"\s*[-–—;,|]?\s+{_ROLE_LABELS}\s*:\s*", re.IGNORECASE)
_SOURCE = re.compile(r"^nguồn(?:\s+tin)?\s*[:\-–]\s*(?P<source>.+)$", re.IGNORECASE)
# "Minh Hiếu - Nguồn: Báo An Giang", "Minh Hiếu (Nguồn: Báo An Giang)"
_INNER_SOURCE = re.compile(
    r"\s*[(\[]?\s*[-–;,]?\s*nguồn(?:\s+tin)?\s*:\s*(?P<source>[^)\]]+)[)\]]?$", re.IGNORECASE
)
_THEO = re.compile(r"^theo\s+(?P<source>.+)$", re.IGNORECASE)
# "(tổng hợp)", "(TH)", "(st)", "(Theo ...)" after a name.
_COMPILED_NOTE = re.compile(
    r"\s*[(\[]\s*(?:tổng hợp|th|t/h|st|sưu tầm|lược dịch|dịch)\s*[)\]]\s*$", re.IGNORECASE
)
_PARENTHESISED = re.compile(r"^(?P<name>[^()]+?)\s*\((?P<inside>[^()]+)\)$")
_NAME_SPLIT = re.compile(r"\s*(?:,|;|\s[-–—]\s|\svà\s|/|&)\s*")
_INITIALS = re.compile(r"^(?:[A-ZĐ]\.)+[A-ZĐ]?\.?$")
_DOMAIN = re.compile(r"^[\w.-]+\.(?:vn|com|net|org|gov\.vn|com\.vn)(?:/\S*)?$", re.IGNORECASE)
# Newsroom credits that stand for people.
_NEWSROOM = {
    strip_diacritics(c): c
    for c in (
        "PV", "BBT", "CTV", "BTV", "TTV", "PV-CTV", "PV/CTV", "Nhóm PV", "Nhóm phóng viên",
        "Phóng viên", "Ban Biên tập", "Nhóm CTV", "PV và CTV",
    )
}  # fmt: skip
_UNIT_WORDS = (
    "phòng", "văn phòng", "ban", "trung tâm", "thanh tra", "sở", "ubnd", "ủy ban", "uỷ ban",
    "tổ", "đoàn", "chi cục", "cục", "hội", "bộ phận", "trường", "bệnh viện",
)  # fmt: skip
_PUBLICATION_WORDS = (
    "báo", "tạp chí", "đài", "cổng thông tin", "cổng ttđt", "trang thông tin", "trang tin",
    "thông tấn xã", "ttxvn", "vov", "vtv", "vnexpress", "website",
)  # fmt: skip
# Words that open a sentence, a title or an address, never a byline. Compared with their marks:
# folded, "phường" would catch "Phương Thảo" and "báo" "Bảo Trân".
_NOT_A_BYLINE_START = (
    "ông", "bà", "đồng chí", "đ/c", "thủ tướng", "chủ tịch", "phó", "bộ trưởng",
    "giám đốc", "bí thư", "tỉnh", "thành phố", "tp", "huyện", "quận", "thị xã", "xã",
    "phường", "thôn", "ấp", "số", "ngày", "địa chỉ", "điện thoại", "email", "tin liên quan",
)  # fmt: skip
# Pairs of syllables that are captions, headings or places, not names ("Quang Cảnh Hội Nghị").
_NOT_NAME_PHRASES = (
    "hội nghị", "phiên họp", "tin tức", "liên quan", "xem thêm", "trang chủ", "ủy ban",
    "uỷ ban", "nhân dân", "chủ tịch", "giám đốc", "kế hoạch", "quyết định", "thông báo",
    "hình ảnh", "tin mới", "tin khác", "đính kèm", "truy cập", "thống kê", "việt nam",
    "tổng hợp", "minh họa", "minh hoạ", "lễ hội", "đại biểu", "toàn cảnh",
)  # fmt: skip
_SPACED_STOP_PHRASES = tuple(f" {phrase} " for phrase in _NOT_NAME_PHRASES)
_MAX_LENGTH = 120


@dataclass(frozen=True)
class Byline:
    """What a byline says: the people who wrote it, or the source it was taken from.

    ``author`` and ``source`` may both be set ("Minh Hiếu - Nguồn: Báo An Giang"); ``text``
    is the byline as printed (normalised to one NFC line).
    """

    author: str | None
    source: str | None
    text: str


@lru_cache(maxsize=1)
def _places() -> frozenset[str]:
    """Folded names of the provinces (and their aliases), which look like personal names."""
    try:
        data = tomllib.loads(
            resources.files("archive.data").joinpath("provinces.toml").read_text("utf-8")
        )
    except (ModuleNotFoundError, FileNotFoundError, tomllib.TOMLDecodeError):
        return frozenset()
    names = set()
    for province in data.get("province", []):
        names.add(strip_diacritics(province["name"]))
        names.update(strip_diacritics(a) for a in province.get("aliases", []))
    return frozenset(names)


def _folded_words(part: str) -> str:
    return " ".join(strip_diacritics(part).split())


def _lower_words(part: str) -> str:
    """Lower case with the marks kept: "Bảo" and "báo" stay apart."""
    return " ".join(part.lower().split())


def _starts_with(part: str, words: tuple[str, ...]) -> bool:
    lowered = _lower_words(part)
    return lowered in words or lowered.startswith(_followed_by_space(words))


@cache
def _followed_by_space(words: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(w + " " for w in words)


def _has_stop_phrase(part: str) -> bool:
    lowered = f" {_lower_words(part)} "
    return any(phrase in lowered for phrase in _SPACED_STOP_PHRASES)


def _starts_like_a_sentence(part: str) -> bool:
    return _starts_with(part, _NOT_A_BYLINE_START)


def _is_name_word(word: str) -> bool:
    if _INITIALS.match(word):
        return True
    return word[0].isupper() and is_vietnamese_syllable(word)


def _looks_like_name(part: str, *, styled: bool) -> bool:
    """A personal name: capitalised Vietnamese syllables (or initials), no digits.

    Two to five words; one word only when the block is styled. All capitals only when styled
    (plain all-capital lines are headings).
    """
    words = part.split()
    if not 1 <= len(words) <= 5 or any(map(str.isdigit, part)):
        return False
    if len(words) == 1 and not styled:
        return False
    if part.isupper() and not styled and len(words) > 1:
        return False
    if _starts_like_a_sentence(part) or _has_stop_phrase(part):
        return False
    if _folded_words(part) in _places():
        return False
    return all(_is_name_word(w) for w in words) and any(not _INITIALS.match(w) for w in words)


def _looks_like_unit(part: str) -> bool:
    """An office signing news, such as "Phòng Cải cách hành chính"."""
    words = part.split()
    return (
        2 <= len(words) <= 10
        and part[0].isupper()
        and _starts_with(part, _UNIT_WORDS)
        and not any(map(str.isdigit, part))
        and not part.endswith((":", "?", "!"))
    )


def _looks_like_publication(part: str) -> bool:
    """A newspaper, portal or agency: "Báo An Giang", "Cổng TTĐT tỉnh", "TTXVN", a domain."""
    if _DOMAIN.match(part):
        return True
    words = part.split()
    if not 1 <= len(words) <= 10 or not part[0].isupper() or any(c in part for c in ",;:!?"):
        return False
    return _starts_with(part, _PUBLICATION_WORDS)


def _looks_like_proper_name(part: str) -> bool:
    """A title-case name of a publication without a generic word ("Tuổi Trẻ", "VnExpress")."""
    words = part.split()
    return (
        1 <= len(words) <= 6
        and all(w[0].isupper() for w in words)
        and not any(ch in part for ch in ",;:!?")
        and not _starts_like_a_sentence(part)
    )


def _person(part: str, *, styled: bool) -> str | None:
    """The credited person (or newsroom credit) in one part of a byline, without unit or note."""
    part = _COMPILED_NOTE.sub("", part).strip(" .")
    if match := _PARENTHESISED.match(part):
        part = match.group("name").strip()  # "Mạnh Cường (Trung tâm Y)": the unit is dropped
    if newsroom := _NEWSROOM.get(_folded_words(part)):
        return newsroom
    if _looks_like_name(part, styled=styled):
        return part
    return None


def _people(text: str, *, styled: bool) -> list[str] | None:
    """Names in a list ("X, Y và Z"); units after a name are dropped; None if any part fails."""
    parts = [p for p in _NAME_SPLIT.split(text) if p.strip(" .")]
    people: list[str] = []
    for part in parts:
        person = _person(part, styled=styled)
        if person:
            people.append(person)
        elif not (people and _looks_like_unit(part.strip(" ."))):
            return None
    return people or None


def _authors(text: str, *, styled: bool) -> str | None:
    if newsroom := _NEWSROOM.get(_folded_words(text.strip(" ."))):
        return newsroom  # "PV/CTV" is one credit, not two names
    people = _people(text, styled=styled)
    return ", ".join(people) if people else None


def _byline_parts(line: str, styled: bool) -> tuple[str | None, str | None] | None:
    """(author, source) for a normalised line, or None when it is not a byline."""
    if match := _SOURCE.match(line):
        source = match.group("source").strip(" .")
        return (None, source) if source and len(source.split()) <= 15 else None
    if (match := _INNER_SOURCE.search(line)) and match.start() > 0:
        author = _authors(line[: match.start()], styled=True)
        return (author, match.group("source").strip(" .")) if author else None
    if match := _LABELLED.match(line):
        rest = _SECOND_LABEL.sub(", ", match.group("rest"))
        author = _authors(rest, styled=True)
        return (author, None) if author else None
    if match := _THEO.match(line):
        source = _COMPILED_NOTE.sub("", match.group("source")).strip(" .")
        if _looks_like_publication(source) or _looks_like_proper_name(source):
            return None, source
        return None
    if line.endswith((":", "?", "!")):
        return None
    if _looks_like_publication(line) and len(line.split()) <= 8:
        return None, line
    if author := _authors(line, styled=styled):
        return author, None
    if styled and _looks_like_unit(line):
        return line, None
    return None


def parse_byline(text: str, *, styled: bool = False) -> Byline | None:
    """The byline in one short block of text, or None when it is not one.

    ``styled`` says the block was set apart on the page (right-aligned, bold or italic),
    which lets a unit name ("Phòng Cải cách hành chính"), a single-word pen name or an
    all-capitals name count as a byline; a plain paragraph must look like personal names.
    Wrapping parentheses ("(Theo TTXVN)") and the end mark "./." are ignored.
    """
    printed = re.sub(r"\s*…?\.?/\.$", "", normalize_line(text or "")).strip(" .")
    line = printed
    if line.startswith(("(", "[")) and line.endswith((")", "]")):
        line = line[1:-1].strip(" .")
    if not line or len(printed) > _MAX_LENGTH:
        return None
    parts = _byline_parts(line, styled)
    if parts is None:
        return None
    author, source = parts
    return Byline(author=author, source=source, text=printed)
