"""The site registry: declarative knowledge of each portal, loaded from ``sites.toml``."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from urllib.parse import urljoin, urlsplit


class UnknownSite(KeyError):
    """No site with that id is in the registry."""

    def __str__(self) -> str:
        return f"unknown site {self.args[0]!r}; `vngov sites` lists the known ones"


@dataclass(frozen=True)
class Site:
    """One portal: where to start, which links are listings, articles and pagination."""

    id: str
    name: str
    base_url: str
    start_paths: tuple[str, ...]
    listing_pattern: str
    article_pattern: str
    pagination_css: str = ""
    platform: str = "generic"
    agency: str | None = None
    province: str | None = None
    province_now: str | None = None
    verified: bool = False
    notes: str = ""

    @property
    def start_urls(self) -> list[str]:
        return [urljoin(self.base_url, path) for path in self.start_paths]

    @property
    def allowed_hosts(self) -> list[str]:
        return [urlsplit(self.base_url).hostname or ""]

    def with_base_url(self, base_url: str) -> Site:
        """The same site served from another origin (a mirror or a test server)."""
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) origin: {base_url!r}")
        return replace(self, base_url=f"{parts.scheme}://{parts.netloc}")

    def _path(self, url: str) -> str:
        parts = urlsplit(url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def is_article(self, url: str) -> bool:
        return re.search(self.article_pattern, self._path(url)) is not None

    def is_listing(self, url: str) -> bool:
        return re.search(self.listing_pattern, self._path(url)) is not None

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "agency": self.agency,
            "platform": self.platform,
            "province": self.province,
            "province_now": self.province_now,
            "base_url": self.base_url,
            "verified": self.verified,
        }


@cache
def load_sites() -> dict[str, Site]:
    """Every site in the registry, by id, in file order."""
    data = tomllib.loads(resources.files(__package__).joinpath("sites.toml").read_text("utf-8"))
    sites = {}
    for entry in data.get("site", []):
        entry = dict(entry)
        entry["start_paths"] = tuple(entry.get("start_paths", ("/",)))
        sites[entry["id"]] = Site(**entry)
    return sites


def get_site(site_id: str, *, base_url: str | None = None) -> Site:
    """A site by id, optionally pointed at another origin."""
    try:
        site = load_sites()[site_id]
    except KeyError:
        raise UnknownSite(site_id) from None
    return site.with_base_url(base_url) if base_url else site
