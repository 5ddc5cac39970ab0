"""Scrapy settings for the vngov-archive crawler.

Government servers are small and fragile, so every default leans towards politeness. A run
may relax delays only for loopback hosts (the demo and the tests); the spider refuses to crawl
anything else with them relaxed (see ``crawler.politeness``).
"""

from __future__ import annotations

BOT_NAME = "vngov"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"


def user_agent(contact_url: str) -> str:
    """An honest User-Agent that says who we are and where to complain."""
    return (
        f"vngov-archive/0.1 (+{contact_url}; "
        "archives public announcements of Vietnamese government portals)"
    )


# Where site operators can reach whoever runs the crawl; `--set VNGOV_CONTACT_URL=...` (or
# `-s` with scrapy) puts another one in the User-Agent.
VNGOV_CONTACT_URL = "https://github.com/vngov-archive/vngov-archive"
USER_AGENT = user_agent(VNGOV_CONTACT_URL)
ROBOTSTXT_OBEY = True  # default False in a bare Scrapy project

CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 1  # default 8: one request at a time per host
# Scrapy starts this many tasks for every response's output; a page yields one item, and the
# archive's writer process stores items one at a time anyway, so more than one buys nothing,
# and 100 (the default) cost ~1 ms a page in task churn.
CONCURRENT_ITEMS = 1
# Processes parsing article and listing pages beside the crawl (crawler/workers.py);
# None: one when there is a second core.
VNGOV_PARSE_WORKERS = None
# Seconds a parser worker may spend on one page before it is killed and the page recorded
# as a parse_timeout (0: no limit; without workers pages are parsed in the crawl, unlimited).
VNGOV_PARSE_TIMEOUT = 120
DOWNLOAD_DELAY = 2.0  # default 0: at least 2 s between requests to one host
DOWNLOAD_DELAY_JITTER = 0.5  # ±50% so requests do not arrive like a metronome
AUTOTHROTTLE_ENABLED = True  # default False: back off further when a server slows down
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

DOWNLOAD_TIMEOUT = 60  # default 180: a page that takes a minute is a failure worth recording
DOWNLOAD_MAXSIZE = 20 * 1024 * 1024  # default 1 GiB: no article page is larger than 20 MiB
DOWNLOAD_WARNSIZE = 5 * 1024 * 1024
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
COOKIES_ENABLED = False  # portals set session cookies we neither need nor want to replay
# Scrapy's filter, except that a redirect to a URL requested already is followed, not dropped.
DUPEFILTER_CLASS = "crawler.dupefilter.RedirectTargetDupeFilter"
TELNETCONSOLE_ENABLED = False

# Order: validate (drop pages that are not articles), then store.
ITEM_PIPELINES = {
    "crawler.pipelines.ValidateArticlePipeline": 200,
    "crawler.pipelines.ArchivePipeline": 800,
}
DOWNLOADER_MIDDLEWARES = {
    # Above RedirectMiddleware (600): sees a 3xx first, stops redirects back into the chain.
    "crawler.middlewares.RedirectLoopMiddleware": 610,
    # Below decompression (590): reads the decoded page; 200 error/CAPTCHA pages fail here.
    "crawler.middlewares.ErrorPageMiddleware": 580,
    # Above RetryMiddleware (550): holds the host's slot on 429/503 before the retry queues.
    "crawler.middlewares.BackoffMiddleware": 560,
    # Below redirects (600) and decompression (590): every exchange, bodies as transferred.
    "crawler.capture.WarcCaptureMiddleware": 800,
}
SPIDER_MIDDLEWARES = {
    "crawler.capture.CaptureProvenanceMiddleware": 950,
}
EXTENSIONS = {
    "crawler.extensions.CrawlRunRecorder": 500,
    "crawler.extensions.QuietTracebacks": 100,
    # Progress on stderr (live line, log lines or JSON) and the undated-article count.
    "crawler.progress.ProgressReporter": 510,
}

# Where the archive lives; `vngov crawl --db` sets it. WARC files go beside it
# (<db stem>-warc/) unless VNGOV_WARC_DIR says otherwise.
VNGOV_DB = "archive.db"
# The user registry (sites added with `vngov sites add`); default: sites.local.toml beside it.
VNGOV_REGISTRY = ""
# Incremental crawls stop walking a listing after this many archived articles in a row.
VNGOV_STOP_AFTER_KNOWN = 10
# Archived articles are fetched again (conditionally) this many days after first seen.
VNGOV_REVISIT_DAYS = [1, 7, 30]
# Attachments (PDF, DOC(X), XLS(X)) larger than this are recorded as truncated, not hashed.
VNGOV_ATTACHMENT_MAXSIZE = 20 * 1024 * 1024
# After a 429/503 without Retry-After, hold the host for BASE × 2^(n-1) s, at most MAX s
# (a Retry-After is honoured up to MAX as well).
VNGOV_BACKOFF_BASE = 10.0
VNGOV_BACKOFF_MAX = 600.0
VNGOV_TRACEBACKS = False  # True logs full tracebacks instead of one line per failure
VNGOV_PROGRESS = "auto"  # live line on a terminal, else log lines; or live, log, json, off
VNGOV_PROGRESS_INTERVAL = 0  # seconds between reports; 0: 0.5 s live, 60 s otherwise
VNGOV_LOG_JSON = False  # True: every log record as one JSON object per line
VNGOV_WARC = True
VNGOV_WARC_DIR = ""
VNGOV_WARC_MAX_SIZE = 100 * 1024 * 1024

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
