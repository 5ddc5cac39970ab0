"""Many hosts at the politeness limit: how close do we come to hosts / delay pages per second?

Serves a sample portal (``bench/portals.py``: the sample portal's templates, ``--articles``
articles in three categories) on each of ``--hosts`` loopback addresses 127.0.0.2,
127.0.0.3, ... (Linux routes all of 127.0.0.0/8 to the loopback interface, so each address is
a distinct host to Scrapy: its own download slot, its own delay), in a separate process.
Then crawls every host with the real spider and pipeline (parse, store, WARC) with
DOWNLOAD_DELAY=1 s, no jitter, one request at a time per host, AutoThrottle on as in
production (``--no-autothrottle`` turns it off), one Scrapy crawler per host in one process,
or the hosts split over ``--processes`` processes, each writing its own archive (the way
shards run).

The bound is hosts / delay pages per second. Reported: the rate while every host was still
being crawled (from the last host's first response to the first host's last response), and
the overall rate including start and tail. Run by hand:

    .venv/bin/python bench/crawl_hosts.py --hosts 100 --articles 120
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SITE = "angiang-sonoivu"
PORT = 18080


def start_portals(hosts: list[str], articles: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "bench" / "portals.py"),
            "--articles",
            str(articles),
            "--categories",
            "3",
            "--port",
            str(PORT),
            "--hosts",
            *hosts,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    if server.stdout is None or server.stdout.readline().strip() != "ready":
        server.kill()
        raise SystemExit("the portal servers did not start")
    return server


def worker(db: str, bases: list[str], delay: float, autothrottle: bool, out: str) -> None:
    """Crawl every base URL with one crawler each in this process; write response times."""
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess

    from crawler.runner import crawl_settings

    settings = crawl_settings(
        db,
        log_level="ERROR",
        extra={
            "DOWNLOAD_DELAY": delay,
            "DOWNLOAD_DELAY_JITTER": 0,
            "AUTOTHROTTLE_ENABLED": autothrottle,
            "AUTOTHROTTLE_START_DELAY": delay,
            "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
            "VNGOV_PROGRESS": "off",
        },
    )
    times: list[tuple[str, float]] = []
    process = CrawlerProcess(settings)
    for base in bases:
        crawler = process.create_crawler("portal")

        def record(response, request, spider, _base=base) -> None:
            times.append((_base, time.time()))

        crawler.signals.connect(record, signal=signals.response_received, weak=False)
        process.crawl(crawler, site=SITE, base_url=base)
    process.start()
    Path(out).write_text(json.dumps(times))


def measure(times: list[tuple[str, float]]) -> dict[str, float]:
    by_host: dict[str, list[float]] = {}
    for host, at in times:
        by_host.setdefault(host, []).append(at)
    all_busy_from = max(min(t) for t in by_host.values())
    all_busy_to = min(max(t) for t in by_host.values())
    inside = sum(all_busy_from <= at <= all_busy_to for _, at in times)
    stamps = sorted(at for _, at in times)
    return {
        "hosts": len(by_host),
        "pages": len(times),
        "seconds": round(stamps[-1] - stamps[0], 1),
        "overall_rate": round(len(times) / (stamps[-1] - stamps[0]), 1),
        "all_busy_seconds": round(all_busy_to - all_busy_from, 1),
        "all_busy_rate": round(inside / max(all_busy_to - all_busy_from, 1e-9), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hosts", type=int, default=100)
    parser.add_argument("--articles", type=int, default=120, help="articles per host")
    parser.add_argument("--delay", type=float, default=1.0)
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--no-autothrottle", dest="autothrottle", action="store_false")
    parser.add_argument("--worker", nargs=3, metavar=("DB", "OUT", "BASES"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        db, out, bases = args.worker
        worker(db, bases.split(","), args.delay, args.autothrottle, out)
        return
    hosts = [f"127.0.0.{n}" for n in range(2, args.hosts + 2)]
    server = start_portals(hosts, args.articles)
    bases = [f"http://{host}:{PORT}" for host in hosts]
    try:
        with tempfile.TemporaryDirectory(prefix="vngov-bench-") as tmp:
            workers = []
            for index in range(args.processes):
                share = bases[index :: args.processes]
                out = os.path.join(tmp, f"times-{index}.json")
                command = [
                    sys.executable,
                    __file__,
                    "--delay",
                    str(args.delay),
                    "--worker",
                    os.path.join(tmp, f"shard-{index}.db"),
                    out,
                    ",".join(share),
                ]
                if not args.autothrottle:
                    command.insert(2, "--no-autothrottle")
                workers.append((subprocess.Popen(command), out))
            peaks = []
            for process, _ in workers:
                _, status, usage = os.wait4(process.pid, 0)
                process.returncode = os.waitstatus_to_exitcode(status)
                peaks.append(usage.ru_maxrss // 1024)
            times = [tuple(t) for _, out in workers for t in json.loads(Path(out).read_text())]
    finally:
        server.terminate()
    result = measure(times)
    bound = args.hosts / args.delay
    result.update(
        bound=bound,
        all_busy_share_of_bound=round(result["all_busy_rate"] / bound, 3),
        processes=args.processes,
        autothrottle=args.autothrottle,
        peak_rss_mb_per_process=peaks,
    )
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
