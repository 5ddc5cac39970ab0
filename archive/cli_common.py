"""Pieces every ``vngov`` command module shares."""

from __future__ import annotations

import click

from archive.storage import Archive, ArchiveNotFound

DEFAULT_DB = "archive.db"


def open_existing(db: str) -> Archive:
    """Open an archive that must already exist, or fail with a one-line error."""
    try:
        return Archive(db, create=False)
    except ArchiveNotFound:
        raise click.ClickException(
            f"no archive at {db} (create one with `vngov crawl SITE --db {db}` or `vngov demo`)"
        ) from None


db_option = click.option(
    "--db", default=DEFAULT_DB, show_default=True, help="Archive database file."
)
