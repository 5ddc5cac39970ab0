"""``vngov`` commands for archivists: history, diff, show, contacts, export, stats, runs,
reparse."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import click

from archive.cli_common import db_option, open_existing
from archive.history import (
    ArticleNotFound,
    diff_records,
    find_article,
    show_record,
    version_summary,
    versions,
)
from archive.output import format_rows, output_options
from archive.reports import (
    EXPORT_COLUMNS,
    contact_directory,
    counts_by_site_and_month,
    iter_articles,
    recent_runs,
)
from archive.storage import JSON_COLUMNS


def _article(archive, ref: str) -> dict:
    try:
        return find_article(archive.db, ref)
    except ArticleNotFound as error:
        raise click.ClickException(str(error)) from None


@click.command()
@click.argument("url")
@db_option
@output_options
def history(url: str, db: str, fmt: str) -> None:
    """List every archived version of an article (by URL or id).

    \b
    Example:
        vngov history https://sonoivu.angiang.gov.vn/wps/portal/Home/tin-tuc/... --table
    """
    archive = open_existing(db)
    try:
        article = _article(archive, url)
        rows = [version_summary(v) for v in versions(archive.db, article["id"])]
    finally:
        archive.close()
    click.echo(format_rows(rows, fmt))
    if article.get("status") == "removed":
        click.echo(f"removed from the site on {article['removed_at']}", err=True)


@click.command()
@click.argument("url")
@click.argument("v1", type=int, required=False)
@click.argument("v2", type=int, required=False)
@db_option
def diff(url: str, v1: int | None, v2: int | None, db: str) -> None:
    """Show what changed between two versions of an article (default: the last two).

    Field changes first, then a unified diff of the body.

    \b
    Example:
        vngov diff https://sonoivu.angiang.gov.vn/... 1 2
    """
    archive = open_existing(db)
    try:
        article = _article(archive, url)
        stored = {v["version"]: v for v in versions(archive.db, article["id"])}
    finally:
        archive.close()
    if v1 is None:
        numbers = sorted(stored)
        if len(numbers) < 2:
            raise click.ClickException(f"only one version archived for {article['url']}")
        v1, v2 = numbers[-2], numbers[-1]
    elif v2 is None:
        v2 = max(stored)
    missing = [v for v in (v1, v2) if v not in stored]
    if missing:
        raise click.ClickException(
            f"no version {missing[0]} of {article['url']} (versions: {sorted(stored)})"
        )
    changes, body_diff = diff_records(stored[v1]["record"], stored[v2]["record"])
    click.echo(
        f"{article['url']}: version {v1} ({stored[v1]['captured_at']}) → "
        f"{v2} ({stored[v2]['captured_at']})"
    )
    for change in changes:
        click.echo(f"  {change['field']}: {change['old']!r} → {change['new']!r}")
    if body_diff:
        click.echo(body_diff, nl=False)
    if not changes and not body_diff:
        click.echo("  no content differences")


@click.command()
@click.argument("ref")
@db_option
def show(ref: str, db: str) -> None:
    """Print an archived article (by id or URL) with its provenance and a citation.

    \b
    Example:
        vngov show 12
    """
    archive = open_existing(db)
    try:
        try:
            record = show_record(archive.db, ref)
        except ArticleNotFound as error:
            raise click.ClickException(str(error)) from None
    finally:
        archive.close()
    click.echo(json.dumps(record, ensure_ascii=False, indent=2))


@click.command()
@click.option("--site", help="Only this site id.")
@click.option("--as-of", "as_of", help="Who was the contact on this date (YYYY-MM-DD).")
@db_option
@output_options
def contacts(site: str | None, as_of: str | None, db: str, fmt: str) -> None:
    """The hotline directory: latest entries, or as it stood on a date.

    \b
    Example:
        vngov contacts --site angiang-sonoivu --as-of 2024-03-01 --table
    """
    if as_of:
        try:
            from datetime import date

            date.fromisoformat(as_of[:10])
        except ValueError:
            raise click.BadParameter(
                f"not a date: {as_of!r} (use YYYY-MM-DD)", param_hint="--as-of"
            ) from None
    archive = open_existing(db)
    try:
        rows = contact_directory(archive.db, site=site, as_of=as_of)
    finally:
        archive.close()
    click.echo(format_rows(rows, fmt))


@click.command()
@click.option(
    "--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True
)
@click.option("--site", help="Only this site id.")
@click.option("--since", help="Published on or after this date (YYYY-MM-DD).")
@click.option("--until", help="Published on or before this date (YYYY-MM-DD).")
@db_option
def export(fmt: str, site: str | None, since: str | None, until: str | None, db: str) -> None:
    """Stream archived articles (current versions) as JSON lines or CSV.

    \b
    Example:
        vngov export --format csv --site angiang-sonoivu --since 2024-01-01 > articles.csv
    """
    archive = open_existing(db)
    try:
        rows = iter_articles(archive.db, site=site, since=since, until=until)
        if fmt == "csv":
            writer = csv.DictWriter(sys.stdout, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        else:
            for row in rows:
                for name in JSON_COLUMNS:
                    row[name] = json.loads(row[name] or "[]")
                sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
    finally:
        archive.close()


@click.command()
@db_option
@output_options
def stats(db: str, fmt: str) -> None:
    """Articles per site and month, and the last crawl runs with their health."""
    archive = open_existing(db)
    try:
        counts = counts_by_site_and_month(archive.db)
        runs = recent_runs(archive.db, limit=5)
    finally:
        archive.close()
    if fmt == "json":
        click.echo(json.dumps({"articles": counts, "runs": runs}, ensure_ascii=False, indent=2))
        return
    click.echo(format_rows(counts, fmt))
    click.echo("")
    click.echo(format_rows(runs, fmt))


@click.command()
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1))
@click.option("--site", help="Only this site id.")
@db_option
@output_options
def runs(limit: int, site: str | None, db: str, fmt: str) -> None:
    """Recent crawl runs, whether each was healthy, and warnings from comparing each with
    the site's earlier runs (listings that suddenly yield nothing, dates that stop parsing)."""
    from archive.health import checked_runs

    archive = open_existing(db)
    try:
        rows = checked_runs(archive.db, limit=limit, site=site)
    finally:
        archive.close()
    click.echo(format_rows(rows, fmt))


@click.command()
@click.option("--site", help="Only this site id.")
@click.option("--apply", "apply_changes", is_flag=True, help="Write the changes (default: report).")
@click.option("--warc-dir", type=click.Path(file_okay=False), help="Default: beside the database.")
@db_option
def reparse(site: str | None, apply_changes: bool, warc_dir: str | None, db: str) -> None:
    """Re-extract every stored version from its WARC capture with the current parsers.

    Reports field-level changes (one JSON line per changed version); writes them, recording
    the parser version, only with --apply.
    """
    from archive.reparse import reparse_versions
    from crawler.warc import default_warc_dir

    archive = open_existing(db)
    counts = {"versions": 0, "changed": 0, "errors": 0}
    try:
        directory = Path(warc_dir) if warc_dir else default_warc_dir(db)
        for result in reparse_versions(archive, directory, site=site):
            counts["versions"] += 1
            if result.error:
                counts["errors"] += 1
                click.echo(f"warning: {result.url} v{result.version}: {result.error}", err=True)
                continue
            if not (result.changes or result.body_changed):
                continue
            counts["changed"] += 1
            fields = [c["field"] for c in result.changes] + (
                ["body"] if result.body_changed else []
            )
            click.echo(
                json.dumps(
                    {
                        "article_id": result.article_id,
                        "version": result.version,
                        "url": result.url,
                        "fields": fields,
                        "changes": result.changes,
                    },
                    ensure_ascii=False,
                )
            )
            if apply_changes and result.record is not None:
                archive.apply_reparse(result.article_id, result.version, result.record)
    finally:
        archive.close()
    verb = "rewrote" if apply_changes else "would change (use --apply to write)"
    click.echo(
        f"{counts['versions']} versions re-parsed: {verb} {counts['changed']}; "
        f"{counts['errors']} could not be read",
        err=True,
    )


ARCHIVE_COMMANDS = (history, diff, show, contacts, export, stats, runs, reparse)
