"""Every platform end to end: the real `vngov crawl` of a sample portal served on loopback.

Each portal stands in for a registry entry (crawled with --base-url); every article must
arrive exactly once, and a second crawl after new articles are published must fetch only
those.
"""

from __future__ import annotations

import json
import tomllib
from collections import Counter

import pytest

from crawler.sites import append_entry, get_site
from crawler.urls import canonicalize_url
from tests.conftest import REPO, crawl_portal
from tests.portals import PORTALS, PortalServer, db_rows

# Requests that show each platform's own way of listing was followed (first crawl).
PLATFORM_PATHS = {
    "websphere": ["/wps/portal/Home/tin-tuc/tin-tuc-su-kien/!ut/p/z1/"],  # portlet page link
    "liferay": ["/tin-tuc-su-kien?p_p_id=101&", "_101_cur=2"],
    "drupal": ["/tin-tuc?page=1", "/rss.xml"],
    "wordpress": [
        "/cong-tac-tuyen-giao-chinh-sach-luat-phap/page/2/",
        "/feed/",
        "/wp-sitemap.xml",
        "/wp-sitemap-posts-post-1.xml",
    ],
    "chinhphu": ["/timelinelist/1027/2.htm", "/timelinelist/1027/3.htm", "/rss/home.rss"],
    "sharepoint": ["/Pages/tin-tuc.aspx?l=Tintuc&page=2"],
}


@pytest.fixture(params=list(PORTALS))
def server(request):
    served = PortalServer(PORTALS[request.param]()).start()
    served.platform = request.param
    yield served
    served.stop()


def crawl(server, db, *extra):
    done = crawl_portal(server, db, *extra)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done


def expected_keys(server):
    return {
        canonicalize_url(server.base_url + server.portal.article_path(a)): a.title
        for a in server.portal.live_articles()
    }


def test_every_article_once_then_only_the_new_ones(server, tmp_path):
    db = tmp_path / "archive.db"
    portal = server.portal
    assert get_site(portal.site_id).platform == server.platform

    crawl(server, db)
    stored = {r["url_key"]: r["title"] for r in db_rows(db, "select url_key, title from articles")}
    assert stored == expected_keys(server)
    assert db_rows(db, "select count(*) as n from article_versions") == [{"n": 6}]
    fetched = Counter(a.number for a in server.articles_requested(server.requests))
    assert fetched == Counter({a.number: 1 for a in portal.articles})  # each exactly once
    for marker in PLATFORM_PATHS[server.platform]:
        assert any(marker in path for path in server.requests), marker

    mark = server.mark()
    added = portal.add_articles(2)
    done = crawl(server, db)
    assert "2 new, 0 changed" in done.stderr
    again = server.articles_requested(server.since(mark))
    assert sorted(a.number for a in again) == sorted(a.number for a in added)
    stored = {r["url_key"]: r["title"] for r in db_rows(db, "select url_key, title from articles")}
    assert stored == expected_keys(server)
    assert db_rows(db, "select count(*) as n from article_versions") == [{"n": 8}]
    runs = db_rows(db, "select stats from crawl_runs order by id")
    modes = [json.loads(r["stats"])["vngov/mode"] for r in runs]
    assert modes == ["first_full", "incremental"]


def test_liferay_article_listed_in_two_categories_is_one_article(tmp_path):
    from tests.portals.liferay import CROSS_POSTED, LiferayPortal

    server = PortalServer(LiferayPortal()).start()
    try:
        crawl(server, tmp_path / "a.db")
    finally:
        server.stop()
    article = next(a for a in server.portal.articles if a.number == CROSS_POSTED)
    alias = server.portal.article_path(article, "cong-nghe-thong-tin")
    canonical = server.portal.article_path(article)
    assert alias != canonical
    listing = server.portal.answer("/cong-nghe-thong-tin").body
    assert alias in listing  # the other category links it under its own path
    [row] = db_rows(
        tmp_path / "a.db", "select url_key from articles where title = ?", (article.title,)
    )
    assert row["url_key"] == canonicalize_url(server.base_url + canonical)


def test_wordpress_static_page_is_fetched_but_not_archived(tmp_path):
    from tests.portals.wordpress import WordPressPortal

    server = PortalServer(WordPressPortal()).start()
    try:
        crawl(server, tmp_path / "a.db")
    finally:
        server.stop()
    assert "/gioi-thieu/" in server.requests  # same URL shape as a post
    titles = {r["title"] for r in db_rows(tmp_path / "a.db", "select title from articles")}
    assert "Giới thiệu" not in titles
    [run] = db_rows(tmp_path / "a.db", "select stats from crawl_runs")
    assert json.loads(run["stats"])["vngov/not_articles"] == 1


def test_a_walk_reads_the_sitemaps_robots_txt_announces(tmp_path):
    """An entry that names no sitemap: the first walk of the site reads the sitemaps its
    robots.txt announces, and a later incremental crawl does not fetch them again."""
    packaged = tomllib.loads((REPO / "crawler" / "sites.toml").read_text(encoding="utf-8"))
    [entry] = [e for e in packaged["site"] if e["id"] == "angiang-hoilhpn"]
    entry = {k: v for k, v in entry.items() if k != "sitemaps"} | {"id": "hoilhpn-robots"}
    registry = tmp_path / "sites.local.toml"
    append_entry(registry, entry)
    served = PortalServer(PORTALS["wordpress"]()).start()
    served.portal.site_id = entry["id"]
    served.portal.robots_txt += f"Sitemap: {served.base_url}/wp-sitemap.xml\n"
    db = tmp_path / "archive.db"
    try:
        crawl(served, db, "--registry", str(registry))
        first = list(served.requests)
        mark = len(served.requests)
        crawl(served, db, "--registry", str(registry))
        again = served.since(mark)
    finally:
        served.stop()
    assert "/wp-sitemap.xml" in first and "/wp-sitemap-posts-post-1.xml" in first
    assert not [path for path in again if path.startswith("/wp-sitemap")]
    keys = {row["url_key"] for row in db_rows(db, "select url_key from articles")}
    assert keys == set(expected_keys(served))
