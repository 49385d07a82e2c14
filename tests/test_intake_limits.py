"""The comment server under many slow or idle connections: `sitegen comments serve` run for
real over loopback, still answering a reader while others hold connections open."""

from __future__ import annotations

import os
import re
import resource
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from urllib.parse import urlsplit

import pytest
from intake_support import JSON, comment, comment_site, pending, running_intake, send

from sitegen.config import load_config
from sitegen.errors import ConfigError

SLOW_CLIENTS = 150
# How long a reader may wait for an answer while the slow clients hold their connections.
# Served, the answer takes milliseconds; refused a connection slot, the reader waits for
# idle connections to time out (two minutes with waitress's defaults).
READER_WAIT = 10


@contextmanager
def comments_serve(site, open_files: int | None = None) -> Iterator[str]:
    """`sitegen comments serve` in a child process on a free port; yields the endpoint.
    `open_files`: the child's soft limit on open files, as a stingy system sets it."""
    child = start_comments_serve(site, open_files)
    try:
        line = child.stdout.readline()
        yield re.search(r"http://127\.0\.0\.1:\d+/comments", line)[0]
    finally:
        child.send_signal(signal.SIGINT)
        assert child.wait(timeout=20) == 0, child.stderr.read()


def start_comments_serve(site, open_files: int | None, hard: bool = False) -> subprocess.Popen:
    """The child; `hard`: `open_files` is its hard limit too, which it cannot raise."""

    def limit_open_files() -> None:
        if open_files is not None:
            ceiling = open_files if hard else resource.getrlimit(resource.RLIMIT_NOFILE)[1]
            resource.setrlimit(resource.RLIMIT_NOFILE, (open_files, ceiling))

    return subprocess.Popen(
        [sys.executable, "-m", "sitegen", "comments", "serve", "--site", str(site.root),
         "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=limit_open_files,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )


def hold_connections(url: str, count: int, held: ExitStack) -> None:
    """`count` clients connected and silent, or (every other one) a request begun and never
    finished, as a slowloris sends it; each is closed when `held` closes."""
    parts = urlsplit(url)
    for number in range(count):
        client = held.enter_context(socket.create_connection((parts.hostname, parts.port), 5))
        if number % 2:
            client.sendall(b"POST /comments HTTP/1.1\r\nHost: example.org\r\nContent-Le")


@pytest.mark.parametrize("open_files", [None, 128], ids=["as-set", "soft-limit-128"])
def test_a_reader_is_served_while_150_slow_clients_hold_connections(make_site, open_files):
    """With the system's limit on open files, and with a soft limit of 128 (below what 150
    connections need), which the server raises itself up to the hard limit."""
    site = comment_site(make_site)
    with comments_serve(site, open_files) as url, ExitStack() as held:
        hold_connections(url, SLOW_CLIENTS, held)
        started = time.monotonic()
        reply = send(url, comment(body="Still answered."), JSON, timeout=READER_WAIT)
        waited = time.monotonic() - started
    assert reply.status == 202, reply.text
    assert [entry["body"] for entry in pending(site).values()] == ["Still answered."]
    assert waited < READER_WAIT


def test_an_idle_connection_is_closed_after_channel_timeout(make_site):
    site = comment_site(make_site, "rate_limit = 0\nchannel_timeout = 1")
    with running_intake(site) as url:
        parts = urlsplit(url)
        with socket.create_connection((parts.hostname, parts.port), 5) as idle:
            started = time.monotonic()
            idle.settimeout(15)
            assert idle.recv(1) == b""  # closed by the server, without a word
            closed_after = time.monotonic() - started
    assert 1 <= closed_after < 5


def test_a_connection_limit_the_system_cannot_grant_is_one_line_before_serving(make_site):
    site = comment_site(make_site, "rate_limit = 0\nconnection_limit = 1000")
    child = start_comments_serve(site, 256, hard=True)
    out, err = child.communicate(timeout=20)
    assert child.returncode == 1
    assert out == ""
    assert err == (f"error: {site.paths.config_file}: 'comments.connection_limit' 1000 needs "
                   "1064 open files, but this process may open only 256: lower it, or raise "
                   "the limit (ulimit -n; LimitNOFILE= in a systemd unit)\n")


@pytest.mark.parametrize("setting, message", [
    ("connection_limit = 0", "'comments.connection_limit' must be at least 1 connection"),
    ("channel_timeout = 0", "'comments.channel_timeout' must be at least 1 second"),
])
def test_the_limits_must_be_positive(make_site, setting, message):
    site = comment_site(make_site, setting)
    with pytest.raises(ConfigError) as caught:
        load_config(site.paths)
    assert [problem.message for problem in caught.value.problems] == [message]
