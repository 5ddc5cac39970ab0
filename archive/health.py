"""Compare a crawl run with the site's earlier runs, to catch a site that quietly broke.

``archive.reports.run_health`` judges a run on its own (nothing fetched, nothing parsed, too
many errors) and decides ``vngov crawl``'s exit code. A portal that is redesigned usually
fails more quietly: its listings still answer 200 but no longer link any article the
registry's patterns recognise, or its articles still parse but their dates are no longer
found. Only a comparison with the site's history shows that, so these checks warn (in
``vngov crawl``'s output and ``vngov runs``) without failing the run:

- the run found almost no article (new, changed, unchanged, not modified or skipped as known)
  where the site's previous runs of the same mode found many: its listings yield nothing;
- the run fetched almost no page where previous runs fetched many;
- a large share of its articles had no publication date where previous runs had few.

Each needs ``MIN_HISTORY`` earlier finished runs of the site, so a new site, or the first
incremental run after a full one, is not compared with runs unlike it.
"""

from __future__ import annotations

import json
from statistics import median
from typing import Any

import sqlite_utils

from archive.reports import RUN_COLUMNS, run_health

MIN_HISTORY = 3  # earlier finished runs needed before comparing
HISTORY = 5  # earlier runs compared with
DROP_RATIO = 0.1  # "almost nothing": under a tenth of the usual
MIN_USUAL_ARTICLES = 5  # below this many articles found, a drop to zero says little
MIN_USUAL_PAGES = 20
UNDATED_SHARE = 0.5  # dates "fail" when at least half the articles have none...
USUAL_UNDATED_SHARE = 0.1  # ...where at most a tenth usually had none
MIN_ARTICLES_FOR_DATES = 5


def _stats(run: dict[str, Any]) -> dict[str, Any]:
    raw = run.get("stats")
    if isinstance(raw, dict):
        return raw
    try:
        return json.loads(raw or "{}")
    except ValueError:
        return {}


def articles_stored(run: dict[str, Any]) -> int:
    """Articles the run parsed and stored: new, changed or unchanged."""
    return sum(run.get(k) or 0 for k in ("articles_new", "articles_changed", "articles_unchanged"))


def articles_found(run: dict[str, Any]) -> int:
    """Articles the run's listings, feeds and revisits led to, fetched or skipped as known."""
    stats = _stats(run)
    return (
        articles_stored(run)
        + int(stats.get("vngov/articles_not_modified", 0))
        + int(stats.get("vngov/known_skipped", 0))
    )


def undated_share(run: dict[str, Any]) -> float | None:
    """Share of the run's stored articles without a publication date (None: not counted)."""
    stats = _stats(run)
    stored = articles_stored(run)
    if "vngov/articles_undated" not in stats and stored:
        return None  # a run from before the counter existed
    if stored < MIN_ARTICLES_FOR_DATES:
        return None
    return int(stats.get("vngov/articles_undated", 0)) / stored


def run_mode(run: dict[str, Any]) -> str | None:
    return _stats(run).get("vngov/mode")


def previous_runs(
    db: sqlite_utils.Database, run: dict[str, Any], limit: int = HISTORY
) -> list[dict[str, Any]]:
    """The site's finished runs before ``run``, newest first, of the same mode when known."""
    rows = db.query(
        "select * from crawl_runs where site = ? and id < ? and finished_at is not null"
        " order by id desc",
        [run["site"], run["id"]],
    )
    mode = run_mode(run)
    same = [r for r in rows if mode is None or run_mode(r) in (None, mode)]
    return same[:limit]


def run_warnings(db: sqlite_utils.Database, run: dict[str, Any]) -> list[str]:
    """What looks wrong with ``run`` next to the site's earlier runs; empty when nothing."""
    if not run.get("finished_at"):
        return []
    history = previous_runs(db, run)
    if len(history) < MIN_HISTORY:
        return []
    warnings = []
    usual_found = median(articles_found(r) for r in history)
    found = articles_found(run)
    if usual_found >= MIN_USUAL_ARTICLES and found <= usual_found * DROP_RATIO:
        warnings.append(
            f"its listings yielded {found} articles, against a median of {usual_found:g} over"
            f" the last {len(history)} runs: has the site's layout or address changed?"
        )
    usual_pages = median((r.get("pages_fetched") or 0) for r in history)
    pages = run.get("pages_fetched") or 0
    if usual_pages >= MIN_USUAL_PAGES and pages <= usual_pages * DROP_RATIO:
        warnings.append(
            f"fetched {pages} pages, against a median of {usual_pages:g} over the last"
            f" {len(history)} runs"
        )
    share = undated_share(run)
    shares = [s for s in (undated_share(r) for r in history) if s is not None]
    if (
        share is not None
        and shares
        and share >= UNDATED_SHARE
        and median(shares) <= USUAL_UNDATED_SHARE
    ):
        warnings.append(
            f"{share:.0%} of its articles had no publication date, against"
            f" {median(shares):.0%} usually: dates are failing to parse"
        )
    return warnings


def checked_runs(
    db: sqlite_utils.Database, *, limit: int = 20, site: str | None = None
) -> list[dict[str, Any]]:
    """The last runs (of one site, or all), newest first, each with its health and warnings."""
    where, params = ("where site = ?", [site]) if site else ("", [])
    rows = list(
        db.query(f"select * from crawl_runs {where} order by id desc limit ?", [*params, limit])
    )
    result = []
    for row in rows:
        problems = run_health(row) if row.get("finished_at") else ["did not finish"]
        warnings = run_warnings(db, row)
        result.append(
            {k: row.get(k) for k in RUN_COLUMNS}
            | {
                "healthy": not problems,
                "problems": "; ".join(problems),
                "warnings": "; ".join(warnings),
            }
        )
    return result
