"""Searches in another process while a crawl writes never fail with "database is locked"."""

from __future__ import annotations

import sqlite3
import time

from archive.sample_portal.server import PortalServer
from archive.search import search
from archive.storage import Archive
from tests.conftest import start_crawl


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
