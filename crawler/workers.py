"""Worker processes beside the crawl: one pool parses pages, another writes the archive.

Scrapy runs the spider, its pipelines and the downloader on one thread; parsing an article
costs more CPU than fetching it, and storing it nearly as much, so in one process the crawl
waits for both. Threads do not help: the Python half of the work holds the GIL, and the
event loop, which gives the GIL up at every socket call, waits for it each time. The parsers
are pure functions of bytes and strings and the archive is a file, which makes handing both
to processes straightforward: the crawl awaits the result while the reactor goes on fetching.

Each worker is a forked process at the other end of a Unix socket. The crawl's event loop
writes calls to it and reads answers from it like any other socket, with no thread between:
:class:`concurrent.futures.ProcessPoolExecutor` runs two (its manager and its queue's
feeder), and handing every call and every answer between them and the event loop took more
of the crawl process's GIL than pickling them.

Workers are forked from the crawl process (milliseconds: everything is already imported; a
spawned interpreter would re-import the command line's ``__main__``). Each worker ignores
Ctrl-C (the crawl process handles it and shuts the pool down), restores the default SIGTERM
(Scrapy's handler belongs to the crawl process) and, on Linux, is killed when the crawl
process dies, so a killed crawl leaves no worker behind. A worker that dies is replaced, and
the calls it had not answered run again in a new one (a write that died with its worker was
rolled back by SQLite, so writing it again is safe).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import multiprocessing
import os
import pickle
import signal
import socket
import struct
import sys
import traceback
import weakref
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")
_PR_SET_PDEATHSIG = 1
# A frame on a worker's socket: payload length, call number, then the pickled payload:
# (fn, args, kwargs) to the worker, (ok, value) back.
_FRAME = struct.Struct("!QQ")
_READ_SIZE = 1 << 20
_STOP_TIMEOUT = 10.0


def default_workers() -> int:
    """One worker where there is a second core for it, else none (parse in process)."""
    return 1 if (os.cpu_count() or 1) > 1 else 0


class WorkerDied(RuntimeError):
    """A call killed its worker on two tries."""


class CallTimedOut(RuntimeError):
    """A call ran longer than its pool's timeout; its worker was killed."""


# The crawl process's ends of the workers' sockets. A forked worker inherits them all and
# closes them at once: a copy left open in one worker would keep another from ever seeing
# the crawl process hang up.
_crawl_ends: weakref.WeakSet[socket.socket] = weakref.WeakSet()


def _init_worker(parent: int) -> None:
    """Detach the forked worker from the crawl process's signal handling and sockets."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # The reactor's wake-up pipe belongs to the crawl process's event loop.
    with contextlib.suppress(ValueError):
        signal.set_wakeup_fd(-1)
    for end in list(_crawl_ends):
        end.close()
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
            if os.getppid() != parent:  # the crawl process died before prctl took effect
                os._exit(0)


def _answer(call: bytes) -> bytes:
    """Run one pickled call; its pickled outcome: ``(True, value)`` or ``(False, error)``."""
    try:
        fn, args, kwargs = pickle.loads(call)
        outcome: tuple[bool, Any] = (True, fn(*args, **kwargs))
    except BaseException as exc:  # whatever the call did, the worker answers
        note = "in the worker:\n" + "".join(traceback.format_exception(exc)).rstrip()
        if not isinstance(exc, Exception) or isinstance(exc, StopIteration | StopAsyncIteration):
            # Raised in the crawl process, these would stop its loop or its coroutine.
            exc = RuntimeError(f"the call raised {type(exc).__name__}: {exc}")
        if not any(n.startswith("in the worker:") for n in getattr(exc, "__notes__", ())):
            exc.add_note(note)  # once: an exception instance may be raised again
        outcome = (False, exc)
    try:
        return pickle.dumps(outcome, pickle.HIGHEST_PROTOCOL)
    except Exception as exc:
        what = "answer" if outcome[0] else "exception"
        kind = type(outcome[1]).__qualname__
        return pickle.dumps((False, RuntimeError(f"its {what} ({kind}) cannot be pickled: {exc}")))


def _serve(end: socket.socket, parent: int) -> None:
    """The worker: answer the crawl process's calls, in order, until it hangs up."""
    _init_worker(parent)
    incoming = end.makefile("rb")
    try:
        while len(header := incoming.read(_FRAME.size)) == _FRAME.size:
            size, number = _FRAME.unpack(header)
            call = incoming.read(size)
            if len(call) < size:
                return
            answer = _answer(call)
            end.sendall(_FRAME.pack(len(answer), number) + answer)
    except OSError:  # the crawl process closed its end: nobody is waiting any more
        return


@dataclass(slots=True)
class _Call:
    pickled: bytes
    future: asyncio.Future
    retry: bool = False  # sent again after its first worker died: a second death fails it


class _Worker:
    """One worker process and the crawl process's end of its socket."""

    def __init__(self, pool: WorkerPool):
        self.pool = pool
        ours, theirs = socket.socketpair()
        _crawl_ends.add(ours)
        context = multiprocessing.get_context("fork")
        self.process = context.Process(
            target=_serve, args=(theirs, os.getpid()), name=f"vngov {pool.name}", daemon=True
        )
        try:
            self.process.start()
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        ours.setblocking(False)
        self.socket = ours
        self.calls: dict[int, _Call] = {}
        self.busy_since: float | None = None  # when it began the call it is running
        self.alive = True
        self._loop: asyncio.AbstractEventLoop | None = None
        self._buffer = memoryview(bytearray(_READ_SIZE))
        self._inbox = bytearray()
        self._outbox = bytearray()

    def send(self, number: int, call: _Call) -> None:
        """Send the call to the worker; ``call.future`` gets its outcome."""
        self._attach(call.future.get_loop())
        if not self.calls:
            self.busy_since = self._loop.time()
        self.calls[number] = call
        header = _FRAME.pack(len(call.pickled), number)
        if self._outbox:
            self._outbox += header
            self._outbox += call.pickled
            return
        try:
            sent = self.socket.sendmsg([header, call.pickled])
        except (BlockingIOError, InterruptedError):
            sent = 0
        except OSError:  # the worker is gone; it may have answered earlier calls first
            self._lost()
            return
        if sent < len(header) + len(call.pickled):
            self._outbox += header[sent:]
            self._outbox += memoryview(call.pickled)[max(0, sent - len(header)) :]
            self._loop.add_writer(self.socket, self._flush)

    def _attach(self, loop: asyncio.AbstractEventLoop) -> None:
        """Watch the socket from ``loop``: a pool may outlive the loop it was first used on."""
        if self._loop is loop:
            return
        if self._loop is not None and not self._loop.is_closed():
            self._loop.remove_reader(self.socket)
            self._loop.remove_writer(self.socket)
        # The worker still runs the calls of the loop before: they stay, awaited by no one,
        # so that what it runs and since when stay known.
        _forget(self.calls.values())
        abandoned = loop.create_future()
        abandoned.cancel()
        for call in self.calls.values():
            if not call.future.done():  # of a closed loop: cannot be cancelled
                call.future = abandoned
        self._loop = loop
        loop.add_reader(self.socket, self._receive)
        if self._outbox:
            loop.add_writer(self.socket, self._flush)

    def _flush(self) -> None:
        try:
            sent = self.socket.send(self._outbox)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self._lost()
            return
        del self._outbox[:sent]
        if not self._outbox:
            self._loop.remove_writer(self.socket)

    def _receive(self) -> bool:
        """Read what the worker sent and settle the calls answered; False when nothing was
        waiting (or the worker is gone)."""
        try:
            received = self.socket.recv_into(self._buffer)
        except (BlockingIOError, InterruptedError):
            return False
        except OSError:
            received = 0
        if not received:
            self._lost()
            return False
        self._inbox += self._buffer[:received]
        self._settle_answers()
        return True

    def _settle_answers(self) -> None:
        """Settle the calls whose whole answer has arrived."""
        inbox, start = self._inbox, 0
        try:
            while len(inbox) - start >= _FRAME.size:
                size, number = _FRAME.unpack_from(inbox, start)
                end = start + _FRAME.size + size
                if len(inbox) < end:
                    break
                call = self.calls.pop(number, None)
                if call is not None and not call.future.done():
                    _settle(call.future, inbox[start + _FRAME.size : end])
                start = end
        finally:
            del inbox[:start]
            if start:  # answers came: the next call, if any, has just begun
                self.busy_since = self._loop.time() if self.calls and self._loop else None

    def stuck(self, timeout: float) -> None:
        """Kill the worker, which has run its oldest unanswered call for too long: that call
        fails with :class:`CallTimedOut`, the ones queued behind it run again."""
        while self.alive and self._receive():
            pass  # answers sent but not read yet (the loop was busy) settle their calls first
        if not self.alive or not self.calls or self.busy_since is None:
            return
        if self._loop is not None and self._loop.time() - self.busy_since <= timeout:
            return  # it was only slow to be read
        culprit = next(iter(self.calls.values()))
        logger.warning(
            "%s worker stuck on a call for over %g s: killing it", self.pool.name, timeout
        )
        self._lost(culprit)
        if not culprit.future.done():
            culprit.future.set_exception(
                CallTimedOut(f"the {self.pool.name} worker took over {timeout:g} s on this call")
            )

    def _lost(self, culprit: _Call | None = None) -> None:
        """The worker is gone: reap it, settle what it answered, hand the rest (but
        ``culprit``, which its caller fails) to the pool."""
        if not self.alive:
            return
        self.alive = False
        self._detach()
        self.process.kill()
        self.process.join()
        self.socket.settimeout(_STOP_TIMEOUT)
        with contextlib.suppress(OSError):  # its last answers are still in our socket
            while received := self.socket.recv_into(self._buffer):
                self._inbox += self._buffer[:received]
        self._settle_answers()
        self.socket.close()
        unanswered = [
            call for call in self.calls.values() if not call.future.done() and call is not culprit
        ]
        self.calls.clear()
        logger.warning(
            "%s worker died (pid %s, exit code %s) with %d calls unanswered",
            self.pool.name,
            self.process.pid,
            self.process.exitcode,
            len(unanswered),
        )
        self.pool._worker_lost(unanswered)

    def _detach(self) -> None:
        if self._loop is not None and not self._loop.is_closed():
            self._loop.remove_reader(self.socket)
            self._loop.remove_writer(self.socket)
        _crawl_ends.discard(self.socket)

    def stop(self) -> None:
        """End the worker: killed if it still has calls to answer (awaited or not), else
        told to end by hanging up."""
        if not self.alive:
            return
        self.alive = False
        self._detach()
        if self.calls:
            self.process.kill()
        else:
            with contextlib.suppress(OSError):
                self.socket.shutdown(socket.SHUT_WR)
        self.process.join(_STOP_TIMEOUT)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.socket.close()
        _forget(self.calls.values())
        self.calls.clear()


def _settle(future: asyncio.Future, answer: bytearray) -> None:
    try:
        ok, value = pickle.loads(answer)
    except Exception as exc:
        future.set_exception(RuntimeError(f"the worker's answer cannot be read: {exc!r}"))
        return
    if ok:
        future.set_result(value)
    else:
        future.set_exception(value)


def _forget(calls: Iterable[_Call]) -> None:
    """Cancel those of ``calls`` still awaited, where their loop is still there."""
    for call in calls:
        if not call.future.done() and not call.future.get_loop().is_closed():
            call.future.cancel()


class WorkerPool:
    """``await pool.run(fn, *args)`` runs ``fn`` in a worker process (or inline with 0 workers).

    ``fn`` and its arguments must be picklable: module-level functions of plain values. The
    pool is used from one thread; its event loop may change between calls (each
    ``asyncio.run`` of a test has its own). With a ``timeout`` (seconds, > 0), a worker
    still on one call after it is killed (checked every quarter of it): that call fails with
    :class:`CallTimedOut`, and the calls queued behind it run again.
    """

    _shared: ClassVar[dict[str, WorkerPool]] = {}

    def __init__(self, workers: int, name: str = "worker", timeout: float | None = None):
        self.workers = max(0, workers)
        self.name = name
        self.timeout = timeout if timeout is not None and timeout > 0 else None
        self._watchdog: asyncio.TimerHandle | None = None
        self._watched: asyncio.AbstractEventLoop | None = None  # the watchdog's loop
        self._running: list[_Worker] = []
        self._numbers = 0
        self._users = 0
        self._closed = False
        self._retries: deque[_Call] = deque()
        self._retrier: asyncio.Task | None = None
        self._retrying: _Call | None = None

    @classmethod
    def acquire(cls, name: str, workers: int, timeout: float | None = None) -> WorkerPool:
        """The process's shared pool called ``name`` (created with ``workers`` and ``timeout``
        by its first user): crawlers running side by side in one process (one per host)
        share it."""
        pool = cls._shared.get(name)
        if pool is None:
            pool = cls._shared[name] = cls(workers, name, timeout)
        pool._users += 1
        return pool

    def release(self) -> None:
        """One user of the shared pool is done; the last one stops its workers."""
        self._users -= 1
        if self._users <= 0:
            if WorkerPool._shared.get(self.name) is self:
                del WorkerPool._shared[self.name]
            self.close()

    def start(self) -> None:
        """Fork the workers now (they are otherwise forked at the first call): while the crawl
        is being set up, before its database connections and the reactor's threads exist."""
        if self._closed:
            raise RuntimeError(f"the {self.name} pool is closed")
        self._running = [worker for worker in self._running if worker.alive]
        while len(self._running) < self.workers:
            self._running.append(_Worker(self))

    def _send(self, call: _Call) -> _Worker:
        """Send ``call`` to the worker with the fewest calls to answer; a retry, to one with
        none if there is one (the newest: a dead worker's replacement)."""
        self.start()
        running = self._running
        if len(running) == 1:
            worker = running[0]
        else:
            idle = [worker for worker in running if not worker.calls] if call.retry else []
            worker = min(reversed(idle or running), key=lambda w: len(w.calls))
        self._numbers += 1
        worker.send(self._numbers, call)
        loop = call.future.get_loop()
        if self.timeout is not None and (self._watchdog is None or self._watched is not loop):
            self._watched = loop
            self._watchdog = loop.call_later(self.timeout / 4, self._watch, loop)
        return worker

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``fn(*args, **kwargs)``, computed in a worker (inline when there are no workers).

        A worker that dies takes the calls it had not answered with it: each is sent once
        more, one at a time, and a call that kills a worker again raises
        :class:`WorkerDied` (a page that crashes the parser must not crash the crawl process
        as well). New calls wait until those retries are done, then run side by side again:
        run beside a retry, a call that kills the worker would fail the call being retried.
        """
        if not self.workers:
            return fn(*args, **kwargs)
        pickled = pickle.dumps((fn, args, kwargs), pickle.HIGHEST_PROTOCOL)
        loop = asyncio.get_running_loop()
        while self._retrier is not None:
            if self._retrier.get_loop() is not loop:  # left behind by a loop that is gone
                self._drop_retries()
                break
            await asyncio.wait([self._retrier])
        if self._closed:
            raise RuntimeError(f"the {self.name} pool is closed")
        future = loop.create_future()
        self._send(_Call(pickled, future))
        return await future

    def _watch(self, loop: asyncio.AbstractEventLoop) -> None:
        """Kill the workers that have run one call for longer than the pool's timeout; check
        again while any has calls (a few times per timeout)."""
        if loop is not self._watched:
            return  # a watchdog of an earlier loop
        self._watchdog = None
        if self._closed or self.timeout is None:
            return
        now = loop.time()
        for worker in list(self._running):
            if worker.busy_since is not None and now - worker.busy_since > self.timeout:
                worker.stuck(self.timeout)
        if any(worker.calls for worker in self._running) or self._retrier is not None:
            self._watchdog = loop.call_later(self.timeout / 4, self._watch, loop)

    def _worker_lost(self, unanswered: list[_Call]) -> None:
        """Fail the calls that killed a worker twice; queue the others to run again."""
        loop = asyncio.get_running_loop()
        if self._retrier is not None and self._retrier.get_loop() is not loop:
            self._drop_retries()
        for call in unanswered:
            if call.retry:
                call.future.set_exception(
                    WorkerDied(f"the {self.name} worker died twice on this call")
                )
            else:
                self._retries.append(call)
        if self._retries and self._retrier is None:
            # Set at once, so that no call made from here on starts before the retries end.
            self._retrier = loop.create_task(self._run_retries())

    async def _run_retries(self) -> None:
        """Send the queued retries one at a time, each once the one before is answered (its
        answer is awaited even if its caller has given up: a call that kills the worker must
        not be running beside the next retry)."""
        try:
            while self._retries:
                call = self._retries.popleft()
                if call.future.done():  # its caller gave up before its turn
                    continue
                self._retrying = call
                answer = call.future.get_loop().create_future()
                try:
                    self._send(_Call(call.pickled, answer, retry=True))
                except Exception as exc:  # no worker could be forked
                    answer.set_exception(exc)
                await asyncio.wait([answer])
                if not call.future.done():
                    _copy_outcome(answer, call.future)
        finally:
            # No running loop: this is a coroutine collected after its loop was closed.
            with contextlib.suppress(RuntimeError):
                if self._retrier is asyncio.current_task():
                    self._retrier = None
                    self._retrying = None

    def _drop_retries(self) -> None:
        """Cancel the retries and their callers (the pool is closing, or their loop is gone)."""
        retrier, self._retrier = self._retrier, None
        if retrier is not None and not retrier.get_loop().is_closed():
            retrier.cancel()
        dropped = [*self._retries, *([self._retrying] if self._retrying else [])]
        self._retries.clear()
        self._retrying = None
        _forget(dropped)

    def close(self) -> None:
        """Stop the workers, for good. Calls still awaited are cancelled, and a worker with
        calls still to answer is killed (a write it was making is rolled back); an idle
        worker ends on its own."""
        self._closed = True
        if self._watchdog is not None:
            with contextlib.suppress(RuntimeError):  # its loop is closed
                self._watchdog.cancel()
            self._watchdog = None
        self._drop_retries()
        running, self._running = self._running, []
        for worker in running:
            worker.stop()


def _copy_outcome(source: asyncio.Future, target: asyncio.Future) -> None:
    if source.cancelled():
        target.cancel()
    elif source.exception() is not None:
        target.set_exception(source.exception())
    else:
        target.set_result(source.result())
