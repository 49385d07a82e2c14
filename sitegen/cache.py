"""CACHE: loaded posts, pages and threads kept between builds in `<site>/.sitegen/items/`.

Items are keyed by the digest of everything they were made from (`source_digest`), so an
entry is never stale, only unused. The store is a few pickle files ("segments"), each written
whole to a temporary name and renamed: a build adds one small segment holding what it loaded
afresh, and once a third of the entries are unused, one build writes all that it
uses into a single segment and removes the old ones. Reading all segments of a 5,000-post
blog takes about a quarter of a second; rewriting them all would take longer than the
one-post rebuild it serves, which is why a small change only appends.
"""

from __future__ import annotations

import contextlib
import copyreg
import dataclasses
import functools
import gc
import io
import os
import pickle
import time
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path, PosixPath
from typing import BinaryIO

from markupsafe import Markup

from . import __version__
from .atomic import write_file
from .comments import Comment, Thread, ThreadRow
from .posts import Post, StaticPage

CACHE_DIR = ".sitegen"
MAX_SEGMENTS = 64
BATCH = 200
# The shape of what is stored: a segment written by other code, or by this code before its
# classes changed, is ignored rather than read into objects that lack fields.
HEADER = (
    "sitegen-items", 4, __version__,
    tuple(tuple(f.name for f in dataclasses.fields(cls))
          for cls in (Post, StaticPage, Thread, Comment, ThreadRow)),
)


def state_folder(root: Path) -> Path:
    """The site's private, per-machine files (the build's cache and locks, the salt of the
    comment server); kept out of git by its own .gitignore, made on first use."""
    folder = root / CACHE_DIR
    ignore = folder / ".gitignore"
    if not ignore.exists():
        folder.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError), ignore.open("x", encoding="utf-8") as file:
            file.write("# sitegen's private state for this machine: never commit it\n*\n")
    return folder


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cycle collector while a build makes many long-lived objects: it would
    otherwise scan the growing heap again and again (reading the cache of a 5,000-post blog
    took three times as long). Any cycles made meanwhile are collected once it resumes."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class ItemStore:
    """The segments in one folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def load(self) -> dict[str, object]:
        """Every stored item by digest; unreadable or foreign segments are skipped."""
        items: dict[str, object] = {}
        with gc_paused():
            for path in self._segments():
                with contextlib.suppress(OSError, pickle.UnpicklingError, EOFError,
                                         AttributeError, ImportError, TypeError, ValueError):
                    items.update(_read_segment(path))
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


def _read_segment(path: Path) -> dict[str, object]:
    """A segment's items: its header, batches of items, then None; else nothing.
    Unpickled from the file as it is read: a copy of the whole file first took a quarter
    as long again (at 5,000 posts, 40 ms of 160) and as much memory as the file."""
    with path.open("rb") as stream:
        if pickle.load(stream) != HEADER:
            return {}
        found: dict[str, object] = {}
        while (batch := pickle.load(stream)) is not None:
            found.update(batch)
        return found


def read_known(path: Path, key: str) -> dict[str, tuple]:
    """Content files' stat signatures and digests, as stored with `key` (which names the
    code and configuration the digests were made with); empty when the key differs."""
    with contextlib.suppress(OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError):
        stored_key, known = pickle.loads(path.read_bytes())
        if stored_key == key and isinstance(known, dict):
            return known
    return {}


def write_known(path: Path, key: str, known: dict[str, tuple]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_file(path, pickle.dumps((key, known), protocol=pickle.HIGHEST_PROTOCOL))


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
