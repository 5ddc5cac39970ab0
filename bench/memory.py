"""Peak memory of one long crawl: `vngov crawl` over a portal of ``--articles`` articles.

Serves a large sample portal (``bench/portals.py``, 10 teasers a listing page) on 127.0.0.3
in a separate process, crawls it with ``vngov crawl --no-delay --quiet`` into a fresh
archive, samples the crawl's resident memory (VmRSS) every ``--every`` seconds, and reports
its peak (``ru_maxrss`` from ``wait4``, which counts that one process) and the peak of the
sampled sum over the crawl and its workers, the parser and the archive writer
(``crawler.workers``; the sum counts the pages they share copy-on-write more than once, so
it overstates). 50,000 articles in 50
categories make about 55,000 pages. It takes a while; run it in the background:

    nohup .venv/bin/python bench/memory.py --articles 50000 > memory.json &
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from portals import crawl_argv, spawn_portal  # bench/ is on sys.path when run as a script

ROOT = Path(__file__).resolve().parent.parent

SITE = "angiang-sonoivu"
HOST, PORT = "127.0.0.3", 18100


def rss_mb(pid: int) -> float | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    line = next((x for x in status.splitlines() if x.startswith("VmRSS:")), None)
    return int(line.split()[1]) / 1024 if line else None


def family_rss_mb(pid: int) -> tuple[float, float] | None:
    """RSS of ``pid`` and the sum over it and its child processes (the parser workers)."""
    own = rss_mb(pid)
    if own is None:
        return None
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    return own, own + sum(rss_mb(int(child)) or 0 for child in children)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=50000)
    parser.add_argument("--categories", type=int, default=50)
    parser.add_argument("--every", type=float, default=10.0, help="seconds between samples")
    args = parser.parse_args()
    server = spawn_portal(args.articles, args.categories, HOST, PORT)
    samples: list[tuple[float, float, float]] = []
    try:
        with tempfile.TemporaryDirectory(prefix="vngov-bench-") as tmp:
            db = Path(tmp) / "memory.db"
            started = time.monotonic()
            crawl = subprocess.Popen(crawl_argv(SITE, f"http://{HOST}:{PORT}", db), cwd=ROOT)
            stop = threading.Event()

            def sample() -> None:
                while not stop.wait(args.every):
                    value = family_rss_mb(crawl.pid)
                    if value is not None:
                        at = round(time.monotonic() - started)
                        samples.append((at, round(value[0]), round(value[1])))

            threading.Thread(target=sample, daemon=True).start()
            _, status, usage = os.wait4(crawl.pid, 0)
            stop.set()
            crawl.returncode = os.waitstatus_to_exitcode(status)
            elapsed = time.monotonic() - started
            conn = sqlite3.connect(db)
            pages, articles = conn.execute(
                "select pages_fetched, articles_new from crawl_runs order by id desc limit 1"
            ).fetchone()
            conn.close()
    finally:
        server.terminate()
    step = max(1, len(samples) // 20)
    print(
        json.dumps(
            {
                "exit_code": crawl.returncode,
                "pages": pages,
                "articles": articles,
                "seconds": round(elapsed),
                "peak_rss_mb": round(usage.ru_maxrss / 1024),
                "peak_sampled_rss_mb_with_workers": max((s[2] for s in samples), default=None),
                "rss_mb_samples_seconds_crawl_with_workers": samples[::step],
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
