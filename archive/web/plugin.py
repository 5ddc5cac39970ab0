"""The Datasette plugin behind ``vngov serve``: the archive's search inside Datasette.

- SQL functions, so canned queries and anyone's SQL can search the folded index as
  ``vngov search`` does: ``vngov_match(q)`` turns what a user typed into the FTS5 expression
  (``archive.search.parse_query``), ``vngov_phrase(q)`` the phrase that ranks first,
  ``vngov_snippet()`` and ``vngov_mark()`` cut snippets from the original text with
  ``<mark>``, ``vngov_doc_ranges()`` the keys of a typed document number,
  ``vngov_date(text)`` a date typed the Vietnamese way, ``vngov_fold(text)``.
- ``escape_fts`` replaced: Datasette's table search box passes the typed text through
  ``escape_fts()`` into ``MATCH``, which breaks on đ and on quotes; ours parses it like
  ``vngov search`` (diacritics optional, phrases, OR, -word, prefix*, document numbers).
- ``render_cell`` shows the ``<mark>`` of search results as highlights (Datasette escapes
  HTML: everything else stays escaped).
- a ``month`` facet (``{"month": "published_at"}``): Datasette has only day facets.
"""

from __future__ import annotations

import json
import sqlite3

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.facets import Facet
from datasette.utils import escape_sqlite, path_with_added_args, path_with_removed_args
from markupsafe import Markup, escape

from archive.query_dates import DateFilterError, parse_period
from archive.search import (
    HIGHLIGHT_OPEN,
    QueryError,
    doc_key_ranges,
    fts_expression,
    mark_spans,
    marked_spans,
    parse_query,
    snippet,
)
from crawler.parsers.text import strip_diacritics

DATABASE = "archive"
# An FTS5 expression that is valid and matches nothing: for input with nothing to search.
NOTHING = '""'
MARKED_COLUMNS = frozenset({"title", "snippet"})
ISO_MONTH_GLOB = "[0-9][0-9][0-9][0-9]-[0-9][0-9]*"


def match_expression(text: str | None) -> str:
    """The FTS5 expression for typed text, or one that matches nothing."""
    return fts_expression(text or "") or NOTHING


def phrase_expression(text: str | None) -> str:
    """The phrase of a plain multi-word query (ranked first), or one that matches nothing."""
    try:
        return parse_query(text or "").phrase or NOTHING
    except QueryError:
        return NOTHING


def snippet_of(
    summary: str | None, summary_marked: str | None, body: str | None, body_marked: str | None
) -> str:
    """A snippet of the body, else the summary, around their matches, marked with <mark>."""
    for original, marked in ((body, body_marked), (summary, summary_marked)):
        if marked and HIGHLIGHT_OPEN in marked:
            return snippet(original or "", marked)
    return snippet(summary or body or "", "")


def mark_title(title: str | None, marked: str | None) -> str:
    """The title with FTS5's highlight positions marked by <mark> in the original text."""
    spans = marked_spans(marked or "")
    title = title or ""
    if not spans or len(title) != len(marked or "") - 2 * len(spans):
        return title
    return mark_spans(title, spans, "<mark>", "</mark>")


def doc_ranges(text: str | None) -> str:
    """JSON of the ``doc_refs.ref_folded`` ranges a typed document number stands for."""
    return json.dumps(doc_key_ranges(text or ""), ensure_ascii=False)


def iso_date(text: str | None) -> str | None:
    """The first day of a date or period typed in any accepted form, as ISO; else None."""
    try:
        return parse_period(text or "").start.isoformat()
    except DateFilterError:
        return None


def register_sql_functions(conn: sqlite3.Connection) -> None:
    """Every vngov_* function, and the replacement of Datasette's escape_fts."""
    functions = {
        "vngov_match": (1, match_expression),
        "escape_fts": (1, match_expression),
        "vngov_phrase": (1, phrase_expression),
        "vngov_snippet": (4, snippet_of),
        "vngov_mark": (2, mark_title),
        "vngov_doc_ranges": (1, doc_ranges),
        "vngov_date": (1, iso_date),
        "vngov_fold": (1, lambda v: strip_diacritics(v) if v else ""),
    }
    for name, (arity, function) in functions.items():
        conn.create_function(name, arity, function, deterministic=True)


@hookimpl(trylast=True)
def prepare_connection(conn: sqlite3.Connection, database: str) -> None:
    """Run last, so that our ``escape_fts`` replaces the one Datasette registers."""
    if database == DATABASE:
        register_sql_functions(conn)


@hookimpl
def render_cell(value: object, column: str, table: str | None, database: str) -> Markup | None:
    """Show ``<mark>`` in query results as highlights, every other character escaped."""
    if database != DATABASE or table is not None or column not in MARKED_COLUMNS:
        return None
    if not isinstance(value, str) or "<mark>" not in value:
        return None
    escaped = str(escape(value))
    return Markup(escaped.replace("&lt;mark&gt;", "<mark>").replace("&lt;/mark&gt;", "</mark>"))


class MonthFacet(Facet):
    """Counts by month of an ISO date column; selecting one filters ``column__startswith``."""

    type = "month"

    async def suggest(self) -> list:
        """Never suggested: it is configured in the metadata."""
        return []

    async def facet_results(self) -> tuple[list, list]:
        results, timed_out = [], []
        args = dict(self.get_querystring_pairs())
        size = self.get_facet_size()
        for source_and_config in self.get_configs():
            config, source = source_and_config["config"], source_and_config["source"]
            column = config.get("column") or config["simple"]
            name = escape_sqlite(column)
            sql = f"""
                select substr({name}, 1, 7) as value, count(*) as count
                from ({self.sql}) where {name} glob '{ISO_MONTH_GLOB}'
                group by value order by value desc limit {size + 1}
            """
            try:
                rows = await self.ds.execute(
                    self.database,
                    sql,
                    self.params,
                    truncate=False,
                    custom_time_limit=self.ds.setting("facet_time_limit_ms"),
                )
            except QueryInterrupted:
                timed_out.append(column)
                continue
            key = f"{column}__startswith"
            values = []
            for row in rows.rows[:size]:
                selected = args.get(key) == row["value"]
                toggle = (path_with_removed_args if selected else path_with_added_args)(
                    self.request, {key: row["value"]}
                )
                values.append(
                    {
                        "value": row["value"],
                        "label": row["value"],
                        "count": row["count"],
                        "toggle_url": self.ds.absolute_url(self.request, toggle),
                        "selected": selected,
                    }
                )
            results.append(
                {
                    "name": column,
                    "type": self.type,
                    "results": values,
                    "hideable": source != "metadata",
                    "toggle_url": path_with_removed_args(self.request, {"_facet_month": column}),
                    "truncated": len(rows.rows) > size,
                }
            )
        return results, timed_out


@hookimpl
def register_facet_classes() -> list[type[Facet]]:
    """The month facet."""
    return [MonthFacet]
