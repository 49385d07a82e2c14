"""The outbox: messages that must go out later, kept as files until they have, and the
worker thread that sends them, retrying with backoff.

A reader's request only writes a file (`Outbox.put`, whole and flushed before the reader is
answered); the worker sends it on each of its channels, and rewrites the file with the
channels still to do, or deletes it when none is left. A failure is logged on one line and
retried after 5 s, 10 s, 20 s... up to an hour; files left by a stopped or crashed server are
sent by the next one. Sending may repeat a message whose success was not yet recorded when
the process died, never lose one.

A batched channel (email) gathers every entry waiting for it into one message, sent at most
once per `interval`: a burst of comments makes one email, not one each. Other channels send
each entry on its own. What a channel means and how it sends is the caller's `send`.
"""

from __future__ import annotations

import contextlib
import json
import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from ..atomic import sweep, write_file, write_new

log = logging.getLogger("sitegen.comments_server.outbox")
Send = Callable[[str, list[dict]], None]
Hold = Callable[[], contextlib.AbstractContextManager]
NEVER = float("inf")


class Busy(Exception):
    """Raised by a worker's `hold` when another process is sending the outbox."""


@dataclass(frozen=True)
class Policy:
    """How long the worker waits, in seconds."""

    gather: float = 2.0  # a batched message waits this long for more entries to join it
    interval: float = 60.0  # and follows the last one on its channel by at least this
    first_retry: float = 5.0  # the wait after a failure, doubled after each failure since
    last_retry: float = 3600.0  # a success, up to this
    rescan: float = 30.0  # how often the folder is read for files other processes put there


@dataclass(frozen=True)
class Entry:
    """One file of the outbox: what to send, and on which channels it is still due."""

    name: str
    item: dict
    channels: tuple[str, ...]


class Outbox:
    """A folder of entries, one JSON file each, named so that they sort by age."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def put(self, item: dict, channels: tuple[str, ...]) -> Entry:
        """Store a new entry, flushed to disk before this returns."""
        name = f"{time.time_ns():020d}-{secrets.token_hex(4)}.json"
        entry = Entry(name, item, channels)
        write_new(self.folder / name, self._encode(entry))
        return entry

    def names(self) -> list[str]:
        if not self.folder.is_dir():
            return []
        return sorted(path.name for path in self.folder.glob("[!.]*.json"))

    def read(self, name: str) -> Entry:
        """The entry in file `name`; ValueError or OSError if it cannot be read."""
        data = json.loads((self.folder / name).read_bytes())
        if not isinstance(data.get("item"), dict) or not isinstance(data.get("channels"), list):
            raise ValueError("not an outbox entry")
        return Entry(name, data["item"], tuple(data["channels"]))

    def update(self, entry: Entry, channels: tuple[str, ...]) -> Entry:
        """Record that only `channels` are still to do; the file goes when none is left."""
        path = self.folder / entry.name
        if not channels:
            path.unlink(missing_ok=True)
        else:
            write_file(path, self._encode(replace(entry, channels=channels)), durable=True)
        return replace(entry, channels=channels)

    def sweep(self) -> None:
        """Delete the temporary files of writers that were killed mid-write."""
        if self.folder.is_dir():
            sweep(self.folder)

    @staticmethod
    def _encode(entry: Entry) -> bytes:
        data = {"channels": list(entry.channels), "item": entry.item}
        return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")


@dataclass
class _Retry:
    failures: int
    at: float


class Worker:
    """The thread that empties an outbox. `channels` are those configured now: an entry's
    channel that is no longer one is dropped, with a log line. The worker holds `hold()` (a
    site-wide lock, which raises `Busy` when another process has it) while it sends, so that
    two servers never send one entry twice."""

    def __init__(self, outbox: Outbox, send: Send, channels: tuple[str, ...],
                 batched: frozenset[str], policy: Policy, hold: Hold,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.outbox, self.send, self.channels = outbox, send, channels
        self.batched, self.policy, self.hold, self.clock = batched, policy, hold, clock
        self._entries: dict[str, Entry] = {}
        self._seen: dict[str, float] = {}
        self._unreadable: set[str] = set()
        self._retries: dict[object, _Retry] = {}
        self._last_batch: dict[str, float] = {}
        self._added: list[Entry] = []
        self._adding = threading.Lock()
        self._scanned = -NEVER
        self._wake = threading.Event()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="sitegen-outbox", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def add(self, entry: Entry) -> None:
        """Send `entry`, just put in the outbox by this process: handed over directly, so
        that a burst of comments does not make the worker read the folder once each."""
        with self._adding:
            self._added.append(entry)
        self._wake.set()

    def close(self, timeout: float = 30.0) -> None:
        """Stop after the message being sent, if any."""
        self._stopping = True
        self._wake.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        """Send while holding the outbox; while another process holds it, look again
        every `rescan` seconds (it may stop)."""
        waiting_said = False
        while not self._stopping:
            try:
                with self.hold():
                    self._serve()
                return
            except Busy:
                if not waiting_said:
                    log.warning("another comment server is sending this site's outbox; this "
                                "one takes over when it stops")
                    waiting_said = True
                self._wake.clear()  # entries handed over meanwhile wait for the folder scan
                self._wake.wait(self.policy.rescan)

    def _serve(self) -> None:
        self.outbox.sweep()
        while not self._stopping:
            self._wake.clear()
            try:
                due = self._cycle()
            except Exception as error:  # a bug or a full disk must not end the worker
                log.error("the outbox worker failed, and tries again: %r", error)
                due = self.clock() + self.policy.first_retry
            self._wake.wait(max(0.0, due - self.clock()))

    def _cycle(self) -> float:
        """Send what is due; returns when something next will be."""
        now = self.clock()
        with self._adding:
            added, self._added = self._added, []
        for entry in added:
            if entry.name not in self._entries:
                self._admit(entry, now)
        # The first cycle always reads the folder: what was handed over while another
        # process held the outbox, and has been sent by it since, is forgotten there.
        if now >= self._scanned + self.policy.rescan:
            self._refresh(now)
            self._scanned = now
        due = self._scanned + self.policy.rescan
        for channel in self.channels:
            if self._stopping:
                break
            send = self._batch if channel in self.batched else self._each
            due = min(due, send(channel, now))
        return due

    def _refresh(self, now: float) -> None:
        """Read entries that appeared in the folder, forget those that left it."""
        names = [name for name in self.outbox.names() if name not in self._unreadable]
        for name in set(self._entries) - set(names):
            del self._entries[name]
            self._seen.pop(name, None)
        for name in names:
            if name not in self._entries:
                self._load(name, now)

    def _load(self, name: str, now: float) -> None:
        try:
            entry = self.outbox.read(name)
        except FileNotFoundError:
            return
        except (OSError, ValueError) as error:
            log.error("outbox file %s cannot be read, left alone: %s", name, error)
            self._unreadable.add(name)
            return
        self._admit(entry, now)

    def _admit(self, entry: Entry, now: float) -> None:
        """Take an entry on, without the channels no longer configured."""
        name = entry.name
        if stale := [c for c in entry.channels if c not in self.channels]:
            log.warning("outbox %s: %s no longer configured, not sent there", name,
                        ", ".join(stale))
            entry = self.outbox.update(entry, tuple(c for c in entry.channels
                                                    if c in self.channels))
        if entry.channels:
            self._entries[name] = entry
            self._seen.setdefault(name, now)

    def _waiting(self, channel: str) -> list[Entry]:
        return [entry for entry in self._entries.values() if channel in entry.channels]

    def _batch(self, channel: str, now: float) -> float:
        """Send every entry waiting for `channel` in one message, once it is due."""
        waiting = self._waiting(channel)
        if not waiting:
            return NEVER
        due = max(min(self._seen[entry.name] for entry in waiting) + self.policy.gather,
                  self._last_batch.get(channel, -NEVER) + self.policy.interval,
                  self._retry_at(channel))
        if now < due:
            return due
        if not self._attempt(channel, channel, waiting):
            return self._retry_at(channel)
        self._last_batch[channel] = self.clock()
        return NEVER

    def _each(self, channel: str, now: float) -> float:
        """Send each entry waiting for `channel` that is due on its own; returns when the
        next retry is."""
        due = NEVER
        for entry in self._waiting(channel):
            key = (channel, entry.name)
            if self._stopping:
                return now
            if now < self._retry_at(key) or not self._attempt(channel, key, [entry]):
                due = min(due, self._retry_at(key))
        return due

    def _attempt(self, channel: str, key: object, entries: list[Entry]) -> bool:
        """Send `entries` on `channel`; record the success, or the failure and its retry."""
        try:
            self.send(channel, [entry.item for entry in entries])
        except Exception as error:  # any failure, a bug in composing too, is retried
            self._failed(channel, key, entries, error)
            return False
        self._retries.pop(key, None)
        for entry in entries:
            left = tuple(c for c in entry.channels if c != channel)
            self._entries[entry.name] = self.outbox.update(entry, left)
            if not left:
                del self._entries[entry.name]
                self._seen.pop(entry.name, None)
        return True

    def _failed(self, channel: str, key: object, entries: list[Entry], error: Exception) -> None:
        retry = self._retries.get(key, _Retry(0, 0.0))
        wait = min(self.policy.first_retry * 2 ** retry.failures, self.policy.last_retry)
        self._retries[key] = _Retry(retry.failures + 1, self.clock() + wait)
        reason = " ".join(str(error).split()) or type(error).__name__
        log.error("could not send %d notification(s) by %s (failure %d, next try in %.0f s): %s",
                  len(entries), channel, retry.failures + 1, wait, reason)

    def _retry_at(self, key: object) -> float:
        retry = self._retries.get(key)
        return retry.at if retry else -NEVER
