"""Unattended crawls: systemd timer units or crontab lines for ``vngov crawl``.

Scrapyd runs spiders on request but schedules nothing, and ``scrapy crawl`` exits 0 even when
nothing was fetched; so a crawl is scheduled by the machine's own scheduler and judged by
``vngov crawl``'s exit code (3 for an unhealthy run, which makes the systemd unit fail).

Two locks keep crawls from stepping on each other. A site's crawl never runs twice at once:
its service is ``Type=oneshot``, and a timer does not start a unit that is still running;
under cron, ``flock -n`` on the site's lock skips a run while the previous one goes on. And
crawls into one archive run one after another (``flock`` on the archive's lock, waiting),
because two crawl processes writing one archive's WARC directory at once is not supported.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import shutil
import sys
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

UNIT_PREFIX = "vngov-crawl-"
MARKER = "# vngov-schedule: "  # a JSON line in each service unit, read back by `schedule list`
USER_UNIT_DIR = Path("~/.config/systemd/user")
SYSTEM_UNIT_DIR = Path("/etc/systemd/system")
_EVERY = re.compile(r"(\d+)\s*([mhd])")
_UNITS = {"m": 1, "h": 60, "d": 24 * 60}
MINUTES_PER_DAY = 24 * 60


class ScheduleError(ValueError):
    """A schedule that cannot be written as asked."""


@dataclass(frozen=True)
class Every:
    """A crawl interval in whole minutes that divides an hour or a day, or whole days."""

    minutes: int

    def __str__(self) -> str:
        if self.minutes % MINUTES_PER_DAY == 0:
            return f"{self.minutes // MINUTES_PER_DAY}d"
        if self.minutes % 60 == 0:
            return f"{self.minutes // 60}h"
        return f"{self.minutes}m"

    @property
    def delta(self) -> timedelta:
        return timedelta(minutes=self.minutes)


def parse_every(text: str) -> Every:
    """``"6h"``, ``"30m"``, ``"1d"``, ``"1h30m"``… → :class:`Every`.

    Both cron and systemd calendar expressions count from the start of the hour or the day,
    so an interval must divide an hour (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30 minutes), divide
    a day (1, 2, 3, 4, 6, 8, 12 hours) or be whole days; anything else is refused rather than
    run at uneven intervals.
    """
    compact = text.strip().lower().replace(" ", "")
    parts = _EVERY.findall(compact)
    if not parts or "".join(f"{n}{u}" for n, u in parts) != compact:
        raise ScheduleError(f"not an interval: {text!r} (write 30m, 6h or 1d)")
    minutes = sum(int(n) * _UNITS[u] for n, u in parts)
    if minutes <= 0:
        raise ScheduleError(f"the interval must be longer than zero: {text!r}")
    regular = (
        (minutes < 60 and 60 % minutes == 0)
        or (minutes < MINUTES_PER_DAY and minutes % 60 == 0 and MINUTES_PER_DAY % minutes == 0)
        or minutes % MINUTES_PER_DAY == 0
    )
    if not regular:
        raise ScheduleError(
            f"cannot run every {text} at regular times: use minutes that divide an hour "
            "(5m, 15m, 30m), hours that divide a day (1h, 2h, 3h, 4h, 6h, 8h, 12h) or whole days"
        )
    return Every(minutes)


def _offset(site_id: str, modulo: int) -> int:
    """A stable pseudo-random offset per site, so scheduled sites do not all start at once."""
    return int.from_bytes(hashlib.sha256(site_id.encode()).digest()[:4], "big") % modulo


def cron_times(every: Every, site_id: str) -> str:
    """The five time fields of a crontab line running every ``every`` (minute spread by site)."""
    minutes = every.minutes
    if minutes < 60:
        start = _offset(site_id, minutes)
        return f"{start}-59/{minutes} * * * *" if minutes > 1 else "* * * * *"
    minute = _offset(site_id, 60)
    if minutes < MINUTES_PER_DAY:
        hours = minutes // 60
        first_hour = _offset(site_id + ":h", hours)
        hour = f"{first_hour}-23/{hours}" if hours > 1 else "*"
        return f"{minute} {hour} * * *"
    days = minutes // MINUTES_PER_DAY
    hour = _offset(site_id + ":h", 24)
    return f"{minute} {hour} {'*' if days == 1 else f'1-31/{days}'} * *"


def on_calendar(every: Every) -> str:
    """A systemd ``OnCalendar=`` expression for ``every`` (the random delay spreads sites)."""
    minutes = every.minutes
    if minutes < 60:
        return f"*-*-* *:00/{minutes}:00"
    if minutes < MINUTES_PER_DAY:
        return f"*-*-* 00/{minutes // 60}:00:00"
    days = minutes // MINUTES_PER_DAY
    return "*-*-* 00:00:00" if days == 1 else f"*-*-01/{days} 00:00:00"


def randomized_delay(every: Every) -> int:
    """Seconds of ``RandomizedDelaySec=``: a quarter of the interval, at most an hour."""
    return min(every.minutes * 60 // 4, 3600)


def vngov_command() -> list[str]:
    """The absolute command that runs this very ``vngov`` (the one in this environment)."""
    beside_python = Path(os.path.abspath(sys.executable)).parent / "vngov"
    if beside_python.exists():
        return [str(beside_python)]
    found = shutil.which("vngov")
    if found:
        return [os.path.abspath(found)]
    return [os.path.abspath(sys.executable), "-m", "archive"]


def flock_path() -> str:
    return shutil.which("flock") or "/usr/bin/flock"


@dataclass(frozen=True)
class CrawlJob:
    """One scheduled crawl: which site, into which archive, how often."""

    site: str
    db: Path  # absolute
    every: Every
    registry: Path | None = None
    quiet: bool = True
    user: str | None = None  # system units: the account the crawl runs as

    @property
    def unit_name(self) -> str:
        return UNIT_PREFIX + unit_escape(self.site)

    @property
    def archive_lock(self) -> Path:
        return self.db.with_name(self.db.name + ".lock")

    @property
    def site_lock(self) -> Path:
        return self.db.with_name(f"{self.db.name}.{self.site}.lock")

    def crawl_argv(self) -> list[str]:
        argv = [*vngov_command(), "crawl", self.site, "--db", str(self.db)]
        if self.registry:
            argv += ["--registry", str(self.registry)]
        if self.quiet:
            argv.append("--quiet")
        return argv

    def marker(self) -> str:
        data = {"site": self.site, "db": str(self.db), "every": str(self.every)}
        if self.registry:
            data["registry"] = str(self.registry)
        return MARKER + json.dumps(data, ensure_ascii=False)


def archive_owner(db: Path) -> str | None:
    """The account owning the archive's directory: a system unit crawls as that account, so
    the archive and its WARC files stay writable by the archivist, not by root alone."""
    import pwd

    try:
        return pwd.getpwuid(db.parent.stat().st_uid).pw_name
    except (OSError, KeyError):
        return None


def unwritable_by(user: str, db: Path) -> list[Path]:
    """The archive's files (database, WAL, WARC files) that ``user`` does not own: a crawl
    run as ``user`` could not write them (earlier crawls may have run as root)."""
    import pwd

    try:
        uid = pwd.getpwnam(user).pw_uid
    except KeyError:
        return []
    from crawler.warc import default_warc_dir

    paths = [db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")]
    warc = default_warc_dir(db)
    if warc.is_dir():
        paths += [warc, *warc.iterdir()]
    return [p for p in paths if p.exists() and p.stat().st_uid != uid]


def unit_escape(text: str) -> str:
    """Escape a site id for a unit name as ``systemd-escape`` does (ids are usually plain)."""
    return "".join(
        c if c.isascii() and (c.isalnum() or c in ":_.-") else f"\\x{ord(c):02x}" for c in text
    )


def systemd_quote(arg: str) -> str:
    """Quote one ``ExecStart=`` word: specifiers (``%``) and variables (``$``) are escaped."""
    escaped = arg.replace("%", "%%").replace("$", "$$")
    if escaped and not re.search(r"[\s\"'\\;]", escaped):
        return escaped
    return '"' + escaped.replace("\\", "\\\\").replace('"', '\\"') + '"'


def service_unit(job: CrawlJob) -> str:
    """The ``.service`` unit: a oneshot crawl under the archive's lock."""
    argv = [flock_path(), str(job.archive_lock), *job.crawl_argv()]
    user = f"User={job.user}\n" if job.user else ""
    return f"""{job.marker()}
[Unit]
Description=vngov-archive: crawl {job.site} into {job.db.name}
Documentation=https://github.com/vngov-archive/vngov-archive
Wants=network-online.target
After=network-online.target

[Service]
# oneshot: while a crawl runs, its timer does not start another one.
Type=oneshot
{user}WorkingDirectory={str(job.db.parent).replace("%", "%%")}
# Waits for the archive's lock: crawls into one archive run one after another.
ExecStart={" ".join(systemd_quote(a) for a in argv)}
# vngov crawl exits 3 when the run was unhealthy: the unit then shows as failed.
Nice=10
"""


def timer_unit(job: CrawlJob) -> str:
    """The ``.timer`` unit: every ``job.every``, catching up after downtime, start spread."""
    return f"""[Unit]
Description=vngov-archive: crawl {job.site} every {job.every}

[Timer]
OnCalendar={on_calendar(job.every)}
# Run at boot a crawl missed while the machine was off.
Persistent=true
RandomizedDelaySec={randomized_delay(job.every)}
# The same delay for this timer every time, different timers spread apart.
FixedRandomDelay=true
AccuracySec=1min

[Install]
WantedBy=timers.target
"""


def cron_line(job: CrawlJob) -> str:
    """A crontab line: skip the run while the site's previous crawl goes on (``flock -n``),
    wait for other crawls into the same archive (``flock``), then crawl."""
    command = [
        flock_path(),
        "-n",
        str(job.site_lock),
        flock_path(),
        str(job.archive_lock),
        *job.crawl_argv(),
    ]
    # cron turns an unescaped % into a newline.
    text = " ".join(shlex.quote(word) for word in command).replace("%", "\\%")
    return f"{cron_times(job.every, job.site)} {text}"


def install_units(jobs: list[CrawlJob], unit_dir: Path) -> list[Path]:
    """Write a service and a timer for each job into ``unit_dir``; returns the files written."""
    unit_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for job in jobs:
        for suffix, text in ((".service", service_unit(job)), (".timer", timer_unit(job))):
            path = unit_dir / (job.unit_name + suffix)
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written


def installed_jobs(unit_dir: Path) -> list[dict[str, str]]:
    """The crawls scheduled in ``unit_dir`` by ``vngov schedule install``."""
    jobs = []
    for service in sorted(unit_dir.glob(f"{UNIT_PREFIX}*.service")):
        first = service.read_text(encoding="utf-8").partition("\n")[0]
        if not first.startswith(MARKER):
            continue
        try:
            data = json.loads(first[len(MARKER) :])
        except ValueError:
            continue
        timer = service.with_suffix(".timer")
        jobs.append(
            {
                **data,
                "unit": service.stem,
                "timer": str(timer) if timer.exists() else "",
                "service": str(service),
            }
        )
    return jobs


def remove_units(unit_dir: Path, sites: list[str] | None) -> list[Path]:
    """Delete the units of ``sites`` (all vngov crawl units when None), with their
    ``timers.target.wants`` links; returns what was removed."""
    removed = []
    for job in installed_jobs(unit_dir):
        if sites is not None and job["site"] not in sites:
            continue
        name = job["unit"]
        for path in (
            unit_dir / f"{name}.service",
            unit_dir / f"{name}.timer",
            unit_dir / "timers.target.wants" / f"{name}.timer",
        ):
            if path.is_symlink() or path.exists():
                path.unlink()
                removed.append(path)
    return removed


def systemctl(system: bool) -> str:
    return "systemctl" if system else "systemctl --user"
