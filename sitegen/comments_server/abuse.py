"""Spam and abuse defence for the comment intake: who the client is, how often it may post,
and what a comment may not contain. No third-party service; everything is local.
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import os
import re
import secrets
import threading
import time
import unicodedata
from collections import deque
from collections.abc import Iterable
from pathlib import Path

from ..atomic import write_new
from ..errors import Problem, SitegenError
from ..layout import SitePaths

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# Anything a browser or a Markdown renderer could turn into a link to somewhere else.
LINK = re.compile(r"(?i)(?:\bhttps?:)?//[^\s/?#\"'<>()\[\]]+|\bwww\.[^\s\"'<>()\[\]]+|<a\b")


def networks(entries: Iterable[str]) -> tuple[Network, ...]:
    """Config strings ("10.0.0.1", "2001:db8::/32") as networks; config.py checked them."""
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def parse_address(text: str) -> Address | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def client_address(peer: str, forwarded_for: str | None, trusted: tuple[Network, ...]) -> str:
    """The client's IP: the peer, unless the peer is a trusted proxy; then the nearest
    address in X-Forwarded-For that is not itself a trusted proxy. Hops are read from the
    right, because only the ones our own proxies appended can be believed."""
    address = parse_address(peer)
    if address is None:
        return peer
    hops = [hop for hop in (forwarded_for or "").split(",") if hop.strip()]
    while _within(address, trusted) and hops:
        hop = parse_address(hops.pop())
        if hop is None:
            break
        address = hop
    return str(address)


def is_blocked(address: str, blocked: tuple[Network, ...]) -> bool:
    parsed = parse_address(address)
    return parsed is not None and _within(parsed, blocked)


def _within(address: Address, nets: tuple[Network, ...]) -> bool:
    return any(address.version == net.version and address in net for net in nets)


def rate_key(address: str) -> str:
    """What one client is: an IPv4 address, or an IPv6 /64, which one household usually
    holds whole and could otherwise walk through to dodge the limit."""
    parsed = parse_address(address)
    if isinstance(parsed, ipaddress.IPv6Address):
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return address


class RateLimiter:
    """At most `limit` requests per client in any `window` seconds; 0 means no limit.

    Memory is bounded by the clients seen in the last window: idle clients are forgotten."""

    def __init__(self, limit: int, window: float = 60.0) -> None:
        self.limit = limit
        self.window = window
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()
        self._next_prune = 0.0

    def allow(self, key: str, now: float | None = None) -> bool:
        """Record a request from `key`; False when it is over the limit."""
        if self.limit <= 0:
            return True
        now = time.monotonic() if now is None else now
        with self._lock:
            self._prune(now)
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            return True

    def retry_after(self, key: str, now: float | None = None) -> int:
        """Whole seconds until `key` may post again."""
        now = time.monotonic() if now is None else now
        with self._lock:
            hits = self._hits.get(key)
            wait = hits[0] + self.window - now if hits else 0.0
        return max(1, int(wait + 0.999))

    def _prune(self, now: float) -> None:
        if now < self._next_prune:
            return
        self._next_prune = now + self.window
        cutoff = now - self.window
        stale = [key for key, hits in self._hits.items() if not hits or hits[-1] <= cutoff]
        for key in stale:
            del self._hits[key]


def count_links(text: str) -> int:
    return len(LINK.findall(text))


class WordFilter:
    """Blocked words, matched whole and without regard to case or Unicode width, so "Spam"
    and a full-width "SPAM" are the word "spam", while "spammer" is not."""

    def __init__(self, words: Iterable[str]) -> None:
        alternatives = sorted({_fold(word.strip()) for word in words if word.strip()})
        self._pattern = (
            re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, alternatives)) + r")(?!\w)")
            if alternatives else None
        )

    def first_match(self, *texts: str) -> str | None:
        if self._pattern is None:
            return None
        for text in texts:
            if match := self._pattern.search(_fold(text)):
                return match.group(0)
        return None


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


class AddressHasher:
    """The client's IP as a salted hash: enough to spot one sender across comments, useless
    for recovering the address. The salt lives in the site's private folder, never in git
    and never deleted with the build cache: blocks and rate records name senders by it."""

    def __init__(self, paths: SitePaths) -> None:
        self._salt = _salt(paths)

    def __call__(self, address: str) -> str:
        return hashlib.blake2b(address.encode(), key=self._salt, digest_size=16).hexdigest()


def _salt(paths: SitePaths) -> bytes:
    path = paths.private.salt
    if not path.exists():
        paths.private.made()
        _move_old_salt(paths.state.salt, path)
        # Another process may make it first; then everyone uses theirs.
        with contextlib.suppress(FileExistsError):
            write_new(path, secrets.token_hex(32).encode())
    try:
        salt = bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (UnicodeDecodeError, ValueError):
        salt = b""
    if len(salt) < 16:
        raise SitegenError(Problem("not a salt of 32 hex digits or more; delete the file and "
                                   "a new one is made", path))
    return salt


def _move_old_salt(old: Path, new: Path) -> None:
    """Sites made before the private folder kept the salt in the build cache: move it, once,
    so the hashes already stored (blocked senders) still match."""
    with contextlib.suppress(FileNotFoundError):
        os.link(old, new)
        old.unlink()
