"""The private store: readers' data and the site's secrets, in one SQLite file.

It lives in the site's private folder (`layout.PrivateFolder`), which git never sees and no
command deletes, so backing it up is copying one file (`sqlite3 sitegen.sqlite3 ".backup
copy.sqlite3"` while servers run). Thread files in `content/` hold only what a page shows;
everything about a reader that a page does not show is here: email addresses keyed by
comment id, reply subscriptions, single-use link tokens, moderation sessions and blocks, the
moderation password's hash and the signing secret.

Each call opens its own short connection: the comment server answers from several threads
and the CLI may run beside it, and SQLite's own locking (WAL, a busy timeout) serialises
them, so no lock of ours is needed.
"""

from __future__ import annotations

import contextlib
import secrets
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .layout import SitePaths

SCHEMA = """
CREATE TABLE IF NOT EXISTS secrets (name TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS used_tokens (token TEXT PRIMARY KEY, used_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS emails (comment_id TEXT PRIMARY KEY, email TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS emails_by_address ON emails (email);
-- moderation: the page's sessions (by the hash of their token), login attempts that did
-- not succeed (by a hash of the client), and blocked senders (by their comments' address hash)
CREATE TABLE IF NOT EXISTS sessions (token_hash TEXT PRIMARY KEY, last_used REAL NOT NULL);
CREATE TABLE IF NOT EXISTS login_attempts (client TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS login_attempts_by_client ON login_attempts (client, at);
CREATE TABLE IF NOT EXISTS blocks (ip_hash TEXT PRIMARY KEY, blocked_at REAL NOT NULL,
                                   note TEXT NOT NULL);
-- reply notifications (issue 11): each address that asked for them, by its lower-case form,
-- with the random key its signed links name, when it confirmed (NULL: not yet) and when it
-- was last sent a confirmation; and the comments whose replies it wants.
CREATE TABLE IF NOT EXISTS subscribers (email TEXT PRIMARY KEY, key TEXT NOT NULL UNIQUE,
                                        confirmed_at REAL, asked_at REAL);
CREATE TABLE IF NOT EXISTS subscriptions (comment_id TEXT PRIMARY KEY, email TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS subscriptions_by_address ON subscriptions (email);
"""


class PrivateStore:
    """The site's private SQLite database, made on first use."""

    def __init__(self, paths: SitePaths) -> None:
        self.path = paths.private.database
        paths.private.made()
        db = sqlite3.connect(self.path, timeout=10.0)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)
        finally:
            db.close()

    @contextlib.contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """A connection whose work is committed when the block ends without an error."""
        db = sqlite3.connect(self.path, timeout=10.0, isolation_level=None)
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        finally:
            db.close()

    def secret(self, name: str) -> bytes:
        """The secret called `name`, made (32 random bytes) the first time it is asked for."""
        with self.connect() as db:
            db.execute("INSERT OR IGNORE INTO secrets VALUES (?, ?)",
                       (name, secrets.token_bytes(32)))
            return db.execute("SELECT value FROM secrets WHERE name = ?", (name,)).fetchone()[0]

    def setting(self, name: str) -> str | None:
        with self.connect() as db:
            row = db.execute("SELECT value FROM settings WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    def set_setting(self, name: str, value: str) -> None:
        with self.connect() as db:
            db.execute("INSERT OR REPLACE INTO settings VALUES (?, ?)", (name, value))

    def use_token(self, token: str, now: float) -> bool:
        """Mark a single-use token used; False if it was used before."""
        with self.connect() as db:
            try:
                db.execute("INSERT INTO used_tokens VALUES (?, ?)", (token, now))
            except sqlite3.IntegrityError:
                return False
        return True

    def set_email(self, comment_id: str, email: str) -> None:
        with self.connect() as db:
            db.execute("INSERT OR REPLACE INTO emails VALUES (?, ?)", (comment_id, email))

    def email_of(self, comment_id: str) -> str | None:
        with self.connect() as db:
            row = db.execute("SELECT email FROM emails WHERE comment_id = ?",
                             (comment_id,)).fetchone()
        return row[0] if row else None

    # Notifications (issue 10): the one-click links' single use.

    def token_used(self, token: str) -> bool:
        """Whether `use_token` was called with this token."""
        with self.connect() as db:
            return db.execute("SELECT 1 FROM used_tokens WHERE token = ?",
                              (token,)).fetchone() is not None
    # Moderation: sessions, failed logins, blocked senders.

    def start_session(self, token_hash: str, now: float) -> None:
        with self.connect() as db:
            db.execute("INSERT INTO sessions VALUES (?, ?)", (token_hash, now))

    def touch_session(self, token_hash: str, now: float, idle: float) -> bool:
        """Whether the session is alive (used in the last `idle` seconds); it counts as
        used now. Sessions past their time are forgotten on the way."""
        with self.connect() as db:
            db.execute("DELETE FROM sessions WHERE last_used < ?", (now - idle,))
            touched = db.execute("UPDATE sessions SET last_used = ? WHERE token_hash = ?",
                                 (now, token_hash)).rowcount
        return touched == 1

    def end_sessions(self, token_hash: str | None = None) -> None:
        """End one session, or every one (None: after the password changed)."""
        with self.connect() as db:
            if token_hash is None:
                db.execute("DELETE FROM sessions")
            else:
                db.execute("DELETE FROM sessions WHERE token_hash = ?", (token_hash,))

    def count_login_attempt(self, client: str, now: float, window: float,
                            most: int) -> float | None:
        """Count an attempt to log in from `client` at `now`, unless `most` are counted in
        the last `window` seconds already: then count nothing, and return when the oldest
        of them leaves the window. One transaction, so attempts made at once cannot all
        slip under the limit."""
        with self.connect() as db:
            db.execute("DELETE FROM login_attempts WHERE at < ?", (now - window,))
            times = [row[0] for row in db.execute(
                "SELECT at FROM login_attempts WHERE client = ? ORDER BY at", (client,))]
            if len(times) >= most:
                return times[-most] + window
            db.execute("INSERT INTO login_attempts VALUES (?, ?)", (client, now))
        return None

    def forget_login_attempt(self, client: str, at: float) -> None:
        """Uncount an attempt that succeeded."""
        with self.connect() as db:
            db.execute("DELETE FROM login_attempts WHERE client = ? AND at = ?", (client, at))

    def block(self, ip_hash: str, now: float, note: str) -> None:
        with self.connect() as db:
            db.execute("INSERT OR IGNORE INTO blocks VALUES (?, ?, ?)", (ip_hash, now, note))

    def unblock(self, ip_hash: str) -> bool:
        with self.connect() as db:
            return db.execute("DELETE FROM blocks WHERE ip_hash = ?", (ip_hash,)).rowcount == 1

    def blocks(self) -> list[tuple[str, float, str]]:
        """(address hash, when, note) of every block, oldest first."""
        db = sqlite3.connect(self.path, timeout=10.0)
        try:  # a plain read: no write lock for it to wait on or to hold
            return db.execute("SELECT ip_hash, blocked_at, note FROM blocks "
                              "ORDER BY blocked_at").fetchall()
        finally:
            db.close()

    def stamp(self) -> tuple:
        """Changes whenever the database may have: a commit grows or rewrites the WAL file,
        a checkpoint the database file (seen to the file system's clock tick, a few ms).
        Cheaper than any query."""
        stamps = []
        for path in (self.path, self.path.with_name(self.path.name + "-wal")):
            try:
                stat = path.stat()
            except FileNotFoundError:
                stamps.append(None)
                continue
            stamps.append((stat.st_mtime_ns, stat.st_size, stat.st_ino))
        return tuple(stamps)

    # Reply notifications (issue 11): readers' addresses by comment, subscriptions, erasure.

    def set_emails(self, pairs: Iterable[tuple[str, str]]) -> int:
        """Keep the address of each (comment id, address), in one transaction."""
        with self.connect() as db:
            # Only what differs is written: importing an export again changes nothing.
            return db.executemany(
                "INSERT INTO emails VALUES (?, ?) ON CONFLICT (comment_id) DO UPDATE SET "
                "email = excluded.email WHERE email != excluded.email", list(pairs)).rowcount

    def subscribe(self, comment_id: str, email: str) -> Subscriber:
        """Replies to `comment_id` are wanted at `email`; the address's record, made with a
        fresh key if it is new."""
        address = email.lower()
        with self.connect() as db:
            db.execute("INSERT OR IGNORE INTO subscribers (email, key) VALUES (?, ?)",
                       (address, secrets.token_urlsafe(18)))
            db.execute("INSERT OR REPLACE INTO subscriptions VALUES (?, ?)", (comment_id, address))
            return _subscriber(db, "email", address)

    def subscriber(self, key: str) -> Subscriber | None:
        with self.connect() as db:
            return _subscriber(db, "key", key)

    def ask(self, key: str, now: float, interval: float) -> bool:
        """Record a confirmation sent now, unless the address is confirmed already or was
        sent one less than `interval` seconds ago: then False, and nothing is to be sent."""
        with self.connect() as db:
            return db.execute(
                "UPDATE subscribers SET asked_at = ? WHERE key = ? AND confirmed_at IS NULL "
                "AND (asked_at IS NULL OR asked_at <= ?)", (now, key, now - interval)
            ).rowcount == 1

    def confirm(self, key: str, now: float) -> Subscriber | None:
        """The address confirmed (the first time only: later calls keep that time)."""
        with self.connect() as db:
            db.execute("UPDATE subscribers SET confirmed_at = ? WHERE key = ? AND "
                       "confirmed_at IS NULL", (now, key))
            return _subscriber(db, "key", key)

    def unsubscribe(self, key: str) -> Subscriber | None:
        """No more replies to this address: its subscriptions go and it is unconfirmed. The
        record stays, so that the day's limit on confirmations still holds."""
        with self.connect() as db:
            found = _subscriber(db, "key", key)
            if found is not None:
                db.execute("DELETE FROM subscriptions WHERE email = ?", (found.email,))
                db.execute("UPDATE subscribers SET confirmed_at = NULL WHERE key = ?", (key,))
        return found

    def confirmed_subscribers(self, comment_ids: Iterable[str]) -> list[Subscriber]:
        """The confirmed addresses that want replies to any of `comment_ids`, each once."""
        ids = list(comment_ids)
        marks = ",".join("?" * len(ids))
        with self.connect() as db:
            rows = db.execute(
                "SELECT DISTINCT b.email, b.key, b.confirmed_at, b.asked_at FROM subscriptions s "
                f"JOIN subscribers b ON b.email = s.email WHERE s.comment_id IN ({marks}) "
                "AND b.confirmed_at IS NOT NULL ORDER BY b.email", ids).fetchall()
        return [Subscriber(*row) for row in rows]

    def comments_of(self, email: str) -> list[str]:
        """The ids of the comments written from `email` (any case), oldest id first."""
        with self.connect() as db:
            rows = db.execute("SELECT comment_id FROM emails WHERE lower(email) = ? "
                              "ORDER BY comment_id", (email.lower(),)).fetchall()
        return [row[0] for row in rows]

    def forget(self, email: str) -> Forgotten:
        """Delete `email` (any case): from its comments, its subscriptions, its record."""
        address = email.lower()
        with self.connect() as db:
            comments = db.execute("DELETE FROM emails WHERE lower(email) = ?",
                                  (address,)).rowcount
            subscriptions = db.execute("DELETE FROM subscriptions WHERE email = ?",
                                       (address,)).rowcount
            subscriber = db.execute("DELETE FROM subscribers WHERE email = ?",
                                    (address,)).rowcount
        return Forgotten(comments, subscriptions, subscriber == 1)


@dataclass(frozen=True)
class Subscriber:
    """An address that asked for reply notifications."""

    email: str
    key: str
    confirmed_at: float | None
    asked_at: float | None

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None


@dataclass(frozen=True)
class Forgotten:
    """What `forget` deleted: how many comments' addresses and subscriptions, and whether
    the address had a subscriber's record."""

    comments: int
    subscriptions: int
    subscriber: bool


def store_of(root: Path) -> PrivateStore:
    """The private store of the site whose root folder is `root`."""
    return PrivateStore(SitePaths.at(root))


def _subscriber(db: sqlite3.Connection, column: str, value: str) -> Subscriber | None:
    row = db.execute(f"SELECT email, key, confirmed_at, asked_at FROM subscribers "
                     f"WHERE {column} = ?", (value,)).fetchone()
    return Subscriber(*row) if row else None
