"""Deploy to a real Scrapyd with scrapyd-deploy, crawl through its JSON API, merge two nodes.

Each Scrapyd runs on a free loopback port with its own configuration, eggs, logs and
databases in a temporary directory; the project is deployed from a temporary copy whose
scrapy.cfg points at it, exactly as a user deploys from a checkout.
"""

from __future__ import annotations

import json
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

import pytest

from archive.merge import merge_archives
from archive.sample_portal.server import PortalServer
from crawler.shards import Shard
from crawler.warc import default_warc_dir, read_capture
from tests.conftest import REPO

BIN = Path(sys.executable).parent
PROJECT_FILES = ("crawler", "archive", "pyproject.toml", "setup.py", "scrapy.cfg", "README.md")
LOOPBACK_SETTINGS = (  # what `vngov crawl --no-delay` sets, given through schedule.json
    "DOWNLOAD_DELAY=0",
    "DOWNLOAD_DELAY_JITTER=0",
    "AUTOTHROTTLE_ENABLED=False",
    "CONCURRENT_REQUESTS_PER_DOMAIN=8",
)
TIMEOUT = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def call(url: str, data: list[tuple[str, str]] | None = None) -> dict:
    """GET (or POST form ``data`` to) a Scrapyd JSON endpoint."""
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    with urllib.request.urlopen(url, data=body, timeout=10) as response:
        return json.loads(response.read())


class Scrapyd:
    """A Scrapyd server in its own directory on a free loopback port."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        directory.mkdir(parents=True)
        (directory / "scrapyd.conf").write_text(
            "[scrapyd]\n"
            "bind_address = 127.0.0.1\n"
            f"http_port = {self.port}\n"
            "eggs_dir = eggs\nlogs_dir = logs\ndbs_dir = dbs\nitems_dir =\n"
            "max_proc = 1\n"  # one crawl at a time per node: each node writes one archive
            "poll_interval = 0.2\n"
        )
        self.log = open(directory / "scrapyd.out", "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [str(BIN / "scrapyd")], cwd=directory, stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + TIMEOUT
        while True:
            try:
                if call(self.url + "daemonstatus.json")["status"] == "ok":
                    return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Scrapyd did not start: {self.output()}")
            time.sleep(0.1)

    def output(self) -> str:
        return (self.directory / "scrapyd.out").read_text(errors="replace")

    def schedule(self, site: str, base_url: str, db: Path) -> str:
        answer = call(
            self.url + "schedule.json",
            [
                ("project", "vngov"),
                ("spider", "portal"),
                ("site", site),
                ("base_url", base_url),
                ("setting", f"VNGOV_DB={db}"),
                *(("setting", setting) for setting in LOOPBACK_SETTINGS),
            ],
        )
        assert answer["status"] == "ok", answer
        return answer["jobid"]

    def wait(self, job: str) -> dict:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            jobs = call(self.url + "listjobs.json?project=vngov")
            done = [j for j in jobs["finished"] if j["id"] == job]
            if done:
                return done[0]
            time.sleep(0.2)
        raise AssertionError(f"job {job} did not finish in {TIMEOUT} s")

    def job_log(self, job: str) -> str:
        return (self.directory / "logs" / "vngov" / "portal" / f"{job}.log").read_text()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


@pytest.fixture()
def nodes(tmp_path):
    """Start Scrapyd servers on demand; all are stopped after the test."""
    if not (BIN / "scrapyd").exists() or not (BIN / "scrapyd-deploy").exists():
        pytest.skip("scrapyd and scrapyd-client are not installed (pip install -e '.[test]')")
    started: list[Scrapyd] = []

    def start(name: str) -> Scrapyd:
        node = Scrapyd(tmp_path / name)
        started.append(node)
        return node

    yield start
    for node in started:
        node.stop()


@pytest.fixture()
def portals():
    started: list[PortalServer] = []

    def start() -> PortalServer:
        server = PortalServer().start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def deploy(tmp_path: Path, targets: dict[str, Scrapyd]) -> None:
    """Copy the project, point its scrapy.cfg at the nodes and run ``scrapyd-deploy -a``."""
    project = tmp_path / "project"
    project.mkdir()
    for name in PROJECT_FILES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, project / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, project / name)
    config = (project / "scrapy.cfg").read_text()
    assert "[deploy]" in config and "project = vngov" in config
    sections = "".join(
        f"\n[deploy:{name}]\nurl = {node.url}\nproject = vngov\n" for name, node in targets.items()
    )
    config = config.replace(
        "url = http://localhost:6800/", f"url = {next(iter(targets.values())).url}"
    )
    (project / "scrapy.cfg").write_text(config + sections)
    done = subprocess.run(
        [str(BIN / "scrapyd-deploy"), "-a", "--version", "r1"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert done.returncode == 0, done.stderr + done.stdout
    answers = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert [(a["status"], a["project"], a["spiders"]) for a in answers] == [("ok", "vngov", 1)] * (
        len(targets) + 1
    )  # the default [deploy] target and each named one


def archived_paths(db: Path, site: str) -> set[str]:
    conn = sqlite3.connect(db)
    rows = conn.execute("select url_key from articles where site = ?", [site]).fetchall()
    conn.close()
    return {urllib.parse.urlsplit(url).path for (url,) in rows}


def test_deploy_schedule_and_find_every_article(tmp_path, nodes, portals):
    node = nodes("node")
    portal = portals()
    deploy(tmp_path, {"local": node})
    assert call(node.url + "listspiders.json?project=vngov")["spiders"] == ["portal"]
    [egg] = (node.directory / "eggs" / "vngov").glob("*.egg")
    with zipfile.ZipFile(egg) as contents:
        names = set(contents.namelist())
        entry_points = contents.read("EGG-INFO/entry_points.txt").decode()
    # the data files the crawl reads travel in the egg, and the settings entry point with it
    assert {
        "crawler/settings.py",
        "crawler/sites.toml",
        "crawler/parsers/profiles.toml",
        "archive/data/provinces.toml",
    } <= names
    assert "[scrapy]\nsettings = crawler.settings" in entry_points
    db = tmp_path / "scrapyd.db"

    job = node.schedule("angiang-sonoivu", portal.base_url, db)
    node.wait(job)

    log = node.job_log(job)
    assert "Traceback (most recent call last)" not in log
    assert archived_paths(db, "angiang-sonoivu") == set(portal.portal.by_path), log[-3000:]
    conn = sqlite3.connect(db)
    [(fetched, new, reason)] = conn.execute(
        "select pages_fetched, articles_new, finish_reason from crawl_runs"
    ).fetchall()
    articles = len(portal.portal.by_path)
    assert (new, reason) == (articles, "finished") and fetched > articles
    assert list(default_warc_dir(db).glob("*.warc.gz"))


def test_two_nodes_crawl_two_shards_and_merge(tmp_path, nodes, portals):
    """Two Scrapyd nodes, each given the sites of its shard, each writing its own archive;
    the archives merge with every article, version and capture, once."""
    sites = ["angiang-sonoivu", "angiang-soyte"]  # WebSphere sites the sample portal fits
    first, second = nodes("node1"), nodes("node2")
    deploy(tmp_path, {"node1": first, "node2": second})
    plan = {
        node: (Shard(index, 2).select(sites), portals(), tmp_path / f"node{index}.db")
        for index, node in ((1, first), (2, second))
    }
    assert [chosen for chosen, _, _ in plan.values()] == [["angiang-soyte"], ["angiang-sonoivu"]]

    jobs = {
        node: [node.schedule(site, portal.base_url, db) for site in chosen]
        for node, (chosen, portal, db) in plan.items()
    }
    for node, ids in jobs.items():
        for job in ids:
            node.wait(job)
            assert "Traceback (most recent call last)" not in node.job_log(job)

    into = tmp_path / "archive.db"
    reports = merge_archives([db for _, _, db in plan.values()], into)

    articles = len(next(iter(plan.values()))[1].portal.by_path)
    assert [r.articles_new for r in reports] == [articles, articles]
    for chosen, portal, _ in plan.values():
        assert archived_paths(into, chosen[0]) == set(portal.portal.by_path)
    conn = sqlite3.connect(into)
    conn.row_factory = sqlite3.Row
    assert conn.execute("select count(*) from article_versions").fetchone()[0] == 2 * articles
    assert [r[0] for r in conn.execute("select site from crawl_runs order by id")] == [
        "angiang-soyte",
        "angiang-sonoivu",
    ]
    # the two portals publish the same announcements: the later copies point at the first
    linked = conn.execute("select count(*) from articles where duplicate_of is not null")
    assert linked.fetchone()[0] == articles
    warc_dir = default_warc_dir(into)
    sources = {p.name for _, _, db in plan.values() for p in default_warc_dir(db).iterdir()}
    assert {p.name for p in warc_dir.iterdir()} == sources
    version = conn.execute(
        "select a.url, v.warc_filename, v.warc_offset from article_versions v"
        " join articles a on a.id = v.article_id where a.site = 'angiang-soyte' limit 1"
    ).fetchone()
    status, _, body = read_capture(warc_dir, version["warc_filename"], version["warc_offset"])
    assert status == 200 and b"news-detail" in body

    again = merge_archives([db for _, _, db in plan.values()], into)
    assert [(r.articles_new, r.versions_added, r.runs_added) for r in again] == [(0, 0, 0)] * 2
