"""Signed tokens for links sent by email: who may act on what, until when, without a login.

A token is its fields, an expiry time and an HMAC-SHA256 of both, in letters a URL carries
as they are: `approve.20261126T131740Z-3f9a1c2b.1767225600.<mac>`. The key is a secret from
the private store, and each kind of link has its own `purpose`, mixed into the MAC, so that
a token made for one kind of link (moderation) is never valid as another (unsubscribing).
Whether a token was used already is the caller's business (`PrivateStore.use_token`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass

FIELD = re.compile(r"^[A-Za-z0-9_-]+$")
MAC_LENGTH = 43  # 32 bytes in unpadded base64url


class BadToken(Exception):
    """A token that must not be acted on; `reason` is "tampered" or "expired"."""

    def __init__(self, reason: str, expires: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.expires = expires


@dataclass(frozen=True)
class Signer:
    """Makes and checks tokens for one purpose with one secret key."""

    secret: bytes
    purpose: str

    def sign(self, fields: tuple[str, ...], expires: int) -> str:
        """A token naming `fields` (each of letters, digits, '-' or '_'), valid until the
        Unix time `expires`."""
        for value in fields:
            if not FIELD.match(value):
                raise ValueError(f"a signed field must be letters, digits, - or _: {value!r}")
        body = ".".join((*fields, str(int(expires))))
        return f"{body}.{self._mac(body)}"

    def verify(self, token: str, now: float) -> tuple[str, ...]:
        """The fields a token names; BadToken if it was changed or has expired."""
        body, _, mac = token.rpartition(".")
        if len(mac) != MAC_LENGTH or not hmac.compare_digest(mac, self._mac(body)):
            raise BadToken("tampered")
        *fields, expires = body.split(".")
        if int(expires) <= now:
            raise BadToken("expired", int(expires))
        return tuple(fields)

    def _mac(self, body: str) -> str:
        message = f"{self.purpose}\0{body}".encode()
        digest = hmac.new(self.secret, message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")
