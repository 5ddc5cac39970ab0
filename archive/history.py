"""What the archive says an article said, version by version: look-ups, diffs and citations."""

from __future__ import annotations

import difflib
import json
from datetime import datetime
from typing import Any

import sqlite_utils

from archive.storage import CONTENT_FIELDS, JSON_COLUMNS, PROVENANCE_COLUMNS, RECORD_COLUMNS
from crawler.parsers.dates import VN_TZ
from crawler.urls import canonicalize_url


class ArticleNotFound(LookupError):
    """No archived article has that id or URL."""


def find_article(db: sqlite_utils.Database, ref: str) -> dict[str, Any]:
    """The current row of an article given its id or any of its URLs."""
    if ref.isdigit():
        rows = list(db.query("select * from articles where id = ?", [int(ref)]))
    else:
        rows = list(
            db.query(
                "select * from articles where url_key = :key or url = :url or final_url = :url",
                {"key": canonicalize_url(ref), "url": ref},
            )
        )
    if not rows:
        raise ArticleNotFound(f"no archived article with id or URL {ref!r}")
    return rows[0]


def versions(db: sqlite_utils.Database, article_id: int) -> list[dict[str, Any]]:
    """Every stored version of an article, oldest first, with its record decoded."""
    rows = db.query(
        "select * from article_versions where article_id = ? order by version", [article_id]
    )
    return [{**row, "record": json.loads(row["record"])} for row in rows]


def version_summary(version: dict[str, Any]) -> dict[str, Any]:
    """One line of ``vngov history``."""
    record = version["record"]
    return {
        "version": version["version"],
        "captured_at": version["captured_at"],
        "http_status": version["http_status"],
        "title": record.get("title"),
        "published_at": record.get("published_at"),
        "content_hash": version["content_hash"][:12],
        "payload_digest": version.get("payload_digest"),
        "warc": f"{version['warc_filename']}@{version['warc_offset']}"
        if version.get("warc_filename")
        else None,
        "parser_version": version.get("parser_version"),
    }


def diff_records(old: dict[str, Any], new: dict[str, Any]) -> tuple[list[dict[str, Any]], str]:
    """Field changes between two records, and a unified diff of their bodies."""
    changes = [
        {"field": name, "old": old.get(name), "new": new.get(name)}
        for name in CONTENT_FIELDS
        if name != "body" and old.get(name) != new.get(name)
    ]
    body_diff = "".join(
        difflib.unified_diff(
            (old.get("body") or "").splitlines(keepends=True),
            (new.get("body") or "").splitlines(keepends=True),
            fromfile="body (old)",
            tofile="body (new)",
        )
    )
    return changes, body_diff


def _date_vn(iso: str | None) -> str:
    if not iso:
        return "không rõ ngày"
    return datetime.fromisoformat(iso).astimezone(VN_TZ).strftime("%d/%m/%Y")


def citations(article: dict[str, Any], site_name: str | None) -> dict[str, str]:
    """Citation lines, in Vietnamese and English, ready to paste into a report."""
    source = site_name or article["site"]
    title = article.get("title") or "(không tiêu đề)"
    archived_local = article.get("fetched_at_local") or article.get("changed_at")
    digest = article.get("payload_digest") or article["content_hash"][:16]
    published_en = (article.get("published_at") or "date unknown")[:10]
    return {
        "vi": (
            f'{source}. "{title}". Đăng ngày {_date_vn(article.get("published_at"))}. '
            f"{article['url']}. Lưu trữ bởi vngov-archive lúc {archived_local} "
            f"(phiên bản {article['version']}, mã băm {digest})."
        ),
        "en": (
            f'{source}. "{title}". Published {published_en}. {article["url"]}. '
            f"Archived by vngov-archive at {article.get('fetched_at') or article['changed_at']} "
            f"(version {article['version']}, digest {digest})."
        ),
    }


def show_record(db: sqlite_utils.Database, ref: str) -> dict[str, Any]:
    """An article with its provenance and citations, for ``vngov show``."""
    article = find_article(db, ref)
    site = next(db.query("select name from sites where id = ?", [article["site"]]), None)
    provenance_fields = (
        *PROVENANCE_COLUMNS,
        "http_status",
        "province",
        "province_now",
        "status",
        "removed_at",
        "first_seen",
        "changed_at",
        "version",
    )
    record = {k: article[k] for k in RECORD_COLUMNS}
    for name in JSON_COLUMNS:
        record[name] = json.loads(article[name] or "[]")
    return {
        **record,
        "provenance": {k: article.get(k) for k in provenance_fields},
        "citation": citations(article, site["name"] if site else None),
    }
