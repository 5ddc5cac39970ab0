"""Tests for crawler.parsers.dates: every printed form, the rejections and the base rules.

Each case compares the full ISO string (date, time and offset), ``has_time`` and the rule, so a
wrong day, a lost time or a wrong rule all fail.
"""

from __future__ import annotations

import doctest
import subprocess
import sys
import unicodedata
from dataclasses import FrozenInstanceError
from datetime import UTC, datetime, timedelta, timezone

import pytest

from crawler.parsers import dates
from crawler.parsers.dates import VN_TZ, ParsedDate, parse_date, parse_date_detail, to_iso

# A fixed "fetch time": Saturday 15 June 2024, 12:00:30 in Vietnam.
BASE = datetime(2024, 6, 15, 12, 0, 30, tzinfo=VN_TZ)


def read(text: str, base: datetime | None = None) -> tuple[str, bool, str] | None:
    """(ISO value, has_time, rule) of a parse, or None."""
    parsed = parse_date_detail(text, base=base)
    if parsed is None:
        return None
    return to_iso(parsed.value), parsed.has_time, parsed.rule


# Forms that need no base: (text, ISO value, has_time, rule).
ABSOLUTE = [
    # numeric, day first, any separator
    ("06/02/2024", "2024-02-06T00:00:00+07:00", False, "numeric"),
    ("6/2/2024", "2024-02-06T00:00:00+07:00", False, "numeric"),
    ("06-02-2024", "2024-02-06T00:00:00+07:00", False, "numeric"),
    ("06.02.2024", "2024-02-06T00:00:00+07:00", False, "numeric"),
    ("06 / 02 / 2024", "2024-02-06T00:00:00+07:00", False, "numeric"),
    ("06/02/24", "2024-02-06T00:00:00+07:00", False, "numeric"),
    ("06/02/95", "1995-02-06T00:00:00+07:00", False, "numeric"),
    ("13/02/2024", "2024-02-13T00:00:00+07:00", False, "numeric"),
    # time after or before the date
    ("08:37 06/02/2024", "2024-02-06T08:37:00+07:00", True, "numeric"),
    ("06/02/2024 08:37", "2024-02-06T08:37:00+07:00", True, "numeric"),
    ("06/02/2024 - 08:37", "2024-02-06T08:37:00+07:00", True, "numeric"),
    ("06/02/2024 – 08:37", "2024-02-06T08:37:00+07:00", True, "numeric"),
    ("06-02-2024 08:37", "2024-02-06T08:37:00+07:00", True, "numeric"),
    ("06/02/2024, 08:37:15", "2024-02-06T08:37:15+07:00", True, "numeric"),
    ("08h37 06/02/2024", "2024-02-06T08:37:00+07:00", True, "numeric"),
    ("06/02/2024 8h", "2024-02-06T08:00:00+07:00", True, "numeric"),
    ("8 giờ 37 ngày 06/02/2024", "2024-02-06T08:37:00+07:00", True, "numeric"),
    ("06/02/2024 lúc 8 giờ 37 phút", "2024-02-06T08:37:00+07:00", True, "numeric"),
    ("15 giờ 30 ngày 5/3/2024", "2024-03-05T15:30:00+07:00", True, "numeric"),
    ("Chu Thị Việt Hoa (04/08/2016 08:32)", "2016-08-04T08:32:00+07:00", True, "numeric"),
    ("12/6/2024 8:09:13 AM", "2024-06-12T08:09:13+07:00", True, "numeric"),
    # 12-hour clocks: AM/PM and the Vietnamese SA/CH
    ("06/02/2024 | 10:00 AM", "2024-02-06T10:00:00+07:00", True, "numeric"),
    ("21/07/2022 | 10:00 PM", "2022-07-21T22:00:00+07:00", True, "numeric"),
    ("24/06/2013 | 12:00 AM", "2013-06-24T00:00:00+07:00", True, "numeric"),
    ("12:00 AM 24/06/2013", "2013-06-24T00:00:00+07:00", True, "numeric"),
    ("24/06/2013 12:30 PM", "2013-06-24T12:30:00+07:00", True, "numeric"),
    ("24/06/2013 04:39 p.m.", "2013-06-24T16:39:00+07:00", True, "numeric"),
    ("3:25 CH 06/02/2024", "2024-02-06T15:25:00+07:00", True, "numeric"),
    ("06/02/2024 3:25 CH", "2024-02-06T15:25:00+07:00", True, "numeric"),
    ("06/02/2024 3:25 SA", "2024-02-06T03:25:00+07:00", True, "numeric"),
    ("06/02/2024 15:24 PM", "2024-02-06T15:24:00+07:00", True, "numeric"),
    # weekday prefixes (5 Feb 2024 was a Monday, 4 Feb a Sunday)
    ("Thứ Hai, 05/02/2024 - 10:30", "2024-02-05T10:30:00+07:00", True, "numeric"),
    ("thứ hai, 05/02/2024", "2024-02-05T00:00:00+07:00", False, "numeric"),
    ("Thứ 2, 05/02/2024", "2024-02-05T00:00:00+07:00", False, "numeric"),
    ("T2, 05/02/2024", "2024-02-05T00:00:00+07:00", False, "numeric"),
    ("Thứ Tư, 07/02/2024", "2024-02-07T00:00:00+07:00", False, "numeric"),
    ("Thứ bảy, 10/02/2024", "2024-02-10T00:00:00+07:00", False, "numeric"),
    ("Thứ bẩy, 10/02/2024", "2024-02-10T00:00:00+07:00", False, "numeric"),
    ("Chủ nhật, 04/02/2024", "2024-02-04T00:00:00+07:00", False, "numeric"),
    ("Chủ Nhật - 04/02/2024 07:05", "2024-02-04T07:05:00+07:00", True, "numeric"),
    ("CN, 04/02/2024", "2024-02-04T00:00:00+07:00", False, "numeric"),
    ("10:30 Thứ Hai, 05/02/2024", "2024-02-05T10:30:00+07:00", True, "numeric"),
    # labels
    ("Ngày đăng: 06/02/2024", "2024-02-06T00:00:00+07:00", False, "numeric"),
    (
        "Ngày đăng 24/04/2018 | 04:39 PM | View count: 1252",
        "2018-04-24T16:39:00+07:00",
        True,
        "numeric",
    ),
    ("Cập nhật lúc 15:20 ngày 18/04/2024", "2024-04-18T15:20:00+07:00", True, "numeric"),
    ("Ngày ban hành: 18/04/2024", "2024-04-18T00:00:00+07:00", False, "numeric"),
    ("Ngày cập nhật 18/04/2024 09:00", "2024-04-18T09:00:00+07:00", True, "numeric"),
    ("Đăng lúc 09:00 18/04/2024", "2024-04-18T09:00:00+07:00", True, "numeric"),
    # parts of the day: a date without a time, or the hour of a clock
    ("Sáng ngày 02/02/2024", "2024-02-02T00:00:00+07:00", False, "numeric"),
    ("Trưa ngày 02/02/2024", "2024-02-02T00:00:00+07:00", False, "numeric"),
    ("Chiều ngày 02/02/2024", "2024-02-02T00:00:00+07:00", False, "numeric"),
    ("Tối ngày 02/02/2024", "2024-02-02T00:00:00+07:00", False, "numeric"),
    ("Đêm ngày 02/02/2024", "2024-02-02T00:00:00+07:00", False, "numeric"),
    ("Sáng 01/5/2017", "2017-05-01T00:00:00+07:00", False, "numeric"),
    ("10 giờ tối ngày 5/2/2024", "2024-02-05T22:00:00+07:00", True, "numeric"),
    ("1 giờ trưa 06/02/2024", "2024-02-06T13:00:00+07:00", True, "numeric"),
    ("11 giờ trưa 06/02/2024", "2024-02-06T11:00:00+07:00", True, "numeric"),
    ("Đêm 2/2/2024 11 giờ", "2024-02-02T23:00:00+07:00", True, "numeric"),
    ("Chiều ngày 02/02/2024 lúc 3 giờ", "2024-02-02T15:00:00+07:00", True, "numeric"),
    # words
    ("ngày 5 tháng 3 năm 2024", "2024-03-05T00:00:00+07:00", False, "words"),
    ("Ngày 05 tháng 03 năm 2024", "2024-03-05T00:00:00+07:00", False, "words"),
    ("30 tháng 8, 2024", "2024-08-30T00:00:00+07:00", False, "words"),
    ("30 Tháng 8 2024", "2024-08-30T00:00:00+07:00", False, "words"),
    ("Tháng 8 30, 2024", "2024-08-30T00:00:00+07:00", False, "words"),
    ("Tháng Tám 30, 2024", "2024-08-30T00:00:00+07:00", False, "words"),
    ("Tháng Mười Hai 1, 2023", "2023-12-01T00:00:00+07:00", False, "words"),
    ("ngày 5 tháng năm năm 2024", "2024-05-05T00:00:00+07:00", False, "words"),
    (
        "Thứ Ba, ngày 05 tháng 03 năm 2024 lúc 08 giờ 37 phút",
        "2024-03-05T08:37:00+07:00",
        True,
        "words",
    ),
    ("ngày 5 tháng 3 năm 2024, 3:25 CH", "2024-03-05T15:25:00+07:00", True, "words"),
    # time zones (the printed time is converted to Vietnam time)
    ("06/02/2024 08:37 (GMT+7)", "2024-02-06T08:37:00+07:00", True, "numeric"),
    ("06/02/2024 08:37 GMT+07:00", "2024-02-06T08:37:00+07:00", True, "numeric"),
    ("06/02/2024 08:37:00 +0700", "2024-02-06T08:37:00+07:00", True, "numeric"),
    ("06/02/2024 08:37 GMT+8", "2024-02-06T07:37:00+07:00", True, "numeric"),
    ("06/02/2024 (GMT+7)", "2024-02-06T00:00:00+07:00", False, "numeric"),
    # RFC 822 (feeds)
    ("Tue, 06 Feb 2024 08:37:00 +0700", "2024-02-06T08:37:00+07:00", True, "rfc822"),
    ("Tue, 06 Feb 2024 08:37:00 GMT", "2024-02-06T15:37:00+07:00", True, "rfc822"),
    ("Tue, 06 Feb 2024 20:00:00 GMT", "2024-02-07T03:00:00+07:00", True, "rfc822"),
    ("Mon, 05 Feb 2024 21:00:00 -0500", "2024-02-06T09:00:00+07:00", True, "rfc822"),
    ("Tue, 6 Feb 2024 08:37 +0700", "2024-02-06T08:37:00+07:00", True, "rfc822"),
    ("06 Feb 2024", "2024-02-06T00:00:00+07:00", False, "rfc822"),
    # ISO 8601
    ("2024-02-06T08:37:00+07:00", "2024-02-06T08:37:00+07:00", True, "iso"),
    ("2024-02-06T01:37:00Z", "2024-02-06T08:37:00+07:00", True, "iso"),
    ("2024-02-06T01:37:00.123456+00:00", "2024-02-06T08:37:00+07:00", True, "iso"),
    ("2024-02-06", "2024-02-06T00:00:00+07:00", False, "iso"),
    ("2024-02-06 08:37:00", "2024-02-06T08:37:00+07:00", True, "iso"),
    ("2024/02/06", "2024-02-06T00:00:00+07:00", False, "iso"),
    # dateparser fallback for a shape the rules do not know
    ("06 thg 02 2024", "2024-02-06T00:00:00+07:00", False, "dateparser"),
]


@pytest.mark.parametrize(("text", "iso", "has_time", "rule"), ABSOLUTE)
def test_absolute_forms(text: str, iso: str, has_time: bool, rule: str) -> None:
    assert read(text) == (iso, has_time, rule)


@pytest.mark.parametrize(("text", "iso", "has_time", "rule"), ABSOLUTE)
def test_absolute_forms_ignore_base(text: str, iso: str, has_time: bool, rule: str) -> None:
    """A base in the future of the date changes nothing for a fully printed date."""
    assert read(text, base=datetime(2026, 1, 1, tzinfo=VN_TZ)) == (iso, has_time, rule)


@pytest.mark.parametrize(("text", "iso", "has_time", "rule"), ABSOLUTE)
def test_parse_date_is_the_value_of_the_detail(
    text: str, iso: str, has_time: bool, rule: str
) -> None:
    value = parse_date(text)
    assert value is not None
    assert value.tzinfo is VN_TZ
    assert to_iso(value) == iso


# Forms measured from BASE (Saturday 15 June 2024, 12:00:30).
RELATIVE = [
    ("2 giờ trước", "2024-06-15T10:00:00+07:00", True, "relative"),
    ("1 tiếng trước", "2024-06-15T11:00:00+07:00", True, "relative"),
    ("2 tiếng đồng hồ trước", "2024-06-15T10:00:00+07:00", True, "relative"),
    ("30 phút trước", "2024-06-15T11:30:00+07:00", True, "relative"),
    ("45 giây trước", "2024-06-15T11:59:00+07:00", True, "relative"),
    ("cách đây 5 phút", "2024-06-15T11:55:00+07:00", True, "relative"),
    ("3 ngày trước", "2024-06-12T00:00:00+07:00", False, "relative"),
    ("1 tuần trước", "2024-06-08T00:00:00+07:00", False, "relative"),
    ("hôm nay", "2024-06-15T00:00:00+07:00", False, "relative"),
    ("hôm qua", "2024-06-14T00:00:00+07:00", False, "relative"),
    ("Hôm kia", "2024-06-13T00:00:00+07:00", False, "relative"),
    ("hôm nay 10:30", "2024-06-15T10:30:00+07:00", True, "relative"),
    ("10:30 hôm qua", "2024-06-14T10:30:00+07:00", True, "relative"),
    ("10:30 ngày hôm qua", "2024-06-14T10:30:00+07:00", True, "relative"),
    ("Hôm qua lúc 3:25 CH", "2024-06-14T15:25:00+07:00", True, "relative"),
    ("chiều hôm qua lúc 3 giờ", "2024-06-14T15:00:00+07:00", True, "relative"),
    ("sáng nay", "2024-06-15T00:00:00+07:00", False, "relative"),
    ("chiều qua", "2024-06-14T00:00:00+07:00", False, "relative"),
    ("lúc 10:30 sáng nay", "2024-06-15T10:30:00+07:00", True, "relative"),
    ("vừa xong", "2024-06-15T12:00:00+07:00", True, "relative"),
    ("Vừa mới", "2024-06-15T12:00:00+07:00", True, "relative"),
    # year-less dates take the latest year that is not after BASE
    ("Chiều 5/4", "2024-04-05T00:00:00+07:00", False, "numeric"),
    ("ngày 02/02", "2024-02-02T00:00:00+07:00", False, "numeric"),
    ("Sáng nay (15/6)", "2024-06-15T00:00:00+07:00", False, "numeric"),
    ("ngày 20/12", "2023-12-20T00:00:00+07:00", False, "numeric"),
    ("08:00 ngày 16/6", "2023-06-16T08:00:00+07:00", True, "numeric"),
    ("Ngày 6 tháng 2", "2024-02-06T00:00:00+07:00", False, "words"),
    ("29/02", "2024-02-29T00:00:00+07:00", False, "numeric"),
    # the future tolerance: up to one day after BASE is accepted
    ("16/06/2024", "2024-06-16T00:00:00+07:00", False, "numeric"),
    ("16/06/2024 12:00", "2024-06-16T12:00:00+07:00", True, "numeric"),
]


@pytest.mark.parametrize(("text", "iso", "has_time", "rule"), RELATIVE)
def test_forms_relative_to_base(text: str, iso: str, has_time: bool, rule: str) -> None:
    assert read(text, base=BASE) == (iso, has_time, rule)


@pytest.mark.parametrize(("text", "iso", "has_time", "rule"), RELATIVE[:-2])
def test_relative_and_yearless_forms_need_a_base(
    text: str, iso: str, has_time: bool, rule: str
) -> None:
    assert parse_date_detail(text) is None


@pytest.mark.parametrize(
    "base",
    [
        datetime(2024, 6, 15, 12, 0, 30),  # naive: Vietnam time
        datetime(2024, 6, 15, 5, 0, 30, tzinfo=UTC),
        datetime(2024, 6, 15, 13, 0, 30, tzinfo=timezone(timedelta(hours=8))),
    ],
)
def test_base_in_any_zone_means_the_same_instant(base: datetime) -> None:
    assert read("2 giờ trước", base=base) == ("2024-06-15T10:00:00+07:00", True, "relative")
    assert read("hôm qua", base=base) == ("2024-06-14T00:00:00+07:00", False, "relative")


def test_relative_across_midnight_uses_vietnam_date() -> None:
    # 23:30 UTC on 14 June is 06:30 on 15 June in Vietnam.
    base = datetime(2024, 6, 14, 23, 30, tzinfo=UTC)
    assert read("hôm qua", base=base) == ("2024-06-14T00:00:00+07:00", False, "relative")
    assert read("8 giờ trước", base=base) == ("2024-06-14T22:30:00+07:00", True, "relative")


def test_an_absurd_relative_date_is_rejected_not_an_error() -> None:
    base = datetime(2024, 6, 15, 12, 0, tzinfo=VN_TZ)
    assert parse_date("99999999 ngày trước", base=base) is None
    assert parse_date("99999999999 giờ trước", base=base) is None


def test_yearless_leap_day_goes_back_to_a_leap_year() -> None:
    base = datetime(2025, 3, 1, tzinfo=VN_TZ)
    assert read("29/02", base=base) == ("2024-02-29T00:00:00+07:00", False, "numeric")


REJECTED = [
    "",
    "   ",
    "Cải cách hành chính",
    "31/02/2024",  # impossible day
    "31/04/2024",
    "29/02/2023",
    "02/13/2024",  # month 13: day first always, never swapped
    "32/01/2024",
    "Thứ Ba, 05/02/2024",  # 5 Feb 2024 was a Monday
    "T7, 05/02/2024 10:30",
    "Chủ nhật, 05/02/2024",
    "Mon, 06 Feb 2024 08:37:00 GMT",  # 6 Feb 2024 was a Tuesday
    "01/01/1989",  # before 1990
    "31/12/1989 23:59",
    "06/02/89",  # two-digit year 89 is 1989
    "Kỷ niệm (02/9/1945-02/9/2020)",  # the first date is an anniversary
    "1989-12-31",
    "2024-02-30",
    "tháng 3/2024",  # a month is not a date
    "2 tháng trước",
    "năm ngoái",
    "tuần trước",
    "View count: 1252",
    "10:30",  # a time alone is not a date
    "Số 12",
    "0983.570.009",
    "02963.957.049 - 0378.247.247",
    "15/2020/TT-BTTTT",
]


@pytest.mark.parametrize("text", REJECTED)
def test_rejected(text: str) -> None:
    assert parse_date_detail(text, base=BASE) is None
    assert parse_date(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "17/06/2024",  # 36 hours after BASE
        "16/06/2024 12:01",  # just over a day after BASE
        "Thứ Tư, 05/02/2025",
        "2025-01-01T00:00:00+07:00",
        "Tue, 06 Feb 2029 08:37:00 GMT",
        "ngày 5 tháng 3 năm 2030",
    ],
)
def test_future_of_base_rejected(text: str) -> None:
    assert parse_date_detail(text, base=BASE) is None
    assert parse_date(text) is not None  # without a base nothing is "future"


NFD_CASES = [
    (
        "Thứ Hai, 05/02/2024 - 10:30",
        "2024-02-05T10:30:00+07:00",
        True,
        "Thứ Hai, 05/02/2024 - 10:30",
    ),
    ("Chiều ngày 02/02/2024", "2024-02-02T00:00:00+07:00", False, "Chiều ngày 02/02/2024"),
    (
        "Cập nhật lúc 15:20 ngày 18/04/2024",
        "2024-04-18T15:20:00+07:00",
        True,
        "15:20 ngày 18/04/2024",
    ),
    ("ngày 5 tháng Tám năm 2024", "2024-08-05T00:00:00+07:00", False, "ngày 5 tháng Tám năm 2024"),
    (
        "Chủ nhật, 04/02/2024 3:25 CH",
        "2024-02-04T15:25:00+07:00",
        True,
        "Chủ nhật, 04/02/2024 3:25 CH",
    ),
]


@pytest.mark.parametrize(("text", "iso", "has_time", "matched"), NFD_CASES)
def test_decomposed_input(text: str, iso: str, has_time: bool, matched: str) -> None:
    nfd = unicodedata.normalize("NFD", text)
    assert nfd != text
    parsed = parse_date_detail(nfd)
    assert parsed is not None
    assert (to_iso(parsed.value), parsed.has_time, parsed.matched) == (iso, has_time, matched)


@pytest.mark.parametrize(
    ("text", "matched"),
    [
        ("Thứ Hai,\u00a005/02/2024\u00a0-\u00a010:30", "Thứ Hai, 05/02/2024 - 10:30"),
        ("Thứ Hai, 05/02/2024 &nbsp;-&nbsp; 10:30", "Thứ Hai, 05/02/2024 - 10:30"),
        ("\n\t Thứ Hai,   05/02/2024\n -  10:30 \n", "Thứ Hai, 05/02/2024 - 10:30"),
        ("Th&#7913; Hai, 05/02/2024\u200b - 10:30", "Thứ Hai, 05/02/2024 - 10:30"),
    ],
)
def test_spaces_and_entities(text: str, matched: str) -> None:
    parsed = parse_date_detail(text)
    assert parsed == ParsedDate(
        value=datetime(2024, 2, 5, 10, 30, tzinfo=VN_TZ),
        has_time=True,
        matched=matched,
        rule="numeric",
        warnings=(),
    )


def test_seed_article_date() -> None:
    """The seed page prints "08:37 06/02/2024" under the title."""
    parsed = parse_date_detail("08:37 06/02/2024")
    assert parsed == ParsedDate(
        value=datetime(2024, 2, 6, 8, 37, tzinfo=VN_TZ),
        has_time=True,
        matched="08:37 06/02/2024",
        rule="numeric",
        warnings=(),
    )
    assert to_iso(parsed.value) == "2024-02-06T08:37:00+07:00"


def test_seed_body_date() -> None:
    """The seed body starts "Chiều ngày 02/02/2024, Thủ tướng ...": a date without a time."""
    text = "Chiều ngày 02/02/2024, Thủ tướng Chính phủ Phạm Minh Chính chủ trì phiên họp"
    parsed = parse_date_detail(text)
    assert parsed == ParsedDate(
        value=datetime(2024, 2, 2, tzinfo=VN_TZ),
        has_time=False,
        matched="Chiều ngày 02/02/2024",
        rule="numeric",
        warnings=(),
    )


@pytest.mark.parametrize(
    ("text", "base", "warnings"),
    [
        ("06/02/24", None, ("two-digit year",)),
        ("06/02/2024 08:37 GMT+8", None, ("converted from UTC+08:00",)),
        ("2024-02-06T01:37:00Z", None, ("converted from UTC",)),
        ("2024-02-06 08:37", None, ("no time zone, assumed Asia/Ho_Chi_Minh",)),
        ("06/02/2024 15:24 PM", None, ("24-hour time with marker 'pm'",)),
        ("06/02/2024 25:70", None, ("time 25:70:00 out of range, ignored",)),
        ("Chiều 5/4", BASE, ("year taken from base",)),
        ("2 giờ trước", BASE, ("relative to base",)),
        ("06 thg 02 2024", None, ("read by dateparser",)),
    ],
)
def test_warnings(text: str, base: datetime | None, warnings: tuple[str, ...]) -> None:
    parsed = parse_date_detail(text, base=base)
    assert parsed is not None
    assert parsed.warnings == warnings


def test_out_of_range_time_keeps_the_date() -> None:
    assert read("06/02/2024 25:70") == ("2024-02-06T00:00:00+07:00", False, "numeric")


def test_first_date_wins() -> None:
    parsed = parse_date_detail("Ngày đăng 06/02/2024 08:37, cập nhật 07/02/2024 09:00")
    assert parsed is not None
    assert (to_iso(parsed.value), parsed.matched) == (
        "2024-02-06T08:37:00+07:00",
        "06/02/2024 08:37",
    )


def test_parsed_date_is_frozen() -> None:
    parsed = parse_date_detail("06/02/2024")
    assert parsed is not None
    with pytest.raises(FrozenInstanceError):
        parsed.rule = "other"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        (datetime(2024, 2, 6, 8, 37, tzinfo=VN_TZ), "2024-02-06T08:37:00+07:00"),
        (datetime(2024, 2, 6, 1, 37, 12, 999999, tzinfo=UTC), "2024-02-06T08:37:12+07:00"),
        (datetime(2024, 2, 5, 20, 0, tzinfo=timezone(timedelta(hours=-5))),
         "2024-02-06T08:00:00+07:00"),
    ],
)  # fmt: skip
def test_to_iso(value: datetime, iso: str) -> None:
    assert to_iso(value) == iso


def test_to_iso_refuses_naive() -> None:
    with pytest.raises(ValueError, match="naive"):
        to_iso(datetime(2024, 2, 6, 8, 37))


def test_docstring_examples() -> None:
    result = doctest.testmod(dates)
    assert result.attempted > 0
    assert result.failed == 0


def test_import_does_not_load_dateparser() -> None:
    """dateparser takes a noticeable time to import; the fast path must not pay for it."""
    code = "import sys, crawler.parsers.dates; print('dateparser' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
