"""WATCH: which files the preview follows, what kind of change each one is, and the debounce
that turns a burst of file events into one rebuild.

An editor's save-by-rename is three or four events and a `git checkout` is hundreds; the
preview wants one rebuild for each, so changes are collected until the files go quiet.
Only the folders a build reads are watched: the output folder, rewritten by every build,
would otherwise wake the watcher with thousands of events of its own.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileAttribEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import ObservedWatch

from ..layout import SitePaths

# Opening or reading a file changes nothing, and a folder "modified" only repeats the
# events of the files in it; everything else might change a page.
EVENTS = [
    FileCreatedEvent, FileDeletedEvent, FileModifiedEvent, FileMovedEvent, FileClosedEvent,
    FileAttribEvent, DirCreatedEvent, DirDeletedEvent, DirMovedEvent,
]
# Editors' swap, backup and lock files, and vim's probe file "4913".
SCRATCH_SUFFIXES = (".swp", ".swx", ".swo", ".tmp", ".bak", "~")
# Folders at the site's root whose appearance changes what the watcher must follow.
LAYOUT_FOLDERS = ("content", "templates", "static", "themes")


class Kind(StrEnum):
    POST = "post"
    PAGE = "page"
    COMMENTS = "comment thread"
    REDIRECTS = "redirect list"
    TEMPLATE = "template"
    STATIC = "static file"
    CONFIG = "configuration"


@dataclass(frozen=True)
class Change:
    kind: Kind
    path: Path


@dataclass(frozen=True)
class Batch:
    """The changes one rebuild answers."""

    changes: frozenset[Change]

    def describe(self) -> str:
        """'2 posts, 1 comment thread changed'."""
        counts: dict[Kind, int] = {}
        for change in self.changes:
            counts[change.kind] = counts.get(change.kind, 0) + 1
        parts = [f"{n} {kind}{'' if n == 1 else 's'}" for kind, n in counts.items()]
        return ", ".join(sorted(parts)) + " changed"


def classify(path: Path, paths: SitePaths, theme: Path | None) -> Change | None:
    """What kind of input `path` is for a build, or None when no build reads it."""
    name = path.name
    if not name or name.startswith((".", "#")) or name.endswith(SCRATCH_SUFFIXES) or name == "4913":
        return None
    if path == paths.config_file or (path.parent == paths.root and name in LAYOUT_FOLDERS):
        return Change(Kind.CONFIG, path)
    if path.is_relative_to(paths.output):
        return None
    parent = path.parent
    if parent == paths.posts and path.suffix == ".md":
        return Change(Kind.POST, path)
    if parent == paths.pages and path.suffix == ".md":
        return Change(Kind.PAGE, path)
    if parent == paths.comments and path.suffix == ".yml":
        return Change(Kind.COMMENTS, path)
    if path == paths.redirects:
        return Change(Kind.REDIRECTS, path)
    for folder in (paths.templates, theme and theme / "templates"):
        if folder and path.is_relative_to(folder):
            return Change(Kind.TEMPLATE, path)
    for folder in (paths.static, theme and theme / "static"):
        if folder and path.is_relative_to(folder):
            return Change(Kind.STATIC, path)
    if path.is_relative_to(paths.themes):
        # Another theme, or a theme's own settings: cheap to treat as a template change.
        return Change(Kind.TEMPLATE, path)
    return None


class Debouncer:
    """Collects changes; `take` hands them over once no new one came for `quiet` seconds
    (or `longest` seconds after the first, so a file written in a loop still shows)."""

    def __init__(self, quiet: float = 0.05, longest: float = 2.0) -> None:
        self.quiet = quiet
        self.longest = longest
        self._changes: set[Change] = set()
        self._first = self._last = 0.0
        self._closed = False
        self._condition = threading.Condition()

    def add(self, change: Change) -> None:
        with self._condition:
            now = time.monotonic()
            if not self._changes:
                self._first = now
            self._changes.add(change)
            self._last = now
            self._condition.notify_all()

    def take(self) -> Batch | None:
        """The next batch of changes, waiting for it; None once closed."""
        with self._condition:
            while not self._changes and not self._closed:
                self._condition.wait()
            while not self._closed:
                due = min(self._last + self.quiet, self._first + self.longest)
                if (left := due - time.monotonic()) <= 0:
                    break
                self._condition.wait(left)
            if self._closed:
                return None
            batch = Batch(frozenset(self._changes))
            self._changes.clear()
            return batch

    def close(self) -> None:
        with self._condition:
            self._closed = True
            self._condition.notify_all()


def _stopping_race(record: logging.LogRecord) -> bool:
    """watchdog logs an error when an event arrives as its inotify thread stops (a file
    saved just as the preview stops); nothing is lost, so the terminal need not hear it."""
    return "called when the thread is inactive" not in record.getMessage()


class Watcher:
    """A watchdog observer over the folders a build of the site reads."""

    def __init__(self, paths: SitePaths, on_change: Callable[[Change], None]) -> None:
        inotify_log = logging.getLogger("watchdog.observers.inotify")
        if _stopping_race not in inotify_log.filters:
            inotify_log.addFilter(_stopping_race)
        self.paths = paths
        self.theme: Path | None = None
        self._on_change = on_change
        self._observer = Observer()
        self._watches: dict[tuple[Path, bool], ObservedWatch] = {}
        self._handler = _Handler(self._dispatch)

    def follow(self, theme: Path | None) -> None:
        """Watch the site's input folders that exist now, and the theme wherever it lives.
        Called again after each rebuild, since a folder may have appeared or the theme moved,
        or been deleted and made again (a checkout), which ends its old watch."""
        self.theme = theme
        folders = [self.paths.root / name for name in LAYOUT_FOLDERS]
        if theme is not None and not theme.is_relative_to(self.paths.root):
            folders.append(theme)
        wanted = {(self.paths.root, False)}
        wanted |= {(folder, True) for folder in folders if folder.is_dir()}
        ended = {key for key, watch in self._watches.items() if not self._running(watch)}
        for key in (set(self._watches) - wanted) | ended:
            self._unschedule(self._watches.pop(key))
        for folder, recursive in wanted - set(self._watches):
            self._watches[folder, recursive] = self._observer.schedule(
                self._handler, str(folder), recursive=recursive, event_filter=EVENTS
            )

    def start(self) -> None:
        self._observer.start()

    def stop(self) -> None:
        self._observer.stop()
        self._observer.join()

    def _dispatch(self, paths: Iterable[str]) -> None:
        for path in paths:
            if change := classify(Path(path), self.paths, self.theme):
                self._on_change(change)

    def _running(self, watch: ObservedWatch) -> bool:
        """False once watchdog stopped the watch because its folder was deleted."""
        return any(emitter.watch == watch and emitter.should_keep_running()
                   for emitter in self._observer.emitters)

    def _unschedule(self, watch: ObservedWatch) -> None:
        # A deleted folder may already have dropped its watch on its own.
        with contextlib.suppress(KeyError):
            self._observer.unschedule(watch)


class _Handler(FileSystemEventHandler):
    def __init__(self, dispatch: Callable[[Iterable[str]], None]) -> None:
        self._dispatch = dispatch

    def on_any_event(self, event: FileSystemEvent) -> None:
        paths = [event.src_path, event.dest_path]
        self._dispatch(str(path) for path in paths if path)
