"""Tests for crawler.parsers.emails."""

from __future__ import annotations

import pytest

from crawler.parsers.emails import find_emails

TLHO = ["tlho@angiang.gov.vn"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Email: tlho@angiang.gov.vn", TLHO),
        ("tlho[at]angiang.gov.vn", TLHO),
        ("tlho(at)angiang.gov.vn", TLHO),
        ("tlho [AT] angiang.gov.vn", TLHO),
        ("tlho (at) angiang [dot] gov [dot] vn", TLHO),
        ("tlho{at}angiang(dot)gov(dot)vn", TLHO),
        ("tlho[at]angiang[.]gov[.]vn", TLHO),
        ("tlho @ angiang.gov.vn", TLHO),
        ("tlho＠angiang．gov．vn", TLHO),
        ("ｔｌｈｏ＠ａｎｇｉａｎｇ．ｇｏｖ．ｖｎ", TLHO),
        ("tlho[@]angiang.gov.vn", TLHO),
        ("tlho(a còng)angiang.gov.vn", TLHO),
        ("Email: TLHO@AnGiang.Gov.VN", TLHO),
        ("mailto:tlho@angiang.gov.vn", TLHO),
        ("<a href='mailto:tlho@angiang.gov.vn'>", TLHO),
        ("(tlho@angiang.gov.vn)", TLHO),
        ("Liên hệ tlho@angiang.gov.vn.", TLHO),
        ("tlho@angiang.gov.vn;", TLHO),
        ("tlho@angiang.gov.vn...", TLHO),
        ("tlho@angiang.gov.vn.Điện thoại: 0983.570.009", TLHO),
        ("tlho@angiang.gov.vn.Email: khac@angiang.gov.vn", [*TLHO, "khac@angiang.gov.vn"]),
        (
            "thu_tuc.hanh-chinh+1@sonoivu.angiang.gov.vn",
            ["thu_tuc.hanh-chinh+1@sonoivu.angiang.gov.vn"],
        ),
        ("ubnd@an-giang.gov.vn", ["ubnd@an-giang.gov.vn"]),
        ("abc@gmail.com", ["abc@gmail.com"]),
    ],
)
def test_finds_plain_and_disguised_addresses(text, expected):
    assert find_emails(text) == expected


def test_seed_widget_addresses_in_order_without_duplicates():
    text = (
        "Điện thoại: 0983.570.009\nEmail: tlho@angiang.gov.vn\n"
        "Điện thoại: 02963.957.006\nEmail: thutuchanhchinh@angiang.gov.vn\n"
        "Điện thoại: 02963.957.049 - 0378.247.247\nEmail: kiemtracongvu@angiang.gov.vn\n"
        "Liên hệ: TLHO@angiang.gov.vn, tlho[at]angiang.gov.vn"
    )
    assert find_emails(text) == [
        "tlho@angiang.gov.vn",
        "thutuchanhchinh@angiang.gov.vn",
        "kiemtracongvu@angiang.gov.vn",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "logo@2x.png",
        "banner@3x.JPG",
        "icon@2x.webp",
        "<img src='/images/logo@2x.png'>",
        "tlho@angiang",
        "tlho@",
        "@angiang.gov.vn",
        "a@b.c",
        "user@host.123",
        "x.@angiang.gov.vn",
        ".x@angiang.gov.vn",
        "a..b@angiang.gov.vn",
        "tlho@-angiang.gov.vn",
        "Theo dõi @angiang trên mạng xã hội",
        "tlho at angiang dot gov dot vn",
        "0983.570.009",
        "",
    ],
)
def test_rejects_non_addresses(text):
    assert find_emails(text) == []
