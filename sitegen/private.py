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
