"""WordPress with The Post Grid, as the An Giang women's union (entry ``angiang-hoilhpn``).

A category at the root (``/cong-tac-tuyen-giao-chinh-sach-luat-phap/``, ``/page/N/``) listed
with ``div.tpg-post-holder`` items, posts at ``/<slug>/`` (``body.single-post``), a static page
``/gioi-thieu/`` with the same URL shape (``body.page``), an RSS feed at ``/feed/`` announced in
the head, and WordPress core's sitemaps (``/wp-sitemap.xml`` and its post and page sitemaps).
"""

# ruff: noqa: E501 (HTML templates read better unwrapped)

from __future__ import annotations

from email.utils import format_datetime
from html import escape

from tests.portals.base import Article, Portal, Reply

CATEGORY = "/cong-tac-tuyen-giao-chinh-sach-luat-phap/"


class WordPressPortal(Portal):
    site_id = "angiang-hoilhpn"
    page_size = 4

    def article_path(self, article: Article) -> str:
        return f"/{article.slug}/"

    def _frame(self, title: str, main: str, body_class: str) -> str:
        return f"""<!DOCTYPE html><html lang="vi"><head><meta charset="UTF-8">
<title>{escape(title)} &#8211; Hội LHPN tỉnh An Giang</title>
<meta name="generator" content="WordPress 6.4.3" />
<link rel="alternate" type="application/rss+xml" title="Hội LHPN &raquo; Feed" href="/feed/" />
<link rel="https://api.w.org/" href="/wp-json/" />
<link rel="stylesheet" href="/wp-content/themes/hello-elementor/style.min.css" /></head>
<body class="{body_class}"><div id="page" class="site">
<header id="masthead" class="site-header"><nav><ul><li><a href="/">Trang chủ</a></li>
<li><a href="{CATEGORY}">Tuyên giáo - Chính sách luật pháp</a></li>
<li><a href="/gioi-thieu/">Giới thiệu</a></li></ul></nav></header>
<main id="main" class="site-main">{main}</main>
<footer id="colophon" class="site-footer">Hội Liên hiệp Phụ nữ tỉnh An Giang</footer>
</div></body></html>"""

    def _holder(self, article: Article) -> str:
        href = self.article_path(article)
        return f"""<div class="rt-col-md-4"><div class="rt-holder tpg-post-holder">
<div class="rt-img-holder"><a class="tpg-post-link" href="{href}"><img src="/wp-content/uploads/a.jpg" alt=""></a></div>
<div class="rt-detail"><h3 class="entry-title"><a href="{href}">{escape(article.title)}</a></h3>
<span class="date">{article.published.strftime("%d/%m/%Y")}</span></div></div></div>"""

    def _listing(self, number: int) -> Reply | None:
        items = self.live_articles()
        pages = self.page_count(items)
        if not 1 <= number <= pages:
            return None
        links = "".join(
            f'<span aria-current="page" class="page-numbers current">{n}</span>'
            if n == number
            else f'<a class="page-numbers" href="{CATEGORY}{"" if n == 1 else f"page/{n}/"}">{n}</a>'
            for n in range(1, pages + 1)
        )
        grid = "".join(self._holder(a) for a in self.page(items, number))
        main = f"""<div class="rt-container-fluid rt-tpg-container"><div class="rt-row">{grid}</div>
<div class="rt-pagination-wrap"><div class="rt-pagination">{links}</div></div></div>"""
        return Reply(200, self._frame("Tuyên giáo", main, "archive category"))

    def _sitemap(self, path: str) -> Reply | None:
        xml = '<?xml version="1.0" encoding="UTF-8"?>'
        ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
        if path == "/wp-sitemap.xml":
            maps = "".join(
                f"<sitemap><loc>{self.base_url}/wp-sitemap-{name}-1.xml</loc></sitemap>"
                for name in ("posts-post", "posts-page")
            )
            return Reply(200, f"{xml}<sitemapindex {ns}>{maps}</sitemapindex>", "application/xml")
        if path == "/wp-sitemap-posts-post-1.xml":
            urls = "".join(
                f"<url><loc>{self.base_url}{self.article_path(a)}</loc>"
                f"<lastmod>{a.published.isoformat()}</lastmod></url>"
                for a in self.live_articles()
            )
            return Reply(200, f"{xml}<urlset {ns}>{urls}</urlset>", "application/xml")
        if path == "/wp-sitemap-posts-page-1.xml":
            url = f"<url><loc>{self.base_url}/gioi-thieu/</loc></url>"
            return Reply(200, f"{xml}<urlset {ns}>{url}</urlset>", "application/xml")
        return None

    def _feed(self) -> str:
        items = "".join(
            f"<item><title>{escape(a.title)}</title><link>{self.base_url}{self.article_path(a)}</link>"
            f"<pubDate>{format_datetime(a.published)}</pubDate></item>"
            for a in self.live_articles()[:3]
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>Hội LHPN tỉnh An Giang</title><link>{self.base_url}</link>{items}</channel></rss>"
        )

    def route(self, path, query):
        if path == "/":
            grid = "".join(self._holder(a) for a in self.live_articles()[:3])
            return Reply(200, self._frame("Trang chủ", grid, "home page-template-default page"))
        if path == CATEGORY:
            return self._listing(1)
        if path.startswith(f"{CATEGORY}page/"):
            number = path.removeprefix(f"{CATEGORY}page/").strip("/")
            return self._listing(int(number)) if number.isdigit() else None
        if path == "/feed/":
            return Reply(200, self._feed(), "application/rss+xml; charset=UTF-8")
        if path.startswith("/wp-sitemap"):
            return self._sitemap(path)
        if path == "/gioi-thieu/":
            main = '<article class="page"><h1 class="entry-title">Giới thiệu</h1><div class="entry-content"><p>Hội Liên hiệp Phụ nữ tỉnh An Giang là tổ chức chính trị - xã hội của phụ nữ Việt Nam.</p></div></article>'
            return Reply(
                200, self._frame("Giới thiệu", main, "page-template-default page page-id-2")
            )
        article = self.article_by_path(path)
        if article is None:
            return None
        main = f"""<article class="post type-post status-publish format-standard">
<header class="entry-header"><h1 class="entry-title">{escape(article.title)}</h1>
<div class="entry-meta"><span class="posted-on"><time class="entry-date published" datetime="{article.published.isoformat()}">{article.published.strftime("%d/%m/%Y")}</time></span></div></header>
<div class="entry-content">{self.paragraphs_html(article)}
<p style="text-align: right;"><strong>{escape(article.author)}</strong></p></div></article>"""
        body_class = f"post-template-default single single-post postid-{100 + article.number} single-format-standard"
        return Reply(200, self._frame(article.title, main, body_class), article=article)
