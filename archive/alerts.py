"""Watches: saved searches, and an Atom feed of what is new or changed for each.

A journalist saves a query with its filters once (``vngov watch add``); from then on every
article that the crawler stores new, changes or sees removed, and that matches, is an entry of
the watch's Atom feed (RFC 4287), which any feed reader can subscribe to. "Since" is the
watch's creation: ``articles.changed_at`` (first capture or latest change) and
``removed_at`` at or after it.

Entry ids are stable per article version (``urn:uuid`` from the article URL and version), so
a reader shows a changed article again as a new item instead of silently updating the old one.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlite_utils
from lxml import etree

from archive.schema import migrations
from archive.search import QueryError, Results, SearchFilters, search

ATOM = "http://www.w3.org/2005/Atom"
FEED_LIMIT = 100
GENERATOR = "vngov-archive"


class WatchError(ValueError):
    """A watch that cannot be saved, found or read."""


@dataclass
class Watch:
    """A saved search: the query, its filters and when it was saved (UTC, ISO 8601)."""

    name: str
    query: str
    filters: SearchFilters
    exact: bool
    created_at: str

    def as_row(self) -> dict:
        """The row stored in the ``watches`` table."""
        return {
            "name": self.name,
            "query": self.query,
            "filters": json.dumps(self.filters.active(), ensure_ascii=False),
            "exact": int(self.exact),
            "created_at": self.created_at,
        }

    @classmethod
    def from_row(cls, row: dict) -> Watch:
        """A watch from its stored row."""
        return cls(
            name=row["name"],
            query=row["query"],
            filters=SearchFilters.from_dict(json.loads(row["filters"] or "{}")),
            exact=bool(row["exact"]),
            created_at=row["created_at"],
        )


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Apply pending migrations when the archive predates watches."""
    if not db["watches"].exists():
        migrations.apply(db)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def add_watch(
    db: sqlite_utils.Database,
    name: str,
    query: str,
    filters: SearchFilters | None = None,
    *,
    exact: bool = False,
    replace: bool = False,
    created_at: str | None = None,
) -> Watch:
    """Save a watch; the query and filters are checked by running the search once.

    Raises :class:`WatchError` for an empty name, a name taken (unless ``replace``), or a
    query or filter the search refuses.
    """
    name = (name or "").strip()
    if not name:
        raise WatchError("a watch needs a name")
    filters = filters or SearchFilters()
    try:
        search(db, query, filters=filters, exact=exact, limit=1)
    except QueryError as error:
        raise WatchError(str(error)) from None
    ensure_schema(db)
    if not replace and db["watches"].count_where("name = ?", [name]):
        raise WatchError(f"a watch called {name!r} exists: pick another name or use --replace")
    watch = Watch(name, query, filters, exact, created_at or _now())
    with db.atomic():
        db["watches"].upsert(watch.as_row(), pk="name")
    return watch


def list_watches(db: sqlite_utils.Database) -> list[Watch]:
    """Every saved watch, by name."""
    if not db["watches"].exists():
        return []
    return [Watch.from_row(row) for row in db["watches"].rows_where(order_by="name")]


def get_watch(db: sqlite_utils.Database, name: str) -> Watch:
    """The watch called ``name``; raises :class:`WatchError` when there is none."""
    rows = list(db["watches"].rows_where("name = ?", [name])) if db["watches"].exists() else []
    if not rows:
        raise WatchError(f"no watch called {name!r} (see `vngov watch list`)")
    return Watch.from_row(rows[0])


def remove_watch(db: sqlite_utils.Database, name: str) -> None:
    """Delete the watch called ``name``; raises :class:`WatchError` when there is none."""
    get_watch(db, name)
    with db.atomic():
        db["watches"].delete(name)


def watch_matches(db: sqlite_utils.Database, watch: Watch, *, limit: int = FEED_LIMIT) -> Results:
    """Articles matching the watch that are new, changed or removed since it was saved,
    most recent change first, with snippets marked by ``<mark>``."""
    since = {**watch.filters.active(), "changed_since": watch.created_at}
    filters = SearchFilters.from_dict(since)
    try:
        return search(
            db, watch.query, filters=filters, exact=watch.exact, sort="changed", limit=limit
        )
    except QueryError as error:  # e.g. a province table gone: say which watch
        raise WatchError(f"watch {watch.name!r}: {error}") from None


def rfc3339(value: str | None) -> str | None:
    """An ISO 8601 timestamp as RFC 3339 (seconds, explicit offset; UTC when none)."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat(timespec="seconds")


def _uuid_urn(key: str) -> str:
    return uuid.uuid5(uuid.NAMESPACE_URL, key).urn


def _element(parent: etree._Element, tag: str, text: str | None = None, **attrs: str):
    node = etree.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        node.text = text
    return node


def _describe(watch: Watch) -> str:
    filters = ", ".join(f"{k}={v}" for k, v in watch.filters.active().items())
    mode = " (accent-exact)" if watch.exact else ""
    narrowed = f" with {filters}" if filters else ""
    return (
        f"Articles matching {watch.query!r}{mode}{narrowed}, new or changed in the archive "
        f"since {watch.created_at}."
    )


def _entry_title(row: dict, watch: Watch) -> str:
    title = row["title"] or row["url"]
    if row.get("status") == "removed":
        return f"(removed) {title}"
    first_seen = rfc3339(row.get("first_seen")) or ""
    if (row.get("version") or 1) > 1 and _instant(first_seen) < _instant(watch.created_at):
        return f"(changed) {title}"
    return title


def _instant(value: str | None) -> datetime:
    text = rfc3339(value)
    return datetime.fromisoformat(text) if text else datetime.min.replace(tzinfo=UTC)


def atom_feed(
    watch: Watch, rows: list[dict], *, web_url: str | None = None, now: str | None = None
) -> bytes:
    """The watch's matches as an Atom 1.0 document (UTF-8 bytes).

    ``web_url`` (where ``vngov serve`` runs) adds a link from each entry to its record in the
    web view. Text is escaped by the XML serializer; summaries are HTML with ``<mark>``.
    """
    feed = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM})
    _element(feed, "id", _uuid_urn(f"vngov-archive:watch:{watch.name}:{watch.created_at}"))
    _element(feed, "title", f"vngov watch {watch.name}: {watch.query}")
    _element(feed, "subtitle", _describe(watch))
    updates = [_entry_updated(row, watch) for row in rows]
    latest = max(updates, key=_instant) if updates else rfc3339(watch.created_at)
    _element(feed, "updated", latest or rfc3339(now) or _now())
    author = _element(feed, "author")
    _element(author, "name", GENERATOR)
    _element(feed, "generator", "vngov-archive watch feed")
    for row, updated in zip(rows, updates, strict=True):
        entry = _element(feed, "entry")
        _element(entry, "id", _uuid_urn(f"{row['url']}#version={row.get('version') or 1}"))
        _element(entry, "title", _entry_title(row, watch))
        _element(entry, "updated", updated)
        published = rfc3339(row.get("published_at"))
        if published:
            _element(entry, "published", published)
        _element(entry, "link", rel="alternate", href=row["url"], type="text/html")
        if web_url:
            href = web_url.rstrip("/") + row["permalink"]
            _element(entry, "link", rel="related", href=href, type="text/html")
        if row.get("author"):
            _element(_element(entry, "author"), "name", row["author"])
        if row.get("category"):
            _element(entry, "category", term=row["category"])
        where = ", ".join(v for v in (row.get("site"), row.get("province")) if v)
        summary = f"{row['snippet']}" + (f" ({where})" if where else "")
        _element(entry, "summary", summary, type="html")
    return etree.tostring(feed, xml_declaration=True, encoding="utf-8", pretty_print=True)


def _entry_updated(row: dict, watch: Watch) -> str:
    stamps = [rfc3339(row.get(k)) for k in ("changed_at", "removed_at")]
    stamps = [s for s in stamps if s]
    return max(stamps, key=_instant) if stamps else rfc3339(watch.created_at) or _now()
