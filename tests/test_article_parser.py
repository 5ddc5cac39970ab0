"""The article parser on the sample portal's pages, field by field."""

from __future__ import annotations

import re

import pytest

from archive.sample_portal.render import SamplePortal, render_article
from crawler.parsers.article import parse_article
from crawler.parsers.html import AttributeIndex, parse_page, select

BASE = "https://sonoivu.angiang.gov.vn"
PORTAL = SamplePortal()
SEED_SLUG = (
    "thu-tuong-chinh-phu-chu-tri-phien-hop-thu-bay-ban-chi-dao-cai-cach-hanh-chinh-cua-chinh-phu"
)


def parsed(article):
    url = BASE + PORTAL.article_path(article)
    return parse_article(render_article(PORTAL, article).encode("utf-8"), url).to_dict()


@pytest.fixture(scope="module")
def seed():
    [article] = [a for a in PORTAL.articles if a["slug"] == SEED_SLUG]
    return parsed(article)


def test_seed_title_date_author_category(seed):
    assert seed["title"] == (
        "Thủ tướng Chính phủ chủ trì Phiên họp thứ bảy Ban chỉ đạo cải cách hành chính"
        " của Chính phủ"
    )
    assert seed["published_at"] == "2024-02-06T08:37:00+07:00"
    assert seed["published_text"] == "08:37 06/02/2024"
    assert seed["author"] == "Mạnh Cường"
    assert seed["source"] is None
    assert seed["category"] == "Cải cách hành chính"
    assert seed["summary"] is None
    assert seed["extraction"]["profile"] == "websphere"


def test_seed_body_has_the_article_and_nothing_else(seed):
    body = seed["body"]
    assert body.startswith("Chiều ngày 02/02/2024, Thủ tướng Chính phủ Phạm Minh Chính chủ trì")
    assert body.endswith("để phục vụ người dân, doanh nghiệp ngày càng tốt hơn")
    assert "theo Đề án 06, tăng cường kết nối" in body
    assert "4.142 nhiệm vụ được giao." in body
    for noise in (
        "Responsive image",
        "Mạnh Cường",
        "Thống kê truy cập",
        "0983.570.009",
        "Tin mới nhất",
        "Tin cùng chuyên mục",
        "Quang cảnh Phiên họp",
    ):
        assert noise not in body
    assert len(body.split("\n\n")) == 6


def test_seed_images_and_captions(seed):
    assert [(i["src"].rsplit("/", 1)[1], i["caption"]) for i in seed["images"]] == [
        (
            "phien-hop-cchc-1.jpg",
            "Thủ tướng Chính phủ Phạm Minh Chính chủ trì phiên họp thứ 7 "
            "của Ban Chỉ đạo cải cách hành chính của Chính phủ",
        ),
        ("phien-hop-cchc-2.jpg", None),
        ("phien-hop-cchc-3.jpg", "Quang cảnh Phiên họp tại điểm cầu tỉnh An Giang"),
        ("phien-hop-cchc-4.jpg", None),
    ]


def _entry(e):
    return (
        e["honorific"],
        e["name"],
        e["role"],
        e["unit"],
        [(p["raw"], p["e164"]) for p in e["phones"]],
        e["emails"],
    )


def test_seed_contact_blocks(seed):
    blocks = seed["contacts"]
    assert [b["title"] for b in blocks] == [
        "số điện thoại tiếp nhận phản ánh kiến nghị về tthc",
        "đường dây nóng ngành nội vụ an giang",
    ]
    assert [_entry(e) for b in blocks for e in b["entries"]] == [
        (
            "Ông",
            "Trương Long Hồ",
            "Phó Giám Đốc Sở",
            None,
            [("0983.570.009", "+84983570009")],
            ["tlho@angiang.gov.vn"],
        ),
        (
            None,
            None,
            None,
            "Phòng Tổng hợp - UBND tỉnh",
            [("02963.957.006", "+842963957006")],
            ["thutuchanhchinh@angiang.gov.vn"],
        ),
        (
            None,
            None,
            None,
            "Tổ kiểm tra công vụ",
            [("02963.957.049", "+842963957049"), ("0378.247.247", "+84378247247")],
            ["kiemtracongvu@angiang.gov.vn"],
        ),
        ("Ông", "Ngô Hồng Yến", "Giám Đốc Sở", None, [("0913.658.627", "+84913658627")], []),
        (
            "Bà",
            "Ngô Thị Ngọc Hạnh",
            "Chánh Văn phòng Sở",
            None,
            [("0968.078.529", "+84968078529")],
            [],
        ),
        (None, None, None, "Thanh tra Sở", [("02963.981.818", "+842963981818")], []),
    ]


def expected_body(article):
    paragraphs = [b["text"] for b in article["blocks"] if b["type"] == "p"]
    return re.sub(r"\s*…?\.?/\.$", "", "\n\n".join(paragraphs))


@pytest.mark.parametrize("article", PORTAL.articles, ids=lambda a: a["slug"][:40])
def test_every_sample_article_field_by_field(article):
    record = parsed(article)
    expected = {
        "title": article["title"],
        "category": article["category"],
        "summary": article["summary"],
        "published_at": article["published_at"],
        "published_text": article["date_shown"],
        "author": article["author"],
        "source": article["source"],
        "byline": article["byline"],
        "body": expected_body(article),
        "images": [
            (BASE + b["src"], b["caption"]) for b in article["blocks"] if b["type"] == "img"
        ],
        "attachments": [(BASE + a["href"], a["text"]) for a in article["attachments"]],
        "contact_entries": 6,
        "warnings": [],
    }
    actual = {
        **{k: record[k] for k in expected if k in record},
        "images": [(i["src"], i["caption"]) for i in record["images"]],
        "attachments": [(a["url"], a["text"]) for a in record["attachments"]],
        "contact_entries": sum(len(b["entries"]) for b in record["contacts"]),
    }
    assert actual == expected


@pytest.mark.parametrize(
    "selector",
    [
        "div.notice",
        "div:contains('a.b')",
        'p:contains("#hotline")',
        ".a\\:b",
        "div.notice:not(.hidden)",
        "[class*='tin-'] p",
        "div:not(:nth-child(3).q)",
        "div:not(.a\\).y)",
        "div:NOT(.q)",
        "span[title='a] .b [c']",
        "div:is(.notice, .other)",
        "div[class!='sidebar']",
        "[class*='NOTICE' i]",
        "[class~='Tin-Moi' i]",
    ],
)
def test_the_class_index_never_rules_out_a_selector_that_matches(selector):
    """The error-page check and the profiles skip a selector when the page's class and id
    index says it cannot match; that shortcut must never skip a real match."""
    page = parse_page(
        '<html><body><div class="notice tin-moi">Xem a.b tại <p>#hotline</p></div>'
        '<span class="a:b" title="a] .b [c">x</span></body></html>'
    )
    assert select(page.root, selector), "each selector here matches the page"
    assert AttributeIndex.of(page.root).may_match(selector)
