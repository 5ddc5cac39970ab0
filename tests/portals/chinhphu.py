"""The chinhphu.vn CMS, as baochinhphu.vn (entry ``baochinhphu``).

A category page (``/kinh-te.htm``) shows page 1 and names its zone in ``#hdZoneId``; later
pages come from ``/timelinelist/<zone>/<n>.htm`` fragments (an empty one past the end);
articles end in ``-102<YYMMDDhhmmss><NNN>.htm``; the RSS feed is ``/rss/home.rss``.
"""

# ruff: noqa: E501 (HTML templates read better unwrapped)

from __future__ import annotations

from email.utils import format_datetime
from html import escape

from tests.portals.base import Article, Portal, Reply

ZONES = {"kinh-te": "1027", "tra-loi-cong-dan": "102301"}
NAMES = {"kinh-te": "Kinh tế", "tra-loi-cong-dan": "Trả lời công dân"}


class ChinhphuPortal(Portal):
    site_id = "baochinhphu"
    page_size = 4

    def category_for(self, number: int) -> str:
        return "tra-loi-cong-dan" if number == 5 else "kinh-te"

    def article_path(self, article: Article) -> str:
        stamp = article.published.strftime("%y%m%d%H%M%S")
        return f"/{article.slug}-102{stamp}{abs(article.number) % 1000:03d}.htm"

    def _frame(self, title: str, main: str) -> str:
        menu = "".join(f'<li><a href="/{slug}.htm">{name}</a></li>' for slug, name in NAMES.items())
        return f"""<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8" />
<title>{escape(title)}</title>
<link href="https://static.mediacdn.vn/baochinhphu/css/common.min.css" rel="stylesheet" /></head>
<body><div class="header"><ul class="menu"><li><a href="/">Trang chủ</a></li>{menu}</ul></div>
<div class="main">{main}</div>
<div class="footer">BÁO ĐIỆN TỬ CHÍNH PHỦ - Cơ quan của Chính phủ, tiếng nói của Chính phủ</div>
</body></html>"""

    def _item(self, article: Article) -> str:
        href = self.article_path(article)
        return f"""<div class="box-stream-item"><a class="box-stream-link-thumb" href="{href}" title="{escape(article.title)}"><img src="https://bcp.cdnchinhphu.vn/a.jpg" alt=""></a>
<div class="box-stream-content"><h2><a class="box-stream-link-title" href="{href}">{escape(article.title)}</a></h2>
<p class="box-stream-sapo">{escape(article.paragraphs[0][:120])}</p></div></div>"""

    def route(self, path, query):
        if path == "/":
            items = "".join(self._item(a) for a in self.live_articles()[:3])
            return Reply(
                200, self._frame("Báo điện tử Chính phủ", f'<div class="box-focus">{items}</div>')
            )
        for slug, zone in ZONES.items():
            items = self.live_articles(slug)
            if path == f"/{slug}.htm":
                first = "".join(self._item(a) for a in self.page(items, 1))
                main = f"""<input type="hidden" id="hdZoneId" value="{zone}" />
<div class="list__main"><div class="box-stream">{first}</div>
<div class="list__viewmore"><a class="btn-viewmore" href="javascript:;">Xem thêm</a></div></div>"""
                return Reply(200, self._frame(NAMES[slug], main))
            prefix = f"/timelinelist/{zone}/"
            if path.startswith(prefix) and path.endswith(".htm"):
                number = path.removeprefix(prefix).removesuffix(".htm")
                if not number.isdigit():
                    return None
                return Reply(200, "".join(self._item(a) for a in self.page(items, int(number))))
        if path == "/rss/home.rss":
            entries = "".join(
                f"<item><title><![CDATA[{a.title}]]></title>"
                f"<link>{self.base_url}{self.article_path(a)}</link>"
                f"<pubDate>{format_datetime(a.published)}</pubDate></item>"
                for a in self.live_articles()[:4]
            )
            rss = f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Báo Chính phủ</title>{entries}</channel></rss>'
            return Reply(200, rss, "text/xml; charset=utf-8")
        article = self.article_by_path(path)
        if article is None:
            return None
        main = f"""<div class="detail__main"><div class="detail-cate"><a href="/{article.category}.htm">{NAMES[article.category]}</a></div>
<h1 class="detail-title" data-role="title">{escape(article.title)}</h1>
<div class="detail-time"><div data-role="publishdate">{self.date_dmy(article)}</div></div>
<h2 class="detail-sapo" data-role="sapo">{escape(article.paragraphs[0])}</h2>
<div class="detail-content" data-role="content">{self.paragraphs_html(article)}</div>
<div class="detail-author">{escape(article.author)}</div></div>"""
        return Reply(200, self._frame(article.title, main), article=article)
