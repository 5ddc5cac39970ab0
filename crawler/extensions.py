"""Extensions: the crawl-run record every crawl leaves in the archive."""

from __future__ import annotations

from scrapy import Spider, signals
from scrapy.crawler import Crawler

from archive.storage import Archive


class CrawlRunRecorder:
    """Write a ``crawl_runs`` row when a crawl opens and fill in its counts when it closes.

    Schedulers cannot rely on ``scrapy crawl``'s exit code (it is 0 even when nothing was
    fetched); the run record is what says whether a crawl was healthy.
    """

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.db_path = crawler.settings.get("VNGOV_DB")
        self.run_id: int | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlRunRecorder:
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        site = getattr(spider, "site", None)
        archive = Archive(self.db_path)
        try:
            if site is not None:
                archive.upsert_site(site.as_dict())
            settings = {
                k: self.crawler.settings.get(k)
                for k in (
                    "DOWNLOAD_DELAY",
                    "AUTOTHROTTLE_ENABLED",
                    "CONCURRENT_REQUESTS_PER_DOMAIN",
                )
            }
            self.run_id = archive.start_run(site.id if site else spider.name, settings=settings)
        finally:
            archive.close()
        self.crawler.stats.set_value("vngov/run_id", self.run_id)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.run_id is None:
            return
        stats = self.crawler.stats.get_stats()
        errors = sum(v for k, v in stats.items() if k.startswith("vngov/errors/"))
        archive = Archive(self.db_path)
        try:
            archive.finish_run(
                self.run_id,
                finish_reason=reason,
                pages_fetched=stats.get("response_received_count", 0),
                articles_new=stats.get("vngov/articles_new", 0),
                articles_changed=stats.get("vngov/articles_changed", 0),
                articles_unchanged=stats.get("vngov/articles_unchanged", 0),
                contacts_new=stats.get("vngov/contacts_new", 0),
                errors=errors,
                stats={k: v for k, v in stats.items() if isinstance(v, int | float | str)},
            )
        finally:
            archive.close()
