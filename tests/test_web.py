"""`vngov serve`: Datasette on the archive, read-only, searching the folded index."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import unicodedata
import urllib.parse
import urllib.request

import pytest

from archive.search import RANK_CANDIDATES
from archive.storage import Archive
from archive.web import is_loopback, make_datasette, metadata
from tests.conftest import run_vngov
from tests.search_fixtures import build_archive, served


@pytest.fixture(scope="module")
def db_path(tmp_path_factory):
    path = build_archive(tmp_path_factory.mktemp("web") / "web.db")
    archive = Archive(path)
    archive.store_article(
        {
            "url": "https://dongthap-sotttt.gov.vn/xss",
            "title": "Cảnh báo <script>alert(1)</script> lừa đảo",
            "body": "Đồng Tháp cảnh báo trang giả mạo <img src=x onerror=alert(1)>.",
        },
        site="dongthap-sotttt",
        fetched_at="2024-07-01T00:00:00+00:00",
    )
    archive.db["contacts"].insert_all(
        [
            {
                "id": "a",
                "site": "angiang-sonoivu",
                "block_title": "Đường dây nóng",
                "position": 1,
                "name": "Nguyễn Văn A",
                "phones_e164": "+84983570009",
                "first_seen": "2024-01-01T00:00:00+00:00",
                "last_seen": "2024-03-01T00:00:00+00:00",
            },
            {
                "id": "b",
                "site": "angiang-sonoivu",
                "block_title": "Đường dây nóng",
                "position": 1,
                "name": "Trần Thị B",
                "phones_e164": "+84378247247",
                "first_seen": "2024-03-01T00:00:00+00:00",
                "last_seen": "2024-06-01T00:00:00+00:00",
            },
        ]
    )
    archive.db.conn.commit()
    archive.close()
    return path


@pytest.fixture(scope="module")
def datasette(db_path):
    instance = make_datasette(db_path)
    asyncio.run(instance.invoke_startup())
    return instance


def get(datasette, path):
    async def fetch():
        return await datasette.client.get(path)

    return asyncio.run(fetch())


def rows(datasette, path):
    response = get(datasette, path + ("&" if "?" in path else "?") + "_shape=array")
    assert response.status_code == 200, response.text
    return response.json()


def q(text):
    return urllib.parse.quote(text)


def test_search_query_without_diacritics_marks_the_original(datasette):
    found = rows(datasette, f"/archive/search.json?q={q('sat lo')}")
    titles = {r["title"] for r in found}
    assert "Khắc phục <mark>sạt</mark> <mark>lở</mark> bờ biển tại huyện An Minh" in titles
    assert len(found) == 3
    [first] = rows(datasette, f"/archive/search.json?q={q('an minh')}")
    assert first["snippet"] == (
        "UBND tỉnh Kiên Giang chỉ đạo khắc phục sạt lở bờ biển theo Quyết định số 959/QĐ-UBND."
    )
    assert first["province"] == "Kiên Giang"


@pytest.mark.parametrize(
    "typed", ["dong thap", "Đồng Tháp", "ĐỒNG THÁP", unicodedata.normalize("NFD", "Đồng Tháp")]
)
def test_search_query_takes_any_spelling(datasette, typed):
    found = rows(datasette, f"/archive/search.json?q={q(typed)}")
    titles = {r["title"] for r in found}
    assert "<mark>Đồng</mark> <mark>Tháp</mark> đẩy mạnh chuyển đổi số" in titles


@pytest.mark.parametrize("typed", ["", "-", '"', "NEAR(", "*"])
def test_search_query_with_nothing_to_search_is_empty_not_an_error(datasette, typed):
    assert rows(datasette, f"/archive/search.json?q={q(typed)}") == []


def test_search_page_shows_highlights_and_escapes_everything_else(datasette):
    html = get(datasette, f"/archive/search?q={q('canh bao')}").text
    assert "<mark>Cảnh</mark> <mark>báo</mark> &lt;script&gt;alert(1)&lt;/script&gt; lừa đảo" in (
        html
    )
    assert "<script>alert(1)" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("dong thap", "Đồng Tháp đẩy mạnh chuyển đổi số"),
        ("Đồng Tháp", "Đồng Tháp đẩy mạnh chuyển đổi số"),
        ("959/QĐ-UBND", "Đồng Tháp đẩy mạnh chuyển đổi số"),
        ("TT-BTTTT", "Đồng Tháp đẩy mạnh chuyển đổi số"),
        ('"hoa giai o co so"', "Tập huấn công tác hòa giải ở cơ sở"),
        ("hoa* -hoc -nhap", "Tập huấn công tác hòa giải ở cơ sở"),
    ],
)
def test_table_search_box_uses_the_archive_parser(datasette, typed, expected):
    found = rows(datasette, f"/archive/articles.json?_search={q(typed)}&_col=title")
    assert expected in [r["title"] for r in found]


@pytest.mark.parametrize("typed", ["-", '"unbalanced', "a:b", "NEAR("])
def test_table_search_box_never_errors(datasette, typed):
    response = get(datasette, f"/archive/articles.json?_search={q(typed)}")
    assert response.status_code == 200, response.text


def test_articles_facets_include_month(datasette):
    data = get(datasette, "/archive/articles.json?_size=0").json()
    assert set(data["facet_results"]) == {"site", "province", "category", "author", "published_at"}
    months = data["facet_results"]["published_at"]["results"]
    assert [m["value"] for m in months][:3] == ["2025-08", "2024-06", "2024-03"]
    assert months[0]["toggle_url"].endswith("published_at__startswith=2025-08")
    selected = rows(datasette, "/archive/articles.json?published_at__startswith=2024-02&_col=id")
    assert len(selected) == 3


def test_latest_per_province_gives_each_province_of_today(datasette):
    found = rows(datasette, "/archive/latest_per_province.json?per_province=1")
    assert [(r["province_now"], r["province"], r["published"]) for r in found] == [
        ("An Giang", "An Giang", "2025-08-01"),
        ("Đồng Tháp", "Đồng Tháp", "2024-06-30"),
    ]


@pytest.mark.parametrize("doc", ["959/QĐ-UBND", "959/qd-ubnd", "959 / QĐ - UBND", "959/QĐ"])
def test_citing_document(datasette, doc):
    found = rows(datasette, f"/archive/citing_document.json?doc={q(doc)}")
    assert [(r["published"], r["ref"]) for r in found] == [
        ("2024-06-30", "959/QĐ-UBND"),
        ("2024-02-06", "959/QĐ-UBND"),
    ]


@pytest.mark.parametrize(
    ("date", "names"),
    [
        ("2024-02-01", ["Nguyễn Văn A"]),
        ("tháng 4/2024", ["Trần Thị B"]),
        ("01/03/2024", ["Nguyễn Văn A", "Trần Thị B"]),
        ("2025", ["Trần Thị B"]),  # still listed at the site's latest crawl
        ("2023", []),
    ],
)
def test_contacts_as_of_a_date(datasette, date, names):
    found = rows(datasette, f"/archive/contacts_as_of.json?date={q(date)}")
    assert [r["name"] for r in found] == names


def test_metadata_describes_tables_and_columns(datasette):
    html = get(datasette, "/archive/articles").text
    assert "One row per article URL, holding its current version" in html
    columns = metadata()["databases"]["archive"]["tables"]["articles"]["columns"]
    assert columns["province_now"] == "Province the site belongs to since 1 July 2025."
    assert get(datasette, "/archive/articles?_sort=id").status_code == 200


def test_record_permalink(datasette):
    [row] = rows(datasette, f"/archive/search.json?q={q('an minh')}")
    page = get(datasette, f"/archive/articles/{row['id']}")
    assert page.status_code == 200
    assert "Khắc phục sạt lở bờ biển tại huyện An Minh" in page.text


def test_the_archive_is_opened_read_only(datasette, db_path):
    database = datasette.get_database("archive")

    def write(conn):
        conn.execute("delete from articles")

    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        asyncio.run(database.execute_fn(write))
    response = get(datasette, f"/archive.json?sql={q('delete from articles')}")
    assert response.status_code == 400
    assert sqlite3.connect(db_path).execute("select count(*) from articles").fetchone()[0] == 8


def test_loopback_hosts():
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("example.org")


def test_vngov_serve_runs_datasette_on_loopback(db_path):
    with served(db_path) as base:
        url = f"{base}/archive/search.json?q={q('dong thap')}&_shape=array"
        with urllib.request.urlopen(url, timeout=10) as response:
            found = json.load(response)
    assert "<mark>Đồng</mark> <mark>Tháp</mark> đẩy mạnh chuyển đổi số" in [
        r["title"] for r in found
    ]


def test_vngov_serve_without_an_archive_is_a_one_line_error(tmp_path):
    done = run_vngov("serve", "--db", str(tmp_path / "none.db"), "--port", "1")
    assert done.returncode == 1
    assert done.stderr.strip() == (
        f"Error: no archive at {tmp_path / 'none.db'} "
        f"(create one with `vngov crawl SITE --db {tmp_path / 'none.db'}` or `vngov demo`)"
    )


def served_articles(path, articles: list[tuple[str, str]]):
    """Datasette on a new archive of ``(title, body)`` articles, the n-th at /tin/n."""
    archive = Archive(path)
    with archive.transaction():
        for n, (title, body) in enumerate(articles):
            archive.store_article(
                {"url": f"https://angiang.gov.vn/tin/{n}", "title": title, "body": body},
                site="angiang-ubnd",
                fetched_at="2026-11-27T00:00:00+00:00",
            )
    archive.close()
    instance = make_datasette(path)
    asyncio.run(instance.invoke_startup())
    return instance


def test_the_search_page_ranks_the_newest_matches_when_there_are_more(tmp_path):
    """Like `vngov search`, the web search ranks the RANK_CANDIDATES most recently archived
    matches, not every match: ranking all of a common query's matches grows with the
    archive. An older article, however relevant, is then not on the page."""
    instance = served_articles(
        tmp_path / "many.db",
        [
            (
                "Quy hoạch quy hoạch quy hoạch" if n == 0 else f"Thông báo số {n}",
                f"Văn bản {n} về quy hoạch tỉnh An Giang.",
            )
            for n in range(RANK_CANDIDATES + 20)
        ],
    )
    found = rows(instance, f"/archive/search.json?q={q('quy hoach')}")
    assert len(found) == 50
    assert min(int(row["url"].rsplit("/", 1)[1]) for row in found) >= 20
    sql = metadata()["databases"]["archive"]["queries"]["search"]["sql"]
    assert f"limit {RANK_CANDIDATES}\n" in sql  # the bound vngov search uses


def test_an_older_phrase_match_still_comes_first(tmp_path):
    """As in `vngov search`, the phrase tier has candidates of its own: an article holding
    the words as a phrase stays first though more than RANK_CANDIDATES newer articles hold
    them apart."""
    instance = served_articles(
        tmp_path / "phrase.db",
        [
            (
                f"Tin {n}",
                "Công bố quy hoạch tỉnh." if n == 0 else f"Quy định số {n} về kế hoạch năm.",
            )
            for n in range(RANK_CANDIDATES + 5 + 1)
        ],
    )
    found = rows(instance, f"/archive/search.json?q={q('quy hoach')}")
    assert found[0]["url"] == "https://angiang.gov.vn/tin/0"
    assert len(found) == 50
