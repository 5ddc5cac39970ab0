"""Item pipelines: validate parsed articles, then store them in the archive."""

from __future__ import annotations

import logging

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from archive.storage import Archive
from crawler.items import ArticleItem, AttachmentItem, NotModifiedItem, PageGoneItem

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
    announcement on any site) and the contacts seen on its page, through its own connection
    to the archive (``VNGOV_DB``)."""

    def __init__(self, db_path: str, stats):
        self.db_path = db_path
        self.stats = stats
        self.archive: Archive | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        return cls(crawler.settings.get("VNGOV_DB"), crawler.stats)

    def open_spider(self) -> None:
        self.archive = Archive(self.db_path)

    def close_spider(self) -> None:
        if self.archive:
            self.archive.close()

    def process_item(self, item: object) -> object:
        assert self.archive is not None
        if isinstance(item, ArticleItem):
            self._store_article(item)
        elif isinstance(item, PageGoneItem):
            self._store_gone(item)
        elif isinstance(item, NotModifiedItem):
            self.archive.record_fetch(
                item.url, site=item.site, fetched_at=item.fetched_at, status=304
            )
            self.stats.inc_value("vngov/articles_not_modified")
        elif isinstance(item, AttachmentItem):
            self._store_attachment(item)
        return item

    def _store_article(self, item: ArticleItem) -> None:
        """Article, fetch state and contacts in one transaction: all of a page or none of it."""
        assert self.archive is not None
        with self.archive.db.atomic():
            self._store_article_rows(item)

    def _store_article_rows(self, item: ArticleItem) -> None:
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
        self.stats.inc_value(f"vngov/articles_{outcome}")
        if outcome.duplicate_of is not None:
            # Provincial departments republish the province's announcements, districts the
            # departments': each copy stays its site's article, linked to the first capture.
            self.stats.inc_value("vngov/articles_duplicate")
            logger.debug("%s republishes article %s", item.url, outcome.duplicate_of)
        self.archive.record_fetch(
            item.record.get("canonical_url") or item.url,
            site=item.site,
            fetched_at=item.fetched_at,
            status=item.http_status,
            etag=item.etag,
            last_modified=item.last_modified,
        )
        footer = item.record.get("footer")
        new_contacts = self.archive.store_contacts(
            [*item.record.get("contacts", []), *([footer] if footer else [])],
            site=item.site,
            page_url=item.url,
            seen_at=item.fetched_at,
        )
        self.stats.inc_value("vngov/contacts_new", new_contacts)
        logger.debug("%s article %s", outcome, item.url)

    def _store_gone(self, item: PageGoneItem) -> None:
        assert self.archive is not None
        self.archive.record_fetch(
            item.url, site=item.site, fetched_at=item.fetched_at, status=item.http_status
        )
        if self.archive.mark_removed(
            item.url, removed_at=item.fetched_at, http_status=item.http_status
        ):
            self.stats.inc_value("vngov/articles_removed")
            logger.info("article removed (%s): %s", item.http_status, item.url)
        else:
            self.stats.inc_value(f"vngov/errors/http_{item.http_status}")
            logger.warning("not found (%s): %s", item.http_status, item.url)

    def _store_attachment(self, item: AttachmentItem) -> None:
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
        self.stats.inc_value(f"vngov/attachments_{outcome}")
