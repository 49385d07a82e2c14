"""WORKERS: the one way sitegen spreads work over processes, for loading and for rendering.

How much parallelism is safe is the caller's to say (`Parallelism`), not something guessed
here: the command line runs one thread and may fork, so a worker starts with the whole build
already in memory; the preview runs HTTP and watcher threads, and forking a process with
other threads can copy a lock in the held state, so there workers are started afresh (a fork
server, else spawn), and only work that can be sent to them goes there.
"""

from __future__ import annotations

import contextlib
import os
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import SitegenError

# Items a forked worker takes at a time: a few milliseconds of pages, so that taking them
# costs nothing beside them and no worker is left with a long tail.
BATCH = 8
# How often, in seconds, the process that takes part in the work takes what the workers
# have sent (a look costs a few microseconds).
TAKE_EVERY = 0.005
# What a pipe from a worker that streams its results may hold (Linux's limit for a
# process that is not privileged).
PIPE_BYTES = 1 << 20

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.context import BaseContext


@dataclass(frozen=True)
class Parallelism:
    """What the caller allows: `jobs` processes (None: every core, when the work is large
    enough to pay for starting them), and whether this process may fork (only when it runs
    no other thread)."""

    jobs: int | None = None
    fork_safe: bool = False

    def workers(self, size: int, enough: int, count: int) -> int:
        """How many processes to use for `count` pieces of work of `size` in all, when
        `enough` is the size below which starting processes costs more than it saves."""
        if self.jobs is not None:
            return max(1, min(self.jobs, count))
        return min(cpu_count(), max(1, count)) if size >= enough else 1


def cpu_count() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)


def pool_map(function: Callable, chunks: Sequence, extra: object, workers: int,
             parallelism: Parallelism) -> Iterator:
    """`function(chunk, extra)` for each chunk, in order, computed in `workers` processes
    that are sent the chunks: forked when the caller says it is safe, else started afresh."""
    # Imported here: most builds load a few files, in this process, and should not pay
    # for importing the machinery of worker processes.
    from concurrent.futures import ProcessPoolExecutor

    context = _context(parallelism)
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        yield from pool.map(function, chunks, [extra] * len(chunks))


def can_fork(parallelism: Parallelism) -> bool:
    """Whether workers may be forked with this process's memory (and so be sent nothing)."""
    import multiprocessing

    return parallelism.fork_safe and "fork" in multiprocessing.get_all_start_methods()


def run_aside(parallelism: Parallelism, work: Callable[..., None],
              *args: object) -> Callable[[], None]:
    """Start `work(*args)` in a forked process of its own, to use a core this process leaves
    idle, and return the function that waits for it: only where the caller may fork, allows
    more than one job and has more than one core (else nothing runs, and waiting is free).
    `work` reports nothing back; it may only leave files that this process also knows how
    to make (a cache)."""
    if not can_fork(parallelism) or parallelism.jobs == 1 or cpu_count() < 2:
        return lambda: None
    import multiprocessing

    process = multiprocessing.get_context("fork").Process(target=work, args=args, daemon=True)
    process.start()
    return process.join


def fork_map(work: Callable[[Any], Any], items: list, workers: int,
             meanwhile: Callable[[], None] | None = None,
             tick: Callable[[int], None] | None = None, *, batch: int = BATCH,
             streamed: bool = False) -> list:
    """`work(item)` for each item, in order, computed in this process and `workers - 1`
    forked ones (call only when `can_fork`): each starts with this process's memory, so
    nothing is sent to it, and back comes only each result. All take the items `batch` at
    a time, so that none waits while another still has a queue: items differ in cost.
    This process first runs `meanwhile`, then takes its share; what it makes is never
    pickled and sent, and it pays no copy-on-write for the memory it reads (the 1,000-post
    bench: 0.11 s of CPU to send every loaded file back). It takes its batches from the end
    of the items, the workers theirs from the start, so that items of a kind, which the
    caller keeps together, mostly go to one process, which alone makes what they all use
    (loading: posts, whose code needs Pygments' lexers, and threads; rendering: post
    pages, and the listings, which share each post's teaser). It calls
    `tick(done)` after each of its batches, and every tenth of a second once it has none
    left. `streamed`: each worker's batch is sent back as soon as it is made, and unpickled
    here as this process goes on with its own (for large results, such as loaded posts);
    else each worker sends all of its results at the end (small ones, such as staged
    pages). A SitegenError in a worker is raised here as it was; any other failure, as
    RuntimeError."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    # The items not yet taken: the indices from left[0] up to left[1], under its lock.
    left = context.Array("q", [0, len(items)])
    # Items done, one counter per process (this one is 0), each written by its process
    # alone: no lock.
    counts = context.Array("q", workers, lock=False)
    running = []
    for number in range(1, workers):
        receiving, sending = context.Pipe(duplex=False)
        if streamed:
            _widen(sending)
        process = context.Process(target=_work, daemon=True, args=(
            work, items, left, sending, counts, number, batch, streamed))
        process.start()
        sending.close()
        running.append((process, receiving))
    results: list = [None] * len(items)
    waiting = {receiving: process for process, receiving in running}
    failures: dict[Connection, tuple] = {}
    report = (lambda: tick(sum(counts))) if tick else (lambda: None)
    try:
        if meanwhile:
            meanwhile()
        taken = time.perf_counter()  # when the workers' replies were last taken
        for taken_here in _batches(left, batch, from_end=True):
            for index in taken_here:
                results[index] = work(items[index])
                counts[0] += 1
                # Often enough that a streaming worker never waits on a full pipe: a batch
                # of 150 posts takes Python-Markdown 0.4 s, and a worker's next one fills
                # the pipe long before that.
                if waiting and time.perf_counter() - taken >= TAKE_EVERY:
                    _take_replies(waiting, results, failures, timeout=0)
                    taken = time.perf_counter()
            report()
            if failures:
                break
        while waiting:
            _take_replies(waiting, results, failures, timeout=0.1)
            report()
    finally:
        for process in waiting.values():  # this process failed: the workers' work is lost
            process.kill()
            process.join()
    for _, receiving in running:
        if receiving in failures:
            _raise_failure(failures[receiving])
    return results


def _batches(left, batch: int, from_end: bool = False) -> Iterator[range]:
    """The indices of each batch a process takes from those `left`, from the start of them
    or from their end, until none is left."""
    while True:
        with left.get_lock():
            first, end = left[0], left[1]
            if first >= end:
                return
            if from_end:
                taken = range(max(first, end - batch), end)
                left[1] = taken.start
            else:
                taken = range(first, min(end, first + batch))
                left[0] = taken.stop
        yield taken


def _widen(sending: Connection) -> None:
    """Let a pipe hold a megabyte (Linux; elsewhere it stays as it is): a worker that sends
    a batch of loaded posts, a few hundred kilobytes, then goes on with the next one instead
    of waiting until this process has read the last of it."""
    import fcntl

    with contextlib.suppress(AttributeError, OSError):
        fcntl.fcntl(sending.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)


def _context(parallelism: Parallelism) -> BaseContext:
    import multiprocessing

    if can_fork(parallelism):
        return multiprocessing.get_context("fork")
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def _take_replies(waiting: dict, results: list, failures: dict, timeout: float) -> None:
    """Put each (index, result) that the workers have sent into `results`, waiting up to
    `timeout` seconds for the first; a worker that has finished is joined and no longer
    `waiting`, and one that failed has its reply in `failures`."""
    from multiprocessing.connection import wait

    for ready in wait(list(waiting), timeout=timeout):
        try:
            reply = ready.recv()
        except EOFError:  # it died without a word
            reply = None
        if reply is None or reply[0] != "part":
            process = waiting.pop(ready)
            process.join()
            if reply is None:
                reply = ("crash", f"a worker process died (exit code {process.exitcode})")
        if reply[0] in ("part", "done"):
            for index, result in reply[1]:
                results[index] = result
        else:
            failures[ready] = reply


def _work(work: Callable, items: Sequence, left, sending: Connection, counts,
          number: int, batch: int, streamed: bool) -> None:
    """In a forked worker: take `batch` items at a time until none is left, counting them
    in `counts[number]`; send back (index, result) for each, a batch at a time if
    `streamed`, else all at the end, or why not (problems as values, since a SitegenError
    does not survive pickling whole)."""
    try:
        results = []
        for taken in _batches(left, batch):
            for index in taken:
                results.append((index, work(items[index])))
                counts[number] += 1
            if streamed:
                sending.send(("part", results))
                results = []
        sending.send(("done", results))
    except SitegenError as error:
        sending.send(("problems", type(error), error.problems))
    except Exception:
        sending.send(("crash", traceback.format_exc()))
    finally:
        sending.close()


def _raise_failure(reply: tuple) -> None:
    if reply[0] == "problems":
        raise reply[1](*reply[2])
    if reply[0] == "crash":
        raise RuntimeError(f"a worker process failed:\n{reply[1]}")
