"""Who may use the moderation page: its password, login sessions, CSRF tokens and the limit
on failed logins, all kept in the private store (never in sitegen.toml, which is in git).

The password is kept only as a slow scrypt hash with a random salt. A session is a random
token in a cookie; the store holds only the token's hash, so a copy of the database opens no
session. A form's CSRF token is an HMAC of the session (or, on the login form, of a random
cookie) under a secret of the store: a page on another site can neither read nor make one.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from ..private import PrivateStore

PASSWORD_SETTING = "moderation_password"
CSRF_SECRET = "moderation-csrf"
SESSION_IDLE = 7 * 24 * 3600  # a session ends after a week of disuse
FAILURE_WINDOW = 15 * 60
MAX_FAILURES = 5
# scrypt's cost: 2**15 rounds of 8 blocks take ~32 MiB and a tenth of a second, as OWASP
# advises for interactive logins; an attacker with the hash pays as much for each guess.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
SCRYPT_MAXMEM = 64 * 1024 * 1024


def hash_password(password: str, salt: bytes | None = None) -> str:
    """`scrypt$N$r$p$salt$hash`, in hex: everything needed to check a password later."""
    salt = salt or secrets.token_bytes(16)
    key = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${key.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, key = stored.split("$")
        expected = bytes.fromhex(key)
        actual = _scrypt(password, bytes.fromhex(salt), int(n), int(r), int(p))
    except ValueError:
        return False
    return kind == "scrypt" and hmac.compare_digest(actual, expected)


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p,
                          maxmem=SCRYPT_MAXMEM, dklen=32)


def set_password(store: PrivateStore, password: str | None) -> None:
    """Set the page's password (None: turn the page off); every session ends either way."""
    store.set_setting(PASSWORD_SETTING, hash_password(password) if password else "")
    store.end_sessions()


def stored_password(store: PrivateStore) -> str | None:
    """The password's hash, or None when the page is off."""
    return store.setting(PASSWORD_SETTING) or None


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Sessions:
    """Login sessions of the moderation page and the CSRF tokens tied to them."""

    store: PrivateStore

    def start(self, now: float) -> str:
        token = secrets.token_urlsafe(32)
        self.store.start_session(_token_hash(token), now)
        return token

    def alive(self, token: str, now: float) -> bool:
        """Whether `token` is a session used in the last week; it counts as used now."""
        return bool(token) and self.store.touch_session(_token_hash(token), now, SESSION_IDLE)

    def end(self, token: str) -> None:
        self.store.end_sessions(_token_hash(token))

    def csrf(self, bound_to: str) -> str:
        """The CSRF token of forms shown to the holder of `bound_to` (a session token, or
        the login form's cookie)."""
        key = self.store.secret(CSRF_SECRET)
        return hmac.new(key, _token_hash(bound_to).encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, bound_to: str, given: str) -> bool:
        return bool(bound_to) and hmac.compare_digest(self.csrf(bound_to).encode(),
                                                      given.encode("utf-8", "replace"))


@dataclass(frozen=True)
class LoginLimit:
    """At most MAX_FAILURES failed logins per client in FAILURE_WINDOW seconds, counted in
    the store so that restarting the server forgives nothing. Each attempt is counted before
    the password is checked, and uncounted if it was right, so that attempts sent at once
    get no more guesses than attempts sent one by one."""

    store: PrivateStore

    def attempt(self, client: str, now: float) -> int | None:
        """Count an attempt at `now`; or, when `client` is over the limit, the seconds until
        it may try again."""
        until = self.store.count_login_attempt(client, now, FAILURE_WINDOW, MAX_FAILURES)
        return None if until is None else max(1, int(until - now + 0.999))

    def succeeded(self, client: str, now: float) -> None:
        self.store.forget_login_attempt(client, now)
