"""`vngov schedule`: systemd units that systemd accepts, crontab lines of the right shape."""

from __future__ import annotations

import json
import os
import pwd
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.cli import cli
from archive.schedule import (
    Every,
    ScheduleError,
    cron_times,
    on_calendar,
    parse_every,
    systemd_quote,
    vngov_command,
)
from crawler.shards import shard_of
from crawler.sites import load_sites

SITE = "angiang-sonoivu"


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.fixture()
def db(tmp_path) -> Path:
    """An archive path in a directory whose name has a space and a percent sign."""
    directory = tmp_path / "lưu trữ 100%"
    directory.mkdir()
    return directory / "archive.db"


@pytest.mark.parametrize(
    ("text", "minutes", "shown"),
    [
        ("30m", 30, "30m"),
        ("6h", 360, "6h"),
        ("1d", 1440, "1d"),
        ("1h30m", None, None),
        ("2d", 2880, "2d"),
        ("60m", 60, "1h"),
        ("24h", 1440, "1d"),
    ],
)
def test_parse_every(text, minutes, shown):
    if minutes is None:
        with pytest.raises(ScheduleError, match="cannot run every 1h30m at regular times"):
            parse_every(text)
        return
    every = parse_every(text)
    assert (every.minutes, str(every)) == (minutes, shown)


@pytest.mark.parametrize("text", ["", "6", "h", "0h", "7h", "45m", "6 hours", "-6h"])
def test_parse_every_refuses_irregular_or_unreadable_intervals(text):
    with pytest.raises(ScheduleError):
        parse_every(text)


@pytest.mark.parametrize(
    ("every", "pattern"),
    [
        ("15m", r"([0-9]|1[0-4])-59/15 \* \* \* \*"),
        ("1h", r"[0-5]?[0-9] \* \* \* \*"),
        ("6h", r"[0-5]?[0-9] [0-5]-23/6 \* \* \*"),
        ("1d", r"[0-5]?[0-9] (1?[0-9]|2[0-3]) \* \* \*"),
        ("3d", r"[0-5]?[0-9] (1?[0-9]|2[0-3]) 1-31/3 \* \*"),
    ],
)
def test_cron_time_fields(every, pattern):
    times = cron_times(parse_every(every), SITE)
    assert len(times.split()) == 5
    assert re.fullmatch(pattern, times), times
    assert cron_times(parse_every(every), SITE) == times  # stable per site


def test_sites_are_spread_over_the_hour():
    minutes = {cron_times(Every(360), f"site-{n}").split()[0] for n in range(50)}
    assert len(minutes) > 20


def test_calendar_expressions():
    assert on_calendar(Every(15)) == "*-*-* *:00/15:00"
    assert on_calendar(Every(360)) == "*-*-* 00/6:00:00"
    assert on_calendar(Every(1440)) == "*-*-* 00:00:00"
    assert on_calendar(Every(2880)) == "*-*-01/2 00:00:00"


def test_systemd_quoting():
    assert systemd_quote("/usr/bin/flock") == "/usr/bin/flock"
    assert systemd_quote("/a b/100%.db") == '"/a b/100%%.db"'
    assert systemd_quote('say "hi" $HOME') == '"say \\"hi\\" $$HOME"'


def test_cron_line_runs_the_crawl_under_flock_with_absolute_quoted_paths(db):
    result = invoke("schedule", "install", SITE, "--every", "6h", "--db", str(db), "--cron")
    assert result.exit_code == 0, result.output
    [line] = result.stdout.splitlines()
    fields = line.split(" ", 5)
    assert re.fullmatch(r"[0-5]?[0-9] [0-5]-23/6 \* \* \*", " ".join(fields[:5]))
    command = fields[5]
    assert "100\\%" in command and "100%" not in command.replace("100\\%", "")
    argv = shlex.split(command.replace("\\%", "%"))
    flock = shutil.which("flock") or "/usr/bin/flock"
    assert argv == [
        flock,
        "-n",
        f"{db}.{SITE}.lock",
        flock,
        f"{db}.lock",
        *vngov_command(),
        "crawl",
        SITE,
        "--db",
        str(db),
        "--quiet",
    ]
    assert all(os.path.isabs(a) for a in (argv[0], argv[2], argv[3], argv[4], argv[5]))


def test_install_writes_units_that_systemd_accepts(db, tmp_path):
    units = tmp_path / "units"
    result = invoke(
        "schedule", "install", SITE, "--every", "6h", "--db", str(db), "--unit-dir", str(units)
    )
    assert result.exit_code == 0, result.output
    name = f"vngov-crawl-{SITE}"
    assert result.stdout.strip() == (
        f"systemctl --user daemon-reload && systemctl --user enable --now {name}.timer"
    )
    service = (units / f"{name}.service").read_text()
    timer = (units / f"{name}.timer").read_text()
    assert "\nType=oneshot\n" in service
    exec_start = next(line for line in service.splitlines() if line.startswith("ExecStart="))
    escaped_db = str(db).replace("%", "%%")
    assert exec_start == (
        f'ExecStart={shutil.which("flock") or "/usr/bin/flock"} "{escaped_db}.lock" '
        f'{vngov_command()[0]} crawl {SITE} --db "{escaped_db}" --quiet'
    )
    for line in (
        "OnCalendar=*-*-* 00/6:00:00",
        "Persistent=true",
        "RandomizedDelaySec=3600",
        "WantedBy=timers.target",
    ):
        assert f"\n{line}\n" in timer
    verify = shutil.which("systemd-analyze")
    if verify is None:
        pytest.skip("systemd-analyze is not installed (apt-get install systemd)")
    done = subprocess.run(
        [verify, "verify", str(units / f"{name}.service"), str(units / f"{name}.timer")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


def test_system_units_run_as_the_archive_owner_or_the_account_named(db, tmp_path):
    units = tmp_path / "units"
    owner = pwd.getpwuid(db.parent.stat().st_uid).pw_name
    args = ["schedule", "install", SITE, "--every", "6h", "--db", str(db), "--unit-dir", str(units)]
    result = invoke(*args, "--system")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("systemctl daemon-reload")
    service = (units / f"vngov-crawl-{SITE}.service").read_text()
    assert f"\nUser={owner}\n" in service
    user_units = invoke(*args, "--run-as", "archivist")
    assert user_units.exit_code == 2 and "only system units" in user_units.output
    cron = invoke(*args, "--system", "--cron", "--run-as", "archivist")
    assert cron.exit_code == 2 and "only system units" in cron.output
    db.write_bytes(b"")  # an archive that root wrote: nobody else can
    other = invoke(*args, "--system", "--run-as", "nobody")
    assert f"warning: nobody cannot write {db}" in other.stderr
    assert invoke(*args, "--system", "--run-as", "archivist").exit_code == 0
    assert "\nUser=archivist\n" in (units / f"vngov-crawl-{SITE}.service").read_text()
    invoke(*args, "--system")  # back to the owner, whom systemd-analyze can resolve
    verify = shutil.which("systemd-analyze")
    if verify is None:
        pytest.skip("systemd-analyze is not installed (apt-get install systemd)")
    done = subprocess.run(
        [verify, "verify", str(units / f"vngov-crawl-{SITE}.service")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


def test_list_and_remove(db, tmp_path):
    units = tmp_path / "units"
    invoke("schedule", "install", SITE, "--every", "1d", "--db", str(db), "--unit-dir", str(units))
    (units / "timers.target.wants").mkdir()
    # someone else's timer, which must stay
    os.symlink(units / f"vngov-crawl-{SITE}.timer", units / "timers.target.wants" / "x.timer")
    (units / "timers.target.wants" / f"vngov-crawl-{SITE}.timer").symlink_to(
        units / f"vngov-crawl-{SITE}.timer"
    )

    listed = invoke("schedule", "list", "--unit-dir", str(units), "--nl")
    assert listed.exit_code == 0
    [row] = [json.loads(line) for line in listed.stdout.splitlines()]
    assert (row["site"], row["every"], row["db"], row["unit"]) == (
        SITE,
        "1d",
        str(db),
        f"vngov-crawl-{SITE}",
    )

    removed = invoke("schedule", "remove", SITE, "--unit-dir", str(units))
    assert removed.exit_code == 0, removed.output
    assert removed.stdout.strip() == (
        f"systemctl --user stop vngov-crawl-{SITE}.timer; systemctl --user daemon-reload"
    )
    assert sorted(p.name for p in units.rglob("*")) == ["timers.target.wants", "x.timer"]
    again = invoke("schedule", "remove", SITE, "--unit-dir", str(units))
    assert again.exit_code == 1
    assert f"no scheduled crawl of {SITE} found" in again.output


def test_install_all_of_a_shard(db, tmp_path):
    units = tmp_path / "units"
    result = invoke(
        "schedule",
        "install",
        "--all",
        "--shard",
        "2/2",
        "--every",
        "12h",
        "--db",
        str(db),
        "--unit-dir",
        str(units),
    )
    assert result.exit_code == 0, result.output
    expected = sorted(f"vngov-crawl-{i}" for i in load_sites() if shard_of(i, 2) == 2)
    assert sorted(p.stem for p in units.glob("*.timer")) == expected
    assert sorted(p.stem for p in units.glob("*.service")) == expected


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["nope", "--every", "6h"], 1, "unknown site 'nope'"),
        ([SITE, "--all", "--every", "6h"], 2, "name a SITE or use --all"),
        (["--every", "6h"], 2, "name a SITE or use --all"),
        ([SITE, "--shard", "1/2", "--every", "6h"], 2, "--shard goes with --all"),
        (["--all", "--shard", "5/2", "--every", "6h"], 2, "no shard 5/2"),
        ([SITE, "--every", "7h"], 2, "cannot run every 7h"),
    ],
)
def test_install_refuses_bad_input_with_one_line(args, code, message, db, tmp_path):
    result = invoke("schedule", "install", *args, "--db", str(db), "--unit-dir", str(tmp_path))
    assert result.exit_code == code
    assert message in result.output
    assert "Traceback" not in result.output
    assert not list(tmp_path.glob("*.service"))
