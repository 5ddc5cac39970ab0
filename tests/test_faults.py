"""A crawl of a portal that fails in every way: it finishes, archives every good page, and
records each failure with its URL and reason, without a traceback."""

from __future__ import annotations

import json

import pytest

from crawler.urls import canonicalize_url
from tests.conftest import run_vngov
from tests.portals import db_rows
from tests.portals.faults import FAULTS, GOOD, LISTING, MOVED, RETRY_AFTER_SECONDS, FaultServer

# Short timeouts and back-off so the test takes seconds; politeness rules still apply.
FAST = {
    "DOWNLOAD_TIMEOUT": "2",
    "RETRY_TIMES": "1",
    "VNGOV_BACKOFF_BASE": "0.3",
}


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("faults")
    server = FaultServer().start()
    registry = tmp / "sites.local.toml"
    registry.write_text(server.registry_entry(), "utf-8")
    db = tmp / "archive.db"
    settings = [arg for name, value in FAST.items() for arg in ("--set", f"{name}={value}")]
    try:
        done = run_vngov(
            "crawl", "faults", "--db", str(db), "--registry", str(registry), "--no-delay", *settings
        )
    finally:
        server.stop()
    return server, db, done


def test_the_crawl_finishes_without_a_traceback(crawled):
    _, db, done = crawled
    assert "Traceback" not in done.stderr
    [run] = db_rows(db, "select finish_reason, errors from crawl_runs")
    assert run["finish_reason"] == "finished"
    # Half the pages fail, so the run is reported unhealthy (exit 3) for a scheduler to see.
    assert done.returncode == 3, done.stderr
    assert "unhealthy crawl" in done.stderr


def test_every_good_page_is_archived_with_its_text(crawled):
    server, db, _ = crawled
    stored = {r["url_key"]: r["title"] for r in db_rows(db, "select url_key, title from articles")}
    expected = {
        canonicalize_url(f"{server.base_url}{LISTING}/{slug}"): t for slug, t in GOOD.items()
    }
    assert stored == expected  # right letters whatever the charset said, no error page


def test_each_failure_is_recorded_with_its_url_and_reason(crawled):
    server, db, done = crawled
    [run] = db_rows(db, "select errors_by_kind, stats from crawl_runs")
    kinds = {}
    for kind in [*FAULTS.values(), "empty_listing"]:
        kinds[kind] = kinds.get(kind, 0) + 1
    assert json.loads(run["errors_by_kind"]) == kinds
    failures = json.loads(json.loads(run["stats"])["vngov/failures"])
    by_url = {f["url"]: f["kind"] for f in failures}
    expected = {f"{server.base_url}{LISTING}/{slug}": kind for slug, kind in FAULTS.items()}
    expected[f"{server.base_url}{LISTING}?page=2"] = "empty_listing"
    assert by_url == expected
    assert all(f["reason"] for f in failures)
    for url, kind in expected.items():
        assert f"failed {url}: {kind}" in done.stderr


def test_retry_after_is_honoured_and_refusals_are_retried(crawled):
    server, db, _ = crawled
    first, second = server.times(f"{LISTING}/tam-ngung-503")
    assert second - first >= RETRY_AFTER_SECONDS - 0.05  # the host's slot was held
    assert len(server.times(f"{LISTING}/qua-tai-429")) == 2
    [run] = db_rows(db, "select stats from crawl_runs")
    stats = json.loads(run["stats"])
    assert stats["vngov/backoff/count"] == 2
    assert stats["vngov/backoff/retry_after"] == 1


def test_robots_txt_is_obeyed_and_fetched_first(crawled):
    server, _, _ = crawled
    paths = [p for _, p in server.hits]
    assert paths[0] == "/robots.txt"
    assert not [p for p in paths if p.startswith("/quan-tri")]


def test_a_redirect_to_an_article_listed_already_is_followed_not_dropped(crawled):
    """Scrapy's duplicate filter used to drop the redirected request without a word."""
    _, db, _ = crawled
    [new] = [f"{LISTING}/{target}" for target in MOVED.values()]
    [run] = db_rows(db, "select stats from crawl_runs")
    stats = json.loads(run["stats"])
    assert stats["vngov/redirects_to_seen"] == 1  # and an INFO line names both addresses
    # Filed under the address asked for; the article it moved to is archived once.
    assert stats["vngov/articles_new"] + stats["vngov/articles_unchanged"] == len(GOOD) + 1
    [count] = db_rows(db, "select count(*) as n from articles where url_key like ?", [f"%{new}"])
    assert count["n"] == 1
