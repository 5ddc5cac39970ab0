"""Merge archives made on several machines into one, keeping every version and no duplicate.

Each crawling machine writes its own archive (a shard of the sites, see ``crawler.shards``);
``vngov merge A.db B.db --into archive.db`` folds them together with their WARC files:

- ``articles`` by ``url_key``; their versions are de-duplicated by ``content_hash`` and
  ``captured_at`` and renumbered in capture order, and the article row shows the latest one.
  An article is removed when a removal was seen after its latest capture.
- tables of rows derived from an article's current version (``doc_refs`` and any other table
  with an ``article_id`` column) follow the archive that holds the latest version;
- ``contacts`` by id, keeping the first and last sightings across both;
- ``url_state`` and ``attachments`` keep the most recent fetch (``attachment_versions``, keyed
  by row id, gains the captures it lacks); ``sites`` are upserted;
- ``crawl_runs`` are appended once each (a run is its site and start time);
- any other table is merged by its primary key (kept when present), or appended when its key
  is a plain row id, so tables added by later migrations merge without code here.

WARC files and their CDXJ indexes are copied (or hard-linked) into the target's WARC directory
under their own names, which are unique (time to the microsecond, process id, serial), so the
captures every version points to stay where the version says. Merging is idempotent: merging
the same source again changes nothing. Sources are opened read-only and never modified.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from archive.storage import Archive
from crawler.warc import OPEN_SUFFIX, default_warc_dir

MIGRATIONS_TABLE = "_sqlite_migrations"
# Tables merged by rules of their own; every other table is merged generically.
SPECIAL_TABLES = ("articles", "article_versions", "contacts", "crawl_runs", "sites")
# Tables whose rows record the latest fetch of something: the most recent row wins.
LATEST_BY = {"url_state": "last_fetched", "attachments": "fetched_at"}
VERSION_KEY = ("content_hash", "captured_at")
RUN_KEY = ("site", "started_at")
TARGET, SOURCE = 0, 1  # which archive a version comes from; the target's first at a tie


class MergeError(Exception):
    """The archives cannot be merged as asked."""


@dataclass
class MergeReport:
    """What merging one source changed in the target."""

    source: str
    articles_new: int = 0
    articles_updated: int = 0
    versions_added: int = 0
    contacts_new: int = 0
    contacts_updated: int = 0
    runs_added: int = 0
    rows: dict[str, int] = field(default_factory=dict)  # other tables: rows written
    warc_files_added: int = 0
    warc_files_present: int = 0

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def merge_archives(
    sources: Iterable[str | Path], into: str | Path, *, link: bool = False
) -> list[MergeReport]:
    """Merge each archive of ``sources`` into the archive at ``into`` (created if missing)."""
    sources = [Path(s) for s in sources]
    into = Path(into)
    for source in sources:
        if not source.exists():
            raise MergeError(f"no archive at {source}")
        if into.exists() and os.path.samefile(source, into):
            raise MergeError(f"{source} is the target itself")
    try:
        target = Archive(into)
    except sqlite3.DatabaseError as error:
        raise MergeError(f"cannot open {into} as an archive: {error}") from None
    try:
        return [merge_archive(target, source, link=link) for source in sources]
    finally:
        target.close()


def merge_archive(target: Archive, source_path: Path, *, link: bool = False) -> MergeReport:
    """Merge one source archive (read-only) and its WARC files into ``target``."""
    report = MergeReport(source=str(source_path))
    source = _open_read_only(source_path)
    try:
        _check_compatible(target, source, source_path)
        _copy_warc_files(default_warc_dir(source_path), default_warc_dir(target.path), link, report)
        with target.db.atomic():
            _Merger(target, source, report).run()
    finally:
        source.close()
    return report


def _open_read_only(path: Path) -> sqlite3.Connection:
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True)
        conn.execute("select count(*) from sqlite_master").fetchone()
    except sqlite3.DatabaseError as error:
        raise MergeError(f"cannot read {path} as an archive: {error}") from None
    conn.row_factory = sqlite3.Row
    return conn


def _tables(conn: sqlite3.Connection) -> list[str]:
    """Ordinary tables: not SQLite's, not the migrations log, not full-text indexes."""
    rows = conn.execute("select name, sql from sqlite_master where type = 'table'").fetchall()
    virtual = [name for name, sql in rows if (sql or "").upper().startswith("CREATE VIRTUAL")]
    return [
        name
        for name, _ in rows
        if not name.startswith("sqlite_")
        and name != MIGRATIONS_TABLE
        and name not in virtual
        and not any(name.startswith(f"{v}_") for v in virtual)
    ]


def _applied(conn: sqlite3.Connection) -> set[str]:
    try:
        return {row[0] for row in conn.execute(f"select name from {MIGRATIONS_TABLE}")}
    except sqlite3.OperationalError:
        return set()


def _check_compatible(target: Archive, source: sqlite3.Connection, path: Path) -> None:
    if "articles" not in _tables(source):
        raise MergeError(f"{path} is not a vngov archive (it has no articles table)")
    unknown = _applied(source) - _applied(target.db.conn)
    if unknown:
        raise MergeError(
            f"{path} was made by a newer vngov-archive (schema {', '.join(sorted(unknown))}):"
            " upgrade this one before merging"
        )


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    """Stored columns of ``table`` (generated columns are left out: they cannot be written)."""
    return [row[1] for row in conn.execute(f"pragma table_xinfo([{table}])") if row[6] == 0]


def _primary_key(conn: sqlite3.Connection, table: str) -> list[str]:
    info = sorted((row[5], row[1]) for row in conn.execute(f"pragma table_info([{table}])"))
    return [name for position, name in info if position > 0]


def _is_rowid_key(conn: sqlite3.Connection, table: str) -> bool:
    pk = _primary_key(conn, table)
    if len(pk) != 1:
        return False
    kind = next(r[2] for r in conn.execute(f"pragma table_info([{table}])") if r[1] == pk[0])
    return kind.upper() == "INTEGER"


def _copy_warc_files(source_dir: Path, target_dir: Path, link: bool, report: MergeReport) -> None:
    """Copy (or hard-link) the source's finished WARC files and CDXJ indexes, once each."""
    if not source_dir.is_dir():
        return
    unfinished = sorted(p.name for p in source_dir.glob(f"*{OPEN_SUFFIX}"))
    if unfinished:
        raise MergeError(
            f"{source_dir} has unfinished WARC files ({', '.join(unfinished)}): a crawl is"
            " running or was killed; let it finish, or run one crawl to recover them, first"
        )
    files = sorted([*source_dir.glob("*.warc.gz"), *source_dir.glob("*.cdxj")])
    if files:
        target_dir.mkdir(parents=True, exist_ok=True)
    for path in files:
        destination = target_dir / path.name
        if destination.exists():
            if destination.stat().st_size != path.stat().st_size:
                raise MergeError(
                    f"{destination} exists and differs from {path}: two archives wrote a file"
                    " of the same name, which should never happen; merge them by hand"
                )
            report.warc_files_present += path.name.endswith(".warc.gz")
            continue
        _place(path, destination, link)
        report.warc_files_added += path.name.endswith(".warc.gz")


def _place(path: Path, destination: Path, link: bool) -> None:
    """Hard-link when asked and possible (same file system), else copy via a temporary name."""
    if link:
        try:
            os.link(path, destination)
            return
        except OSError:
            pass
    partial = destination.with_name(destination.name + ".part")
    shutil.copyfile(path, partial)
    os.replace(partial, destination)


def _placeholders(columns: list[str]) -> tuple[str, str]:
    return ", ".join(f"[{c}]" for c in columns), ", ".join("?" for _ in columns)


class _Merger:
    """One source merged into the target, inside the caller's transaction."""

    def __init__(self, target: Archive, source: sqlite3.Connection, report: MergeReport):
        self.db = target.db
        self.target = target
        self.source = source
        self.report = report
        self.article_ids: dict[int, int] = {}  # source article id → target article id
        self.touched: list[int] = []  # target ids of articles this source changed
        self.from_source: set[int] = set()  # target ids whose row now comes from the source
        source_tables = set(_tables(source))
        self.tables = [t for t in _tables(self.db.conn) if t in source_tables]

    # -- helpers -------------------------------------------------------------------------
    def common(self, table: str, *, drop: tuple[str, ...] = ()) -> list[str]:
        """Columns both archives store in ``table`` (older sources lack newer columns)."""
        theirs = set(_columns(self.source, table))
        return [c for c in _columns(self.db.conn, table) if c in theirs and c not in drop]

    def rows(self, table: str, where: str = "", params: Iterable[Any] = ()) -> Iterator[dict]:
        sql = f"select * from [{table}] {where}"
        for row in self.source.execute(sql, list(params)):
            yield dict(row)

    def target_row(self, table: str, where: str, params: Iterable[Any]) -> dict | None:
        return next(self.db.query(f"select * from [{table}] where {where}", list(params)), None)

    def insert(self, table: str, row: dict[str, Any], columns: list[str]) -> int:
        names, marks = _placeholders(columns)
        cursor = self.db.execute(
            f"insert into [{table}] ({names}) values ({marks})", [row.get(c) for c in columns]
        )
        self.report.rows[table] = self.report.rows.get(table, 0) + 1
        return cursor.lastrowid

    def update(self, table: str, key: dict[str, Any], values: dict[str, Any]) -> None:
        if not values:
            return
        sets = ", ".join(f"[{c}] = ?" for c in values)
        where = " and ".join(f"[{c}] = ?" for c in key)
        self.db.execute(
            f"update [{table}] set {sets} where {where}", [*values.values(), *key.values()]
        )
        self.report.rows[table] = self.report.rows.get(table, 0) + 1

    def child_tables(self) -> list[str]:
        """Tables of rows derived from an article's current version (``doc_refs``...)."""
        return [
            t
            for t in self.tables
            if t != "article_versions" and "article_id" in _columns(self.db.conn, t)
        ]

    # -- the merge -----------------------------------------------------------------------
    def run(self) -> None:
        self.merge_sites()
        self.merge_articles()
        self.merge_contacts()
        self.merge_runs()
        children = self.child_tables()
        for table in self.tables:
            if table in SPECIAL_TABLES or table in children:
                continue
            self.merge_generic(table)
        self.relink_duplicates()

    def merge_sites(self) -> None:
        if "sites" not in self.tables:
            return
        columns = self.common("sites")
        for row in self.rows("sites"):
            existing = self.target_row("sites", "id = ?", [row["id"]])
            if existing is None:
                self.insert("sites", row, columns)
            else:
                changed = {c: row[c] for c in columns if c != "id" and existing[c] != row[c]}
                self.update("sites", {"id": row["id"]}, changed)

    def merge_articles(self) -> None:
        columns = self.common("articles", drop=("id",))
        for row in self.rows("articles", "order by id"):
            versions = list(
                self.rows("article_versions", "where article_id = ? order by version", [row["id"]])
            )
            existing = self.target_row("articles", "url_key = ?", [row["url_key"]])
            if existing is None:
                self.add_article(row, versions, columns)
            else:
                self.article_ids[row["id"]] = existing["id"]
                self.combine_article(existing, row, versions, columns)

    def add_article(self, row: dict, versions: list[dict], columns: list[str]) -> None:
        article_id = self.insert("articles", row, columns)
        self.article_ids[row["id"]] = article_id
        self.write_versions(article_id, [(v, SOURCE) for v in versions])
        self.copy_children(row["id"], article_id)
        self.touched.append(article_id)
        self.from_source.add(article_id)
        self.report.articles_new += 1

    def write_versions(self, article_id: int, versions: list[tuple[dict, int]]) -> None:
        """Replace the article's versions with ``versions``, numbered in capture order."""
        columns = self.common("article_versions", drop=("article_id", "version"))
        self.db.execute("delete from article_versions where article_id = ?", [article_id])
        ordered = sorted(
            versions, key=lambda pair: (pair[0]["captured_at"] or "", pair[1], pair[0]["version"])
        )
        for number, (version, _) in enumerate(ordered, start=1):
            row = {**version, "article_id": article_id, "version": number}
            self.insert("article_versions", row, ["article_id", "version", *columns])

    def combine_article(
        self, existing: dict, row: dict, versions: list[dict], columns: list[str]
    ) -> None:
        """Fold a source article into the target's row of the same URL."""
        article_id = existing["id"]
        ours = list(
            self.db.query(
                "select * from article_versions where article_id = ? order by version",
                [article_id],
            )
        )
        known = {tuple(v[k] for k in VERSION_KEY) for v in ours}
        added = [v for v in versions if tuple(v[k] for k in VERSION_KEY) not in known]
        combined = [(v, TARGET) for v in ours] + [(v, SOURCE) for v in added]
        # The latest capture; at the same instant the target's version stays current.
        latest, side = max(
            combined,
            key=lambda pair: (pair[0]["captured_at"] or "", -pair[1]),
            default=({"captured_at": existing["changed_at"]}, TARGET),
        )
        winner = row if side == SOURCE else existing
        values = {c: winner.get(c) for c in columns}
        values.update(
            version=len(combined) or existing["version"],
            first_seen=min(existing["first_seen"], row["first_seen"]),
        )
        values.update(_removal(existing, row, latest["captured_at"]))
        changed = {c: v for c, v in values.items() if c in existing and existing[c] != v}
        if not added and not changed:
            return
        if added:
            self.write_versions(article_id, combined)
            self.report.versions_added += len(added)
        if side == SOURCE:
            self.copy_children(row["id"], article_id)
            self.from_source.add(article_id)
        self.update("articles", {"id": article_id}, changed)
        self.touched.append(article_id)
        self.report.articles_updated += 1

    def copy_children(self, source_id: int, article_id: int) -> None:
        """Rows derived from the current version follow the archive that holds it."""
        for table in self.child_tables():
            columns = self.common(table, drop=("article_id",))
            self.db.execute(f"delete from [{table}] where article_id = ?", [article_id])
            for child in self.rows(table, "where article_id = ?", [source_id]):
                self.insert(table, {**child, "article_id": article_id}, ["article_id", *columns])

    def merge_contacts(self) -> None:
        if "contacts" not in self.tables:
            return
        columns = self.common("contacts")
        for row in self.rows("contacts"):
            existing = self.target_row("contacts", "id = ?", [row["id"]])
            if existing is None:
                self.insert("contacts", row, columns)
                self.report.contacts_new += 1
                continue
            values = {}
            if row["first_seen"] < existing["first_seen"]:
                values.update(first_seen=row["first_seen"], first_url=row.get("first_url"))
            if row["last_seen"] > existing["last_seen"]:
                values["last_seen"] = row["last_seen"]
            if values:
                self.update("contacts", {"id": row["id"]}, values)
                self.report.contacts_updated += 1

    def merge_runs(self) -> None:
        if "crawl_runs" not in self.tables:
            return
        columns = self.common("crawl_runs", drop=("id",))
        for row in self.rows("crawl_runs", "order by id"):
            where = " and ".join(f"[{c}] is ?" for c in RUN_KEY)
            existing = self.target_row("crawl_runs", where, [row[c] for c in RUN_KEY])
            if existing is None:
                self.insert("crawl_runs", row, columns)
                self.report.runs_added += 1
            elif existing["finished_at"] is None and row["finished_at"] is not None:
                self.update("crawl_runs", {"id": existing["id"]}, {c: row[c] for c in columns})

    def merge_generic(self, table: str) -> None:
        """A table without rules of its own: latest row, keep by key, or append by row id."""
        columns = self.common(table)
        key = _primary_key(self.db.conn, table)
        if not key or _is_rowid_key(self.db.conn, table):
            self.append_new_rows(table, [c for c in columns if c not in key])
            return
        latest = LATEST_BY.get(table)
        # A newer row replaces the whole of the older: a column its (older) archive lacks
        # becomes unknown, not a value left from the other fetch.
        replaced = [c for c in _columns(self.db.conn, table) if c not in key]
        where = " and ".join(f"[{c}] = ?" for c in key)
        for row in self.rows(table):
            existing = self.target_row(table, where, [row[c] for c in key])
            if existing is None:
                self.insert(table, row, columns)
            elif latest and (row.get(latest) or "") > (existing.get(latest) or ""):
                self.update(table, {c: row[c] for c in key}, {c: row.get(c) for c in replaced})

    def append_new_rows(self, table: str, columns: list[str]) -> None:
        where = " and ".join(f"[{c}] is ?" for c in columns)
        for row in self.rows(table):
            if self.target_row(table, where, [row[c] for c in columns]) is None:
                self.insert(table, row, columns)

    def relink_duplicates(self) -> None:
        """Point ``duplicate_of`` at the earliest capture of each announcement, across both.

        A row taken from the source carries the source's article id there: it is mapped to the
        target's id, then every article sharing a touched ``dup_key`` is linked again.
        """
        if "duplicate_of" not in _columns(self.db.conn, "articles") or not self.touched:
            return
        source_ids = {target_id: source_id for source_id, target_id in self.article_ids.items()}
        for article_id in self.from_source:
            (of,) = self.source.execute(
                "select duplicate_of from articles where id = ?", [source_ids[article_id]]
            ).fetchone()
            mapped = self.article_ids.get(of) if of is not None else None
            self.db.execute(
                "update articles set duplicate_of = ? where id = ?", [mapped, article_id]
            )
        link = getattr(self.target, "link_duplicate", None)
        if link is None:
            return
        marks = ", ".join("?" for _ in self.touched)
        keys = [
            r["dup_key"]
            for r in self.db.query(
                f"select distinct dup_key from articles where id in ({marks})"
                " and dup_key is not null",
                self.touched,
            )
        ]
        for key in keys:
            for r in list(self.db.query("select url_key from articles where dup_key = ?", [key])):
                link(r["url_key"])


def _removal(existing: dict, row: dict, latest_capture: str | None) -> dict[str, Any]:
    """The article's status: removed when a removal was seen after its latest capture."""
    removals = [r for r in (existing, row) if r.get("status") == "removed" and r.get("removed_at")]
    if not removals:
        return {"status": existing.get("status") or "live", "removed_at": None}
    last = max(removals, key=lambda r: r["removed_at"])
    if last["removed_at"] >= (latest_capture or ""):
        return {
            "status": "removed",
            "removed_at": last["removed_at"],
            "http_status": last.get("http_status"),
        }
    return {"status": "live", "removed_at": None}


def report_lines(reports: list[MergeReport]) -> Iterator[str]:
    """One human line per merged source."""
    for r in reports:
        yield (
            f"{r.source}: {r.articles_new} new and {r.articles_updated} updated articles "
            f"({r.versions_added} versions added to existing ones), {r.contacts_new} new "
            f"contacts, {r.runs_added} runs, {r.warc_files_added} WARC files added "
            f"({r.warc_files_present} already there)"
        )


def report_json(reports: list[MergeReport]) -> str:
    return json.dumps([r.as_dict() for r in reports], ensure_ascii=False, indent=2)
