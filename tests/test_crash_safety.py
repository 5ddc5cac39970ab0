"""Nothing lost: a crawl killed with SIGKILL at random moments leaves a sound archive."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import sys
import time
from io import BytesIO
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.sample_portal.server import PortalServer
from crawler.warc import complete_prefix
from tests.conftest import start_crawl

KILLS = 10


def archived(db):
    """The archived article keys and the number of versions; none before the schema exists
    (a crawl killed, or looked at, while it creates the archive)."""
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("pragma integrity_check").fetchone() == ("ok",)
        tables = {r[0] for r in conn.execute("select name from sqlite_master")}
        if "articles" not in tables:
            return set(), 0
        keys = [r[0] for r in conn.execute("select url_key from articles")]
        versions = conn.execute("select count(*) from article_versions").fetchone()[0]
    finally:
        conn.close()
    assert len(keys) == len(set(keys))
    return set(keys), versions


def readable_records(warc_dir):
    """Records readable in every WARC file, open ones up to their last complete member."""
    count = 0
    for path in warc_dir.glob("*.warc.gz*"):
        if path.suffix == ".cdxj":
            continue
        with open(path, "rb") as stream:
            data = stream.read(complete_prefix(path))
        for record in ArchiveIterator(BytesIO(data)):
            record.content_stream().read()
            count += 1
    return count


def test_sigkill_at_random_moments_loses_nothing(tmp_path):
    rng = random.Random(20240206)
    server = PortalServer(delay=0.3).start()  # a crawl takes ~4 s: kills land mid-crawl
    db = tmp_path / "archive.db"
    seen: set[str] = set()
    interrupted = 0
    try:
        for _ in range(KILLS):
            process = start_crawl(server.base_url, db)
            time.sleep(rng.uniform(0.5, 3.0))
            if process.poll() is None:
                interrupted += 1
                os.kill(process.pid, signal.SIGKILL)
            process.wait()
            if not db.exists():
                continue
            keys, _ = archived(db)
            assert seen <= keys, "an article committed before a kill is gone"
            seen = keys
            if keys:  # an article is stored after its page was captured
                assert readable_records(tmp_path / "archive-warc") > 0
        assert interrupted >= KILLS // 2, f"only {interrupted} kills landed mid-crawl"
        final = start_crawl(server.base_url, db)
        _, stderr = final.communicate(timeout=180)
        assert final.returncode == 0, stderr
        assert "Traceback" not in stderr
    finally:
        server.stop()
    keys, versions = archived(db)
    assert len(keys) == len(server.portal.articles)
    assert versions == len(server.portal.articles)  # nothing stored twice
    assert not list((tmp_path / "archive-warc").glob("*.open"))


def writer_process(crawl_pid: int, db) -> int | None:
    """The crawl's archive writer: its child process holding the database file open."""
    children = Path(f"/proc/{crawl_pid}/task/{crawl_pid}/children").read_text().split()
    for child in children:
        try:
            opened = {os.readlink(fd) for fd in Path(f"/proc/{child}/fd").iterdir()}
        except OSError:
            continue
        if str(db) in opened:
            return int(child)
    return None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_killed_archive_writer_is_replaced_and_no_page_is_lost(tmp_path):
    server = PortalServer(delay=0.3).start()  # a crawl takes ~4 s
    db = tmp_path / "archive.db"
    try:
        process = start_crawl(server.base_url, db)
        writer = None
        deadline = time.monotonic() + 30
        while writer is None and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.1)
            if db.exists() and archived(db)[0]:  # it has written a page: kill it mid-crawl
                writer = writer_process(process.pid, db)
        assert writer is not None, "no archive writer process was found during the crawl"
        os.kill(writer, signal.SIGKILL)
        _, stderr = process.communicate(timeout=180)
    finally:
        server.stop()
    assert process.returncode == 0, stderr
    assert "archive writer worker died" in stderr
    assert "Traceback" not in stderr
    keys, versions = archived(db)
    assert len(keys) == len(server.portal.articles)
    assert versions == len(server.portal.articles)  # nothing stored twice
