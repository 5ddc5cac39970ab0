"""A SharePoint publishing site, as the Ministry of Justice's htpldn.moj.gov.vn (``moj-htpldn``).

Listings ``/Pages/tin-tuc.aspx?l=Tintuc`` with ``?page=N``, articles
``/Pages/chi-tiet-tin.aspx?ItemID=N&l=Tintuc`` with fields in ``[id$=_lblTitle]``,
``[id$=_lblNgayDang]`` and the rich text in ``div.ExternalClass...``.
"""

# ruff: noqa: E501 (HTML templates read better unwrapped)

from __future__ import annotations

from html import escape

from tests.portals.base import Article, Portal, Reply

LISTING = "/Pages/tin-tuc.aspx"
DETAIL = "/Pages/chi-tiet-tin.aspx"
PREFIX = "ctl00_ctl37_g_5d2b1f70_1a4f_4f7d_9d9e_2f5a0c1b7e21"


class SharePointPortal(Portal):
    site_id = "moj-htpldn"
    page_size = 4

    def item_id(self, article: Article) -> int:
        return 1900 - article.number

    def article_path(self, article: Article) -> str:
        return f"{DETAIL}?ItemID={self.item_id(article)}&l=Tintuc"

    def _frame(self, title: str, main: str) -> str:
        return f"""<!DOCTYPE html><html dir="ltr" lang="vi-VN"><head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<meta name="GENERATOR" content="Microsoft SharePoint" />
<title>{escape(title)}</title><script>var _spPageContextInfo = {{webServerRelativeUrl: "/"}};</script>
<link rel="stylesheet" href="/_layouts/15/1066/styles/Themable/corev15.css" /></head>
<body><div id="s4-workspace"><div class="header"><ul class="top-menu"><li><a href="/Pages/Trangchu.aspx">Trang chủ</a></li>
<li><a href="{LISTING}?l=Tintuc">Tin tức</a></li></ul></div>
<div class="main">{main}</div><div class="footer">Bộ Tư pháp - 58-60 Trần Phú, Ba Đình, Hà Nội</div>
</div></body></html>"""

    def _item(self, article: Article) -> str:
        return f"""<div class="news-item"><a class="news-title" href="{self.article_path(article)}">{escape(article.title)}</a>
<span class="news-date">{article.published.strftime("%d/%m/%Y")}</span>
<p class="news-sapo">{escape(article.paragraphs[0][:100])}</p></div>"""

    def route(self, path, query):
        if path == "/Pages/Trangchu.aspx":
            items = "".join(self._item(a) for a in self.live_articles()[:3])
            return Reply(200, self._frame("Trang chủ", f'<div class="home-news">{items}</div>'))
        if path == LISTING and query.get("l") == ["Tintuc"]:
            items = self.live_articles()
            number = int(query.get("page", ["1"])[0])
            pages = self.page_count(items)
            if not 1 <= number <= pages:
                return None
            paging = "".join(
                f"<span>{n}</span>"
                if n == number
                else f'<a href="{LISTING}?l=Tintuc&page={n}">{n}</a>'
                for n in range(1, pages + 1)
            )
            main = f"""<div class="news-list">{"".join(self._item(a) for a in self.page(items, number))}</div>
<div class="paging">{paging}</div>"""
            return Reply(200, self._frame("Tin tức", main))
        if path != DETAIL:
            return None
        wanted = query.get("ItemID", [""])[0]
        article = next((a for a in self.live_articles() if str(self.item_id(a)) == wanted), None)
        if article is None:
            return None
        main = f"""<div class="news-detail">
<h1 class="title-detail"><span id="{PREFIX}_lblTitle">{escape(article.title)}</span></h1>
<span id="{PREFIX}_lblNgayDang">{self.date_dmy(article)}</span>
<div id="{PREFIX}_pnNoiDung"><div class="ExternalClass8D3E2B7F0C6A4B1E9F5D2A7C3B8E1F04">
{self.paragraphs_html(article)}</div></div>
<div id="{PREFIX}_pnTacGia">{escape(article.author)}</div></div>"""
        return Reply(200, self._frame(article.title, main), article=article)
