"""One host, politeness off: the full pipeline against a no-op Scrapy spider, same server.

Serves a large sample portal (``bench/portals.py``) on 127.0.0.2 in a separate process, then
crawls it in turn, ``--rounds`` times each, with

- a no-op spider: plain Scrapy settings, the same concurrency (8 per host, no delay), robots.txt
  obeyed, following exactly the links the portal spider follows (the site's listing and article
  patterns, canonical URLs), parsing and storing nothing;
- ``vngov crawl --no-delay``: fetch, WARC capture, parse, store, contacts, duplicates.

Each crawl runs in its own process and is timed by Scrapy (``elapsed_time_seconds``); the
ratio of the medians is the pipeline's cost. Run by hand:

    .venv/bin/python bench/pipeline_vs_noop.py --articles 3000 --rounds 2
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from portals import crawl_argv, spawn_portal  # bench/ is on sys.path when run as a script

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SITE = "angiang-sonoivu"
HOST, PORT = "127.0.0.2", 18090
BASE = f"http://{HOST}:{PORT}"


def noop_crawl() -> None:
    """Crawl BASE with a spider that only follows links; print pages and seconds as JSON."""
    import scrapy
    from scrapy.crawler import CrawlerProcess

    from crawler.politeness import relaxed_settings
    from crawler.sites import get_site
    from crawler.urls import canonicalize_url

    site = get_site(SITE, base_url=BASE)

    class NoopSpider(scrapy.Spider):
        name = "noop"

        async def start(self):
            for url in site.start_urls:
                yield scrapy.Request(url)

        def parse(self, response):
            if site.is_article(response.url):
                return
            for href in response.css("a::attr(href)").getall():
                url = canonicalize_url(response.urljoin(href))
                if site.is_own(url) and (site.is_article(url) or site.is_listing(url)):
                    yield scrapy.Request(url)

    process = CrawlerProcess(
        {
            "LOG_LEVEL": "ERROR",
            "ROBOTSTXT_OBEY": True,
            "TELNETCONSOLE_ENABLED": False,
            "CONCURRENT_REQUESTS": 16,
            **relaxed_settings(),
        }
    )
    crawler = process.create_crawler(NoopSpider)
    process.crawl(crawler)
    process.start()
    stats = crawler.stats.get_stats()
    print(
        json.dumps(
            {"pages": stats["response_received_count"], "seconds": stats["elapsed_time_seconds"]}
        )
    )


def full_crawl(db: Path) -> dict[str, float]:
    subprocess.run(crawl_argv(SITE, BASE, db), check=True, cwd=ROOT)
    conn = sqlite3.connect(db)
    pages, seconds = conn.execute(
        "select pages_fetched, duration_seconds from crawl_runs order by id desc limit 1"
    ).fetchone()
    conn.close()
    return {"pages": pages, "seconds": seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--categories", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--noop", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.noop:
        noop_crawl()
        return
    server = spawn_portal(args.articles, args.categories, HOST, PORT)
    runs: dict[str, list[dict[str, float]]] = {"noop": [], "full": []}
    try:
        with tempfile.TemporaryDirectory(prefix="vngov-bench-") as tmp:
            for round_ in range(args.rounds):
                done = subprocess.run(
                    [sys.executable, __file__, "--noop"],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                runs["noop"].append(json.loads(done.stdout.strip().splitlines()[-1]))
                runs["full"].append(full_crawl(Path(tmp) / f"full-{round_}.db"))
    finally:
        server.terminate()
    rates = {
        kind: statistics.median(r["pages"] / r["seconds"] for r in results)
        for kind, results in runs.items()
    }
    print(
        json.dumps(
            {
                "runs": runs,
                "noop_pages_per_s": round(rates["noop"], 1),
                "full_pages_per_s": round(rates["full"], 1),
                "ratio": round(rates["full"] / rates["noop"], 3),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
