"""LOAD many content files at once: through the cache of loaded items, and in worker
processes when there is enough Markdown to convert that it pays.

Converting Markdown is nearly all the work of a cold build, and each loader is a pure function
of a file's bytes, its path and the configuration, so the files that miss the cache can be
loaded in any process, in any order. Everything else stays in the calling process.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .comments import CommentRenderer, load_thread, thread_digest
from .config import Config
from .engines import Engines
from .errors import ContentError, Problem, SitegenError
from .posts import load_page, load_post, source_digest
from .progress import Report

if TYPE_CHECKING:
    from multiprocessing.context import BaseContext

# Below this much Markdown to convert (about 200 posts), starting worker processes costs
# more than it saves.
PARALLEL_MIN_BYTES = 1_000_000
CHUNKS_PER_WORKER = 32
# Files loaded in this process between two reports of progress.
IN_PROCESS_CHUNK = 50
# A file changed less than this long ago is read again next time, whatever its stat says.
SETTLE_NS = 2_000_000_000


@dataclass(frozen=True)
class Kind:
    """How to load one kind of content file."""

    digest: Callable[[bytes, Path, Config], str]
    load: Callable
    renderer: type


KINDS = {
    "post": Kind(source_digest, load_post, Engines),
    "page": Kind(source_digest, load_page, Engines),
    "thread": Kind(thread_digest, load_thread, CommentRenderer),
}


@dataclass(frozen=True)
class Request:
    """A content file to load. Its path is kept as text: most files are found unchanged
    by name alone, and a Path for each of thousands of them costs more than the lookup."""

    kind: str
    name: str

    @property
    def path(self) -> Path:
        return Path(self.name)


@dataclass
class Loaded:
    """What loading a list of files gave: one item (or None) per request, the problems
    found, and every item by digest, for the cache."""

    items: list[object | None]
    errors: list[SitegenError]
    by_digest: dict[str, object]


def load_files(
    requests: list[Request],
    config: Config,
    cache: MutableMapping[str, object],
    jobs: int | None = None,
    known: MutableMapping[str, tuple] | None = None,
    progress: Report | None = None,
) -> Loaded:
    """Load each requested file, taking what the cache holds and loading the rest, in
    `jobs` worker processes (None: as many as there are cores, if it pays).

    `known` maps a file's path to its stat signature and digest, as an earlier build found
    them: a file whose signature is the same is not read again. It is left describing
    exactly the requested files. `progress` hears how many files are loaded afresh."""
    result = Loaded([None] * len(requests), [], {})
    seen: dict[str, tuple] = {}
    settled = time.time_ns() - SETTLE_NS
    misses: list[tuple[int, str, Path, bytes, str]] = []
    for index, request in enumerate(requests):
        try:
            item, digest, data = _lookup(request, config, cache, known or {}, seen, settled)
        except OSError as error:
            problem = Problem(f"cannot read: {error.strerror}", request.path)
            result.errors.append(ContentError(problem))
            continue
        if item is None:
            misses.append((index, request.kind, request.path, data, digest))
        else:
            result.items[index] = result.by_digest[digest] = item
    if known is not None:
        known.clear()
        known.update(seen)
    tasks = [(kind, path, data) for _, kind, path, data, _ in misses]
    outcomes = _load(tasks, config, jobs, progress)
    for (index, _, _, _, digest), (item, problems) in zip(misses, outcomes, strict=True):
        if problems:
            result.errors.append(ContentError(*problems))
        else:
            result.items[index] = result.by_digest[digest] = item
    return result


def _lookup(request: Request, config: Config, cache: Mapping[str, object],
            known: Mapping[str, tuple], seen: dict[str, tuple], settled: int) -> tuple:
    """(cached item or None, digest, bytes read) for one file. Its digest is taken from
    `known` when inode, size, modification and change times are as they were then; only
    files that had been still for a while are trusted so, since two writes within one tick
    of the file system's clock leave the same times."""
    name = request.name
    stat = os.stat(name)
    signature = (stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)
    entry = known.get(name)
    if entry is not None and entry[0] == signature:
        item = cache.get(entry[1])
        if item is not None:
            seen[name] = entry
            return item, entry[1], b""
    path = request.path
    data = path.read_bytes()
    digest = KINDS[request.kind].digest(data, path, config)
    if max(stat.st_mtime_ns, stat.st_ctime_ns) < settled:
        seen[name] = (signature, digest)
    return cache.get(digest), digest, data


def _load(tasks: list[tuple[str, Path, bytes]], config: Config, jobs: int | None,
          progress: Report | None) -> list[tuple]:
    """Load the files that missed the cache, here or in workers, a chunk at a time."""
    workers = _workers(tasks, jobs)
    if workers > 1:
        done = _load_in_workers(tasks, config, workers)
    else:
        renderers: dict[type, object] = {}
        done = (load_chunk(tasks[start:start + IN_PROCESS_CHUNK], config, renderers)
                for start in range(0, len(tasks), IN_PROCESS_CHUNK))
    outcomes: list[tuple] = []
    for chunk in done:
        outcomes.extend(chunk)
        if progress:
            progress("loading files", len(outcomes), len(tasks))
    return outcomes


def load_chunk(tasks: list[tuple[str, Path, bytes]], config: Config,
               renderers: dict[type, object] | None = None) -> list[tuple]:
    """Load files in this process: (item, ()) or (None, problems) for each. Problems come
    back as values, so that they cross from a worker process intact. `renderers` are the
    Markdown converters to reuse, by kind (making one takes milliseconds)."""
    renderers = {} if renderers is None else renderers
    outcomes: list[tuple] = []
    for kind_name, path, data in tasks:
        kind = KINDS[kind_name]
        renderer = renderers.get(kind.renderer) or renderers.setdefault(
            kind.renderer, kind.renderer())
        try:
            outcomes.append((kind.load(path, data, config, renderer), ()))
        except SitegenError as error:
            outcomes.append((None, error.problems))
    return outcomes


def cpu_count() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)


def _workers(tasks: list[tuple[str, Path, bytes]], jobs: int | None) -> int:
    if jobs is not None:
        return max(1, min(jobs, len(tasks)))
    size = sum(len(data) for _, _, data in tasks)
    return cpu_count() if size >= PARALLEL_MIN_BYTES else 1


def _load_in_workers(tasks: list, config: Config, workers: int) -> Iterator[list[tuple]]:
    """The outcomes of each chunk of `tasks`, in order, as the workers finish them."""
    # Imported here: most builds load a few files, in this process, and should not pay
    # for importing the machinery of worker processes.
    from concurrent.futures import ProcessPoolExecutor

    chunks = _chunks(tasks, workers * CHUNKS_PER_WORKER)
    with ProcessPoolExecutor(workers, mp_context=_context()) as pool:
        yield from pool.map(load_chunk, chunks, [config] * len(chunks))


def _chunks(tasks: list, count: int) -> list[list]:
    """`tasks` cut into about `count` runs of about equal size in bytes, in order."""
    total = sum(len(data) for _, _, data in tasks)
    target = max(1, total // count)
    chunks: list[list] = [[]]
    size = 0
    for task in tasks:
        if size >= target:
            chunks.append([])
            size = 0
        chunks[-1].append(task)
        size += len(task[2])
    return chunks


def _context() -> BaseContext:
    import multiprocessing

    # Forking is the fastest start, but forking a process that runs other threads (the
    # preview server does) can copy a lock in the held state; a fork server cannot.
    methods = multiprocessing.get_all_start_methods()
    if threading.active_count() == 1 and "fork" in methods:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
