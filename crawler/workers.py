"""Worker processes beside the crawl: one pool parses pages, another writes the archive.

Scrapy runs the spider, its pipelines and the downloader on one thread; parsing an article
costs more CPU than fetching it, and storing it nearly as much, so in one process the crawl
waits for both. Threads do not help: the Python half of the work holds the GIL, and the
event loop, which gives the GIL up at every socket call, waits for it each time. The parsers
are pure functions of bytes and strings and the archive is a file, which makes handing both
to processes straightforward: the crawl awaits the result while the reactor goes on fetching.

Workers are forked from the crawl process (milliseconds: everything is already imported; a
spawned interpreter would re-import the command line's ``__main__``). Each worker ignores
Ctrl-C (the crawl process handles it and shuts the pool down), restores the default SIGTERM
(Scrapy's handler belongs to the crawl process) and, on Linux, is killed when the crawl
process dies, so a killed crawl leaves no worker behind. A worker that dies is replaced, and
the calls it held run again in the new one (a write that died with its worker was rolled
back by SQLite, so writing it again is safe).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from typing import Any, ClassVar, TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")
_PR_SET_PDEATHSIG = 1


def default_workers() -> int:
    """One worker where there is a second core for it, else none (parse in process)."""
    return 1 if (os.cpu_count() or 1) > 1 else 0


def _init_worker(parent: int) -> None:
    """Detach the forked worker from the crawl process's signal handling."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # The reactor's wake-up pipe belongs to the crawl process's event loop.
    with contextlib.suppress(ValueError):
        signal.set_wakeup_fd(-1)
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
            if os.getppid() != parent:  # the crawl process died before prctl took effect
                os._exit(0)


class WorkerDied(RuntimeError):
    """A call killed its worker on two tries."""


class WorkerPool:
    """``await pool.run(fn, *args)`` runs ``fn`` in a worker process (or inline with 0 workers).

    ``fn`` and its arguments must be picklable: module-level functions of plain values.
    """

    _shared: ClassVar[dict[str, WorkerPool]] = {}

    def __init__(self, workers: int, name: str = "worker"):
        self.workers = max(0, workers)
        self.name = name
        self._executor: ProcessPoolExecutor | None = None
        self._users = 0
        self._retry_lock = asyncio.Lock()
        self._retrying = 0  # calls a dead worker took with it, not yet run again
        self._settled = asyncio.Event()
        self._settled.set()

    @classmethod
    def acquire(cls, name: str, workers: int) -> WorkerPool:
        """The process's shared pool called ``name`` (created with ``workers`` by its first
        user): crawlers running side by side in one process (one per host) share it."""
        pool = cls._shared.get(name)
        if pool is None:
            pool = cls._shared[name] = cls(workers, name)
        pool._users += 1
        return pool

    def release(self) -> None:
        """One user of the shared pool is done; the last one stops its workers."""
        self._users -= 1
        if self._users <= 0:
            if WorkerPool._shared.get(self.name) is self:
                del WorkerPool._shared[self.name]
            self.close()

    def _start(self) -> ProcessPoolExecutor:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                self.workers,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_init_worker,
                initargs=(os.getpid(),),
            )
            # The fork context starts every worker at the first submit: do it now, while the
            # crawl is being set up, before its database connections and the reactor's
            # threads exist (a pool started earlier has its own two threads by then).
            self._executor.submit(os.getpid)
        return self._executor

    def start(self) -> None:
        """Fork the workers now (they are otherwise forked at the first call)."""
        if self.workers:
            self._start()

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``fn(*args, **kwargs)``, computed in a worker (inline when there are no workers).

        A worker that dies takes the pool's pending calls with it: each is tried once more in
        a fresh pool, one at a time, and a call that kills that one too raises
        :class:`WorkerDied` (a page that crashes the parser must not crash the crawl process
        as well). New calls wait until those retries are done, then run side by side again:
        run beside a retry, a call that kills the worker would fail the call being retried.
        """
        call = partial(fn, *args, **kwargs)
        if not self.workers:
            return call()
        loop = asyncio.get_running_loop()
        while self._retrying:
            await self._settled.wait()
        executor = self._start()
        try:
            return await loop.run_in_executor(executor, call)
        except BrokenProcessPool:
            self._discard(executor)
            logger.warning("a %s worker died; trying its calls again one at a time", self.name)
        # Counted at once (no await since the failure), so no new call starts in between.
        self._retrying += 1
        self._settled.clear()
        try:
            async with self._retry_lock:
                executor = self._start()
                try:
                    return await loop.run_in_executor(executor, call)
                except BrokenProcessPool:
                    self._discard(executor)
                    raise WorkerDied(f"the {self.name} worker died twice on this call") from None
        finally:
            self._retrying -= 1
            if not self._retrying:
                self._settled.set()

    def _discard(self, executor: ProcessPoolExecutor) -> None:
        if self._executor is executor:
            self._executor = None
            executor.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        """Stop the workers (waiting for the calls they are running)."""
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
