"""Searches in another process while a crawl writes, and writers side by side, never fail with
"database is locked"."""

from __future__ import annotations

import sqlite3
import threading
import time

from archive.sample_portal.server import PortalServer
from archive.search import search
from archive.storage import Archive
from crawler import pipelines
from crawler.items import PageGoneItem
from tests.conftest import start_crawl

STAMP = "2026-11-27T00:00:00+00:00"


def test_search_while_crawling(tmp_path):
    server = PortalServer(delay=0.02).start()
    db = tmp_path / "archive.db"
    Archive(db).close()  # schema in place before the crawl starts
    crawl = start_crawl(server.base_url, db)
    searches, errors, hits = 0, [], set()
    try:
        while crawl.poll() is None:
            archive = Archive(db, create=False)
            try:
                hits.update(r["id"] for r in search(archive.db, "hoi nghi"))
                searches += 1
            except sqlite3.OperationalError as error:
                errors.append(str(error))
            finally:
                archive.close()
            time.sleep(0.005)
        _, stderr = crawl.communicate(timeout=60)
    finally:
        server.stop()
    assert crawl.returncode == 0, stderr
    assert errors == []
    assert searches > 20
    assert hits  # the searches saw articles arrive while the crawl ran


def test_search_ranks_on_one_snapshot_while_articles_arrive(tmp_path, monkeypatch):
    """A crawl committing between the index's row count and a phrase's document count must
    not make the phrase look more frequent than the index is large (math domain error)."""
    import archive.search as search_module

    db = tmp_path / "a.db"
    archive = Archive(db)
    archive.store_article(
        {"url": "https://x.gov.vn/0", "title": "Hội nghị số 0", "body": "hội nghị"},
        site="s",
        fetched_at="2024-01-01T00:00:00+00:00",
    )
    archive.close()
    original = search_module.IndexStats.__init__

    def counted_then_crawl_commits(self, db_):
        original(self, db_)  # the row count is read; now another process stores ten articles
        writer = Archive(db)
        for n in range(1, 11):
            writer.store_article(
                {"url": f"https://x.gov.vn/{n}", "title": f"Hội nghị số {n}", "body": "hội nghị"},
                site="s",
                fetched_at="2024-01-01T00:00:00+00:00",
            )
        writer.close()

    monkeypatch.setattr(search_module.IndexStats, "__init__", counted_then_crawl_commits)
    reader = Archive(db, create=False)
    try:
        results = search(reader.db, "hoi nghi")
    finally:
        reader.close()
    assert [r["title"] for r in results] == ["Hội nghị số 0"]  # the snapshot it started with


def test_a_write_transaction_holds_the_lock_from_its_start(tmp_path):
    """A transaction that reads, then writes, while another connection commits in between:
    begun IMMEDIATE it holds the write lock and the other writer waits; a deferred BEGIN
    would fail at its first write with "database is locked", whatever the busy timeout."""
    db = tmp_path / "a.db"
    archive = Archive(db)
    other_done = threading.Event()

    def other_writer() -> None:
        other = Archive(db)
        other.record_fetch("https://b.gov.vn/x", site="b", fetched_at=STAMP, status=200)
        other.close()
        other_done.set()

    with archive.transaction():
        archive.db.execute("select count(*) from url_state").fetchone()
        writer = threading.Thread(target=other_writer)
        writer.start()
        time.sleep(0.3)
        assert not other_done.is_set(), "the other writer did not wait for the lock"
        archive.record_fetch("https://a.gov.vn/x", site="a", fetched_at=STAMP, status=200)
    writer.join(timeout=10)
    assert other_done.is_set()
    assert archive.db.execute("select count(*) from url_state").fetchone()[0] == 2
    archive.close()


def test_crawlers_sharing_the_writer_keep_the_archive_open_until_the_last_closes(tmp_path):
    """Crawlers side by side in one process (one per host) share the archive writer and its
    connection: the first to finish must not close it under the others."""
    db = str(tmp_path / "archive.db")
    pipelines.open_archive(db)
    pipelines.open_archive(db)
    connection = pipelines._archives[db]
    pipelines.close_archive(db)
    assert pipelines._archives.get(db) is connection
    gone = PageGoneItem(
        site="s", url="https://x.gov.vn/a", http_status=404, fetched_at="2026-11-27T10:00:00+07:00"
    )
    pipelines.store_item(db, gone)
    assert pipelines._archives.get(db) is connection  # written without reopening
    pipelines.close_archive(db)
    assert db not in pipelines._archives
    assert Archive(db).db["url_state"].count == 1
