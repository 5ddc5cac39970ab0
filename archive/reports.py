"""Read-only reports over the archive: contact directory, exports, counts, crawl health."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import sqlite_utils

from archive.storage import JSON_COLUMNS, PROVENANCE_COLUMNS, RECORD_COLUMNS

EXPORT_COLUMNS = (
    *RECORD_COLUMNS,
    *JSON_COLUMNS,
    "province",
    "province_now",
    "version",
    "status",
    "removed_at",
    "first_seen",
    "changed_at",
    *PROVENANCE_COLUMNS,
)
# What `vngov runs` shows of each crawl run.
RUN_COLUMNS = (
    "id",
    "site",
    "started_at",
    "finished_at",
    "finish_reason",
    "pages_fetched",
    "articles_new",
    "articles_changed",
    "articles_unchanged",
    "errors",
)
# A crawl is unhealthy when more than this share of its requests failed.
ERROR_RATE_LIMIT = 0.2


def contact_directory(
    db: sqlite_utils.Database, *, site: str | None = None, as_of: str | None = None
) -> list[dict[str, Any]]:
    """Hotline entries as they stood on ``as_of`` (an ISO date), or the latest ones seen.

    An entry stood on a date when it was first seen on or before it and last seen on or
    after it. Between two crawls nothing is known, so for a date after an entry's last
    sighting and before its replacement's first, the entry seen most recently before the
    date is taken to still stand.
    """
    clauses, params = [], {}
    if site:
        clauses.append("site = :site")
        params["site"] = site
    where = " and ".join(clauses) or "1"
    rows = list(
        db.query(
            f"select * from contacts where {where} order by site, block_title, position", params
        )
    )
    if as_of:
        day = as_of[:10]
        seen = [r for r in rows if r["first_seen"][:10] <= day]
        standing = []
        for row in seen:
            replaced = any(
                other["site"] == row["site"]
                and other["block_title"] == row["block_title"]
                and other["position"] == row["position"]
                and row["last_seen"][:10] < other["first_seen"][:10] <= day
                for other in seen
            )
            if row["last_seen"][:10] >= day or not replaced:
                standing.append(row)
        rows = standing
    else:
        latest = {}
        for row in rows:
            key = (row["site"], row["block_title"], row["position"])
            if key not in latest or row["last_seen"] > latest[key]["last_seen"]:
                latest[key] = row
        rows = list(latest.values())
    return [
        {
            "site": r["site"],
            "kind": r["kind"] or "widget",
            "block": r["block_title"],
            "position": r["position"],
            "honorific": r["honorific"],
            "name": r["name"],
            "role": r["role"],
            "unit": r["unit"],
            "phones": [p["e164"] for p in json.loads(r["phones"] or "[]")],
            "emails": r["emails"].split() if r["emails"] else [],
            "address": r["address"],
            "first_seen": r["first_seen"],
            "last_seen": r["last_seen"],
        }
        for r in rows
    ]


def iter_articles(
    db: sqlite_utils.Database,
    *,
    site: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> Iterator[dict[str, Any]]:
    """Stream article rows (current versions) for export, oldest publication first."""
    clauses, params = [], {}
    if site:
        clauses.append("site = :site")
        params["site"] = site
    if since:
        clauses.append("published_at >= :since")
        params["since"] = since
    if until:
        clauses.append("substr(published_at, 1, 10) <= :until")
        params["until"] = until[:10]
    where = " and ".join(clauses) or "1"
    columns = ", ".join(EXPORT_COLUMNS)
    yield from db.query(
        f"select {columns} from articles where {where} order by published_at, id", params
    )


def counts_by_site_and_month(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Articles per site and month of publication (removed ones counted apart)."""
    return list(
        db.query(
            """
            select site, substr(published_at, 1, 7) as month, count(*) as articles,
                   sum(status = 'removed') as removed
            from articles group by site, month order by site, month
            """
        )
    )


def run_health(run: dict[str, Any]) -> list[str]:
    """Problems that make a crawl run unhealthy; an empty list means healthy."""
    problems = []
    fetched = run.get("pages_fetched") or 0
    parsed = sum(
        run.get(k) or 0 for k in ("articles_new", "articles_changed", "articles_unchanged")
    )
    stats = (
        json.loads(run["stats"]) if isinstance(run.get("stats"), str) else run.get("stats") or {}
    )
    parsed += stats.get("vngov/articles_not_modified", 0)
    # An incremental crawl that met only archived articles saw them without refetching them.
    parsed += stats.get("vngov/known_skipped", 0)
    errors = run.get("errors") or 0
    if not fetched:
        problems.append("nothing was fetched")
    elif not parsed:
        problems.append("no article was parsed")
    if fetched and errors / max(fetched, 1) > ERROR_RATE_LIMIT:
        problems.append(f"{errors} errors for {fetched} pages (over {ERROR_RATE_LIMIT:.0%})")
    return problems


def recent_runs(db: sqlite_utils.Database, limit: int = 10) -> list[dict[str, Any]]:
    """The last crawl runs, newest first, each with its health."""
    rows = list(db.query("select * from crawl_runs order by id desc limit ?", [limit]))
    result = []
    for row in rows:
        problems = run_health(row) if row.get("finished_at") else ["did not finish"]
        result.append(
            {k: row.get(k) for k in RUN_COLUMNS}
            | {"healthy": not problems, "problems": "; ".join(problems)}
        )
    return result
