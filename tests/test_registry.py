"""The site registry: every entry builds a working spider (Kingfisher style), and the
`vngov sites` commands list, add (detecting the platform) and check sites over loopback."""

from __future__ import annotations

import asyncio
import json
import re
import tomllib
from datetime import date
from importlib import resources
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from scrapy.utils.test import get_crawler

import crawler.settings as project_settings
from archive.cli import cli
from crawler.parsers.profiles import load_profiles
from crawler.sites import RegistryError, Site, append_entry, load_sites, read_registry
from crawler.spiders.portal import PortalSpider
from crawler.urls import canonicalize_url
from tests.conftest import run_vngov
from tests.portals import PORTALS, PortalServer, db_rows

SITES = load_sites()
SEED = "angiang-sonoivu"


def provinces() -> set[str]:
    data = tomllib.loads(
        resources.files("archive.data").joinpath("provinces.toml").read_text("utf-8")
    )
    return {p["name"] for p in data["province"]}


def spider_for(site_id: str, tmp_path, **settings) -> PortalSpider:
    values = {k: getattr(project_settings, k) for k in dir(project_settings) if k.isupper()}
    values.update(VNGOV_DB=str(tmp_path / "archive.db"), **settings)
    return PortalSpider.from_crawler(get_crawler(PortalSpider, values), site=site_id)


def start_requests(spider: PortalSpider) -> list:
    async def collect():
        return [request async for request in spider.start()]

    return asyncio.run(collect())


@pytest.mark.parametrize("site_id", list(SITES))
def test_every_entry_builds_a_spider_that_starts(site_id, tmp_path):
    site = SITES[site_id]
    spider = spider_for(site_id, tmp_path)
    requests = start_requests(spider)
    assert requests, "no start requests"
    assert spider.allowed_domains == site.allowed_hosts and site.host
    for request in requests:
        assert urlsplit(request.url).hostname in spider.allowed_domains
    kinds = {"page", "listing", "feed", "sitemap", "robots"}
    assert {r.meta["vngov_kind"] for r in requests} <= kinds
    assert site.platform in load_profiles(), f"{site.platform} is not a parser profile"
    assert site.article_pattern or site.item_css, "no way to recognise an article"
    for pattern in (site.article_pattern, site.listing_pattern, site.article_key):
        re.compile(pattern)
    assert urlsplit(site.base_url).scheme == "https" and urlsplit(site.base_url).path == ""
    assert all(path.startswith("/") for path in (*site.start_paths, *site.feeds, *site.sitemaps))
    if site.province:
        assert {site.province, site.province_now} <= provinces()
    if site.closed:
        assert date.fromisoformat(site.closed) <= date(2025, 7, 1)
    assert site.name and site.agency


def test_ids_are_unique_and_the_registry_is_broad():
    raw = tomllib.loads(resources.files("crawler").joinpath("sites.toml").read_text("utf-8"))
    ids = [entry["id"] for entry in raw["site"]]
    assert len(ids) == len(set(ids))
    assert SEED in ids
    real = [s for s in SITES.values() if s.id != SEED]
    assert len(real) >= 20
    assert len({s.platform for s in real}) >= 4
    assert {"websphere", "liferay", "drupal", "wordpress", "chinhphu"} <= {s.platform for s in real}


def test_only_layouts_checked_against_saved_pages_are_verified():
    for site in SITES.values():
        if site.verified:
            assert "shared/corpus/real" in site.notes, site.id


def test_closed_district_sites_keep_their_province_then_and_now():
    chaudoc = SITES["angiang-chaudoc"]
    assert (chaudoc.province, chaudoc.province_now, chaudoc.closed) == (
        "An Giang",
        "An Giang",
        "2025-07-01",
    )


def test_contact_url_setting_goes_into_the_user_agent(tmp_path):
    server = PortalServer(PORTALS["sharepoint"]()).start()
    try:
        done = run_vngov(
            "crawl",
            "moj-htpldn",
            "--base-url",
            server.base_url,
            "--db",
            str(tmp_path / "a.db"),
            "--no-delay",
            "--set",
            "VNGOV_CONTACT_URL=mailto:archive@example.org",
        )
    finally:
        server.stop()
    assert done.returncode == 0, done.stderr
    assert {h["User-Agent"] for h in server.headers_seen} == {
        "vngov-archive/0.1 (+mailto:archive@example.org; "
        "archives public announcements of Vietnamese government portals)"
    }


# -- vngov sites ------------------------------------------------------------------------


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_sites_lists_platform_province_and_verified(tmp_path):
    result = invoke("sites", "--db", tmp_path / "a.db")
    assert result.exit_code == 0, result.output
    rows = {row["id"]: row for row in json.loads(result.stdout)}
    assert set(rows) == set(SITES)
    assert {k: rows["hanoi-sotttt"][k] for k in ("platform", "province", "verified")} == {
        "platform": "liferay",
        "province": "Hà Nội",
        "verified": True,
    }
    table = invoke("sites", "list", "--table", "--db", tmp_path / "a.db")
    header = table.stdout.splitlines()[0].split()
    assert header == [
        "id",
        "platform",
        "province",
        "province_now",
        "verified",
        "closed",
        "base_url",
        "registry",
    ]


@pytest.fixture(params=list(PORTALS))
def served(request):
    server = PortalServer(PORTALS[request.param]()).start()
    server.platform = request.param
    yield server
    server.stop()


def home_url(server) -> str:
    site = SITES[server.portal.site_id]
    return server.base_url + site.start_paths[0]


def test_sites_add_detects_the_platform_and_writes_the_user_registry(served, tmp_path):
    db = tmp_path / "a.db"
    result = invoke(
        "sites", "add", home_url(served), "--id", "trial", "--db", db, "--province", "An Giang"
    )
    assert result.exit_code == 0, result.output
    entry = json.loads(result.stdout)
    assert entry["platform"] == served.platform
    assert entry["verified"] is False and entry["province_now"] == "An Giang"
    [site] = read_registry(tmp_path / "sites.local.toml")
    assert (site.id, site.platform, site.base_url) == ("trial", served.platform, served.base_url)
    listed = {r["id"]: r for r in json.loads(invoke("sites", "--db", db).stdout)}
    assert listed["trial"]["platform"] == served.platform
    again = invoke("sites", "add", home_url(served), "--id", "trial", "--db", db)
    assert again.exit_code == 1 and "already in the registry" in again.output


def test_sites_add_dry_run_writes_nothing(tmp_path):
    server = PortalServer(PORTALS["wordpress"]()).start()
    try:
        result = invoke(
            "sites", "add", server.base_url + "/", "--dry-run", "--db", tmp_path / "a.db"
        )
    finally:
        server.stop()
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["feeds"] == ["/feed/"]  # announced in the head
    assert not (tmp_path / "sites.local.toml").exists()


def test_a_site_added_by_hand_can_be_crawled(tmp_path):
    server = PortalServer(PORTALS["drupal"]()).start()
    db = tmp_path / "a.db"
    try:
        added = invoke(
            "sites",
            "add",
            server.base_url + "/",
            "--id",
            "my-district",
            "--db",
            db,
            "--platform",
            "drupal",
        )
        assert added.exit_code == 0, added.output
        with (tmp_path / "sites.local.toml").open("a", encoding="utf-8") as registry:
            registry.write("listing_pattern = '^/tin-tuc/?(?:\\?page=\\d+)?$'\n")
        done = run_vngov("crawl", "my-district", "--db", str(db), "--no-delay")
    finally:
        server.stop()
    assert done.returncode == 0, done.stderr
    assert db_rows(db, "select count(*) as n from articles") == [{"n": 6}]


def test_sites_check_fetches_a_listing_and_an_article(served, tmp_path):
    site_id = served.portal.site_id
    result = invoke(
        "sites", "check", site_id, "--base-url", served.base_url, "--db", tmp_path / "a.db"
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["problems"] == []
    listing = report["listing"]
    assert listing["articles"] >= 1 and listing["next_page"]
    titles = {
        canonicalize_url(served.base_url + served.portal.article_path(a)): a.title
        for a in served.portal.articles
    }
    assert report["article"]["title"] == titles[listing["first_articles"][0]]
    assert report["article"]["body_characters"] > 100


def test_sites_check_says_what_does_not_work(tmp_path):
    server = PortalServer(PORTALS["drupal"]()).start()
    try:  # the Liferay entry pointed at a Drupal site finds no listing
        result = invoke("sites", "check", "hanoi-sotttt", "--base-url", server.base_url)
    finally:
        server.stop()
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["problems"] == [
        f"{server.base_url}/tin-tuc-su-kien answered HTTP 404",  # its own category path
    ]
    assert result.stderr.startswith("Error: ")


def test_user_registry_errors_are_one_line(tmp_path):
    bad = tmp_path / "sites.local.toml"
    bad.write_text("[[site]]\nid = 'x'\nname = 'X'\nbase_url = 'https://x.gov.vn'\nfavourite = 1\n")
    result = invoke("sites", "--registry", bad)
    assert result.exit_code == 1
    assert "unknown keys ['favourite']" in result.output
    with pytest.raises(RegistryError, match="already in the registry"):
        append_entry(tmp_path / "other.toml", {"id": SEED, "name": "x", "base_url": "https://x.vn"})


def test_identity_joins_the_urls_of_one_article():
    liferay = SITES["hanoi-sotttt"]
    a = "https://sotttt.hanoi.gov.vn/tin-tuc-su-kien/-/view_content/4418033-chinh-thuc.html"
    b = "https://sotttt.hanoi.gov.vn/cong-nghe-thong-tin/-/view_content/4418033-chinh-thuc.html?redirect=x"
    assert liferay.identity(a) == liferay.identity(b) == "sotttt.hanoi.gov.vn#4418033"
    moj = SITES["moj-htpldn"]
    assert moj.identity("https://htpldn.moj.gov.vn/Pages/chi-tiet-tin.aspx?itemid=12&l=A") == (
        moj.identity("https://htpldn.moj.gov.vn/Pages/chi-tiet-tin.aspx?ItemID=12&l=B")
    )
    plain = Site(id="x", name="x", base_url="https://x.gov.vn")
    assert plain.identity("https://x.gov.vn/a/?utm_source=z") == "https://x.gov.vn/a"
