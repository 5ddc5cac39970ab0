"""``vngov`` commands for running crawls unattended and on several machines: schedule, shard,
merge."""

from __future__ import annotations

from pathlib import Path

import click

from archive.cli_common import DEFAULT_DB
from archive.output import format_rows, output_options

LIST_COLUMNS = ("site", "every", "db", "unit", "timer")


def crawl_output_settings(*, quiet: bool, log_json: bool) -> dict[str, object]:
    """Settings for ``vngov crawl --quiet`` and ``--log-json`` (see ``crawler.progress``)."""
    if log_json:
        return {"VNGOV_PROGRESS": "off" if quiet else "json", "VNGOV_LOG_JSON": True}
    return {"VNGOV_PROGRESS": "off"} if quiet else {}


def say(message: str, log_json: bool, *, level: str = "INFO", **fields: object) -> None:
    """A line of a command's report on stderr: plain, or one JSON record with ``--log-json``."""
    from crawler.progress import json_record

    if log_json:
        message = json_record(level, "vngov", message, **fields)
    click.echo(message, err=True)


def _site_ids(db: Path, registry: str | None) -> list[str]:
    """Every site id of the registry, with the user registry beside ``db`` (or ``registry``)."""
    from crawler.sites import RegistryError, default_user_registry, load_sites

    path = Path(registry) if registry else default_user_registry(db)
    try:
        return list(load_sites(path if path.exists() else None))
    except RegistryError as error:
        raise click.ClickException(str(error)) from None


def _shard(text: str | None):
    from crawler.shards import ShardError, parse_shard

    if text is None:
        return None
    try:
        return parse_shard(text)
    except ShardError as error:
        raise click.BadParameter(str(error), param_hint="--shard") from None


def _chosen_sites(
    site: str | None, all_sites: bool, shard: str | None, db: Path, registry: str | None
) -> list[str]:
    """The sites a command applies to: SITE, or every site (of a shard) with --all."""
    if (site is None) == (not all_sites):
        raise click.UsageError("name a SITE or use --all")
    if shard and not all_sites:
        raise click.UsageError("--shard goes with --all")
    known = _site_ids(db, registry)
    if site is not None:
        if site not in known:
            raise click.ClickException(f"unknown site {site!r}; `vngov sites` lists the known ones")
        return [site]
    chosen = _shard(shard)
    return chosen.select(known) if chosen else known


def _unit_dir(unit_dir: str | None, system: bool) -> Path:
    from archive.schedule import SYSTEM_UNIT_DIR, USER_UNIT_DIR

    if unit_dir:
        return Path(unit_dir)
    return SYSTEM_UNIT_DIR if system else USER_UNIT_DIR.expanduser()


unit_dir_option = click.option(
    "--unit-dir",
    type=click.Path(file_okay=False),
    help="Where the units go (default ~/.config/systemd/user, or /etc/systemd/system).",
)
system_option = click.option(
    "--system", is_flag=True, help="System units (/etc/systemd/system) instead of user units."
)


@click.group()
def schedule() -> None:
    """Crawl sites unattended: systemd timers (or crontab lines) running `vngov crawl`.

    \b
    Examples:
        vngov schedule install angiang-sonoivu --every 6h --db /srv/vngov/archive.db
        vngov schedule install --all --shard 1/2 --every 12h --db /srv/vngov/archive.db
        vngov schedule install angiang-sonoivu --every 1d --cron >> my.crontab
        vngov schedule list --table
        vngov schedule remove --all
    """


@schedule.command()
@click.argument("site", required=False)
@click.option("--all", "all_sites", is_flag=True, help="Every site of the registry.")
@click.option("--shard", help="With --all: only the sites of shard i/N (see `vngov shard`).")
@click.option("--every", required=True, help="Interval: 30m, 6h, 1d...")
@click.option("--db", default=DEFAULT_DB, show_default=True, help="Archive database file.")
@click.option("--registry", type=click.Path(dir_okay=False), help="User registry file.")
@click.option("--cron", is_flag=True, help="Print crontab lines instead of writing units.")
@unit_dir_option
@system_option
@click.option(
    "--run-as",
    metavar="USER",
    help="With --system: the account the crawls run as (default: the archive directory's owner).",
)
def install(
    site: str | None,
    all_sites: bool,
    shard: str | None,
    every: str,
    db: str,
    registry: str | None,
    cron: bool,
    unit_dir: str | None,
    system: bool,
    run_as: str | None,
) -> None:
    """Schedule the crawl of SITE (or of --all sites) every --every.

    Writes a oneshot service and a timer per site (Persistent, randomised delay, one crawl
    at a time per site and per archive) and prints the systemctl command that enables them;
    with --cron, prints crontab lines that run the crawl under flock instead.
    """
    from archive.schedule import (
        CrawlJob,
        ScheduleError,
        archive_owner,
        cron_line,
        install_units,
        parse_every,
        systemctl,
        unwritable_by,
    )

    db_path = Path(db).expanduser().absolute()
    try:
        interval = parse_every(every)
    except ScheduleError as error:
        raise click.BadParameter(str(error), param_hint="--every") from None
    sites = _chosen_sites(site, all_sites, shard, db_path, registry)
    if not sites:
        raise click.ClickException(f"shard {shard} holds no site of the registry")
    registry_path = Path(registry).expanduser().absolute() if registry else None
    if run_as and (cron or not system):
        raise click.BadParameter("only system units run as another account", param_hint="--run-as")
    user = (run_as or archive_owner(db_path)) if system else None
    if user:
        for path in unwritable_by(user, db_path):
            click.echo(f"warning: {user} cannot write {path} (another account owns it)", err=True)
    jobs = [CrawlJob(s, db_path, interval, registry=registry_path, user=user) for s in sites]
    if cron:
        for job in jobs:
            click.echo(cron_line(job))
        return
    directory = _unit_dir(unit_dir, system)
    try:
        written = install_units(jobs, directory)
    except OSError as error:
        raise click.ClickException(f"cannot write units in {directory}: {error}") from None
    for path in written:
        click.echo(f"wrote {path}", err=True)
    timers = " ".join(f"{job.unit_name}.timer" for job in jobs)
    click.echo(f"{systemctl(system)} daemon-reload && {systemctl(system)} enable --now {timers}")


@schedule.command(name="list")
@unit_dir_option
@system_option
@output_options
def list_schedules(unit_dir: str | None, system: bool, fmt: str) -> None:
    """The crawls scheduled with `vngov schedule install` (systemd units)."""
    from archive.schedule import installed_jobs

    rows = installed_jobs(_unit_dir(unit_dir, system))
    click.echo(format_rows(rows, fmt, LIST_COLUMNS if fmt in ("csv", "table") else None))


@schedule.command()
@click.argument("site", required=False)
@click.option("--all", "all_sites", is_flag=True, help="Every scheduled crawl.")
@unit_dir_option
@system_option
def remove(site: str | None, all_sites: bool, unit_dir: str | None, system: bool) -> None:
    """Remove the units of SITE's scheduled crawl (or of --all) and print what stops them."""
    from archive.schedule import remove_units, systemctl

    if (site is None) == (not all_sites):
        raise click.UsageError("name a SITE or use --all")
    removed = remove_units(_unit_dir(unit_dir, system), None if all_sites else [site])
    if not removed:
        raise click.ClickException(f"no scheduled crawl of {site or 'any site'} found")
    for path in removed:
        click.echo(f"removed {path}", err=True)
    timers = sorted({p.stem + ".timer" for p in removed})
    click.echo(f"{systemctl(system)} stop {' '.join(timers)}; {systemctl(system)} daemon-reload")


@click.command()
@click.argument("shard_spec", metavar="I/N")
@click.option("--db", default=DEFAULT_DB, show_default=True, help="Archive (for its registry).")
@click.option("--registry", type=click.Path(dir_okay=False), help="User registry file.")
def shard(shard_spec: str, db: str, registry: str | None) -> None:
    """Print the ids of the sites in shard I of N, one per line.

    A site's shard depends only on its id, so adding sites moves no other site.

    \b
    Example (one Scrapyd node per shard):
        for site in $(vngov shard 1/2); do
          curl http://node1:6800/schedule.json -d project=vngov -d spider=portal \\
               -d site=$site -d setting=VNGOV_DB=/srv/vngov/node1.db
        done
    """
    from crawler.shards import ShardError, parse_shard

    try:
        chosen = parse_shard(shard_spec)
    except ShardError as error:
        raise click.BadParameter(str(error), param_hint="I/N") from None
    for site_id in chosen.select(_site_ids(Path(db), registry)):
        click.echo(site_id)


@click.command()
@click.argument("sources", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "--into", required=True, type=click.Path(dir_okay=False), help="Target archive (created)."
)
@click.option("--link", is_flag=True, help="Hard-link WARC files instead of copying them.")
def merge(sources: tuple[str, ...], into: str, link: bool) -> None:
    """Merge archives (and their WARC files) into one, keeping every version once.

    Prints what each source added as JSON; merging a source again adds nothing.

    \b
    Example:
        vngov merge node1.db node2.db --into archive.db
    """
    from archive.merge import MergeError, merge_archives, report_json, report_lines

    try:
        reports = merge_archives(sources, into, link=link)
    except MergeError as error:
        raise click.ClickException(str(error)) from None
    for line in report_lines(reports):
        click.echo(line, err=True)
    click.echo(report_json(reports))


OPS_COMMANDS = (schedule, shard, merge)
