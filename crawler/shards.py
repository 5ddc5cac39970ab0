"""Split the site registry into shards, one per crawling machine, stably.

A site's shard depends only on its id and the number of shards, never on its position in the
registry, so adding or removing sites moves no other site. Rendezvous (highest random
weight) hashing also keeps a change of the number of shards cheap: going from N to N+1
shards moves only the sites the new shard wins (about 1/(N+1) of them); every other site
stays where it was, with its archive.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

_SHARD = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


class ShardError(ValueError):
    """A shard must be written i/N with 1 <= i <= N, such as 1/2 or 2/2."""


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` (1-based, as people count machines) of ``count``."""

    index: int
    count: int

    def __post_init__(self) -> None:
        if not 1 <= self.index <= self.count:
            raise ShardError(
                f"no shard {self.index}/{self.count}: use 1/{self.count} to "
                f"{self.count}/{self.count}"
            )

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def holds(self, site_id: str) -> bool:
        """True when ``site_id`` belongs to this shard."""
        return shard_of(site_id, self.count) == self.index

    def select(self, site_ids: Iterable[str]) -> list[str]:
        """The ids of ``site_ids`` that belong to this shard, in their order."""
        return [site_id for site_id in site_ids if self.holds(site_id)]


def parse_shard(text: str) -> Shard:
    """``"2/3"`` → ``Shard(2, 3)``; raises :class:`ShardError` for anything else."""
    match = _SHARD.match(text)
    if not match:
        raise ShardError(f"not a shard: {text!r} (write i/N, such as 1/2)")
    return Shard(int(match.group(1)), int(match.group(2)))


def _weight(site_id: str, index: int) -> int:
    digest = hashlib.sha256(f"{index}:{site_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def shard_of(site_id: str, count: int) -> int:
    """The shard (1..count) that ``site_id`` belongs to when the sites are split ``count`` ways."""
    if count < 1:
        raise ShardError(f"the number of shards must be at least 1, not {count}")
    return max(range(1, count + 1), key=lambda index: _weight(site_id, index))
