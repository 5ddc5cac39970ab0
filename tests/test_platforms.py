"""Article pages of every platform, field by field against golden JSON, and the real pages.

The fixtures in tests/fixtures/platforms/<platform>/ are hand-built pages with the platform's
real chrome (menus, portlets, sidebars with newer dates, footers, share buttons); next to each
page, a JSON file holds the URL, the fetch time and every expected field. Listing pages
(``listing-*``) are tested in test_listing.py. The helpers here are shared with
test_quality_gate.py and bench/parse.py.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from crawler.parsers.article import parse_article
from crawler.parsers.dates import parse_date
from crawler.parsers.profiles import load_profiles
from tests.conftest import shared_corpus

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "platforms"
PLATFORMS = ("websphere", "liferay", "sharepoint", "drupal", "wordpress", "chinhphu")
# Fields compared with the golden JSON, in the order they are reported.
FIELDS = (
    "profile",
    "page_type",
    "title",
    "category",
    "summary",
    "published_at",
    "published_text",
    "updated_at",
    "updated_text",
    "author",
    "source",
    "byline",
    "body",
    "images",
    "attachments",
    "contacts",
)
# Dates printed on the fixture pages: 21/07/2022 and WordPress' "Tháng Bảy 1, 2024".
_DATES_ON_PAGE = re.compile(r"\b\d{2}/\d{2}/\d{4}\b|Tháng \w+ \d{1,2}, \d{4}")


@dataclass(frozen=True)
class Fixture:
    """A hand-built page and what a person reads on it."""

    name: str
    html: Path
    url: str
    fetched_at: datetime | None
    expected: dict[str, Any]

    def parse(self) -> dict[str, Any]:
        record = parse_article(self.html.read_bytes(), self.url, fetched_at=self.fetched_at)
        return comparable(record.to_dict())


def _contact_projection(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Contact blocks as the golden files keep them: who, and the numbers in E.164."""
    return [
        {
            "title": block["title"],
            "entries": [
                {
                    "honorific": entry["honorific"],
                    "name": entry["name"],
                    "role": entry["role"],
                    "unit": entry["unit"],
                    "phones": [phone["e164"] for phone in entry["phones"]],
                    "emails": entry["emails"],
                }
                for entry in block["entries"]
            ],
        }
        for block in blocks
    ]


def comparable(record: dict[str, Any]) -> dict[str, Any]:
    """The fields of a parsed record that the golden files hold."""
    values = {name: record.get(name) for name in FIELDS}
    values["profile"] = record["extraction"]["profile"]
    values["contacts"] = _contact_projection(record["contacts"])
    return values


def article_fixtures() -> list[Fixture]:
    """Every article fixture (listing pages excluded), sorted by name."""
    fixtures = []
    for path in sorted(FIXTURES.glob("*/*.json")):
        if path.name.startswith("listing-"):
            continue
        golden = json.loads(path.read_text("utf-8"))
        fetched = golden.get("fetched_at")
        fixtures.append(
            Fixture(
                name=f"{path.parent.name}/{path.stem}",
                html=path.with_suffix(".html"),
                url=golden["url"],
                fetched_at=datetime.fromisoformat(fetched) if fetched else None,
                expected=golden["expected"],
            )
        )
    return fixtures


ARTICLES = article_fixtures()


@pytest.mark.parametrize("fixture", ARTICLES, ids=lambda f: f.name)
def test_every_field_matches_the_golden_file(fixture):
    assert set(fixture.expected) == set(FIELDS), "the golden file must list every field"
    assert fixture.parse() == fixture.expected


@pytest.mark.parametrize("fixture", ARTICLES, ids=lambda f: f.name)
def test_every_field_found_names_its_rule(fixture):
    record = parse_article(fixture.html.read_bytes(), fixture.url, fetched_at=fixture.fetched_at)
    rules = record.extraction["rules"]
    profiles = load_profiles()
    for name, value in (
        ("title", record.title),
        ("category", record.category),
        ("summary", record.summary),
        ("published_at", record.published_at),
        ("updated_at", record.updated_at),
        ("body", record.body),
        ("author", record.author),
    ):
        if value:
            assert name in rules, f"{name} has no rule"
            owner = rules[name].split(":", 1)[0]
            assert owner in profiles or owner == "byline", rules[name]
    assert record.extraction["profile"] == fixture.expected["profile"]


def test_every_platform_has_two_articles_and_a_listing():
    per_platform: dict[str, int] = {}
    for fixture in ARTICLES:
        platform = fixture.name.split("/")[0]
        per_platform[platform] = per_platform.get(platform, 0) + 1
    for platform in PLATFORMS:
        assert per_platform.get(platform, 0) >= 2, platform
        assert list((FIXTURES / platform).glob("listing-*.html")), platform
    assert per_platform.get("generic", 0) >= 1


def test_a_newer_date_elsewhere_on_the_page_is_never_the_publication_date():
    """Each fixture carries a newer date (sidebar, header, related news) than its own."""
    for fixture in ARTICLES:
        published = datetime.fromisoformat(fixture.parse()["published_at"])
        shown = _DATES_ON_PAGE.findall(fixture.html.read_text("utf-8"))
        newest = max(d.date() for d in map(parse_date, shown) if d is not None)
        assert newest > published.date(), fixture.name


def test_an_unknown_layout_names_the_generic_rules():
    [fixture] = [f for f in ARTICLES if f.name == "generic/xa-vinh-hanh-aspnet-table"]
    record = parse_article(fixture.html.read_bytes(), fixture.url, fetched_at=fixture.fetched_at)
    assert record.extraction["profile"] == "generic"
    assert record.extraction["detected_by"] == []
    assert record.extraction["rules"] == {
        "title": "generic::heading-in-title",
        "category": "generic:[class*='duongdan'] > :last-child",
        "body": "generic::densest",
        "published_at": "generic::after-title (update label, the only date)",
        "author": "byline:end-of-body",
    }


def test_a_year_less_date_takes_the_year_of_the_page_not_of_the_fetch():
    [fixture] = [f for f in ARTICLES if f.name == "drupal/xa-an-hoa-ke-hoach-chuyen-doi-so"]
    assert fixture.fetched_at is not None and fixture.fetched_at.year == 2025
    record = fixture.parse()
    assert (record["published_text"], record["published_at"]) == (
        "25/04",
        "2024-04-25T10:45:00+07:00",
    )


def test_an_update_label_alone_is_the_publication_date_but_both_are_kept_apart():
    html = """<html><body><h1>Tiêu đề bài viết thử nghiệm</h1>
    <div class="date">Ngày đăng: 05/03/2024 | Cập nhật lúc 10:20 ngày 07/03/2024</div>
    <div class="content"><p>{}</p></div></body></html>""".format("Nội dung bài viết. " * 10)
    record = parse_article(html, "https://example.gov.vn/tin-tuc/bai-viet")
    assert (record.published_at, record.published_text) == (
        "2024-03-05T00:00:00+07:00",
        "Ngày đăng: 05/03/2024",
    )
    assert (record.updated_at, record.updated_text) == (
        "2024-03-07T10:20:00+07:00",
        "Cập nhật lúc 10:20 ngày 07/03/2024",
    )


def test_detection_names_its_evidence_and_prefers_the_specialised_profile():
    lacviet = FIXTURES / "sharepoint" / "lacviet-kiengiang-cai-cach-hanh-chinh.html"
    record = parse_article(
        lacviet.read_bytes(), "https://x.gov.vn/sonv/Pages/Tin-tuc.aspx?ItemID=57"
    )
    assert record.extraction["profile"] == "lacviet"
    assert record.extraction["detected_by"] == ["html:lv_description_mode1"]
    plain = FIXTURES / "sharepoint" / "sokhdt-dongthap-hoi-nghi-xuc-tien.html"
    record = parse_article(plain.read_bytes(), None)
    assert record.extraction["profile"] == "sharepoint"
    assert record.extraction["detected_by"][0] == "generator:Microsoft SharePoint"


def test_bad_input_gives_a_record_with_warnings_not_a_traceback():
    for page in (b"", b"\xff\xfe\x00garbage", "<html><body><p>short</p></body></html>"):
        record = parse_article(page, "https://example.gov.vn/")
        assert record.body == ""
        assert "no body found" in record.warnings
        assert record.page_type == "page"


# --- the real pages in ../shared/corpus/real ------------------------------------------------


def _real(name: str, path: str) -> Any:
    page = shared_corpus() / name
    return parse_article(page.read_bytes(), f"https://sotttt.hanoi.gov.vn/{path}")


def test_real_static_page_is_a_page_without_date_or_junk():
    record = _real("sotttt-hanoi-static-phong-khtc.html", "phong-ke-hoach-tai-chinh")
    assert record.page_type == "page"
    assert record.extraction["profile"] == "liferay"
    assert (record.title, record.category, record.published_at, record.author) == (
        "Phòng Kế hoạch tài chính",
        None,
        None,
        None,
    )
    assert record.body.startswith(
        "CHỨC NĂNG, NHIỆM VỤ CỦA PHÒNG KẾ HOẠCH - TÀI CHÍNH\n\nĐiều 1. Chức năng:\nTham mưu"
    )
    assert record.body.endswith(
        "Thực hiện các nhiệm vụ khác do Giám đốc Sở Thông tin và Truyền thông phân công."
    )
    assert len(record.body.split("\n\n")) == 24
    for junk in ("Trang chủ", "giới thiệu", "Giảng Võ", "LIÊN KẾT WEBSITE", "Về đầu trang"):
        assert junk not in record.body
    assert (record.images, record.attachments, record.contacts) == ([], [], [])
    assert record.warnings == ["no published date found: a static page?"]


def test_real_page_with_an_empty_content_area_has_no_body():
    record = _real("sotttt-hanoi-duong-day-nong.html", "duong-day-nong")
    assert (record.page_type, record.title, record.body) == ("page", "Đường dây nóng", "")
    assert record.contacts == []


def test_real_error_page_is_recognised_and_decoded():
    """Liferay's meta charset comes content-first: decoded by us, never read as Latin-1."""
    record = _real("sotttt-hanoi-404-meta-order.html", "users/admin/2008/06/n2563/20080613_a1")
    assert record.page_type == "error"
    assert record.warnings == ["error page: Không tìm thấy"]
    assert record.title == "Trạng thái"
    assert (record.body, record.published_at, record.encoding) == ("", None, "utf-8")
