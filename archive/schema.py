"""The archive's schema, as sqlite-utils migrations applied in order on open.

Never edit a migration that has shipped: add a new one, so every existing archive upgrades.
"""

from __future__ import annotations

import json
import re
import tomllib
from importlib import resources

import sqlite_utils

from crawler.parsers.text import strip_diacritics

migrations = sqlite_utils.Migrations("vngov-archive")

# đ/Đ have no Unicode decomposition, so FTS5's remove_diacritics never folds them to d/D.
# These generated columns fold them one for one: lengths stay equal, so match offsets in the
# folded text are offsets in the original, which is what lets snippets show the original.
FOLD_SQL = "replace(replace(coalesce({col}, ''), 'đ', 'd'), 'Đ', 'D')"
SEARCH_COLUMNS = ("title", "summary", "body")
FTS_TOKENIZE = "unicode61 remove_diacritics 2"


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    db["sites"].create(
        {
            "id": str,
            "name": str,
            "agency": str,
            "platform": str,
            "province": str,
            "province_now": str,
            "base_url": str,
        },
        pk="id",
    )
    folded = ",\n".join(
        f"  {col}_folded TEXT GENERATED ALWAYS AS ({FOLD_SQL.format(col=col)}) VIRTUAL"
        for col in SEARCH_COLUMNS
    )
    db.execute(
        f"""
        CREATE TABLE articles (
          id INTEGER PRIMARY KEY,
          url_key TEXT NOT NULL UNIQUE,
          url TEXT NOT NULL,
          site TEXT REFERENCES sites(id),
          title TEXT,
          category TEXT,
          summary TEXT,
          body TEXT NOT NULL DEFAULT '',
          published_at TEXT,
          published_text TEXT,
          author TEXT,
          source TEXT,
          byline TEXT,
          images TEXT,
          attachments TEXT,
          language TEXT,
          extraction TEXT,
          warnings TEXT,
          content_hash TEXT NOT NULL,
          version INTEGER NOT NULL,
          http_status INTEGER,
          first_seen TEXT NOT NULL,
          changed_at TEXT NOT NULL,
        {folded}
        )
        """
    )
    db["articles"].create_index(["site", "published_at"])
    db["articles"].enable_fts(
        [f"{col}_folded" for col in SEARCH_COLUMNS],
        tokenize=FTS_TOKENIZE,
        create_triggers=True,
    )
    db["article_versions"].create(
        {
            "article_id": int,
            "version": int,
            "content_hash": str,
            "captured_at": str,
            "http_status": int,
            "record": str,
        },
        pk=("article_id", "version"),
        foreign_keys=[("article_id", "articles", "id")],
    )
    db["contacts"].create(
        {
            "id": str,
            "site": str,
            "block_title": str,
            "position": int,
            "honorific": str,
            "name": str,
            "role": str,
            "unit": str,
            "phones": str,
            "phones_e164": str,
            "emails": str,
            "text": str,
            "first_seen": str,
            "last_seen": str,
            "first_url": str,
        },
        pk="id",
    )
    db["contacts"].create_index(["site"])
    db["crawl_runs"].create(
        {
            "id": int,
            "site": str,
            "started_at": str,
            "finished_at": str,
            "finish_reason": str,
            "pages_fetched": int,
            "articles_new": int,
            "articles_changed": int,
            "articles_unchanged": int,
            "contacts_new": int,
            "errors": int,
            "stats": str,
            "settings": str,
        },
        pk="id",
    )


@migrations()
def m002_provenance_docrefs_provinces(db: sqlite_utils.Database) -> None:
    """Fetch provenance on every version, document references, and the province lineage."""
    provenance = {
        "fetched_at_local": str,  # the same instant with +07:00
        "final_url": str,  # after redirects
        "payload_digest": str,  # sha256 of the body as received
        "parser_version": str,
        "warc_filename": str,
        "warc_offset": int,
        "warc_length": int,
    }
    for column, kind in {
        "updated_at": str,
        "updated_text": str,
        "doc_refs": str,  # JSON list, also exploded into the doc_refs table
        "province": str,  # the site's province at publication
        "province_now": str,  # the province it belongs to since 1 July 2025
        "status": str,  # "live" or "removed"
        "removed_at": str,
        "fetched_at": str,
        **provenance,
    }.items():
        db["articles"].add_column(column, kind)
    for column, kind in provenance.items():
        db["article_versions"].add_column(column, kind)
    db.execute("update articles set status = 'live' where status is null")
    db["doc_refs"].create(
        {
            "article_id": int,
            "ref": str,  # normalised, as written in official style: "959/QĐ-UBND"
            "ref_folded": str,  # lower-case, đ folded, for matching what users type
            "type": str,  # "Quyết định", "Nghị định", ...
            "number": str,
            "year": int,
            "issuer": str,  # issuer code: "UBND", "TTg", "CP"
        },
        pk=("article_id", "ref"),
        foreign_keys=[("article_id", "articles", "id")],
    )
    db["doc_refs"].create_index(["ref_folded"])
    db["provinces"].create(
        {"name": str, "name_folded": str, "now": str, "city": int, "aliases": str}, pk="name"
    )
    db["provinces"].insert_all(_province_rows())


def _province_rows() -> list[dict]:
    data = tomllib.loads(
        resources.files("archive.data").joinpath("provinces.toml").read_text("utf-8")
    )
    return [
        {
            "name": p["name"],
            "name_folded": strip_diacritics(p["name"]),
            "now": p["now"],
            "city": int(p.get("city", False)),
            "aliases": json.dumps(p.get("aliases", []), ensure_ascii=False),
        }
        for p in data["province"]
    ]


@migrations()
def m004_fetch_state_and_attachments(db: sqlite_utils.Database) -> None:
    """Per-URL fetch state (validators, revisit schedule) and archived attachments.

    Fetch bookkeeping lives apart from ``articles`` so that revisiting an unchanged page
    leaves the article rows exactly as they were.
    """
    db["url_state"].create(
        {
            "url_key": str,
            "site": str,
            "etag": str,
            "last_modified": str,
            "last_fetched": str,
            "last_status": int,
            "fetch_count": int,
            "not_modified_count": int,
        },
        pk="url_key",
    )
    db["url_state"].create_index(["site"])
    db["attachments"].create(
        {
            "url": str,
            "site": str,
            "article_url_key": str,
            "text": str,
            "http_status": int,
            "sha256": str,
            "size": int,
            "content_type": str,
            "truncated": int,
            "fetched_at": str,
            "warc_filename": str,
            "warc_offset": int,
            "warc_length": int,
        },
        pk="url",
    )
    db["attachments"].create_index(["article_url_key"])


@migrations()
def m006_run_details(db: sqlite_utils.Database) -> None:
    """Crawl runs also record removals, errors by kind and their duration."""
    for column, kind in {
        "articles_removed": int,
        "errors_by_kind": str,  # JSON object: {"http_500": 3, "TimeoutError": 1}
        "duration_seconds": float,
    }.items():
        db["crawl_runs"].add_column(column, kind)


@migrations()
def m005_duplicates(db: sqlite_utils.Database) -> None:
    """Republished announcements: ``dup_key`` (normalised title, date and body) and
    ``duplicate_of``, the id of the first capture of the same announcement on any site."""
    db["articles"].add_column("dup_key", str)
    db["articles"].add_column("duplicate_of", int)
    db["articles"].create_index(["dup_key"])


@migrations()
def m003_watches(db: sqlite_utils.Database) -> None:
    """Saved searches (``vngov watch``) and the publication-date index that sorting by date
    and date filters walk (without it, ``--sort date`` sorts every match)."""
    db["watches"].create(
        {
            "name": str,
            "query": str,
            "filters": str,  # JSON object of archive.search.SearchFilters fields that are set
            "exact": int,
            "created_at": str,  # UTC ISO 8601: the feed reports what is new or changed since
        },
        pk="name",
    )
    db["articles"].create_index(
        ["published_at"], index_name="articles_published_at", if_not_exists=True
    )


@migrations()
def m007_contact_kind_and_address(db: sqlite_utils.Database) -> None:
    """Contacts from site footers sit beside hotline widgets: ``kind`` tells them apart."""
    db["contacts"].add_column("kind", str)
    db["contacts"].add_column("address", str)
    db.execute("update contacts set kind = 'widget' where kind is null")


@migrations()
def m008_reindex_only_indexed_columns(db: sqlite_utils.Database) -> None:
    """Re-index an article in full-text search only when an indexed column changes.

    sqlite-utils' update trigger fires on any update, so marking an article removed or
    linking a republished copy tokenised its whole text twice more.
    """
    columns = ", ".join(SEARCH_COLUMNS)
    found = db.execute(
        "select sql from sqlite_master where type = 'trigger' and name = 'articles_au'"
    ).fetchone()
    if found is None:
        raise RuntimeError("m008: the archive has no articles_au trigger; is it a vngov archive?")
    sql, count = re.subn(
        r'AFTER\s+UPDATE\s+ON\s+"?articles"?',
        f'AFTER UPDATE OF {columns} ON "articles"',
        found[0],
        count=1,
        flags=re.IGNORECASE,
    )
    if count != 1:
        raise RuntimeError(f"m008: unexpected articles_au trigger: {found[0]}")
    db.execute("drop trigger articles_au")
    db.execute(sql)


@migrations()
def m009_attachment_versions(db: sqlite_utils.Database) -> None:
    """Every distinct capture of an attachment, not only the latest: a decision replaced by a
    corrected PDF under the same URL keeps both. Rows are keyed by row id (captures of one
    URL are ordered by ``fetched_at``), so archives from several machines merge by appending
    the captures the target lacks."""
    db["attachment_versions"].create(
        {
            "id": int,
            "url": str,
            "sha256": str,
            "size": int,
            "content_type": str,
            "truncated": int,
            "http_status": int,
            "fetched_at": str,
            "warc_filename": str,
            "warc_offset": int,
            "warc_length": int,
        },
        pk="id",
    )
    db["attachment_versions"].create_index(["url", "fetched_at"])
    db.execute(
        """
        insert into attachment_versions (url, sha256, size, content_type, truncated,
          http_status, fetched_at, warc_filename, warc_offset, warc_length)
        select url, sha256, size, content_type, truncated, http_status, fetched_at,
          warc_filename, warc_offset, warc_length
        from attachments
        """
    )


@migrations()
def m010_attachment_final_url(db: sqlite_utils.Database) -> None:
    """Where a document's fetch ended when its linked address redirected (a file store): the
    row is kept under the linked address, as articles are; its WARC record is the final
    address's. Null for earlier captures and for documents fetched without a redirect."""
    for table in ("attachments", "attachment_versions"):
        db[table].add_column("final_url", str)
