"""`vngov merge`: archives from several machines fold into one, every version kept once."""

from __future__ import annotations

import json
import sqlite3

import pytest
from click.testing import CliRunner

from archive.cli import cli
from archive.merge import MergeError, merge_archives
from archive.storage import Archive
from crawler.warc import WarcArchive, default_warc_dir

URL = "https://sonoivu.angiang.gov.vn/wps/portal/Home/tin-tuc/tin-chi-tiet/a/b"
SITE = {"id": "angiang-sonoivu", "name": "Sở Nội vụ", "province": "An Giang"}


def record(title: str, body: str, url: str = URL, **extra) -> dict:
    return {"url": url, "title": title, "body": body, **extra}


def capture(db_path, url: str, body: bytes) -> dict:
    """Write one response to the archive's WARC directory; its provenance for a version."""
    warc = WarcArchive(default_warc_dir(db_path))
    where = warc.write_exchange(
        url,
        method="GET",
        request_headers=[],
        status=200,
        reason="OK",
        response_headers=[("Content-Type", "text/html")],
        body=body,
    )
    warc.close()
    return {
        "warc_filename": where.warc_filename,
        "warc_offset": where.warc_offset,
        "warc_length": where.warc_length,
        "payload_digest": where.payload_digest,
    }


def make_archive(path, versions: list[tuple[str, dict]], *, contacts=(), runs=()) -> None:
    """An archive holding ``versions`` (fetch time, record), each with a WARC capture."""
    archive = Archive(path)
    archive.upsert_site(SITE)
    for fetched_at, rec in versions:
        provenance = capture(path, rec["url"], rec["body"].encode())
        archive.store_article(rec, site=SITE["id"], fetched_at=fetched_at, provenance=provenance)
    for seen_at, entry in contacts:
        archive.store_contacts(
            [{"title": "Đường dây nóng", "entries": [entry]}],
            site=SITE["id"],
            page_url=URL,
            seen_at=seen_at,
        )
    for started_at in runs:
        run_id = archive.db["crawl_runs"].insert({"site": SITE["id"], "started_at": started_at})
        archive.finish_run(run_id.last_pk, pages_fetched=3, finish_reason="finished")
    archive.close()


def dump(path) -> dict[str, list]:
    """Every row of the tables merge writes, in a stable order, for before/after comparisons."""
    conn = sqlite3.connect(path)
    tables = ("articles", "article_versions", "contacts", "crawl_runs", "sites", "doc_refs")
    out = {}
    for table in tables:
        columns = [r[1] for r in conn.execute(f"pragma table_info({table})")]
        rows = sorted((tuple(r) for r in conn.execute(f"select * from {table}")), key=repr)
        out[table] = [tuple(columns), *rows]
    conn.close()
    return out


def versions_of(path, url: str = URL) -> list[tuple[int, str, str]]:
    conn = sqlite3.connect(path)
    rows = conn.execute(
        "select v.version, v.captured_at, json_extract(v.record, '$.title') from article_versions"
        " v join articles a on a.id = v.article_id where a.url_key = ? order by v.version",
        [url],
    ).fetchall()
    conn.close()
    return rows


def test_disjoint_archives_merge_whole_with_their_warc_files(tmp_path):
    a, b, into = tmp_path / "a.db", tmp_path / "b.db", tmp_path / "all.db"
    make_archive(a, [("2024-01-01T00:00:00+00:00", record("Tin A", "Nội dung A"))])
    other = URL.replace("/b", "/c")
    make_archive(b, [("2024-01-02T00:00:00+00:00", record("Tin B", "Nội dung B", url=other))])

    [report_a, report_b] = merge_archives([a, b], into)

    assert (report_a.articles_new, report_b.articles_new) == (1, 1)
    assert (report_a.warc_files_added, report_b.warc_files_added) == (1, 1)
    conn = sqlite3.connect(into)
    rows = conn.execute(
        "select url_key, title, version, warc_filename from articles order by url_key"
    ).fetchall()
    files = sorted(p.name for p in default_warc_dir(into).iterdir())
    assert [r[:3] for r in rows] == [(URL, "Tin A", 1), (other, "Tin B", 1)]
    expected = sorted(
        name for source in (a, b) for name in (p.name for p in default_warc_dir(source).iterdir())
    )
    assert files == expected
    assert {r[3] for r in rows} <= set(files)  # every version's capture is in the target
    # the search index follows the merged rows
    assert conn.execute(
        "select count(*) from articles_fts where articles_fts match 'noi'"
    ).fetchone() == (2,)


def test_versions_of_one_article_are_interleaved_in_capture_order(tmp_path):
    a, b, into = tmp_path / "a.db", tmp_path / "b.db", tmp_path / "all.db"
    first = ("2024-01-01T00:00:00+00:00", record("Bản 1", "Nội dung 1"))
    make_archive(a, [first, ("2024-03-01T00:00:00+00:00", record("Bản 3", "Nội dung 3"))])
    make_archive(b, [first, ("2024-02-01T00:00:00+00:00", record("Bản 2", "Nội dung 2"))])

    merge_archives([a, b], into)

    assert versions_of(into) == [
        (1, "2024-01-01T00:00:00+00:00", "Bản 1"),
        (2, "2024-02-01T00:00:00+00:00", "Bản 2"),
        (3, "2024-03-01T00:00:00+00:00", "Bản 3"),
    ]
    conn = sqlite3.connect(into)
    assert conn.execute("select title, version, first_seen from articles").fetchall() == [
        ("Bản 3", 3, "2024-01-01T00:00:00+00:00")
    ]


def test_the_latest_version_comes_from_whichever_archive_has_it(tmp_path):
    a, b, into = tmp_path / "a.db", tmp_path / "b.db", tmp_path / "all.db"
    make_archive(a, [("2024-01-01T00:00:00+00:00", record("Cũ", "Nội dung cũ"))])
    make_archive(
        b,
        [
            ("2024-01-01T00:00:00+00:00", record("Cũ", "Nội dung cũ")),
            (
                "2024-05-01T00:00:00+00:00",
                record("Mới", "Theo Quyết định 959/QĐ-UBND", doc_refs=[{"ref": "959/QĐ-UBND"}]),
            ),
        ],
    )
    merge_archives([a], into)
    merge_archives([b], into)

    conn = sqlite3.connect(into)
    assert conn.execute("select title, version, changed_at from articles").fetchall() == [
        ("Mới", 2, "2024-05-01T00:00:00+00:00")
    ]
    assert conn.execute("select ref from doc_refs").fetchall() == [("959/QĐ-UBND",)]


def test_merging_the_same_source_again_changes_nothing(tmp_path):
    a, b, into = tmp_path / "a.db", tmp_path / "b.db", tmp_path / "all.db"
    entry = {"name": "Ông A", "phones": [{"e164": "+84913658627"}], "emails": []}
    make_archive(
        a,
        [("2024-01-01T00:00:00+00:00", record("Bản 1", "Nội dung 1"))],
        contacts=[("2024-01-01T00:00:00+00:00", entry)],
        runs=["2024-01-01T00:00:00+00:00"],
    )
    make_archive(
        b,
        [("2024-02-01T00:00:00+00:00", record("Bản 2", "Nội dung 2"))],
        contacts=[("2024-02-01T00:00:00+00:00", entry)],
        runs=["2024-02-01T00:00:00+00:00"],
    )
    merge_archives([a, b], into)
    before = dump(into)
    files_before = sorted(p.name for p in default_warc_dir(into).iterdir())

    reports = merge_archives([a, b, a], into)

    assert dump(into) == before
    assert sorted(p.name for p in default_warc_dir(into).iterdir()) == files_before
    assert [
        (r.articles_new, r.articles_updated, r.versions_added, r.runs_added, r.warc_files_added)
        for r in reports
    ] == [(0, 0, 0, 0, 0)] * 3
    assert [r.warc_files_present for r in reports] == [1, 1, 1]


def test_contacts_keep_first_and_last_sightings_across_archives(tmp_path):
    a, b, into = tmp_path / "a.db", tmp_path / "b.db", tmp_path / "all.db"
    entry = {"name": "Ông A", "phones": [{"e164": "+84913658627"}], "emails": []}
    make_archive(
        a,
        [],
        contacts=[("2024-03-01T00:00:00+00:00", entry), ("2024-04-01T00:00:00+00:00", entry)],
    )
    make_archive(b, [], contacts=[("2024-01-01T00:00:00+00:00", entry)])

    merge_archives([a, b], into)

    conn = sqlite3.connect(into)
    assert conn.execute("select name, first_seen, last_seen from contacts").fetchall() == [
        ("Ông A", "2024-01-01T00:00:00+00:00", "2024-04-01T00:00:00+00:00")
    ]


def test_runs_are_appended_once_each(tmp_path):
    a, b, into = tmp_path / "a.db", tmp_path / "b.db", tmp_path / "all.db"
    make_archive(a, [], runs=["2024-01-01T00:00:00+00:00", "2024-01-02T00:00:00+00:00"])
    make_archive(b, [], runs=["2024-01-03T00:00:00+00:00"])

    merge_archives([a, b, b], into)

    conn = sqlite3.connect(into)
    assert conn.execute("select id, started_at, pages_fetched from crawl_runs").fetchall() == [
        (1, "2024-01-01T00:00:00+00:00", 3),
        (2, "2024-01-02T00:00:00+00:00", 3),
        (3, "2024-01-03T00:00:00+00:00", 3),
    ]


def test_a_removal_after_the_latest_capture_marks_the_article_removed(tmp_path):
    a, b, into = tmp_path / "a.db", tmp_path / "b.db", tmp_path / "all.db"
    make_archive(a, [("2024-01-01T00:00:00+00:00", record("Tin", "Nội dung"))])
    make_archive(b, [("2024-01-01T00:00:00+00:00", record("Tin", "Nội dung"))])
    archive = Archive(b)
    archive.mark_removed(URL, removed_at="2024-06-01T00:00:00+00:00", http_status=404)
    archive.close()

    merge_archives([a, b], into)

    conn = sqlite3.connect(into)
    assert conn.execute(
        "select status, removed_at, http_status, version from articles"
    ).fetchall() == [("removed", "2024-06-01T00:00:00+00:00", 404, 1)]


def test_refuses_sources_it_cannot_merge_safely(tmp_path):
    a, into = tmp_path / "a.db", tmp_path / "all.db"
    make_archive(a, [("2024-01-01T00:00:00+00:00", record("Tin", "Nội dung"))])
    with pytest.raises(MergeError, match="no archive at"):
        merge_archives([tmp_path / "missing.db"], into)
    with pytest.raises(MergeError, match="is the target itself"):
        merge_archives([a], a)
    not_sqlite = tmp_path / "notes.txt"
    not_sqlite.write_text("không phải SQLite " * 100)
    with pytest.raises(MergeError, match=r"cannot read .*notes\.txt as an archive"):
        merge_archives([not_sqlite], into)
    with pytest.raises(MergeError, match=r"cannot open .*notes\.txt as an archive"):
        merge_archives([a], not_sqlite)
    unfinished = default_warc_dir(a) / "vngov-1-2-00001.warc.gz.open"
    unfinished.write_bytes(b"")
    with pytest.raises(MergeError, match="unfinished WARC files"):
        merge_archives([a], into)
    unfinished.unlink()
    conn = sqlite3.connect(a)
    conn.execute(
        "insert into _sqlite_migrations (migration_set, name, applied_at)"
        " values ('vngov-archive', 'm999_future', '2030-01-01')"
    )
    conn.commit()
    conn.close()
    with pytest.raises(MergeError, match="newer vngov-archive"):
        merge_archives([a], into)


def test_merge_command_prints_a_json_report(tmp_path):
    a, into = tmp_path / "a.db", tmp_path / "all.db"
    make_archive(a, [("2024-01-01T00:00:00+00:00", record("Tin", "Nội dung"))])

    result = CliRunner().invoke(cli, ["merge", str(a), "--into", str(into), "--link"])

    assert result.exit_code == 0, result.output
    [report] = json.loads(result.stdout)
    assert (report["articles_new"], report["warc_files_added"]) == (1, 1)
    warc = next(default_warc_dir(into).glob("*.warc.gz"))
    assert warc.stat().st_nlink == 2  # hard-linked, not copied

    missing = CliRunner().invoke(cli, ["merge", str(tmp_path / "x.db"), "--into", str(into)])
    assert missing.exit_code == 1
    assert missing.output.strip() == f"Error: no archive at {tmp_path / 'x.db'}"


def test_tables_without_rules_of_their_own_merge_by_key(tmp_path):
    """Tables a later migration adds merge generically: by primary key, or appended once
    when the key is a plain row id."""
    a, into = tmp_path / "a.db", tmp_path / "all.db"
    make_archive(a, [])
    Archive(into).close()
    for path in (a, into):
        conn = sqlite3.connect(path)
        conn.execute("create table notes (id integer primary key, text text)")
        conn.execute("create table labels (name text primary key, colour text)")
        conn.commit()
        conn.close()
    conn = sqlite3.connect(a)
    conn.execute("insert into notes (text) values ('một'), ('hai')")
    conn.execute("insert into labels values ('đỏ', 'red')")
    conn.execute("insert into watches (name, query) values ('tuyen dung', 'tuyen dung')")
    conn.commit()
    conn.close()
    conn = sqlite3.connect(into)
    conn.execute("insert into notes (text) values ('ba')")
    conn.commit()
    conn.close()

    merge_archives([a, a], into)

    conn = sqlite3.connect(into)
    assert conn.execute("select id, text from notes order by id").fetchall() == [
        (1, "ba"),
        (2, "một"),
        (3, "hai"),
    ]
    assert conn.execute("select * from labels").fetchall() == [("đỏ", "red")]
    assert conn.execute("select name, query from watches").fetchall() == [
        ("tuyen dung", "tuyen dung")
    ]


def test_a_newer_row_from_an_older_schema_leaves_no_stale_column(tmp_path):
    """An archive made before a column existed (final_url, m010) wins with a newer fetch:
    the merged row must not keep the other fetch's value for that column."""
    old, into = tmp_path / "old.db", tmp_path / "all.db"
    for path, fetched_at, sha, final_url in (
        (into, "2026-01-01T00:00:00+07:00", "a" * 64, "https://files.angiang.gov.vn/a.pdf"),
        (old, "2026-06-01T00:00:00+07:00", "b" * 64, None),
    ):
        archive = Archive(path)
        archive.store_attachment(
            {
                "url": "https://angiang.gov.vn/files/a.pdf",
                "site": "angiang-ubnd",
                "sha256": sha,
                "fetched_at": fetched_at,
                "final_url": final_url,
            }
        )
        archive.close()
    conn = sqlite3.connect(old)
    conn.execute("alter table attachments drop column final_url")
    conn.commit()
    conn.close()

    merge_archives([old], into)

    conn = sqlite3.connect(into)
    assert conn.execute("select sha256, final_url from attachments").fetchall() == [
        ("b" * 64, None)
    ]
