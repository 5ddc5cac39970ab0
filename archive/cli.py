"""The ``vngov`` command: crawl portals, parse pages, search the archive.

Data goes to stdout, progress and logs to stderr; errors are one line and a non-zero exit.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from archive.cli_common import open_existing
from archive.storage import Archive

DEFAULT_DB = "archive.db"
UNHEALTHY_EXIT = 3  # the crawl ran but fetched or parsed nothing, or failed too often


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
@click.option(
    "--full",
    is_flag=True,
    help="Walk every listing to its end and fetch every article (archived ones conditionally)."
    " Pausable: Ctrl-C once, then --resume.",
)
@click.option("--resume", is_flag=True, help="Continue the paused --full crawl of SITE.")
@click.option(
    "--revisit",
    is_flag=True,
    help="Only revisit archived articles that are due (1, 7, 30 days after first seen).",
)
@click.option("--registry", type=click.Path(dir_okay=False), help="User registry file.")
@click.option(
    "--set",
    "settings",
    multiple=True,
    metavar="NAME=VALUE",
    help="Override a Scrapy or VNGOV_* setting (repeatable); politeness is still enforced.",
)
@click.option("-q", "--quiet", is_flag=True, help="Only errors and the final summary.")
@click.option(
    "--log-json", is_flag=True, help="Log (and report progress) as one JSON object per line."
)
@click.option("-v", "--verbose", is_flag=True, help="Log every request (INFO level).")
def crawl(
    site: str,
    db: str,
    base_url: str | None,
    max_pages: int | None,
    no_delay: bool,
    full: bool,
    resume: bool,
    revisit: bool,
    registry: str | None,
    settings: tuple[str, ...],
    quiet: bool,
    log_json: bool,
    verbose: bool,
) -> None:
    """Crawl SITE (an id from the site registry) into the archive.

    By default the crawl is incremental: it fetches articles the archive does not have, stops
    walking a listing after VNGOV_STOP_AFTER_KNOWN archived articles in a row, and revisits
    archived articles that are due, with conditional requests.

    \b
    Examples:
        vngov crawl angiang-sonoivu --db archive.db
        vngov crawl angiang-sonoivu --full          # backfill; Ctrl-C pauses
        vngov crawl angiang-sonoivu --resume
        vngov crawl angiang-sonoivu --revisit --set VNGOV_REVISIT_DAYS=1,7,30
    """
    from archive.cli_ops import crawl_output_settings, say
    from crawler.jobs import JobError
    from crawler.politeness import ImpoliteSettings
    from crawler.runner import run_crawl
    from crawler.sites import RegistryError, UnknownSite

    if sum((full, resume, revisit)) > 1:
        raise click.UsageError("choose one of --full, --resume and --revisit")
    mode = "full" if full else "revisit" if revisit else "incremental"
    try:
        stats = run_crawl(
            site,
            db,
            base_url=base_url,
            max_pages=max_pages,
            relaxed=no_delay,
            log_level="ERROR" if quiet else "INFO" if verbose else "WARNING",
            mode=mode,
            resume=resume,
            registry=registry,
            extra_settings={
                **crawl_output_settings(quiet=quiet, log_json=log_json),
                **_parse_settings(settings),
            },
        )
    except (UnknownSite, ImpoliteSettings, RegistryError, JobError, ValueError) as error:
        raise click.ClickException(str(error)) from None
    say(_crawl_summary(stats), log_json, event="summary", site=site)
    if stats.get("vngov/job") == "paused":
        say(
            f"full crawl paused ({stats.get('finish_reason')}); continue it with "
            f"`vngov crawl {site} --resume --db {db}`",
            log_json,
        )
        return  # an intended pause, not a failed run
    if mode == "revisit" and not stats.get("vngov/revisits_due"):
        say("no article is due for a revisit", log_json)
        return
    for warning in _run_warnings(db, stats):
        say(f"warning: {site}: {warning}", log_json, level="WARNING", event="health")
    problems = _run_problems(db, stats)
    if problems:
        say(f"unhealthy crawl: {'; '.join(problems)}", log_json, level="ERROR", event="health")
        sys.exit(UNHEALTHY_EXIT)


def _parse_settings(pairs: tuple[str, ...]) -> dict[str, str]:
    """``NAME=VALUE`` pairs of ``--set`` as a dict; Scrapy converts the values on use."""
    settings = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"{pair!r} is not NAME=VALUE", param_hint="--set")
        settings[name.strip()] = value
    return settings


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


def _run_warnings(db: str, stats: dict) -> list[str]:
    """What looks wrong next to the site's earlier runs (see archive.health)."""
    from archive.health import run_warnings

    run_id = stats.get("vngov/run_id")
    if run_id is None:
        return []
    archive = open_existing(db)
    try:
        return run_warnings(archive.db, archive.db["crawl_runs"].get(run_id))
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


@cli.command()
@click.option("--db", default="demo.db", show_default=True, help="Archive database file.")
@click.option("--query", default="tinh gian bien che", show_default=True, help="Sample search.")
def demo(db: str, query: str) -> None:
    """Serve the sample portal on 127.0.0.1, crawl it, and search it without diacritics."""
    from archive.demo import run_demo

    run_demo(db, query)


def _register_archive_commands() -> None:
    from archive.cli_archive import ARCHIVE_COMMANDS
    from archive.cli_sites import sites

    for command in (*ARCHIVE_COMMANDS, sites):
        cli.add_command(command)

    from archive.cli_ops import OPS_COMMANDS

    for command in OPS_COMMANDS:
        cli.add_command(command)


_register_archive_commands()


def _register_search_commands() -> None:
    """`vngov search`, `vngov watch` and `vngov serve` (archive/cli_search.py)."""
    from archive.cli_search import SEARCH_COMMANDS

    for command in SEARCH_COMMANDS:
        cli.add_command(command)


_register_search_commands()
