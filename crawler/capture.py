"""Scrapy glue for WARC capture: a downloader middleware that writes every exchange.

It sits at order 800, below the redirect (600) and decompression (590) middlewares on the
way back from the downloader, so it sees every response, redirects included, with the body as
transferred (still gzip-encoded when the server sent it so).
"""

from __future__ import annotations

import asyncio
import functools
from concurrent.futures import ThreadPoolExecutor
from http import HTTPStatus
from pathlib import Path

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from crawler.items import ArticleItem, AttachmentItem
from crawler.warc import WarcArchive, default_warc_dir

CAPTURE_META_KEY = "vngov_capture"


@functools.cache
def warc_writer() -> ThreadPoolExecutor:
    """The process's one thread for writing WARC records, in the order responses arrive.

    Compressing a page costs about a millisecond with the GIL released; on the crawl's event
    loop thread that millisecond delayed every other download, here it overlaps with them.
    """
    return ThreadPoolExecutor(1, thread_name_prefix="vngov-warc-writer")


def _headers(headers) -> list[tuple[str, str]]:
    return [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, values in headers.items()
        for value in values
    ]


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


class WarcCaptureMiddleware:
    """Write each request/response pair to the archive's WARC files.

    Settings: ``VNGOV_WARC`` (default True), ``VNGOV_WARC_DIR`` (default beside the database),
    ``VNGOV_WARC_MAX_SIZE`` (bytes per file before rolling over).
    """

    def __init__(self, archive: WarcArchive):
        self.archive = archive

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcCaptureMiddleware:
        settings = crawler.settings
        if not settings.getbool("VNGOV_WARC", True):
            raise NotConfigured("WARC capture is off (VNGOV_WARC=False)")
        directory = settings.get("VNGOV_WARC_DIR") or default_warc_dir(settings.get("VNGOV_DB"))
        site = getattr(getattr(crawler, "spider", None), "site", None)
        archive = WarcArchive(
            Path(directory),
            prefix=settings.get("BOT_NAME", "vngov"),
            max_size=settings.getint("VNGOV_WARC_MAX_SIZE", 100 * 1024 * 1024),
            software=settings.get("USER_AGENT", "vngov-archive"),
            hosts=site.allowed_hosts if site is not None else None,
        )
        middleware = cls(archive)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    async def process_response(self, request: Request, response: Response) -> Response:
        write = functools.partial(
            self.archive.write_exchange,
            response.url,
            method=request.method,
            request_headers=_headers(request.headers),
            status=response.status,
            reason=_reason(response.status),
            response_headers=_headers(response.headers),
            body=response.body,
            protocol=response.protocol or "HTTP/1.1",
        )
        request.meta[CAPTURE_META_KEY] = await asyncio.wrap_future(warc_writer().submit(write))
        return response

    def spider_closed(self) -> None:
        warc_writer().submit(self.archive.close).result()


class CaptureProvenanceMiddleware:
    """Spider middleware: stamp items with the capture and final URL of their response.

    The spider only parses; where its response sits in the WARC files and what validators the
    server sent are facts of the fetch, attached here so every item carries them.
    """

    def _stamp(self, response: Response, item: object) -> object:
        if isinstance(item, ArticleItem | AttachmentItem) and item.capture is None:
            item.capture = response.meta.get(CAPTURE_META_KEY)
        if isinstance(item, ArticleItem):
            item.final_url = item.final_url or response.url
            headers = response.headers
            item.etag = item.etag or _header(headers, b"ETag")
            item.last_modified = item.last_modified or _header(headers, b"Last-Modified")
        return item

    def process_spider_output(self, response: Response, result):
        for item in result:
            yield self._stamp(response, item)

    async def process_spider_output_async(self, response: Response, result):
        async for item in result:
            yield self._stamp(response, item)


def _header(headers, name: bytes) -> str | None:
    value = headers.get(name)
    return value.decode("latin-1") if value else None
