"""Extensions: the crawl-run record every crawl leaves in the archive."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

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
        errors_by_kind = {
            k.removeprefix("vngov/errors/"): v
            for k, v in stats.items()
            if k.startswith("vngov/errors/")
        }
        started = stats.get("start_time")
        finished = stats.get("finish_time") or datetime.now(UTC)  # CoreStats may not have run
        duration = (finished - started).total_seconds() if started and finished else None
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
                articles_removed=stats.get("vngov/articles_removed", 0),
                errors=sum(errors_by_kind.values()),
                errors_by_kind=errors_by_kind,
                duration_seconds=duration,
                stats={k: v for k, v in stats.items() if isinstance(v, int | float | str)},
            )
        finally:
            archive.close()


class OneLineErrors(logging.Filter):
    """Turn a log record's traceback into one line: ``message: ExceptionType: reason``.

    Network failures are expected on government servers; the run record counts them and the
    log should say what failed and why, not print a stack. ``VNGOV_TRACEBACKS = True`` keeps
    the full tracebacks for debugging.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            record.msg = f"{record.getMessage()}: {type(error).__name__}: {error}"
            record.args = ()
            record.exc_info = None
            record.exc_text = None
        return True


class QuietTracebacks:
    """Extension: install :class:`OneLineErrors` on the root log handlers for this crawl.

    Scrapy may replace the root handler after extensions are built, so the filter is
    installed again when the engine starts.
    """

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> QuietTracebacks:
        if crawler.settings.getbool("VNGOV_TRACEBACKS"):
            raise NotConfigured("full tracebacks requested")
        extension = cls()
        extension.install()
        crawler.signals.connect(extension.install, signal=signals.engine_started)
        return extension

    def install(self) -> None:
        for handler in logging.getLogger().handlers:
            if not any(isinstance(f, OneLineErrors) for f in handler.filters):
                handler.addFilter(OneLineErrors())
