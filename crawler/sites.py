"""The site registry: declarative knowledge of each portal, loaded from TOML files.

The packaged registry (``crawler/sites.toml``) is read-only; sites a user adds with
``vngov sites add`` go to a user registry file (``sites.local.toml`` next to the archive, or
any ``--registry PATH``) and are loaded after it. Each entry names its platform; whatever the
entry leaves out (link patterns, pagination, feeds) comes from that platform's defaults in the
``[platform.NAME]`` tables of ``sites.toml``.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from crawler.discovery import Pagination
from crawler.urls import canonicalize_url

USER_REGISTRY_NAME = "sites.local.toml"


class UnknownSite(KeyError):
    """No site with that id is in the registry."""

    def __str__(self) -> str:
        return f"unknown site {self.args[0]!r}; `vngov sites` lists the known ones"


class RegistryError(ValueError):
    """A registry file has an entry that cannot be used as it is."""


@dataclass(frozen=True)
class Site:
    """One portal: where to start, which links are listings and articles, how pages follow."""

    id: str
    name: str
    base_url: str
    start_paths: tuple[str, ...] = ("/",)
    platform: str = "generic"
    listing_pattern: str = ""
    article_pattern: str = ""
    pagination: Pagination = field(default_factory=Pagination)
    pagination_css: str = ""
    item_css: str = ""  # the article links of a listing page (its items, not its sidebars)
    article_css: str = ""  # when set, a page is an article only if this selector matches
    # A regex whose first matching group identifies an article whatever path leads to it
    # (Liferay lists one article under several categories by the same numeric id).
    article_key: str = ""
    feeds: tuple[str, ...] = ()  # RSS/Atom paths
    sitemaps: tuple[str, ...] = ()  # sitemap (or sitemap index) paths
    discover_feeds: bool = True  # also follow <link rel="alternate"> feeds of start pages
    hosts: tuple[str, ...] = ()  # other host names of the same site (www., old names)
    agency: str | None = None
    province: str | None = None  # the province that published it at the time
    province_now: str | None = None  # the province it belongs to since 1 July 2025
    closed: str | None = None  # when the site stopped publishing (the 2025 reorganisation)
    verified: bool = False
    notes: str = ""
    registry: str = "packaged"  # which file the entry came from

    @property
    def start_urls(self) -> list[str]:
        return [urljoin(self.base_url, path) for path in self.start_paths]

    @property
    def feed_urls(self) -> list[str]:
        return [urljoin(self.base_url, path) for path in self.feeds]

    @property
    def sitemap_urls(self) -> list[str]:
        return [urljoin(self.base_url, path) for path in self.sitemaps]

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).hostname or ""

    @property
    def allowed_hosts(self) -> list[str]:
        return [self.host, *(h for h in self.hosts if h != self.host)]

    def with_base_url(self, base_url: str) -> Site:
        """The same site served from another origin (a mirror or a test server)."""
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) origin: {base_url!r}")
        return replace(self, base_url=f"{parts.scheme}://{parts.netloc}", hosts=())

    @staticmethod
    def _path(url: str) -> str:
        parts = urlsplit(url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def is_article(self, url: str) -> bool:
        """Whether a URL is an article page; a listing never is (a WordPress category at
        the root looks like a post)."""
        path = self._path(url)
        return (
            bool(self.article_pattern)
            and _search(self.article_pattern, path)
            and not (self.listing_pattern and _search(self.listing_pattern, path))
        )

    def is_listing(self, url: str) -> bool:
        return bool(self.listing_pattern) and _search(self.listing_pattern, self._path(url))

    def identity(self, url: str) -> str:
        """What makes two article URLs the same article: the ``article_key`` id when the
        platform has one, else the canonical URL."""
        canonical = canonicalize_url(url)
        if self.article_key:
            match = _compiled(self.article_key).search(self._path(canonical))
            if match:
                key = next((g for g in match.groups() if g), match.group(0))
                return f"{urlsplit(canonical).netloc}#{key}"
        return canonical

    def is_own(self, url: str) -> bool:
        """True when ``url`` is on one of the site's hosts."""
        return (urlsplit(url).hostname or "") in self.allowed_hosts

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "agency": self.agency,
            "platform": self.platform,
            "province": self.province,
            "province_now": self.province_now,
            "base_url": self.base_url,
            "closed": self.closed,
            "verified": self.verified,
        }


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _search(pattern: str, text: str) -> bool:
    return _compiled(pattern).search(text) is not None


_SITE_FIELDS = {f.name for f in fields(Site)} - {"registry"}
_TUPLE_FIELDS = ("start_paths", "feeds", "sitemaps", "hosts")


def _packaged_data() -> dict[str, Any]:
    return tomllib.loads(resources.files(__package__).joinpath("sites.toml").read_text("utf-8"))


@cache
def platform_defaults() -> dict[str, dict[str, Any]]:
    """The ``[platform.NAME]`` tables of the packaged registry: how each CMS is walked."""
    return _packaged_data().get("platform", {})


def build_site(entry: Mapping[str, Any], *, registry: str = "packaged") -> Site:
    """A :class:`Site` from one registry entry, its platform's defaults filled in.

    Raises :class:`RegistryError` for unknown keys, a missing id, name or base URL, or a
    pattern that is not a valid regular expression.
    """
    site_id = entry.get("id") or "?"
    unknown = set(entry) - _SITE_FIELDS
    if unknown:
        raise RegistryError(f"site {site_id!r} in {registry}: unknown keys {sorted(unknown)}")
    missing = [k for k in ("id", "name", "base_url") if not entry.get(k)]
    if missing:
        raise RegistryError(f"site {site_id!r} in {registry}: missing {', '.join(missing)}")
    defaults = platform_defaults().get(entry.get("platform", "generic"), {})
    values: dict[str, Any] = {k: v for k, v in defaults.items() if k in _SITE_FIELDS}
    values.update(entry)
    for name in _TUPLE_FIELDS:
        if name in values:
            values[name] = tuple(values[name])
    values["pagination"] = Pagination.from_dict(values.get("pagination") or {})
    for name in ("listing_pattern", "article_pattern", "article_key"):
        try:
            re.compile(values.get(name) or "")
        except re.error as error:
            raise RegistryError(f"site {site_id!r} in {registry}: bad {name}: {error}") from None
    return Site(**values, registry=registry)


def _entries(data: Mapping[str, Any], origin: str) -> Iterable[Site]:
    for entry in data.get("site", []):
        yield build_site(entry, registry=origin)


def read_registry(path: str | Path) -> list[Site]:
    """The sites of a user registry file; a missing file holds none."""
    path = Path(path)
    if not path.exists():
        return []
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise RegistryError(f"{path} is not a valid TOML file: {error}") from None
    return list(_entries(data, str(path)))


@cache
def _packaged_sites() -> tuple[Site, ...]:
    return tuple(_entries(_packaged_data(), "packaged"))


def load_sites(user_registry: str | Path | None = None) -> dict[str, Site]:
    """Every site by id: the packaged registry, then the user registry file if given.

    An id may appear only once across both files, so a user entry never silently replaces a
    packaged one.
    """
    sites: dict[str, Site] = {}
    extra = read_registry(user_registry) if user_registry else []
    for site in (*_packaged_sites(), *extra):
        if site.id in sites:
            raise RegistryError(
                f"site id {site.id!r} appears twice ({sites[site.id].registry}, {site.registry})"
            )
        sites[site.id] = site
    return sites


def get_site(
    site_id: str, *, base_url: str | None = None, user_registry: str | Path | None = None
) -> Site:
    """A site by id, optionally pointed at another origin."""
    try:
        site = load_sites(user_registry)[site_id]
    except KeyError:
        raise UnknownSite(site_id) from None
    return site.with_base_url(base_url) if base_url else site


def default_user_registry(db: str | Path) -> Path:
    """Where ``vngov sites add`` writes by default: ``sites.local.toml`` beside the archive."""
    return Path(db).resolve().parent / USER_REGISTRY_NAME


def _toml_value(value: Any) -> str:
    """A TOML literal for a registry value (strings, booleans, lists of strings, tables)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        # A literal string keeps regexes readable; fall back to a JSON-escaped basic string.
        if "'" not in value and "\n" not in value and value.isprintable():
            return f"'{value}'"
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    return "[" + ", ".join(_toml_value(v) for v in value) + "]"


def append_entry(path: str | Path, entry: Mapping[str, Any]) -> Site:
    """Validate ``entry`` and append it to the user registry at ``path``; returns the site.

    Refuses an id that the packaged registry or the file already has.
    """
    path = Path(path)
    site = build_site(entry, registry=str(path))
    if site.id in load_sites(path):
        raise RegistryError(f"site id {site.id!r} is already in the registry")
    lines = ["", "[[site]]"]
    lines += [f"{key} = {_toml_value(value)}" for key, value in entry.items() if value is not None]
    path.parent.mkdir(parents=True, exist_ok=True)
    header = (
        "" if path.exists() else "# Sites added with `vngov sites add`; see crawler/sites.toml.\n"
    )
    with path.open("a", encoding="utf-8") as file:
        file.write(header + "\n".join(lines) + "\n")
    return site
