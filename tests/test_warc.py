"""Every response is captured in WARC files that warcio accepts; revisits are not copied."""

from __future__ import annotations

import gzip
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from crawler.warc import WarcArchive, load_last_captures, read_capture, resolve_revisit
from tests.conftest import crawl_portal

# A 200 HTML exchange, less its URL and body.
HTML_200 = {
    "method": "GET",
    "request_headers": [],
    "status": 200,
    "reason": "OK",
    "response_headers": [("Content-Type", "text/html")],
}


def warcio(*args):
    return subprocess.run(
        [sys.executable, "-c", "import sys; from warcio.cli import main; sys.exit(main())", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def record_types(path):
    with open(path, "rb") as stream:
        return [r.rec_type for r in ArchiveIterator(stream)]


def test_crawl_writes_valid_warc_and_revisits_on_recrawl(portal, tmp_path):
    db = tmp_path / "a.db"
    assert crawl_portal(portal, db).returncode == 0
    warc_dir = tmp_path / "a-warc"
    [first] = sorted(warc_dir.glob("*.warc.gz"))
    assert (warc_dir / first.name.replace(".warc.gz", ".cdxj")).exists()
    check = warcio("check", "-v", str(first))
    assert check.returncode == 0, check.stdout + check.stderr
    index = warcio("index", str(first))
    assert index.returncode == 0
    indexed = [json.loads(line) for line in index.stdout.splitlines()]
    responses = [r for r in indexed if r.get("warc-type") == "response"]
    # robots.txt is fetched twice (Scrapy reads its rules, the spider its sitemaps): the
    # second, identical copy is a revisit record.
    assert len(responses) == len(portal.requests) - 1
    types = record_types(first)
    assert types.count("request") == len(portal.requests)
    assert types.count("response") == len(portal.requests) - 1
    assert types.count("revisit") == 1

    # every version points at its capture, and the capture holds the page
    conn = sqlite3.connect(db)
    rows = conn.execute(
        "select v.warc_filename, v.warc_offset, v.payload_digest, a.title "
        "from article_versions v join articles a on a.id = v.article_id"
    ).fetchall()
    conn.close()
    assert len(rows) == len(portal.portal.articles)
    for filename, offset, digest, title in rows[:5]:
        status, _, body = read_capture(warc_dir, filename, offset)
        assert status == 200 and digest.startswith("sha1:")
        assert title in body.decode("utf-8")

    requests_before = len(portal.requests)
    assert crawl_portal(portal, db).returncode == 0
    second = sorted(warc_dir.glob("*.warc.gz"))[-1]
    assert second != first
    types = record_types(second)
    assert types.count("revisit") == len(portal.requests) - requests_before
    assert types.count("response") == 0
    assert warcio("check", str(second)).returncode == 0


def test_killed_writer_leaves_a_readable_prefix_and_is_recovered(tmp_path):
    archive = WarcArchive(tmp_path, prefix="t")
    for n in range(3):
        archive.write_exchange(
            f"http://127.0.0.1/p{n}",
            method="GET",
            request_headers=[("User-Agent", "test")],
            status=200,
            reason="OK",
            response_headers=[("Content-Type", "text/html; charset=utf-8")],
            body=f"<html>trang {n}</html>".encode(),
        )
    [open_file] = list(tmp_path.glob("*.warc.gz.open"))
    archive._file.flush()
    data = open_file.read_bytes()
    open_file.write_bytes(data + gzip.compress(b"WARC/1.1\r\nWARC-Type: respo")[:25])  # torn tail
    # a new writer (the next crawl) trims the torn record, renames and indexes the file
    WarcArchive(tmp_path, prefix="t")
    [recovered] = list(tmp_path.glob("t-*.warc.gz"))
    assert recovered.read_bytes() == data
    assert record_types(recovered) == ["warcinfo"] + ["response", "request"] * 3
    index = (tmp_path / recovered.name.replace(".warc.gz", ".cdxj")).read_text().splitlines()
    assert len(index) == 3


def test_a_file_another_live_crawl_is_writing_is_left_alone(tmp_path):
    import subprocess
    import sys

    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        live = tmp_path / f"vngov-20240101000000000000-{sleeper.pid}-00001.warc.gz.open"
        live.write_bytes(b"")
        WarcArchive(tmp_path, prefix="t")
        assert live.exists()  # not trimmed, not renamed: its writer is still running
    finally:
        sleeper.kill()
        sleeper.wait()
    WarcArchive(tmp_path, prefix="t")
    assert not live.exists()  # once the writer is gone, the next crawl recovers it


def test_a_crawl_loads_the_last_captures_of_its_own_hosts_only(tmp_path):
    """Revisit records are decided on the last capture of each URL; an archive kept for years
    holds many sites, so a crawl loads only its own hosts' captures."""
    archive = WarcArchive(tmp_path, prefix="t")
    urls = [
        "https://www.sonoivu.angiang.gov.vn/tin/1",
        "https://sonoivu.angiang.gov.vn:8443/tin/2",
        "https://angiang.gov.vn/tin/3",
        "http://127.0.0.1:8080/tin/4",
    ]
    for url in urls:
        archive.write_exchange(url, body=url.encode(), **HTML_200)
    archive.close()
    assert set(load_last_captures(tmp_path)) == set(urls)
    assert set(load_last_captures(tmp_path, ["sonoivu.angiang.gov.vn"])) == set(urls[:2])
    assert set(load_last_captures(tmp_path, ["127.0.0.1", "angiang.gov.vn"])) == set(urls[2:])
    # what the crawl decides with them: the same page again from its host is a revisit
    again = WarcArchive(tmp_path, prefix="t", hosts=["angiang.gov.vn"])
    assert set(again.last) == {urls[2]}
    assert again.write_exchange(urls[2], body=urls[2].encode(), **HTML_200).record_type == "revisit"
    # a host met on the way (a redirect to a subdomain) has its captures loaded then
    assert again.write_exchange(urls[0], body=urls[0].encode(), **HTML_200).record_type == "revisit"
    assert again.write_exchange(urls[0], body=b"changed", **HTML_200).record_type == "response"
    again.close()


def test_pages_of_an_ipv6_host_are_revisits_too(tmp_path):
    url = "http://[::1]:8080/tin/1"
    first = WarcArchive(tmp_path, prefix="t", hosts=["::1"])
    assert first.write_exchange(url, body=b"page", **HTML_200).record_type == "response"
    first.close()
    assert set(load_last_captures(tmp_path, ["::1"])) == {url}
    again = WarcArchive(tmp_path, prefix="t", hosts=["::1"])
    assert again.write_exchange(url, body=b"page", **HTML_200).record_type == "revisit"
    again.close()


def test_index_files_of_other_sites_are_not_read(tmp_path, monkeypatch):
    """A crawl reads only the CDXJ files whose key range may hold its hosts."""
    sites = {
        "a": ["https://angiang.gov.vn/tin/1", "https://angiang.gov.vn/tin/2"],
        "s": ["https://sonoivu.angiang.gov.vn/tin/3", "https://sotp.angiang.gov.vn/tin/4"],
        "z": ["https://zalo.angiang.gov.vn/tin/5"],
        "b": ["https://bentre.gov.vn/tin/6", "https://sonoivu.bentre.gov.vn:8443/tin/7"],
    }
    for prefix, urls in sites.items():
        archive = WarcArchive(tmp_path, prefix=prefix)
        for url in urls:
            archive.write_exchange(url, body=url.encode(), **HTML_200)
        archive.close()
    read: list[str] = []
    read_text = Path.read_text

    def spy(self, *args, **kwargs):
        read.append(self.name[0])
        return read_text(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", spy)
    assert set(load_last_captures(tmp_path, ["sonoivu.angiang.gov.vn"])) == {sites["s"][0]}
    assert read == ["s"]
    read.clear()
    # a host sorting inside a file's range may be there: that file is read
    assert load_last_captures(tmp_path, ["sotc.angiang.gov.vn"]) == {}
    assert read == ["s"]
    read.clear()
    # subdomains sort among a province's own keys: its files may hold them, another's not
    assert set(load_last_captures(tmp_path, ["angiang.gov.vn"])) == set(sites["a"])
    assert sorted(read) == ["a", "s", "z"]
    read.clear()
    assert set(load_last_captures(tmp_path, ["sonoivu.bentre.gov.vn"])) == {sites["b"][1]}
    assert read == ["b"]


def test_a_revisit_resolves_to_the_full_record_it_repeats(tmp_path):
    urls = ["https://angiang.gov.vn/tin/1", "https://sonoivu.angiang.gov.vn/tin/1"]
    first = WarcArchive(tmp_path, prefix="a")
    full = {url: first.write_exchange(url, body=url.encode(), **HTML_200) for url in urls}
    first.close()
    again = WarcArchive(tmp_path, prefix="b", hosts=["angiang.gov.vn"])
    revisit = again.write_exchange(urls[0], body=urls[0].encode(), **HTML_200)
    again.close()
    assert revisit.record_type == "revisit"
    for url in urls:
        capture = full[url]
        found = resolve_revisit(tmp_path, url, capture.payload_digest)
        assert found == (capture.warc_filename, capture.warc_offset)
    assert resolve_revisit(tmp_path, urls[0], "sha1:NOTTHERE") is None
    assert (
        resolve_revisit(tmp_path, "https://bentre.gov.vn/tin/1", full[urls[0]].payload_digest)
        is None
    )
