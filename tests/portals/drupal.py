"""Drupal 9 with a Gavias theme, as An Giang's district sites (entry ``angiang-longxuyen``).

Teasers ``.views-row`` with ``h3.post-title a``, a pager ``?page=N`` counted from 0, article
nodes with ``h1.post-title``, ``span.post-created`` and ``.field--name-body``, file fields
with attachments, and the front page announcing ``/rss.xml``.
"""

# ruff: noqa: E501 (HTML templates read better unwrapped)

from __future__ import annotations

from email.utils import format_datetime
from html import escape

from tests.portals.base import Article, Attachment, Portal, Reply

LISTING = "/tin-tuc"


def _pdf(size: int) -> bytes:
    head = b"%PDF-1.4\n% vngov test attachment\n"
    return head + bytes(i % 251 for i in range(size - len(head)))


class DrupalPortal(Portal):
    site_id = "angiang-longxuyen"
    page_size = 4

    def __init__(self) -> None:
        super().__init__()
        self.articles[0].attachments = [
            Attachment(
                "ke-hoach-cai-cach-hanh-chinh-2025.pdf", "Kế hoạch số 112/KH-UBND", _pdf(3000)
            ),
        ]
        self.articles[1].attachments = [
            Attachment("bao-cao-so-ket.docx", "Báo cáo sơ kết (DOCX)", b"PK\x03\x04" + b"d" * 4996),
            Attachment("bang-so-lieu.xlsx", "Bảng số liệu kèm theo", b"PK\x03\x04" + b"x" * 1996),
        ]

    def article_path(self, article: Article) -> str:
        return f"{LISTING}/{article.slug}"

    def _frame(self, title: str, main: str) -> str:
        return f"""<!DOCTYPE html><html lang="vi" dir="ltr"><head><meta charset="utf-8" />
<meta name="Generator" content="Drupal 9 (https://www.drupal.org)" />
<link rel="alternate" type="application/rss+xml" title="Long Xuyên" href="/rss.xml" />
<title>{escape(title)} | Cổng thông tin điện tử thành phố Long Xuyên</title>
<link rel="stylesheet" href="/themes/gavias_batiz/css/template.css" /></head>
<body class="gavias-content-builder"><div class="body-page">
<header id="header"><nav class="gva-navigation"><ul><li><a href="/">Trang chủ</a></li>
<li><a href="{LISTING}">Tin tức</a></li><li><a href="/gioi-thieu">Giới thiệu</a></li></ul></nav></header>
<div id="page-main-content" class="main-content">{main}</div>
<footer id="footer">UBND thành phố Long Xuyên - Điện thoại: (0296) 3841 452</footer>
</div></body></html>"""

    def _row(self, article: Article) -> str:
        return f"""<div class="views-row"><div class="post-block"><div class="post-content">
<h3 class="post-title"><a href="{self.article_path(article)}" rel="bookmark">{escape(article.title)}</a></h3>
<div class="post-meta"><span class="post-created"> {article.published.strftime("%d/%m/%Y")}</span></div>
<div class="post-body">{escape(article.paragraphs[0][:100])}</div></div></div></div>"""

    def _listing(self, number: int) -> Reply | None:
        items = self.live_articles()
        pages = self.page_count(items)
        if not 0 <= number < pages:
            return None
        pager = "".join(
            f'<li class="pager__item is-active"><a href="?page={n}">{n + 1}</a></li>'
            if n == number
            else f'<li class="pager__item"><a href="?page={n}">{n + 1}</a></li>'
            for n in range(pages)
        )
        rows = "".join(self._row(a) for a in self.page(items, number, first=0))
        main = f"""<div class="view view-tin-tuc"><div class="view-content">{rows}</div>
<nav class="pager" role="navigation"><ul class="pager__items">{pager}</ul></nav></div>"""
        return Reply(200, self._frame("Tin tức", main))

    def _rss(self) -> str:
        items = "".join(
            f"<item><title>{escape(a.title)}</title><link>{self.base_url}{self.article_path(a)}</link>"
            f"<pubDate>{format_datetime(a.published)}</pubDate></item>"
            for a in self.live_articles()[:5]
        )
        return (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Long Xuyên</title><link>{self.base_url}/</link>{items}</channel></rss>"
        )

    def route(self, path, query):
        if path == "/":
            rows = "".join(self._row(a) for a in self.live_articles()[:3])
            return Reply(200, self._frame("Trang chủ", f'<div class="view-content">{rows}</div>'))
        if path == "/gioi-thieu":
            return Reply(200, self._frame("Giới thiệu", "<p>Thành phố Long Xuyên.</p>"))
        if path == LISTING:
            try:
                return self._listing(int(query.get("page", ["0"])[0]))
            except ValueError:
                return None
        if path == "/rss.xml":
            return Reply(200, self._rss(), "application/rss+xml; charset=utf-8")
        article = self.article_by_path(path)
        if article is None:
            return None
        files = "".join(
            f'<span class="file"><a href="/files/{a.name}">{escape(a.text)}</a></span>'
            for a in article.attachments
        )
        main = f"""<article class="node node--type-article node--view-mode-full">
<h1 class="post-title">{escape(article.title)}</h1>
<div class="post-meta"><span class="post-created">{article.published.strftime("%d/%m/%Y")}</span></div>
<div class="post-content"><div class="field field--name-body">{self.paragraphs_html(article)}
<p style="text-align: right;"><em>{escape(article.author)}</em></p></div>
<div class="field field--type-file">{files}</div></div></article>"""
        return Reply(200, self._frame(article.title, main), article=article)
