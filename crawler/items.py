"""Items the crawler yields: what a page said, and how and when it was fetched.

Every item carries its fetch provenance; ``capture`` points into the WARC file the response was
written to (see ``crawler.middlewares.WarcCaptureMiddleware``), when capture is on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Capture:
    """Where a response sits in the WARC archive."""

    warc_filename: str
    warc_offset: int
    warc_length: int
    payload_digest: str  # "sha1:BASE32", as in the WARC-Payload-Digest header
    record_type: str = "response"  # or "revisit" when the payload was already archived


@dataclass
class ArticleItem:
    """An article page: the parser's record plus fetch provenance."""

    site: str
    url: str  # the URL requested (canonical form)
    http_status: int
    fetched_at: str  # UTC, ISO 8601
    record: dict[str, Any] = field(default_factory=dict)
    final_url: str | None = None  # after redirects
    etag: str | None = None
    last_modified: str | None = None
    capture: Capture | None = None


@dataclass
class PageGoneItem:
    """An article URL that answered 404 or 410: marked removed if it was archived before."""

    site: str
    url: str
    http_status: int
    fetched_at: str


@dataclass
class NotModifiedItem:
    """A conditional revisit answered 304: the archived version still stands."""

    site: str
    url: str
    fetched_at: str


@dataclass
class AttachmentItem:
    """A document (PDF, DOC, DOCX, XLS...) linked from an article, fetched and hashed."""

    site: str
    article_url: str
    url: str
    text: str
    http_status: int
    fetched_at: str
    sha256: str | None = None
    size: int | None = None
    content_type: str | None = None
    truncated: bool = False
    final_url: str | None = None  # where its redirects ended, when the link redirected
    capture: Capture | None = None
