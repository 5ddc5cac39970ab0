"""Re-extract archived versions from their WARC captures with the current parsers.

Parsers improve; the archive keeps the bytes. ``vngov reparse`` reads each version's captured
response back from its WARC record, parses it again, and reports which fields would change.
Nothing is written unless asked (``--apply``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from archive.history import diff_records
from archive.storage import Archive
from crawler.parsers.article import PARSER_VERSION, parse_article
from crawler.warc import read_capture, resolve_revisit


@dataclass
class ReparseResult:
    """The outcome for one stored version."""

    article_id: int
    version: int
    url: str
    changes: list[dict[str, Any]] = field(default_factory=list)
    body_changed: bool = False
    error: str | None = None
    record: dict[str, Any] | None = None


def _capture_body(warc_dir: Path, row: dict[str, Any]) -> tuple[bytes, str | None]:
    filename, offset = row["warc_filename"], row["warc_offset"]
    _, headers, body = read_capture(warc_dir, filename, offset)
    if not body and row.get("payload_digest"):  # a revisit: the bytes are in an earlier record
        original = resolve_revisit(warc_dir, row["final_url"], row["payload_digest"])
        if original:
            _, headers, body = read_capture(warc_dir, *original)
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), None)
    return body, content_type


def reparse_versions(
    archive: Archive, warc_dir: str | Path, *, site: str | None = None
) -> Iterator[ReparseResult]:
    """Parse every captured version again; yield what changed (nothing is written)."""
    warc_dir = Path(warc_dir)
    where = "where a.site = :site" if site else ""
    rows = archive.db.query(
        f"""
        select v.*, a.url as article_url from article_versions v
        join articles a on a.id = v.article_id {where}
        order by v.article_id, v.version
        """,
        {"site": site},
    )
    for row in rows:
        result = ReparseResult(row["article_id"], row["version"], row["article_url"])
        if not row.get("warc_filename"):
            result.error = "no WARC capture recorded for this version"
            yield result
            continue
        try:
            body, content_type = _capture_body(warc_dir, row)
        except (OSError, StopIteration, ValueError) as error:
            result.error = (
                f"cannot read capture {row['warc_filename']}@{row['warc_offset']}: {error}"
            )
            yield result
            continue
        old = json.loads(row["record"])
        new = parse_article(
            body,
            old.get("url") or row["article_url"],
            content_type=content_type,
            fetched_at=datetime.fromisoformat(row["captured_at"]),
        ).to_dict()
        new["extraction"]["parser_version"] = PARSER_VERSION
        changes, body_diff = diff_records(old, new)
        result.changes = changes
        result.body_changed = bool(body_diff)
        result.record = new
        yield result
