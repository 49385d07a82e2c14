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
from collections.abc import Iterator

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
