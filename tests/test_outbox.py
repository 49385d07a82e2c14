"""The outbox and its worker, on a real folder with the site's real lock: each channel is
done on its own, failures back off, other processes' files are found, one sender at a time."""

from __future__ import annotations

import itertools
import json
import logging
import threading
import time

from notify_support import wait_for

from sitegen.comments_server.outbox import Busy, Outbox, Policy, Worker
from sitegen.layout import SitePaths, lock

QUICK = Policy(gather=0.0, interval=0.0, first_retry=0.1, last_retry=0.4, rescan=0.2)


class Channels:
    """A `send` for the worker that fails on a channel as many times as told, and records
    every call with its time."""

    def __init__(self, failures: dict[str, int] | None = None) -> None:
        self.failures = dict(failures or {})
        self.calls: list[tuple[str, list[dict], float]] = []
        self.lock = threading.Lock()

    def __call__(self, channel: str, items: list[dict]) -> None:
        with self.lock:
            self.calls.append((channel, items, time.monotonic()))
            if self.failures.get(channel, 0) > 0:
                self.failures[channel] -= 1
                raise OSError(f"{channel} is down\nfor now")

    def sent(self, channel: str) -> list[list[dict]]:
        return [items for name, items, _ in self.calls if name == channel]


def _busy() -> None:
    raise Busy


def worker_for(tmp_path, send, channels=("a", "b"), batched=frozenset(), policy=QUICK,
               tries: list | None = None):
    """A worker on the outbox of the site at `tmp_path`, holding the site's real lock; each
    try to take it is appended to `tries`."""
    paths = SitePaths.at(tmp_path)
    outbox = Outbox(paths.private.outbox)

    def hold():
        if tries is not None:
            tries.append(time.monotonic())
        return lock(paths, "outbox", _busy)

    return outbox, Worker(outbox, send, channels, batched, policy, hold)


def test_a_failing_channel_is_retried_alone_with_growing_waits(tmp_path, caplog):
    send = Channels({"a": 3})
    outbox, worker = worker_for(tmp_path, send)
    outbox.put({"n": 1}, ("a", "b"))
    worker.start()
    try:
        wait_for(lambda: not outbox.names(), "the outbox to empty")
    finally:
        worker.close()
    assert send.sent("b") == [[{"n": 1}]]
    assert send.sent("a") == [[{"n": 1}]] * 4
    times = [at for name, _, at in send.calls if name == "a"]
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert [gap >= wait for gap, wait in zip(gaps, (0.1, 0.2, 0.4), strict=True)] == [True] * 3
    failures = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert failures == [f"could not send 1 notification(s) by a (failure {n}, next try in "
                        f"0 s): a is down for now" for n in (1, 2, 3)]


def test_a_batched_channel_sends_everything_waiting_at_once(tmp_path):
    send = Channels({"mail": 1})
    outbox, worker = worker_for(tmp_path, send, ("mail",), frozenset({"mail"}),
                                Policy(gather=0.0, interval=0.0, first_retry=0.5,
                                       last_retry=0.5, rescan=0.2))
    worker.start()
    try:
        worker.add(outbox.put({"n": 1}, ("mail",)))
        wait_for(lambda: send.calls, "the first attempt")
        outbox.put({"n": 2}, ("mail",))
        outbox.put({"n": 3}, ("mail",))
        wait_for(lambda: not outbox.names(), "the outbox to empty")
    finally:
        worker.close()
    assert send.sent("mail") == [[{"n": 1}], [{"n": 1}, {"n": 2}, {"n": 3}]]


def test_files_from_elsewhere_are_found_and_bad_ones_left_alone(tmp_path, caplog):
    send = Channels()
    outbox, worker = worker_for(tmp_path, send, channels=("a",))
    worker.start()
    try:
        outbox.put({"n": 1}, ("a", "gone"))  # another process's entry: no wake
        outbox.folder.joinpath("0-broken.json").write_text("{not json", encoding="utf-8")
        wait_for(lambda: outbox.names() == ["0-broken.json"], "the good entry to be sent")
        time.sleep(QUICK.rescan * 2)
    finally:
        worker.close()
    assert send.sent("a") == [[{"n": 1}]]
    messages = [r.getMessage() for r in caplog.records]
    assert sum("0-broken.json cannot be read, left alone" in m for m in messages) == 1
    assert any(m.endswith("gone no longer configured, not sent there") for m in messages)


def test_an_entry_is_rewritten_whole_with_the_channels_still_due(tmp_path):
    outbox = Outbox(SitePaths.at(tmp_path).private.outbox)
    entry = outbox.put({"body": "Olá"}, ("a", "b"))
    entry = outbox.update(entry, ("b",))
    assert json.loads((outbox.folder / entry.name).read_bytes()) == {
        "channels": ["b"], "item": {"body": "Olá"}}
    assert outbox.read(entry.name) == entry
    outbox.update(entry, ())
    assert outbox.names() == []


def test_two_workers_on_one_outbox_take_turns_and_never_send_twice(tmp_path, caplog):
    first_send, second_send, tries = Channels(), Channels(), []
    outbox, first = worker_for(tmp_path, first_send, channels=("a",))
    _, second = worker_for(tmp_path, second_send, channels=("a",), tries=tries)
    first.start()
    wait_for(lambda: (tmp_path / ".sitegen/locks/outbox.lock").exists(), "the first to hold")
    time.sleep(0.2)
    second.start()
    try:
        # The second's own request hands its entry over; the first finds it in the folder.
        second.add(outbox.put({"n": 1}, ("a",)))
        wait_for(lambda: not outbox.names(), "the first worker to send")
        time.sleep(QUICK.rescan * 2)
        waited = len(tries)
        first.close()
        outbox.put({"n": 2}, ("a",))
        wait_for(lambda: not outbox.names(), "the second worker to take over")
    finally:
        first.close()
        second.close()
    assert first_send.sent("a") == [[{"n": 1}]]
    assert second_send.sent("a") == [[{"n": 2}]]
    assert waited <= 10, "the waiting worker tries the lock once per rescan, not in a spin"
    assert any("another comment server is sending" in r.getMessage() for r in caplog.records)
