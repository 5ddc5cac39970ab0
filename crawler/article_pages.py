"""Read a fetched article page in one pass: error check, canonical link, the parsed record.

The spider needs three things from an article page's HTML: whether it is really an error or
CAPTCHA page answered with 200, the ``rel=canonical`` it declares, and the record the parsers
extract. Reading them from one parse of the page, in a function of plain values (bytes and
strings in, a picklable :class:`ArticlePage` out), is what lets the crawl run it in a worker
process (see :mod:`crawler.workers`) while the main process goes on fetching.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from crawler.detect import ErrorPage, error_page_of
from crawler.discovery import canonical_link
from crawler.parsers.article import article_from_page
from crawler.parsers.html import AttributeIndex, parse_page, select


@dataclass(frozen=True)
class ArticlePage:
    """What the spider reads from an article page.

    ``error`` is set for an error or CAPTCHA page, and then nothing else is read;
    ``is_article`` is False when the site's ``article_css`` (if any) finds no article on it;
    ``declared_canonical`` is the page's absolute ``rel=canonical`` link, if it has one;
    ``record`` is :meth:`Article.to_dict` of the parsed article.
    """

    error: ErrorPage | None = None
    is_article: bool = True
    declared_canonical: str | None = None
    record: dict[str, Any] | None = None


def read_article_page(
    body: bytes,
    url: str,
    *,
    content_type: str | None = None,
    fetched_at: datetime | None = None,
    article_css: str | None = None,
) -> ArticlePage:
    """Decode and parse ``body`` once and read an :class:`ArticlePage` from it."""
    parsed = parse_page(body, content_type)
    index = AttributeIndex.of(parsed.root)
    # The parser drops chrome from the tree, so everything else is read before it runs.
    if error := error_page_of(parsed.root, index):
        return ArticlePage(error=error)
    if article_css and not select(parsed.root, article_css):
        return ArticlePage(is_article=False)
    declared = canonical_link(parsed.root, url)
    record = article_from_page(parsed, url, fetched_at=fetched_at, index=index).to_dict()
    return ArticlePage(declared_canonical=declared, record=record)
