"""Platform profiles: the selector knowledge kept in ``profiles.toml``, and platform detection.

A profile says, field by field, where one CMS (WebSphere Portal, Liferay, SharePoint, Drupal,
WordPress, the chinhphu.vn CMS) puts a page's title, dates, body and so on, and how to tell a
page of that CMS from others. Knowledge of sites lives in that data file, not in code: adding a
platform is adding a table to it.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from crawler.parsers.html import AttributeIndex, HtmlElement, select

FIELDS = (
    "title",
    "date",
    "updated",
    "category",
    "summary",
    "body",
    "author",
    "source",
    "images",
    "attachments",
    "contacts",
    "footer",
    "error",
)
# Code rules that a selector list may name (implemented in article.py and generic.py).
CODE_RULES = frozenset({":heading-in-title", ":title-tag", ":after-title", ":url-date", ":densest"})
LISTING_FIELDS = ("item", "title", "link", "date", "summary", "pagination", "next", "total")
# Points per kind of evidence: a generator meta tag is the page naming its CMS; a URL shape or
# a DOM marker is strong; a substring of the source (a script path) can come from an embed.
DETECTION_POINTS = {"generator": 4, "url": 2, "url_regex": 2, "css": 2, "html": 1}
_GENERATOR_TAG = re.compile(r"<meta\b[^>]*\bname\s*=\s*[\"']?generator\b[^>]*>", re.IGNORECASE)
_IDENTIFIER = re.compile(r"^[A-Za-z_][\w-]*$")
_CONTENT_ATTR = re.compile(r"\bcontent\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))", re.I)


class ProfileError(ValueError):
    """profiles.toml is malformed (an unknown parent, a bad regex or selector)."""


@dataclass(frozen=True)
class Detection:
    """The evidence that a page belongs to a platform (see profiles.toml for the points)."""

    generator: tuple[str, ...] = ()
    url: tuple[str, ...] = ()
    url_regex: tuple[re.Pattern[str], ...] = ()
    css: tuple[str, ...] = ()
    html: tuple[str, ...] = ()

    def evidence(
        self, url: str | None, generators: tuple[str, ...], root: HtmlElement | None
    ) -> list[str]:
        """The evidence other than source substrings found on a page, as ``kind:marker``."""
        found: list[str] = []
        if self.generator and generators:
            lowered = tuple(g.lower() for g in generators)
            if m := next((g for g in self.generator if any(g.lower() in v for v in lowered)), None):
                found.append(f"generator:{m}")
        if url and self.url and (m := next((u for u in self.url if u in url), None)):
            found.append(f"url:{m}")
        if (
            url
            and self.url_regex
            and (r := next((r for r in self.url_regex if r.search(url)), None))
        ):
            found.append(f"url_regex:{r.pattern}")
        if (
            root is not None
            and self.css
            and (c := next((c for c in self.css if select(root, c)), None))
        ):
            found.append(f"css:{c}")
        return found

    def source_evidence(self, head: str, index: AttributeIndex | None) -> str | None:
        """The first of the platform's ``html`` markers the page has, as ``html:marker``.

        A marker that is a class or id name (``wpsPortletBody``) is looked up in the page's
        classes and ids, one ending in "-" as a class prefix; others (asset paths, script
        names) are searched in ``head``, the source before ``<body``.
        """
        for marker in self.html:
            if index is not None and _is_identifier(marker):
                if marker in index.classes or marker in index.ids:
                    return f"html:{marker}"
                if marker.endswith("-") and marker in index.class_text:
                    return f"html:{marker}"
            if marker in head:
                return f"html:{marker}"
        return None


@cache
def _is_identifier(marker: str) -> bool:
    return _IDENTIFIER.match(marker) is not None


@dataclass(frozen=True)
class ListingRules:
    """Selectors of a platform's listing pages and how its page links are numbered."""

    selectors: dict[str, tuple[str, ...]] = field(default_factory=dict)
    page_param: tuple[re.Pattern[str], ...] = ()
    first_page: int | None = None


@dataclass(frozen=True)
class Profile:
    """Selectors for one platform, field by field, in the order they are tried."""

    key: str
    name: str
    selectors: dict[str, tuple[str, ...]]
    noise: tuple[str, ...] = ()
    chrome: tuple[str, ...] = ()
    detect: Detection = field(default_factory=Detection)
    listing: ListingRules = field(default_factory=ListingRules)
    url_date: tuple[re.Pattern[str], ...] = ()
    extends: str | None = None


@dataclass(frozen=True)
class Detected:
    """The profile chosen for a page, its score and the evidence behind it."""

    profile: Profile
    score: int
    evidence: tuple[str, ...]


def _compile(patterns: list[str], where: str) -> tuple[re.Pattern[str], ...]:
    try:
        return tuple(re.compile(p) for p in patterns)
    except re.error as error:
        raise ProfileError(f"profiles.toml [{where}]: bad regex: {error}") from None


def _check_selectors(key: str, selectors: dict[str, tuple[str, ...]]) -> None:
    """Fail at load time, not on the first page, when a selector does not compile."""
    from lxml.cssselect import CSSSelector

    for name, specs in selectors.items():
        for spec in specs:
            if spec.startswith(":"):
                if spec not in CODE_RULES:
                    raise ProfileError(f"profiles.toml [{key}] {name}: unknown rule {spec!r}")
                continue
            try:
                CSSSelector(spec.partition("@")[0], translator="html")
            except Exception as error:  # cssselect raises several unrelated types
                raise ProfileError(f"profiles.toml [{key}] {name}: {spec!r}: {error}") from None


def _profile(key: str, data: dict) -> Profile:
    listing = data.get("listing", {})
    detect = data.get("detect", {})
    profile = Profile(
        key=key,
        name=data.get("name", key),
        selectors={f: tuple(data.get(f, ())) for f in FIELDS},
        noise=tuple(data.get("noise", ())),
        chrome=tuple(data.get("chrome", ())),
        detect=Detection(
            generator=tuple(detect.get("generator", ())),
            url=tuple(detect.get("url", ())),
            url_regex=_compile(detect.get("url_regex", []), f"{key}.detect"),
            css=tuple(detect.get("css", ())),
            html=tuple(detect.get("html", ())),
        ),
        listing=ListingRules(
            selectors={f: tuple(listing.get(f, ())) for f in LISTING_FIELDS},
            page_param=_compile(listing.get("page_param", []), f"{key}.listing"),
            first_page=listing.get("first_page"),
        ),
        url_date=_compile(data.get("url_date", []), key),
        extends=data.get("extends"),
    )
    _check_selectors(key, {**profile.selectors, "noise": profile.noise, "chrome": profile.chrome})
    _check_selectors(f"{key}.listing", profile.listing.selectors)
    return profile


@cache
def load_profiles() -> dict[str, Profile]:
    """All profiles from ``profiles.toml``, ``generic`` first."""
    raw = tomllib.loads(resources.files(__package__).joinpath("profiles.toml").read_text("utf-8"))
    profiles = {key: _profile(key, data) for key, data in raw.items()}
    if "generic" not in profiles:
        raise ProfileError("profiles.toml has no [generic] profile")
    for profile in profiles.values():
        if profile.extends and profile.extends not in profiles:
            raise ProfileError(f"profiles.toml [{profile.key}] extends unknown {profile.extends!r}")
    return profiles


@cache
def profile_chain(key: str) -> tuple[Profile, ...]:
    """The profiles whose selectors a field tries, in order: the platform, its parents, generic."""
    profiles = load_profiles()
    chain: list[Profile] = []
    current: str | None = key
    while current and current != "generic" and current not in (p.key for p in chain):
        chain.append(profiles[current])
        current = profiles[current].extends
    chain.append(profiles["generic"])
    return tuple(chain)


def meta_generators(html: str) -> tuple[str, ...]:
    """The ``content`` of every ``<meta name="generator">`` in a page, in either attribute order."""
    values = []
    for tag in _GENERATOR_TAG.findall(html[:300_000]):
        match = _CONTENT_ATTR.search(tag)
        if match:
            values.append(next(g for g in match.groups() if g is not None))
    return tuple(values)


def _tree_generators(root: HtmlElement) -> tuple[str, ...]:
    """Like :func:`meta_generators`, from a parsed page (much cheaper than a regex scan)."""
    return tuple(
        meta.get("content", "")
        for meta in root.iter("meta")
        if (meta.get("name") or "").lower() == "generator"
    )


def detect_platform(
    url: str | None,
    html: str,
    root: HtmlElement | None = None,
    index: AttributeIndex | None = None,
) -> Detected:
    """The platform profile for a page with the evidence for it; generic when none matches.

    ``html`` is the page source, ``root`` its parsed tree when the caller has one (needed for
    ``css`` markers; with it, ``html`` markers naming a class or id are looked up in the tree
    and the others in the source before ``<body``; without it the first 300,000 characters
    of the source are searched).
    """
    profiles = load_profiles()
    if root is not None:
        index = index or AttributeIndex.of(root)
        body_at = html.find("<body", 0, 300_000)
        head = html[: body_at if body_at >= 0 else 300_000]
        generators = _tree_generators(root)
    else:
        head = html[:300_000]
        generators = meta_generators(head)
    found = {
        key: p.detect.evidence(url, generators, root)
        for key, p in profiles.items()
        if key != "generic"
    }

    def score(key: str) -> int:
        if not found[key]:
            return 0
        own = sum(DETECTION_POINTS[e.partition(":")[0]] for e in found[key])
        parent = profiles[key].extends
        return own + score(parent) if own and parent and parent in found else own

    # Source substrings are worth one point: search them only for the profiles that could
    # still win with it (scanning a page for every marker of every platform is the slow part).
    leading = max(map(score, found), default=0)
    for key in found:
        parent = profiles[key].extends
        reachable = score(key) + 1 + (score(parent) + 1 if parent in found else 0)
        if reachable < leading:
            continue
        if source := profiles[key].detect.source_evidence(head, index):
            found[key].append(source)

    best = max(found, key=score, default=None)  # max keeps the first of equal scores
    if best is None or score(best) == 0:
        return Detected(profiles["generic"], 0, ())
    return Detected(profiles[best], score(best), tuple(found[best]))


def detect_profile(url: str | None, html: str, root: HtmlElement | None = None) -> Profile:
    """The platform profile for a page, or the generic one when no platform is recognised."""
    return detect_platform(url, html, root).profile
