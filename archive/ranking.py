"""FTS5's bm25, computed for a bounded set of candidates instead of by FTS5.

FTS5's ``bm25()`` first counts, for every phrase of the query, how many rows of the whole
index contain it (its IDF). Vietnamese queries are made of syllables that are each on a large
share of pages ("tỉnh", "hội", "nghị"), so at a million articles that count alone costs
30–100 ms before one row is ranked. This module computes the same formula (k1 = 1.2,
b = 0.75, per-column weights, the document length summed over the columns, the IDF floor of
1e-6) from what FTS5 already hands over cheaply:

- phrase frequencies from ``highlight()`` of the candidate rows, matching each marked span
  against the query's phrases (an instance is one span, or a run of tokens inside a span
  where FTS5 merged overlapping instances);
- document lengths from the ``articles_fts_docsize`` table, the averages from FTS5's
  averages record;
- each phrase's document count exactly when the archive holds at most
  :data:`IDF_WINDOW` articles, otherwise estimated from the most recent ``IDF_WINDOW``
  rows (a rowid range FTS5 seeks to directly).

On an archive up to :data:`IDF_WINDOW` articles the scores are FTS5's own bm25 (the tests
check it); above, only the IDF is an estimate, and with one phrase (the phrase tier) the
order does not depend on the IDF at all.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import sqlite_utils

from crawler.parsers.text import strip_diacritics

K1, B = 1.2, 0.75
IDF_WINDOW = 20_000
_TOKEN = re.compile(r"[^\W_]+")
_SPAN = re.compile("\x01([^\x02]*)\x02")


@dataclass(frozen=True)
class Phrase:
    """A phrase of the match expression as FTS5 tokenizes it (folded, lower case)."""

    tokens: tuple[str, ...]
    prefix: bool = False


def fts_tokens(text: str) -> tuple[str, ...]:
    """Tokens as ``unicode61 remove_diacritics 2`` makes them from folded text."""
    return tuple(_TOKEN.findall(strip_diacritics(text)))


def _varints(blob: bytes) -> list[int]:
    """SQLite varints, as FTS5 writes its averages record and docsize blobs.

    Token counts never need the 9-byte form (it starts at 2**56), so it is not decoded.
    """
    values, value = [], 0
    for byte in blob:
        if byte & 0x80:
            value = (value << 7) | (byte & 0x7F)
        else:
            values.append((value << 7) | byte)
            value = 0
    return values


class IndexStats:
    """Row count, average document length and phrase document counts of ``articles_fts``."""

    def __init__(self, db: sqlite_utils.Database):
        self.db = db
        row = db.execute("select block from articles_fts_data where id = 1").fetchone()
        numbers = _varints(row[0]) if row and row[0] else []  # empty while nothing is indexed
        self.rows = numbers[0] if numbers else 0
        self.avgdl = (sum(numbers[1:]) / self.rows) if self.rows else 1.0
        self.floor: int | None = None
        self.window_rows = self.rows
        if self.rows > IDF_WINDOW:
            self.floor = db.execute(
                "select id from articles_fts_docsize order by id desc limit 1 offset ?",
                [IDF_WINDOW - 1],
            ).fetchone()[0]
            self.window_rows = IDF_WINDOW

    def documents(self, phrase: str) -> float:
        """How many rows contain ``phrase`` (an FTS5 phrase): exact or from the window."""
        if self.floor is None:
            sql, params = "select count(*) from articles_fts where articles_fts match ?", [phrase]
        else:
            sql = "select count(*) from articles_fts where articles_fts match ? and rowid >= ?"
            params = [phrase, self.floor]
        hits = self.db.execute(sql, params).fetchone()[0]
        return hits * self.rows / self.window_rows if self.window_rows else 0.0

    def idf(self, phrase: str) -> float:
        """FTS5's IDF of a phrase, with its floor for phrases on more than half the rows."""
        hits = self.documents(phrase)
        value = math.log((self.rows - hits + 0.5) / (hits + 0.5)) if self.rows else 0.0
        return value if value > 0 else 1e-6

    def lengths(self, rowids: Sequence[int]) -> dict[int, int]:
        """Total tokens (all columns) of each row, from the docsize table."""
        rows = self.db.execute(
            "select id, sz from articles_fts_docsize where id in (select value from json_each(?))",
            [json.dumps(list(rowids))],
        )
        return {row_id: sum(_varints(size)) for row_id, size in rows}


def _count(tokens: tuple[str, ...], phrase: Phrase) -> int:
    size = len(phrase.tokens)
    hits = 0
    for i in range(len(tokens) - size + 1):
        window = tokens[i : i + size]
        if phrase.prefix:
            hit = window[:-1] == phrase.tokens[:-1] and window[-1].startswith(phrase.tokens[-1])
        else:
            hit = window == phrase.tokens
        hits += hit
    return hits


class Scorer:
    """bm25 of candidate rows from their highlighted columns; lower is better, as in FTS5."""

    def __init__(
        self,
        stats: IndexStats,
        phrases: Sequence[tuple[str, Phrase]],
        weights: Sequence[float],
    ):
        self.stats = stats
        self.phrases = [phrase for _, phrase in phrases]
        self.idf = [stats.idf(fts) for fts, _ in phrases]
        self.weights = weights
        self._span_counts: dict[str, list[int]] = {}

    def frequencies(self, marked_columns: Sequence[str | None]) -> list[float]:
        """Weighted instance counts of each phrase in one row's highlighted columns."""
        freq = [0.0] * len(self.phrases)
        for weight, marked in zip(self.weights, marked_columns, strict=False):
            for span in _SPAN.findall(marked or ""):
                counts = self._span_counts.get(span)
                if counts is None:
                    tokens = fts_tokens(span)
                    counts = self._span_counts[span] = [_count(tokens, p) for p in self.phrases]
                for i, count in enumerate(counts):
                    freq[i] += weight * count
        return freq

    def score(self, marked_columns: Sequence[str | None], length: int) -> float:
        """FTS5's bm25 for one row: minus the sum over phrases of IDF times saturated tf."""
        norm = K1 * (1 - B + B * length / self.stats.avgdl)
        total = sum(
            idf * (f * (K1 + 1)) / (f + norm)
            for idf, f in zip(self.idf, self.frequencies(marked_columns), strict=True)
        )
        return -total
