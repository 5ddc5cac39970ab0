"""IBM WebSphere Portal, as An Giang's portal (registry entry ``angiang``) runs it.

Friendly URLs under /wps/portal/Home, links carrying opaque "!ut/p/z1/..." state, and portlet
pagination whose links hold the page number only in that state (the link text shows it).
"""

# ruff: noqa: E501 (HTML templates read better unwrapped)

from __future__ import annotations

import base64
from html import escape

from tests.portals.base import Article, Portal, Reply

HOME = "/wps/portal/Home"
LISTING = "/wps/portal/Home/tin-tuc"
DETAIL = "/wps/portal/Home/tin-tuc/tin-chi-tiet"
CATEGORIES = {"tin-tuc-su-kien": "Tin tức - Sự kiện", "thong-bao": "Thông báo"}


def _state(text: str) -> str:
    token = base64.urlsafe_b64encode(f"04_Sj9CPykssy0xPLMnMz0vM|{text}".encode()).decode()
    return f"/!ut/p/z1/{token.rstrip('=')}/dz/d5/L2dBISEvZ0FBIS9nQSEh/"


def _read_state(path: str) -> str:
    token = path.split("/!ut/p/z1/", 1)[1].split("/", 1)[0]
    try:
        return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode().split("|", 1)[1]
    except (ValueError, IndexError):
        return ""


class WebSpherePortal(Portal):
    site_id = "angiang"
    page_size = 3

    def category_for(self, number: int) -> str:
        return "thong-bao" if number == 5 else "tin-tuc-su-kien"

    def article_path(self, article: Article) -> str:
        return f"{DETAIL}/{article.category}/{article.slug}"

    def _frame(self, title: str, main: str) -> str:
        menu = "".join(
            f'<li><a href="{LISTING}/{slug}{_state("menu")}">{escape(name)}</a></li>'
            for slug, name in CATEGORIES.items()
        )
        return f"""<!DOCTYPE html><html lang="vi"><head><meta charset="UTF-8">
<title>{escape(title)}</title>
<link rel="stylesheet" href="/wps/contenthandler/dav/fs-type1/themes/AnGiang/css/main.css"></head>
<body class="lotusui30dojo"><div class="wpthemeFrame">
<nav class="wpthemeNav"><ul><li><a href="{HOME}">Trang chủ</a></li>{menu}</ul></nav>
<section class="ibmPortalControl"><div class="wpsPortletBody">{main}</div></section>
<footer>CỔNG THÔNG TIN ĐIỆN TỬ TỈNH AN GIANG</footer></div></body></html>"""

    def _teaser(self, article: Article) -> str:
        href = self.article_path(article) + _state(f"a{article.number}")
        return (
            f'<div class="news-item"><h3 class="news-item-title"><a href="{href}">'
            f"{escape(article.title)}</a></h3><span>{self.date_dmy(article)}</span></div>"
        )

    def _listing(self, category: str, number: int) -> Reply | None:
        items = self.live_articles(category)
        pages = self.page_count(items)
        if not 1 <= number <= pages:
            return None
        links = "".join(
            f'<li class="active"><span>{n}</span></li>'
            if n == number
            else f'<li><a href="{LISTING}/{category}{_state(f"page={n}")}">{n}</a></li>'
            for n in range(1, pages + 1)
        )
        teasers = "".join(self._teaser(a) for a in self.page(items, number))
        main = f'<div class="news-list">{teasers}</div><ul class="pagination">{links}</ul>'
        return Reply(200, self._frame(CATEGORIES[category], main))

    def route(self, path, query):
        state = _read_state(path) if "/!ut/p/" in path else ""
        path = path.split("/!ut/", 1)[0].rstrip("/")
        if path == HOME:
            teasers = "".join(self._teaser(a) for a in self.live_articles()[:3])
            return Reply(200, self._frame("Cổng thông tin điện tử tỉnh An Giang", teasers))
        for category in CATEGORIES:
            if path == f"{LISTING}/{category}":
                number = int(state[5:]) if state.startswith("page=") else 1
                return self._listing(category, number)
        article = self.article_by_path(path)
        if article is None:
            return None
        main = f"""<div class="news-detail"><h1 class="news-detail-title">{escape(article.title)}</h1>
<div class="news-detail-date">{self.date_dmy(article)}</div>
<div class="news-detail-content">{self.paragraphs_html(article)}
<p style="text-align: right;"><strong>{escape(article.author)}</strong></p></div>
{self.attachments_html(article)}</div>"""
        return Reply(200, self._frame(article.title, main), article=article)
