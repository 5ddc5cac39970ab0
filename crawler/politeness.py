"""Guard the politeness defaults: relaxed settings are only for our own loopback servers."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from typing import Any

MIN_DELAY_SECONDS = 1.0


class ImpoliteSettings(ValueError):
    """Delays, AutoThrottle or per-host concurrency were relaxed for a host that is not loopback."""


def is_loopback(host: str) -> bool:
    """True for localhost and 127.0.0.0/8 or ::1 addresses."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _flag(value: Any) -> bool:
    """A boolean setting, whether it came as a bool or as a string from ``-s NAME=VALUE``."""
    return value if isinstance(value, bool) else str(value).strip().lower() in ("1", "true", "yes")


def relaxed_settings() -> dict[str, Any]:
    """Settings that crawl a loopback server as fast as it answers (demo and tests)."""
    return {
        "DOWNLOAD_DELAY": 0,
        "DOWNLOAD_DELAY_JITTER": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    }


def check_politeness(settings: Mapping[str, Any], hosts: Iterable[str]) -> None:
    """Raise :class:`ImpoliteSettings` when a real host would be crawled without the defaults."""
    relaxed = (
        float(settings.get("DOWNLOAD_DELAY") or 0) < MIN_DELAY_SECONDS
        or not _flag(settings.get("AUTOTHROTTLE_ENABLED"))
        or int(settings.get("CONCURRENT_REQUESTS_PER_DOMAIN") or 1) > 1
        or not _flag(settings.get("ROBOTSTXT_OBEY"))
    )
    remote = [h for h in hosts if not is_loopback(h)]
    if relaxed and remote:
        raise ImpoliteSettings(
            f"refusing to crawl {', '.join(remote)} with politeness relaxed (delay, AutoThrottle,"
            " one request per host and robots.txt are required for real hosts)"
        )
