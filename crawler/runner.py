"""Run a crawl of one site in this process, for the CLI and the demo.

Twisted's reactor cannot be restarted, so a process runs one crawl; programs that need several
run each in a subprocess (the tests run ``vngov crawl``).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler.politeness import check_politeness, relaxed_settings
from crawler.sites import get_site


def crawl_settings(
    db: str | Path,
    *,
    relaxed: bool = False,
    log_level: str = "WARNING",
) -> Settings:
    """The project settings with this run's choices applied."""
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    overrides: dict[str, Any] = {
        "VNGOV_DB": str(db),
        "LOG_LEVEL": log_level,
        "LOG_INSTALL_ROOT_HANDLER": True,
    }
    if relaxed:
        overrides.update(relaxed_settings())
    settings.setdict(overrides, priority="cmdline")
    return settings


def run_crawl(
    site_id: str,
    db: str | Path,
    *,
    base_url: str | None = None,
    max_pages: int | None = None,
    relaxed: bool = False,
    log_level: str = "WARNING",
) -> dict[str, Any]:
    """Crawl one site into the archive at ``db``; returns the crawl's Scrapy stats.

    ``relaxed`` turns delays and AutoThrottle off; it is refused unless every host crawled is
    a loopback address.
    """
    site = get_site(site_id, base_url=base_url)
    settings = crawl_settings(db, relaxed=relaxed, log_level=log_level)
    check_politeness(settings, [urlsplit(site.base_url).hostname or ""])
    process = CrawlerProcess(settings)
    logging.getLogger("scrapy").setLevel(log_level)
    crawler = process.create_crawler("portal")
    process.crawl(crawler, site=site_id, base_url=base_url, max_pages=max_pages)
    process.start()
    return crawler.stats.get_stats() if crawler.stats else {}
