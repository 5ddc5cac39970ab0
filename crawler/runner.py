"""Run a crawl of one site in this process, for the CLI and the demo.

Twisted's reactor cannot be restarted, so a process runs one crawl; programs that need several
run each in a subprocess (the tests run ``vngov crawl``).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler.jobs import end_run, resume_job, start_job
from crawler.politeness import check_politeness, relaxed_settings
from crawler.sites import default_user_registry, get_site


def crawl_settings(
    db: str | Path,
    *,
    relaxed: bool = False,
    log_level: str = "WARNING",
    extra: dict[str, Any] | None = None,
) -> Settings:
    """The project settings with this run's choices applied; ``extra`` (``--set NAME=VALUE``)
    last, so a test can shorten timeouts. Politeness is checked on the result either way."""
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    overrides: dict[str, Any] = {
        "VNGOV_DB": str(db),
        "LOG_LEVEL": log_level,
        "LOG_INSTALL_ROOT_HANDLER": True,
    }
    if relaxed:
        overrides.update(relaxed_settings())
    overrides.update(extra or {})
    settings.setdict(overrides, priority="cmdline")
    return settings


def user_registry(db: str | Path, registry: str | Path | None) -> str | None:
    """The user registry to load: the one given, else ``sites.local.toml`` beside the db."""
    if registry:
        return str(registry)
    beside_db = default_user_registry(db)
    return str(beside_db) if beside_db.exists() else None


def run_crawl(
    site_id: str,
    db: str | Path,
    *,
    base_url: str | None = None,
    max_pages: int | None = None,
    relaxed: bool = False,
    log_level: str = "WARNING",
    mode: str = "incremental",
    resume: bool = False,
    registry: str | Path | None = None,
    extra_settings: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Crawl one site into the archive at ``db``; returns the crawl's Scrapy stats.

    ``relaxed`` turns delays and AutoThrottle off; it is refused unless every host crawled is
    a loopback address. ``mode`` is ``incremental``, ``full`` or ``revisit`` (see
    ``crawler.spiders.portal``); a full crawl keeps a job directory so that ``resume`` can
    continue it after a pause (the stats say ``vngov/job``: ``finished`` or ``paused``).
    """
    registry = user_registry(db, registry)
    job = None
    if resume:
        job = resume_job(db, site_id)
        base_url = base_url or job.base_url
        mode = "full"
    site = get_site(site_id, base_url=base_url, user_registry=registry)
    settings = crawl_settings(db, relaxed=relaxed, log_level=log_level, extra=extra_settings)
    check_politeness(settings, site.allowed_hosts)
    if mode == "full" and job is None:
        job = start_job(db, site_id, base_url=base_url)
    if job is not None:
        settings.set("JOBDIR", job.directory, priority="cmdline")
    process = CrawlerProcess(settings)
    logging.getLogger("scrapy").setLevel(log_level)
    crawler = process.create_crawler("portal")
    process.crawl(
        crawler,
        site=site_id,
        base_url=base_url,
        max_pages=max_pages,
        mode=mode,
        registry=registry,
    )
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    if job is not None:
        done = end_run(job, str(stats.get("finish_reason", "")))
        stats["vngov/job"] = "finished" if done else "paused"
        stats["vngov/job_dir"] = job.directory
    return stats
