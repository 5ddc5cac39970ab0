"""Full-text search over the archive that ignores Vietnamese diacritics.

Journalists type without diacritics: ``de an 06`` must find "Đề án 06". The FTS5 index is built
over folded copies of title, summary and body (đ→d one for one, see ``archive.schema``) with the
``unicode61 remove_diacritics 2`` tokenizer, which strips every other mark, double marks and
either tone placement included. Queries get the same folding. Whatever the user types is turned
into a valid FTS5 expression, and snippets are cut from the original text.

Ranking. Relevance is bm25 with the title weighted, articles holding a plain multi-word query
as a phrase first. Ranking every match of a very common query ("hội nghị" is on a third of the
pages) grows with the archive, and FTS5's own ``bm25()`` first counts every row holding each
query syllable. So bm25 is computed by :mod:`archive.ranking` for the
:data:`RANK_CANDIDATES` most recently archived matches (after the filters): every match when
there are fewer, which is most queries; the newest ones when a query matches more, as a news
search should. ``Results.ranked_all`` says which. ``docs/search.md`` has the measurements.

Accent-exact search (``exact=True``) runs the same folded query and keeps the rows whose
original text holds the words with exactly the marks typed (tone placement and case aside):
see :class:`ExactMatcher` for why this beats a second index.
"""

from __future__ import annotations

import itertools
import json
import re
import sqlite3
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import sqlite_utils

from archive.query_dates import DateFilterError, since_bound, until_bound
from archive.ranking import IndexStats, Phrase, Scorer, fts_tokens
from crawler.parsers.text import strip_diacritics

_CHUNK = re.compile(r'"[^"]*"?|\S+')
# A word as FTS5's unicode61 sees it: letters and digits, with any combining mark left by NFC.
_WORD = re.compile(r"(?:[^\W_]|[\u0300-\u036f])+")
_FOLD = str.maketrans({"đ": "d", "Đ": "D"})
_OPEN, _CLOSE = "\x01", "\x02"
# The markers search queries pass to FTS5's highlight(): control characters never in text.
HIGHLIGHT_OPEN, HIGHLIGHT_CLOSE = _OPEN, _CLOSE
_NEWLINES = re.compile(r"\s*\n\s*")
SNIPPET_CHARS = 220
# bm25 weights for (title, summary, body): a hit in the title counts most.
BM25_WEIGHTS = (10.0, 3.0, 1.0)
# How many matches (the most recently archived, after filters) bm25 ranks; see the docstring.
RANK_CANDIDATES = 500
# Where a record lives in the web view (`vngov serve` names the database "archive").
PERMALINK = "/archive/articles/{id}"
SORTS = ("relevance", "date", "changed")
# The publication-date index (migration m003) that date sorting walks.
DATE_INDEX = "articles_published_at"
# The five Vietnamese tone marks, as combining characters after NFD.
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")


class QueryError(ValueError):
    """The search query has nothing to search for."""


class FilterError(QueryError):
    """A search filter names nothing in the archive, or cannot be read."""


def fold(text: str) -> str:
    """NFC-normalise and fold đ/Đ to d/D, as the index does (same length as NFC input)."""
    return unicodedata.normalize("NFC", text).translate(_FOLD)


# --- queries -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """A word or a phrase of the query, as typed (NFC); ``prefix`` when it ended with ``*``."""

    words: tuple[str, ...]
    prefix: bool = False

    def fts(self) -> str:
        """The FTS5 phrase for this term, folded as the index is."""
        return '"' + " ".join(fold(w) for w in self.words) + '"' + ("*" if self.prefix else "")


@dataclass
class ParsedQuery:
    """A user's query as an FTS5 expression, plus the phrase used to rank exact matches first.

    ``groups`` are ANDed, the terms inside a group ORed; ``excluded`` terms are NOTed.
    """

    match: str
    phrase: str | None = None
    terms: list[str] = field(default_factory=list)
    groups: list[list[Term]] = field(default_factory=list)
    excluded: list[Term] = field(default_factory=list)


def parse_query(text: str) -> ParsedQuery:
    """Turn anything a user types into a valid FTS5 query.

    - words are ANDed; ``OR`` between two words or phrases means either;
    - ``"quoted words"`` is a phrase (an unbalanced quote closes at the end);
    - ``-word`` excludes; ``word*`` matches a prefix;
    - punctuation inside a chunk (``959/QĐ-UBND``, ``TT-BTTTT``) makes it a literal phrase.

    Raises :class:`QueryError` when nothing searchable is left.
    """
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    bare: list[str] = []
    pending_or = False
    for chunk in _CHUNK.findall(unicodedata.normalize("NFC", text or "")):
        if chunk == "OR":
            pending_or = bool(groups)
            continue
        negate = chunk.startswith("-") and len(chunk) > 1
        body = chunk[1:] if negate else chunk
        quoted = body.startswith('"')
        words = tuple(_WORD.findall(body))
        if not words:
            continue
        term = Term(words, prefix=body.endswith("*") and not quoted)
        if negate:
            excluded.append(term)
            continue
        if not quoted and len(words) == 1 and not term.prefix:
            bare.extend(words)
        if pending_or:
            groups[-1].append(term)
        else:
            groups.append([term])
        pending_or = False
    if not groups:
        raise QueryError("nothing to search for: type at least one word that is not excluded")
    match = _match_expression(groups, excluded)
    all_plain = len(bare) >= 2 and len(groups) == len(bare) and not excluded
    phrase = Term(tuple(bare)).fts() if all_plain else None
    return ParsedQuery(
        match=match,
        phrase=phrase,
        terms=[fold(w) for w in bare],
        groups=groups,
        excluded=excluded,
    )


def _match_expression(groups: list[list[Term]], excluded: Sequence[Term]) -> str:
    match = " AND ".join(
        g[0].fts() if len(g) == 1 else "(" + " OR ".join(t.fts() for t in g) + ")" for g in groups
    )
    if excluded:
        # One NOT of an OR: a NOT per word nests a level each, and FTS5's parser stack
        # overflows at about a hundred.
        words = " OR ".join(term.fts() for term in excluded)
        match = f"({match}) NOT ({words})" if len(excluded) > 1 else f"({match}) NOT {words}"
    return match


def fts_expression(text: str) -> str | None:
    """The FTS5 expression for ``text``, or None when there is nothing to search for.

    For SQL callers (the web view's ``vngov_match()`` function), which cannot catch errors.
    """
    try:
        return parse_query(text).match
    except QueryError:
        return None


# --- accent-exact matching -------------------------------------------------------------------


_VOWELS = frozenset("aeiouyAEIOUY")
_WORD_EDGE_BEFORE, _WORD_EDGE_AFTER = r"(?<![^\W_])", r"(?![^\W_])"
_SEPARATOR = r"[\W_]+"


def _graphemes(decomposed: str) -> list[str]:
    """Letters with the combining marks that follow them."""
    out: list[str] = []
    for ch in decomposed:
        if out and unicodedata.combining(ch):
            out[-1] += ch
        else:
            out.append(ch)
    return out


def tone_variants(word: str) -> set[str]:
    """``word`` (NFC) with its tone mark on each of its vowels: both placements of ``hòa``.

    Old-style ``hòa`` and new-style ``hoà`` are one word written two ways; accent-exact
    search must find both, and nothing else.
    """
    decomposed = unicodedata.normalize("NFD", word)
    tones = "".join(c for c in decomposed if c in _TONES)
    letters = _graphemes("".join(c for c in decomposed if c not in _TONES))
    variants = {unicodedata.normalize("NFC", word)}
    if tones:
        for i, letter in enumerate(letters):
            if letter[0] in _VOWELS:
                placed = [*letters[:i], letter + tones, *letters[i + 1 :]]
                variants.add(unicodedata.normalize("NFC", "".join(placed)))
    return variants


def _any_tone(letter: str) -> str:
    """A regex for ``letter`` (a grapheme) with or without any tone: for typed prefixes."""
    if letter[0] not in _VOWELS:
        return re.escape(unicodedata.normalize("NFC", letter))
    forms = {unicodedata.normalize("NFC", letter + tone) for tone in ["", *_TONES]}
    return "(?:" + "|".join(sorted(forms)) + ")"


def _word_pattern(word: str, prefix: bool) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    if prefix and not any(c in _TONES for c in decomposed):
        return "".join(_any_tone(g) for g in _graphemes(decomposed)) + r"[^\W_]*"
    variants = sorted(tone_variants(word), key=len, reverse=True)
    return "(?:" + "|".join(re.escape(v) for v in variants) + ")" + (r"[^\W_]*" if prefix else "")


class ExactMatcher:
    """Decides whether original text matches a query with the diacritics exactly as typed.

    The folded index finds a superset of the accent-exact matches (``hoa`` finds "hòa",
    "hóa" and "họa"); this keeps those whose NFC text holds the typed words with the same
    marks, ignoring case and where the tone sits (:func:`tone_variants`); ``đ`` is not
    ``d``. The last word of a prefix term (``quyê*``) takes any tone if none was typed.

    Why not a second FTS index without ``remove_diacritics``: it doubles the index (measured:
    +83 MiB, +22% of a 100,000-article archive) and every crawl's index writes, for a mode
    used now and then; and it would still treat ``hòa`` and ``hoà`` as different words.
    Filtering reads each candidate's text, at most :data:`RANK_CANDIDATES` per tier
    (``bench/search.py`` measures it).
    """

    def __init__(self, parsed: ParsedQuery):
        self.groups = [[self._compile(t) for t in group] for group in parsed.groups]
        self.excluded = [self._compile(t) for t in parsed.excluded]

    @staticmethod
    def _compile(term: Term) -> re.Pattern[str]:
        last = len(term.words) - 1
        words = [_word_pattern(w, term.prefix and i == last) for i, w in enumerate(term.words)]
        pattern = _WORD_EDGE_BEFORE + _SEPARATOR.join(words) + _WORD_EDGE_AFTER
        return re.compile(pattern, re.IGNORECASE)

    def matches(self, texts: Iterable[str | None]) -> bool:
        """Whether the texts (title, summary, body) together satisfy the query exactly."""
        texts = [t for t in texts if t]

        def present(pattern: re.Pattern[str]) -> bool:
            return any(pattern.search(t) for t in texts)

        return all(any(present(p) for p in group) for group in self.groups) and not any(
            present(p) for p in self.excluded
        )

    def spans(self, text: str | None) -> list[tuple[int, int]]:
        """Where the query's terms occur in ``text`` exactly, in order, without overlaps."""
        found = sorted(
            m.span() for group in self.groups for p in group for m in p.finditer(text or "")
        )
        merged: list[tuple[int, int]] = []
        for start, end in found:
            if merged and start < merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        return merged


# --- filters ---------------------------------------------------------------------------------


@dataclass
class SearchFilters:
    """What to narrow a search to. Text filters ignore case and diacritics.

    - ``site``: a site id; ``agency``: words of the agency's name ("so noi vu an giang");
    - ``province``: a province by name, old or new. A name that is a province today means
      everything that belongs to it now (``an giang`` includes Kiên Giang's sites, merged
      into An Giang on 1 July 2025); a name that no longer is one means the province the
      article was published in (``kien giang``). ``province_then`` forces that second
      reading for any name (``--province-then "an giang"`` is An Giang before the merger);
    - ``category``, ``author``: words the field contains (each word, in any order);
    - ``since``, ``until``: dates or periods as people type them (see
      :mod:`archive.query_dates`), on the publication date, both included;
    - ``doc``: a document number the article cites (``959/QĐ-UBND``, ``nghi dinh 178/2024``);
    - ``has_attachment``: only articles with attached files;
    - ``changed_since``: only articles new or changed (or removed) at or after this ISO
      instant: what a watch reports.
    """

    site: str | None = None
    province: str | None = None
    province_then: str | None = None
    agency: str | None = None
    category: str | None = None
    author: str | None = None
    since: str | None = None
    until: str | None = None
    doc: str | None = None
    has_attachment: bool = False
    changed_since: str | None = None

    def active(self) -> dict[str, Any]:
        """The filters that are set, for storing with a watch or printing."""
        return {k: v for k, v in asdict(self).items() if v not in (None, False, "")}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SearchFilters:
        """Filters from :meth:`active`'s output; unknown keys are ignored."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


def _folded(text: str) -> str:
    return " ".join(strip_diacritics(text).split())


_PROVINCE_PREFIX = re.compile(r"^(?:tinh|thanh pho|tp\.?)\s+")


def _province_key(text: str) -> str:
    """Folded name without "tỉnh"/"thành phố" and with hyphens as spaces."""
    return _PROVINCE_PREFIX.sub("", _folded(text.replace("-", " ").replace("–", " ")))


def resolve_province(db: sqlite_utils.Database, text: str) -> tuple[str, bool]:
    """``(canonical name, is a province today)`` for a province typed any way.

    Raises :class:`FilterError` for a name that is no province, old or new.
    """
    if not db["provinces"].exists():
        raise FilterError("this archive has no provinces table: crawl once to upgrade it")
    wanted = _province_key(text)
    current = {row["now"] for row in db.query("select distinct now from provinces")}
    for row in db.query("select name, aliases from provinces"):
        names = [row["name"], *json.loads(row["aliases"] or "[]")]
        if any(_province_key(n) == wanted for n in names):
            return row["name"], row["name"] in current
    raise FilterError(f"no province is called {text!r} (before or after the 2025 merger)")


def _sites_where(db: sqlite_utils.Database, column: str, text: str) -> list[str]:
    """Sites whose ``column`` (or name) holds every word of ``text``, diacritics aside."""
    words = _folded(text).split()
    return [
        row["id"]
        for row in db.query(f"select id, name, {column} as value from sites")
        if any(
            all(word in _folded(value or "") for word in words)
            for value in (row["value"], row["name"])
        )
    ]


def doc_key_ranges(text: str) -> list[tuple[str, str]]:
    """The ranges of ``doc_refs.ref_folded`` a document number typed by a user stands for.

    ``crawler.parsers.docrefs`` reads what people type ("959/qd-ubnd", "nghi dinh 178/2024",
    "de an 06") into the official reference. Two keys of it are looked up: its
    ``fold_doc_ref`` form (no leading zeros) and its plain folded form, as archives hold
    either. A reference without issuer ("439/QĐ-") is a prefix: its range runs past every key
    it starts.
    """
    text = " ".join((text or "").split())
    if not text:
        return []
    try:
        from crawler.parsers.docrefs import fold_doc_ref, normalize_doc_ref
    except ImportError:  # pragma: no cover - the parser ships with the crawler
        ref, keys = text, {re.sub(r"\s*([/-])\s*", r"\1", strip_diacritics(text))}
    else:
        ref = normalize_doc_ref(text) or text
        keys = {fold_doc_ref(ref), strip_diacritics(ref)}
    prefix = ref.endswith("-")
    return sorted((key, key + "\U0010ffff" if prefix else key) for key in keys if key)


# Articles citing a document: ``{ranges}`` is JSON of ``doc_key_ranges()``.
DOC_FILTER = """articles.id in (
    select doc_refs.article_id from json_each({ranges}) as wanted join doc_refs
    on doc_refs.ref_folded between json_extract(wanted.value, '$[0]')
                               and json_extract(wanted.value, '$[1]'))"""


class _Sql:
    """WHERE clauses and their parameters, built up filter by filter."""

    def __init__(self, filters: SearchFilters) -> None:
        self.filters = filters
        self.clauses: list[str] = []
        self.params: dict[str, Any] = {}

    def add(self, clause: str, **params: Any) -> None:
        self.clauses.append(clause)
        self.params.update(params)


def _filter_sql(db: sqlite_utils.Database, filters: SearchFilters) -> _Sql:
    sql = _Sql(filters)
    if filters.site:
        sql.add("articles.site = :f_site", f_site=filters.site)
    for text, then_only in ((filters.province, False), (filters.province_then, True)):
        if text:
            name, current = resolve_province(db, text)
            column = "province_now" if current and not then_only else "province"
            key = f"f_{column}_{int(then_only)}"
            sql.add(
                f"(articles.{column} = :{key} or (articles.{column} is null and articles.site in "
                f"(select id from sites where {column} = :{key})))",
                **{key: name},
            )
    if filters.agency:
        ids = _sites_where(db, "agency", filters.agency)
        if not ids:
            raise FilterError(f"no site in this archive has an agency matching {filters.agency!r}")
        sql.add(
            "articles.site in (select value from json_each(:f_agency))", f_agency=json.dumps(ids)
        )
    for column in ("category", "author"):
        for i, word in enumerate(_folded(getattr(filters, column) or "").split()):
            key = f"f_{column}_{i}"
            sql.add(f"instr(vngov_fold(articles.{column}), :{key}) > 0", **{key: word})
    try:
        if filters.since:
            sql.add("articles.published_at >= :f_since", f_since=since_bound(filters.since))
        if filters.until:
            sql.add("articles.published_at < :f_until", f_until=until_bound(filters.until))
    except DateFilterError as error:
        raise FilterError(str(error)) from None
    if filters.doc:
        ranges = doc_key_ranges(filters.doc)
        if not ranges:
            raise FilterError("--doc needs a document number, such as 959/QĐ-UBND")
        sql.add(DOC_FILTER.format(ranges=":f_doc"), f_doc=json.dumps(ranges, ensure_ascii=False))
    if filters.has_attachment:
        sql.add("coalesce(json_array_length(articles.attachments), 0) > 0")
    if filters.changed_since:
        # julianday() compares instants whatever their UTC offsets.
        sql.add(
            "(julianday(articles.changed_at) >= julianday(:f_changed)"
            " or julianday(articles.removed_at) >= julianday(:f_changed))",
            f_changed=filters.changed_since,
        )
    return sql


# --- snippets --------------------------------------------------------------------------------


_MARKED = re.compile(f"{_OPEN}([^{_CLOSE}]*){_CLOSE}")


def marked_spans(marked: str) -> list[tuple[int, int]]:
    """Positions of the highlight markers (``HIGHLIGHT_OPEN``/``HIGHLIGHT_CLOSE``) that
    FTS5's ``highlight()`` inserted, in the coordinates of the unmarked text."""
    spans = []
    for i, match in enumerate(_MARKED.finditer(marked)):
        start = match.start() - 2 * i
        spans.append((start, start + len(match.group(1))))
    return spans


def mark_spans(text: str, spans: list[tuple[int, int]], open_: str, close: str) -> str:
    """``text`` with ``open_`` and ``close`` around each ``(start, end)`` span."""
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
    spans = marked_spans(marked_folded or "")
    if spans and len(original) != len(marked_folded) - 2 * len(spans):
        spans = []
    return snippet_from_spans(original, spans, open_=open_, close=close, size=size)


def snippet_from_spans(
    original: str,
    spans: list[tuple[int, int]],
    *,
    open_: str = "<mark>",
    close: str = "</mark>",
    size: int = SNIPPET_CHARS,
) -> str:
    """Like :func:`snippet`, with the match positions given as ``(start, end)`` pairs."""
    original = original or ""
    if not spans:
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
    text = _one_line(mark_spans(original[start:end], inside, open_, close))
    return ("…" if start else "") + text + ("…" if end < len(original) else "")


def _one_line(text: str) -> str:
    return _NEWLINES.sub(" ", text)


# --- running a search ------------------------------------------------------------------------


class Results(list):
    """Search results, best first; ``ranked_all`` is False when only the newest
    :data:`RANK_CANDIDATES` matches were ranked (the query matched more)."""

    ranked_all: bool = True


def register_functions(conn: sqlite3.Connection) -> None:
    """The SQL functions search queries use: ``vngov_fold(text)`` folds diacritics."""
    conn.create_function(
        "vngov_fold", 1, lambda v: strip_diacritics(v) if v else "", deterministic=True
    )


@dataclass
class _Hit:
    id: int
    phrase_hit: bool
    score: float
    marked: Sequence[str | None] = ()


@dataclass
class _Tier:
    """One pass of ranking: its FTS5 expression and the phrases bm25 counts in it."""

    match: str
    phrases: list[tuple[str, Phrase]]
    phrase_hit: bool


def _phrase(term: Term) -> tuple[str, Phrase]:
    return term.fts(), Phrase(fts_tokens(" ".join(term.words)), term.prefix)


def _tiers(parsed: ParsedQuery) -> list[_Tier]:
    positive = [_phrase(t) for group in parsed.groups for t in group]
    if not parsed.phrase:
        return [_Tier(parsed.match, positive, False)]
    words = tuple(w for group in parsed.groups for t in group for w in t.words)
    return [
        _Tier(parsed.phrase, [_phrase(Term(words))], True),
        _Tier(f"({parsed.match}) NOT {parsed.phrase}", positive, False),
    ]


def search(
    db: sqlite_utils.Database,
    query: str,
    *,
    limit: int = 20,
    site: str | None = None,
    filters: SearchFilters | None = None,
    sort: str = "relevance",
    exact: bool = False,
    open_: str = "<mark>",
    close: str = "</mark>",
) -> Results:
    """Articles matching ``query`` and ``filters``, each with a highlighted title and snippet.

    ``sort="relevance"``: articles holding a plain multi-word query as a phrase first, then
    by bm25 with the title weighted; ``sort="date"``: newest first; ``sort="changed"``:
    most recently new, changed or removed in the archive first. An empty ``query`` with
    at least one filter lists the filtered articles, newest first. ``exact`` keeps only
    matches with the diacritics as typed. Raises :class:`QueryError` (or its subclass
    :class:`FilterError`) with a message for the user.
    """
    if sort not in SORTS:
        raise QueryError(f"unknown sort {sort!r}: use one of {', '.join(SORTS)}")
    filters = filters or SearchFilters()
    if site:
        filters = SearchFilters(**{**asdict(filters), "site": site})
    register_functions(db.conn)
    where = _filter_sql(db, filters)
    if not (query or "").strip() and filters.active():
        return _list_filtered(db, where, limit, sort)
    parsed = parse_query(query)
    matcher = ExactMatcher(parsed) if exact else None
    try:
        # One read transaction, so the counts bm25 needs and the rows it ranks come from one
        # snapshot even while a crawl commits in another process (otherwise a phrase can be
        # counted in more rows than the index held a moment before).
        with db.atomic():
            if sort in ("date", "changed"):
                hits, ranked_all = _by_date(db, parsed, where, limit, matcher, sort), True
            else:
                hits, ranked_all = _by_relevance(db, parsed, where, limit, matcher)
            rows = _rows(db, [hit.id for hit in hits])
    except sqlite3.OperationalError as error:  # a query we failed to make safe: say so plainly
        raise QueryError(f"could not search for {query!r}: {error}") from None
    results = Results(
        _result(rows[hit.id], hit, open_, close, matcher) for hit in hits if hit.id in rows
    )
    results.ranked_all = ranked_all
    return results


def _where(where: _Sql) -> str:
    return "".join(f" and {clause}" for clause in where.clauses)


_HIGHLIGHTS = ", ".join(f"highlight(articles_fts, {i}, :o, :c)" for i in range(3))
# Filters an index answers (site, document, publication date): when they leave few articles,
# asking FTS5 about each of those beats walking the matches. Each such probe costs FTS5
# 10-150 us on a million articles, so it pays below about a hundred articles.
_INDEXED_FILTERS = ("site", "agency", "doc", "since", "until")
PROBE_LIMIT = 100
# With filters, ranking looks for candidates among this many newest matches (see _candidates).
SCAN_BUDGET = 10_000
# Sorting by date first asks FTS5 about the newest articles, this many at a time.
DATE_CHUNK = 100


def _few_filtered(db: sqlite_utils.Database, where: _Sql) -> list[int] | None:
    """The ids passing the filters, newest first, when an index finds them and they are at
    most :data:`PROBE_LIMIT`; None otherwise."""
    if not any(getattr(where.filters, name) for name in _INDEXED_FILTERS):
        return None
    # No ORDER BY: the index stops at PROBE_LIMIT + 1 rows; the few are sorted here.
    sql = f"""
        select articles.id, articles.published_at from articles where 1{_where(where)}
        limit {PROBE_LIMIT + 1}
    """
    rows = db.execute(sql, where.params).fetchall()
    if len(rows) > PROBE_LIMIT:
        return None
    return [row_id for row_id, _ in sorted(rows, key=lambda r: (r[1] or "", r[0]), reverse=True)]


def _candidates(
    db: sqlite_utils.Database,
    match: str,
    where: _Sql,
    few: list[int] | None,
    need: int,
) -> tuple[list[tuple], bool]:
    """``(rowid, marked title, marked summary, marked body)`` of the matches to rank, and
    whether they are all the matches that pass the filters.

    FTS5 hands matches over newest (highest rowid) first and stops when told, so this costs
    about the same for a query on every page as for a rare one, unlike counting or sorting
    every match: up to :data:`RANK_CANDIDATES` matches, looked for among the newest
    :data:`SCAN_BUDGET` when filters apply; beyond that budget only as many as the page
    still ``need``s.
    """
    cap = max(RANK_CANDIDATES, need)
    if few is not None:
        marked = _highlights(db, match, few)
        return [(row_id, *marked[row_id]) for row_id in sorted(marked, reverse=True)], True
    params = {**where.params, "match": match, "cap": cap, "o": _OPEN, "c": _CLOSE}
    if not where.clauses:
        sql = f"""
            select articles_fts.rowid, {_HIGHLIGHTS} from articles_fts
            where articles_fts match :match order by articles_fts.rowid desc limit :cap
        """
        rows = db.execute(sql, params).fetchall()
        return rows, len(rows) < cap
    sql = f"""
        with scan as materialized (
            select rowid as id from articles_fts where articles_fts match :match
            order by rowid desc limit :budget
        )
        select articles.id, (select count(*) from scan), (select min(id) from scan)
        from scan join articles on articles.id = scan.id
        where 1{_where(where)}
        order by articles.id desc limit :cap
    """
    rows = db.execute(sql, {**params, "budget": SCAN_BUDGET}).fetchall()
    ids = [row[0] for row in rows]
    scanned_all = bool(rows) and rows[0][1] < SCAN_BUDGET
    if not rows:
        scanned = db.execute(
            "select count(*), min(rowid) from (select rowid from articles_fts "
            "where articles_fts match ? order by rowid desc limit ?)",
            [match, SCAN_BUDGET],
        ).fetchone()
        scanned_all, rows = scanned[0] < SCAN_BUDGET, [(None, *scanned)]
    if len(ids) < need and not scanned_all:
        sql = f"""
            select articles_fts.rowid
            from articles_fts join articles on articles.id = articles_fts.rowid
            where articles_fts match :match and articles_fts.rowid < :floor{_where(where)}
            order by articles_fts.rowid desc limit :more
        """
        more = {**params, "floor": rows[0][2], "more": need - len(ids)}
        ids += [row[0] for row in db.execute(sql, more)]
    marked = _highlights(db, match, ids)
    complete = scanned_all and len(ids) < cap
    return [(row_id, *marked[row_id]) for row_id in ids if row_id in marked], complete


def _by_relevance(
    db: sqlite_utils.Database,
    parsed: ParsedQuery,
    where: _Sql,
    limit: int,
    matcher: ExactMatcher | None,
) -> tuple[list[_Hit], bool]:
    """Phrase matches first (when the query is plain words), then the other matches, each
    tier ranked by bm25 (see :mod:`archive.ranking`)."""
    stats = IndexStats(db)
    few = _few_filtered(db, where)
    hits: list[_Hit] = []
    ranked_all = True
    for tier in _tiers(parsed):
        candidates, complete = _candidates(db, tier.match, where, few, limit - len(hits))
        ranked_all = ranked_all and complete
        scorer = Scorer(stats, tier.phrases, BM25_WEIGHTS)
        lengths = stats.lengths([c[0] for c in candidates])
        scored = sorted(
            (
                _Hit(c[0], tier.phrase_hit, scorer.score(c[1:], lengths.get(c[0], 0)), c[1:])
                for c in candidates
            ),
            key=lambda hit: (hit.score, -hit.id),
        )
        if matcher:
            kept = set(_exact_ids(db, matcher, (h.id for h in scored), limit - len(hits)))
            scored = [hit for hit in scored if hit.id in kept]
        hits += scored[: limit - len(hits)]
        if len(hits) >= limit:
            break
    # Shown highlights mark every query word, as the whole expression does, not the tier's.
    marked = _highlights(db, parsed.match, [hit.id for hit in hits])
    for hit in hits:
        hit.marked = marked.get(hit.id, hit.marked)
    return hits, ranked_all


def _order(sort: str) -> str:
    if sort == "changed":
        latest = "max(coalesce(articles.changed_at, ''), coalesce(articles.removed_at, ''))"
        return f"order by {latest} desc, articles.id desc"
    return "order by articles.published_at desc, articles.id desc"


def _by_date(
    db: sqlite_utils.Database,
    parsed: ParsedQuery,
    where: _Sql,
    limit: int,
    matcher: ExactMatcher | None,
    sort: str = "date",
) -> list[_Hit]:
    """Newest first. The newest articles that pass the filters are checked first, a chunk at
    a time (a common query is done after one chunk); if two chunks do not fill the page,
    every match is walked in date order."""
    indexed = sort == "date" and any(i.name == DATE_INDEX for i in db["articles"].indexes)
    hint = f" indexed by {DATE_INDEX}" if indexed else ""
    few = _few_filtered(db, where) if sort == "date" else None
    newest = f"select articles.id from articles{hint} where 1{_where(where)} {_order(sort)}"
    ids: list[int] = []
    if few is not None or indexed:
        chunks = [few] if few is not None else _chunks(db.execute(newest, where.params), 2)
        for chunk in chunks:
            found = _matching(db, parsed.match, chunk)
            ordered = [i for i in chunk if i in found]
            ids += list(_exact_ids(db, matcher, ordered, limit)) if matcher else ordered
            if len(ids) >= limit:
                break
    if len(ids) < limit and few is None:
        sql = f"""
            select articles.id from articles{hint}
            where articles.id in (select rowid from articles_fts where articles_fts match :match)
            {_where(where)} {_order(sort)}
        """
        cursor = db.execute(sql, {**where.params, "match": parsed.match})
        walk = (row[0] for row in cursor)
        if matcher:  # accent-exact checks read each text: at most RANK_CANDIDATES of them
            ids = list(_exact_ids(db, matcher, itertools.islice(walk, RANK_CANDIDATES), limit))
        else:
            ids = list(itertools.islice(walk, limit))
        cursor.close()
    ids = ids[:limit]
    marked = _highlights(db, parsed.match, ids)
    phrase_ids = _matching(db, parsed.phrase, ids) if parsed.phrase else set()
    return [_Hit(i, i in phrase_ids, 0.0, marked.get(i, ())) for i in ids]


def _chunks(cursor: sqlite3.Cursor, count: int) -> Iterator[list[int]]:
    for _ in range(count):
        chunk = [row[0] for row in cursor.fetchmany(DATE_CHUNK)]
        if not chunk:
            break
        yield chunk
    cursor.close()


def _highlights(db: sqlite_utils.Database, match: str, ids: list[int]) -> dict[int, tuple]:
    """FTS5's highlights of the three columns for the rows ``ids`` that match ``match``.

    A few rows are looked up one by one; many are found by walking the matches between the
    smallest and largest id (the unary ``+`` keeps FTS5 from looking each one up).
    """
    if not ids:
        return {}
    params = {"match": match, "ids": json.dumps(ids), "o": _OPEN, "c": _CLOSE}
    if len(ids) <= PROBE_LIMIT:
        within = "articles_fts.rowid in (select value from json_each(:ids))"
    else:
        within = (
            "articles_fts.rowid >= :low and articles_fts.rowid <= :high"
            " and +articles_fts.rowid in (select value from json_each(:ids))"
        )
        params.update(low=min(ids), high=max(ids))
    sql = f"""
        select articles_fts.rowid, {_HIGHLIGHTS} from articles_fts
        where articles_fts match :match and {within}
    """
    return {row[0]: row[1:] for row in db.execute(sql, params)}


def _matching(db: sqlite_utils.Database, match: str, ids: list[int]) -> set[int]:
    if not ids:
        return set()
    sql = """
        select rowid from articles_fts where articles_fts match ?
        and rowid in (select value from json_each(?))
    """
    return {row[0] for row in db.execute(sql, [match, json.dumps(ids)])}


def _exact_ids(
    db: sqlite_utils.Database, matcher: ExactMatcher, ids: Iterable[int], wanted: int
) -> Iterator[int]:
    """The ids, in order, whose original text matches accent-exactly; stops after ``wanted``."""
    found = 0
    for batch in _batches(ids, 200):
        texts = {
            r[0]: r[1:]
            for r in db.execute(
                "select id, title, summary, body from articles where id in "
                "(select value from json_each(?))",
                [json.dumps(batch)],
            )
        }
        for row_id in batch:
            if row_id in texts and matcher.matches(texts[row_id]):
                yield row_id
                found += 1
                if found >= wanted:
                    return


def _batches(items: Iterable[int], size: int) -> Iterator[list[int]]:
    batch: list[int] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


_ROW_COLUMNS = """
    articles.id, articles.url, articles.site, articles.title, articles.summary, articles.body,
    articles.published_at, articles.published_text, articles.author, articles.category,
    articles.attachments, articles.status, articles.version, articles.first_seen,
    articles.changed_at, articles.removed_at,
    coalesce(articles.province, sites.province) as province,
    coalesce(articles.province_now, sites.province_now) as province_now
"""


def _rows(db: sqlite_utils.Database, ids: list[int]) -> dict[int, dict[str, Any]]:
    """The rows of the hits, with the site's provinces where the article has none."""
    if not ids:
        return {}
    sql = f"""
        select {_ROW_COLUMNS} from articles left join sites on sites.id = articles.site
        where articles.id in (select value from json_each(?))
    """
    return {row["id"]: row for row in db.query(sql, [json.dumps(ids)])}


def _list_filtered(db: sqlite_utils.Database, where: _Sql, limit: int, sort: str) -> Results:
    sql = f"""
        select {_ROW_COLUMNS} from articles left join sites on sites.id = articles.site
        where 1{_where(where)} {_order(sort)} limit :limit
    """
    rows = db.query(sql, {**where.params, "limit": limit})
    return Results(_result(row, _Hit(row["id"], False, 0.0), "", "", None) for row in rows)


def _result(
    row: dict[str, Any], hit: _Hit, open_: str, close: str, matcher: ExactMatcher | None
) -> dict[str, Any]:
    title = row["title"] or ""
    marked = dict(zip(("title", "summary", "body"), hit.marked, strict=False))
    if matcher:
        title_spans = matcher.spans(title)
        text = _exact_snippet(row, matcher, open_, close)
    else:
        title_spans = marked_spans(marked.get("title") or "")
        if len(title) != len(marked.get("title") or "") - 2 * len(title_spans):
            title_spans = []
        text = _folded_snippet(row, marked, open_, close)
    return {
        "id": row["id"],
        "title": title,
        "title_highlighted": mark_spans(title, title_spans, open_, close) if title_spans else title,
        "url": row["url"],
        "site": row["site"],
        "province": row["province"],
        "province_now": row["province_now"],
        "category": row["category"],
        "author": row["author"],
        "published_at": row["published_at"],
        "published_text": row["published_text"],
        "attachments": len(json.loads(row["attachments"] or "[]")),
        "status": row["status"],
        "version": row["version"],
        "first_seen": row["first_seen"],
        "changed_at": row["changed_at"],
        "removed_at": row["removed_at"],
        "snippet": text,
        "phrase_match": hit.phrase_hit,
        "score": round(hit.score, 4),
        "permalink": PERMALINK.format(id=row["id"]),
    }


def _folded_snippet(
    row: dict[str, Any], marked: dict[str, str | None], open_: str, close: str
) -> str:
    for column in ("body", "summary"):
        text = marked.get(column) or ""
        if _OPEN in text:
            return snippet(row[column], text, open_=open_, close=close)
    return snippet(row["summary"] or row["body"], "", open_=open_, close=close)


def _exact_snippet(row: dict[str, Any], matcher: ExactMatcher, open_: str, close: str) -> str:
    for column in ("body", "summary"):
        spans = matcher.spans(row[column])
        if spans:
            return snippet_from_spans(row[column], spans, open_=open_, close=close)
    return snippet_from_spans(row["summary"] or row["body"], [], open_=open_, close=close)
