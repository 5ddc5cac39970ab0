"""Shared fixtures: the sample portal on loopback and a way to run the real ``vngov`` command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from archive.sample_portal.server import PortalServer

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


@pytest.fixture()
def portal():
    """The sample portal served on 127.0.0.1 at a free port, for one test."""
    server = PortalServer().start()
    yield server
    server.stop()


def run_vngov(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run ``vngov ARGS`` in a fresh process, as a user would, and capture its output."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.run(
        [sys.executable, "-m", "archive", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
        env=env,
    )


def shared_corpus() -> Path:
    """The real pages in ../shared/corpus/real, or skip the test with the reason."""
    corpus = SHARED / "corpus" / "real"
    if not corpus.is_dir():
        pytest.skip(f"shared corpus not found at {corpus} (it sits beside the checkout)")
    return corpus


def start_crawl(base_url: str, db: Path, site: str = "angiang-sonoivu") -> subprocess.Popen:
    """Start ``vngov crawl`` of a loopback server in the background (stderr piped)."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "archive",
            "crawl",
            site,
            "--base-url",
            base_url,
            "--db",
            str(db),
            "--no-delay",
        ],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def crawl_portal(portal: PortalServer, db: Path, *extra: str) -> subprocess.CompletedProcess:
    """Run ``vngov crawl`` of the site a loopback portal stands in for, with delays off."""
    return run_vngov(
        "crawl",
        portal.portal.site_id,
        "--base-url",
        portal.base_url,
        "--db",
        str(db),
        "--no-delay",
        *extra,
    )
