"""Scrapy settings for the vngov-archive crawler.

Government servers are small and fragile, so every default leans towards politeness. A run
may relax delays only for loopback hosts (the demo and the tests); the spider refuses to crawl
anything else with them relaxed (see ``crawler.politeness``).
"""

from __future__ import annotations

BOT_NAME = "vngov"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# An honest User-Agent that says who we are and where to complain.
USER_AGENT = (
    "vngov-archive/0.1 (+https://github.com/vngov-archive/vngov-archive; "
    "archives public announcements of Vietnamese government portals)"
)
ROBOTSTXT_OBEY = True  # default False in a bare Scrapy project

CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 1  # default 8: one request at a time per host
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
TELNETCONSOLE_ENABLED = False

# Order: validate (drop pages that are not articles), then store.
ITEM_PIPELINES = {
    "crawler.pipelines.ValidateArticlePipeline": 200,
    "crawler.pipelines.ArchivePipeline": 800,
}
DOWNLOADER_MIDDLEWARES = {
    # Below redirects (600) and decompression (590): every exchange, bodies as transferred.
    "crawler.capture.WarcCaptureMiddleware": 800,
}
SPIDER_MIDDLEWARES = {
    "crawler.capture.CaptureProvenanceMiddleware": 950,
}
EXTENSIONS = {
    "crawler.extensions.CrawlRunRecorder": 500,
    "crawler.extensions.QuietTracebacks": 100,
}

# Where the archive lives; `vngov crawl --db` sets it. WARC files go beside it
# (<db stem>-warc/) unless VNGOV_WARC_DIR says otherwise.
VNGOV_DB = "archive.db"
VNGOV_TRACEBACKS = False  # True logs full tracebacks instead of one line per failure
VNGOV_WARC = True
VNGOV_WARC_DIR = ""
VNGOV_WARC_MAX_SIZE = 100 * 1024 * 1024

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
