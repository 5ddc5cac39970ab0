"""Read the byline that Vietnamese government news puts at the end of an article.

Forms seen: a lone name ("Mạnh Cường", often right-aligned, bold or italic), "Tin, ảnh: X",
"Bài, ảnh: X", "Tin: X - Ảnh: Y", "Nguồn: Y" and "Theo Y" (a source, not a person), "PV",
"BBT", and several names joined by commas or "và". The hard part is saying no: a short sentence
of the body, a caption or a date must never become an author.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from crawler.parsers.text import normalize_line

_ROLE_LABELS = r"(?:tin|bài|ảnh|video|clip|thực hiện|nhóm pv|tin và ảnh|bài và ảnh)"
# "Tin, ảnh: X", "Bài và ảnh: X", "Tin: X - Ảnh: Y" (the label list may hold commas).
_LABELLED = re.compile(
    rf"^{_ROLE_LABELS}(?:\s*[,/&]\s*{_ROLE_LABELS})*\s*:\s*(?P<rest>.+)$", re.IGNORECASE
)
_SECOND_LABEL = re.compile(rf"\s+[-–—]\s+{_ROLE_LABELS}\s*:\s*", re.IGNORECASE)
_SOURCE = re.compile(r"^(?:nguồn|nguồn tin)\s*:\s*(?P<source>.+)$", re.IGNORECASE)
_THEO = re.compile(r"^theo\s+(?P<source>.+)$", re.IGNORECASE)
_ABBREVIATIONS = {"PV", "BBT", "CTV", "TTV", "PV-CTV", "BTV", "VP"}
_NAME_SPLIT = re.compile(r"\s*(?:,|\s-\s|\s–\s|\svà\s|;)\s*")
_UNIT_WORDS = ("phòng", "văn phòng", "ban", "trung tâm", "thanh tra", "sở", "ubnd", "tổ", "đoàn")
_LEADING_WORDS = ("ông", "bà", "theo", "tin", "bài", "ảnh")


@dataclass(frozen=True)
class Byline:
    """What a byline says: the people who wrote it, or the source it was taken from."""

    author: str | None
    source: str | None
    text: str


def _looks_like_name(part: str) -> bool:
    """A personal name: 1-5 syllables, each capitalised, no digits or sentence punctuation."""
    words = part.split()
    if not 1 <= len(words) <= 5 or any(ch.isdigit() for ch in part):
        return False
    if part in _ABBREVIATIONS:
        return True
    if len(words) == 1:
        return False  # a lone capitalised word is as likely a fragment as a pen name
    return all(w[0].isupper() and w.replace(".", "").isalpha() for w in words)


def _looks_like_unit(part: str) -> bool:
    """An office signing news, such as "Phòng Cải cách hành chính"."""
    words = part.split()
    return (
        2 <= len(words) <= 8
        and part[0].isupper()
        and part.lower().startswith(_UNIT_WORDS)
        and not any(ch.isdigit() for ch in part)
    )


def _names(text: str) -> list[str] | None:
    parts = [p.strip(" .") for p in _NAME_SPLIT.split(text) if p.strip(" .")]
    if parts and all(_looks_like_name(p) or _looks_like_unit(p) for p in parts):
        return parts
    return None


def parse_byline(text: str, *, styled: bool = False) -> Byline | None:
    """The byline in one short block of text, or None when it is not one.

    ``styled`` says the block was set apart on the page (right-aligned, bold or italic), which
    lets a unit name ("Phòng Cải cách hành chính") count as a byline; a plain paragraph must
    look like personal names.
    """
    line = normalize_line(text).rstrip(" ./")
    if not line or len(line) > 120:
        return None
    if match := _SOURCE.match(line):
        return Byline(author=None, source=match.group("source").strip(), text=line)
    if match := _LABELLED.match(line):
        rest = _SECOND_LABEL.sub(", ", match.group("rest"))
        names = _names(rest)
        return Byline(author=", ".join(names), source=None, text=line) if names else None
    if (match := _THEO.match(line)) and len(line.split()) <= 10:
        return Byline(author=None, source=match.group("source").strip(), text=line)
    if line.lower().startswith(_LEADING_WORDS) or line.endswith((":", "?", "!")):
        return None
    parts = [p.strip(" .") for p in _NAME_SPLIT.split(line) if p.strip(" .")]
    if parts and all(_looks_like_name(p) for p in parts):
        return Byline(author=", ".join(parts), source=None, text=line)
    if styled and _looks_like_unit(line):
        return Byline(author=line, source=None, text=line)
    return None
