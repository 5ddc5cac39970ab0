"""Hotline widgets in every markup and site footers, compared field by field."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from crawler.parsers.contacts import find_footer, parse_contact_block, parse_footer_contacts
from crawler.parsers.html import parse_html, select
from crawler.parsers.records import ContactBlock
from tests.conftest import shared_corpus

WIDGETS = Path(__file__).parent / "fixtures" / "contacts" / "widgets.html"


@pytest.fixture(scope="module")
def widgets():
    root, _ = parse_html(WIDGETS.read_bytes())
    return root


def phone(raw, e164, kind, label=None, extension=None, rewritten_from=None):
    return {
        "raw": raw,
        "e164": e164,
        "kind": kind,
        "extension": extension,
        "rewritten_from": rewritten_from,
        "label": label,
    }


def entry(position, text, *, honorific=None, name=None, role=None, unit=None, phones=(),
          emails=(), address=None):  # fmt: skip
    return {
        "position": position,
        "text": text,
        "honorific": honorific,
        "name": name,
        "role": role,
        "unit": unit,
        "phones": list(phones),
        "emails": list(emails),
        "address": address,
    }


def as_dict(block: ContactBlock | None):
    if block is None:
        return None
    return {
        "title": block.title,
        "kind": block.kind,
        "entries": [vars(e) for e in block.entries],
    }


# --- widgets --------------------------------------------------------------------------------


def test_websphere_list_items_with_role_in_parentheses_or_after_a_dash(widgets):
    block = parse_contact_block(widgets.get_element_by_id("websphere-list"))
    assert as_dict(block) == {
        "title": "Đường dây nóng ngành nội vụ An Giang",
        "kind": "widget",
        "entries": [
            entry(
                1,
                "Ông Ngô Hồng Yến (Giám Đốc Sở)\nĐiện thoại: 0913.658.627",
                honorific="Ông",
                name="Ngô Hồng Yến",
                role="Giám Đốc Sở",
                phones=[phone("0913.658.627", "+84913658627", "mobile", "Điện thoại")],
            ),
            entry(
                2,
                "Bà Ngô Thị Ngọc Hạnh - Chánh Văn phòng Sở\nĐiện thoại: 0968.078.529\n"
                "Email: nntnhanh[at]angiang.gov.vn",
                honorific="Bà",
                name="Ngô Thị Ngọc Hạnh",
                role="Chánh Văn phòng Sở",
                phones=[phone("0968.078.529", "+84968078529", "mobile", "Điện thoại")],
                emails=["nntnhanh@angiang.gov.vn"],
            ),
            entry(
                3,
                "Thanh tra Sở\nĐiện thoại: 02963.981.818 (máy lẻ 102)",
                unit="Thanh tra Sở",
                phones=[phone("02963.981.818", "+842963981818", "landline", "Điện thoại", "102")],
            ),
        ],
    }


def test_liferay_table_read_by_its_header_row(widgets):
    block = parse_contact_block(widgets.get_element_by_id("liferay-table"))
    assert as_dict(block) == {
        "title": "Hotline",
        "kind": "widget",
        "entries": [
            entry(
                1,
                "Đồng chí Nguyễn Việt Hùng\nPhó Giám đốc phụ trách Sở\n0912 345 678\n"
                "nvhung@hanoi.gov.vn",
                honorific="Đồng chí",
                name="Nguyễn Việt Hùng",
                role="Phó Giám đốc phụ trách Sở",
                phones=[phone("0912 345 678", "+84912345678", "mobile", "Điện thoại")],
                emails=["nvhung@hanoi.gov.vn"],
            ),
            entry(
                2,
                "Phòng Bưu chính, Viễn thông\n(024) 3512 3536",
                unit="Phòng Bưu chính, Viễn thông",
                phones=[phone("(024) 3512 3536", "+842435123536", "landline", "Điện thoại")],
            ),
            # "Ông Trần Văn B" has no number: not an entry.
        ],
    }


def test_numbered_paragraphs_role_on_its_own_line_and_phone_on_the_name_line(widgets):
    block = parse_contact_block(widgets.get_element_by_id("sharepoint-paragraphs"))
    assert as_dict(block) == {
        "title": "Số điện thoại tiếp nhận phản ánh kiến nghị",
        "kind": "widget",
        "entries": [
            entry(
                1,
                "Đồng chí Lê Văn Phước\nPhó Chủ tịch UBND tỉnh\nĐT: 0296.3852.989",
                honorific="Đồng chí",
                name="Lê Văn Phước",
                role="Phó Chủ tịch UBND tỉnh",
                phones=[phone("0296.3852.989", "+842963852989", "landline", "Điện thoại")],
            ),
            entry(
                2,
                "Ông Trương Long Hồ (Phó Giám Đốc Sở): 0983.570.009",
                honorific="Ông",
                name="Trương Long Hồ",
                role="Phó Giám Đốc Sở",
                phones=[phone("0983.570.009", "+84983570009", "mobile")],
            ),
            entry(
                3,
                "Tổ kiểm tra công vụ\nĐiện thoại: 02963.957.049 - 0378.247.247\n"
                "Email: kiemtracongvu@angiang.gov.vn",
                unit="Tổ kiểm tra công vụ",
                phones=[
                    phone("02963.957.049", "+842963957049", "landline", "Điện thoại"),
                    phone("0378.247.247", "+84378247247", "mobile", "Điện thoại"),
                ],
                emails=["kiemtracongvu@angiang.gov.vn"],
            ),
        ],
    }


def test_drupal_block_person_without_honorific_and_a_unit(widgets):
    block = parse_contact_block(widgets.get_element_by_id("drupal-block"))
    assert as_dict(block) == {
        "title": "Đường dây nóng",
        "kind": "widget",
        "entries": [
            entry(
                1,
                "Nguyễn Thanh Bình - Chủ tịch UBND huyện\nDi động: 0918 123 456",
                name="Nguyễn Thanh Bình",
                role="Chủ tịch UBND huyện",
                phones=[phone("0918 123 456", "+84918123456", "mobile", "Di động")],
            ),
            entry(
                2,
                "Văn phòng HĐND và UBND huyện\nTổng đài: 1900 1234",
                unit="Văn phòng HĐND và UBND huyện",
                phones=[phone("1900 1234", "+8419001234", "premium", "Tổng đài")],
            ),
        ],
    }


def test_an_old_landline_is_read_by_the_page_date_and_placeholders_are_dropped(widgets):
    block = parse_contact_block(widgets.get_element_by_id("old-landline"), as_of=date(2015, 6, 1))
    assert as_dict(block) == {
        "title": "Đường dây nóng",
        "kind": "widget",
        "entries": [
            entry(
                1,
                "Văn phòng Sở\nĐiện thoại: (076) 3852 989\nHotline: 3852 xxx",
                unit="Văn phòng Sở",
                phones=[
                    phone(
                        "(076) 3852 989",
                        "+842963852989",
                        "landline",
                        "Điện thoại",
                        rewritten_from="0763852989",
                    )
                ],
            )
        ],
    }


@pytest.mark.parametrize("widget_id", ["leaders", "links", "bare-footer"])
def test_no_number_no_contacts(widgets, widget_id):
    assert parse_contact_block(widgets.get_element_by_id(widget_id)) is None


def test_the_page_is_left_intact(widgets):
    element = widgets.get_element_by_id("drupal-block")
    before = len(list(element.iter()))
    parse_contact_block(element)
    assert len(list(element.iter())) == before


# --- footers --------------------------------------------------------------------------------


def test_footer_named_by_its_first_line(widgets):
    block = parse_footer_contacts(widgets.get_element_by_id("bottom"))
    assert as_dict(block) == {
        "title": "Sở Nội vụ tỉnh An Giang",
        "kind": "footer",
        "entries": [
            entry(
                1,
                "Địa chỉ: Số 15 Lê Triệu Kiết, phường Mỹ Bình, TP Long Xuyên, tỉnh An Giang."
                " Điện thoại: (0296) 3852 568 - Fax: (0296) 3852 569 - Email:"
                " sonoivu@angiang.gov.vn\nĐường dây nóng: 0983.570.009",
                unit="Sở Nội vụ tỉnh An Giang",
                address="Số 15 Lê Triệu Kiết, phường Mỹ Bình, TP Long Xuyên, tỉnh An Giang",
                phones=[
                    phone("(0296) 3852 568", "+842963852568", "landline", "Điện thoại"),
                    phone("(0296) 3852 569", "+842963852569", "landline", "Fax"),
                    phone("0983.570.009", "+84983570009", "mobile", "Đường dây nóng"),
                ],
                emails=["sonoivu@angiang.gov.vn"],
            )
        ],
    }


def test_a_footer_without_numbers_gives_nothing(widgets):
    assert parse_footer_contacts(widgets.get_element_by_id("bare-footer")) is None
    assert parse_footer_contacts(widgets.get_element_by_id("leaders")) is None


def test_find_footer_takes_the_first_footer_with_a_number(widgets):
    assert find_footer(widgets).get("id") == "bottom"
    root, _ = parse_html(b"<html><body><div id='footer'><p>Copyright</p></div></body></html>")
    assert find_footer(root) is None


# --- the real pages in ../shared ------------------------------------------------------------

HANOI_TITLE = "CỔNG THÔNG TIN ĐIỆN TỬ SỞ THÔNG TIN VÀ TRUYỀN THÔNG THÀNH PHỐ HÀ NỘI"
HANOI_FOOTER = {
    "title": HANOI_TITLE,
    "kind": "footer",
    "entries": [
        entry(
            1,
            "Địa chỉ: Số 185 Giảng Võ, Quận Đống Đa, Thành phố Hà Nội - Điện thoại: (024)"
            " 35123536; Fax: (025) 37366617;",
            unit=HANOI_TITLE,
            address="Số 185 Giảng Võ, Quận Đống Đa, Thành phố Hà Nội",
            phones=[
                phone("(024) 35123536", "+842435123536", "landline", "Điện thoại"),
                # 025 is no area code (a typo for 024 on the real page): kept, kind unknown.
                phone("(025) 37366617", "+842537366617", "unknown", "Fax"),
            ],
        ),
        entry(
            2,
            "Bộ phận tiếp nhận hồ sơ giải quyết TTHC (Một cửa): (024) 37367115; Email:"
            " tiepnhanykien_sotttt@hanoi.gov.vn",
            unit="Bộ phận tiếp nhận hồ sơ giải quyết TTHC (Một cửa)",
            phones=[phone("(024) 37367115", "+842437367115", "landline")],
            emails=["tiepnhanykien_sotttt@hanoi.gov.vn"],
        ),
    ],
}


@pytest.mark.parametrize(
    "name",
    [
        "sotttt-hanoi-duong-day-nong.html",
        "sotttt-hanoi-danh-ba.html",
        "sotttt-hanoi-lanh-dao-so.html",
        "sotttt-hanoi-listing-cntt.html",
        "sotttt-hanoi-static-phong-khtc.html",
        "sotttt-hanoi-404-meta-order.html",
    ],
)
def test_real_sotttt_hanoi_footers(name):
    root, _ = parse_html((shared_corpus() / name).read_bytes())
    footer = find_footer(root)
    assert footer.get("id") == "footer"
    assert as_dict(parse_footer_contacts(footer)) == HANOI_FOOTER


def test_real_hotline_page_has_an_empty_content_area_and_only_footer_contacts():
    root, _ = parse_html((shared_corpus() / "sotttt-hanoi-duong-day-nong.html").read_bytes())
    [content] = select(root, "#main-content")
    assert parse_contact_block(content) is None
    assert parse_footer_contacts(content) is None
    assert as_dict(parse_footer_contacts(find_footer(root))) == HANOI_FOOTER


@pytest.mark.parametrize("name", ["sotttt-hanoi-lanh-dao-so.html", "sotttt-hanoi-danh-ba.html"])
def test_real_pages_without_a_widget_give_no_contacts(name):
    root, _ = parse_html((shared_corpus() / name).read_bytes())
    [content] = select(root, "#main-content")
    assert parse_contact_block(content) is None


def test_real_vpcp_footer_with_government_network_numbers():
    root, _ = parse_html((shared_corpus() / "vpcp-chinhphu-home.html").read_bytes())
    footer = find_footer(root)
    assert footer.get("class") == "footer"
    assert as_dict(parse_footer_contacts(footer)) == {
        "title": "CỔNG THÔNG TIN ĐIỆN TỬ CHÍNH PHỦ",
        "kind": "footer",
        "entries": [
            entry(
                1,
                "Trụ sở: 16 Lê Hồng Phong - Ba Đình - Hà Nội.\n"
                "Điện thoại: Văn phòng: 080 43162; Fax: 080.48924;\n"
                "Email: thongtinchinhphu@chinhphu.vn.",
                unit="CỔNG THÔNG TIN ĐIỆN TỬ CHÍNH PHỦ",
                address="16 Lê Hồng Phong - Ba Đình - Hà Nội",
                phones=[
                    phone("080 43162", "+848043162", "government", "Điện thoại"),
                    phone("080.48924", "+848048924", "government", "Fax"),
                ],
                emails=["thongtinchinhphu@chinhphu.vn"],
            )
        ],
    }


def test_real_english_footer_with_two_hotlines():
    root, _ = parse_html((shared_corpus() / "sotttt-hanoi-eng-culture-listing.html").read_bytes())
    block = parse_footer_contacts(find_footer(root))
    assert as_dict(block) == {
        "title": "PORTAL HANOI DEPARMENT OF INFORMATION AND COMMUNICATION",
        "kind": "footer",
        "entries": [
            entry(
                1,
                "Add: 185 Giang Vo Street, Dong Da District, Ha Noi, Viet Nam",
                unit="PORTAL HANOI DEPARMENT OF INFORMATION AND COMMUNICATION",
                address="185 Giang Vo Street, Dong Da District, Ha Noi, Viet Nam",
            ),
            entry(
                2,
                "Hotline for administration procedures of Hanoi Department of Information and"
                " Communication - (024)37367115; Email: tiepnhanykien_sotttt@hanoi.gov.vn",
                unit="Hotline for administration procedures of Hanoi Department of Information"
                " and Communication",
                phones=[phone("(024)37367115", "+842437367115", "landline", "Hotline")],
                emails=["tiepnhanykien_sotttt@hanoi.gov.vn"],
            ),
            entry(
                3,
                "Hotline for administration procedures of Hanoi City - (024)39346034; Email:"
                " kiemsoatthutuchanhchinh@hanoi.gov.vn",
                unit="Hotline for administration procedures of Hanoi City",
                phones=[phone("(024)39346034", "+842439346034", "landline", "Hotline")],
                emails=["kiemsoatthutuchanhchinh@hanoi.gov.vn"],
            ),
        ],
    }


def test_real_contact_page_read_like_a_footer():
    root, _ = parse_html((shared_corpus() / "sotttt-hanoi-lien-he-EDITED.html").read_bytes())
    content = select(root, ".journal-content-article")[0]
    assert as_dict(parse_footer_contacts(content)) == {
        "title": "SỞ THÔNG TIN VÀ TRUYỀN THÔNG X",
        "kind": "footer",
        "entries": [
            entry(
                1,
                "Địa chỉ: 185 Giảng Võ - Đống Đa - Hà Nội\n"
                "Điện thoại: (024)35123536. Fax: (024)37366617\n"
                "Email: tiepnhanykien_sotttt@x.gov.vn",
                unit="SỞ THÔNG TIN VÀ TRUYỀN THÔNG X",
                address="185 Giảng Võ - Đống Đa - Hà Nội",
                phones=[
                    phone("(024)35123536", "+842435123536", "landline", "Điện thoại"),
                    phone("(024)37366617", "+842437366617", "landline", "Fax"),
                ],
                emails=["tiepnhanykien_sotttt@x.gov.vn"],
            )
        ],
    }


def test_a_widget_selector_that_matches_the_heading_itself_is_no_error():
    """``[class*='hotline']`` matches ``h3.hotline-title``: the heading alone holds no contact."""
    root, _ = parse_html(
        '<div class="box"><h3 class="hotline-title">Đường dây nóng</h3>'
        "<ul><li>Ông A: 0913 123 456</li></ul></div>"
    )
    [heading] = select(root, "[class*='hotline']")
    assert parse_contact_block(heading) is None
