"""A portal that fails in every way a fragile government server does, served on loopback.

The home page links one listing (two pages, the second suddenly empty) whose articles each
misbehave in one way: 500, 503 with Retry-After then fine, 429 then fine, a timeout, a dropped
connection, a truncated body, a redirect loop, a 20 MB page, a gzip bomb, a wrong, a missing
and a legacy charset, a 200 "Không tìm thấy" status page and a CAPTCHA page. Three articles
are plainly good, and one old address redirects to one of them.
"""

# ruff: noqa: E501 (HTML templates read better unwrapped)

from __future__ import annotations

import contextlib
import gzip
import socket
import threading
import time
import unicodedata
from functools import cache
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LISTING = "/tin-tuc"
SLOW_SECONDS = 5.0
RETRY_AFTER_SECONDS = 1
HUGE_BYTES = 20 * 1024 * 1024 + 4096  # just over the crawler's 20 MiB DOWNLOAD_MAXSIZE

GOOD = {
    "tin-tot-1": "Khai mạc kỳ họp thứ mười Hội đồng nhân dân tỉnh",
    "tin-tot-2": "Tiếp công dân định kỳ tháng Bảy",
    "tin-tot-3": "Hướng dẫn nộp hồ sơ trực tuyến mức độ toàn trình",
    "tam-ngung-503": "Thông báo lịch tiếp nhận hồ sơ sau khi hệ thống bảo trì",
    "qua-tai-429": "Danh sách thí sinh đủ điều kiện dự tuyển",
    "sai-bang-ma": "Quyết định công nhận xã đạt chuẩn nông thôn mới",
    "khong-khai-bao": "Kế hoạch phòng, chống dịch bệnh mùa mưa",
    "bang-ma-cu": "Thông báo nghỉ lễ Quốc khánh 2 tháng 9",
}
FAULTS = {
    "loi-500": "http_500",
    "cham": "timeout",
    "dut-ket-noi": "connection_lost",
    "cat-cut": "truncated",
    "vong-lap-a": "redirect_loop",
    "rat-lon": "too_large",
    "bom-gzip": "too_large",
    "trang-thai": "error_page",
    "xac-minh": "captcha",
}
# How the listing names the failing pages: headlines like any other.
FAULT_TITLES = {
    "loi-500": "Báo cáo tình hình kinh tế - xã hội tháng Sáu",
    "cham": "Kết quả giải quyết thủ tục hành chính quý II",
    "dut-ket-noi": "Thông báo kết luận của Chủ tịch UBND tỉnh",
    "cat-cut": "Chỉ thị về tăng cường công tác phòng cháy",
    "vong-lap-a": "Lịch công tác tuần của lãnh đạo tỉnh",
    "rat-lon": "Danh mục dự án kêu gọi đầu tư năm 2025",
    "bom-gzip": "Quy hoạch sử dụng đất đến năm 2030",
    "trang-thai": "Thông báo thu hồi đất thực hiện dự án",
    "xac-minh": "Công khai ngân sách nhà nước năm 2025",
}
# An article moved to the address of one listed already: a 301 from the old address.
MOVED = {"da-chuyen": "tin-tot-1"}
MOVED_TITLES = {"da-chuyen": "Khai mạc kỳ họp Hội đồng nhân dân tỉnh (đường dẫn cũ)"}
ROBOTS = "User-agent: *\nDisallow: /quan-tri\n"


def article_html(title: str, charset_meta: str = '<meta charset="utf-8">') -> str:
    return f"""<!DOCTYPE html><html lang="vi"><head>{charset_meta}<title>{escape(title)}</title></head>
<body><div class="main"><h1>{escape(title)}</h1><p class="date">Ngày đăng: 15/07/2025</p>
<div class="content"><p>{escape(title)}. Ủy ban nhân dân tỉnh đề nghị các sở, ban, ngành và địa phương
nghiêm túc triển khai thực hiện, báo cáo kết quả trước ngày 30/7/2025.</p>
<p>Mọi vướng mắc phát sinh, đề nghị liên hệ Văn phòng Ủy ban nhân dân tỉnh để được hướng dẫn.</p>
</div></div></body></html>"""


STATUS_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Trạng thái - Cổng thông tin</title></head>
<body><section id="portlet_status"><h1 class="portlet-title">Trạng thái</h1>
<h3 class="alert alert-error">Không tìm thấy</h3>Tài nguyên không được tìm thấy.</section></body></html>"""
CAPTCHA_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Xác minh truy cập</title></head>
<body><form method="post" action="/xac-minh"><p>Vui lòng nhập mã xác nhận để tiếp tục.</p>
<img src="/captcha.jpg"><input name="txtCaptcha"><button>Gửi</button></form></body></html>"""


_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")


def to_cp1258(text: str) -> bytes:
    """Text in Windows-1258, which has letters with hats and horns but writes tones as
    combining marks after them."""
    out = []
    for char in text:
        parts = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
        out.append(base + "".join(c for c in parts if c in _TONES))
    return "".join(out).encode("cp1258")


@cache
def gzip_bomb() -> bytes:
    """About 64 KB that inflate to 64 MiB."""
    return gzip.compress(b"<p>" + b"0" * (64 * 1024 * 1024) + b"</p>", compresslevel=9)


def _page(title: str, body: str) -> str:
    return f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>{title}</title></head><body>{body}</body></html>'


class FaultServer(ThreadingHTTPServer):
    """The failing portal; ``hits`` records (monotonic time, path) of every request."""

    daemon_threads = True

    def __init__(self) -> None:
        self.hits: list[tuple[float, str]] = []
        self.counts: dict[str, int] = {}
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FaultServer:
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    def times(self, path: str) -> list[float]:
        return [t for t, p in self.hits if p == path]

    def registry_entry(self) -> str:
        return f"""[[site]]
id = "faults"
name = "Cổng thông tin thử lỗi"
platform = "generic"
base_url = "{self.base_url}"
start_paths = ["/"]
listing_pattern = '^/tin-tuc/?(?:\\?page=\\d+)?$'
article_pattern = '^/tin-tuc/[a-z0-9-]+$'
"""


class _Handler(BaseHTTPRequestHandler):
    server: FaultServer
    protocol_version = "HTTP/1.1"

    def _send(
        self,
        status: int,
        body: bytes | str,
        content_type: str = "text/html; charset=utf-8",
        **headers: str,
    ) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        with self.server.lock:
            self.server.hits.append((time.monotonic(), self.path))
            count = self.server.counts[self.path] = self.server.counts.get(self.path, 0) + 1
        # The crawler hangs up on purpose on some pages (too large, too slow).
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._answer(self.path, count)

    def _answer(self, path: str, count: int) -> None:
        if path == "/robots.txt":
            return self._send(200, ROBOTS, "text/plain; charset=utf-8")
        if path == "/":
            return self._send(200, _page("Trang chủ", f'<a href="{LISTING}">Tin tức</a>'))
        if path == LISTING:
            links = "".join(
                f'<li><a href="{LISTING}/{slug}">{escape(GOOD.get(slug) or FAULT_TITLES.get(slug) or MOVED_TITLES[slug])}</a></li>'
                for slug in [*GOOD, *FAULTS, *MOVED]
            )
            pager = f'<ul class="pagination"><li class="active">1</li><li><a href="{LISTING}?page=2">2</a></li></ul>'
            return self._send(200, _page("Tin tức", f"<ul class='list'>{links}</ul>{pager}"))
        if path == f"{LISTING}?page=2":  # the second page suddenly lists nothing
            return self._send(200, _page("Tin tức", "<ul class='list'></ul>"))
        slug = path.removeprefix(f"{LISTING}/")
        if slug in ("tin-tot-1", "tin-tot-2", "tin-tot-3"):
            return self._send(200, article_html(GOOD[slug]))
        if slug == "tam-ngung-503" and count == 1:
            return self._send(
                503, _page("Bảo trì", "Hệ thống đang bảo trì"), Retry_After=str(RETRY_AFTER_SECONDS)
            )
        if slug == "qua-tai-429" and count == 1:
            return self._send(429, _page("Quá tải", "Quá nhiều yêu cầu"))
        if slug in ("tam-ngung-503", "qua-tai-429"):
            return self._send(200, article_html(GOOD[slug]))
        if slug == "sai-bang-ma":  # UTF-8 served as ISO-8859-1
            return self._send(200, article_html(GOOD[slug], ""), "text/html; charset=iso-8859-1")
        if slug == "khong-khai-bao":  # no charset anywhere
            return self._send(200, article_html(GOOD[slug], ""), "text/html")
        if slug == "bang-ma-cu":  # the Vietnamese Windows code page, declared in a meta tag
            html = article_html(
                GOOD[slug],
                '<meta http-equiv="Content-Type" content="text/html; charset=windows-1258">',
            )
            return self._send(200, to_cp1258(html), "text/html")
        if slug == "loi-500":
            return self._send(500, _page("Lỗi", "Internal Server Error"))
        if slug == "cham":
            time.sleep(SLOW_SECONDS)
            return self._send(200, article_html("Trang chậm"))
        if slug == "dut-ket-noi":
            self.connection.shutdown(socket.SHUT_RDWR)
            return None
        if slug == "cat-cut":
            data = article_html("Trang bị cắt").encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data) + 5000))
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            return None
        if slug in MOVED:
            self.send_response(301)
            self.send_header("Location", f"{LISTING}/{MOVED[slug]}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if slug in ("vong-lap-a", "vong-lap-b"):
            target = "vong-lap-b" if slug == "vong-lap-a" else "vong-lap-a"
            self.send_response(302)
            self.send_header("Location", f"{LISTING}/{target}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if slug == "rat-lon":
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(HUGE_BYTES))
            self.end_headers()
            chunk = b"<p>" + b"x" * 65530 + b"</p>"
            for _ in range(HUGE_BYTES // len(chunk)):
                self.wfile.write(chunk)
            return None
        if slug == "bom-gzip":
            return self._send(200, gzip_bomb(), "text/html; charset=utf-8", Content_Encoding="gzip")
        if slug == "trang-thai":
            return self._send(200, STATUS_PAGE)
        if slug == "xac-minh":
            return self._send(200, CAPTCHA_PAGE)
        return self._send(404, _page("Không tìm thấy", "Không tìm thấy trang"))

    def log_message(self, format: str, *args: object) -> None:
        pass
