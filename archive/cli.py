"""The ``vngov`` command: crawl portals, parse pages, search the archive.

Data goes to stdout, progress and logs to stderr; errors are one line and a non-zero exit.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from archive.cli_common import open_existing
from archive.output import format_rows, output_options
from archive.search import QueryError, search
from archive.storage import Archive

DEFAULT_DB = "archive.db"
UNHEALTHY_EXIT = 3  # the crawl ran but fetched or parsed nothing, or failed too often
SEARCH_COLUMNS = ("published_at", "site", "title", "snippet", "url")


def _open_existing(db: str) -> Archive:
    return open_existing(db)


@click.group()
@click.version_option(package_name="vngov-archive")
def cli() -> None:
    """Archive Vietnamese government portals and search them without diacritics."""


@cli.command()
@click.argument("site")
@click.option("--db", default=DEFAULT_DB, show_default=True, help="Archive database file.")
@click.option("--base-url", help="Crawl the site at another origin (a mirror, a test server).")
@click.option("--max-pages", type=click.IntRange(min=1), help="Stop after this many responses.")
@click.option(
    "--no-delay",
    is_flag=True,
    help="Turn delays and AutoThrottle off. Only for loopback hosts (tests, the demo).",
)
@click.option("-v", "--verbose", is_flag=True, help="Log every request (INFO level).")
def crawl(
    site: str, db: str, base_url: str | None, max_pages: int | None, no_delay: bool, verbose: bool
) -> None:
    """Crawl SITE (an id from the site registry) into the archive.

    \b
    Example:
        vngov crawl angiang-sonoivu --db archive.db
    """
    from crawler.politeness import ImpoliteSettings
    from crawler.runner import run_crawl
    from crawler.sites import UnknownSite

    try:
        stats = run_crawl(
            site,
            db,
            base_url=base_url,
            max_pages=max_pages,
            relaxed=no_delay,
            log_level="INFO" if verbose else "WARNING",
        )
    except (UnknownSite, ImpoliteSettings, ValueError) as error:
        raise click.ClickException(str(error)) from None
    click.echo(_crawl_summary(stats), err=True)
    problems = _run_problems(db, stats)
    if problems:
        click.echo(f"unhealthy crawl: {'; '.join(problems)}", err=True)
        sys.exit(UNHEALTHY_EXIT)


def _run_problems(db: str, stats: dict) -> list[str]:
    """What makes this crawl unhealthy, judged from its run record (see archive.reports)."""
    from archive.reports import run_health

    run_id = stats.get("vngov/run_id")
    if run_id is None:
        return ["the crawl did not start (no run record)"]
    archive = open_existing(db)
    try:
        return run_health(archive.db["crawl_runs"].get(run_id))
    finally:
        archive.close()


def _crawl_summary(stats: dict) -> str:
    errors = sum(v for k, v in stats.items() if k.startswith("vngov/errors/"))
    return (
        f"fetched {stats.get('response_received_count', 0)} pages: "
        f"{stats.get('vngov/articles_new', 0)} new, "
        f"{stats.get('vngov/articles_changed', 0)} changed, "
        f"{stats.get('vngov/articles_unchanged', 0)} unchanged articles; "
        f"{stats.get('vngov/contacts_new', 0)} new contacts; {errors} errors "
        f"({stats.get('finish_reason', '?')})"
    )


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--url", help="The URL the page was fetched from (helps platform detection).")
def parse(files: tuple[str, ...], url: str | None) -> None:
    """Parse saved article pages; print one JSON record per page, one per line.

    \b
    Example:
        vngov parse page.html --url https://sonoivu.angiang.gov.vn/wps/portal/...
    """
    from crawler.parsers.article import parse_article

    failed = 0
    for name in files:
        try:
            data = Path(name).read_bytes()
        except OSError as error:
            click.echo(f"error: cannot read {name}: {error.strerror}", err=True)
            failed += 1
            continue
        record = parse_article(data, url or Path(name).resolve().as_uri())
        click.echo(json.dumps(record.to_dict(), ensure_ascii=False))
    if failed:
        sys.exit(1)


@cli.command(name="search")
@click.argument("query")
@click.option("--db", default=DEFAULT_DB, show_default=True, help="Archive database file.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1))
@click.option("--site", help="Only articles of this site id.")
@output_options
def search_command(query: str, db: str, limit: int, site: str | None, fmt: str) -> None:
    """Search the archive. Diacritics are optional: `de an 06` finds "Đề án 06".

    \b
    Quoted "phrases", OR, -excluded and prefix* work; anything else is searched literally.
    Examples:
        vngov search 'tinh gian bien che'
        vngov search '959/QĐ-UBND' --table
    """
    archive = _open_existing(db)
    marks = ("<mark>", "</mark>")
    if fmt == "table":
        marks = ("\033[1;33m", "\033[0m") if sys.stdout.isatty() else ("[", "]")
    try:
        rows = search(archive.db, query, limit=limit, site=site, open_=marks[0], close=marks[1])
    except QueryError as error:
        raise click.ClickException(str(error)) from None
    finally:
        archive.close()
    if fmt in ("csv", "table"):
        click.echo(format_rows(rows, fmt, SEARCH_COLUMNS))
    else:
        click.echo(format_rows(rows, fmt))
    if not rows:
        click.echo(f"no results for {query!r}", err=True)


@cli.command()
@output_options
def sites(fmt: str) -> None:
    """List the sites in the registry."""
    from crawler.sites import load_sites

    rows = [site.as_dict() for site in load_sites().values()]
    click.echo(format_rows(rows, fmt))


@cli.command()
@click.option("--db", default="demo.db", show_default=True, help="Archive database file.")
@click.option("--query", default="tinh gian bien che", show_default=True, help="Sample search.")
def demo(db: str, query: str) -> None:
    """Serve the sample portal on 127.0.0.1, crawl it, and search it without diacritics."""
    from archive.demo import run_demo

    run_demo(db, query)


def _register_archive_commands() -> None:
    from archive.cli_archive import ARCHIVE_COMMANDS

    for command in ARCHIVE_COMMANDS:
        cli.add_command(command)


_register_archive_commands()
