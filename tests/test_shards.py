"""Sharding sites across machines: stable as sites are added, cheap when shards are added."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from archive.cli import cli
from crawler.shards import Shard, ShardError, parse_shard, shard_of
from crawler.sites import load_sites

IDS = [f"site-{n}" for n in range(2000)]


def test_every_site_is_in_exactly_one_shard_and_shards_are_balanced():
    shards = [Shard(i, 4) for i in range(1, 5)]
    parts = [shard.select(IDS) for shard in shards]
    assert sorted(id_ for part in parts for id_ in part) == sorted(IDS)
    assert all(400 < len(part) < 600 for part in parts), [len(p) for p in parts]


def test_adding_sites_moves_no_existing_site():
    before = {id_: shard_of(id_, 3) for id_ in IDS}
    more = ["new-site", *IDS[::-1], "another-site"]  # new ids, and a different order
    after = {id_: shard_of(id_, 3) for id_ in more}
    assert {id_: after[id_] for id_ in IDS} == before


def test_adding_a_shard_moves_only_sites_to_the_new_shard():
    moved = [id_ for id_ in IDS if shard_of(id_, 4) != shard_of(id_, 5)]
    assert {shard_of(id_, 5) for id_ in moved} == {5}
    assert 300 < len(moved) < 500  # about a fifth


def test_a_shard_is_a_pure_function_of_the_id():
    assert shard_of("angiang-sonoivu", 2) == 2
    assert shard_of("angiang-soyte", 2) == 1
    assert shard_of("anything", 1) == 1


@pytest.mark.parametrize(
    ("text", "shard"), [("1/2", Shard(1, 2)), (" 3 / 3 ", Shard(3, 3)), ("1/1", Shard(1, 1))]
)
def test_parse_shard(text, shard):
    assert parse_shard(text) == shard
    assert str(shard) == text.replace(" ", "")


@pytest.mark.parametrize("text", ["0/2", "3/2", "1", "a/b", "1/0", "-1/2", ""])
def test_bad_shards_are_refused_with_the_reason(text):
    with pytest.raises(ShardError):
        parse_shard(text)


def test_shard_command_lists_the_sites_of_a_shard(tmp_path):
    runner = CliRunner()
    db = str(tmp_path / "a.db")
    first = runner.invoke(cli, ["shard", "1/2", "--db", db])
    second = runner.invoke(cli, ["shard", "2/2", "--db", db])
    assert first.exit_code == second.exit_code == 0
    ids = list(load_sites())
    assert first.stdout.split() == [i for i in ids if shard_of(i, 2) == 1]
    assert second.stdout.split() == [i for i in ids if shard_of(i, 2) == 2]
    bad = runner.invoke(cli, ["shard", "3/2", "--db", db])
    assert bad.exit_code == 2
    assert "no shard 3/2" in bad.output
