"""Liferay 6.2 Asset Publisher, as sotttt.hanoi.gov.vn (registry entry ``hanoi-sotttt``).

The layout follows the saved pages in shared/corpus/real: ``div.asset-abstract`` items with
``h3.asset-title a`` links to ``/<category>/-/view_content/<id>-<slug>.html``, pagination by
``_101_cur=N`` among Liferay's ``p_p_*`` portlet parameters, articles in
``div.journal-content-article`` with a ``rel=canonical``, and the meta charset written
content-first. One article is published in two categories; its canonical URL is one of them.
"""

# ruff: noqa: E501 (HTML templates read better unwrapped)

from __future__ import annotations

from html import escape

from tests.portals.base import Article, Portal, Reply

CATEGORIES = {"tin-tuc-su-kien": "Tin tức sự kiện", "cong-nghe-thong-tin": "Công nghệ thông tin"}
PAGING = (
    "p_p_id=101&p_p_lifecycle=0&p_p_state=normal&p_p_mode=view&p_p_col_id=column-1"
    "&p_p_col_count=2&_101_delta=10&_101_keywords=&_101_advancedSearch=false"
    "&_101_andOperator=true&p_r_p_564233524_resetCur=false&_101_cur={n}"
)
CROSS_POSTED = 1  # this article is listed in both categories


class LiferayPortal(Portal):
    site_id = "hanoi-sotttt"
    page_size = 3

    def category_for(self, number: int) -> str:
        return "cong-nghe-thong-tin" if number in (4, 5) else "tin-tuc-su-kien"

    def _id(self, article: Article) -> int:
        return 4_400_000 + (article.number if article.number >= 0 else 100 - article.number)

    def article_path(self, article: Article, category: str | None = None) -> str:
        return f"/{category or article.category}/-/view_content/{self._id(article)}-{article.slug}.html"

    def in_category(self, category: str) -> list[Article]:
        return [
            a
            for a in self.live_articles()
            if a.category == category or (a.number == CROSS_POSTED and category != a.category)
        ]

    def _frame(self, title: str, main: str, head: str = "") -> str:
        menu = "".join(
            f'<li><a href="/{slug}">{escape(n)}</a></li>' for slug, n in CATEGORIES.items()
        )
        return f"""<!DOCTYPE html><html class="aui ltr" dir="ltr" lang="vi-VN"><head>
<meta content="text/html; charset=UTF-8" http-equiv="content-type" />
<title>{escape(title)} - Sở Thông Tin Và Truyền Thông</title>{head}
<script src="/html/js/liferay/modules.js" type="text/javascript"></script>
<script type="text/javascript">Liferay.ThemeDisplay = {{ getLanguageId: function() {{ return "vi_VN"; }} }};</script></head>
<body class="yui3-skin-sam controls-visible guest-site signed-out"><div id="wrapper">
<nav id="navigation"><ul><li><a href="/">Trang chủ</a></li>{menu}
<li><a href="/dang-nhap">Đăng nhập</a></li></ul></nav>
<div id="main-content">{main}</div>
<footer>Bản quyền thuộc Sở Thông tin và Truyền thông Hà Nội. Điện thoại: (024) 35123536</footer>
</div></body></html>"""

    def _item(self, article: Article, category: str) -> str:
        return f"""<div class="asset-abstract "><div class="asset-content normal-news">
<h3 class="asset-title"><a href="{self.article_path(article, category)}">{escape(article.title)}</a></h3>
<div class="assetPublishDate block_timer">{article.published.strftime("%d/%m/%Y | %I:%M %p")}</div>
<div class="asset-summary">{escape(article.paragraphs[0][:120])}</div></div></div>"""

    def _listing(self, category: str, number: int) -> Reply | None:
        items = self.in_category(category)
        pages = self.page_count(items)
        if not 1 <= number <= pages:
            return None
        paging = "".join(
            f'<li class="custom-paging"><a href="/{category}?{PAGING.format(n=n)}" '
            f'class=" taglib-icon"><span class="taglib-text-icon">{n}</span></a></li>'
            for n in range(1, pages + 1)
        )
        main = f"""<section class="portlet portlet-asset-publisher"><h1 class="portlet-title">
<span class="portlet-title-text">{escape(CATEGORIES[category])}</span></h1>
{"".join(self._item(a, category) for a in self.page(items, number))}
<div class="taglib-page-iterator"><div class="lfr-pagination"><ul class="dropdown-menu">{paging}</ul>
<small class="search-results">Hiển thị {len(items)} kết quả.</small></div></div></section>"""
        return Reply(200, self._frame(CATEGORIES[category], main))

    def route(self, path, query):
        if path == "/":
            items = "".join(self._item(a, a.category) for a in self.live_articles()[:3])
            return Reply(
                200, self._frame("Trang chủ", f'<div class="portlet-boundary_101_">{items}</div>')
            )
        for category in CATEGORIES:
            if path == f"/{category}":
                return self._listing(category, int(query.get("_101_cur", ["1"])[0]))
        if "/-/view_content/" not in path:
            return None
        wanted = path.split("/-/view_content/", 1)[1]
        article = next(
            (a for a in self.live_articles() if self.article_path(a).endswith("/" + wanted)), None
        )
        if article is None:
            return None
        canonical = f'<link rel="canonical" href="{self.article_path(article)}" />'
        main = f"""<section class="portlet"><header class="portlet-topper">
<h1 class="portlet-title"><span class="portlet-title-text">Tin tức</span></h1></header>
<div class="asset-full-content"><h3 class="header-title"><span>{escape(article.title)}</span></h3>
<div class="assetPublishDate">Ngày đăng {article.published.strftime("%d/%m/%Y | %I:%M %p")}</div>
<div class="journal-content-article">{self.paragraphs_html(article)}
<p style="text-align: right;"><strong>{escape(article.author)}</strong></p></div>
</div></section>"""
        return Reply(200, self._frame(article.title, main, canonical), article=article)
