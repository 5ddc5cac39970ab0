"""Render the sample portal: a stand-in for sonoivu.angiang.gov.vn built from data files.

No real HTML of that site is available, so the pages follow the IBM WebSphere Portal layout the
An Giang sites use (``/wps/portal/...`` paths, ``wpsPortletBody`` portlets, opaque ``!ut/p/z1``
state segments in portlet links) and carry what the seed page shows: the site menu, two hotline
widgets, a visit counter, a footer, and a "latest news" sidebar whose dates are newer than the
article's. Articles vary the way real pages do: date formats, bylines, image markup, sapo,
attachments.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from functools import cached_property
from html import escape
from importlib import resources
from typing import Any, ClassVar

PAGE_SIZE = 10
ARTICLE_PREFIX = "/wps/portal/Home/tin-tuc/tin-chi-tiet"
LISTING_PREFIX = "/wps/portal/Home/tin-tuc"


def _load_json(name: str) -> Any:
    return json.loads(resources.files(__package__).joinpath(name).read_text("utf-8"))


@dataclass
class SamplePortal:
    """The portal's content: site furniture and articles, newest first."""

    site_id: ClassVar[str] = "angiang-sonoivu"  # the registry entry it stands in for
    site: dict[str, Any] = field(default_factory=lambda: _load_json("site.json"))
    articles: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.articles:
            self.articles = [
                _load_json("seed_article.json"),
                *_load_json("articles.json")["articles"],
            ]
        self.articles.sort(key=lambda a: a["published_at"], reverse=True)

    @cached_property
    def by_path(self) -> dict[str, dict[str, Any]]:
        return {self.article_path(a): a for a in self.articles}

    @cached_property
    def attachments(self) -> dict[str, dict[str, Any]]:
        """Attachment path → its link, for every document an article links to."""
        return {a["href"]: a for article in self.articles for a in article.get("attachments", [])}

    def category_slug(self, name: str) -> str:
        return self.site["categories"][name]

    def article_path(self, article: dict[str, Any]) -> str:
        return f"{ARTICLE_PREFIX}/{self.category_slug(article['category'])}/{article['slug']}"

    def listing_path(self, category: str, page: int = 1) -> str:
        path = f"{LISTING_PREFIX}/{self.category_slug(category)}"
        return path if page == 1 else f"{path}?page={page}"

    def in_category(self, category: str) -> list[dict[str, Any]]:
        return [a for a in self.articles if a["category"] == category]

    def page_count(self, category: str) -> int:
        return max(1, -(-len(self.in_category(category)) // PAGE_SIZE))


def _state_segment(seed: str) -> str:
    """An opaque WebSphere navigational-state segment, as portlet links carry."""
    code = "".join(f"{ord(c) % 36:x}" for c in seed)[:24]
    return f"/!ut/p/z1/04_Sj9CPykssy0xPLMnMz0vMAfIjo8z{code}/dz/d5/L2dBISEvZ0FBIS9nQSEh/"


def _page(portal: SamplePortal, title: str, main: str) -> str:
    site = portal.site
    menu = "".join(
        f'<li><a href="{escape(href)}">{escape(label)}</a></li>' for label, href in site["menu"]
    )
    latest = "".join(
        f'<li><a href="{portal.article_path(a)}">{escape(a["title"])}</a>'
        f' <span class="date">({a["published_at"][8:10]}/{a["published_at"][5:7]}/'
        f"{a['published_at'][:4]})</span></li>"
        for a in portal.articles[:5]
    )
    widgets = "".join(_widget(w) for w in site["widgets"])
    counter = site["counter"]
    footer = "<br>\n".join(escape(line) for line in site["footer"])
    return f"""<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<link rel="stylesheet" href="/wps/contenthandler/dav/fs-type1/themes/SoNoiVu/css/bootstrap.min.css">
</head>
<body class="lotusui30dojo tundra locale_vi">
<div class="wpthemeFrame">
<header class="wpthemeHeader" role="banner">
  <div class="banner"><a href="{site["home_path"]}"><img src="/wps/contenthandler/dav/fs-type1/themes/SoNoiVu/images/banner.png" alt="{escape(site["name"])}"></a>
  <div class="banner-title">{escape(site["banner"])}</div></div>
  <nav class="navbar navbar-default wpthemeNav"><ul class="nav navbar-nav">{menu}</ul></nav>
</header>
<div class="wpthemeMainContent"><div class="container"><div class="row">
<div class="col-md-8 wpthemeCol">
<section class="ibmPortalControl wpthemeControl a11yRegionTarget">
<div class="wpthemeControlHeader"><h2><span class="portlet-title">Tin tức - Sự kiện</span></h2></div>
<div class="wpsPortletBody">
{main}
</div>
</section>
</div>
<aside class="col-md-4 wpthemeCol sidebar">
<section class="ibmPortalControl"><div class="wpsPortletBody">
<div class="box-latest"><h3 class="box-title">Tin mới nhất</h3><ul>{latest}</ul></div>
</div></section>
<section class="ibmPortalControl"><div class="wpsPortletBody">{widgets}</div></section>
<section class="ibmPortalControl"><div class="wpsPortletBody">
<div class="box-counter"><h3 class="box-title">Thống kê truy cập</h3>
<p>Lượt truy cập: <span>{counter["total"]}</span></p>
<p>Hôm nay: <span>{counter["today"]}</span></p>
<p>Đang online: <span>{counter["online"]}</span></p></div>
</div></section>
</aside>
</div></div></div>
<footer class="wpthemeFooter"><div class="container"><p>{footer}</p></div></footer>
</div>
</body>
</html>
"""


def _widget(widget: dict[str, Any]) -> str:
    title = "<br>".join(escape(t) for t in widget["title"])
    items = []
    for number, entry in enumerate(widget["entries"], 1):
        lines = [f'<p class="hotline-name"><strong>{escape(entry["name"])}</strong></p>']
        lines.append(f'<p><i class="fa fa-phone"></i> Điện thoại: {escape(entry["phone"])}</p>')
        if entry.get("email"):
            email = escape(entry["email"])
            lines.append(
                f'<p><i class="fa fa-envelope"></i> Email: <a href="mailto:{email}">{email}</a></p>'
            )
        items.append(
            f'<li><span class="hotline-stt">{number}</span>'
            f'<div class="hotline-info">{"".join(lines)}</div></li>'
        )
    return (
        f'<div class="hotline-widget"><h3 class="hotline-title">{title}</h3>'
        f'<ul class="hotline-list">{"".join(items)}</ul></div>'
    )


def _image(block: dict[str, Any], style: int) -> str:
    """One image in one of the three markups WCM editors produce."""
    src, caption = escape(block["src"]), block.get("caption")
    img = f'<img class="img-responsive" alt="Responsive image" src="{src}">'
    if style == 0:
        html = f'<p style="text-align: center;">{img}</p>'
        if caption:
            html += f'\n<p style="text-align: center;"><em>{escape(caption)}</em></p>'
        return html
    if style == 1:
        cap = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
        return f'<figure class="image">{img}{cap}</figure>'
    cap = f'<tr><td class="image-caption">{escape(caption)}</td></tr>' if caption else ""
    return (
        f'<table class="image" align="center"><tbody><tr><td>{img}</td></tr>{cap}</tbody></table>'
    )


def _byline(byline: str, style: int) -> str:
    text = escape(byline)
    return [
        f'<p style="text-align: right;"><strong>{text}</strong></p>',
        f'<p style="text-align:right"><em>{text}</em></p>',
        f'<p align="right"><b>{text}</b></p>',
    ][style % 3]


def _paragraph(text: str) -> str:
    return '<p style="text-align: justify;">' + escape(text).replace("\n", "<br>\n") + "</p>"


def render_article(portal: SamplePortal, article: dict[str, Any]) -> str:
    """The detail page of one article."""
    style = portal.articles.index(article) % 3
    if article["slug"].startswith("thu-tuong-chinh-phu-chu-tri-phien-hop-thu-bay"):
        style = 0  # the seed's captions sit in centred italic paragraphs under the image
    parts = [
        _image(b, style) if b["type"] == "img" else _paragraph(b["text"]) for b in article["blocks"]
    ]
    if article.get("byline"):
        parts.append(_byline(article["byline"], style))
    category = article["category"]
    sapo = (
        f'<div class="news-detail-sapo"><strong>{escape(article["summary"])}</strong></div>'
        if article.get("summary")
        else ""
    )
    attachments = ""
    if article.get("attachments"):
        links = "".join(
            f'<li><i class="fa fa-file"></i> <a href="{escape(a["href"])}">{escape(a["text"])}</a></li>'
            for a in article["attachments"]
        )
        attachments = (
            f'<div class="news-detail-attachments"><p>Tập tin đính kèm:</p><ul>{links}</ul></div>'
        )
    others = [a for a in portal.in_category(category) if a is not article][:5]
    related = "".join(
        f'<li><a href="{portal.article_path(a)}">{escape(a["title"])}</a></li>' for a in others
    )
    main = f"""<div class="news-detail">
<ol class="breadcrumb"><li><a href="{portal.site["home_path"]}">Trang chủ</a></li><li class="active"><a href="{portal.listing_path(category)}">{escape(category)}</a></li></ol>
<h1 class="news-detail-title">{escape(article["title"])}</h1>
<div class="news-detail-date"><i class="fa fa-clock-o"></i> {escape(article["date_shown"])}</div>
{sapo}
<div class="news-detail-content">
{chr(10).join(parts)}
</div>
{attachments}
<div class="news-related"><h3>Tin cùng chuyên mục</h3><ul>{related}</ul></div>
</div>"""
    return _page(portal, article["title"], main)


def _teaser(portal: SamplePortal, article: dict[str, Any], state: str) -> str:
    path = portal.article_path(article) + _state_segment(state)
    date = article["published_at"]
    summary = article.get("summary") or ""
    return (
        f'<div class="news-item"><h3 class="news-item-title"><a href="{path}">'
        f"{escape(article['title'])}</a></h3>"
        f'<span class="news-item-date">{date[8:10]}/{date[5:7]}/{date[:4]}</span>'
        f'<p class="news-item-sapo">{escape(summary)}</p></div>'
    )


def render_listing(portal: SamplePortal, category: str, page: int) -> str | None:
    """One page of a category listing, or None past the last page."""
    pages = portal.page_count(category)
    if not 1 <= page <= pages:
        return None
    chunk = portal.in_category(category)[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    items = "".join(_teaser(portal, a, f"{category}{page}") for a in chunk)
    links = "".join(
        f'<li class="active"><span>{n}</span></li>'
        if n == page
        else f'<li><a href="{portal.listing_path(category, n)}">{n}</a></li>'
        for n in range(1, pages + 1)
    )
    if page < pages:
        links += f'<li><a href="{portal.listing_path(category, page + 1)}">»</a></li>'
    main = f"""<div class="news-list">
<h2 class="category-title">{escape(category)}</h2>
{items}
<ul class="pagination">{links}</ul>
</div>"""
    return _page(portal, f"{category} - {portal.site['name']}", main)


def render_home(portal: SamplePortal) -> str:
    """The home page: the newest articles of every category."""
    sections = []
    for category in portal.site["categories"]:
        items = "".join(_teaser(portal, a, "home") for a in portal.in_category(category)[:3])
        sections.append(
            f'<div class="home-category"><h2><a href="{portal.listing_path(category)}">'
            f"{escape(category)}</a></h2>{items}</div>"
        )
    return _page(portal, portal.site["name"], "\n".join(sections))


def render_static(portal: SamplePortal, title: str, text: str) -> str:
    """A plain content page (introduction, procedures): neither a listing nor an article."""
    return _page(
        portal,
        title,
        f'<div class="static-content"><h1>{escape(title)}</h1><p>{escape(text)}</p></div>',
    )


ROBOTS_TXT = """User-agent: *
Disallow: /wps/myportal/
Disallow: /wps/portal/Home/tim-kiem
"""


def render_document(attachment: dict[str, Any]) -> tuple[str, bytes]:
    """``(content_type, bytes)`` of a small stand-in for an attached PDF or Word file."""
    title = attachment["text"]
    if attachment["href"].endswith(".pdf"):
        text = title.encode("ascii", "replace").decode()
        stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
        body = (
            b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
            b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R>>endobj\n"
            + f"4 0 obj<</Length {len(stream)}>>stream\n".encode()
            + stream
            + b"\nendstream endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
        )
        return "application/pdf", body
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as document:
        document.writestr(
            "word/document.xml", f"<w:document><w:t>{escape(title)}</w:t></w:document>"
        )
    return (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        buffer.getvalue(),
    )
