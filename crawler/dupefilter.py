"""Scrapy's duplicate filter, except that a redirect's target is never dropped.

Scrapy filters the request a redirect makes like any other: when an article's old address
redirects to one crawled already (an article moved, a page folded into another), the
redirected request is a duplicate and is dropped at DEBUG level, so the address the spider
asked for ends nowhere: no record, no failure. Letting the target through costs one request
and makes the chain end in the spider, which accounts for the address it asked for.

Only article and attachment requests get through (two linked documents may end at one
file): a listing page past the end that redirects to the first page must still be dropped,
or the walk would follow its own pagination template forever.
"""

from __future__ import annotations

import logging

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.dupefilters import RFPDupeFilter

from crawler.middlewares import KIND_META

logger = logging.getLogger(__name__)


class RedirectTargetDupeFilter(RFPDupeFilter):
    """:class:`RFPDupeFilter` that lets an article's or an attachment's redirect through to a
    URL it has seen."""

    stats = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedirectTargetDupeFilter:
        dupefilter = super().from_crawler(crawler)
        dupefilter.stats = crawler.stats
        return dupefilter

    def request_seen(self, request: Request) -> bool:
        seen = super().request_seen(request)
        chain = request.meta.get("redirect_urls")
        if seen and chain and request.meta.get(KIND_META) in ("article", "attachment"):
            logger.info(
                "%s redirects to %s, requested already: fetching it again", chain[0], request.url
            )
            if self.stats is not None:
                self.stats.inc_value("vngov/redirects_to_seen")
            return False
        return seen
