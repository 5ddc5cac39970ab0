"""``vngov sites``: list the registry, add a site by detecting its platform, check a site."""

from __future__ import annotations

import json
from pathlib import Path

import click

from archive.cli_common import DEFAULT_DB
from archive.output import format_rows, output_options

LIST_COLUMNS = ("id", "platform", "province", "province_now", "verified", "closed", "base_url")


def _registry_path(db: str, registry: str | None) -> Path:
    from crawler.sites import default_user_registry

    return Path(registry) if registry else default_user_registry(db)


def _load(db: str, registry: str | None):
    from crawler.sites import RegistryError, load_sites

    path = _registry_path(db, registry)
    try:
        return load_sites(path if path.exists() or registry else None)
    except RegistryError as error:
        raise click.ClickException(str(error)) from None


registry_option = click.option(
    "--registry",
    type=click.Path(dir_okay=False),
    help="User registry file (default: sites.local.toml beside the --db archive).",
)
db_option = click.option(
    "--db",
    default=DEFAULT_DB,
    show_default=True,
    help="Archive database; the user registry sits beside it.",
)


@click.group(invoke_without_command=True)
@db_option
@registry_option
@output_options
@click.pass_context
def sites(ctx: click.Context, db: str, registry: str | None, fmt: str) -> None:
    """The site registry: `vngov sites` lists it; `add` and `check` try a site.

    \b
    Examples:
        vngov sites --table
        vngov sites add https://chaudoc.angiang.gov.vn/
        vngov sites check angiang-sonoivu
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(list_sites, db=db, registry=registry, fmt=fmt)


@sites.command(name="list")
@db_option
@registry_option
@output_options
def list_sites(db: str, registry: str | None, fmt: str) -> None:
    """List the sites: platform, province then and now, verified, and where each came from."""
    rows = []
    for site in _load(db, registry).values():
        row = site.as_dict()
        row["registry"] = site.registry
        rows.append(row)
    columns = (*LIST_COLUMNS, "registry") if fmt in ("csv", "table") else None
    click.echo(format_rows(rows, fmt, columns))


@sites.command()
@click.argument("url")
@db_option
@registry_option
@click.option("--id", "site_id", help="Site id (default: from the host name).")
@click.option("--name", help="Site name (default: the home page title).")
@click.option("--agency", help="The agency that runs the site.")
@click.option("--province", help="Province that published it at the time.")
@click.option("--province-now", help="Province it belongs to since 1 July 2025.")
@click.option("--platform", help="Skip detection and use this platform.")
@click.option("--dry-run", is_flag=True, help="Print the entry without writing it.")
def add(
    url: str,
    db: str,
    registry: str | None,
    site_id: str | None,
    name: str | None,
    agency: str | None,
    province: str | None,
    province_now: str | None,
    platform: str | None,
    dry_run: bool,
) -> None:
    """Fetch URL (a home page), detect its platform and add an entry to the user registry.

    The packaged registry is never written; the entry goes to sites.local.toml beside the
    archive (or --registry PATH) and is marked unverified until someone checks it.

    \b
    Example:
        vngov sites add https://tanchau.angiang.gov.vn/ --province "An Giang"
    """
    from crawler.sitecheck import FetchError, detect_site
    from crawler.sites import RegistryError, append_entry

    try:
        entry, detection = detect_site(url)
    except FetchError as error:
        raise click.ClickException(str(error)) from None
    overrides = {
        "id": site_id,
        "name": name,
        "agency": agency,
        "platform": platform,
        "province": province,
        "province_now": province_now or province,
    }
    entry.update({k: v for k, v in overrides.items() if v})
    click.echo(
        f"platform {entry['platform']} (score {detection.score}"
        f"{'' if detection.confident else ', weak evidence: check it'}): "
        + ("; ".join(detection.evidence[:5]) or "no marker found"),
        err=True,
    )
    if not dry_run:
        path = _registry_path(db, registry)
        try:
            append_entry(path, entry)
        except RegistryError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"added {entry['id']} to {path}", err=True)
    click.echo(json.dumps(entry, ensure_ascii=False, indent=2))


@sites.command()
@click.argument("site_id", metavar="SITE")
@db_option
@registry_option
@click.option("--base-url", help="Check the site at another origin (a mirror, a test server).")
def check(site_id: str, db: str, registry: str | None, base_url: str | None) -> None:
    """Fetch one listing and one article of SITE and show what was extracted.

    Exits 1 when something would keep a crawl from working (the problems are listed).

    \b
    Example:
        vngov sites check hanoi-sotttt
    """
    from crawler.sitecheck import FetchError, check_site
    from crawler.sites import UnknownSite

    try:
        site = _load(db, registry)[site_id]
    except KeyError:
        raise click.ClickException(str(UnknownSite(site_id))) from None
    try:
        site = site.with_base_url(base_url) if base_url else site
        report = check_site(site)
    except (FetchError, ValueError) as error:
        raise click.ClickException(str(error)) from None
    click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    if report["problems"]:
        raise click.ClickException("; ".join(report["problems"]))
