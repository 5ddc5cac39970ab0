"""Write rows as sqlite-utils does: JSON by default, or newline-delimited JSON, CSV, a table."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import click
from tabulate import tabulate

FORMATS = ("json", "nl", "csv", "table")


def output_options(func: Callable) -> Callable:
    """``--format`` plus the ``--nl``, ``--csv`` and ``--table`` shortcuts, as one decorator."""
    for flag, value in (("--table", "table"), ("--csv", "csv"), ("--nl", "nl")):
        func = click.option(
            flag, "fmt", flag_value=value, help=f"Output as {value} (same as --format {value})."
        )(func)
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default="json",
        show_default=True,
        help="Output format.",
    )(func)


def _cell(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict) else value


def format_rows(
    rows: Sequence[dict[str, Any]], fmt: str, columns: Iterable[str] | None = None
) -> str:
    """Rows as text in one of :data:`FORMATS`."""
    if fmt == "json":
        return json.dumps(list(rows), ensure_ascii=False, indent=2)
    if fmt == "nl":
        return "\n".join(json.dumps(row, ensure_ascii=False) for row in rows)
    columns = list(columns or (rows[0].keys() if rows else []))
    table = [[_cell(row.get(c)) for c in columns] for row in rows]
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(table)
        return buffer.getvalue().rstrip("\n")
    return tabulate(table, headers=columns, tablefmt="simple", maxcolwidths=60)
