"""A site whose listings suddenly yield nothing, or whose dates stop parsing, is reported."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from archive.cli import cli
from archive.health import checked_runs, run_warnings
from archive.storage import Archive
from tests.conftest import run_vngov

SITE = "angiang-sonoivu"


def add_run(archive: Archive, site: str = SITE, *, finished: bool = True, **counts) -> dict:
    """A finished crawl_runs row with ``counts`` (``stats`` given as a dict)."""
    stats = counts.pop("stats", {})
    run_id = archive.start_run(site)
    if finished:
        archive.finish_run(run_id, finish_reason="finished", stats=stats, **counts)
    return archive.db["crawl_runs"].get(run_id)


@pytest.fixture()
def archive(tmp_path):
    archive = Archive(tmp_path / "a.db")
    yield archive
    archive.close()


def usual_runs(
    archive: Archive, n: int = 3, site: str = SITE, unchanged: int = 150, mode: str | None = None
) -> None:
    stats = {"vngov/articles_undated": 2} | ({"vngov/mode": mode} if mode else {})
    for _ in range(n):
        add_run(
            archive,
            site,
            pages_fetched=200,
            articles_new=10,
            articles_unchanged=unchanged,
            stats=stats,
        )


def test_listings_that_suddenly_yield_nothing_are_reported(archive):
    usual_runs(archive)
    run = add_run(
        archive,
        pages_fetched=5,
        stats={"vngov/articles_undated": 0, "vngov/mode": "incremental"},
    )
    assert run_warnings(archive.db, run) == [
        "its listings yielded 0 articles, against a median of 160 over the last 3 runs:"
        " has the site's layout or address changed?",
        "fetched 5 pages, against a median of 200 over the last 3 runs",
    ]


def test_articles_skipped_as_known_count_as_found(archive):
    usual_runs(archive)
    run = add_run(
        archive,
        pages_fetched=40,
        articles_new=2,
        stats={"vngov/known_skipped": 30, "vngov/articles_undated": 0},
    )
    assert run_warnings(archive.db, run) == []


def test_dates_that_start_failing_are_reported(archive):
    usual_runs(archive)
    run = add_run(
        archive,
        pages_fetched=200,
        articles_new=10,
        articles_changed=150,
        stats={"vngov/articles_undated": 120, "vngov/mode": "incremental"},
    )
    assert run_warnings(archive.db, run) == [
        "75% of its articles had no publication date, against 1% usually:"
        " dates are failing to parse"
    ]


def test_a_site_that_never_had_dates_is_not_reported(archive):
    for _ in range(3):
        add_run(archive, pages_fetched=50, articles_new=40, stats={"vngov/articles_undated": 40})
    run = add_run(archive, pages_fetched=50, articles_new=40, stats={"vngov/articles_undated": 40})
    assert run_warnings(archive.db, run) == []


def test_too_little_history_or_other_sites_or_modes_are_not_compared(archive):
    usual_runs(archive, n=2, mode="incremental")
    usual_runs(archive, n=3, site="angiang-soyte", mode="incremental")
    add_run(archive, pages_fetched=500, articles_new=400, stats={"vngov/mode": "full"})
    run = add_run(archive, pages_fetched=0, stats={"vngov/mode": "incremental"})
    assert run_warnings(archive.db, run) == []  # two comparable runs only
    unfinished = add_run(archive, finished=False)
    assert run_warnings(archive.db, unfinished) == []


def test_checked_runs_and_the_runs_command_filter_by_site(archive, tmp_path):
    usual_runs(archive)
    add_run(archive, "angiang-soyte", pages_fetched=3, articles_new=1)
    bad = add_run(archive, pages_fetched=5, stats={"vngov/mode": "incremental"})
    rows = checked_runs(archive.db, site=SITE, limit=2)
    assert [(r["id"], r["site"], r["healthy"]) for r in rows] == [
        (bad["id"], SITE, False),
        (bad["id"] - 2, SITE, True),
    ]
    assert rows[0]["problems"] == "no article was parsed"
    assert rows[0]["warnings"].startswith("its listings yielded 0 articles")
    assert rows[1]["warnings"] == ""

    result = CliRunner().invoke(cli, ["runs", "--site", "angiang-soyte", "--db", str(archive.path)])
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.stdout)
    assert (row["site"], row["healthy"], row["warnings"]) == ("angiang-soyte", True, "")


def test_crawl_prints_the_warning_and_still_exits_0(portal, tmp_path):
    db = tmp_path / "a.db"
    archive = Archive(db)
    usual_runs(archive, unchanged=990)
    archive.close()
    done = run_vngov(
        "crawl", SITE, "--base-url", portal.base_url, "--db", str(db), "--no-delay", "--quiet"
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[1:] == [
        f"warning: {SITE}: its listings yielded {len(portal.portal.by_path)} articles, against"
        " a median of 1000 over the"
        " last 3 runs: has the site's layout or address changed?",
    ]
