"""Versions, removals, contact history, provenance, citations, exports and reparse."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import sqlite3

import pytest
from click.testing import CliRunner

from archive.cli import cli
from archive.storage import Archive
from crawler.items import PageGoneItem
from crawler.pipelines import ArchivePipeline
from crawler.workers import WorkerPool
from tests.conftest import crawl_portal


def crawl(portal, db):
    # --full: a recrawl must refetch the archived articles to see an edit at once (a default,
    # incremental crawl skips them until their revisit is due).
    done = crawl_portal(portal, db, "--full")
    assert done.returncode == 0, done.stderr
    return done


def invoke(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


@pytest.fixture()
def edited(portal, tmp_path):
    """An archive where one article was edited between two crawls."""
    db = tmp_path / "a.db"
    crawl(portal, db)
    article = portal.portal.articles[2]
    first_paragraph = next(b for b in article["blocks"] if b["type"] == "p")
    old_text = first_paragraph["text"]
    first_paragraph["text"] = old_text.replace("tỉnh", "tỉnh An Giang", 1)
    article["title"] += " (đã sửa)"
    crawl(portal, db)
    url = portal.base_url + portal.portal.article_path(article)
    return db, url, article, old_text, first_paragraph["text"]


def test_history_lists_both_versions(edited):
    db, url, article, *_ = edited
    rows = json.loads(invoke("history", url, "--db", db).output)
    assert [r["version"] for r in rows] == [1, 2]
    assert rows[1]["title"] == article["title"]
    assert rows[0]["title"] == article["title"].removesuffix(" (đã sửa)")
    assert all(r["warc"] and r["payload_digest"].startswith("sha1:") for r in rows)


def test_diff_shows_field_changes_and_body_diff(edited):
    db, url, article, old_text, new_text = edited
    output = invoke("diff", url, "--db", db).output
    assert "version 1" in output and "→ 2" in output
    assert f"title: '{article['title'].removesuffix(' (đã sửa)')}' → '{article['title']}'" in output
    assert f"-{old_text}" in output
    assert f"+{new_text}" in output
    same = invoke("diff", url, "1", "1", "--db", db).output
    assert "no content differences" in same
    bad = CliRunner().invoke(cli, ["diff", url, "1", "7", "--db", str(db)])
    assert bad.exit_code == 1 and "no version 7" in bad.output


def test_removed_page_is_marked_never_deleted(portal, tmp_path):
    db = tmp_path / "a.db"
    crawl(portal, db)
    url_key = json.loads(invoke("export", "--db", db).output.splitlines()[0])["url"]
    gone = PageGoneItem(
        site="angiang-sonoivu", url=url_key, http_status=410, fetched_at="2026-01-02T03:04:05+00:00"
    )
    stats = _Stats()

    async def store_gone() -> None:
        writer = WorkerPool.acquire("archive writer", 1)
        pipeline = ArchivePipeline(str(db), stats, writer)
        await pipeline.open_spider()
        await pipeline.process_item(gone)
        await pipeline.close_spider()

    asyncio.run(store_gone())
    assert stats.values == {"vngov/articles_removed": 1}
    conn = sqlite3.connect(db)
    status = conn.execute(
        "select status, removed_at, http_status from articles where url_key = ?", [url_key]
    ).fetchone()
    count = conn.execute("select count(*) from articles").fetchone()[0]
    conn.close()
    assert status == ("removed", "2026-01-02T03:04:05+00:00", 410)
    assert count == len(portal.portal.articles)
    history = invoke("history", url_key, "--db", db)
    assert "removed from the site on 2026-01-02T03:04:05+00:00" in history.output


class _Stats:
    def __init__(self):
        self.values = {}

    def inc_value(self, key, count=1):
        self.values[key] = self.values.get(key, 0) + count


def test_an_archived_article_answering_200_not_found_is_marked_removed(portal, tmp_path):
    """WebSphere portals answer a taken-down article with 200 and "Không tìm thấy"."""
    db = tmp_path / "a.db"
    crawl(portal, db)
    path = sorted(portal.portal.by_path)[0]
    portal.gone[path] = 200
    done = crawl(portal, db)
    conn = sqlite3.connect(db)
    rows = conn.execute("select status, http_status from articles where url like ?", [f"%{path}"])
    run = conn.execute(
        "select articles_removed, errors from crawl_runs order by id desc"
    ).fetchone()
    assert rows.fetchall() == [("removed", 200)]
    assert run == (1, 0)
    assert "Traceback" not in done.stderr
    conn.close()


def test_an_archived_article_redirected_to_a_missing_page_is_marked_removed(portal, tmp_path):
    """The 404 at the end of a redirect is the address the spider asked for (it was filed
    under the address it ended at, which the archive does not know)."""
    db = tmp_path / "a.db"
    crawl(portal, db)
    path = sorted(portal.portal.by_path)[0]
    portal.moved[path] = "/wps/portal/Home/tin-da-go"
    crawl(portal, db)
    conn = sqlite3.connect(db)
    rows = conn.execute("select status, http_status from articles where url like ?", [f"%{path}"])
    assert rows.fetchall() == [("removed", 404)]
    [removed] = conn.execute("select articles_removed from crawl_runs order by id desc limit 1")
    assert removed == (1,)
    conn.close()


def test_an_article_redirected_to_the_home_page_is_not_stored_as_one(portal, tmp_path):
    db = tmp_path / "a.db"
    crawl(portal, db)
    path = sorted(portal.portal.by_path)[0]
    portal.moved[path] = "/wps/portal/Home"  # the home page, fetched already by this crawl
    done = crawl(portal, db)
    conn = sqlite3.connect(db)
    count = conn.execute("select count(*) from articles").fetchone()[0]
    [stats] = conn.execute("select stats from crawl_runs order by id desc limit 1").fetchone()
    conn.close()
    assert count == len(portal.portal.articles)  # no article made of the home page
    stats = json.loads(stats)
    assert stats["vngov/redirects_to_seen"] == 1
    assert stats["vngov/redirected_away"] == 1
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("attribute", "answer", "error"),
    [
        # An outage page ("Hệ thống đang bảo trì") says nothing about the article.
        ("gone", (200, "Hệ thống đang bảo trì"), "error_page"),
        # Nor does a 302 to an error page: portals under maintenance send every address there.
        ("moved", (302, "/wps/portal/Home/bao-tri"), "http_404"),
        # Or to a page that answers but is no article (here the home page).
        ("moved", (302, "/wps/portal/Home"), "redirected_away"),
    ],
)
def test_an_archived_article_behind_an_outage_stays_live(
    portal, tmp_path, attribute, answer, error
):
    db = tmp_path / "a.db"
    crawl(portal, db)
    path = sorted(portal.portal.by_path)[0]
    getattr(portal, attribute)[path] = answer
    crawl(portal, db)
    conn = sqlite3.connect(db)
    rows = conn.execute("select status from articles where url like ?", [f"%{path}"])
    run = conn.execute("select articles_removed, errors_by_kind from crawl_runs order by id desc")
    assert rows.fetchall() == [("live",)]
    assert run.fetchone() == (0, json.dumps({error: 1}))
    conn.close()


def test_contacts_as_of_a_date(tmp_path):
    archive = Archive(tmp_path / "c.db")

    def block(name, phone):
        return [
            {
                "title": "đường dây nóng",
                "entries": [
                    {
                        "position": 1,
                        "honorific": "Ông",
                        "name": name,
                        "role": "Giám đốc Sở",
                        "unit": None,
                        "text": name,
                        "phones": [{"raw": phone, "e164": "+84" + phone[1:], "kind": "mobile"}],
                        "emails": [],
                    }
                ],
            }
        ]

    archive.store_contacts(
        block("Ngô Hồng Yến", "0913658627"),
        site="s",
        page_url="u",
        seen_at="2024-01-10T00:00:00+00:00",
    )
    archive.store_contacts(
        block("Ngô Hồng Yến", "0913658627"),
        site="s",
        page_url="u",
        seen_at="2024-03-01T00:00:00+00:00",
    )
    archive.store_contacts(
        block("Trần Văn Bình", "0988000111"),
        site="s",
        page_url="u",
        seen_at="2024-06-01T00:00:00+00:00",
    )
    archive.close()

    def names(*extra):
        rows = json.loads(invoke("contacts", "--db", tmp_path / "c.db", *extra).output)
        return [r["name"] for r in rows]

    assert names() == ["Trần Văn Bình"]
    assert names("--as-of", "2024-02-01") == ["Ngô Hồng Yến"]
    assert names("--as-of", "2024-04-15") == ["Ngô Hồng Yến"]  # not yet replaced as far as we know
    assert names("--as-of", "2024-06-02") == ["Trần Văn Bình"]
    assert names("--as-of", "2023-12-31") == []
    bad = CliRunner().invoke(
        cli, ["contacts", "--db", str(tmp_path / "c.db"), "--as-of", "hôm qua"]
    )
    assert bad.exit_code == 2 and "not a date" in bad.output


def test_show_prints_provenance_and_citations(edited):
    db, url, article, *_ = edited
    record = json.loads(invoke("show", url, "--db", db).output)
    provenance = record["provenance"]
    assert provenance["version"] == 2
    assert provenance["http_status"] == 200
    assert provenance["final_url"] == url
    assert provenance["fetched_at"].endswith("+00:00")
    assert provenance["fetched_at_local"].endswith("+07:00")
    assert provenance["payload_digest"].startswith("sha1:")
    assert provenance["parser_version"]
    assert (provenance["province"], provenance["province_now"]) == ("An Giang", "An Giang")
    day = article["published_at"][8:10] + "/" + article["published_at"][5:7]
    assert record["citation"]["vi"].startswith(
        f'Sở Nội vụ tỉnh An Giang. "{article["title"]}". Đăng ngày {day}/'
    )
    assert "(phiên bản 2, mã băm sha1:" in record["citation"]["vi"]
    assert (
        f"Published {article['published_at'][:10]}. {url}. Archived by vngov-archive at "
        in (record["citation"]["en"])
    )
    missing = CliRunner().invoke(cli, ["show", "999999", "--db", str(db)])
    assert missing.exit_code == 1 and "no archived article" in missing.output


def test_export_and_stats(edited, portal):
    db, *_ = edited
    lines = invoke("export", "--db", db).output.splitlines()
    assert len(lines) == len(portal.portal.articles)
    rows = [json.loads(line) for line in lines]
    assert [r["published_at"] for r in rows] == sorted(r["published_at"] for r in rows)
    since = invoke("export", "--db", db, "--since", "2025-01-01", "--format", "csv").output
    table = list(csv.DictReader(io.StringIO(since)))
    assert table and all(r["published_at"] >= "2025-01-01" for r in table)
    assert len(table) == sum(a["published_at"] >= "2025-01-01" for a in portal.portal.articles)
    stats = json.loads(invoke("stats", "--db", db).output)
    assert sum(r["articles"] for r in stats["articles"]) == len(portal.portal.articles)
    assert [r["healthy"] for r in stats["runs"]] == [True, True]


def test_reparse_reports_then_applies(edited):
    db, url, article, *_ = edited
    conn = sqlite3.connect(db)
    [(article_id, record)] = conn.execute(
        "select v.article_id, v.record from article_versions v join articles a "
        "on a.id = v.article_id where a.url_key = ? and v.version = 2",
        [url],
    ).fetchall()
    damaged = {**json.loads(record), "title": "Tiêu đề sai do trình phân tích cũ"}
    conn.execute(
        "update article_versions set record = ? where article_id = ? and version = 2",
        [json.dumps(damaged, ensure_ascii=False), article_id],
    )
    conn.execute("update articles set title = ? where id = ?", [damaged["title"], article_id])
    conn.commit()
    conn.close()
    report = invoke("reparse", "--db", db)
    [line] = report.stdout.splitlines()
    change = json.loads(line)
    assert (change["article_id"], change["version"], change["fields"]) == (article_id, 2, ["title"])
    assert "would change (use --apply to write) 1" in report.stderr
    conn = sqlite3.connect(db)
    assert (
        conn.execute("select title from articles where id = ?", [article_id]).fetchone()[0]
        == (damaged["title"])
    )
    applied = invoke("reparse", "--db", db, "--apply")
    assert "rewrote 1" in applied.stderr
    assert (
        conn.execute("select title from articles where id = ?", [article_id]).fetchone()[0]
        == (article["title"])
    )
    assert invoke("reparse", "--db", db).stdout == ""
    conn.close()
