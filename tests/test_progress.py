"""Crawl progress on stderr: a live line on a terminal, log lines otherwise, --quiet, --log-json."""

from __future__ import annotations

import json
import logging
import os
import pty
import re
import subprocess
import sys

import pytest

from archive.cli_ops import crawl_output_settings
from archive.sample_portal.server import PortalServer
from crawler.progress import (
    CLEAR_LINE,
    JsonLogFormatter,
    RateMeter,
    fit_to_width,
    format_progress,
    progress_counts,
)
from tests.conftest import REPO, run_vngov

SITE = "angiang-sonoivu"
PROGRESS = re.compile(
    rf"{SITE}: \d+ pages · \d+ new · \d+ changed · \d+ errors · \d+\.\d pages/s · \d:\d\d:\d\d"
)


def test_progress_counts_and_format():
    stats = {
        "response_received_count": 1234,
        "vngov/articles_new": 456,
        "vngov/articles_changed": 7,
        "vngov/articles_unchanged": 3,
        "vngov/errors/http_404": 2,
        "vngov/errors/TimeoutError": 1,
        "vngov/contacts_new": 9,
    }
    counts = progress_counts(stats)
    assert counts == {"pages": 1234, "new": 456, "changed": 7, "unchanged": 3, "errors": 3}
    assert format_progress(counts, 12.34, 83.9, SITE) == (
        f"{SITE}: 1,234 pages · 456 new · 7 changed · 3 errors · 12.3 pages/s · 0:01:23"
    )
    assert format_progress(progress_counts({}), 0, 3725) == (
        "0 pages · 0 new · 0 changed · 0 errors · 0.0 pages/s · 1:02:05"
    )


def test_live_line_is_cut_to_the_terminal_width():
    assert fit_to_width("abcdef", 10) == "abcdef"
    assert fit_to_width("abcdefghijkl", 10) == "abcdefgh…"


def test_rate_is_measured_over_a_sliding_window():
    meter = RateMeter(window=10)
    assert meter.add(0.0, 0) == 0.0
    assert meter.add(5.0, 50) == 10.0
    assert meter.add(10.0, 100) == 10.0
    assert meter.add(20.0, 400) == 30.0  # the samples before t=10 have left the window


def test_json_log_formatter_writes_one_object_per_record():
    record = logging.LogRecord("portal", logging.WARNING, __file__, 1, "failed %s", ("x",), None)
    record.created = 0.5
    try:
        raise TimeoutError("took too long")
    except TimeoutError:
        record.exc_info = sys.exc_info()
    line = JsonLogFormatter().format(record)
    assert "\n" not in line
    assert json.loads(line) == {
        "time": "1970-01-01T00:00:00.500+00:00",
        "level": "WARNING",
        "logger": "portal",
        "message": "failed x",
        "error": "TimeoutError: took too long",
    }


def test_crawl_flags_become_settings():
    assert crawl_output_settings(quiet=False, log_json=False) == {}
    assert crawl_output_settings(quiet=True, log_json=False) == {"VNGOV_PROGRESS": "off"}
    assert crawl_output_settings(quiet=False, log_json=True) == {
        "VNGOV_PROGRESS": "json",
        "VNGOV_LOG_JSON": True,
    }


@pytest.fixture()
def slow_portal():
    """The sample portal answering in 250 ms, so a crawl lasts long enough (a few seconds) to
    report on, with one article gone, so the crawl logs one warning."""
    server = PortalServer(delay=0.25).start()
    server.gone[gone_path(server)] = 404
    yield server
    server.stop()


def gone_path(portal: PortalServer) -> str:
    return sorted(portal.portal.by_path)[0]


def summary(portal: PortalServer) -> re.Pattern[str]:
    """The final summary of a crawl of ``slow_portal``: every article but the gone one."""
    new = len(portal.portal.by_path) - 1
    return re.compile(
        rf"fetched \d+ pages: {new} new, 0 changed, 0 unchanged articles; \d+ new contacts;"
        r" 1 errors \(finished\)"
    )


def not_found(portal: PortalServer) -> str:
    return f"not found (404): {portal.base_url}{gone_path(portal)}"


def crawl_args(portal, tmp_path, *extra: str) -> list[str]:
    return [
        "crawl",
        SITE,
        "--base-url",
        portal.base_url,
        "--db",
        str(tmp_path / "a.db"),
        "--no-delay",
        "--set",
        "VNGOV_PROGRESS_INTERVAL=0.2",
        *extra,
    ]


def test_log_json_writes_only_json_lines(slow_portal, tmp_path):
    done = run_vngov(*crawl_args(slow_portal, tmp_path, "--log-json"))
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    records = [json.loads(line) for line in done.stderr.splitlines()]  # every line is JSON
    progress = [r for r in records if r.get("event") == "progress"]
    assert progress, done.stderr
    assert all(PROGRESS.fullmatch(r["message"]) for r in progress)
    assert set(progress[-1]) >= {"pages", "new", "changed", "errors", "rate", "site", "time"}
    warnings = [(r["logger"], r["message"]) for r in records if r["level"] == "WARNING"]
    assert warnings == [("crawler.pipelines", not_found(slow_portal))]
    last = records[-1]
    assert (last["event"], last["level"], last["site"]) == ("summary", "INFO", SITE)
    assert summary(slow_portal).fullmatch(last["message"]), last


def test_plain_log_lines_when_stderr_is_not_a_terminal(slow_portal, tmp_path):
    done = run_vngov(*crawl_args(slow_portal, tmp_path))
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    progress = [line for line in lines if "[vngov.progress]" in line]
    assert progress
    for line in progress:
        stamp, _, message = line.partition(" [vngov.progress] INFO: ")
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", stamp), line
        assert PROGRESS.fullmatch(message), line
    assert "\r" not in done.stderr and "\x1b" not in done.stderr
    assert summary(slow_portal).fullmatch(lines[-1]), lines[-1]


def test_quiet_prints_only_errors_and_the_summary(slow_portal, tmp_path):
    done = run_vngov(*crawl_args(slow_portal, tmp_path, "--quiet"))
    assert done.returncode == 0, done.stderr
    [line] = done.stderr.splitlines()  # not even the warning about the missing article
    assert summary(slow_portal).fullmatch(line), line


def test_live_line_on_a_terminal(slow_portal, tmp_path):
    """stderr on a pseudo-terminal: the line is redrawn in place, log records are not mixed
    into it, and the last state stays on screen."""
    master, slave = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "archive", *crawl_args(slow_portal, tmp_path)],
        stdout=subprocess.PIPE,
        stderr=slave,
        cwd=REPO,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "200"},
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # the other end closed
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    assert process.wait(timeout=120) == 0
    screen = b"".join(chunks).decode().replace("\r\n", "\n")  # the tty turns \n into \r\n
    segments = screen.split(CLEAR_LINE)[1:]  # what follows each wipe of the line
    logged = [seg for seg in segments if re.match(r"\d{4}-\d\d-\d\d ", seg)]
    drawn = [seg for seg in segments if seg not in logged]
    assert len(drawn) > 3, screen
    # a redraw holds the progress alone; only the last one is closed by a newline
    assert all(PROGRESS.fullmatch(seg) for seg in drawn[:-1]), drawn
    last, after = drawn[-1].split("\n", 1)
    assert PROGRESS.fullmatch(last), last
    assert f" · {len(slow_portal.portal.by_path) - 1} new · " in last  # the final state
    [line] = after.splitlines()
    assert summary(slow_portal).fullmatch(line), line
    # log records wipe the line first and end their own line, never glued to the progress
    assert all(seg.endswith("\n") for seg in logged)
    [warning] = [line for line in screen.split("\n") if not_found(slow_portal) in line]
    shown = warning.split(CLEAR_LINE)[-1]  # what is left on screen
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \[crawler\.pipelines\] WARNING: "
        + re.escape(not_found(slow_portal)),
        shown,
    ), shown
