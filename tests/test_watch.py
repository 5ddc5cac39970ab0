"""Watches: saved searches whose Atom feed lists what is new, changed or removed since."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from click.testing import CliRunner
from lxml import etree

from archive.alerts import (
    ATOM,
    WatchError,
    add_watch,
    atom_feed,
    get_watch,
    list_watches,
    remove_watch,
    watch_matches,
)
from archive.cli import cli
from archive.search import SearchFilters
from archive.storage import Archive
from tests.search_fixtures import build_archive

CREATED = "2024-07-01T12:00:00+00:00"
BEFORE, AFTER, LATER = (
    "2024-07-01T11:00:00+00:00",
    "2024-07-02T08:00:00+00:00",
    "2024-07-03T08:00:00+00:00",
)
# RFC 3339 date-time: full date, "T", time with seconds, fraction optional, Z or an offset.
RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)\Z")
A = f"{{{ATOM}}}"


@pytest.fixture()
def archive(tmp_path):
    archive = Archive(build_archive(tmp_path / "watch.db", fetched_at=BEFORE))
    yield archive
    archive.close()


def store(archive, slug, title, body, fetched_at, site="kiengiang-ubnd"):
    record = {"url": f"https://{site}.gov.vn/{slug}", "title": title, "body": body}
    return archive.store_article(record, site=site, fetched_at=fetched_at)


def test_feed_lists_new_changed_and_removed_matches_since_the_watch_began(archive):
    watch = add_watch(
        archive.db, "sat-lo", "sat lo", SearchFilters(province="an giang"), created_at=CREATED
    )
    assert watch_matches(archive.db, watch) == []  # everything was archived before

    store(archive, "new", "Sạt lở mới ở Hòn Đất", "Sạt lở 50 m đê biển.", AFTER)
    store(archive, "other", "Hội nghị du lịch", "Không liên quan.", AFTER)
    store(
        archive,
        "satlo-kg",
        "Khắc phục sạt lở bờ biển tại huyện An Minh",
        "Nội dung đã sửa: sạt lở 300 m.",
        LATER,
    )
    archive.mark_removed(
        "https://angiang-sonoivu.gov.vn/satlo-ag", removed_at=LATER, http_status=404
    )

    rows = watch_matches(archive.db, watch)
    assert [(r["url"].rsplit("/", 1)[1], r["version"], r["status"]) for r in rows] == [
        ("satlo-ag", 1, "removed"),
        ("satlo-kg", 2, "live"),
        ("new", 1, "live"),
    ]
    feed = etree.fromstring(atom_feed(watch, list(rows)))
    titles = [e.findtext(f"{A}title") for e in feed.iter(f"{A}entry")]
    assert titles == [
        "(removed) An Giang di dời dân khỏi vùng sạt lở",
        "(changed) Khắc phục sạt lở bờ biển tại huyện An Minh",
        "Sạt lở mới ở Hòn Đất",
    ]


def test_feed_is_valid_atom(archive):
    store(
        archive, "xml", 'Sạt lở <b>"bất thường"</b> & khẩn cấp', "Sạt lở <script>x</script>", AFTER
    )
    watch = add_watch(archive.db, "w", "sat lo", created_at=CREATED)
    document = atom_feed(watch, list(watch_matches(archive.db, watch)), web_url="http://x:1/")
    assert document.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    feed = etree.fromstring(document)
    assert feed.tag == f"{A}feed"
    # RFC 4287 4.1.1: id, title, updated; an author since entries may have none
    for tag in ("id", "title", "updated", "author"):
        assert feed.find(f"{A}{tag}") is not None, tag
    assert feed.findtext(f"{A}author/{A}name") == "vngov-archive"
    assert feed.findtext(f"{A}id").startswith("urn:uuid:")
    assert RFC3339.match(feed.findtext(f"{A}updated"))
    [entry] = feed.findall(f"{A}entry")
    for tag in ("id", "title", "updated", "summary"):
        assert entry.find(f"{A}{tag}") is not None, tag
    assert RFC3339.match(entry.findtext(f"{A}updated"))
    assert entry.findtext(f"{A}updated") == "2024-07-02T08:00:00+00:00"
    assert entry.findtext(f"{A}title") == 'Sạt lở <b>"bất thường"</b> & khẩn cấp'
    links = {link.get("rel"): link.get("href") for link in entry.findall(f"{A}link")}
    assert links["alternate"] == "https://kiengiang-ubnd.gov.vn/xml"
    assert re.fullmatch(r"http://x:1/archive/articles/\d+", links["related"])
    summary = entry.find(f"{A}summary")
    assert summary.get("type") == "html"
    assert summary.text.startswith("<mark>Sạt</mark> <mark>lở</mark> <script>x</script>")
    assert b"&lt;script&gt;" in document  # escaped in the XML, HTML for the reader


def test_feed_updated_is_the_latest_entry_and_ids_are_per_version(archive):
    watch = add_watch(archive.db, "w", "sat lo", created_at=CREATED)
    store(archive, "a", "Sạt lở A", "x", AFTER)
    first = etree.fromstring(atom_feed(watch, list(watch_matches(archive.db, watch))))
    store(archive, "a", "Sạt lở A", "x, sửa lại", LATER)
    second = etree.fromstring(atom_feed(watch, list(watch_matches(archive.db, watch))))
    assert first.findtext(f"{A}updated") == AFTER
    assert second.findtext(f"{A}updated") == LATER
    assert first.findtext(f"{A}entry/{A}id") != second.findtext(f"{A}entry/{A}id")
    assert first.findtext(f"{A}id") == second.findtext(f"{A}id")


def test_empty_feed_is_still_valid(archive):
    watch = add_watch(archive.db, "w", "khong co gi", created_at=CREATED)
    feed = etree.fromstring(atom_feed(watch, []))
    assert feed.findtext(f"{A}updated") == CREATED
    assert feed.findall(f"{A}entry") == []


def test_watch_keeps_filters_and_exact_mode(archive):
    add_watch(
        archive.db,
        "kg",
        "sạt lở",
        SearchFilters(province="kien giang", since="2024"),
        exact=True,
        created_at=CREATED,
    )
    [saved] = list_watches(archive.db)
    assert (saved.name, saved.query, saved.exact, saved.created_at) == (
        "kg",
        "sạt lở",
        True,
        CREATED,
    )
    assert saved.filters.active() == {"province": "kien giang", "since": "2024"}
    assert get_watch(archive.db, "kg") == saved


@pytest.mark.parametrize(
    ("name", "query", "filters", "message"),
    [
        ("", "sat lo", {}, "a watch needs a name"),
        ("x", "-", {}, "nothing to search for"),
        ("x", "sat", {"province": "Atlantis"}, "no province is called 'Atlantis'"),
        ("x", "sat", {"since": "mai"}, "cannot read 'mai' as a date"),
    ],
)
def test_bad_watches_are_refused(archive, name, query, filters, message):
    with pytest.raises(WatchError, match=message):
        add_watch(archive.db, name, query, SearchFilters(**filters))
    assert list_watches(archive.db) == []


def test_names_are_unique_unless_replaced(archive):
    add_watch(archive.db, "w", "sat lo")
    with pytest.raises(WatchError, match="a watch called 'w' exists"):
        add_watch(archive.db, "w", "hoa giai")
    add_watch(archive.db, "w", "hoa giai", replace=True)
    assert get_watch(archive.db, "w").query == "hoa giai"
    remove_watch(archive.db, "w")
    with pytest.raises(WatchError, match="no watch called 'w'"):
        get_watch(archive.db, "w")


# --- the command line -------------------------------------------------------------------------


def invoke(*args):
    return CliRunner().invoke(cli, list(args))


def test_cli_watch_add_list_feed_remove(tmp_path):
    db = str(build_archive(tmp_path / "cli.db", fetched_at=BEFORE))
    result = invoke("watch", "add", "kg", "sat lo", "--province", "kien giang", "--db", db)
    assert result.exit_code == 0, result.output
    assert "watch 'kg' saved" in result.output

    archive = Archive(db)
    now = datetime.now().astimezone().isoformat(timespec="seconds")
    store(archive, "later", "Sạt lở ở U Minh Thượng", "Sạt lở kênh.", now)
    # published before the merger, so Kiên Giang then
    archive.db.execute(
        "update articles set province = 'Kiên Giang', published_at = '2024-05-01T00:00:00+07:00'"
        " where url like '%/later'"
    )
    archive.db.conn.commit()
    archive.close()

    listed = invoke("watch", "list", "--db", db, "--table")
    assert listed.exit_code == 0, listed.output
    assert listed.stdout.splitlines()[0].split() == [
        "name",
        "query",
        "filters",
        "exact",
        "created_at",
        "new_or_changed",
    ]
    assert listed.stdout.splitlines()[2].split()[-1] == "1"

    out = tmp_path / "kg.xml"
    fed = invoke("watch", "feed", "kg", "--db", db, "--output", str(out))
    assert fed.exit_code == 0, fed.output
    feed = etree.parse(str(out)).getroot()
    assert [e.findtext(f"{A}title") for e in feed.iter(f"{A}entry")] == ["Sạt lở ở U Minh Thượng"]
    stdout = invoke("watch", "feed", "kg", "--db", db)
    assert etree.fromstring(stdout.stdout.encode()).findtext(f"{A}title") == (
        "vngov watch kg: sat lo"
    )

    assert invoke("watch", "remove", "kg", "--db", db).exit_code == 0
    gone = invoke("watch", "feed", "kg", "--db", db)
    assert gone.exit_code == 1
    assert gone.output.strip() == "Error: no watch called 'kg' (see `vngov watch list`)"


def test_cli_watch_errors_are_one_line(tmp_path):
    db = str(build_archive(tmp_path / "cli.db"))
    assert invoke("watch", "add", "w", "sat", "--db", db).exit_code == 0
    again = invoke("watch", "add", "w", "sat", "--db", db)
    assert again.exit_code == 1
    assert again.output.strip().startswith("Error: a watch called 'w' exists")
    missing = invoke("watch", "list", "--db", str(tmp_path / "none.db"))
    assert missing.exit_code == 1
    assert missing.output.startswith("Error: no archive at")
