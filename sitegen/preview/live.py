"""What open preview pages follow: the build they should show, the problems of the last
failed rebuild, and the server-sent events that tell them of each new build.

The rebuild loop (loop.py) tells the `LiveReload` what happened; the HTTP server (http.py)
streams it to every open page, whose script (livereload.js) reloads, restyles, or lays the
build's errors over the page.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import partial


@dataclass(frozen=True)
class Message:
    number: int
    event: str
    data: str

    def encode(self) -> bytes:
        return f"event: {self.event}\ndata: {self.data}\n\n".encode()


class LiveReload:
    """What open pages follow: the id of the build they should show, the problems of the
    last failed rebuild, and the recent messages for the event streams."""

    def __init__(self, keepalive: float = 15.0) -> None:
        self.keepalive = keepalive
        self._token = secrets.token_hex(4)
        self._epoch = 0
        self._problems: list[dict] = []
        self._messages: deque[Message] = deque(maxlen=32)
        self._closed = False
        self._condition = threading.Condition()

    @property
    def build_id(self) -> str:
        """Changes with every good build and with every server start."""
        return f"{self._token}-{self._epoch}"

    @property
    def failing(self) -> bool:
        return bool(self._problems)

    def reload(self, paths: list[str] | None = None) -> None:
        """A good build changed the files at `paths` (None: which ones is not known, or
        they are files that pages load): pages showing one of them reload, the others only
        drop the problems they showed."""
        with self._condition:
            self._epoch += 1
            self._problems = []
            self._send("reload", {"build": self.build_id, "paths": paths})

    def restyle(self, urls: list[str] | None) -> None:
        """A good build changed only stylesheets (None: which ones is not known)."""
        with self._condition:
            self._epoch += 1
            self._problems = []
            self._send("css", {"build": self.build_id, "paths": urls})

    def fail(self, problems: Iterable[dict]) -> None:
        with self._condition:
            self._problems = list(problems)
            self._send("problems", {"problems": self._problems})

    def close(self) -> None:
        """End every event stream, so the server's threads can be joined."""
        with self._condition:
            self._closed = True
            self._condition.notify_all()

    def stream(self, build: str) -> Iterator[bytes]:
        """Server-sent events for a page showing `build`: first whatever it missed, then
        each message as it comes, with a comment now and then to notice closed pages."""
        with self._condition:
            seen = self._messages[-1].number if self._messages else 0
            if self._problems:
                first = Message(seen, "problems", json.dumps({"problems": self._problems}))
            elif build != self.build_id:
                first = Message(seen, "reload", json.dumps({"build": self.build_id}))
            else:
                first = None
        yield b"retry: 1000\n\n" + (first.encode() if first else b"")
        while True:
            with self._condition:
                self._condition.wait_for(partial(self._news, seen), timeout=self.keepalive)
                if self._closed:
                    return
                fresh = [message for message in self._messages if message.number > seen]
                seen = self._newest()
            yield b"".join(message.encode() for message in fresh) or b": keep-alive\n\n"

    def _news(self, seen: int) -> bool:
        return self._closed or self._newest() > seen

    def _newest(self) -> int:
        return self._messages[-1].number if self._messages else 0

    def _send(self, event: str, data: dict) -> None:
        self._messages.append(Message(self._newest() + 1, event, json.dumps(data)))
        self._condition.notify_all()
