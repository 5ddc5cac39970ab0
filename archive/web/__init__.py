"""``vngov serve``: the archive in Datasette, read-only, with search that ignores diacritics.

The database is opened with ``?mode=ro`` (Datasette's mutable mode opens read connections that
way), not ``immutable=1``: a crawl may be writing to the archive at the same time, and an
immutable open would read stale or torn pages. It is always served under the name
``archive``, so a record's address is ``/archive/articles/ID`` whatever the file is called.
Metadata (titles, descriptions, facets, canned queries) is in ``metadata.yaml``, the search
functions and cell rendering in :mod:`archive.web.plugin`.
"""

from __future__ import annotations

import ipaddress
from importlib import resources
from pathlib import Path
from typing import Any

DATABASE = "archive"
DEFAULT_PORT = 8001
SETTINGS = {
    "default_page_size": 20,
    "sql_time_limit_ms": 5000,  # default 1000: a million articles need longer for facets and SQL
    "facet_time_limit_ms": 1000,
    "suggest_facets": False,  # suggestions run a query per column: slow on a large archive
    "allow_download": False,
}


def metadata() -> dict[str, Any]:
    """The Datasette metadata shipped with the package."""
    from datasette.utils import parse_metadata

    return parse_metadata(resources.files("archive.web").joinpath("metadata.yaml").read_text())


def make_datasette(db_path: str | Path):
    """A Datasette instance serving the archive at ``db_path`` read-only as ``archive``."""
    from datasette.app import Datasette
    from datasette.database import Database
    from datasette.plugins import pm

    from archive.web import plugin

    if not pm.is_registered(plugin):
        pm.register(plugin, name="vngov-archive")
    datasette = Datasette(metadata=metadata(), settings=SETTINGS)
    database = Database(datasette, path=str(Path(db_path).resolve()), is_mutable=True)
    datasette.add_database(database, name=DATABASE)
    return datasette


def is_loopback(host: str) -> bool:
    """Whether ``host`` only accepts connections from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(db_path: str | Path, *, host: str = "127.0.0.1", port: int = DEFAULT_PORT) -> None:
    """Run Datasette on the archive until interrupted."""
    import uvicorn
    from asgiref.sync import async_to_sync

    datasette = make_datasette(db_path)
    async_to_sync(datasette.invoke_startup)()
    uvicorn.run(datasette.app(), host=host, port=port, log_level="warning", lifespan="on")
