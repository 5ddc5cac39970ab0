"""Tests for crawler.parsers.phones: every field of every Phone is compared."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from crawler.parsers.phone_tables import (
    LANDLINE_CODE_CHANGES,
    LANDLINE_PHASES,
    MOBILE_CHANGE,
    MOBILE_PREFIX_CHANGES,
    UNCHANGED_LANDLINE_CODES,
)
from crawler.parsers.phones import Phone, find_phones, parse_phone

BEFORE_2017 = date(2016, 5, 1)
BETWEEN = date(2018, 1, 10)  # after the landline change, before the mobile one
AFTER_2018 = date(2024, 2, 6)

# The contact widgets of the seed page (sonoivu.angiang.gov.vn, 06/02/2024), with a piece of the
# article body above them: dates, counts and percentages that must not become phones.
SEED = """08:37 06/02/2024

Chiều ngày 02/02/2024, Thủ tướng Chính phủ Phạm Minh Chính chủ trì phiên họp thứ bảy.
Các bộ, ngành, địa phương đã tổ chức thực hiện 4.142 nhiệm vụ được giao. Nâng tổng số thủ tục
hành chính được phân cấp từ năm 2022 đến nay là 153/699 thủ tục hành chính, đạt 21,9%. Từ năm
2015 đến ngày 15/12/2023 cả nước tinh giản biên chế 84.140 người, ở địa phương là 78.400 người.

Mạnh Cường

số điện thoại tiếp nhận
phản ánh kiến nghị về tthc

1

Ông Trương Long Hồ (Phó Giám Đốc Sở)

Điện thoại: 0983.570.009

Email: tlho@angiang.gov.vn

2

Phòng Tổng hợp - UBND tỉnh

Điện thoại: 02963.957.006

Email: thutuchanhchinh@angiang.gov.vn

3

Tổ kiểm tra công vụ

Điện thoại: 02963.957.049 - 0378.247.247

Email: kiemtracongvu@angiang.gov.vn

đường dây nóng ngành nội vụ an giang

1

Ông Ngô Hồng Yến (Giám Đốc Sở)

Điện thoại: 0913.658.627

2

Bà Ngô Thị Ngọc Hạnh (Chánh Văn phòng Sở)

Điện thoại: 0968.078.529

3

Thanh tra Sở

Điện thoại: 02963.981.818

Thống kê truy cập
"""

PHONE = "Điện thoại"


def test_seed_page_numbers():
    assert find_phones(SEED, as_of=date(2024, 2, 6)) == [
        Phone("0983.570.009", "+84983570009", "mobile", None, None, PHONE),
        Phone("02963.957.006", "+842963957006", "landline", None, None, PHONE),
        Phone("02963.957.049", "+842963957049", "landline", None, None, PHONE),
        Phone("0378.247.247", "+84378247247", "mobile", None, None, PHONE),
        Phone("0913.658.627", "+84913658627", "mobile", None, None, PHONE),
        Phone("0968.078.529", "+84968078529", "mobile", None, None, PHONE),
        Phone("02963.981.818", "+842963981818", "landline", None, None, PHONE),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0983.570.009", [Phone("0983.570.009", "+84983570009", "mobile")]),
        ("02963.957.006", [Phone("02963.957.006", "+842963957006", "landline")]),
        (
            "02963.957.049 - 0378.247.247",
            [
                Phone("02963.957.049", "+842963957049", "landline"),
                Phone("0378.247.247", "+84378247247", "mobile"),
            ],
        ),
        ("(0296) 3952 568", [Phone("(0296) 3952 568", "+842963952568", "landline")]),
        (
            "(0296).3852989 – 3852862",
            [
                Phone("(0296).3852989", "+842963852989", "landline"),
                Phone("3852862", "+842963852862", "landline"),
            ],
        ),
        (
            "(024) 35123536 - 35123537",
            [
                Phone("(024) 35123536", "+842435123536", "landline"),
                Phone("35123537", "+842435123537", "landline"),
            ],
        ),
        ("(024) 35123536", [Phone("(024) 35123536", "+842435123536", "landline")]),
        ("1900 1234", [Phone("1900 1234", "+8419001234", "premium")]),
        ("1800 1234", [Phone("1800 1234", "+8418001234", "toll_free")]),
        ("1900.545.454", [Phone("1900.545.454", "+841900545454", "premium")]),
        ("080 43162", [Phone("080 43162", "+848043162", "government")]),
        ("080.48924", [Phone("080.48924", "+848048924", "government")]),
        ("+84 296 3957 049", [Phone("+84 296 3957 049", "+842963957049", "landline")]),
        ("84.296.3957049", [Phone("84.296.3957049", "+842963957049", "landline")]),
        ("(+84) 983 570 009", [Phone("(+84) 983 570 009", "+84983570009", "mobile")]),
        ("+84 (0) 296 3957 049", [Phone("+84 (0) 296 3957 049", "+842963957049", "landline")]),
        ("0983 570 009", [Phone("0983 570 009", "+84983570009", "mobile")]),
        ("0983\u00a0570\u00a0009", [Phone("0983\u00a0570\u00a0009", "+84983570009", "mobile")]),
        ("0296-3852-989", [Phone("0296-3852-989", "+842963852989", "landline")]),
        (
            "0983.570.009/0913.658.627",
            [
                Phone("0983.570.009", "+84983570009", "mobile"),
                Phone("0913.658.627", "+84913658627", "mobile"),
            ],
        ),
        (
            "0983.570.009 hoặc 0913.658.627",
            [
                Phone("0983.570.009", "+84983570009", "mobile"),
                Phone("0913.658.627", "+84913658627", "mobile"),
            ],
        ),
        ("Liên hệ (0983.570.009).", [Phone("0983.570.009", "+84983570009", "mobile")]),
        ("+44 7911 123456", [Phone("+44 7911 123456", "+447911123456", "mobile")]),
        # A local number never starts with 0 or 1: not glued to the landline before it.
        ("(0296).3852989 – 0852862", [Phone("(0296).3852989", "+842963852989", "landline")]),
    ],
)
def test_shapes(text, expected):
    assert find_phones(text) == expected


# --- Old numbers ----------------------------------------------------------------------------

AN_GIANG = Phone("", "+842963852989", "landline", None, "0763852989")
MOBILE_076 = Phone("", "+84763852989", "mobile")


def _as(phone: Phone, raw: str) -> Phone:
    return Phone(raw, phone.e164, phone.kind, phone.extension, phone.rewritten_from, phone.label)


@pytest.mark.parametrize(
    ("text", "as_of", "expected"),
    [
        # Written as a landline: the old An Giang number whatever the page date.
        ("(076) 3852 989", BEFORE_2017, AN_GIANG),
        ("(076) 3852 989", AFTER_2018, AN_GIANG),
        ("(076) 3852 989", None, AN_GIANG),
        ("(076) 3852989", None, AN_GIANG),
        ("076.3852989", BEFORE_2017, AN_GIANG),
        ("076.3852989", None, AN_GIANG),
        ("076 3852989", AFTER_2018, AN_GIANG),
        ("+84 (76) 3852989", None, AN_GIANG),
        # Written plainly: the page date decides.
        ("0763852989", BEFORE_2017, AN_GIANG),
        ("0763852989", BETWEEN, AN_GIANG),
        ("0763852989", AFTER_2018, MOBILE_076),
        ("0763852989", None, MOBILE_076),
        ("076 385 2989", BEFORE_2017, AN_GIANG),
        ("076 385 2989", None, MOBILE_076),
        ("0763.852.989", AFTER_2018, MOBILE_076),
        ("0763852989", datetime(2018, 9, 14, 23, 59), AN_GIANG),
        ("0763852989", datetime(2018, 9, 15, 0, 0), MOBILE_076),
    ],
)
def test_old_an_giang_landline(text, as_of, expected):
    assert find_phones(text, as_of=as_of) == [_as(expected, text)]


@pytest.mark.parametrize(
    ("text", "as_of", "expected"),
    [
        # Hà Nội 04 -> 024 and TP.HCM 08 -> 028 (8-digit local numbers).
        ("04 3512 3536", BEFORE_2017, Phone("", "+842435123536", "landline", None, "0435123536")),
        ("04 3512 3536", AFTER_2018, Phone("", "+842435123536", "landline", None, "0435123536")),
        ("(04) 35123536", None, Phone("", "+842435123536", "landline", None, "0435123536")),
        ("0435123536", None, Phone("", "+842435123536", "landline", None, "0435123536")),
        ("(08) 3829 1234", None, Phone("", "+842838291234", "landline", None, "0838291234")),
        ("08 3829 1234", AFTER_2018, Phone("", "+842838291234", "landline", None, "0838291234")),
        ("0838291234", BEFORE_2017, Phone("", "+842838291234", "landline", None, "0838291234")),
        ("0838291234", None, Phone("", "+84838291234", "mobile")),
        # 086 was a Viettel prefix before 2017: plain, it stays a mobile on an old page.
        ("0862911234", BEFORE_2017, Phone("", "+84862911234", "mobile")),
        ("(08) 6291 1234", BEFORE_2017, Phone("", "+842862911234", "landline", None, "0862911234")),
        # Codes that were never reused: rewritten whatever the date.
        ("(0511) 3822 123", None, Phone("", "+842363822123", "landline", None, "05113822123")),
        ("0511 3822 123", AFTER_2018, Phone("", "+842363822123", "landline", None, "05113822123")),
        ("(061) 3822 123", None, Phone("", "+842513822123", "landline", None, "0613822123")),
        ("(0650) 3822 123", None, Phone("", "+842743822123", "landline", None, "06503822123")),
        ("(0241) 3822 123", None, Phone("", "+842223822123", "landline", None, "02413822123")),
        ("(077) 3862 123", None, Phone("", "+842973862123", "landline", None, "0773862123")),
        ("(037) 3852 123", None, Phone("", "+842373852123", "landline", None, "0373852123")),
        ("0373852123", BEFORE_2017, Phone("", "+842373852123", "landline", None, "0373852123")),
        ("0373852123", None, Phone("", "+84373852123", "mobile")),
        # Local numbers never started with 0 or 1: not an old landline, whatever the date.
        ("0761234567", BEFORE_2017, Phone("", "+84761234567", "mobile")),
        # 052 (Quảng Bình) is not valid today as 10 digits: the old landline.
        ("0526 123 456", None, Phone("", "+842326123456", "landline", None, "0526123456")),
        # 11-digit mobiles: always the 10-digit number, before or after 2018.
        ("0168 123 4567", BEFORE_2017, Phone("", "+84381234567", "mobile", None, "01681234567")),
        ("0168 123 4567", AFTER_2018, Phone("", "+84381234567", "mobile", None, "01681234567")),
        ("0168 123 4567", None, Phone("", "+84381234567", "mobile", None, "01681234567")),
        ("0166.123.4567", None, Phone("", "+84361234567", "mobile", None, "01661234567")),
        ("0126 6543 210", None, Phone("", "+84766543210", "mobile", None, "01266543210")),
        ("0123.456.7890", None, Phone("", "+84834567890", "mobile", None, "01234567890")),
        ("0199 123 4567", None, Phone("", "+84591234567", "mobile", None, "01991234567")),
        ("0188 123 4567", None, Phone("", "+84581234567", "mobile", None, "01881234567")),
        ("+84 168 123 4567", None, Phone("", "+84381234567", "mobile", None, "01681234567")),
    ],
)
def test_old_numbers_rewritten(text, as_of, expected):
    assert find_phones(text, as_of=as_of) == [_as(expected, text)]


def test_local_number_after_old_landline_is_rewritten_too():
    assert find_phones("ĐT: (076) 3852989 – 3852862", as_of=BEFORE_2017) == [
        Phone("(076) 3852989", "+842963852989", "landline", None, "0763852989", PHONE),
        Phone("3852862", "+842963852862", "landline", None, "0763852862", PHONE),
    ]


# --- Placeholders, extensions, labels -----------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "3852 xxx",
        "0296.xxx.xxx",
        "09xx xxx xxx",
        "09XX.XXX.XXX",
        "(0296) 3852 xxx",
        "0983.570.xxx",
        "0983 570 ***",
        "0983.570.0..",
        "0983.5...",
        "Điện thoại: 0296.3xx.xxx",
        "Điện thoại: 0123 456 789",
        "Hotline: 1900 xxxx",
        "Hotline: 1900 1234 xx",
        "1800 1234 **",
    ],
)
def test_placeholders_give_nothing(text):
    assert find_phones(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "0296 3852 989 máy lẻ 102",
        "0296 3852 989 (ml 102)",
        "0296 3852 989 (ML: 102)",
        "0296 3852 989 số nội bộ 102",
        "0296 3852 989 ext 102",
        "0296 3852 989 ext. 102",
        "0296 3852 989 - nhánh 102",
        "0296 3852 989, số máy lẻ: 102",
    ],
)
def test_extensions(text):
    assert find_phones(text) == [Phone("0296 3852 989", "+842963852989", "landline", "102")]


def test_same_number_with_two_extensions_is_kept_twice():
    text = "0296 3852 989 máy lẻ 102; 0296 3852 989 máy lẻ 103; 0296.3852.989 (ml 102)"
    assert find_phones(text) == [
        Phone("0296 3852 989", "+842963852989", "landline", "102"),
        Phone("0296 3852 989", "+842963852989", "landline", "103"),
    ]


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Điện thoại: 0983.570.009", "Điện thoại"),
        ("ĐT: 0983.570.009", "Điện thoại"),
        ("Đt 0983.570.009", "Điện thoại"),
        ("SĐT: 0983.570.009", "Điện thoại"),
        ("Tel.: 0983.570.009", "Điện thoại"),
        ("Điện thoại cơ quan: 0983.570.009", "Điện thoại"),
        ("Di động: 0983.570.009", "Di động"),
        ("DĐ: 0983.570.009", "Di động"),
        ("Điện thoại di động: 0983.570.009", "Di động"),
        ("Fax: 0983.570.009", "Fax"),
        ("FAX 0983.570.009", "Fax"),
        ("Fax. 0983.570.009", "Fax"),
        ("Hotline: 0983.570.009", "Hotline"),
        ("Đường dây nóng: 0983.570.009", "Đường dây nóng"),
        ("Tổng đài: 0983.570.009", "Tổng đài"),
        ("Điện thoại/Fax: 0983.570.009", "Điện thoại/Fax"),
        ("Điện thoại:\n0983.570.009", "Điện thoại"),
        ("Liên hệ ông Hồ 0983.570.009", None),
        ("Email: tlho@angiang.gov.vn\n0983.570.009", None),
    ],
)
def test_labels(text, label):
    assert find_phones(text) == [Phone("0983.570.009", "+84983570009", "mobile", None, None, label)]


def test_fax_told_apart_from_phone_on_one_line():
    assert find_phones("ĐT: (0296) 3852 989, Fax: (0296) 3852 990 - 3852 991") == [
        Phone("(0296) 3852 989", "+842963852989", "landline", None, None, "Điện thoại"),
        Phone("(0296) 3852 990", "+842963852990", "landline", None, None, "Fax"),
        Phone("3852 991", "+842963852991", "landline", None, None, "Fax"),
    ]


def test_x_of_a_word_is_not_a_mask():
    assert find_phones("ĐT 0983.570.009 xã Mỹ Hòa Hưng") == [
        Phone("0983.570.009", "+84983570009", "mobile", None, None, PHONE)
    ]


def test_label_does_not_leak_to_next_line():
    assert find_phones("Fax: 0296 3852 990\n0983.570.009") == [
        Phone("0296 3852 990", "+842963852990", "landline", None, None, "Fax"),
        Phone("0983.570.009", "+84983570009", "mobile"),
    ]


def test_possible_but_unknown_number_kept_only_with_a_label():
    # 040 is neither a mobile prefix nor a landline code, and "04" + "01234567" is not an old
    # Hà Nội number (local numbers never start with 0).
    assert find_phones("0401 234 567") == []
    assert find_phones("Điện thoại: 0401 234 567") == [
        Phone("0401 234 567", "+84401234567", "unknown", None, None, PHONE)
    ]


# --- Not phones ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "06/02/2024",
        "08:37 06/02/2024",
        "06.02.2024",
        "08.03.2024",
        "06-02-2024",
        "Quyết định 439/QĐ-TTg",
        "Nghị định 178/2024/NĐ-CP",
        "Số: 12/2024/TT-BNV",
        "4.142 nhiệm vụ",
        "84.140 người",
        "1.234.567 đồng",
        "19.000.000 đồng",
        "1.900.000.000",
        "Mức phạt 19 000 000 đồng",
        "1800123456/2024",
        "Văn bản số 12/1800123456",
        "2.500 tỷ đồng",
        "0,5 triệu",
        "năm 2024",
        "từ năm 2015 đến 2024",
        "153/699 thủ tục, đạt 21,9%",
        "Mã bưu chính: 880000",
        "Mã số thuế: 1600123456",
        "Mã số thuế: 0301234567",
        "MST: 0301234567",
        "Số tài khoản: 0071000123456",
        "STK 0381234567",
        "CCCD: 089123456789",
        "0983570009đ",
        "tlho0983570009@gmail.com",
        "https://angiang.gov.vn/0983570009",
        "ItemID=37113",
        "1234567",
        "3852862",
    ],
)
def test_not_phones(text):
    assert find_phones(text) == []


def test_phone_next_to_tax_code_is_kept():
    text = "Mã số thuế: 0301234567. Điện thoại: 0983.570.009"
    assert find_phones(text) == [Phone("0983.570.009", "+84983570009", "mobile", None, None, PHONE)]


# --- De-duplication, API -----------------------------------------------------------------------


def test_duplicates_removed_in_order():
    text = "0983.570.009; 0296 3852 989; 0983 570 009; +84 983 570 009; (0296) 3852989"
    assert find_phones(text) == [
        Phone("0983.570.009", "+84983570009", "mobile"),
        Phone("0296 3852 989", "+842963852989", "landline"),
    ]


def test_old_and_new_forms_of_one_landline_are_one_number():
    text = "(076) 3852989 (cũ), nay là (0296) 3852989"
    assert find_phones(text, as_of=BETWEEN) == [
        Phone("(076) 3852989", "+842963852989", "landline", None, "0763852989"),
    ]


def test_decomposed_vietnamese_label():
    text = "Đie\u0302\u0323n thoa\u0323i: 0983.570.009"  # NFD "Điện thoại"
    assert find_phones(text) == [Phone("0983.570.009", "+84983570009", "mobile", None, None, PHONE)]


def test_parse_phone():
    assert parse_phone("(076) 3852 989", as_of=date(2015, 1, 1)) == Phone(
        "(076) 3852 989", "+842963852989", "landline", None, "0763852989"
    )
    assert parse_phone("ĐT: 080 43162") == Phone(
        "080 43162", "+848043162", "government", None, None, PHONE
    )
    assert parse_phone("09xx xxx xxx") is None
    assert parse_phone("") is None


def test_as_dict():
    phone = Phone("0296 3852 989", "+842963852989", "landline", "102", None, "Fax")
    assert phone.as_dict() == {
        "raw": "0296 3852 989",
        "e164": "+842963852989",
        "kind": "landline",
        "extension": "102",
        "rewritten_from": None,
        "label": "Fax",
    }


# --- The tables --------------------------------------------------------------------------------


def test_landline_table_covers_the_59_provinces():
    assert len(LANDLINE_CODE_CHANGES) == 59
    provinces = {c.province for c in LANDLINE_CODE_CHANGES.values()}
    assert len(provinces) == 59
    assert provinces.isdisjoint(UNCHANGED_LANDLINE_CODES.values())
    assert len(provinces) + len(UNCHANGED_LANDLINE_CODES) == 63
    new_codes = [c.new for c in LANDLINE_CODE_CHANGES.values()]
    assert len(set(new_codes)) == 59
    assert all(code.startswith("02") for code in new_codes)
    assert set(new_codes).isdisjoint(UNCHANGED_LANDLINE_CODES)
    phases = [c.phase for c in LANDLINE_CODE_CHANGES.values()]
    assert (phases.count(1), phases.count(2), phases.count(3)) == (13, 23, 23)


@pytest.mark.parametrize(
    ("old", "new", "province", "phase"),
    [
        ("076", "0296", "An Giang", 2),
        ("04", "024", "Hà Nội", 3),
        ("08", "028", "TP. Hồ Chí Minh", 3),
        ("0511", "0236", "Đà Nẵng", 1),
        ("077", "0297", "Kiên Giang", 2),
    ],
)
def test_landline_table_entries(old, new, province, phase):
    change = LANDLINE_CODE_CHANGES[old]
    assert (change.new, change.province, change.phase) == (new, province, phase)


def test_phase_dates():
    assert [p.start for p in LANDLINE_PHASES.values()] == [
        date(2017, 2, 11),
        date(2017, 4, 15),
        date(2017, 6, 17),
    ]
    assert LANDLINE_PHASES[3].announcement_end == date(2017, 8, 31)
    assert MOBILE_CHANGE.start == date(2018, 9, 15)
    assert MOBILE_CHANGE.parallel_dialling_end == date(2018, 11, 14)


def test_mobile_table():
    expected = {
        "0120": "070", "0121": "079", "0122": "077", "0126": "076", "0128": "078",
        "0123": "083", "0124": "084", "0125": "085", "0127": "081", "0129": "082",
        "0162": "032", "0163": "033", "0164": "034", "0165": "035", "0166": "036",
        "0167": "037", "0168": "038", "0169": "039",
        "0186": "056", "0188": "058", "0199": "059",
    }  # fmt: skip
    assert {old: c.new for old, c in MOBILE_PREFIX_CHANGES.items()} == expected
