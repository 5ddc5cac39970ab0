"""``vngov search``, ``vngov watch`` and ``vngov serve``: finding things in the archive.

The search filters are one decorator shared by ``search`` and ``watch add``, so a watch
takes exactly the filters a search does.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import click

from archive.cli_common import db_option, open_existing
from archive.output import format_rows, output_options
from archive.search import SORTS, QueryError, Results, SearchFilters, search

# What a terminal table shows; CSV carries more for spreadsheets.
TABLE_COLUMNS = ("id", "date", "province", "site", "title", "snippet", "url")
CSV_COLUMNS = (
    "id",
    "published_at",
    "site",
    "province",
    "province_now",
    "category",
    "author",
    "title",
    "snippet",
    "url",
    "permalink",
    "show",
)
WATCH_COLUMNS = ("name", "query", "filters", "exact", "created_at", "new_or_changed")


def filter_options(func: Callable) -> Callable:
    """The search filters as click options, in the order ``--help`` lists them."""
    options = [
        click.option("--site", help="Only this site id (see `vngov sites`)."),
        click.option(
            "--province",
            help="Province by old or new name, diacritics optional. A province of today means "
            "everything it holds now ('an giang' includes Kiên Giang); an old one, the "
            "province then ('kien giang').",
        ),
        click.option(
            "--province-then", help="Province at publication, even for a name still in use."
        ),
        click.option("--agency", help="Words of the publishing agency ('so noi vu')."),
        click.option("--category", help="Words of the portal section ('cai cach hanh chinh')."),
        click.option("--author", help="Words of the author's name ('manh cuong')."),
        click.option(
            "--since", help="Published on or after: 2024-02-06, 06/02/2024, tháng 2/2024, năm 2024."
        ),
        click.option("--until", help="Published on or before (the whole month for '2/2024')."),
        click.option("--doc", help="Cites this document: 959/QĐ-UBND, 'nghi dinh 178/2024'."),
        click.option("--has-attachment", is_flag=True, help="Only articles with attached files."),
        click.option(
            "--exact", is_flag=True, help="Diacritics must match as typed (tone placement aside)."
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _filters(options: dict) -> SearchFilters:
    return SearchFilters.from_dict({k: v for k, v in options.items() if v})


def _marks(fmt: str) -> tuple[str, str]:
    if fmt == "table":
        return ("\033[1;33m", "\033[0m") if sys.stdout.isatty() else ("[", "]")
    return "<mark>", "</mark>"


def _with_commands(rows: Results, db: str) -> list[dict]:
    """Results with the `vngov show` command that opens each record."""
    suffix = "" if db == "archive.db" else f" --db {db}"
    return [{**row, "show": f"vngov show {row['id']}{suffix}"} for row in rows]


def _table_rows(rows: list[dict]) -> list[dict]:
    return [
        {
            **row,
            "date": (row["published_at"] or "")[:10],
            "title": row["title_highlighted"],
        }
        for row in rows
    ]


@click.command(name="search")
@click.argument("query", default="")
@db_option
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1))
@click.option(
    "--sort",
    type=click.Choice(SORTS),
    default="relevance",
    show_default=True,
    help="relevance: phrase matches first, then bm25 with the title weighted; date: newest "
    "first; changed: latest captured or changed first.",
)
@filter_options
@output_options
def search_command(query: str, db: str, limit: int, sort: str, fmt: str, **options) -> None:
    """Search the archive. Diacritics are optional: `de an 06` finds "Đề án 06".

    \b
    Quoted "phrases", OR, -excluded and prefix* work; anything else is searched literally,
    so document numbers such as 959/QĐ-UBND work as typed. With filters and no QUERY,
    lists the matching articles, newest first.
    Examples:
        vngov search 'tinh gian bien che'
        vngov search '959/QĐ-UBND' --table
        vngov search 'sat lo' --province 'kien giang' --since 'tháng 2/2024'
        vngov search --doc 959/QĐ-UBND --sort date --csv
    """
    exact = options.pop("exact")
    archive = open_existing(db)
    open_, close = _marks(fmt)
    try:
        results = search(
            archive.db,
            query,
            limit=limit,
            filters=_filters(options),
            sort=sort,
            exact=exact,
            open_=open_,
            close=close,
        )
    except QueryError as error:
        raise click.ClickException(str(error)) from None
    finally:
        archive.close()
    rows = _with_commands(results, db)
    if fmt == "table":
        click.echo(format_rows(_table_rows(rows), fmt, TABLE_COLUMNS))
    elif fmt == "csv":
        click.echo(format_rows(rows, fmt, CSV_COLUMNS))
    else:
        click.echo(format_rows(rows, fmt))
    if not rows:
        click.echo(f"no results for {query!r}", err=True)
    elif not results.ranked_all:
        click.echo(
            "note: the query matches very many articles; the most recently archived ones were "
            "ranked. Add words or filters to narrow it.",
            err=True,
        )


@click.group()
def watch() -> None:
    """Saved searches with an Atom feed of new and changed matches.

    \b
    Examples:
        vngov watch add sat-lo 'sat lo' --province 'an giang'
        vngov watch list --table
        vngov watch feed sat-lo --output sat-lo.xml
    """


@watch.command(name="add")
@click.argument("name")
@click.argument("query", default="")
@db_option
@click.option("--replace", is_flag=True, help="Overwrite a watch of the same name.")
@filter_options
def watch_add(name: str, query: str, db: str, replace: bool, **options) -> None:
    """Save QUERY with its filters as the watch NAME; its feed starts now."""
    from archive.alerts import WatchError, add_watch

    exact = options.pop("exact")
    archive = open_existing(db)
    try:
        saved = add_watch(archive.db, name, query, _filters(options), exact=exact, replace=replace)
    except WatchError as error:
        raise click.ClickException(str(error)) from None
    finally:
        archive.close()
    click.echo(
        f"watch {saved.name!r} saved: `vngov watch feed {saved.name}` gives its feed", err=True
    )


@watch.command(name="list")
@db_option
@output_options
def watch_list(db: str, fmt: str) -> None:
    """List the saved watches, with how many matches are new or changed since each began."""
    from archive.alerts import list_watches, watch_matches

    archive = open_existing(db)
    try:
        rows = [
            {
                "name": w.name,
                "query": w.query,
                "filters": w.filters.active(),
                "exact": w.exact,
                "created_at": w.created_at,
                "new_or_changed": len(watch_matches(archive.db, w)),
            }
            for w in list_watches(archive.db)
        ]
    finally:
        archive.close()
    click.echo(format_rows(rows, fmt, WATCH_COLUMNS if fmt in ("csv", "table") else None))


@watch.command(name="feed")
@click.argument("name")
@db_option
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to FILE, not stdout.")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(min=1))
@click.option("--web-url", help="Where `vngov serve` runs, to link each entry to its record.")
def watch_feed(name: str, db: str, output: str | None, limit: int, web_url: str | None) -> None:
    """Write the Atom feed of the watch NAME: matches new or changed since it was saved."""
    from archive.alerts import WatchError, atom_feed, get_watch, watch_matches

    archive = open_existing(db)
    try:
        saved = get_watch(archive.db, name)
        rows = watch_matches(archive.db, saved, limit=limit)
    except WatchError as error:
        raise click.ClickException(str(error)) from None
    finally:
        archive.close()
    document = atom_feed(saved, list(rows), web_url=web_url)
    if output:
        try:
            Path(output).write_bytes(document)
        except OSError as error:
            raise click.ClickException(f"cannot write {output}: {error.strerror}") from None
        click.echo(f"{len(rows)} entries written to {output}", err=True)
    else:
        click.echo(document.decode("utf-8"), nl=False)


@watch.command(name="remove")
@click.argument("name")
@db_option
def watch_remove(name: str, db: str) -> None:
    """Delete the watch NAME."""
    from archive.alerts import WatchError, remove_watch

    archive = open_existing(db)
    try:
        remove_watch(archive.db, name)
    except WatchError as error:
        raise click.ClickException(str(error)) from None
    finally:
        archive.close()


@click.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8001, show_default=True, type=click.IntRange(1, 65535))
def serve(db: str, host: str, port: int) -> None:
    """Browse and search the archive in Datasette, read-only.

    \b
    Search without diacritics at /archive/search, facets on /archive/articles, SQL,
    JSON and CSV everywhere; records at /archive/articles/ID.
    Example:
        vngov serve --db archive.db --port 8001
    """
    from archive.web import is_loopback
    from archive.web import serve as run_server

    open_existing(db).close()  # a clear error for a missing file, and migrations checked
    if not is_loopback(host):
        click.echo(f"warning: serving on {host}: other machines can read the archive", err=True)
    click.echo(f"Serving {db} read-only at http://{host}:{port}/archive", err=True)
    try:
        run_server(db, host=host, port=port)
    except OSError as error:
        raise click.ClickException(f"cannot listen on {host}:{port}: {error.strerror}") from None


SEARCH_COMMANDS = (search_command, watch, serve)
