"""Item pipelines: validate parsed articles, then store them in the archive."""

from __future__ import annotations

import logging

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from archive.storage import Archive
from crawler.items import ArticleItem

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

    def process_item(self, item: ArticleItem) -> ArticleItem:
        record = item.record
        if not record.get("title") or not record.get("body"):
            self.stats.inc_value("vngov/dropped")
            missing = [name for name in ("title", "body") if not record.get(name)]
            raise DropItem(f"not an article ({', '.join(missing)} missing): {item.url}")
        return item


class ArchivePipeline:
    """Store each article (new, changed or unchanged) and the contacts seen on its page."""

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

    def process_item(self, item: ArticleItem) -> ArticleItem:
        assert self.archive is not None
        outcome = self.archive.store_article(
            item.record, site=item.site, fetched_at=item.fetched_at, http_status=item.http_status
        )
        self.stats.inc_value(f"vngov/articles_{outcome}")
        new_contacts = self.archive.store_contacts(
            item.record.get("contacts", []),
            site=item.site,
            page_url=item.url,
            seen_at=item.fetched_at,
        )
        self.stats.inc_value("vngov/contacts_new", new_contacts)
        logger.debug("%s article %s", outcome, item.url)
        return item
