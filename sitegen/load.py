"""LOAD every content file of a site: find the files, take what earlier builds loaded from
a read-only lookup, load the rest (here and in worker processes when there is enough
Markdown to convert that it pays), and return it all, with every problem found, as `Loaded`.

Converting Markdown is nearly all the work of a cold build, and each loader is a pure function
of a file's bytes, its path and the configuration, so the files that miss the lookup can be
loaded in any process, in any order. Nothing here writes: the build stores what was loaded
afresh (state.py), and makes the model of it (site.py).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from .comments import CommentRenderer, Thread, load_thread, thread_digest
from .config import Config
from .engines import Engines
from .errors import ContentError, Problem, SitegenError
from .layout import SitePaths
from .posts import Post, StaticPage, load_page, load_post, source_digest
from .progress import Report
from .redirects import Redirect, load_redirects
from .sourcefile import file_fault
from .state import Lookup
from .workers import Parallelism, can_fork, fork_map, pool_map

# Below this much Markdown to convert (about 200 posts), starting worker processes costs
# more than it saves.
PARALLEL_MIN_BYTES = 1_000_000
CHUNKS_PER_WORKER = 32
# Files loaded in this process between two reports of progress.
IN_PROCESS_CHUNK = 50
LOADING = "loading files"
# A file changed less than this long ago is read again next time, whatever its stat says.
SETTLE_NS = 2_000_000_000
NOTHING = Lookup({}, {})
# A pool worker's Markdown converters, by kind, made when first needed and reused by
# every chunk it loads (making one, with its highlighter's lexers, takes half a
# millisecond; a worker loads dozens of chunks, one at a time).
_WORKER_RENDERERS: dict[type, object] = {}


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


class Task(NamedTuple):
    """Loading one file: its kind, path and size, and its bytes when they were read to
    look it up (else it is read where it is loaded, and `signature` is its stat signature,
    if it had been still long enough to be remembered by it)."""

    kind: str
    name: str
    size: int
    data: bytes | None
    signature: tuple | None = None
    # Its digest, when it was taken to look the file up (else it is taken where it loads).
    digest: str | None = None


@dataclass(frozen=True)
class Loaded:
    """Everything a site's files hold, in file name order (all posts: drafts and scheduled
    ones too), the problems found, and for the build state: every item by digest, the items
    loaded afresh, and each file's stat signature and digest."""

    posts: tuple[Post, ...]
    pages: tuple[StaticPage, ...]
    threads: tuple[Thread, ...]
    redirects: tuple[Redirect, ...]
    problems: tuple[Problem, ...]
    used: dict[str, object]
    fresh: dict[str, object]
    files: dict[str, tuple]


def load(paths: SitePaths, config: Config, lookup: Lookup = NOTHING,
         parallelism: Parallelism | None = None, progress: Report | None = None) -> Loaded:
    """Load every post, page, thread and redirect of the site at `paths`, taking what
    `lookup` holds; `progress` hears how many files are loaded afresh."""
    problems: list[Problem] = []
    requests = _requests(paths, problems)
    items, used, fresh, files = _load_files(requests, config, lookup,
                                            parallelism or Parallelism(), progress, problems)
    try:
        redirects = load_redirects(paths.redirects)
    except ContentError as error:
        problems += error.problems
        redirects = ()
    found: dict[str, list] = {"post": [], "page": [], "thread": []}
    for (kind, _), item in zip(requests, items, strict=True):
        if item is not None:
            found[kind].append(item)
    return Loaded(tuple(found["post"]), tuple(found["page"]), tuple(found["thread"]),
                  redirects, tuple(problems), used, fresh, files)


def _requests(paths: SitePaths, problems: list[Problem]) -> list[tuple[str, str]]:
    """(kind, path) of each content file. Its path is kept as text: most files are found
    unchanged by name alone, and a Path for each of thousands of them costs more than the
    lookup."""
    return [
        *(("post", name) for name in _files(paths.posts, ".md", problems)),
        *(("page", name) for name in _files(paths.pages, ".md", problems)),
        *(("thread", name) for name in _files(paths.comments, ".yml", problems)),
    ]


def _load_files(requests: list[tuple[str, str]], config: Config, lookup: Lookup,
                parallelism: Parallelism, progress: Report | None,
                problems: list[Problem]) -> tuple[list, dict, dict, dict]:
    """(item or None for each request, items used by digest, items loaded afresh by digest,
    the files' signatures); problems are added to `problems`."""
    items: list[object | None] = [None] * len(requests)
    used: dict[str, object] = {}
    files: dict[str, tuple] = {}
    settled = time.time_ns() - SETTLE_NS
    misses: list[tuple[int, str, str | None]] = []  # (index, path, digest if known)
    tasks: list[Task] = []
    for index, (kind, name) in enumerate(requests):
        try:
            item, digest, task = _lookup(kind, name, config, lookup, files, settled)
        except OSError as error:
            problems.append(Problem(f"cannot read: {error.strerror}", Path(name)))
            continue
        if item is None:
            misses.append((index, name, digest))
            tasks.append(task)
        else:
            items[index] = used[digest] = item
    fresh: dict[str, object] = {}
    outcomes = _load(tasks, config, parallelism, progress)
    for (index, name, digest), (item, found, read) in zip(misses, outcomes, strict=True):
        problems.extend(found)
        if read is not None:  # read where it was loaded: its digest, and its signature
            digest, signature = read
            if signature is not None:
                files[name] = (signature, digest)
        if not found:
            items[index] = used[digest] = fresh[digest] = item
    return items, used, fresh, files


def _lookup(kind: str, name: str, config: Config, lookup: Lookup, files: dict[str, tuple],
            settled: int) -> tuple:
    """(earlier item or None, digest, the task of loading the file) for one file. Its
    digest is taken from the known files when inode, size, modification and change times
    are as they were then, and only files that had been `still` are remembered so. When the
    lookup holds nothing (a first build), no digest could find an item: the file is read,
    and its digest taken, by the process that loads it, so that a large site's files are
    not all read here, one after the other, while the workers wait."""
    stat = os.stat(name)
    signature = file_signature(stat)
    if not lookup.items:
        return None, None, Task(kind, name, stat.st_size, None,
                                signature if still(stat, settled) else None)
    entry = lookup.files.get(name)
    if entry is not None and entry[0] == signature:
        item = lookup.items.get(entry[1])
        if item is not None:
            files[name] = entry
            return item, entry[1], None
    data = _read(name)
    digest = KINDS[kind].digest(data, Path(name), config)
    if still(stat, settled):
        files[name] = (signature, digest)
    return lookup.items.get(digest), digest, Task(kind, name, len(data), data, digest=digest)


def still(stat: os.stat_result, settled: int) -> bool:
    """Whether a file was last changed before `settled` (a time in ns): only then may its
    stat signature stand for its bytes, since two writes within one tick of the file
    system's clock leave the same times."""
    return max(stat.st_mtime_ns, stat.st_ctime_ns) < settled


def _read(name: str) -> bytes:
    # Unbuffered: a buffer, and the terminal check and seek that come with it, only slow
    # reading a whole file at once (1,900 files: 15 ms instead of 18).
    with open(name, "rb", buffering=0) as file:
        return file.read()


def file_signature(stat: os.stat_result) -> tuple[int, int, int, int]:
    """What tells a file unchanged without reading it, once it has been still SETTLE_NS."""
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)


def _load(tasks: list[Task], config: Config, parallelism: Parallelism,
          progress: Report | None) -> list[tuple]:
    """Load the files that missed the lookup, here or in workers, a chunk at a time."""
    size = sum(task.size for task in tasks)
    workers = parallelism.workers(size, PARALLEL_MIN_BYTES, len(tasks))
    report = progress or (lambda stage, done, total: None)
    if workers > 1 and can_fork(parallelism):
        # This process and forked workers take chunks of what is left (this one from the
        # end: the threads), and the workers send each chunk's files back as soon as they
        # are loaded; a pool of workers started afresh must be sent its work. Each process
        # makes its own converters.
        chunk = max(1, len(tasks) // (workers * CHUNKS_PER_WORKER))
        converters: dict[type, object] = {}
        return fork_map(lambda task: load_chunk([task], config, converters)[0], tasks,
                        workers, tick=lambda done: report(LOADING, done, len(tasks)),
                        batch=chunk, streamed=True)
    if workers > 1:
        chunks = _chunks(tasks, workers * CHUNKS_PER_WORKER)
        done: Iterator[list[tuple]] = pool_map(load_chunk, chunks, config, workers,
                                               parallelism)
    else:
        renderers: dict[type, object] = {}
        done = (load_chunk(tasks[start:start + IN_PROCESS_CHUNK], config, renderers)
                for start in range(0, len(tasks), IN_PROCESS_CHUNK))
    outcomes: list[tuple] = []
    for chunk in done:
        outcomes.extend(chunk)
        report(LOADING, len(outcomes), len(tasks))
    return outcomes


def load_chunk(tasks: list[Task], config: Config,
               renderers: dict[type, object] | None = None) -> list[tuple]:
    """Load files in this process: (item, (), read) or (None, problems, read) for each, where
    `read` is None, or for a file left to be read here, (its digest, its signature if it
    had been still, else None). Problems come back as values, so that they cross from a
    worker process intact. `renderers` are the Markdown converters to reuse, by kind
    (None: the pool worker's own)."""
    renderers = _WORKER_RENDERERS if renderers is None else renderers
    outcomes: list[tuple] = []
    for task in tasks:
        kind = KINDS[task.kind]
        path = Path(task.name)
        data, digest, read = task.data, task.digest, None
        if data is None:
            try:
                data = _read(task.name)
            except OSError as error:
                outcomes.append((None, (Problem(f"cannot read: {error.strerror}", path),),
                                 None))
                continue
            digest = kind.digest(data, path, config)
            read = (digest, task.signature)
        renderer = renderers.get(kind.renderer) or renderers.setdefault(
            kind.renderer, kind.renderer())
        try:
            outcomes.append((kind.load(path, data, config, renderer, digest), (), read))
        except SitegenError as error:
            outcomes.append((None, error.problems, read))
    return outcomes


def _chunks(tasks: list[Task], count: int) -> list[list[Task]]:
    """`tasks` cut into about `count` runs of about equal size in bytes, in order."""
    total = sum(task.size for task in tasks)
    target = max(1, total // count)
    chunks: list[list[Task]] = [[]]
    size = 0
    for task in tasks:
        if size >= target:
            chunks.append([])
            size = 0
        chunks[-1].append(task)
        size += task.size
    return chunks


def _files(folder: Path, suffix: str, problems: list[Problem]) -> list[str]:
    """The paths of the files named *suffix in `folder` (not hidden ones), sorted by name.
    What cannot be listed or read is added to `problems`: a folder that is a file, a broken
    symbolic link, a pipe. Skipping it would build a site without those posts, and delete
    their pages, without a word. A folder named *suffix is not content."""
    try:
        entries = list(os.scandir(folder))
    except OSError as error:
        problem = _folder_problem(folder, error)
        if problem is not None and problem not in problems:
            problems.append(problem)
        return []
    found = []
    for entry in sorted(entries, key=lambda entry: entry.name):
        if not entry.name.endswith(suffix) or entry.name.startswith("."):
            continue
        kind = _kind(entry)
        if kind == "file":
            found.append(entry.path)
        elif kind != "folder" and (fault := file_fault(entry.path)):
            problems.append(Problem(fault, Path(entry.path)))
    return found


def _kind(entry: os.DirEntry) -> str:
    """"file", "folder" or "other" (a link that leads nowhere, a pipe), links followed."""
    try:
        return "file" if entry.is_file() else "folder" if entry.is_dir() else "other"
    except OSError:  # a link in a loop
        return "other"


def _folder_problem(folder: Path, error: OSError) -> Problem | None:
    """Why a content folder cannot be listed; None when there is simply no such folder."""
    on_the_way = (folder, *folder.parents)
    if isinstance(error, NotADirectoryError):
        culprit = next((p for p in on_the_way if p.exists() and not p.is_dir()), folder)
        return Problem("is not a folder", culprit)
    if isinstance(error, FileNotFoundError):
        broken = next((p for p in on_the_way if p.is_symlink() and not p.exists()), None)
        return None if broken is None else Problem(file_fault(broken) or "", broken)
    return Problem(f"cannot read: {error.strerror}", folder)
