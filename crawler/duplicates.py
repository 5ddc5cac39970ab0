"""Link republished announcements: the same text on several portals is one announcement.

Provincial departments republish the province's announcements, and districts republish the
departments'. Each copy stays an article of its own site (it is what that site published),
and ``articles.duplicate_of`` points at the first capture of it, so searches and counts can
fold copies together (``where duplicate_of is null``).
"""

from __future__ import annotations

import logging

from scrapy.crawler import Crawler

from archive.storage import Archive
from crawler.items import ArticleItem

logger = logging.getLogger(__name__)


class DuplicateLinkPipeline:
    """After an article is stored, link it to the earliest capture with the same content."""

    def __init__(self, db_path: str, stats):
        self.db_path = db_path
        self.stats = stats
        self.archive: Archive | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DuplicateLinkPipeline:
        return cls(crawler.settings.get("VNGOV_DB"), crawler.stats)

    def open_spider(self) -> None:
        self.archive = Archive(self.db_path)

    def close_spider(self) -> None:
        if self.archive:
            self.archive.close()

    def process_item(self, item: object) -> object:
        if isinstance(item, ArticleItem) and self.archive is not None:
            url_key = item.record.get("canonical_url") or item.url
            first = self.archive.link_duplicate(url_key)
            if first is not None:
                self.stats.inc_value("vngov/articles_duplicate")
                logger.debug("%s republishes article %s", url_key, first)
        return item
