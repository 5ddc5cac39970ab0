"""Job directories: a full crawl of a site that can be paused and resumed.

A ``--full`` crawl keeps Scrapy's JOBDIR (the pending request queue, the fingerprints of
requests already made, the spider's state) under ``<archive dir>/jobs/<site>``. Stopping it
(Ctrl-C once, a ``CLOSESPIDER_*`` limit, a crash) leaves the directory: ``--resume`` carries
on from there. A crawl that finishes removes it, so the next ``--full`` starts afresh.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

JOB_FILE = "vngov-job.json"


class JobError(ValueError):
    """A full crawl cannot start or resume as asked (a paused one exists, or none does)."""


@dataclass
class Job:
    """A full crawl in progress: where its state lives and how it was started."""

    site: str
    directory: str
    started_at: str
    base_url: str | None = None
    runs: int = 0


def job_dir(db: str | Path, site_id: str) -> Path:
    """The job directory of a site's full crawl, beside the archive."""
    return Path(db).resolve().parent / "jobs" / site_id


def read_job(db: str | Path, site_id: str) -> Job | None:
    """The paused full crawl of a site, or None."""
    path = job_dir(db, site_id) / JOB_FILE
    if not path.exists():
        return None
    try:
        return Job(**json.loads(path.read_text("utf-8")))
    except (ValueError, TypeError) as error:
        raise JobError(f"{path} is damaged ({error}); delete {path.parent} to start over") from None


def _write(job: Job) -> None:
    (Path(job.directory) / JOB_FILE).write_text(json.dumps(asdict(job), indent=2), "utf-8")


def start_job(db: str | Path, site_id: str, *, base_url: str | None = None) -> Job:
    """Create the job directory of a new full crawl; refuses when one is paused."""
    existing = read_job(db, site_id)
    if existing is not None:
        raise JobError(
            f"a full crawl of {site_id} started {existing.started_at} is paused in "
            f"{existing.directory}: continue it with --resume, or delete that directory"
        )
    directory = job_dir(db, site_id)
    if directory.exists():  # state without a job file: a crash before the file was written
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    job = Job(
        site=site_id,
        directory=str(directory),
        started_at=datetime.now(UTC).isoformat(timespec="seconds"),
        base_url=base_url,
    )
    _write(job)
    return job


def resume_job(db: str | Path, site_id: str) -> Job:
    """The paused full crawl to continue; refuses when there is none."""
    job = read_job(db, site_id)
    if job is None:
        raise JobError(f"no paused full crawl of {site_id} (start one with --full)")
    return job


def end_run(job: Job, finish_reason: str) -> bool:
    """Close one run of a job: remove the directory when the crawl finished (returns True),
    keep it for ``--resume`` otherwise (returns False)."""
    if finish_reason == "finished":
        shutil.rmtree(job.directory, ignore_errors=True)
        return True
    job.runs += 1
    _write(job)
    return False
