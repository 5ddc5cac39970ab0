"""Items the crawler yields: a parsed page together with how and when it was fetched."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ArticleItem:
    """An article page: the parser's record plus fetch provenance."""

    site: str
    url: str
    http_status: int
    fetched_at: str  # UTC, ISO 8601
    record: dict[str, Any] = field(default_factory=dict)
