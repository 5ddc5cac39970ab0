"""What every sample portal shares: its articles, a loopback server, conditional GETs.

A platform module subclasses :class:`Portal` and renders pages in that platform's layout and
URL scheme (see the registry entry it stands in for). The server records every request, so
tests can count what a crawl fetched, and answers ``If-None-Match``/``If-Modified-Since``
with 304 when an article did not change.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from crawler.parsers.dates import VN_TZ

TITLES = [
    "Triển khai kế hoạch cải cách hành chính năm 2025",
    "Hội nghị sơ kết công tác chuyển đổi số sáu tháng đầu năm",
    "Thông báo tuyển dụng viên chức làm việc tại các đơn vị sự nghiệp",
    "Lấy ý kiến nhân dân về dự thảo đề án sắp xếp đơn vị hành chính",
    "Tập huấn nghiệp vụ tiếp nhận hồ sơ trên Cổng Dịch vụ công",
    "Kiểm tra công tác phòng, chống thiên tai và tìm kiếm cứu nạn",
    "Ra mắt mô hình dân vận khéo trong xây dựng nông thôn mới",
    "Công bố danh mục thủ tục hành chính được chuẩn hóa",
    "Phát động phong trào thi đua yêu nước giai đoạn 2025 - 2030",
    "Tổng kết công tác thanh tra, giải quyết khiếu nại, tố cáo",
]
SENTENCES = [
    "Theo kế hoạch, các cơ quan, đơn vị khẩn trương rà soát, bố trí nhân lực và kinh phí để "
    "triển khai đúng tiến độ, bảo đảm chất lượng và hiệu quả.",
    "Đại diện lãnh đạo Sở cho biết, trong thời gian qua toàn ngành đã tiếp nhận và giải quyết "
    "đúng hạn 98,6% hồ sơ, không để xảy ra tình trạng tồn đọng kéo dài.",
    "Các địa phương được yêu cầu niêm yết công khai địa chỉ, số điện thoại đường dây nóng và "
    "hướng dẫn người dân thực hiện thủ tục trực tuyến.",
    "Hội nghị cũng đã thảo luận, chỉ ra những khó khăn, vướng mắc và đề xuất giải pháp tháo "
    "gỡ trong thời gian tới.",
    "Kết thúc chương trình, Ban Tổ chức đã trao giấy khen cho các tập thể, cá nhân có thành "
    "tích xuất sắc trong thực hiện nhiệm vụ.",
    "Mọi ý kiến đóng góp xin gửi về Văn phòng Sở trước ngày 30 của tháng để tổng hợp, báo "
    "cáo Ủy ban nhân dân tỉnh.",
]
AUTHORS = ["Minh Tâm", "Ngọc Hân", "Thanh Phong", "Bảo Trân"]
FIRST_DATE = datetime(2025, 6, 20, 8, 30, tzinfo=VN_TZ)
OPENXML = "application/vnd.openxmlformats-officedocument"
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": f"{OPENXML}.wordprocessingml.document",
    "xlsx": f"{OPENXML}.spreadsheetml.sheet",
}


@dataclass
class Attachment:
    """A document linked from an article, with the bytes the server sends for it."""

    name: str
    text: str
    data: bytes


@dataclass
class Article:
    """One article of a sample portal."""

    number: int
    title: str
    published: datetime
    paragraphs: list[str]
    author: str
    category: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    version: int = 1
    slug: str = ""  # from the first title: an edit does not move the article

    def __post_init__(self) -> None:
        self.slug = self.slug or _slug(self.title)

    @property
    def etag(self) -> str:
        digest = hashlib.sha1(f"{self.title}{self.paragraphs}".encode()).hexdigest()[:16]
        return f'"{digest}-{self.version}"'

    def edit(self, suffix: str = " (cập nhật)") -> None:
        """Change the title, as editors do; the ETag changes with it."""
        self.title += suffix
        self.version += 1


_FOLD = str.maketrans("đĐ", "dD")


def _slug(text: str) -> str:
    import unicodedata

    plain = unicodedata.normalize("NFD", text.translate(_FOLD))
    plain = "".join(c for c in plain if not unicodedata.combining(c)).lower()
    return "-".join("".join(c if c.isalnum() else " " for c in plain).split())


def make_article(number: int, category: str = "") -> Article:
    """The ``number``-th article of the shared pool (0 newest of the initial set)."""
    title = TITLES[number % len(TITLES)]
    if number >= len(TITLES):
        title += f" (đợt {number // len(TITLES) + 1})"
    paragraphs = [
        f"{title}: " + SENTENCES[number % len(SENTENCES)],
        SENTENCES[(number + 1) % len(SENTENCES)],
        SENTENCES[(number + 3) % len(SENTENCES)],
    ]
    return Article(
        number=number,
        title=title,
        published=FIRST_DATE - timedelta(days=3 * number, hours=number),
        paragraphs=paragraphs,
        author=AUTHORS[number % len(AUTHORS)],
        category=category,
    )


@dataclass
class Reply:
    """What the server answers for a path."""

    status: int = 200
    body: bytes | str = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    article: Article | None = None  # set for article pages: ETag and Last-Modified follow it


NOT_FOUND = Reply(404, "<html><head><title>Không tìm thấy</title></head><body></body></html>")


class Portal:
    """A sample portal: articles newest first, and the pages of its platform.

    Subclasses set ``site_id`` (the registry entry it stands in for) and implement
    :meth:`route` and :meth:`article_path`.
    """

    site_id = ""
    page_size = 4
    initial_articles = 6
    robots_txt = "User-agent: *\nDisallow: /dang-nhap\n"
    base_url = ""  # set by the server: feeds and sitemaps carry absolute URLs

    def __init__(self) -> None:
        self.articles = [
            make_article(n, self.category_for(n)) for n in range(self.initial_articles)
        ]
        self.gone: set[str] = set()  # article paths that now answer 404
        self._next = -1  # new articles get negative numbers: newer than every initial one

    def category_for(self, number: int) -> str:
        return ""

    def add_articles(self, count: int) -> list[Article]:
        """Publish ``count`` new articles (newest first), as the site would."""
        added = []
        for _ in range(count):
            article = make_article(len(TITLES) + abs(self._next), self.category_for(self._next))
            article.number = self._next
            article.published = FIRST_DATE + timedelta(days=abs(self._next))
            self._next -= 1
            added.append(article)
        self.articles = sorted(added + self.articles, key=lambda a: a.published, reverse=True)
        return added

    def live_articles(self, category: str | None = None) -> list[Article]:
        return [
            a
            for a in self.articles
            if self.article_path(a) not in self.gone
            and (category is None or a.category == category)
        ]

    def page(self, items: list[Article], number: int, first: int = 1) -> list[Article]:
        start = (number - first) * self.page_size
        return items[start : start + self.page_size] if number >= first else []

    def page_count(self, items: list[Article]) -> int:
        return max(1, -(-len(items) // self.page_size))

    def article_path(self, article: Article) -> str:
        raise NotImplementedError

    def article_by_path(self, path: str) -> Article | None:
        for article in self.articles:
            if self.article_path(article) == path and path not in self.gone:
                return article
        return None

    def route(self, path: str, query: dict[str, list[str]]) -> Reply | None:
        raise NotImplementedError

    def answer(self, raw_path: str) -> Reply:
        parts = urlsplit(raw_path)
        if parts.path == "/robots.txt":
            return Reply(200, self.robots_txt, "text/plain; charset=utf-8")
        for attachment in (x for a in self.live_articles() for x in a.attachments):
            if parts.path == f"/files/{attachment.name}":
                kind = MEDIA_TYPES.get(
                    attachment.name.rsplit(".", 1)[-1], "application/octet-stream"
                )
                return Reply(200, attachment.data, kind)
        reply = self.route(parts.path, parse_qs(parts.query))
        return reply if reply is not None else NOT_FOUND

    # shared bits of markup

    @staticmethod
    def paragraphs_html(article: Article, tag: str = "p") -> str:
        return "\n".join(f"<{tag}>{escape(p)}</{tag}>" for p in article.paragraphs)

    @staticmethod
    def attachments_html(article: Article) -> str:
        if not article.attachments:
            return ""
        links = "".join(
            f'<li><a href="/files/{a.name}">{escape(a.text)}</a></li>' for a in article.attachments
        )
        return f'<div class="attachments"><p>Tài liệu đính kèm:</p><ul>{links}</ul></div>'

    @staticmethod
    def date_dmy(article: Article) -> str:
        return article.published.strftime("%d/%m/%Y %H:%M")


def db_rows(db, sql: str, params: tuple = ()) -> list[dict]:
    """Rows of a query on an archive file, as dicts."""
    import sqlite3

    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in conn.execute(sql, params)]
    finally:
        conn.close()


class PortalServer(ThreadingHTTPServer):
    """Serve a :class:`Portal` on 127.0.0.1 at a free port and record every request."""

    daemon_threads = True

    def __init__(self, portal: Portal):
        self.portal = portal
        self.requests: list[str] = []  # request paths, in arrival order
        self.headers_seen: list[dict[str, str]] = []
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)
        portal.base_url = self.base_url

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> PortalServer:
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    def mark(self) -> int:
        """The number of requests so far, to count what a later crawl asked for."""
        return len(self.requests)

    def since(self, mark: int) -> list[str]:
        return self.requests[mark:]

    def articles_requested(self, paths: list[str]) -> list[Article]:
        """The articles a list of request paths fetched, one entry per request."""
        found = []
        for path in paths:
            reply = self.portal.answer(path)
            if reply.article is not None:
                found.append(reply.article)
        return found


class _Handler(BaseHTTPRequestHandler):
    server: PortalServer

    def do_GET(self) -> None:
        with self.server.lock:
            self.server.requests.append(self.path)
            self.server.headers_seen.append(dict(self.headers.items()))
            reply = self.server.portal.answer(self.path)
        headers = dict(reply.headers)
        if reply.article is not None:
            article = reply.article
            headers["ETag"] = article.etag
            headers["Last-Modified"] = format_datetime(
                article.published.astimezone(UTC), usegmt=True
            )
            if self.headers.get("If-None-Match") == article.etag:
                self.send_response(304)
                self.send_header("ETag", article.etag)
                self.end_headers()
                return
        body = reply.body.encode("utf-8") if isinstance(reply.body, str) else reply.body
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass
