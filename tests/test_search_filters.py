"""Search filters (province old and new, agency, dates typed the Vietnamese way, documents...),
sorting, output, and a property test: no typed input breaks the FTS5 query."""

from __future__ import annotations

import json
import sqlite3
from datetime import date

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.cli import cli
from archive.query_dates import DateFilterError, Period, parse_period
from archive.search import FilterError, QueryError, SearchFilters, parse_query, search
from archive.storage import Archive
from tests.search_fixtures import build_archive, slug_of


@pytest.fixture()
def db_path(tmp_path):
    return build_archive(tmp_path / "filters.db")


@pytest.fixture()
def db(db_path):
    archive = Archive(db_path)
    yield archive.db
    archive.close()


def found(db, query, sort="date", **filters):
    return [slug_of(r) for r in search(db, query, filters=SearchFilters(**filters), sort=sort)]


def test_old_province_name_means_the_province_then(db):
    # Kiên Giang no longer exists: its articles from before the merger, not the later one
    assert found(db, "sat lo", province="kien giang") == ["satlo-kg"]
    assert found(db, "sat lo", province="Kiên Giang") == ["satlo-kg"]


def test_current_province_name_includes_the_provinces_merged_into_it(db):
    assert found(db, "sat lo", province="an giang") == ["satlo-kg-2025", "satlo-ag", "satlo-kg"]
    assert found(db, "sat lo", province="Tỉnh An Giang") == [
        "satlo-kg-2025",
        "satlo-ag",
        "satlo-kg",
    ]


def test_province_then_forces_the_historical_reading(db):
    # An Giang as it was, plus what Kiên Giang's site published in An Giang after the merger
    assert found(db, "sat lo", province_then="an giang") == ["satlo-kg-2025", "satlo-ag"]


def test_province_filter_falls_back_to_the_site_when_the_article_has_none(db):
    db.execute("update articles set province = null, province_now = null")
    db.conn.commit()
    # without the article's columns, the site's province (Kiên Giang) stands for both
    assert set(found(db, "sat lo", province="kien giang")) == {"satlo-kg", "satlo-kg-2025"}
    assert set(found(db, "sat lo", province="an giang")) == {
        "satlo-kg",
        "satlo-kg-2025",
        "satlo-ag",
    }


def test_unknown_province_is_a_clear_error(db):
    with pytest.raises(FilterError, match="no province is called 'Atlantis'"):
        search(db, "sat lo", filters=SearchFilters(province="Atlantis"))


def test_agency_category_author_ignore_diacritics(db):
    assert found(db, "", agency="so noi vu an giang") == ["satlo-ag", "hoagiai"]
    assert found(db, "", category="phong chong thien tai", author="manh cuong") == [
        "satlo-kg-2025",
        "satlo-kg",
    ]
    assert found(db, "hoa*", author="Ngọc Lan") == ["hoahoc"]


def test_unknown_agency_is_a_clear_error(db):
    with pytest.raises(FilterError, match="no site in this archive has an agency matching"):
        search(db, "sat lo", filters=SearchFilters(agency="bo ngoai giao"))


@pytest.mark.parametrize(
    ("since", "until", "expected"),
    [
        ("tháng 2/2024", "tháng 2/2024", ["hoahoc", "hoanhap", "satlo-kg"]),
        ("2/2024", "2/2024", ["hoahoc", "hoanhap", "satlo-kg"]),
        (
            "thang 02-2024",
            None,
            ["satlo-kg-2025", "chuyendoiso", "satlo-ag", "hoahoc", "hoanhap", "satlo-kg"],
        ),
        ("06/02/2024", "06/02/2024", ["satlo-kg"]),
        ("2024-02-07", "20/02/2024", ["hoanhap"]),
        ("năm 2023", "nam 2023", ["hoagiai"]),
        (None, "quý 1/2024", ["satlo-ag", "hoahoc", "hoanhap", "satlo-kg", "hoagiai"]),
        ("2024-06-30", "2024-06", ["chuyendoiso"]),
    ],
)
def test_dates_typed_as_people_type_them(db, since, until, expected):
    assert found(db, "", since=since, until=until) == expected


def test_unreadable_date_is_a_clear_error(db):
    with pytest.raises(FilterError, match="cannot read 'hôm kia' as a date"):
        search(db, "sat lo", filters=SearchFilters(since="hôm kia"))
    with pytest.raises(FilterError, match="'31/02/2024' is not a real date"):
        search(db, "sat lo", filters=SearchFilters(since="31/02/2024"))


@pytest.mark.parametrize("doc", ["959/QĐ-UBND", "959/qd-ubnd", "959 / QĐ - UBND", "959/qđ-ubnd"])
def test_doc_filter_finds_the_articles_citing_it(db, doc):
    assert found(db, "", doc=doc) == ["chuyendoiso", "satlo-kg"]


def test_doc_filter_with_a_query_and_a_prefix(db):
    assert found(db, "sat lo", doc="959/QĐ-UBND") == ["satlo-kg"]
    assert found(db, "", doc="thong tu 22/2023/TT-BTTTT") == ["chuyendoiso"]
    assert found(db, "", doc="959/QĐ") == ["chuyendoiso", "satlo-kg"]  # any issuer
    assert found(db, "", doc="960/QĐ-UBND") == []


def test_has_attachment(db):
    assert found(db, "", has_attachment=True) == ["hoahoc", "satlo-kg"]
    assert found(db, "sat lo", has_attachment=True) == ["satlo-kg"]


def test_site_filter_and_the_old_site_keyword(db):
    assert found(db, "sat lo", site="kiengiang-ubnd") == ["satlo-kg-2025", "satlo-kg"]
    assert [slug_of(r) for r in search(db, "sat lo", site="angiang-sonoivu")] == ["satlo-ag"]


def test_sort_by_date_and_by_relevance(db):
    assert found(db, "sat lo", sort="date") == ["satlo-kg-2025", "satlo-ag", "satlo-kg"]
    # relevance: phrase hits first; "sạt lở" is in every title, so bm25 decides
    results = search(db, "sat lo")
    assert all(r["phrase_match"] for r in results)
    assert [r["score"] for r in results] == sorted(r["score"] for r in results)


def test_filters_without_a_query_list_newest_first(db):
    assert found(db, "", province="dong thap") == ["chuyendoiso", "hoahoc", "hoanhap"]


def test_no_query_and_no_filter_is_an_error(db):
    with pytest.raises(QueryError, match="nothing to search for"):
        search(db, "", filters=SearchFilters())


def test_results_carry_province_dates_and_permalink(db):
    [row] = search(db, "an minh")
    assert {k: row[k] for k in ("site", "province", "province_now", "published_at")} == {
        "site": "kiengiang-ubnd",
        "province": "Kiên Giang",
        "province_now": "An Giang",
        "published_at": "2024-02-06T08:37:00+07:00",
    }
    assert row["permalink"] == f"/archive/articles/{row['id']}"
    assert row["attachments"] == 1
    assert row["version"] == 1


# --- the command line -------------------------------------------------------------------------


def invoke(*args):
    return CliRunner().invoke(cli, list(args))


def test_cli_filters_and_json(db_path):
    result = invoke("search", "sat lo", "--db", str(db_path), "--province", "kien giang")
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.stdout)
    assert row["title"] == "Khắc phục sạt lở bờ biển tại huyện An Minh"
    assert row["show"] == f"vngov show {row['id']} --db {db_path}"
    assert row["snippet"] == (
        "UBND tỉnh Kiên Giang chỉ đạo khắc phục <mark>sạt</mark> <mark>lở</mark> bờ biển "
        "theo Quyết định số 959/QĐ-UBND."
    )


def test_cli_table_is_readable(db_path):
    result = invoke("search", "hoa giai", "--db", str(db_path), "--table")
    assert result.exit_code == 0, result.output
    header, _, first = result.stdout.splitlines()[:3]
    assert header.split() == ["id", "date", "province", "site", "title", "snippet", "url"]
    assert "2023-11-20  An Giang    angiang-sonoivu  Tập huấn công tác [hòa] [giải] ở" in first


def test_cli_csv_has_the_permalink(db_path):
    result = invoke("search", "--doc", "959/qd-ubnd", "--db", str(db_path), "--csv")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "id,published_at,site,province,province_now,category,author,title,snippet,url,"
        "permalink,show"
    )
    assert len(lines) == 3
    assert lines[1].split(",")[10] == f"/archive/articles/{lines[1].split(',')[0]}"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sat", "--province", "Atlantis"], "Error: no province is called 'Atlantis'"),
        (["sat", "--since", "soon"], "Error: cannot read 'soon' as a date"),
        (["", "--doc", "   "], "Error: --doc needs a document number"),
    ],
)
def test_cli_bad_filters_are_one_line_errors(db_path, args, message):
    result = invoke("search", *args, "--db", str(db_path))
    assert result.exit_code == 1
    assert result.output.startswith(message)
    assert len(result.output.strip().splitlines()) == 1


# --- dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2024-02-06", date(2024, 2, 6), date(2024, 2, 7)),
        ("2024-02-06T08:37:00+07:00", date(2024, 2, 6), date(2024, 2, 7)),
        ("2024-02", date(2024, 2, 1), date(2024, 3, 1)),
        ("2024", date(2024, 1, 1), date(2025, 1, 1)),
        ("06/02/2024", date(2024, 2, 6), date(2024, 2, 7)),
        ("6-2-2024", date(2024, 2, 6), date(2024, 2, 7)),
        ("ngày 6 tháng 2 năm 2024", date(2024, 2, 6), date(2024, 2, 7)),
        ("2/2024", date(2024, 2, 1), date(2024, 3, 1)),
        ("tháng 12/2024", date(2024, 12, 1), date(2025, 1, 1)),
        ("Tháng 2 năm 2024", date(2024, 2, 1), date(2024, 3, 1)),
        ("T2/2024", date(2024, 2, 1), date(2024, 3, 1)),
        ("năm 2024", date(2024, 1, 1), date(2025, 1, 1)),
        ("quý IV/2024", date(2024, 10, 1), date(2025, 1, 1)),
        ("quý 1 năm 2025", date(2025, 1, 1), date(2025, 4, 1)),
        (" thang  2 / 2024 ", date(2024, 2, 1), date(2024, 3, 1)),
    ],
)
def test_parse_period(text, start, end):
    assert parse_period(text) == Period(start, end)


@pytest.mark.parametrize("text", ["", "hôm qua", "13/2024", "2024-13", "32/01/2024", "quý 5/2024"])
def test_parse_period_refuses_what_is_no_date(text):
    with pytest.raises(DateFilterError):
        parse_period(text)


# --- any input is a valid query ---------------------------------------------------------------


@pytest.fixture(scope="module")
def fts():
    conn = sqlite3.connect(":memory:")
    conn.execute(
        "create virtual table t using fts5(a, b, tokenize='unicode61 remove_diacritics 2')"
    )
    conn.execute("insert into t values ('Quyết định 959/QĐ-UBND', 'hòa giải ở cơ sở')")
    return conn


PIECES = [
    '"',
    "*",
    "-",
    "(",
    ")",
    "^",
    ":",
    "+",
    "/",
    "OR",
    "AND",
    "NOT",
    "NEAR",
    "NEAR(",
    "\\",
    "'",
    ".",
    ",",
    "đ",
    "Đ",
    "hòa",
    "hoà",
    "959/QĐ-UBND",
    "TT-BTTTT",
    "{",
    "}",
    "-x",
    "x*",
    '"a',
    "\x00",
    "\u0301",
    "ﬁ",
    "²",
]


@settings(max_examples=400, deadline=None, database=None)  # no .hypothesis/ left behind
@given(
    st.one_of(
        st.text(max_size=40),
        st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=4)), max_size=8).map(
            lambda parts: " ".join(parts)
        ),
        st.lists(st.sampled_from(PIECES), max_size=8).map("".join),
    )
)
def test_any_typed_text_parses_to_a_valid_fts5_query_or_a_clear_error(fts, text):
    try:
        parsed = parse_query(text)
    except QueryError as error:
        assert str(error).startswith("nothing to search for")
        return
    fts.execute("select rowid from t where t match ?", [parsed.match]).fetchall()
    if parsed.phrase:
        fts.execute("select rowid from t where t match ?", [parsed.phrase]).fetchall()
