"""Item pipelines: validate parsed articles, then store them in the archive."""

from __future__ import annotations

import logging
from collections import Counter

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from sqlite_utils.plugins import ensure_plugins_loaded

from archive.storage import Archive
from crawler.items import ArticleItem, AttachmentItem, NotModifiedItem, PageGoneItem
from crawler.workers import WorkerPool

logger = logging.getLogger(__name__)


class ValidateArticlePipeline:
    """Drop pages that parsed to no title or no body: error pages, empty shells, redirects.

    The drop is logged with its URL and counted (``vngov/dropped``), never silently lost.
    """

    def __init__(self, stats):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidateArticlePipeline:
        return cls(crawler.stats)

    def process_item(self, item: object) -> object:
        if not isinstance(item, ArticleItem):
            return item
        record = item.record
        if record.get("page_type") == "error":
            self.stats.inc_value("vngov/errors/error_page")
            raise DropItem(f"error page ({'; '.join(record.get('warnings', []))}): {item.url}")
        if not record.get("title") or not record.get("body"):
            self.stats.inc_value("vngov/dropped")
            missing = [name for name in ("title", "body") if not record.get(name)]
            raise DropItem(f"not an article ({', '.join(missing)} missing): {item.url}")
        return item


class ArchivePipeline:
    """Store each article (new, changed or unchanged, linked to the first capture of the same
    announcement on any site) and the contacts seen on its page.

    The archive (``VNGOV_DB``) is written by a writer process (:mod:`crawler.workers`), which
    holds the connection, so the crawl goes on fetching while a page is indexed: storing
    costs about as much CPU as fetching, and on a thread its Python half would hold the GIL
    the event loop needs after every socket call. The crawl process has one writer, shared
    by crawlers running side by side (one per host), so their writes queue up instead of
    contending for SQLite's lock. Pages are written one at a time, each in one transaction;
    counts go to the crawl's stats, and lines to its log, from the crawl's thread (the live
    progress line redraws around log records written there).
    """

    def __init__(self, db_path: str, stats, writer: WorkerPool):
        self.db_path = db_path
        self.stats = stats
        self.writer = writer

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        writer = WorkerPool.acquire("archive writer", 1)
        # sqlite-utils reads its plugins' entry points at its first connection. Run from a
        # zipped egg (Scrapyd), the writer would read the egg through a zip file object it
        # shares with this process after the fork, seek for seek, while this process reads
        # it too ("invalid distance too far back"): read them here, once, before the fork.
        ensure_plugins_loaded()
        # Forked now, while the crawl process has no database connection open: SQLite's
        # locks would be confused by a connection inherited across fork.
        writer.start()
        return cls(crawler.settings.get("VNGOV_DB"), crawler.stats, writer)

    async def open_spider(self) -> None:
        await self.writer.run(open_archive, self.db_path)

    async def close_spider(self) -> None:
        try:
            await self.writer.run(close_archive, self.db_path)
        finally:
            self.writer.release()

    async def process_item(self, item: object) -> object:
        if isinstance(item, ArticleItem | PageGoneItem | NotModifiedItem | AttachmentItem):
            counts = await self.writer.run(store_item, self.db_path, item)
            for key, count in counts.items():
                self.stats.inc_value(key, count)
            _log_stored(item, counts)
        return item


# -- in the writer process -------------------------------------------------------------------

_archives: dict[str, Archive] = {}
_users: Counter[str] = Counter()


def open_archive(db_path: str) -> None:
    """Open (creating or upgrading) the archive at ``db_path`` in this process for one more
    crawler: crawlers side by side on one archive share its connection."""
    _archive(db_path)
    _users[db_path] += 1  # counted once open: a failed open is not a user


def close_archive(db_path: str) -> None:
    """One crawler is done with ``db_path``; the last one closes the connection."""
    _users[db_path] -= 1
    if _users[db_path] > 0:
        return
    del _users[db_path]
    archive = _archives.pop(db_path, None)
    if archive is not None:
        archive.close()


def _archive(db_path: str) -> Archive:
    archive = _archives.get(db_path)
    if archive is None:  # not yet open, or opened by a writer process since replaced
        archive = _archives[db_path] = Archive(db_path)
    return archive


def store_item(db_path: str, item: object) -> dict[str, int]:
    """Write one item to the archive at ``db_path``; returns the stats to add."""
    archive = _archive(db_path)
    if isinstance(item, ArticleItem):
        with archive.transaction():  # all of a page or none of it
            return _store_article(archive, item)
    if isinstance(item, PageGoneItem):
        return _store_gone(archive, item)
    if isinstance(item, NotModifiedItem):
        archive.record_fetch(item.url, site=item.site, fetched_at=item.fetched_at, status=304)
        return {"vngov/articles_not_modified": 1}
    if isinstance(item, AttachmentItem):
        return _store_attachment(archive, item)
    return {}


def _store_article(archive: Archive, item: ArticleItem) -> dict[str, int]:
    """Article, fetch state and contacts (in the caller's transaction)."""
    capture = item.capture
    provenance = {"final_url": item.final_url}
    if capture is not None:
        provenance.update(
            payload_digest=capture.payload_digest,
            warc_filename=capture.warc_filename,
            warc_offset=capture.warc_offset,
            warc_length=capture.warc_length,
        )
    outcome = archive.store_article(
        item.record,
        site=item.site,
        fetched_at=item.fetched_at,
        http_status=item.http_status,
        provenance=provenance,
    )
    counts = {f"vngov/articles_{outcome}": 1}
    if outcome.duplicate_of is not None:
        # Provincial departments republish the province's announcements, districts the
        # departments': each copy stays its site's article, linked to the first capture.
        counts["vngov/articles_duplicate"] = 1
    archive.record_fetch(
        item.record.get("canonical_url") or item.url,
        site=item.site,
        fetched_at=item.fetched_at,
        status=item.http_status,
        etag=item.etag,
        last_modified=item.last_modified,
    )
    footer = item.record.get("footer")
    counts["vngov/contacts_new"] = archive.store_contacts(
        [*item.record.get("contacts", []), *([footer] if footer else [])],
        site=item.site,
        page_url=item.url,
        seen_at=item.fetched_at,
    )
    return counts


def _store_gone(archive: Archive, item: PageGoneItem) -> dict[str, int]:
    archive.record_fetch(
        item.url, site=item.site, fetched_at=item.fetched_at, status=item.http_status
    )
    if archive.mark_removed(item.url, removed_at=item.fetched_at, http_status=item.http_status):
        return {"vngov/articles_removed": 1}
    return {f"vngov/errors/http_{item.http_status}": 1}


def _store_attachment(archive: Archive, item: AttachmentItem) -> dict[str, int]:
    capture = item.capture
    outcome = archive.store_attachment(
        {
            "url": item.url,
            "site": item.site,
            "article_url_key": item.article_url,
            "text": item.text,
            "http_status": item.http_status,
            "sha256": item.sha256,
            "size": item.size,
            "content_type": item.content_type,
            "truncated": int(item.truncated),
            "fetched_at": item.fetched_at,
            "warc_filename": capture.warc_filename if capture else None,
            "warc_offset": capture.warc_offset if capture else None,
            "warc_length": capture.warc_length if capture else None,
            "final_url": item.final_url,
        }
    )
    return {f"vngov/attachments_{outcome}": 1}


def _log_stored(item: object, counts: dict[str, int]) -> None:
    """Log what storing ``item`` did (on the crawl's thread), from the stats it added."""
    if isinstance(item, PageGoneItem):
        if counts.get("vngov/articles_removed"):
            logger.info("article removed (%s): %s", item.http_status, item.url)
        else:
            logger.warning("not found (%s): %s", item.http_status, item.url)
    elif isinstance(item, ArticleItem) and logger.isEnabledFor(logging.DEBUG):
        for outcome in ("new", "changed", "unchanged"):
            if counts.get(f"vngov/articles_{outcome}"):
                logger.debug("%s article %s", outcome, item.url)
        if counts.get("vngov/articles_duplicate"):
            logger.debug("%s republishes an earlier capture", item.url)
