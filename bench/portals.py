"""Large sample portals for the benchmarks, served from a separate process.

``large_portal(n, categories)`` clones the sample portal's 32 articles into ``n`` articles
spread over ``categories`` listings (10 teasers a page, every page linked, as the sample
portal does), with distinct slugs, titles and dates, and their attachment links removed (the
sample server has no files behind them). Pages are rendered by the sample portal's own
templates. Run as a script, it serves a portal on each given address and prints one line,
``ready``, when they all listen:

    python bench/portals.py --articles 50000 --categories 50 --hosts 127.0.0.2 --port 8000
"""

from __future__ import annotations

import argparse
import copy
import subprocess
import sys
import threading
from datetime import date, timedelta
from functools import cached_property
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archive.sample_portal.render import SamplePortal, _load_json
from archive.sample_portal.server import PortalServer


class _PositionList(list):
    """The article list with an O(1) ``index``: the templates look an article's position up
    on every page, which is O(n) on a plain list and would make the server the bottleneck."""

    def reindex(self) -> None:
        self._positions = {id(item): n for n, item in enumerate(self)}

    def index(self, item, *args):  # type: ignore[override]
        return self._positions[id(item)]


class LargePortal(SamplePortal):
    """A sample portal whose category lookups do not scan every article."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.articles = _PositionList(self.articles)
        self.articles.reindex()

    @cached_property
    def _by_category(self) -> dict[str, list[dict]]:
        groups: dict[str, list[dict]] = {}
        for article in self.articles:
            groups.setdefault(article["category"], []).append(article)
        return groups

    def in_category(self, category: str) -> list[dict]:
        return self._by_category.get(category, [])


def large_portal(articles: int, categories: int) -> LargePortal:
    """A portal of ``articles`` articles over ``categories`` categories (see module doc)."""
    base = SamplePortal()
    site = copy.deepcopy(_load_json("site.json"))
    names = {f"Chuyên mục {n + 1}": f"chuyen-muc-{n + 1}" for n in range(categories)}
    site["categories"] = names
    listing_links = [
        [name, f"/wps/portal/Home/tin-tuc/{slug}"] for name, slug in list(names.items())[:3]
    ]
    site["menu"] = [item for item in site["menu"] if "/tin-tuc/" not in item[1]]
    site["menu"][1:1] = listing_links
    category_names = list(names)
    start = date(2025, 6, 30)
    generated = []
    for n in range(articles):
        article = copy.deepcopy(base.articles[n % len(base.articles)])
        day = start - timedelta(days=n // 20)
        article.update(
            slug=f"{article['slug']}-{n}",
            title=f"{article['title']} (số {n})",
            category=category_names[n % categories],
            published_at=f"{day.isoformat()}T08:{n % 60:02d}:00+07:00",
            date_shown=f"{day:%d/%m/%Y} 08:{n % 60:02d}",
            attachments=[],
        )
        generated.append(article)
    return LargePortal(site=site, articles=generated)


class RenderedOnceServer(PortalServer):
    """A portal server that renders each page once and then answers from memory.

    The benchmarks run the server on the machine they measure: rendering a page for every
    request (half a millisecond) would charge the server's CPU to the crawl, which on two
    cores competes with it for the second one, where a real portal is another machine.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._answers: dict[str, tuple[int, str, bytes]] = {}

    def answer(self, path: str) -> tuple[int, str, bytes]:
        answer = self._answers.get(path)
        if answer is None:
            status, content_type, body = super().answer(path)
            data = body.encode("utf-8") if isinstance(body, str) else body
            answer = self._answers[path] = (status, content_type, data)
        return answer


def serve(portal: SamplePortal, hosts: list[str], port: int) -> list[PortalServer]:
    """One threaded server per host address, all sharing ``portal``."""
    servers = []
    for host in hosts:
        server = RenderedOnceServer(portal, host=host, port=port)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
    return servers


def spawn_portal(articles: int, categories: int, host: str, port: int) -> subprocess.Popen:
    """Serve a large portal from a separate process; returns once it says it is ready.

    A process of its own, so that serving does not share the measured crawler's interpreter.
    """
    server = subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--articles",
            str(articles),
            "--categories",
            str(categories),
            "--hosts",
            host,
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None and server.stdout.readline().strip() == "ready"
    return server


def crawl_argv(site: str, base_url: str, db: Path) -> list[str]:
    """The ``vngov crawl`` the benchmarks time: politeness off, no progress line."""
    return [
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
        "--quiet",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--categories", type=int, default=10)
    parser.add_argument("--hosts", nargs="+", default=["127.0.0.1"])
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    portal = large_portal(args.articles, args.categories)
    serve(portal, args.hosts, args.port)
    print("ready", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
