"""Real parts for preview tests: HTTP requests sent byte for byte, an event-stream reader,
a console that remembers what it printed, and a poll for things that happen after a save."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from sitegen.config import BuildOptions
from sitegen.errors import Problem
from sitegen.preview import Preview, ServeOptions
from sitegen.preview.http import PreviewServer, WSGIApp, bind

from conftest import NOW


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def request(base_url: str, path: str, method: str = "GET", body: bytes | None = None,
            headers: dict[str, str] | None = None) -> Response:
    """`path` goes on the request line exactly as given: no normalising, no re-quoting."""
    address = urlsplit(base_url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    try:
        connection.putrequest(method, path, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        if body is not None:
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        data = response.read()
        return Response(response.status, {k.lower(): v for k, v in response.getheaders()}, data)
    finally:
        connection.close()


@contextmanager
def running(app: WSGIApp) -> Iterator[PreviewServer]:
    """`app` on a real server on a free loopback port, stopped with its threads joined."""
    server = bind("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,))
    thread.start()
    try:
        yield server
    finally:
        server.close()
        thread.join()


class EventStream:
    """A live-reload event stream read as a browser's EventSource reads it."""

    def __init__(self, base_url: str, build: str) -> None:
        address = urlsplit(base_url)
        self.connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
        self.connection.request("GET", f"/__sitegen/events?build={build}")
        self.response = self.connection.getresponse()

    def next(self) -> tuple[str, dict]:
        """The next event's name and data, skipping keep-alive comments and `retry`."""
        event = None
        while True:
            raw = self.response.fp.readline()
            if not raw:
                raise EOFError("the event stream ended")
            line = raw.decode("utf-8").rstrip("\n")
            if line.startswith("event: "):
                event = line.removeprefix("event: ")
            elif line.startswith("data: ") and event:
                return event, json.loads(line.removeprefix("data: "))

    def close(self) -> None:
        self.connection.close()


@dataclass
class RecordingConsole:
    """The preview's console, remembering every line (it is written to from two threads)."""

    lines: list[str] = field(default_factory=list)

    def info(self, message: str) -> None:
        self.lines.append(message)

    def warn(self, problem: Problem) -> None:
        self.lines.append(f"warning: {problem}")

    def error(self, problem: Problem | str) -> None:
        self.lines.append(f"error: {problem}")


@contextmanager
def previewing(site) -> Iterator[tuple[Preview, RecordingConsole]]:
    """A running preview of `site` on a free loopback port, once its first build is over
    (done or failed); stopped, with its threads joined, afterwards."""
    console = RecordingConsole()
    settings = ServeOptions(host="127.0.0.1", port=0, quiet_period=0.05)
    with Preview(site.paths, BuildOptions(now=NOW), settings, console) as running:
        wait_until(lambda: any(line.startswith(("built", "the preview keeps showing"))
                               for line in console.lines))
        yield running, console


def wait_until(condition: Callable[[], object], timeout: float = 15.0) -> object:
    """Poll `condition` until it returns something true; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.05)
    raise AssertionError(f"still not true after {timeout} s: {condition}")


class ServeProcess:
    """`sitegen serve` in a child process, as a user runs it; its output is collected as it
    comes so that the pipes never fill. Stopped with SIGINT (Ctrl-C) at the latest on exit."""

    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sitegen", "serve", "--port", "0", *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, **(env or {})},
        )
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        self._readers = [
            threading.Thread(target=self._collect, args=(self.process.stdout, self.stdout)),
            threading.Thread(target=self._collect, args=(self.process.stderr, self.stderr)),
        ]
        for reader in self._readers:
            reader.start()

    def __enter__(self) -> ServeProcess:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.process.poll() is None:
            self.stop()

    @property
    def url(self) -> str:
        def serving() -> str | None:
            if self.process.poll() is not None:
                raise AssertionError(f"sitegen serve exited: {self.stderr}")
            found = [re.search(r" at (http://\S+/) ", line) for line in self.stdout]
            return next((match[1] for match in found if match), None)

        return str(wait_until(serving))

    def stop(self, signum: int = signal.SIGINT, timeout: float = 20) -> int:
        """Send `signum` and wait for the exit status (killing it if it hangs)."""
        self.process.send_signal(signum)
        return self.wait(timeout)

    def wait(self, timeout: float) -> int:
        """The exit status, once the process ended and its output is all read."""
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"sitegen serve did not stop within {timeout} s") from None
        for reader in self._readers:
            reader.join()
        return code

    @staticmethod
    def _collect(stream, lines: list[str]) -> None:
        for line in stream:
            lines.append(line.rstrip("\n"))
