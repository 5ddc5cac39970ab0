"""The vngov command: clean errors and non-zero exits on bad input, never a traceback."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from archive.cli import cli
from archive.storage import Archive
from tests.conftest import run_vngov


@pytest.fixture()
def db(tmp_path):
    path = tmp_path / "cli.db"
    archive = Archive(path)
    archive.store_article(
        {
            "url": "https://sonoivu.angiang.gov.vn/a",
            "title": "Công bố Quyết định số 959/QĐ-UBND về thủ tục hành chính",
            "body": "Triển khai Đề án 06 và tinh giản biên chế theo kế hoạch.",
            "published_at": "2024-05-12T00:00:00+07:00",
        },
        site="angiang-sonoivu",
        fetched_at="2024-05-13T00:00:00+00:00",
    )
    archive.close()
    return str(path)


def invoke(*args):
    return CliRunner().invoke(cli, list(args))


@pytest.mark.parametrize("query", ["959/QĐ-UBND", '"unbalanced', "de an 06", "NEAR("])
def test_search_odd_queries_give_results_or_none(db, query):
    result = invoke("search", query, "--db", db)
    assert result.exit_code == 0, result.output
    assert isinstance(json.loads(result.stdout), list)


def test_search_document_number_finds_it(db):
    result = invoke("search", "959/QĐ-UBND", "--db", db)
    [row] = json.loads(result.stdout)
    assert row["title_highlighted"] == (
        "Công bố Quyết định số <mark>959/QĐ-UBND</mark> về thủ tục hành chính"
    )


@pytest.mark.parametrize("query", ["", "-", "   "])
def test_search_nothing_to_search_is_one_line_error(db, query):
    result = invoke("search", query, "--db", db)
    assert result.exit_code == 1
    assert result.output.strip().startswith("Error: nothing to search for")
    assert len(result.output.strip().splitlines()) == 1


def test_search_missing_database_is_one_line_error(tmp_path):
    missing = tmp_path / "nope.db"
    result = invoke("search", "de an", "--db", str(missing))
    assert result.exit_code == 1
    assert f"Error: no archive at {missing}" in result.output
    assert not missing.exists()


@pytest.mark.parametrize("fmt", ["--csv", "--table", "--nl", "--format=table"])
def test_search_output_formats(db, fmt):
    result = invoke("search", "tinh gian", "--db", db, fmt)
    assert result.exit_code == 0
    assert "Quyết định số 959/QĐ-UBND" in result.stdout


def test_search_in_a_real_process_prints_no_traceback(db):
    done = run_vngov("search", '"unbalanced', "--db", db)
    assert done.returncode == 0
    assert "Traceback" not in done.stderr
    done = run_vngov("search", "-", "--db", db)
    assert done.returncode == 1
    assert (
        done.stderr.strip()
        == "Error: nothing to search for: type at least one word that is not excluded"
    )


def test_crawl_unknown_site_is_a_clear_error(tmp_path):
    result = invoke("crawl", "no-such-site", "--db", str(tmp_path / "x.db"))
    assert result.exit_code == 1
    assert "unknown site 'no-such-site'" in result.output


def test_crawl_refuses_relaxed_politeness_for_real_hosts(tmp_path):
    result = invoke(
        "crawl",
        "angiang-sonoivu",
        "--db",
        str(tmp_path / "x.db"),
        "--no-delay",
        "--base-url",
        "https://sonoivu.angiang.gov.vn",
    )
    assert result.exit_code == 1
    assert "refusing to crawl sonoivu.angiang.gov.vn with politeness relaxed" in result.output


def test_parse_missing_file_is_reported(tmp_path):
    result = invoke("parse", str(tmp_path / "missing.html"))
    assert result.exit_code == 1
    assert "cannot read" in result.output


def test_every_command_has_help_and_is_in_the_readme():
    from pathlib import Path

    readme = (Path(__file__).parent.parent / "README.md").read_text()
    for name, command in cli.commands.items():
        assert command.help, name
        assert f"vngov {name}" in readme, f"`vngov {name}` is not documented in the README"
