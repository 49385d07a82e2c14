"""Real parts for the notification tests: an SMTP server (aiosmtpd) and a webhook receiver
(http.server), both on loopback, and a way to wait for what they receive."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

from sitegen.comments_server.outbox import Policy

# Short waits, so that a test sees batching and retries in a second or two.
FAST = Policy(gather=0.3, interval=60.0, first_retry=0.2, last_retry=0.5, rescan=1.0)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(check: Callable[[], object], what: str, timeout: float = 30.0):
    """The first true value `check` returns; fails the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := check():
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


@dataclass
class Mailbox:
    """What the SMTP server received: each message, parsed, with when it arrived."""

    messages: list[EmailMessage] = field(default_factory=list)
    raw: list[bytes] = field(default_factory=list)
    arrived: list[float] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.raw.append(envelope.content)
        self.messages.append(message)
        self.arrived.append(time.monotonic())
        return "250 OK"

    def wait(self, count: int = 1, timeout: float = 30.0) -> list[EmailMessage]:
        wait_for(lambda: len(self.messages) >= count, f"{count} email(s)", timeout)
        return self.messages


@contextmanager
def smtp_server(port: int, mailbox: Mailbox | None = None, **options) -> Iterator[Mailbox]:
    """A real SMTP server on 127.0.0.1:`port`, storing what it receives in `mailbox`."""
    mailbox = mailbox if mailbox is not None else Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()


@dataclass
class Hook:
    """What the webhook server received; it answers `failures` requests with 503 first."""

    failures: int = 0
    bodies: list[dict] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    answered: list[int] = field(default_factory=list)


@contextmanager
def webhook_server(hook: Hook) -> Iterator[str]:
    """A real HTTP server on loopback taking POSTs; yields its URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            status = 503 if len(hook.answered) < hook.failures else 204
            if status == 204:
                hook.bodies.append(json.loads(body))
                hook.types.append(self.headers["Content-Type"])
            hook.answered.append(status)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    worker = threading.Thread(target=server.serve_forever, daemon=True)
    worker.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/hook"
    finally:
        server.shutdown()
        server.server_close()
        worker.join(timeout=10)


def text_of(message: EmailMessage) -> str:
    """The email's text, with the line ends it had before SMTP's CRLF."""
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")
