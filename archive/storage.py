"""The SQLite archive: sites, articles with every version kept, contacts, crawl runs.

Built on sqlite-utils. Writes are transactional and idempotent: storing a page whose
normalised content did not change writes nothing; a changed page becomes a new version and
the old one stays. The database runs in WAL mode so searches can read while a crawl writes.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlite_utils
from sqlite_utils.db import NotFoundError

from archive.schema import migrations
from crawler.parsers.dates import VN_TZ
from crawler.parsers.docrefs import fold_doc_ref
from crawler.parsers.text import strip_diacritics

# Fields whose change makes a new version. Contacts are site furniture repeated on every page:
# a changed hotline is tracked in the contacts table, not as a new version of every article.
CONTENT_FIELDS = (
    "title",
    "category",
    "summary",
    "published_at",
    "author",
    "source",
    "body",
    "images",
    "attachments",
)
# Columns of an article row, grouped for reports: what the page said, which of those are JSON,
# and how it was fetched (see _provenance).
RECORD_COLUMNS = (
    "id",
    "url",
    "site",
    "title",
    "category",
    "summary",
    "published_at",
    "published_text",
    "updated_at",
    "author",
    "source",
    "body",
)
# What each capture of an attachment records (see Archive.store_attachment).
ATTACHMENT_VERSION_COLUMNS = (
    "url",
    "sha256",
    "size",
    "content_type",
    "truncated",
    "http_status",
    "fetched_at",
    "warc_filename",
    "warc_offset",
    "warc_length",
    "final_url",
)
JSON_COLUMNS = ("images", "attachments", "doc_refs")
PROVENANCE_COLUMNS = (
    "fetched_at",
    "fetched_at_local",
    "final_url",
    "payload_digest",
    "parser_version",
    "warc_filename",
    "warc_offset",
    "warc_length",
)
BUSY_TIMEOUT_SECONDS = 30
MERGER_DATE = "2025-07-01"  # 63 provinces became 34 (Nghị quyết 202/2025/QH15)


class ArchiveNotFound(Exception):
    """There is no archive database at that path."""


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def content_hash(record: Mapping[str, Any]) -> str:
    """A digest of the fields that make an article what it is (see ``CONTENT_FIELDS``)."""
    content = {name: record.get(name) for name in CONTENT_FIELDS}
    data = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


_NOT_WORD = re.compile(r"[\W_]+")


def duplicate_key(title: str | None, published_at: str | None, body: str | None) -> str | None:
    """What republished copies of one announcement share: title, day and body, compared
    without case, diacritics (so either tone placement), punctuation or spacing.

    None when there is no title or body to compare.
    """
    if not title or not body:
        return None

    def fold(text: str) -> str:
        return " ".join(_NOT_WORD.sub(" ", strip_diacritics(text)).split())

    day = (published_at or "")[:10]
    body_digest = hashlib.sha256(fold(body).encode("utf-8")).hexdigest()[:32]
    return hashlib.sha256(f"{fold(title)}|{day}|{body_digest}".encode()).hexdigest()[:32]


def article_duplicate_key(row: Mapping[str, Any]) -> str | None:
    """:func:`duplicate_key` of an article row or record: its title, date, summary and body."""
    text = "\n\n".join(part for part in (row.get("summary"), row.get("body")) if part)
    return duplicate_key(row.get("title"), row.get("published_at"), text)


class StoreOutcome(str):
    """What :meth:`Archive.store_article` did: ``"new"``, ``"changed"`` or ``"unchanged"``,
    and, for a stored article, the id of the first capture it republishes (or None)."""

    duplicate_of: int | None

    def __new__(cls, outcome: str, duplicate_of: int | None = None) -> StoreOutcome:
        value = super().__new__(cls, outcome)
        value.duplicate_of = duplicate_of
        return value


def contact_id(site: str, block_title: str, entry: Mapping[str, Any]) -> str:
    """A stable id for a contact entry: the same person and numbers on one site is one row."""
    key = [
        site,
        block_title.casefold(),
        entry.get("honorific"),
        entry.get("name"),
        entry.get("role"),
        entry.get("unit"),
        sorted(p["e164"] for p in entry.get("phones", [])),
        sorted(entry.get("emails", [])),
    ]
    return hashlib.sha256(json.dumps(key, ensure_ascii=False).encode()).hexdigest()[:16]


def open_database(path: str | Path, *, create: bool = True) -> sqlite_utils.Database:
    """Open (and migrate) the archive at ``path`` in WAL mode with a generous busy timeout."""
    path = Path(path)
    if not create and not path.exists():
        raise ArchiveNotFound(f"no archive at {path}")
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_SECONDS)
    db = sqlite_utils.Database(conn)
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_SECONDS * 1000}")
    # In WAL mode NORMAL never corrupts the database; a power cut may lose the last commits,
    # which the next crawl fetches again. FULL would fsync every page stored.
    db.execute("PRAGMA synchronous = NORMAL")
    if create:
        db.enable_wal()
        migrations.apply(db)
    return db


class Archive:
    """Read and write one archive database."""

    def __init__(self, path: str | Path, *, create: bool = True):
        self.path = Path(path)
        self.db = open_database(self.path, create=create)

    def close(self) -> None:
        self.db.conn.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """A write transaction; nested, part of the enclosing one (an error undoes it all).

        Not a savepoint: nothing here goes on after a failed part of a transaction, and each
        savepoint made SQLite's full-text index write its pending terms out, a fifth of the
        cost of storing a page.

        It begins IMMEDIATE: a plain BEGIN reads first and asks for the write lock at the
        first write, and if another connection committed in between (the crawl's archive
        writer, another crawl) SQLite refuses at once with "database is locked", without
        waiting out the busy timeout.
        """
        if self.db.conn.in_transaction:
            yield
            return
        self.db.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
            self.db.conn.execute("COMMIT")
        except BaseException:
            # A failed COMMIT (disk full) must not leave the transaction open: every later
            # write would nest in it and be lost with it.
            if self.db.conn.in_transaction:
                self.db.conn.execute("ROLLBACK")
            raise

    def upsert_site(self, site: Mapping[str, Any]) -> None:
        """Record a site entry (from the registry) so articles can refer to it."""
        row = {
            "id": site["id"],
            "name": site.get("name"),
            "agency": site.get("agency"),
            "platform": site.get("platform"),
            "province": site.get("province"),
            "province_now": site.get("province_now"),
            "base_url": site.get("base_url"),
        }
        with self.transaction():
            self.db["sites"].upsert(row, pk="id")

    def store_article(
        self,
        record: Mapping[str, Any],
        *,
        site: str,
        fetched_at: str,
        http_status: int = 200,
        provenance: Mapping[str, Any] | None = None,
    ) -> StoreOutcome:
        """Store a parsed article; returns ``"new"``, ``"changed"`` or ``"unchanged"`` (a
        :class:`StoreOutcome`, which also names the article it republishes, if any).

        One row per canonical URL in ``articles`` holds the current version; every version,
        the first included, is also kept whole in ``article_versions`` with its provenance
        (``final_url``, ``payload_digest``, ``warc_filename``/``offset``/``length``). An
        unchanged page writes nothing, except that an article marked removed is live again.
        """
        url_key = record.get("canonical_url") or record["url"]
        digest = content_hash(record)
        fetch = _provenance(record, fetched_at, provenance)
        with self.transaction():
            existing = self.db.execute(
                "select id, version, content_hash, status, first_seen, dup_key from articles"
                " where url_key = ?",
                [url_key],
            ).fetchone()
            if existing and existing[2] == digest:
                if existing[3] == "removed":
                    _update(
                        self.db, "articles", existing[0], {"status": "live", "removed_at": None}
                    )
                if existing[5] is None:  # stored before duplicates were linked (m005)
                    return StoreOutcome("unchanged", self.link_duplicate(url_key))
                return StoreOutcome("unchanged")
            version = existing[1] + 1 if existing else 1
            row = _article_row(record, site=site, url_key=url_key)
            row.update(self._provinces(site, record.get("published_at")))
            row.update(fetch, content_hash=digest, version=version, changed_at=fetched_at)
            row.update(http_status=http_status, status="live", removed_at=None)
            # Linked here, in the row written anyway: a later update would re-index the text.
            first_seen = existing[4] if existing else fetched_at
            row["dup_key"] = article_duplicate_key(row)
            row["duplicate_of"] = self._first_capture(
                row["dup_key"], existing[0] if existing else None, first_seen
            )
            if existing:
                article_id = existing[0]
                _update(self.db, "articles", article_id, row)
                if existing[5] != row["dup_key"]:  # copies linked to it may no longer be copies
                    self._relink_copies_of(article_id)
            else:
                row["first_seen"] = fetched_at
                article_id = _insert(self.db, "articles", row)
            _insert(
                self.db,
                "article_versions",
                {
                    "article_id": article_id,
                    "version": version,
                    "content_hash": digest,
                    "captured_at": fetched_at,
                    "http_status": http_status,
                    "record": json.dumps(dict(record), ensure_ascii=False),
                    **{k: v for k, v in fetch.items() if k != "fetched_at"},
                },
            )
            self._store_doc_refs(article_id, record.get("doc_refs") or [])
        return StoreOutcome("changed" if existing else "new", row["duplicate_of"])

    def apply_reparse(self, article_id: int, version: int, record: Mapping[str, Any]) -> None:
        """Replace a version's record with a re-extraction from its capture (``vngov reparse``).

        The version keeps its capture and fetch time; its parser version becomes the one that
        produced the new record. When it is the current version, the article row follows.
        """
        parser_version = (record.get("extraction") or {}).get("parser_version")
        with self.transaction():
            self.db["article_versions"].update(
                (article_id, version),
                {
                    "record": json.dumps(dict(record), ensure_ascii=False),
                    "content_hash": content_hash(record),
                    "parser_version": parser_version,
                },
            )
            current = self.db["articles"].get(article_id)
            if current["version"] == version:
                row = _article_row(record, site=current["site"], url_key=current["url_key"])
                row.update(content_hash=content_hash(record), parser_version=parser_version)
                self.db["articles"].update(article_id, row)
                self._store_doc_refs(article_id, record.get("doc_refs") or [])

    def _provinces(self, site: str, published_at: str | None) -> dict[str, str | None]:
        """The site's province when the article was published, and the province it is in now.

        The registry gives the province a site belonged to before 1 July 2025; an article
        published on or after that day was already published in the merged province.
        """
        row = next(
            self.db.query(
                """select s.province, coalesce(p.now, s.province_now, s.province) as now
                   from sites s left join provinces p on p.name = s.province where s.id = ?""",
                [site],
            ),
            None,
        )
        if row is None:
            return {"province": None, "province_now": None}
        after_merger = bool(published_at) and published_at[:10] >= MERGER_DATE
        return {
            "province": row["now"] if after_merger else row["province"],
            "province_now": row["now"],
        }

    def _store_doc_refs(self, article_id: int, refs: Iterable[Mapping[str, Any]]) -> None:
        self.db.execute("delete from doc_refs where article_id = ?", [article_id])
        rows = [
            {
                "article_id": article_id,
                "ref": ref["ref"],
                "ref_folded": ref.get("ref_folded") or fold_doc_ref(ref["ref"]),
                "type": ref.get("type"),
                "number": ref.get("number"),
                "year": ref.get("year"),
                "issuer": ref.get("issuer"),
            }
            for ref in refs
        ]
        for row in {r["ref"]: r for r in rows}.values():
            _insert(self.db, "doc_refs", row)

    def store_contacts(
        self, blocks: Iterable[Mapping[str, Any]], *, site: str, page_url: str, seen_at: str
    ) -> int:
        """Record the contact entries seen on a page; returns how many were new to the site."""
        rows = {}
        for block in blocks:
            for entry in block["entries"]:
                cid = contact_id(site, block["title"], entry)
                kind = block.get("kind", "widget")
                rows[cid] = _contact_row(
                    cid, site, block["title"], entry, page_url, seen_at, kind=kind
                )
        if not rows:
            return 0
        marks = ", ".join("?" * len(rows))
        with self.transaction():
            known = {
                r[0]
                for r in self.db.execute(
                    f"select id from contacts where id in ({marks})", list(rows)
                )
            }
            for cid, row in rows.items():
                if cid not in known:
                    _insert(self.db, "contacts", row)
            self.db.conn.executemany(
                "update contacts set last_seen = ? where id = ?", [(seen_at, c) for c in known]
            )
        return len(rows) - len(known)

    def known_article_urls(self, site: str) -> set[str]:
        """Canonical URLs of the site's archived articles (for incremental listing walks)."""
        return {
            row["url_key"]
            for row in self.db.query("select url_key from articles where site = ?", [site])
        }

    def fetch_validators(self, site: str) -> dict[str, tuple[str | None, str | None]]:
        """``url_key → (etag, last_modified)`` of the site's fetched URLs that have any."""
        rows = self.db.query(
            """
            select url_key, etag, last_modified from url_state
            where site = ? and (etag is not null or last_modified is not null)
            """,
            [site],
        )
        return {row["url_key"]: (row["etag"], row["last_modified"]) for row in rows}

    def last_complete_walk(self, site: str) -> str | None:
        """When a crawl of the site last finished walking every listing to its end (the
        spider's ``vngov/walk_complete`` stat), or None if none ever did."""
        row = next(
            self.db.query(
                """
                select max(finished_at) as finished_at from crawl_runs
                where site = ? and finish_reason = 'finished'
                  and json_extract(stats, '$."vngov/walk_complete"') = 1
                """,
                [site],
            ),
            None,
        )
        return row["finished_at"] if row else None

    def link_duplicate(self, url_key: str) -> int | None:
        """Link an article to the first capture of the same announcement, on any site.

        Two captures are the same announcement when their title, publication date and text
        (summary and body: one portal's sapo is another's first paragraph) agree once
        normalised (see :func:`duplicate_key`). Sets ``dup_key`` and
        ``duplicate_of`` (the id of the earliest capture, or null for the first one) and
        returns ``duplicate_of``; writes nothing when both are already right.
        :meth:`store_article` links what it stores; this re-links an article whose earlier
        captures changed (``vngov merge``).
        """
        with self.transaction():
            row = next(
                self.db.query(
                    "select id, title, published_at, summary, body, first_seen, dup_key,"
                    " duplicate_of from articles where url_key = ?",
                    [url_key],
                ),
                None,
            )
            if row is None:
                return None
            key = article_duplicate_key(row)
            duplicate_of = self._first_capture(key, row["id"], row["first_seen"])
            if (row["dup_key"], row["duplicate_of"]) != (key, duplicate_of):
                _update(
                    self.db, "articles", row["id"], {"dup_key": key, "duplicate_of": duplicate_of}
                )
            return duplicate_of

    def _relink_copies_of(self, article_id: int) -> None:
        """Link again the articles that named ``article_id`` as the capture they republish."""
        copies = self.db.execute(
            "select url_key from articles where duplicate_of = ?", [article_id]
        ).fetchall()
        for (url_key,) in copies:
            self.link_duplicate(url_key)

    def _first_capture(
        self, key: str | None, article_id: int | None, first_seen: str
    ) -> int | None:
        """The id of the earliest other capture (by first seen, then id) with ``dup_key``
        ``key``, or None; ``article_id`` None is an article not stored yet."""
        if not key:
            return None
        found = self.db.execute(
            "select id from articles where dup_key = ? and id != ?"
            " and (first_seen < ? or (first_seen = ? and id < ?))"
            " order by first_seen, id limit 1",
            [key, article_id or -1, first_seen, first_seen, article_id or 2**62],
        ).fetchone()
        return found[0] if found else None

    def revisits_due(
        self, site: str, now: datetime, schedule_days: Iterable[int] = (1, 7, 30)
    ) -> list[dict[str, Any]]:
        """Live articles due for a revisit, with their validators for a conditional request.

        An article first seen at ``t`` is due once after ``t + d`` for each ``d`` in the
        schedule: due when its last fetch happened before the latest such point it has passed.
        """
        rows = self.db.query(
            """
            select a.url_key, a.first_seen, s.etag, s.last_modified, s.last_fetched
            from articles a left join url_state s on s.url_key = a.url_key
            where a.site = ? and coalesce(a.status, 'live') = 'live'
            """,
            [site],
        )
        due = []
        for row in rows:
            first_seen = datetime.fromisoformat(row["first_seen"])
            points = [first_seen + timedelta(days=d) for d in sorted(schedule_days)]
            passed = [p for p in points if p <= now]
            last = datetime.fromisoformat(row["last_fetched"] or row["first_seen"])
            if passed and last < passed[-1]:
                due.append(
                    {
                        "url": row["url_key"],
                        "etag": row["etag"],
                        "last_modified": row["last_modified"],
                    }
                )
        return due

    def record_fetch(
        self,
        url_key: str,
        *,
        site: str,
        fetched_at: str,
        status: int,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> None:
        """Remember when a URL was last fetched and its validators (ETag, Last-Modified)."""
        with self.transaction():
            self.db.execute(
                """
                insert into url_state (url_key, site, etag, last_modified, last_fetched,
                                       last_status, fetch_count, not_modified_count)
                values (:url, :site, :etag, :lm, :at, :status, 1, :nm)
                on conflict(url_key) do update set
                  etag = coalesce(excluded.etag, url_state.etag),
                  last_modified = coalesce(excluded.last_modified, url_state.last_modified),
                  last_fetched = excluded.last_fetched,
                  last_status = excluded.last_status,
                  fetch_count = url_state.fetch_count + 1,
                  not_modified_count = url_state.not_modified_count + excluded.not_modified_count
                """,
                {
                    "url": url_key,
                    "site": site,
                    "etag": etag,
                    "lm": last_modified,
                    "at": fetched_at,
                    "status": status,
                    "nm": 1 if status == 304 else 0,
                },
            )

    def mark_removed(self, url_key: str, *, removed_at: str, http_status: int) -> bool:
        """Mark an archived article removed (it answered 404/410); never deletes anything.

        Returns False when the URL was never archived or is already marked removed.
        """
        with self.transaction():
            cursor = self.db.execute(
                """
                update articles set status = 'removed', removed_at = ?, http_status = ?
                where url_key = ? and coalesce(status, 'live') = 'live'
                """,
                [removed_at, http_status, url_key],
            )
            return cursor.rowcount > 0

    def store_attachment(self, row: Mapping[str, Any]) -> str:
        """Store an attachment's fetch; returns "new", "changed" or "unchanged" (by sha256).

        ``attachments`` holds the latest capture of each document; every capture whose
        content differs from the one before is also kept in ``attachment_versions``, so a
        document replaced on the site keeps the hash, size and WARC record of each version.
        """
        with self.transaction():
            try:
                existing = self.db["attachments"].get(row["url"])
            except NotFoundError:
                existing = None
            if existing is not None and existing["sha256"] == row.get("sha256"):
                return "unchanged"
            _insert(
                self.db,
                "attachment_versions",
                {name: row.get(name) for name in ATTACHMENT_VERSION_COLUMNS},
            )
            if existing is None:
                _insert(self.db, "attachments", row)
                return "new"
            self.db["attachments"].update(row["url"], dict(row))
            return "changed"

    def start_run(self, site: str, *, settings: Mapping[str, Any] | None = None) -> int:
        """Open a crawl-run record; returns its id."""
        with self.transaction():
            return (
                self.db["crawl_runs"]
                .insert(
                    {"site": site, "started_at": utc_now(), "settings": json.dumps(settings or {})}
                )
                .last_pk
            )

    def finish_run(self, run_id: int, **counts: Any) -> None:
        """Close a crawl-run record with its counts and finish reason."""
        counts = {k: json.dumps(v) if isinstance(v, dict) else v for k, v in counts.items()}
        with self.transaction():
            self.db["crawl_runs"].update(run_id, {"finished_at": utc_now(), **counts})

    def count(self, table: str) -> int:
        return self.db[table].count


def _insert(db: sqlite_utils.Database, table: str, row: Mapping[str, Any]) -> int:
    """Insert one row with plain SQL; returns its rowid.

    sqlite-utils' ``insert()`` introspects the table on every call, which made it most of the
    cost of storing a page; the hot paths know their columns.
    """
    columns = ", ".join(f"[{name}]" for name in row)
    marks = ", ".join("?" * len(row))
    cursor = db.execute(f"insert into [{table}] ({columns}) values ({marks})", list(row.values()))
    return cursor.lastrowid


def _update(db: sqlite_utils.Database, table: str, row_id: int, values: Mapping[str, Any]) -> None:
    """Update one row by ``id`` with plain SQL (see :func:`_insert` for why)."""
    assignments = ", ".join(f"[{name}] = ?" for name in values)
    db.execute(f"update [{table}] set {assignments} where id = ?", [*values.values(), row_id])


def _provenance(
    record: Mapping[str, Any], fetched_at: str, provenance: Mapping[str, Any] | None
) -> dict[str, Any]:
    """Fetch provenance columns: fetch time in UTC and +07:00, final URL, digest, capture."""
    provenance = provenance or {}
    local = datetime.fromisoformat(fetched_at).astimezone(VN_TZ).isoformat(timespec="seconds")
    return {
        "fetched_at": fetched_at,
        "fetched_at_local": local,
        "final_url": provenance.get("final_url") or record.get("url"),
        "payload_digest": provenance.get("payload_digest"),
        "parser_version": (record.get("extraction") or {}).get("parser_version"),
        "warc_filename": provenance.get("warc_filename"),
        "warc_offset": provenance.get("warc_offset"),
        "warc_length": provenance.get("warc_length"),
    }


def _article_row(record: Mapping[str, Any], *, site: str, url_key: str) -> dict[str, Any]:
    return {
        "url_key": url_key,
        "url": record["url"],
        "site": site,
        "title": record.get("title"),
        "category": record.get("category"),
        "summary": record.get("summary"),
        "body": record.get("body") or "",
        "published_at": record.get("published_at"),
        "published_text": record.get("published_text"),
        "author": record.get("author"),
        "source": record.get("source"),
        "byline": record.get("byline"),
        "images": json.dumps(record.get("images") or [], ensure_ascii=False),
        "attachments": json.dumps(record.get("attachments") or [], ensure_ascii=False),
        "language": record.get("language"),
        "extraction": json.dumps(record.get("extraction") or {}, ensure_ascii=False),
        "warnings": json.dumps(record.get("warnings") or [], ensure_ascii=False),
        "updated_at": record.get("updated_at"),
        "updated_text": record.get("updated_text"),
        "doc_refs": json.dumps(record.get("doc_refs") or [], ensure_ascii=False),
    }


def _contact_row(
    cid: str,
    site: str,
    block_title: str,
    entry: Mapping[str, Any],
    page_url: str,
    seen_at: str,
    kind: str = "widget",
) -> dict[str, Any]:
    phones = entry.get("phones", [])
    return {
        "id": cid,
        "site": site,
        "block_title": block_title,
        "position": entry.get("position"),
        "honorific": entry.get("honorific"),
        "name": entry.get("name"),
        "role": entry.get("role"),
        "unit": entry.get("unit"),
        "phones": json.dumps(phones, ensure_ascii=False),
        "phones_e164": " ".join(p["e164"] for p in phones),
        "emails": " ".join(entry.get("emails", [])),
        "text": entry.get("text"),
        "first_seen": seen_at,
        "last_seen": seen_at,
        "first_url": page_url,
        "kind": kind,
        "address": entry.get("address"),
    }
