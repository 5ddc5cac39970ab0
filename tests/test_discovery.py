"""Finding articles and knowing them again: canonical URLs, pagination schemes, feeds,
sitemaps, platform and error-page detection, and republished announcements."""

from __future__ import annotations

import gzip

import pytest
from scrapy import Request

from archive.storage import Archive, duplicate_key
from crawler.detect import detect_error_page, detect_platform
from crawler.discovery import (
    Link,
    Pagination,
    canonical_link,
    feed_links,
    next_page,
    page_links,
    parse_feed,
    parse_sitemap,
)
from crawler.dupefilter import RedirectTargetDupeFilter
from crawler.middlewares import KIND_META
from crawler.parsers.html import parse_html
from crawler.sites import load_sites
from crawler.spiders.portal import effective_content_type
from crawler.urls import canonicalize_url, request_url
from tests.conftest import crawl_portal, shared_corpus
from tests.portals import PORTALS, PortalServer, db_rows

# -- canonical URLs ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        (
            "https://sonoivu.angiang.gov.vn/wps/portal/Home/tin-tuc/tin-chi-tiet/ccth/bai-viet"
            "/!ut/p/z1/04_Sj9CPykssy0xPLMnMz0vM/dz/d5/L2dBISEvZ0FBIS9nQSEh/",
            "https://sonoivu.angiang.gov.vn/wps/portal/Home/tin-tuc/tin-chi-tiet/ccth/bai-viet",
        ),
        ("http://x.gov.vn/tin;jsessionid=0A1B2C3D?id=5", "http://x.gov.vn/tin?id=5"),
        (
            "https://x.gov.vn/a?utm_source=zalo&id=2&fbclid=IwAR0&zarsrc=30",
            "https://x.gov.vn/a?id=2",
        ),
        ("HTTPS://X.GOV.VN:443/a/#binh-luan", "https://x.gov.vn/a"),
        ("http://x.gov.vn:80/a?b=2&a=1", "http://x.gov.vn/a?a=1&b=2"),
        ("http://127.0.0.1:8080/a", "http://127.0.0.1:8080/a"),
        (
            "https://sotttt.hanoi.gov.vn/tin/-/view_content/1-a.html?redirect=%2Ftin&_101_redirect=x",
            "https://sotttt.hanoi.gov.vn/tin/-/view_content/1-a.html",
        ),
    ],
)
def test_canonical_urls(url, canonical):
    assert canonicalize_url(url) == canonical


def test_request_urls_keep_what_the_server_needs():
    state = "https://x.gov.vn/wps/portal/Home/tin-tuc/!ut/p/z1/abc/?utm_medium=x#top"
    assert (
        request_url(state, keep_state=True)
        == "https://x.gov.vn/wps/portal/Home/tin-tuc/!ut/p/z1/abc/"
    )
    assert request_url(state) == "https://x.gov.vn/wps/portal/Home/tin-tuc"
    assert request_url("https://x.gov.vn/bai-viet/?b=2&a=1") == "https://x.gov.vn/bai-viet/?b=2&a=1"


# -- pagination --------------------------------------------------------------------------


def links(*pairs, paging=True):
    return [Link(url, text, paging) for url, text in pairs]


def test_drupal_pages_count_from_zero():
    drupal = load_sites()["angiang-longxuyen"].pagination
    base = "https://longxuyen.angiang.gov.vn/tin-tuc"
    assert drupal.page_number(base) is None and drupal.first == 0
    pager = links((f"{base}?page=0", "1"), (f"{base}?page=1", "2"), (f"{base}?page=2", "3"))
    assert next_page(base, 0, pager, drupal) == (f"{base}?page=1", 1)
    assert next_page(f"{base}?page=1", 1, pager, drupal) == (f"{base}?page=2", 2)
    assert next_page(f"{base}?page=2", 2, pager, drupal) is None


def test_liferay_pages_ignore_portlet_state():
    liferay = load_sites()["hanoi-sotttt"].pagination
    page = "https://sotttt.hanoi.gov.vn/cong-nghe-thong-tin"
    two = (
        f"{page}?p_p_id=101&p_p_lifecycle=0&_101_delta=10&p_r_p_564233524_resetCur=false&_101_cur=2"
    )
    portlet = "com_liferay_asset_publisher_web_portlet_AssetPublisherPortlet_INSTANCE_x"
    seven = f"{page}?p_p_id=101&_{portlet}_cur=7"  # Liferay 7 names the portlet
    assert liferay.page_number(two) == 2 and liferay.page_number(seven) == 7
    assert liferay.listing_key(two) == liferay.listing_key(page) == page
    other = "https://sotttt.hanoi.gov.vn/tin-tuc-su-kien?_101_cur=2"
    assert next_page(page, 1, links((other, "2"), (two, "2")), liferay) == (two, 2)


def test_wordpress_pages_are_in_the_path():
    wordpress = load_sites()["angiang-hoilhpn"].pagination
    category = "https://hoilhpn.angiang.gov.vn/cong-tac-tuyen-giao-chinh-sach-luat-phap/"
    assert wordpress.page_number(f"{category}page/3/") == 3
    assert wordpress.first_page(f"{category}page/3/") == category.rstrip("/")
    pager = links((f"{category}page/2/", "2"), (f"{category}page/2/", "Trang sau »"))
    assert next_page(category, 1, pager, wordpress) == (f"{category}page/2/", 2)


def test_websphere_portlet_links_are_numbered_by_their_text():
    websphere = load_sites()["angiang"].pagination
    url = "https://www.angiang.gov.vn/wps/portal/Home/tin-tuc/thong-bao"
    pager = [
        Link(f"{url}/!ut/p/z1/AAA/", "1", True),
        Link(f"{url}/!ut/p/z1/BBB/", "2", True),
        Link(f"{url}/!ut/p/z1/CCC/", "3", False),  # a "3" outside the pagination block
    ]
    assert next_page(url, 1, pager, websphere) == (f"{url}/!ut/p/z1/BBB/", 2)
    assert next_page(f"{url}/!ut/p/z1/BBB/", 2, pager, websphere) is None


def test_chinhphu_later_pages_are_built_from_the_zone():
    chinhphu = load_sites()["baochinhphu"].pagination
    first = "https://baochinhphu.vn/kinh-te.htm"
    assert next_page(first, 1, [], chinhphu, zone="1027") == (
        "https://baochinhphu.vn/timelinelist/1027/2.htm",
        2,
    )
    assert chinhphu.page_number("https://baochinhphu.vn/timelinelist/1027/5.htm") == 5
    assert next_page(first, 1, [], chinhphu) is None  # no zone, no guess


def test_a_next_label_is_followed_when_no_number_is():
    generic = Pagination.from_dict({"kind": "links"})
    url = "https://x.gov.vn/tin-tuc"
    assert next_page(url, 4, links((f"{url}/!ut/p/z1/N/", ["Sau", "»"][1])), generic) == (
        f"{url}/!ut/p/z1/N/",
        5,
    )


def test_pagination_tables_are_checked():
    with pytest.raises(ValueError, match="unknown pagination kind"):
        Pagination.from_dict({"kind": "scroll"})
    with pytest.raises(ValueError, match="needs a pattern"):
        Pagination.from_dict({"kind": "path"})


def test_real_liferay_listing_pages_and_items():
    corpus = shared_corpus()
    page = (corpus / "sotttt-hanoi-listing-cntt.html").read_bytes()
    url = "https://sotttt.hanoi.gov.vn/cong-nghe-thong-tin"
    site = load_sites()["hanoi-sotttt"]
    found = page_links(page, url, pagination_css=site.pagination_css)
    numbers = sorted(
        {site.pagination.page_number(link.url) for link in found if link.in_pagination} - {None}
    )
    assert numbers == list(range(1, 26))  # "Hiển thị 1 - 10 of 243 kết quả"
    articles = [link.url for link in found if site.is_article(link.url)]
    assert articles[0] == (
        "https://sotttt.hanoi.gov.vn/cong-nghe-thong-tin/-/view_content/"
        "4418033-chinh-thuc-kich-hoat-su-kien-khong-dung-tien-mat-nam-2022.html"
    )


# -- feeds and sitemaps ------------------------------------------------------------------

RSS = b"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>
<item><title>Tin m\xe1\xbb\x9bi</title><link>/tin-tuc/a</link>
<pubDate>Mon, 21 Jul 2025 08:00:00 +0700</pubDate></item>
<item><title>Kh\xc3\xa1c</title><guid>https://x.gov.vn/tin-tuc/b</guid></item></channel></rss>"""
ATOM = b"""<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>A</title>
<link rel="alternate" href="https://x.gov.vn/a"/><link rel="edit" href="https://x.gov.vn/edit/a"/>
<updated>2025-07-21T08:00:00+07:00</updated></entry></feed>"""
RDF = b"""<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
xmlns:dc="http://purl.org/dc/elements/1.1/"><item><title>R</title><link>https://x.gov.vn/r</link>
<dc:date>2025-07-21</dc:date></item></rdf:RDF>"""
BOMB = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">
<!ENTITY lol2 "&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]><rss><channel><item><title>&lol3;</title>
<link>https://x.gov.vn/bomb</link></item></channel></rss>"""


def test_feeds_rss_atom_and_rdf():
    assert [(e.url, e.title, e.date) for e in parse_feed(RSS, "https://x.gov.vn/rss.xml")] == [
        ("https://x.gov.vn/tin-tuc/a", "Tin mới", "Mon, 21 Jul 2025 08:00:00 +0700"),
        ("https://x.gov.vn/tin-tuc/b", "Khác", None),
    ]
    assert [(e.url, e.date) for e in parse_feed(ATOM)] == [
        ("https://x.gov.vn/a", "2025-07-21T08:00:00+07:00")
    ]
    assert [e.url for e in parse_feed(RDF)] == ["https://x.gov.vn/r"]


def test_bad_feeds_give_nothing_and_entities_are_not_expanded():
    assert parse_feed(b"<html><body>Not a feed</body></html>") == []
    assert parse_feed(b"\x00\xff garbage") == []
    [entry] = parse_feed(BOMB)
    assert entry.url == "https://x.gov.vn/bomb" and "lollol" not in (entry.title or "")


URLSET = b"""<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>https://x.gov.vn/a</loc><lastmod>2025-07-01</lastmod></url><url><loc>https://x.gov.vn/b</loc></url>
</urlset>"""
INDEX = b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://x.gov.vn/wp-sitemap-posts-post-1.xml</loc></sitemap></sitemapindex>"""


def test_sitemaps_plain_gzipped_and_indexes():
    plain = parse_sitemap(URLSET)
    assert not plain.is_index
    assert [(e.url, e.date) for e in plain.entries] == [
        ("https://x.gov.vn/a", "2025-07-01"),
        ("https://x.gov.vn/b", None),
    ]
    assert parse_sitemap(gzip.compress(URLSET)) == plain
    index = parse_sitemap(INDEX)
    assert index.is_index and [e.url for e in index.entries] == [
        "https://x.gov.vn/wp-sitemap-posts-post-1.xml"
    ]
    assert parse_sitemap(RSS).entries == ()
    too_big = gzip.compress(b"<urlset>" + b" " * (51 * 1024 * 1024) + b"</urlset>")
    assert parse_sitemap(too_big).entries == ()


def test_feed_and_canonical_links_of_a_page():
    root, _ = parse_html(
        '<html><head><link rel="alternate" type="application/rss+xml" href="/rss.xml">'
        '<link rel="alternate" type="text/html" hreflang="en" href="/en">'
        '<link rel="canonical" href="/tin-tuc/a"></head><body></body></html>'
    )
    assert feed_links(root, "https://x.gov.vn/") == ["https://x.gov.vn/rss.xml"]
    assert (
        canonical_link(root, "https://x.gov.vn/tin-tuc/a?utm_source=x")
        == "https://x.gov.vn/tin-tuc/a"
    )


# -- what a page is ----------------------------------------------------------------------


@pytest.mark.parametrize("platform", list(PORTALS))
def test_each_sample_portal_home_is_recognised(platform):
    portal = PORTALS[platform]()
    site = load_sites()[portal.site_id]
    page = portal.answer(site.start_paths[0]).body
    detection = detect_platform(page, "http://127.0.0.1:8000" + site.start_paths[0])
    assert detection.platform == platform and detection.confident, detection


def test_real_pages_are_recognised():
    corpus = shared_corpus()
    liferay = detect_platform(
        (corpus / "sotttt-hanoi-home.html").read_bytes(), "https://sotttt.hanoi.gov.vn/"
    )
    assert liferay.platform == "liferay"
    vpcp = detect_platform(
        (corpus / "vpcp-chinhphu-home.html").read_bytes(), "https://vpcp.chinhphu.vn/"
    )
    assert vpcp.platform == "chinhphu"
    assert any("-115241201164520419.htm" in e for e in vpcp.evidence)


def test_real_liferay_status_page_is_an_error_page():
    corpus = shared_corpus()
    found = detect_error_page((corpus / "sotttt-hanoi-404-meta-order.html").read_bytes())
    assert (found.kind, found.reason) == ("error_page", "title says 'Trạng thái'")
    for name in (
        "sotttt-hanoi-home.html",
        "sotttt-hanoi-listing-cntt.html",
        "vpcp-chinhphu-home.html",
    ):
        assert detect_error_page((corpus / name).read_bytes()) is None, name


@pytest.mark.parametrize(
    ("html", "kind"),
    [
        (
            "<title>Không tìm thấy trang - Sở Y tế</title><h1>Không tìm thấy trang</h1>",
            "error_page",
        ),
        ("<title>404 - Not Found</title>", "error_page"),
        ("<title>Hệ thống đang bảo trì</title>", "error_page"),
        ('<body class="error404"><h1>Oops</h1></body>', "error_page"),
        (
            '<title>Xác thực</title><form><div class="g-recaptcha" data-sitekey="x"></div></form>',
            "captcha",
        ),
        (
            "<title>500 hộ dân được hỗ trợ sửa nhà</title><h1>500 hộ dân được hỗ trợ sửa nhà</h1>",
            None,
        ),
        ("<title>Không tìm thấy dấu hiệu ô nhiễm tại kênh Xáng</title>", None),
        (
            "<title>Tin tức</title><h1>Tin</h1><p>" + "Nội dung bài viết. " * 200 + "</p>"
            '<form class="comment"><input name="captcha"></form>',
            None,
        ),
    ],
)
def test_error_and_captcha_pages(html, kind):
    found = detect_error_page(f"<html><head><meta charset='utf-8'></head>{html}</html>")
    assert (found.kind if found else None) == kind


def test_wrong_single_byte_charset_is_corrected_for_utf8_bodies():
    body = "Thông báo".encode()
    assert (
        effective_content_type("text/html; charset=ISO-8859-1", body) == "text/html; charset=utf-8"
    )
    assert effective_content_type("text/html; charset=iso-8859-1", b"plain ascii") == (
        "text/html; charset=iso-8859-1"
    )
    cp1252 = "Café".encode("cp1252")
    assert effective_content_type("text/html; charset=windows-1252", cp1252) == (
        "text/html; charset=windows-1252"
    )


# -- republished announcements -----------------------------------------------------------


def test_a_republished_announcement_is_linked_to_its_first_capture(tmp_path):
    archive = Archive(tmp_path / "a.db")
    text = "Ủy ban nhân dân tỉnh thông báo lịch tiếp công dân tháng 7/2025 như sau."
    record = {"title": "Thông báo lịch tiếp công dân", "published_at": "2025-07-01T08:00:00+07:00"}
    captures = [
        ("https://angiang.gov.vn/a", "angiang", record["title"], text),
        ("https://sonoivu.angiang.gov.vn/b", "angiang-sonoivu", record["title"].upper(), text),
        (
            "https://chaudoc.angiang.gov.vn/c",
            "angiang-chaudoc",
            record["title"],
            text.replace("Ủy", "Uỷ"),
        ),
        (
            "https://tanchau.angiang.gov.vn/d",
            "angiang-tanchau",
            record["title"],
            text + " Bổ sung.",
        ),
    ]
    for number, (url, site, title, body) in enumerate(captures):
        archive.store_article(
            {**record, "url": url, "title": title, "body": body},
            site=site,
            fetched_at=f"2025-07-0{number + 1}T00:00:00+00:00",
        )
        archive.link_duplicate(url)
    rows = {
        r["url_key"]: r for r in archive.db.query("select id, url_key, duplicate_of from articles")
    }
    first = rows["https://angiang.gov.vn/a"]["id"]
    assert [rows[url]["duplicate_of"] for url, *_ in captures] == [None, first, first, None]
    assert duplicate_key("T", None, "") is None
    archive.close()


def test_copies_are_relinked_when_the_first_capture_changes_or_was_never_linked(tmp_path):
    archive = Archive(tmp_path / "a.db")
    text = "Ủy ban nhân dân tỉnh thông báo lịch tiếp công dân tháng 7/2025 như sau."
    record = {"title": "Thông báo lịch tiếp công dân", "body": text}
    first = {**record, "url": "https://angiang.gov.vn/a"}
    copy = {**record, "url": "https://sonoivu.angiang.gov.vn/b"}
    archive.store_article(first, site="angiang", fetched_at="2025-07-01T00:00:00+00:00")
    assert archive.store_article(copy, site="s", fetched_at="2025-07-02T00:00:00+00:00") == "new"
    link = lambda url: archive.db.execute(  # noqa: E731
        "select duplicate_of from articles where url_key = ?", [url]
    ).fetchone()[0]
    assert link(copy["url"]) == 1
    edited = {**first, "body": text + " Đính chính: tháng 8/2025."}
    archive.store_article(edited, site="angiang", fetched_at="2025-07-03T00:00:00+00:00")
    assert link(copy["url"]) is None  # the first capture no longer says the same
    # A copy stored before duplicates were linked (no dup_key): its next capture links it.
    archive.store_article(first, site="angiang", fetched_at="2025-07-04T00:00:00+00:00")
    archive.db.execute("update articles set dup_key = null where url_key = ?", [copy["url"]])
    archive.db.conn.commit()
    outcome = archive.store_article(copy, site="s", fetched_at="2025-07-05T00:00:00+00:00")
    assert outcome == "unchanged" and outcome.duplicate_of == 1
    assert link(copy["url"]) == 1
    archive.close()


def test_the_same_articles_on_two_portals_are_linked_across_sites(tmp_path):
    db = tmp_path / "a.db"
    for platform in ("drupal", "chinhphu"):  # both publish the same six announcements
        server = PortalServer(PORTALS[platform]()).start()
        try:
            done = crawl_portal(server, db)
        finally:
            server.stop()
        assert done.returncode == 0, done.stderr
    rows = db_rows(
        db,
        "select a.site, a.title, b.site as first_site, b.title as first_title"
        " from articles a join articles b on b.id = a.duplicate_of",
    )
    assert len(rows) == 6
    assert all(r["site"] == "baochinhphu" and r["first_site"] == "angiang-longxuyen" for r in rows)
    assert all(r["title"] == r["first_title"] for r in rows)
    assert db_rows(db, "select count(*) as n from articles where duplicate_of is null") == [
        {"n": 6}
    ]


def test_a_malformed_link_costs_only_itself():
    """``http://[::1`` is no URL: the page's other links, its canonical and its record stay."""
    from crawler.discovery import canonical_link, links_of
    from crawler.parsers.html import parse_html

    page = (
        '<html><head><link rel="canonical" href="http://[::1"><title>T</title></head><body>'
        '<a href="http://[::1">hỏng</a><a href="/tin/a">Tin a</a></body></html>'
    )
    root, _ = parse_html(page)
    assert canonical_link(root, "https://x.gov.vn/a") is None
    assert [link.url for link in links_of(root, "https://x.gov.vn/a")] == ["https://x.gov.vn/tin/a"]


def test_only_an_articles_redirect_to_a_seen_url_gets_through_the_duplicate_filter():
    """A listing page past the end that redirects to page 1 must stay dropped: letting it
    through would walk the pagination template forever."""
    dupefilter = RedirectTargetDupeFilter()
    first = Request("http://127.0.0.1/tin-tuc", meta={KIND_META: "listing"})
    assert not dupefilter.request_seen(first)
    redirected = {"redirect_urls": ["http://127.0.0.1/tin-tuc?page=9"]}
    listing = Request("http://127.0.0.1/tin-tuc", meta={KIND_META: "listing", **redirected})
    article = Request("http://127.0.0.1/tin-tuc", meta={KIND_META: "article", **redirected})
    assert dupefilter.request_seen(listing)
    assert not dupefilter.request_seen(article)
    assert dupefilter.request_seen(Request("http://127.0.0.1/tin-tuc", meta={KIND_META: "article"}))
