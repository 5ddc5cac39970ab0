"""End to end: the real crawl command against the sample portal served on loopback."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

from crawler.settings import USER_AGENT
from crawler.urls import canonicalize_url
from tests.conftest import REPO, crawl_portal, run_vngov


def rows(db, sql):
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql)]
    finally:
        conn.close()


def crawl(portal, db):
    # --full: these tests recrawl every article; a default (incremental) crawl would skip the
    # archived ones (see tests/test_incremental.py).
    return crawl_portal(portal, db, "--full")


def test_crawl_archives_every_article_once_and_recrawl_changes_nothing(portal, tmp_path):
    db = tmp_path / "archive.db"
    expected = {
        canonicalize_url(portal.base_url + portal.portal.article_path(a))
        for a in portal.portal.articles
    }
    first = crawl(portal, db)
    assert first.returncode == 0, first.stderr
    assert "Traceback" not in first.stderr
    stored = rows(db, "select url_key, title, published_at, version from articles")
    assert len(stored) == len(expected) >= 31
    assert {r["url_key"] for r in stored} == expected
    assert all(r["title"] and r["published_at"] and r["version"] == 1 for r in stored)
    contacts = rows(
        db, "select kind, name, unit from contacts order by kind, block_title, position"
    )
    assert [(c["kind"], c["name"] or c["unit"]) for c in contacts] == [
        ("footer", "SỞ NỘI VỤ TỈNH AN GIANG"),
        ("widget", "Trương Long Hồ"),
        ("widget", "Phòng Tổng hợp - UBND tỉnh"),
        ("widget", "Tổ kiểm tra công vụ"),
        ("widget", "Ngô Hồng Yến"),
        ("widget", "Ngô Thị Ngọc Hạnh"),
        ("widget", "Thanh tra Sở"),
    ]

    # robots.txt obeyed (the login area is disallowed), honest User-Agent on every request
    paths = [path for _, path, _ in portal.requests]
    assert paths[0] == "/robots.txt"
    assert not [p for p in paths if p.startswith("/wps/myportal/")]
    assert {agent for _, _, agent in portal.requests} == {USER_AGENT}
    # the listing pagination was walked: every page of the largest category
    assert "/wps/portal/Home/tin-tuc/cai-cach-hanh-chinh?page=3" in paths

    before = rows(db, "select * from articles order by id")
    second = crawl(portal, db)
    assert second.returncode == 0, second.stderr
    assert f"0 new, 0 changed, {len(expected)} unchanged articles" in second.stderr
    assert rows(db, "select * from articles order by id") == before
    assert rows(db, "select count(*) as n from article_versions") == [{"n": len(expected)}]
    assert rows(db, "select count(*) as n from contacts") == [{"n": 7}]
    runs = rows(db, "select articles_new, articles_unchanged, finish_reason from crawl_runs")
    assert runs == [
        {"articles_new": len(expected), "articles_unchanged": 0, "finish_reason": "finished"},
        {"articles_new": 0, "articles_unchanged": len(expected), "finish_reason": "finished"},
    ]


def test_changed_article_becomes_a_new_version(portal, tmp_path):
    db = tmp_path / "archive.db"
    assert crawl(portal, db).returncode == 0
    article = portal.portal.articles[3]
    old_title = article["title"]
    article["title"] = old_title + " (cập nhật)"
    done = crawl(portal, db)
    assert "0 new, 1 changed" in done.stderr
    [row] = rows(
        db, f"select id, title, version from articles where url_key like '%{article['slug']}'"
    )
    assert (row["title"], row["version"]) == (old_title + " (cập nhật)", 2)
    versions = rows(db, f"select version from article_versions where article_id = {row['id']}")
    assert [v["version"] for v in versions] == [1, 2]


def test_scrapy_crawl_works_from_the_repo_root(portal, tmp_path):
    db = tmp_path / "scrapy.db"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "scrapy",
            "crawl",
            "portal",
            "-a",
            "site=angiang-sonoivu",
            "-a",
            f"base_url={portal.base_url}",
            "-s",
            f"VNGOV_DB={db}",
            "-s",
            "DOWNLOAD_DELAY=0",
            "-s",
            "AUTOTHROTTLE_ENABLED=False",
            "-s",
            "CONCURRENT_REQUESTS_PER_DOMAIN=8",
            "-s",
            "LOG_LEVEL=WARNING",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert rows(db, "select count(*) as n from articles") == [{"n": len(portal.portal.articles)}]


def test_max_pages_stops_the_crawl(portal, tmp_path):
    db = tmp_path / "archive.db"
    done = run_vngov(
        "crawl",
        "angiang-sonoivu",
        "--base-url",
        portal.base_url,
        "--db",
        str(db),
        "--no-delay",
        "--max-pages",
        "5",
    )
    assert done.returncode == 0, done.stderr
    [run] = rows(db, "select pages_fetched, finish_reason, stats from crawl_runs")
    assert run["finish_reason"] == "finished"
    assert '"vngov/max_pages_reached": 5' in run["stats"]
    pages = [p for _, p, _ in portal.requests if p != "/robots.txt"]
    assert len(pages) == 5
    # robots.txt counts as a response, twice: Scrapy reads its rules, the spider its sitemaps.
    assert run["pages_fetched"] == 7
