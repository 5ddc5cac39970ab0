"""Item pipelines: validate parsed articles, then store them in the archive."""

from __future__ import annotations

import asyncio
import functools
import logging
from concurrent.futures import ThreadPoolExecutor

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from archive.storage import Archive
from crawler.items import ArticleItem, AttachmentItem, NotModifiedItem, PageGoneItem

logger = logging.getLogger(__name__)


@functools.cache
def archive_writer() -> ThreadPoolExecutor:
    """The process's one thread for writing to archives (see :class:`ArchivePipeline`)."""
    return ThreadPoolExecutor(1, thread_name_prefix="vngov-archive-writer")


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

    The archive (``VNGOV_DB``) is written from a writer thread, which holds the connection:
    SQLite lets go of the GIL while it writes, and most of a page's cost is the full-text
    index, so the crawl goes on fetching meanwhile. The process has one writer thread, shared
    by crawlers running side by side (one per host), so their writes queue up instead of
    contending for SQLite's lock. Pages are written one at a time, each in one transaction;
    counts go to the crawl's stats, and lines to its log, from the crawl's thread (the live
    progress line redraws around log records written there).
    """

    def __init__(self, db_path: str, stats):
        self.db_path = db_path
        self.stats = stats
        self.archive: Archive | None = None
        self._writer: ThreadPoolExecutor | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        return cls(crawler.settings.get("VNGOV_DB"), crawler.stats)

    def open_spider(self) -> None:
        self._writer = archive_writer()
        self.archive = self._writer.submit(Archive, self.db_path).result()

    def close_spider(self) -> None:
        if self._writer is not None and self.archive is not None:
            self._writer.submit(self.archive.close).result()

    async def process_item(self, item: object) -> object:
        if isinstance(item, ArticleItem | PageGoneItem | NotModifiedItem | AttachmentItem):
            assert self._writer is not None
            counts = await asyncio.wrap_future(self._writer.submit(self._store, item))
            for key, count in counts.items():
                self.stats.inc_value(key, count)
            _log_stored(item, counts)
        return item

    def _store(self, item: object) -> dict[str, int]:
        """Write one item (on the writer thread); returns the stats to add."""
        assert self.archive is not None
        if isinstance(item, ArticleItem):
            with self.archive.transaction():  # all of a page or none of it
                return self._store_article(item)
        if isinstance(item, PageGoneItem):
            return self._store_gone(item)
        if isinstance(item, NotModifiedItem):
            self.archive.record_fetch(
                item.url, site=item.site, fetched_at=item.fetched_at, status=304
            )
            return {"vngov/articles_not_modified": 1}
        if isinstance(item, AttachmentItem):
            return self._store_attachment(item)
        return {}

    def _store_article(self, item: ArticleItem) -> dict[str, int]:
        """Article, fetch state and contacts (in the caller's transaction)."""
        assert self.archive is not None
        capture = item.capture
        provenance = {"final_url": item.final_url}
        if capture is not None:
            provenance.update(
                payload_digest=capture.payload_digest,
                warc_filename=capture.warc_filename,
                warc_offset=capture.warc_offset,
                warc_length=capture.warc_length,
            )
        outcome = self.archive.store_article(
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
        self.archive.record_fetch(
            item.record.get("canonical_url") or item.url,
            site=item.site,
            fetched_at=item.fetched_at,
            status=item.http_status,
            etag=item.etag,
            last_modified=item.last_modified,
        )
        footer = item.record.get("footer")
        counts["vngov/contacts_new"] = self.archive.store_contacts(
            [*item.record.get("contacts", []), *([footer] if footer else [])],
            site=item.site,
            page_url=item.url,
            seen_at=item.fetched_at,
        )
        return counts

    def _store_gone(self, item: PageGoneItem) -> dict[str, int]:
        assert self.archive is not None
        self.archive.record_fetch(
            item.url, site=item.site, fetched_at=item.fetched_at, status=item.http_status
        )
        if self.archive.mark_removed(
            item.url, removed_at=item.fetched_at, http_status=item.http_status
        ):
            return {"vngov/articles_removed": 1}
        return {f"vngov/errors/http_{item.http_status}": 1}

    def _store_attachment(self, item: AttachmentItem) -> dict[str, int]:
        assert self.archive is not None
        capture = item.capture
        outcome = self.archive.store_attachment(
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
