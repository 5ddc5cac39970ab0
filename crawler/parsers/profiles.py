"""Platform profiles: the selector knowledge kept in ``profiles.toml``, and platform detection."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

FIELDS = ("title", "date", "category", "summary", "body", "author", "attachments", "contacts")


@dataclass(frozen=True)
class Profile:
    """Selectors for one platform, field by field, in the order they are tried."""

    key: str
    name: str
    selectors: dict[str, tuple[str, ...]]
    noise: tuple[str, ...] = ()
    detect_url: tuple[str, ...] = ()
    detect_html: tuple[str, ...] = ()

    def matches(self, url: str | None, html: str) -> bool:
        """True when the page's URL or source carries one of this platform's markers."""
        if url and any(marker in url for marker in self.detect_url):
            return True
        head = html[:200_000]
        return any(marker in head for marker in self.detect_html)


def _profile(key: str, data: dict) -> Profile:
    return Profile(
        key=key,
        name=data.get("name", key),
        selectors={f: tuple(data.get(f, ())) for f in FIELDS},
        noise=tuple(data.get("noise", ())),
        detect_url=tuple(data.get("detect_url", ())),
        detect_html=tuple(data.get("detect_html", ())),
    )


@cache
def load_profiles() -> dict[str, Profile]:
    """All profiles from ``profiles.toml``, ``generic`` first."""
    raw = tomllib.loads(resources.files(__package__).joinpath("profiles.toml").read_text("utf-8"))
    return {key: _profile(key, data) for key, data in raw.items()}


def detect_profile(url: str | None, html: str) -> Profile:
    """The platform profile for a page, or the generic one when no platform is recognised."""
    profiles = load_profiles()
    for key, profile in profiles.items():
        if key != "generic" and profile.matches(url, html):
            return profile
    return profiles["generic"]
