"""What storing a page costs the archive writer: CPU per article stored in a fresh archive.

Renders ``--articles`` articles of the benchmark portal (``bench/portals.py``), reads each
with ``read_article_page`` as a crawl does (not timed), then stores the items with the
archive writer's own function (``crawler.pipelines.store_item``: the article, its version,
fetch state, contacts, document references and full-text index, one transaction a page)
into a fresh archive, ``--rounds`` times. Reported: CPU time of this process per article,
best round, and the wall-clock time beside it. Run by hand:

    .venv/bin/python bench/store.py --articles 3000 --rounds 3
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from portals import large_portal  # bench/ is on sys.path when run as a script

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archive.sample_portal.render import render_article
from crawler.article_pages import read_article_page
from crawler.items import ArticleItem, Capture
from crawler.pipelines import close_archive, open_archive, store_item

BASE = "http://127.0.0.2:18090"


def items(articles: int) -> list[ArticleItem]:
    """The items a crawl of the benchmark portal would hand the archive pipeline."""
    portal = large_portal(articles, 30)
    fetched_at = datetime.now(UTC)
    made = []
    for n, article in enumerate(portal.articles):
        url = BASE + portal.article_path(article)
        page = read_article_page(
            render_article(portal, article).encode(), url, fetched_at=fetched_at
        )
        assert page.record is not None
        page.record["canonical_url"] = url
        capture = Capture("bench.warc.gz", n * 4096, 4096, f"sha1:{n:032d}", "response")
        made.append(
            ArticleItem(
                site="angiang-sonoivu",
                url=url,
                http_status=200,
                fetched_at=fetched_at.isoformat(timespec="seconds"),
                record=page.record,
                capture=capture,
            )
        )
    return made


def store_all(batch: list[ArticleItem], db: str) -> tuple[float, float]:
    """Seconds of CPU and of wall clock to store ``batch`` into a new archive at ``db``."""
    open_archive(db)
    cpu, wall = time.process_time(), time.perf_counter()
    for item in batch:
        store_item(db, item)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    close_archive(db)
    return cpu, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    batch = items(args.articles)
    rounds = []
    with tempfile.TemporaryDirectory(prefix="vngov-bench-") as tmp:
        for n in range(args.rounds):
            rounds.append(store_all(batch, str(Path(tmp) / f"store-{n}.db")))
    cpu, wall = min(rounds)
    print(
        json.dumps(
            {
                "articles": len(batch),
                "rounds_cpu_ms_per_article": [round(c / len(batch) * 1000, 3) for c, _ in rounds],
                "best_cpu_ms_per_article": round(cpu / len(batch) * 1000, 3),
                "wall_ms_per_article_same_round": round(wall / len(batch) * 1000, 3),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
