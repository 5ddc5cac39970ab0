"""Read the dates people type in a search filter: ISO or Vietnamese, a day, a month or a year.

``--since "tháng 2/2024"`` means from 1 February 2024, ``--until "tháng 2/2024"`` up to the
end of February: each input names a period, and a filter takes its start or its end.
Accepted, with or without diacritics: ``2024-02-06``, ``2024-02``, ``2024``, ``06/02/2024``
(day first, as on every Vietnamese page), ``6-2-2024``, ``ngày 6 tháng 2 năm 2024``,
``2/2024``, ``tháng 2/2024``, ``tháng 2 năm 2024``, ``T2/2024``, ``năm 2024``, ``quý 1/2024``
or ``quý I năm 2024``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from crawler.parsers.text import strip_diacritics

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_SEP = r"\s*[/.\-]\s*"
_YEAR = r"(?P<year>\d{4})"
_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("day", re.compile(r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})(?:[t ].*)?")),
    ("month", re.compile(r"(?P<year>\d{4})-(?P<month>\d{1,2})")),
    ("day", re.compile(rf"(?:ngay\s*)?(?P<day>\d{{1,2}}){_SEP}(?P<month>\d{{1,2}}){_SEP}{_YEAR}")),
    (
        "day",
        re.compile(
            rf"(?:ngay\s*)?(?P<day>\d{{1,2}})\s+thang\s+(?P<month>\d{{1,2}})\s*,?\s*(?:nam\s+)?{_YEAR}"
        ),
    ),
    ("month", re.compile(rf"(?:thang\s*|t)?(?P<month>\d{{1,2}}){_SEP}{_YEAR}")),
    ("month", re.compile(rf"thang\s+(?P<month>\d{{1,2}})\s*,?\s*(?:nam\s+)?{_YEAR}")),
    (
        "quarter",
        re.compile(rf"(?:quy|q)\s*(?P<quarter>[1-4]|iv|iii|ii|i)(?:{_SEP}|\s+(?:nam\s+)?){_YEAR}"),
    ),
    ("year", re.compile(rf"(?:nam\s+)?{_YEAR}")),
]
_EXAMPLES = "2024-02-06, 06/02/2024, 2/2024, tháng 2/2024, quý 1/2024 or năm 2024"


class DateFilterError(ValueError):
    """A date filter that cannot be read as a day, a month, a quarter or a year."""


@dataclass(frozen=True)
class Period:
    """A span of days: ``start`` included, ``end`` excluded."""

    start: date
    end: date


def _next_month(year: int, month: int) -> date:
    return date(year + month // 12, month % 12 + 1, 1)


def _period(kind: str, parts: dict[str, str]) -> Period:
    year = int(parts["year"])
    if kind == "year":
        return Period(date(year, 1, 1), date(year + 1, 1, 1))
    if kind == "quarter":
        quarter = _ROMAN.get(parts["quarter"]) or int(parts["quarter"])
        first = 3 * quarter - 2
        return Period(date(year, first, 1), _next_month(year, first + 2))
    month = int(parts["month"])
    if kind == "month":
        return Period(date(year, month, 1), _next_month(year, month))
    day = date(year, month, int(parts["day"]))
    return Period(day, date.fromordinal(day.toordinal() + 1))


def parse_period(text: str) -> Period:
    """The period a typed date names; raises :class:`DateFilterError` when it names none."""
    folded = " ".join(strip_diacritics(text or "").split())
    for kind, pattern in _RULES:
        match = pattern.fullmatch(folded)
        if match:
            try:
                return _period(kind, match.groupdict())
            except ValueError:
                raise DateFilterError(f"{text!r} is not a real date") from None
    raise DateFilterError(f"cannot read {text!r} as a date: use for example {_EXAMPLES}")


def since_bound(text: str) -> str:
    """The ISO date an article must be published on or after for ``--since TEXT``."""
    return parse_period(text).start.isoformat()


def until_bound(text: str) -> str:
    """The ISO date an article must be published before for ``--until TEXT`` (exclusive)."""
    return parse_period(text).end.isoformat()
