"""A crawl that fetches or parses nothing, or fails too often, exits non-zero for schedulers."""

from __future__ import annotations

import json
import sqlite3

import pytest

from archive.reports import run_health
from archive.sample_portal.server import PortalServer
from tests.conftest import run_vngov


def test_crawl_of_a_failing_site_exits_3_with_errors_by_kind(tmp_path):
    server = PortalServer().start()
    server.gone["/wps/portal/Home"] = 500
    db = tmp_path / "a.db"
    try:
        done = run_vngov(
            "crawl", "angiang-sonoivu", "--base-url", server.base_url, "--db", str(db), "--no-delay"
        )
    finally:
        server.stop()
    assert done.returncode == 3
    assert "unhealthy crawl: no article was parsed" in done.stderr
    assert "Traceback" not in done.stderr
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    [run] = conn.execute("select * from crawl_runs").fetchall()
    assert json.loads(run["errors_by_kind"]) == {"http_500": 1}
    assert run["finish_reason"] == "finished"
    assert run["duration_seconds"] > 0


def test_unreachable_site_exits_3(tmp_path):
    server = PortalServer()
    base_url = server.base_url
    server.server_close()  # nothing listens there any more
    done = run_vngov(
        "crawl",
        "angiang-sonoivu",
        "--base-url",
        base_url,
        "--db",
        str(tmp_path / "a.db"),
        "--no-delay",
    )
    assert done.returncode == 3
    assert "unhealthy crawl: nothing was fetched" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("run", "problems"),
    [
        ({"pages_fetched": 40, "articles_new": 30, "errors": 2}, []),
        ({"pages_fetched": 40, "articles_unchanged": 30, "errors": 0}, []),
        ({"pages_fetched": 0, "errors": 0}, ["nothing was fetched"]),
        ({"pages_fetched": 5, "errors": 0}, ["no article was parsed"]),
        (
            {"pages_fetched": 10, "articles_new": 2, "errors": 5},
            ["5 errors for 10 pages (over 20%)"],
        ),
        ({"pages_fetched": 10, "errors": 0, "stats": '{"vngov/articles_not_modified": 9}'}, []),
    ],
)
def test_run_health(run, problems):
    assert run_health(run) == problems
