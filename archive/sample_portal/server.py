"""Serve the sample portal over HTTP on loopback, for the demo and the end-to-end tests."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from archive.sample_portal.render import (
    LISTING_PREFIX,
    ROBOTS_TXT,
    SamplePortal,
    render_article,
    render_document,
    render_home,
    render_listing,
    render_static,
)

STATIC_PAGES = {
    "/wps/portal/Home/gioi-thieu": (
        "Giới thiệu",
        "Sở Nội vụ là cơ quan chuyên môn thuộc Ủy ban nhân dân tỉnh An Giang.",
    ),
    "/wps/portal/Home/thu-tuc-hanh-chinh": (
        "Thủ tục hành chính",
        "Danh mục thủ tục hành chính thuộc thẩm quyền giải quyết của Sở Nội vụ.",
    ),
}


def route(portal: SamplePortal, raw_path: str) -> tuple[int, str, str | bytes]:
    """``(status, content_type, body)`` for a request path."""
    parts = urlsplit(raw_path)
    path = parts.path.split("/!ut/")[0].rstrip("/") or "/"
    if path == "/robots.txt":
        return 200, "text/plain; charset=utf-8", ROBOTS_TXT
    if path in ("/", portal.site["home_path"]):
        return 200, "text/html; charset=utf-8", render_home(portal)
    if path in portal.by_path:
        return 200, "text/html; charset=utf-8", render_article(portal, portal.by_path[path])
    if path in portal.attachments:
        return 200, *render_document(portal.attachments[path])
    if path in STATIC_PAGES:
        return 200, "text/html; charset=utf-8", render_static(portal, *STATIC_PAGES[path])
    for category in portal.site["categories"]:
        if path == f"{LISTING_PREFIX}/{portal.category_slug(category)}":
            try:
                page = int(parse_qs(parts.query).get("page", ["1"])[0])
            except ValueError:
                page = 0
            html = render_listing(portal, category, page)
            if html is not None:
                return 200, "text/html; charset=utf-8", html
    return (
        404,
        "text/html; charset=utf-8",
        "<html><body><h1>Không tìm thấy trang</h1></body></html>",
    )


class PortalServer(ThreadingHTTPServer):
    """A threaded HTTP server for the sample portal that records every request it gets."""

    daemon_threads = True
    # socketserver's default backlog of 5 drops connections a fast crawler opens in a burst; a
    # dropped SYN is retried after 1 s, which made benchmarks measure the backlog, not the crawl.
    request_queue_size = 128

    def __init__(
        self,
        portal: SamplePortal | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        delay: float = 0.0,
    ):
        self.portal = portal or SamplePortal()
        self.delay = delay  # seconds to wait before each answer, to make crawls slow on purpose
        # path -> status (404/410), or (status, heading), for pages taken down or failing
        self.gone: dict[str, int | tuple[int, str]] = {}
        # path -> where a 301 sends it, or (status, location) for another redirect
        self.moved: dict[str, str | tuple[int, str]] = {}
        self.requests: list[tuple[str, str, str]] = []  # (method, path, user agent)
        super().__init__((host, port), _Handler)

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def answer(self, path: str) -> tuple[int, str, str | bytes]:
        """``(status, content_type, body)`` for a request path (see :func:`route`)."""
        return route(self.portal, path)

    def start(self) -> PortalServer:
        """Serve in a background thread; returns self so it can be chained."""
        threading.Thread(target=self.serve_forever, name="sample-portal", daemon=True).start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    server: PortalServer

    def do_GET(self) -> None:
        self.server.requests.append(("GET", self.path, self.headers.get("User-Agent", "")))
        if self.server.delay:
            time.sleep(self.server.delay)
        if moved := self.server.moved.get(self.path.split("/!ut/")[0]):
            status, location = moved if isinstance(moved, tuple) else (301, moved)
            self.send_response(status)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        gone = self.server.gone.get(self.path.split("/!ut/")[0])
        if gone:
            status, heading = gone if isinstance(gone, tuple) else (gone, "Không tìm thấy")
            status, content_type, body = status, "text/html; charset=utf-8", f"<h1>{heading}</h1>"
        else:
            status, content_type, body = self.server.answer(self.path)
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass
