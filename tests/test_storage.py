"""The archive keeps one row per article, every version, and one row per distinct contact."""

from __future__ import annotations

import json

import pytest

from archive.storage import Archive, ArchiveNotFound

RECORD = {
    "url": "https://sonoivu.angiang.gov.vn/wps/portal/Home/tin-tuc/tin-chi-tiet/cchc/a",
    "canonical_url": "https://sonoivu.angiang.gov.vn/wps/portal/Home/tin-tuc/tin-chi-tiet/cchc/a",
    "title": "Hội nghị triển khai công tác cải cách hành chính năm 2024",
    "published_at": "2024-02-06T08:37:00+07:00",
    "published_text": "08:37 06/02/2024",
    "body": "Sáng ngày 05/02/2024, Sở Nội vụ tổ chức Hội nghị.",
    "author": "Mạnh Cường",
    "images": [],
    "attachments": [],
}
CONTACTS = [
    {
        "title": "đường dây nóng ngành nội vụ an giang",
        "entries": [
            {
                "position": 1,
                "honorific": "Ông",
                "name": "Ngô Hồng Yến",
                "role": "Giám Đốc Sở",
                "unit": None,
                "text": "Ông Ngô Hồng Yến (Giám Đốc Sở)\nĐiện thoại: 0913.658.627",
                "phones": [{"raw": "0913.658.627", "e164": "+84913658627", "kind": "mobile"}],
                "emails": [],
            }
        ],
    }
]


@pytest.fixture()
def archive(tmp_path):
    archive = Archive(tmp_path / "a.db")
    yield archive
    archive.close()


def test_same_page_twice_changes_nothing(archive):
    assert archive.store_article(RECORD, site="s", fetched_at="2024-02-07T00:00:00+00:00") == "new"
    before = list(archive.db.query("select * from articles"))
    assert archive.store_article(RECORD, site="s", fetched_at="2024-03-01T00:00:00+00:00") == (
        "unchanged"
    )
    assert list(archive.db.query("select * from articles")) == before
    assert archive.count("article_versions") == 1


def test_changed_page_keeps_the_old_version(archive):
    archive.store_article(RECORD, site="s", fetched_at="2024-02-07T00:00:00+00:00")
    edited = {**RECORD, "body": RECORD["body"] + " Đã cập nhật số liệu."}
    assert archive.store_article(edited, site="s", fetched_at="2024-02-08T00:00:00+00:00") == (
        "changed"
    )
    [row] = archive.db.query("select body, version, first_seen, changed_at from articles")
    assert row == {
        "body": edited["body"],
        "version": 2,
        "first_seen": "2024-02-07T00:00:00+00:00",
        "changed_at": "2024-02-08T00:00:00+00:00",
    }
    versions = list(archive.db.query("select version, record from article_versions order by 1"))
    assert [json.loads(v["record"])["body"] for v in versions] == [RECORD["body"], edited["body"]]


def test_search_index_follows_the_current_version(archive):
    archive.store_article(RECORD, site="s", fetched_at="2024-02-07T00:00:00+00:00")
    edited = {**RECORD, "title": "Tổng kết công tác văn thư lưu trữ"}
    archive.store_article(edited, site="s", fetched_at="2024-02-08T00:00:00+00:00")
    hits = lambda q: archive.db.execute(  # noqa: E731
        "select count(*) from articles_fts where articles_fts match ?", [q]
    ).fetchone()[0]
    assert hits("luu tru") == 1
    assert hits("cai cach") == 0


def test_only_a_change_of_indexed_text_reindexes_the_article(archive):
    """Marking an article removed, or live again, leaves its full-text entry alone; storing
    it also links it as a republished copy without a second pass over its text."""
    statements: list[str] = []
    archive.db.conn.set_trace_callback(statements.append)
    archive.store_article(RECORD, site="s", fetched_at="2024-02-07T00:00:00+00:00")
    fts_writes = lambda: [s for s in statements if "articles_fts" in s]  # noqa: E731
    stored = len(fts_writes())
    assert stored > 0
    assert archive.mark_removed(
        RECORD["url"], removed_at="2024-03-01T00:00:00+00:00", http_status=404
    )
    archive.store_article(RECORD, site="s", fetched_at="2024-03-02T00:00:00+00:00")  # live again
    assert len(fts_writes()) == stored
    [row] = archive.db.query("select status, dup_key from articles")
    assert row["status"] == "live" and row["dup_key"]
    archive.db.conn.set_trace_callback(None)


def test_contacts_are_one_row_per_entry_per_site(archive):
    assert archive.store_contacts(CONTACTS, site="s", page_url="u1", seen_at="2024-01-01") == 1
    assert archive.store_contacts(CONTACTS, site="s", page_url="u2", seen_at="2024-02-01") == 0
    assert archive.store_contacts(CONTACTS, site="other", page_url="u3", seen_at="2024-02-01") == 1
    rows = list(
        archive.db.query("select site, name, first_seen, last_seen, first_url from contacts")
    )
    assert rows == [
        {
            "site": "s",
            "name": "Ngô Hồng Yến",
            "first_seen": "2024-01-01",
            "last_seen": "2024-02-01",
            "first_url": "u1",
        },
        {
            "site": "other",
            "name": "Ngô Hồng Yến",
            "first_seen": "2024-02-01",
            "last_seen": "2024-02-01",
            "first_url": "u3",
        },
    ]


def test_opening_a_missing_archive_for_reading_is_a_clear_error(tmp_path):
    with pytest.raises(ArchiveNotFound, match="no archive at"):
        Archive(tmp_path / "missing.db", create=False)
    assert not (tmp_path / "missing.db").exists()


def test_wal_mode(archive):
    assert archive.db.execute("pragma journal_mode").fetchone()[0] == "wal"
