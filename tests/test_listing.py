"""Listing pages: items, dates as shown, pagination by each platform's scheme.

Hand-built listings of every platform (tests/fixtures/platforms/*/listing-*.html, golden JSON
beside each) and the real Liferay listings of sotttt.hanoi.gov.vn in ../shared/corpus/real.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.parsers.listing import parse_listing
from tests.conftest import shared_corpus

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "platforms"
LISTINGS = sorted(FIXTURES.glob("*/listing-*.json"))
SOTTTT = "https://sotttt.hanoi.gov.vn"


def _golden(path: Path) -> dict:
    return json.loads(path.read_text("utf-8"))


@pytest.mark.parametrize("golden", LISTINGS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_listing_fixture_matches_the_golden_file(golden):
    data = _golden(golden)
    listing = parse_listing(golden.with_suffix(".html").read_bytes(), data["url"]).to_dict()
    actual = {
        "profile": listing["extraction"]["profile"],
        **{k: listing[k] for k in ("items", "current_page", "next_url", "pages", "total_items")},
    }
    assert actual == data["expected"]
    assert listing["warnings"] == []


def test_every_platform_scheme_of_page_links_is_covered():
    schemes = {
        "websphere": "NJgetPage=2",  # opaque portlet state: numbered by the link text
        "liferay": "_cur=3",
        "sharepoint": "page=3",
        "drupal": "?page=2",  # page 3: Drupal counts from 0
        "wordpress": "/page/3/",
        "chinhphu": "/timelinelist/1021/2.htm",
    }
    for platform, marker in schemes.items():
        [golden] = (FIXTURES / platform).glob("listing-*.json")
        assert marker in _golden(golden)["expected"]["next_url"], platform


def test_sidebar_teasers_are_not_listing_items():
    golden = FIXTURES / "wordpress" / "listing-hoiphunu-tin-hoat-dong.json"
    listing = parse_listing(golden.with_suffix(".html").read_bytes(), _golden(golden)["url"])
    assert "Hội thi nấu ăn ngon chào mừng 8/3" not in [item.title for item in listing.items]


def test_a_page_without_items_says_so():
    listing = parse_listing("<html><body><p>Trang đang bảo trì</p></body></html>")
    assert (listing.items, listing.next_url, listing.pages) == ([], None, [])
    assert listing.warnings == ["no listing items found"]


def test_a_generic_listing_is_found_by_its_repeated_teasers():
    teasers = "".join(
        f'<div class="tin"><h3><a href="/tin/{n}">Tin hoạt động số {n} của ủy ban nhân dân xã</a>'
        f'</h3><span class="ngay">0{n}/05/2024</span></div>'
        for n in range(1, 5)
    )
    pager = '<div class="phan-trang"><a href="?trang=2">2</a><a href="?trang=2">Sau</a></div>'
    page = f"""<html><body><div class="menu"><a href="/">Trang chủ</a></div>
    <div class="danh-sach">{teasers}</div>{pager}</body></html>"""
    listing = parse_listing(page, "http://xa.example.gov.vn/tin-tuc")
    assert [(i.title, i.url, i.published_at, i.published_text) for i in listing.items] == [
        (
            f"Tin hoạt động số {n} của ủy ban nhân dân xã",
            f"http://xa.example.gov.vn/tin/{n}",
            f"2024-05-0{n}T00:00:00+07:00",
            f"0{n}/05/2024",
        )
        for n in range(1, 5)
    ]
    assert listing.extraction["rules"]["items"] == "generic::repeated-blocks"
    assert listing.next_url == "http://xa.example.gov.vn/tin-tuc?trang=2"


# --- the real Liferay listings of sotttt.hanoi.gov.vn ---------------------------------------


def _real(name: str, url: str):
    return parse_listing((shared_corpus() / name).read_bytes(), url)


def test_real_liferay_listing_cntt():
    listing = _real("sotttt-hanoi-listing-cntt.html", f"{SOTTTT}/cong-nghe-thong-tin.html")
    assert listing.extraction["profile"] == "liferay"
    assert len(listing.items) == 10
    first = listing.items[0]
    assert (first.title, first.url, first.published_text, first.published_at) == (
        "Chính thức kích hoạt Sự kiện không dùng tiền mặt năm 2022",
        f"{SOTTTT}/cong-nghe-thong-tin/-/view_content/"
        "4418033-chinh-thuc-kich-hoat-su-kien-khong-dung-tien-mat-nam-2022.html",
        "21/07/2022 | 10:00 AM",
        "2022-07-21T10:00:00+07:00",
    )
    assert first.summary is not None and first.summary.startswith("Ngày 21/7, tại Hà Nội")
    assert [i.published_text for i in listing.items[-2:]] == [
        "28/07/2020 | 02:02 PM",
        "17/07/2020 | 08:28 AM",
    ]
    assert (listing.current_page, listing.total_items) == (1, 243)
    assert [p.number for p in listing.pages] == list(range(1, 26))
    assert listing.next_url is not None and listing.next_url.endswith("&_101_cur=2")
    assert listing.next_url == listing.pages[1].url


def test_real_liferay_listing_with_labels_and_view_counts():
    listing = _real(
        "sotttt-hanoi-listing-covid19.html", f"{SOTTTT}/phong-chong-dich-benh-covid-19.html"
    )
    assert len(listing.items) == 20
    first = listing.items[0]
    assert first.title.startswith("Sở Thông tin và Truyền thông Hà Nội xử phạt vi phạm hành chính")
    # "Ngày đăng 09/09/2020 | 05:07 PM | View count: 842" on the page: the counter is dropped.
    assert (first.published_text, first.published_at) == (
        "Ngày đăng 09/09/2020 | 05:07 PM",
        "2020-09-09T17:07:00+07:00",
    )
    assert (listing.total_items, [p.number for p in listing.pages]) == (26, [1, 2])
    assert listing.next_url is not None and listing.next_url.endswith("&_101_cur=2")


def test_real_liferay_listing_oldest_items_and_no_pager():
    listing = _real(
        "sotttt-hanoi-listing-lay-y-kien.html", f"{SOTTTT}/lay-y-kien-van-ban-du-thao.html"
    )
    assert [(i.published_text, i.published_at) for i in listing.items] == [
        ("Ngày đăng 24/04/2018 | 04:39 PM", "2018-04-24T16:39:00+07:00"),
        ("Ngày đăng 02/07/2014 | 12:00 AM", "2014-07-02T00:00:00+07:00"),
        ("Ngày đăng 24/06/2013 | 12:00 AM", "2013-06-24T00:00:00+07:00"),
    ]
    assert (listing.next_url, listing.pages) == (None, [])


def test_real_liferay_listing_pho_sach():
    listing = _real("sotttt-hanoi-listing-pho-sach.html", f"{SOTTTT}/pho-sach-ha-noi.html")
    assert len(listing.items) == 19
    assert (listing.items[0].title, listing.items[0].published_text) == (
        "Phố Sách Xuân Canh Tý 2020 - điểm hẹn văn hóa ý nghĩa nhân dịp năm mới",
        "Ngày đăng 21/01/2020 | 10:25 AM",
    )


def test_real_liferay_english_listing_links_resolve_against_the_page():
    url = f"{SOTTTT}/web/sotttt-eng/culture/-/view_content/737358-thang-long-culture.html"
    listing = _real("sotttt-hanoi-eng-culture-listing.html", url)
    assert len(listing.items) == 6
    assert listing.items[0].url == (
        f"{SOTTTT}/web/sotttt-eng/culture/-/737464-thang-long-civilization-in-the-spiritual-life.html"
    )
    assert listing.items[0].published_at == "2016-01-06T15:30:00+07:00"
