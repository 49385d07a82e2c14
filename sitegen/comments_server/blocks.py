"""Blocking a sender: by the address hash their pending comments carry, kept in the private
store. The comment server refuses comments from a blocked hash; blocking also rejects what
the sender has waiting in the queue. The address itself is never known here, only its hash.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..errors import ContentError, Problem
from ..layout import SitePaths
from ..lookup import match_id
from ..private import PrivateStore
from .queue import PendingComment, Queue


@dataclass(frozen=True)
class Block:
    ip_hash: str
    since: datetime
    note: str

    def line(self) -> str:
        """One line for `sitegen comments blocked`."""
        return f"{self.ip_hash}  {self.since:%Y-%m-%d %H:%M} UTC  {self.note}"


def block_sender(paths: SitePaths, store: PrivateStore,
                 comment: PendingComment) -> tuple[str, dict[str, Path], list[Problem]]:
    """Block whoever sent `comment`, and reject every pending comment from them. Returns the
    address hash, the comments rejected and what could not be."""
    if not comment.ip_hash:
        raise ContentError(Problem(f"comment {comment.id} has no address hash (it was not "
                                   "sent through the comment server), so its sender cannot "
                                   "be blocked"))
    store.block(comment.ip_hash, time.time(), f"sender of {comment.id} ({comment.author})")
    queue = Queue(paths)
    theirs = []
    for cid in queue.ids():
        try:
            if queue.get(cid).ip_hash == comment.ip_hash:
                theirs.append(cid)
        except ContentError:
            continue  # `sitegen comments list` says what is wrong with it
    rejected, problems = queue.reject(theirs)
    return comment.ip_hash, rejected, problems


class BlockList:
    """The blocked hashes, read again only when the store changed: the comment server asks
    for every comment, and a look at two files' times costs far less than a query."""

    def __init__(self, store: PrivateStore) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._stamp: tuple | None = None
        self._hashes: frozenset[str] = frozenset()

    def __contains__(self, ip_hash: str) -> bool:
        stamp = self.store.stamp()  # before reading: a write after it is read next time
        with self._lock:
            if stamp != self._stamp:
                self._hashes = frozenset(row[0] for row in self.store.blocks())
                self._stamp = stamp
            return ip_hash in self._hashes


def blocks(store: PrivateStore) -> list[Block]:
    return [Block(ip_hash, datetime.fromtimestamp(when, UTC), note)
            for ip_hash, when, note in store.blocks()]


def unblock(store: PrivateStore, given: str) -> str:
    """Lift the block whose hash is, or starts or ends with, `given`; returns the hash."""
    ip_hash = match_id(given, (block.ip_hash for block in blocks(store)), "block")
    store.unblock(ip_hash)
    return ip_hash
