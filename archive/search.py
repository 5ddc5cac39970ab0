"""Full-text search over the archive that ignores Vietnamese diacritics.

Journalists type without diacritics: ``de an 06`` must find "Đề án 06". The FTS5 index is built
over folded copies of title, summary and body (đ→d one for one, see ``archive.schema``) with the
``unicode61 remove_diacritics 2`` tokenizer, which strips every other mark, double marks and
either tone placement included. Queries get the same folding. Whatever the user types is turned
into a valid FTS5 expression, and snippets are cut from the original text.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

_CHUNK = re.compile(r'"[^"]*"?|\S+')
_WORD = re.compile(r"\w+")
_FOLD = str.maketrans({"đ": "d", "Đ": "D"})
_OPEN, _CLOSE = "\x01", "\x02"
_NEWLINES = re.compile(r"\s*\n\s*")
SNIPPET_CHARS = 220
# bm25 weights for (title, summary, body): a hit in the title counts most.
BM25_WEIGHTS = (10.0, 3.0, 1.0)


class QueryError(ValueError):
    """The search query has nothing to search for."""


def fold(text: str) -> str:
    """NFC-normalise and fold đ/Đ to d/D, as the index does (same length as NFC input)."""
    return unicodedata.normalize("NFC", text).translate(_FOLD)


@dataclass
class ParsedQuery:
    """A user's query as an FTS5 expression, plus the phrase used to rank exact matches first."""

    match: str
    phrase: str | None = None
    terms: list[str] = field(default_factory=list)


def _quote(words: list[str], prefix: bool = False) -> str:
    return '"' + " ".join(words) + '"' + ("*" if prefix else "")


def parse_query(text: str) -> ParsedQuery:
    """Turn anything a user types into a valid FTS5 query.

    - words are ANDed; ``OR`` between two words or phrases means either;
    - ``"quoted words"`` is a phrase (an unbalanced quote closes at the end);
    - ``-word`` excludes; ``word*`` matches a prefix;
    - punctuation inside a chunk (``959/QĐ-UBND``, ``TT-BTTTT``) makes it a literal phrase.

    Raises :class:`QueryError` when nothing searchable is left.
    """
    groups: list[list[str]] = []  # OR-groups, ANDed together
    excluded: list[str] = []
    bare: list[str] = []
    pending_or = False
    for chunk in _CHUNK.findall(fold(text)):
        if chunk == "OR":
            pending_or = bool(groups)
            continue
        negate = chunk.startswith("-") and len(chunk) > 1
        body = chunk[1:] if negate else chunk
        quoted = body.startswith('"')
        words = _WORD.findall(body)
        if not words:
            continue
        term = _quote(words, prefix=body.endswith("*") and not quoted)
        if negate:
            excluded.append(term)
            continue
        if not quoted and len(words) == 1 and not body.endswith("*"):
            bare.extend(words)
        if pending_or:
            groups[-1].append(term)
        else:
            groups.append([term])
        pending_or = False
    if not groups:
        raise QueryError("nothing to search for: type at least one word that is not excluded")
    match = " AND ".join(g[0] if len(g) == 1 else "(" + " OR ".join(g) + ")" for g in groups)
    for term in excluded:
        match = f"({match}) NOT {term}"
    all_plain = len(bare) >= 2 and len(groups) == len(bare) and not excluded
    return ParsedQuery(match=match, phrase=_quote(bare) if all_plain else None, terms=bare)


def _spans(marked: str) -> list[tuple[int, int]]:
    """Positions of highlight markers, in the coordinates of the unmarked text."""
    spans, offset, start = [], 0, 0
    for i, ch in enumerate(marked):
        if ch == _OPEN:
            start = i - offset
            offset += 1
        elif ch == _CLOSE:
            spans.append((start, i - offset))
            offset += 1
    return spans


def _mark(text: str, spans: list[tuple[int, int]], open_: str, close: str) -> str:
    out, last = [], 0
    for start, end in spans:
        out += [text[last:start], open_, text[start:end], close]
        last = end
    out.append(text[last:])
    return "".join(out)


def _best_start(original: str, spans: list[tuple[int, int]], size: int) -> int:
    """Where the window showing the most distinct query words (then most matches) starts."""
    best, best_score = spans[0][0], (0, 0)
    for start, _ in spans:
        inside = [original[s:e].casefold() for s, e in spans if start <= s and e <= start + size]
        score = (len(set(inside)), len(inside))
        if score > best_score:
            best, best_score = start, score
    return best


def snippet(
    original: str,
    marked_folded: str,
    *,
    open_: str = "<mark>",
    close: str = "</mark>",
    size: int = SNIPPET_CHARS,
) -> str:
    """A window of ``original`` around its best match, with every match in it marked.

    ``marked_folded`` is FTS5's ``highlight()`` of the folded column; since folding keeps
    lengths, its marker positions apply to the original text. The window is placed where
    the most distinct query words are close together, so a phrase hit wins over a lone word.
    """
    original = original or ""
    spans = _spans(marked_folded or "")
    if not spans or len(original) != len(marked_folded) - 2 * len(spans):
        return _one_line(original[:size]) + ("…" if len(original) > size else "")
    first = _best_start(original, spans, size * 2 // 3)
    start = max(0, first - size // 3)
    if start:
        space = original.rfind(" ", 0, start)
        start = space + 1 if space >= 0 and start - space < 20 else start
    end = min(len(original), start + size)
    if end < len(original):
        space = original.rfind(" ", start, end)
        end = space if space > first else end
    inside = [
        (max(s, start) - start, min(e, end) - start) for s, e in spans if s < end and e > start
    ]
    text = _one_line(_mark(original[start:end], inside, open_, close))
    return ("…" if start else "") + text + ("…" if end < len(original) else "")


def _one_line(text: str) -> str:
    return _NEWLINES.sub(" ", text)


def search(
    db: sqlite_utils.Database,
    query: str,
    *,
    limit: int = 20,
    site: str | None = None,
    open_: str = "<mark>",
    close: str = "</mark>",
) -> list[dict[str, Any]]:
    """Articles matching ``query``, best first, each with a highlighted title and snippet.

    Plain multi-word queries rank articles containing the words as a phrase first, then by
    bm25 with the title weighted.
    """
    parsed = parse_query(query)
    weights = ", ".join(str(w) for w in BM25_WEIGHTS)
    phrase_rank = (
        "(articles.rowid in (select rowid from articles_fts where articles_fts match :phrase))"
        if parsed.phrase
        else "0"
    )
    where = "articles_fts match :match" + (" and articles.site = :site" if site else "")
    sql = f"""
        select articles.id, articles.url, articles.site, articles.title, articles.summary,
               articles.body, articles.published_at, articles.published_text,
               articles.author, articles.category,
               highlight(articles_fts, 0, :o, :c) as title_marked,
               highlight(articles_fts, 1, :o, :c) as summary_marked,
               highlight(articles_fts, 2, :o, :c) as body_marked,
               {phrase_rank} as phrase_hit,
               bm25(articles_fts, {weights}) as score
        from articles_fts join articles on articles.rowid = articles_fts.rowid
        where {where}
        order by phrase_hit desc, score, articles.published_at desc
        limit :limit
    """
    params = {
        "match": parsed.match,
        "phrase": parsed.phrase,
        "site": site,
        "o": _OPEN,
        "c": _CLOSE,
        "limit": limit,
    }
    try:
        rows = list(db.query(sql, params))
    except sqlite3.OperationalError as error:  # a query we failed to make safe: say so plainly
        raise QueryError(f"could not search for {query!r}: {error}") from None
    return [_result(row, open_, close) for row in rows]


def _result(row: dict[str, Any], open_: str, close: str) -> dict[str, Any]:
    if _OPEN in (row["body_marked"] or ""):
        text = snippet(row["body"], row["body_marked"], open_=open_, close=close)
    elif _OPEN in (row["summary_marked"] or ""):
        text = snippet(row["summary"], row["summary_marked"], open_=open_, close=close)
    else:
        text = snippet(row["summary"] or row["body"], "", open_=open_, close=close)
    title = row["title"] or ""
    title_spans = _spans(row["title_marked"] or "")
    return {
        "id": row["id"],
        "title": title,
        "title_highlighted": _mark(title, title_spans, open_, close) if title_spans else title,
        "url": row["url"],
        "site": row["site"],
        "category": row["category"],
        "author": row["author"],
        "published_at": row["published_at"],
        "published_text": row["published_text"],
        "snippet": text,
        "phrase_match": bool(row["phrase_hit"]),
        "score": round(row["score"], 4),
    }
