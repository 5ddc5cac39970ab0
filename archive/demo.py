"""``vngov demo``: the whole pipeline on the sample portal, served on loopback, in one command."""

from __future__ import annotations

import sys
import time

import click

from archive.sample_portal.server import PortalServer
from archive.search import search
from archive.storage import Archive


def run_demo(db: str, query: str) -> None:
    """Serve the sample portal, crawl it into ``db``, print counts and a sample search."""
    from crawler.runner import run_crawl

    started = time.monotonic()
    server = PortalServer().start()
    click.echo(
        f"Serving the sample portal of {server.portal.site_id} at {server.base_url}", err=True
    )
    try:
        stats = run_crawl(server.portal.site_id, db, base_url=server.base_url, relaxed=True)
    finally:
        server.stop()
    archive = Archive(db)
    try:
        articles, contacts = archive.count("articles"), archive.count("contacts")
        click.echo(
            f"Crawled {stats.get('response_received_count', 0)} pages in "
            f"{time.monotonic() - started:.1f} s: {articles} articles and {contacts} contacts "
            f"stored in {db} ({stats.get('vngov/articles_new', 0)} new this run)."
        )
        marks = ("\033[1;33m", "\033[0m") if sys.stdout.isatty() else ("[", "]")
        results = search(archive.db, query, limit=5, open_=marks[0], close=marks[1])
    finally:
        archive.close()
    click.echo(f"\n$ vngov search {query!r} --db {db}")
    for row in results:
        click.echo(f"\n{row['published_at'][:10]}  {row['title_highlighted']}")
        click.echo(f"  {row['snippet']}")
        click.echo(f"  {row['url']}")
    click.echo(f"\n{len(results)} results. Try: vngov search 'de an 06' --db {db} --table")
