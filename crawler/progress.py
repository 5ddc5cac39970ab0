"""Progress of a crawl while it runs: a live line on a terminal, log lines elsewhere, or JSON.

``VNGOV_PROGRESS`` chooses the form:

- ``auto`` (the default): ``live`` when stderr is a terminal, ``log`` otherwise;
- ``live``: one line on stderr redrawn in place (pages, new, changed, errors, rate);
- ``log``: a plain line every ``VNGOV_PROGRESS_INTERVAL`` seconds (60 by default), as cron
  mail, journald or a Scrapyd log want it;
- ``json``: the same as one JSON object per line;
- ``off``: nothing (``vngov crawl --quiet``).

``VNGOV_LOG_JSON = True`` also turns every log record into one JSON object per line
(``vngov crawl --log-json``), so a log shipper reads stderr line by line.

The extension also counts what the health checks compare between runs (``archive.health``):
``vngov/articles_undated``, the articles stored without a publication date.
"""

from __future__ import annotations

import json
import logging
import shutil
import sys
import time
from collections import deque
from datetime import UTC, datetime
from typing import IO, Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.utils.asyncio import create_looping_call

from crawler.items import ArticleItem

MODES = ("auto", "live", "log", "json", "off")
LIVE_INTERVAL = 0.5  # seconds between redraws of the live line
RATE_WINDOW = 10.0  # seconds over which the live rate is averaged
CLEAR_LINE = "\r\x1b[K"
PROGRESS_LOGGER = "vngov.progress"


def progress_counts(stats: dict[str, Any]) -> dict[str, int]:
    """The counters a progress line shows, from a crawl's Scrapy stats."""
    return {
        "pages": int(stats.get("response_received_count", 0)),
        "new": int(stats.get("vngov/articles_new", 0)),
        "changed": int(stats.get("vngov/articles_changed", 0)),
        "unchanged": int(stats.get("vngov/articles_unchanged", 0)),
        "errors": sum(int(v) for k, v in stats.items() if k.startswith("vngov/errors/")),
    }


def format_progress(counts: dict[str, int], rate: float, elapsed: float, site: str = "") -> str:
    """``site: 1,234 pages · 456 new · 7 changed · 2 errors · 12.3 pages/s · 0:01:23``."""
    minutes, seconds = divmod(int(elapsed), 60)
    hours, minutes = divmod(minutes, 60)
    text = (
        f"{counts['pages']:,} pages · {counts['new']:,} new · {counts['changed']:,} changed · "
        f"{counts['errors']:,} errors · {rate:.1f} pages/s · {hours}:{minutes:02d}:{seconds:02d}"
    )
    return f"{site}: {text}" if site else text


def fit_to_width(text: str, width: int) -> str:
    """Cut a live line to the terminal's width: a wrapped line cannot be redrawn in place."""
    return text if len(text) < width else text[: max(width - 2, 0)] + "…"


def log_line(message: str, *, when: float | None = None) -> str:
    """A progress line in the form of Scrapy's log lines."""
    stamp = datetime.fromtimestamp(when or time.time()).strftime("%Y-%m-%d %H:%M:%S")
    return f"{stamp} [{PROGRESS_LOGGER}] INFO: {message}"


def json_record(
    level: str, logger: str, message: str, *, when: float | None = None, **fields: Any
) -> str:
    """One log record as one line of JSON (UTC time, level, logger, message, extra fields)."""
    created = datetime.fromtimestamp(when or time.time(), UTC)
    data = {
        "time": created.isoformat(timespec="milliseconds"),
        "level": level,
        "logger": logger,
        "message": message,
        **fields,
    }
    return json.dumps(data, ensure_ascii=False, default=str)


class JsonLogFormatter(logging.Formatter):
    """Format every log record as one JSON object on one line."""

    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, Any] = {}
        spider = getattr(record, "spider", None)
        if spider is not None:
            fields["spider"] = getattr(spider, "site_id", None) or spider.name
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            fields["error"] = f"{type(error).__name__}: {error}"
        return json_record(
            record.levelname, record.name, record.getMessage(), when=record.created, **fields
        )


class _ClearLiveLine(logging.Filter):
    """Before a log record is written under a live line, wipe the line; it is redrawn later."""

    def __init__(self, reporter: ProgressReporter):
        super().__init__()
        self.reporter = reporter

    def filter(self, record: logging.LogRecord) -> bool:
        self.reporter.clear()
        return True


class RateMeter:
    """Pages per second over the last ``window`` seconds."""

    def __init__(self, window: float = RATE_WINDOW):
        self.window = window
        self.samples: deque[tuple[float, int]] = deque()

    def add(self, now: float, pages: int) -> float:
        self.samples.append((now, pages))
        while len(self.samples) > 2 and now - self.samples[1][0] >= self.window:
            self.samples.popleft()
        first_time, first_pages = self.samples[0]
        return (pages - first_pages) / (now - first_time) if now > first_time else 0.0


class ProgressReporter:
    """Extension: report a crawl's progress on stderr (see the module docstring)."""

    def __init__(
        self,
        crawler: Crawler,
        mode: str,
        interval: float,
        stream: IO[str],
        log_json: bool = False,
    ):
        self.crawler = crawler
        self.mode = mode
        self.interval = interval
        self.stream = stream
        self.log_json = log_json
        self.meter = RateMeter(max(RATE_WINDOW, interval))
        self.started = time.monotonic()
        self.site = ""
        self.shown = False  # a live line is on screen
        self.task: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressReporter:
        settings = crawler.settings
        mode = str(settings.get("VNGOV_PROGRESS", "auto")).lower()
        if mode not in MODES:
            raise ValueError(f"VNGOV_PROGRESS must be one of {', '.join(MODES)}, not {mode!r}")
        stream = sys.stderr
        if mode == "auto":
            mode = "live" if stream.isatty() else "log"
        interval = settings.getfloat("VNGOV_PROGRESS_INTERVAL") or (
            LIVE_INTERVAL if mode == "live" else 60.0
        )
        reporter = cls(crawler, mode, interval, stream, settings.getbool("VNGOV_LOG_JSON"))
        reporter.install_log_format()
        crawler.signals.connect(reporter.install_log_format, signal=signals.engine_started)
        crawler.signals.connect(reporter.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(reporter.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(reporter.item_scraped, signal=signals.item_scraped)
        return reporter

    # -- log records -----------------------------------------------------------------------
    def install_log_format(self) -> None:
        """JSON records with ``VNGOV_LOG_JSON``; under a live line, records wipe it first.

        Done again when the engine starts, since Scrapy may replace the root handler after
        the extensions are built.
        """
        for handler in logging.getLogger().handlers:
            if self.log_json and not isinstance(handler.formatter, JsonLogFormatter):
                handler.setFormatter(JsonLogFormatter())
            if self.mode == "live" and not any(
                isinstance(f, _ClearLiveLine) for f in handler.filters
            ):
                handler.addFilter(_ClearLiveLine(self))

    # -- signals ---------------------------------------------------------------------------
    def spider_opened(self, spider: Spider) -> None:
        self.started = time.monotonic()
        self.site = str(getattr(spider, "site_id", "") or "")
        self.meter.add(self.started, 0)
        if self.mode != "off":
            self.task = create_looping_call(self.report)
            self.task.start(self.interval, now=False)

    def spider_closed(self, spider: Spider) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()
        if self.mode == "live":
            self.report()
            self.stream.write("\n")
            self.stream.flush()
            self.shown = False

    def item_scraped(self, item: object) -> None:
        if isinstance(item, ArticleItem) and not item.record.get("published_at"):
            self.crawler.stats.inc_value("vngov/articles_undated")

    # -- output ----------------------------------------------------------------------------
    def report(self) -> None:
        """Write the progress once, in the chosen form."""
        now = time.monotonic()
        counts = progress_counts(self.crawler.stats.get_stats())
        rate = self.meter.add(now, counts["pages"])
        elapsed = now - self.started
        if self.mode == "live":
            width = shutil.get_terminal_size((100, 24)).columns
            line = fit_to_width(format_progress(counts, rate, elapsed, self.site), width)
            self.stream.write(CLEAR_LINE + line)
            self.shown = True
        elif self.mode == "json":
            message = format_progress(counts, rate, elapsed, self.site)
            self.stream.write(
                json_record(
                    "INFO",
                    PROGRESS_LOGGER,
                    message,
                    event="progress",
                    site=self.site,
                    rate=round(rate, 2),
                    elapsed=round(elapsed, 1),
                    **counts,
                )
                + "\n"
            )
        else:
            self.log(format_progress(counts, rate, elapsed, self.site))
        self.stream.flush()

    def log(self, message: str) -> None:
        """A plain progress line: through logging when its handlers take INFO records (so it
        lands in ``scrapy crawl``'s or a Scrapyd job's log file), else straight to stderr
        (``vngov crawl`` logs only warnings but still shows progress)."""
        handlers = logging.getLogger().handlers
        if handlers and all(h.level <= logging.INFO for h in handlers):
            logging.getLogger(PROGRESS_LOGGER).info(message)
        else:
            self.stream.write(log_line(message) + "\n")

    def clear(self) -> None:
        """Wipe the live line (before a log record is printed in its place)."""
        if self.shown:
            self.stream.write(CLEAR_LINE)
            self.stream.flush()
            self.shown = False
