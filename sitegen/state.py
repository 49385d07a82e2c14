"""STATE: what builds remember to go faster, kept in the build state folder (a cache: deleting
it costs only time). One `BuildState`, opened by each build, owns all of it:

- the item store: loaded posts, pages and threads, keyed by the digest of everything they
  were made from (`source_digest`), so an entry is never stale, only unused;
- the known files: each content file's stat signature and digest, so that an unchanged
  file is not even read;
- the manifest of the output folder: what each of its files was made from.

Loading gets a read-only `Lookup` of the first two and returns what it loaded afresh; the
build commits that once. Every state file is a pickle behind a header naming its format and
sitegen's version, read by `read_state`: a file that is missing, damaged or foreign reads as
absent, and is rebuilt by the next build.

The item store is a few pickle files ("segments"), each written whole to a temporary name
and renamed: a build adds one small segment holding what it loaded afresh, and once a third
of the entries are unused, one build writes all that it uses into a single segment and
removes the old ones. Reading all segments of a 5,000-post blog takes about a quarter of a
second; rewriting them all would take longer than the one-post rebuild it serves, which is
why a small change only appends.
"""

from __future__ import annotations

import contextlib
import copyreg
import dataclasses
import functools
import io
import os
import pickle
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PosixPath
from typing import BinaryIO, Protocol

from markupsafe import Markup

from . import __version__
from .atomic import write_file
from .comments import Comment, Thread, ThreadRow
from .config import Config
from .digest import fingerprint
from .errors import Problem
from .layout import SitePaths
from .posts import Post, StaticPage


class LoadedItems(Protocol):
    """What the build state keeps of a load (load.Loaded): the items it used, those it
    loaded afresh, each file's signature, and whether it found problems."""

    used: dict[str, object]
    fresh: dict[str, object]
    files: dict[str, tuple]
    problems: tuple[Problem, ...]


MAX_SEGMENTS = 64
BATCH = 200
# The shape of what is stored: a segment written by other code, or by this code before its
# classes changed, is ignored rather than read into objects that lack fields.
HEADER = (
    "sitegen-items", 4, __version__,
    tuple(tuple(f.name for f in dataclasses.fields(cls))
          for cls in (Post, StaticPage, Thread, Comment, ThreadRow)),
)
KNOWN_HEADER = ("sitegen-files", 1)
MANIFEST_HEADER = ("sitegen-manifest", 3, __version__)
# What reading a state file written by other code, or cut short, can raise.
DAMAGED = (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError,
           ValueError, IndexError)
# path in the output folder -> (digest of its inputs or None, content_hash of its bytes)
Files = dict[str, tuple[str | None, str]]


def read_state(path: Path, header: object,
               read: Callable[[BinaryIO], object] = pickle.load) -> object | None:
    """What the state file at `path` holds after `header`, read by `read` straight from the
    file; None when it is missing, damaged, or another format's (the build state is a
    cache: what cannot be read is made again)."""
    with contextlib.suppress(*DAMAGED), path.open("rb") as stream:
        if pickle.load(stream) == header:
            return read(stream)
    return None


def write_state(path: Path, header: object, value: object) -> None:
    """Write `value` behind `header`, whole or not at all."""
    def dump(file: BinaryIO) -> None:
        pickler = _pickler(file)
        for part in (header, value):
            pickler.clear_memo()  # each part stands alone, read by its own load()
            pickler.dump(part)

    write_file(path, dump)


@dataclass
class Memory:
    """Loaded items kept in memory between the builds of one long-running process (the
    preview), so that its builds skip reading the item store."""

    items: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Lookup:
    """What loading may use of earlier builds, read-only: items by digest, and the known
    files (path -> (stat signature, digest))."""

    items: Mapping[str, object]
    files: Mapping[str, tuple]


@dataclass(frozen=True)
class Record:
    """The output folder as the last build left it. `token` ties it to the folder's owner
    record (see output.py); a record whose token is not the owner's is ignored. An entry
    whose digest is None is one a build was about to change when it stopped: its file is
    checked byte for byte the next time."""

    token: str
    # The digest of everything the pages were planned from; the same digest means the
    # same pages, so a build that finds it unchanged need not plan them again.
    site: str | None
    pages: tuple[str, ...]
    files: Files


class BuildState:
    """One build's view of what earlier builds left: opened before loading, committed once
    after it (`clean`: ignore everything stored)."""

    def __init__(self, paths: SitePaths, config: Config, clean: bool = False,
                 memory: Memory | None = None) -> None:
        self.paths = paths
        self.memory = memory
        self.store = ItemStore(paths.state.items)
        # Digests of content files depend on our code and the configuration, as items do.
        self.key = fingerprint((__version__, repr(config)))
        if clean:
            items, files = {}, {}
        else:
            items = memory.items if memory is not None and memory.items else self.store.load()
            files = _known(read_state(paths.state.known_files, KNOWN_HEADER), self.key)
        self.lookup = Lookup(items, files)
        self._committed = False

    def commit(self, loaded: LoadedItems) -> None:
        """Store what `loaded` loaded afresh, and the files as it found them; the first call
        only (a failed build commits what did load, so that the next converts only what
        changed). After errors, what did load joins what is in memory, so that the build
        with the typo fixed converts only the file that had it."""
        if self._committed:
            return
        self._committed = True
        self.paths.state.made()
        self.store.save(loaded.used, loaded.fresh)
        if loaded.files != self.lookup.files:
            write_state(self.paths.state.known_files, KNOWN_HEADER, (self.key, loaded.files))
        if self.memory is not None:
            self.memory.items = (dict(loaded.used) if not loaded.problems
                                 else {**self.lookup.items, **loaded.used})

    def read_manifest(self, token: str | None) -> Record | None:
        """The record of the output folder whose owner record holds `token`, or None."""
        if token is None:
            return None
        record = read_state(self.paths.state.manifest(self.paths.output), MANIFEST_HEADER)
        return record if isinstance(record, Record) and record.token == token else None

    def write_manifest(self, record: Record) -> None:
        write_state(self.paths.state.manifest(self.paths.output), MANIFEST_HEADER, record)


def _known(stored: object, key: str) -> dict[str, tuple]:
    """The known files stored with `key` (which names the code and configuration their
    digests were made with); empty when the key differs."""
    if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == key \
            and isinstance(stored[1], dict):
        return stored[1]
    return {}


class ItemStore:
    """The segments in one folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def load(self) -> dict[str, object]:
        """Every stored item by digest; unreadable or foreign segments are skipped."""
        items: dict[str, object] = {}
        for path in self._segments():
            items.update(read_state(path, HEADER, _read_batches) or {})
        return items

    def save(self, used: Mapping[str, object], fresh: Mapping[str, object]) -> None:
        """Record `fresh` items; compact to exactly `used` when a third of what is stored is
        unused (every read pays for it), or the store has grown into too many segments."""
        if not fresh:
            return
        segments = self._segments()
        stored = sum(_count(path) for path in segments) + len(fresh)
        if 2 * stored > 3 * len(used) + 100 or len(segments) >= MAX_SEGMENTS:
            self._write(dict(used))
            for path in segments:
                path.unlink(missing_ok=True)
        else:
            self._write(dict(fresh))

    def _segments(self) -> list[Path]:
        try:
            names = sorted(os.listdir(self.folder))
        except OSError:
            return []
        return [self.folder / name for name in names if name.endswith(".pickle")]

    def _write(self, items: dict[str, object]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)

        def dump(file: BinaryIO) -> None:
            # Straight into the file, and a batch at a time with the pickler's memo cleared
            # between batches: one pickle of a whole blog (or its memo of every object)
            # would be as large as the blog in memory, at the build's peak.
            pickler = _pickler(file)
            keys = list(items)
            batches = (dict((key, items[key]) for key in keys[at:at + BATCH])
                       for at in range(0, len(keys), BATCH))
            for part in (HEADER, *batches, None):
                pickler.clear_memo()  # each part stands alone, read by its own load()
                pickler.dump(part)

        # The name sorts by time and carries the count, so that deciding to compact needs
        # no reading; the pid keeps two processes saving at once apart.
        name = f"{time.time_ns():020d}-{os.getpid()}-{len(items)}.pickle"
        write_file(self.folder / name, dump)


def _pickler(file: BinaryIO) -> pickle.Pickler:
    pickler = pickle.Pickler(file, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = {**copyreg.dispatch_table, **_REDUCERS}
    return pickler


def _read_batches(stream: BinaryIO) -> dict[str, object]:
    """A segment's items after its header: batches of items, then None. Unpickled from the
    file as it is read: a copy of the whole file first took a quarter as long again (at
    5,000 posts, 40 ms of 160) and as much memory as the file."""
    found: dict[str, object] = {}
    while (batch := pickle.load(stream)) is not None:
        found.update(batch)
    return found


@functools.lru_cache(maxsize=64)
def _folder(text: str) -> Path:
    return Path(text)


def _child(folder: str, name: str) -> Path:
    return _folder(folder) / name


class StoredThread(Thread):
    """A thread read back from the store with its comments still packed: they are unpacked
    when something first asks for them, which in a small rebuild is only the pages it
    renders. Unpickling the comments of every thread was half the time of reading the store
    of a 5,000-post blog; its count and newest date are at hand without them."""

    @property
    def count(self) -> int:
        return self.__dict__["_count"]

    @property
    def latest(self) -> datetime | None:
        return self.__dict__["_latest"]

    def __getattr__(self, name: str) -> object:
        # Reached only while `comments` and `rows` are not set (or for a name that is not).
        if name not in ("comments", "rows"):
            raise AttributeError(name)
        comments, rows = pickle.loads(self.__dict__["_packed"])
        self.__dict__.update(comments=comments, rows=rows)
        return self.__dict__[name]


def _stored_thread(fields: dict[str, object]) -> StoredThread:
    thread = object.__new__(StoredThread)
    thread.__dict__.update(fields)
    return thread


def _pack_thread(thread: Thread) -> tuple:
    packed = thread.__dict__.get("_packed")
    if packed is None:
        file = io.BytesIO()
        # Flat rows, not the reply tree: pickling a 5,000-deep tree recursed past the limit.
        _pickler(file).dump((thread.comments, thread.rows))
        packed = file.getvalue()
    fields = {"source_digest": thread.source_digest, "stem": thread.stem,
              "source": thread.source, "warnings": thread.warnings,
              "holds_emails": thread.holds_emails,
              "_count": thread.count, "_latest": thread.latest, "_packed": packed}
    return (_stored_thread, (fields,))


# Quicker to read back than pickle's own way with these (a fifth less time in all): a path
# is rebuilt from its folder, parsed once, and a name; Markup skips its __new__; a thread's
# comments stay packed (see StoredThread).
_REDUCERS = {
    PosixPath: lambda path: (_child, (str(path.parent), path.name)),
    Markup: lambda markup: (str.__new__, (Markup, str(markup))),
    Thread: _pack_thread,
    StoredThread: _pack_thread,
}


def _count(path: Path) -> int:
    try:
        return int(path.stem.rsplit("-", 1)[1])
    except (IndexError, ValueError):
        return 0
