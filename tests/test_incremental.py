"""Fetch only what is new or changed: stop at archived articles, revisit on a schedule with
conditional requests, backfill with --full (pausable and resumable), fetch attachments."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawler.jobs import job_dir
from tests.conftest import crawl_portal, run_vngov
from tests.portals import PortalServer, db_rows
from tests.portals.base import Reply
from tests.portals.drupal import DrupalPortal


@pytest.fixture()
def server():
    served = PortalServer(DrupalPortal()).start()
    yield served
    served.stop()


def crawl(server, db, *extra, expect=0):
    done = crawl_portal(server, db, *extra)
    assert done.returncode == expect, done.stderr
    assert "Traceback" not in done.stderr
    return done


def last_stats(db):
    return json.loads(
        db_rows(db, "select stats from crawl_runs order by id desc limit 1")[0]["stats"]
    )


def backdate(db, days):
    """Pretend everything in the archive was first seen and last fetched ``days`` ago."""
    then = (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="seconds")
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("update articles set first_seen = ?", [then])
        conn.execute("update url_state set last_fetched = ?", [then])
    conn.close()


def test_listing_walk_stops_after_k_archived_articles(server, tmp_path):
    db = tmp_path / "a.db"
    crawl(server, db)
    assert "/tin-tuc?page=1" in server.requests
    mark = server.mark()
    [new] = server.portal.add_articles(1)
    crawl(server, db, "--set", "VNGOV_STOP_AFTER_KNOWN=2")
    later = server.since(mark)
    assert "/tin-tuc?page=1" not in later  # page 1 held the new article and 2 archived ones
    assert [a.number for a in server.articles_requested(later)] == [new.number]
    stats = last_stats(db)
    assert stats["vngov/listings_stopped_at_known"] == 1
    assert stats["vngov/mode"] == "incremental"


def test_revisits_are_conditional_and_catch_edits_and_removals(server, tmp_path):
    db = tmp_path / "a.db"
    crawl(server, db)
    backdate(db, 2)  # past the 1-day revisit
    portal = server.portal
    edited, removed = portal.articles[2], portal.articles[4]
    edited.edit()
    portal.gone.add(portal.article_path(removed))
    mark = server.mark()
    crawl(server, db, "--revisit")
    later = server.since(mark)
    assert [p for p in later if p != "/robots.txt"] == [
        p for p in later if p.startswith("/tin-tuc/")
    ]  # no home page, listing or feed: revisits only
    assert len([p for p in later if p.startswith("/tin-tuc/")]) == 6
    sent = server.headers_seen[mark:]
    conditional = [h for h in sent if "If-None-Match" in h]
    assert len(conditional) == 6 and all("If-Modified-Since" in h for h in conditional)
    stats = last_stats(db)
    assert stats["vngov/articles_not_modified"] == 4
    assert stats["vngov/articles_changed"] == 1
    assert stats["vngov/articles_removed"] == 1
    rows = {r["title"]: r for r in db_rows(db, "select title, version, status from articles")}
    assert rows[edited.title]["version"] == 2
    assert rows[removed.title]["status"] == "removed"
    not_modified = db_rows(db, "select sum(not_modified_count) as n from url_state")
    assert not_modified == [{"n": 4}]

    # Nothing is due again until the 7-day mark: a revisit run fetches nothing, and says so.
    mark = server.mark()
    done = crawl(server, db, "--revisit")
    assert server.since(mark) == []
    assert "no article is due for a revisit" in done.stderr


def test_default_crawl_revisits_what_is_due_along_with_the_walk(server, tmp_path):
    db = tmp_path / "a.db"
    crawl(server, db)
    backdate(db, 8)
    mark = server.mark()
    crawl(server, db)
    sent = server.headers_seen[mark:]
    assert len([h for h in sent if "If-None-Match" in h]) == 6
    assert "/tin-tuc" in server.since(mark)  # and the listing was walked
    assert last_stats(db)["vngov/articles_not_modified"] == 6


def test_full_crawl_pauses_and_resumes_without_fetching_twice(server, tmp_path):
    db = tmp_path / "a.db"
    paused = crawl(server, db, "--full", "--set", "CLOSESPIDER_PAGECOUNT=4")
    assert "full crawl paused (closespider_pagecount)" in paused.stderr
    assert f"vngov crawl {server.portal.site_id} --resume" in paused.stderr
    jobs = job_dir(db, server.portal.site_id)
    assert (jobs / "vngov-job.json").exists()

    refused = run_vngov(
        "crawl",
        server.portal.site_id,
        "--db",
        str(db),
        "--no-delay",
        "--full",
        "--base-url",
        server.base_url,
    )
    assert refused.returncode == 1
    assert "is paused in" in refused.stderr and "--resume" in refused.stderr

    crawl(server, db, "--resume")
    assert not jobs.exists()
    assert db_rows(db, "select count(*) as n from articles") == [{"n": 6}]
    fetched = [a.number for a in server.articles_requested(server.requests)]
    assert sorted(fetched) == sorted(a.number for a in server.portal.articles)  # once each
    nothing = run_vngov("crawl", server.portal.site_id, "--db", str(db), "--resume")
    assert nothing.returncode == 1 and "no paused full crawl" in nothing.stderr


def test_interrupted_first_crawl_is_completed_by_the_next_one(server, tmp_path):
    db = tmp_path / "a.db"
    crawl(server, db, "--max-pages", "4")
    assert len(db_rows(db, "select url_key from articles")) < 6
    crawl(server, db)
    assert last_stats(db)["vngov/mode"] == "first_full"
    assert db_rows(db, "select count(*) as n from articles") == [{"n": 6}]
    crawl(server, db)
    assert last_stats(db)["vngov/mode"] == "incremental"


def test_attachments_are_fetched_hashed_and_listed_with_their_link_text(server, tmp_path):
    db = tmp_path / "a.db"
    crawl(server, db)
    files = {
        a.name: (a, article) for article in server.portal.articles for a in article.attachments
    }
    rows = db_rows(db, "select * from attachments order by url")
    assert len(rows) == 3
    for row in rows:
        attachment, article = files[Path(row["url"]).name]
        assert row["sha256"] == hashlib.sha256(attachment.data).hexdigest()
        assert row["size"] == len(attachment.data)
        assert row["text"] == attachment.text
        assert row["truncated"] == 0
        assert row["final_url"] is None  # fetched where it was linked
        assert row["article_url_key"] == f"{server.base_url}{server.portal.article_path(article)}"
    assert {r["content_type"] for r in rows} == {
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
    mark = server.mark()
    server.portal.add_articles(1)
    crawl(server, db)
    assert not [p for p in server.since(mark) if p.startswith("/files/")]  # not fetched again


class StoredElsewherePortal(DrupalPortal):
    """Its article pages link /files/X, which redirects (302) to where the file is stored."""

    def answer(self, raw_path: str) -> Reply:
        path = urlsplit(raw_path).path
        if path.startswith("/files/"):
            return Reply(302, "", headers={"Location": "/storage/2026" + path})
        if path.startswith("/storage/2026/"):
            return super().answer(path.removeprefix("/storage/2026"))
        return super().answer(raw_path)


def test_an_attachment_reached_through_a_redirect_is_kept_under_the_linked_address(tmp_path):
    """The article links /files/X: that is the address a reader has, and the one the next
    crawl asks for; where the redirect ended is only where it was stored that day."""
    server = PortalServer(StoredElsewherePortal()).start()
    try:
        db = tmp_path / "a.db"
        crawl(server, db)
        mark = server.mark()
        server.portal.add_articles(1)
        crawl(server, db)
        later = server.since(mark)
    finally:
        server.stop()
    rows = db_rows(db, "select url, sha256, final_url from attachments order by url")
    linked = sorted(
        f"{server.base_url}/files/{a.name}"
        for article in server.portal.articles
        for a in article.attachments
    )
    assert [row["url"] for row in rows] == linked
    assert all(row["sha256"] for row in rows)
    # where each was fetched from is kept beside it, in the row and in its version
    stored = [row["url"].replace("/files/", "/storage/2026/files/") for row in rows]
    assert [row["final_url"] for row in rows] == stored
    versions = db_rows(db, "select final_url from attachment_versions order by url")
    assert [row["final_url"] for row in versions] == stored
    assert not [p for p in later if p.startswith(("/files/", "/storage/"))]  # not again


class AliasPortal(DrupalPortal):
    """One linked document is an old address of another linked one: it redirects there."""

    def answer(self, raw_path: str) -> Reply:
        if urlsplit(raw_path).path == "/files/bang-so-lieu.xlsx":
            return Reply(302, "", headers={"Location": "/files/bao-cao-so-ket.docx"})
        return super().answer(raw_path)


def test_a_document_redirected_to_another_linked_one_is_kept_under_both_addresses(tmp_path):
    server = PortalServer(AliasPortal()).start()
    try:
        db = tmp_path / "a.db"
        crawl(server, db)
        linked = sorted(
            f"{server.base_url}/files/{a.name}"
            for article in server.portal.articles
            for a in article.attachments
        )
    finally:
        server.stop()
    rows = {row["url"]: row["sha256"] for row in db_rows(db, "select * from attachments")}
    assert sorted(rows) == linked
    base = f"{server.base_url}/files/"
    assert rows[base + "bang-so-lieu.xlsx"] == rows[base + "bao-cao-so-ket.docx"]


class MaintenancePortal(DrupalPortal):
    """While ``down``, every document redirects to a maintenance page."""

    down = False

    def answer(self, raw_path: str) -> Reply:
        path = urlsplit(raw_path).path
        if self.down and path.startswith("/files/"):
            return Reply(302, "", headers={"Location": "/bao-tri"})
        if self.down and path == "/bao-tri":
            return Reply(200, "<html><body><h1>Hệ thống đang bảo trì</h1></body></html>")
        return super().answer(raw_path)


def test_a_document_redirected_to_a_web_page_keeps_its_record_and_counts_a_failure(tmp_path):
    server = PortalServer(MaintenancePortal()).start()
    try:
        db = tmp_path / "a.db"
        crawl(server, db)
        query = "select url, sha256, size, content_type from attachments order by url"
        before = db_rows(db, query)
        versions = db_rows(db, "select count(*) as n from attachment_versions")
        server.portal.down = True
        for article in server.portal.articles:
            article.edit()  # fetched again whole, with its documents
        crawl(server, db, "--full")
    finally:
        server.stop()
    assert db_rows(db, query) == before
    assert db_rows(db, "select count(*) as n from attachment_versions") == versions
    assert last_stats(db)["vngov/errors/redirected_away"] == len(before) == 3


def test_a_replaced_attachment_keeps_every_version(server, tmp_path):
    """A corrected PDF under the same URL: the archive keeps the hash, size and capture of
    the first one too, not only the latest."""
    db = tmp_path / "a.db"
    crawl(server, db)
    article = next(a for a in server.portal.articles if a.attachments)
    attachment = article.attachments[0]
    before = attachment.data
    attachment.data = before + " (bản đính chính)".encode()
    article.edit(" (đính chính)")  # a new ETag: the article is fetched whole, then its files
    crawl(server, db, "--full")
    versions = db_rows(
        db,
        "select sha256, size, warc_filename from attachment_versions where url like ?"
        " order by fetched_at, id",
        (f"%/files/{attachment.name}",),
    )
    assert [(v["sha256"], v["size"]) for v in versions] == [
        (hashlib.sha256(before).hexdigest(), len(before)),
        (hashlib.sha256(attachment.data).hexdigest(), len(attachment.data)),
    ]
    assert all(v["warc_filename"] for v in versions)
    [latest] = db_rows(
        db, "select sha256 from attachments where url like ?", (f"%/{attachment.name}",)
    )
    assert latest["sha256"] == versions[-1]["sha256"]
    mark = server.mark()
    article.edit(" (lần 2)")  # fetched again, with its files: the same bytes, no new version
    crawl(server, db, "--full")
    assert f"/files/{attachment.name}" in server.since(mark)
    assert len(db_rows(db, "select id from attachment_versions")) == len(versions) + 2


def test_attachments_over_the_cap_are_recorded_truncated(server, tmp_path):
    db = tmp_path / "a.db"
    crawl(server, db, "--set", "VNGOV_ATTACHMENT_MAXSIZE=2500")
    rows = {Path(r["url"]).name: r for r in db_rows(db, "select * from attachments")}
    big = rows["bao-cao-so-ket.docx"]
    assert (big["truncated"], big["sha256"], big["size"]) == (1, None, 5000)
    small = rows["bang-so-lieu.xlsx"]
    assert small["truncated"] == 0 and small["size"] == 2000
