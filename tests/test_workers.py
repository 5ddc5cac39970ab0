"""Worker pools (parser, archive writer): results from another process, recovery from a dead
worker, and no worker left behind by a killed crawl."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archive.sample_portal.render import SamplePortal, render_article
from crawler.article_pages import read_article_page
from crawler.workers import CallTimedOut, WorkerDied, WorkerPool
from tests.conftest import REPO


def worker_pid() -> int:
    return os.getpid()


def die_in_worker(parent: int) -> int:
    """Kill the process it runs in, unless that is the test process itself."""
    if os.getpid() != parent:
        os._exit(1)
    return parent


def sleep_then_pid(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def echo(value):
    return value


def fail_with(message: str) -> None:
    raise ValueError(message)


def append_line(path: str, line: str) -> str:
    with open(path, "a") as file:
        file.write(line + "\n")
    return line


def run(coroutine):
    return asyncio.run(coroutine)


def test_a_call_runs_in_a_worker_process_and_returns_its_value():
    pool = WorkerPool(1)
    try:
        assert run(pool.run(worker_pid)) != os.getpid()
    finally:
        pool.close()


def test_without_workers_a_call_runs_in_this_process():
    pool = WorkerPool(0)
    assert run(pool.run(worker_pid)) == os.getpid()
    pool.close()


def test_a_page_read_in_the_worker_is_the_page_read_here():
    portal = SamplePortal()
    article = portal.articles[0]
    body = render_article(portal, article).encode("utf-8")
    url = "https://sonoivu.angiang.gov.vn" + portal.article_path(article)
    here = read_article_page(body, url)
    pool = WorkerPool(1)
    try:
        there = run(pool.run(read_article_page, body, url))
    finally:
        pool.close()
    assert there == here
    assert there.error is None and there.record["title"] == article["title"]


def test_arguments_and_results_larger_than_the_socket_buffers_arrive_whole():
    big = os.urandom(8 * 1024 * 1024)

    async def many() -> list:
        return await asyncio.gather(*(pool.run(echo, big[n:]) for n in range(3)))

    pool = WorkerPool(2)
    try:
        results = run(many())
    finally:
        pool.close()
    assert results == [big, big[1:], big[2:]]


def test_an_exception_in_the_worker_reaches_the_caller_with_the_workers_traceback():
    pool = WorkerPool(1)
    try:
        with pytest.raises(ValueError, match="bad page") as raised:
            run(pool.run(fail_with, "bad page"))
        assert run(pool.run(echo, 1)) == 1  # the worker lives on
    finally:
        pool.close()
    assert any("in fail_with" in note for note in raised.value.__notes__)


def test_side_by_side_calls_are_spread_over_the_workers():
    async def two() -> list:
        return await asyncio.gather(pool.run(sleep_then_pid, 0.3), pool.run(sleep_then_pid, 0.3))

    pool = WorkerPool(2)
    try:
        first, second = run(two())
    finally:
        pool.close()
    assert first != second and os.getpid() not in (first, second)


def test_a_worker_that_dies_is_replaced_and_the_pool_goes_on():
    pool = WorkerPool(1)
    try:
        first = run(pool.run(worker_pid))
        with pytest.raises(WorkerDied):
            run(pool.run(die_in_worker, os.getpid()))
        second = run(pool.run(worker_pid))
    finally:
        pool.close()
    assert second not in (first, os.getpid())


ORPHAN_SCRIPT = """
import asyncio, sys, time
sys.path.insert(0, {repo!r})
from crawler.workers import WorkerPool
from tests.test_workers import worker_pid
pool = WorkerPool(1)
print(asyncio.run(pool.run(worker_pid)), flush=True)
time.sleep(60)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_a_killed_crawl_process_leaves_no_worker_behind():
    parent = subprocess.Popen(
        [sys.executable, "-c", ORPHAN_SCRIPT.format(repo=str(REPO))],
        stdout=subprocess.PIPE,
        text=True,
    )
    worker = None
    try:
        worker = int(parent.stdout.readline())
        assert Path(f"/proc/{worker}").exists()
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 5
        while Path(f"/proc/{worker}").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not Path(f"/proc/{worker}").exists(), "the worker outlived the crawl process"
    finally:
        parent.kill()
        if worker is not None and Path(f"/proc/{worker}").exists():
            os.kill(worker, signal.SIGKILL)


def test_crawlers_in_one_process_share_one_pool_until_the_last_is_done():
    first, second = (
        WorkerPool.acquire("shared in a test", 1),
        WorkerPool.acquire("shared in a test", 1),
    )
    try:
        assert first is second
        worker = run(first.run(worker_pid))
        first.release()
        assert run(second.run(worker_pid)) == worker  # the same worker, still running
    finally:
        second.release()
    third = WorkerPool.acquire("shared in a test", 1)
    third.release()
    assert third is not first


def test_a_page_that_kills_the_worker_takes_no_other_page_with_it():
    async def many() -> list:
        pool = WorkerPool(1)
        try:
            calls = [pool.run(worker_pid) for _ in range(10)]
            calls.insert(5, pool.run(die_in_worker, os.getpid()))
            return await asyncio.gather(*calls, return_exceptions=True)
        finally:
            pool.close()

    results = run(many())
    failed = [n for n, r in enumerate(results) if isinstance(r, BaseException)]
    assert failed == [5]
    assert isinstance(results[5], WorkerDied)


def test_a_call_answered_before_its_worker_died_is_not_run_again(tmp_path):
    """The writer's answered calls were committed: running one again would store it twice.
    Here the loop learns of the death only when sending the next call fails."""
    log = tmp_path / "writes.txt"

    async def scenario() -> list:
        pool = WorkerPool(1)
        try:
            first = asyncio.ensure_future(pool.run(append_line, str(log), "first"))
            bad = asyncio.ensure_future(pool.run(die_in_worker, os.getpid()))
            await asyncio.sleep(0)  # both sent
            time.sleep(0.5)  # the loop is busy: the worker answers the first call, then dies
            second = asyncio.ensure_future(pool.run(append_line, str(log), "second"))
            return await asyncio.gather(first, bad, second, return_exceptions=True)
        finally:
            pool.close()

    first, bad, second = run(scenario())
    assert (first, second) == ("first", "second")
    assert isinstance(bad, WorkerDied)
    assert log.read_text().splitlines() == ["first", "second"]


def test_closing_the_pool_cancels_the_calls_waiting_on_it_and_leaves_no_worker():
    async def scenario() -> tuple:
        pool = WorkerPool(1, "closed in a test")
        bad = asyncio.ensure_future(pool.run(die_in_worker, os.getpid()))
        retried = asyncio.ensure_future(pool.run(sleep_then_pid, 1.0))  # bad's victim
        await asyncio.sleep(0.5)  # bad has failed twice; the victim's retry is running
        waiting = asyncio.ensure_future(pool.run(worker_pid))  # waits behind the retry
        await asyncio.sleep(0)
        pool.close()
        results = await asyncio.wait_for(
            asyncio.gather(bad, retried, waiting, return_exceptions=True), 5
        )
        return results, multiprocessing.active_children()

    (bad, retried, waiting), children = run(scenario())
    assert isinstance(bad, WorkerDied)
    assert isinstance(retried, asyncio.CancelledError)
    assert isinstance(waiting, RuntimeError) and "closed" in str(waiting)
    assert not [child for child in children if child.name == "vngov closed in a test"]


def test_a_call_made_while_others_are_retried_waits_and_fails_no_one_else():
    """A second bad call arriving while the first one's victims are retried must not kill
    the worker under a retry: it waits its turn, and only the bad calls fail."""

    async def scenario() -> list:
        pool = WorkerPool(2)
        try:
            slow = asyncio.ensure_future(pool.run(sleep_then_pid, 1.5))
            await asyncio.sleep(0.2)
            first_bad = asyncio.ensure_future(pool.run(die_in_worker, os.getpid()))
            await asyncio.sleep(0.6)  # the slow call is being retried alone by now
            second_bad = asyncio.ensure_future(pool.run(die_in_worker, os.getpid()))
            return await asyncio.gather(slow, first_bad, second_bad, return_exceptions=True)
        finally:
            pool.close()

    slow, first_bad, second_bad = run(scenario())
    assert isinstance(slow, int) and slow != os.getpid()
    assert isinstance(first_bad, WorkerDied)
    assert isinstance(second_bad, WorkerDied)


def test_a_call_that_runs_past_the_timeout_fails_alone_and_the_calls_behind_it_run():
    """A page that makes the parser loop for ever must not stop the crawl: its worker is
    killed, it fails with CallTimedOut, and the pages queued behind it are parsed."""

    async def scenario() -> list:
        pool = WorkerPool(1, "timed in a test", timeout=0.5)
        try:
            calls = [
                pool.run(sleep_then_pid, 0.01),
                pool.run(sleep_then_pid, 60),
                pool.run(sleep_then_pid, 0.01),
                pool.run(worker_pid),
            ]
            return await asyncio.wait_for(asyncio.gather(*calls, return_exceptions=True), 10)
        finally:
            pool.close()

    started = time.monotonic()
    first, stuck, after, last = run(scenario())
    assert time.monotonic() - started < 10
    assert isinstance(stuck, CallTimedOut)
    assert all(isinstance(pid, int) and pid != os.getpid() for pid in (first, after, last))
    assert first != after == last  # the queued calls ran in the killed worker's replacement


def test_answers_left_unread_by_a_busy_loop_do_not_make_the_worker_look_stuck():
    """The loop is blocked just as the watchdog is due while the worker answers: the answers
    wait in the socket. They are read first; the call then running is not killed."""

    async def scenario() -> list:
        pool = WorkerPool(1, "stalled in a test", timeout=0.4)
        pool.start()
        try:
            calls = [asyncio.ensure_future(pool.run(sleep_then_pid, s)) for s in (0.2, 0.25, 0.3)]
            await asyncio.sleep(0)  # sent; the watchdog is due in 0.1 s
            loop = asyncio.get_running_loop()
            loop.call_at(pool._watchdog.when() - 1e-6, time.sleep, 0.6)
            return await asyncio.gather(*calls, return_exceptions=True)
        finally:
            pool.close()

    results = run(scenario())
    assert all(isinstance(pid, int) for pid in results), results
    assert len(set(results)) == 1  # one worker answered them all: none was killed


def test_a_call_left_running_by_an_ended_loop_is_the_one_timed_out():
    pool = WorkerPool(1, "left running in a test", timeout=0.3)
    try:
        loop = asyncio.new_event_loop()
        abandoned = loop.create_task(pool.run(sleep_then_pid, 5))
        loop.run_until_complete(asyncio.sleep(0.1))
        abandoned.cancel()
        loop.run_until_complete(asyncio.sleep(0))
        loop.close()
        started = time.monotonic()
        assert isinstance(run(pool.run(sleep_then_pid, 0.01)), int)
        assert time.monotonic() - started < 3
    finally:
        pool.close()


@pytest.mark.parametrize("timeout", [0, -1, None])
def test_a_timeout_of_zero_or_less_is_no_limit(timeout):
    pool = WorkerPool(1, "unlimited in a test", timeout=timeout)
    try:
        assert pool.timeout is None
        assert isinstance(run(pool.run(sleep_then_pid, 0.05)), int)
    finally:
        pool.close()
