"""How fast the comment intake takes comments, and how fast the owner approves them.

Runs the real app on waitress on a loopback port, posts comments from client threads (one
connection per comment, as browsers posting a form do), then approves them all into one
thread. With --auto-approve, each comment goes straight into the one thread instead, and
the time per comment is shown for the first and the last tenth, to see whether appending
costs more as the thread grows; --replies makes each comment a reply to the thread's first.
With --notify, does it all again with notifications on, emailed through the outbox to a real
SMTP server on loopback (aiosmtpd), and measures how long a comment takes from its
submission to its email. Prints the figures; nothing is asserted.

    python bench/intake_bench.py [--comments 1000] [--clients 20] [--threads 4]
                                 [--auto-approve] [--replies] [--notify]
"""

from __future__ import annotations

import argparse
import http.client
import logging
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from sitegen.comments_server.app import IntakeApp, create_app
from sitegen.comments_server.host import make_server, server_url, stop
from sitegen.comments_server.outbox import Policy
from sitegen.comments_server.queue import Queue
from sitegen.config import load_config
from sitegen.layout import SitePaths

POST = "2010-08-31-hello"


def make_site(root: Path, smtp_port: int | None = None, auto_approve: bool = False
              ) -> SitePaths:
    (root / "content" / "posts").mkdir(parents=True)
    (root / "content" / "posts" / f"{POST}.md").write_text(
        "---\ntitle: Hello\ndate: 2010-08-31 09:15\n---\nHello.\n", encoding="utf-8")
    (root / "content" / "comments").mkdir(parents=True)
    (root / "content" / "comments" / f"{POST}.yml").write_text(
        "- id: first\n  author: Ana\n  date: 2010-09-01 10:00\n  body: First!\n",
        encoding="utf-8")
    notify = (f'[notify]\nemail = "owner@example.org"\nsmtp_host = "127.0.0.1"\n'
              f"smtp_port = {smtp_port}\n" if smtp_port else "")
    (root / "sitegen.toml").write_text(
        f"[comments]\nrate_limit = 0\nauto_approve = {str(auto_approve).lower()}\n" + notify,
        encoding="utf-8")
    return SitePaths.at(root)


def post_comment(url: str, n: int, replies: bool = False) -> float:
    """Post comment number `n`; returns how long the server took to answer."""
    parts = urlsplit(url)
    body = urlencode({"post": POST, "author": f"Reader {n}", "body": f"Comment {n}. " * 40,
                      "replyto": "first" if replies else ""})
    started = time.perf_counter()
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    connection.request("POST", parts.path, body, {
        "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"})
    status = connection.getresponse().status
    connection.close()
    if status not in (201, 202):
        sys.exit(f"comment {n} was answered {status}")
    return time.perf_counter() - started


def post_comments(url: str, numbers: range, latencies: list[tuple[int, float]],
                  replies: bool) -> None:
    for n in numbers:
        latencies.append((n, post_comment(url, n, replies)))


def intake(paths: SitePaths, comments: int, clients: int, threads: int,
           replies: bool = False) -> IntakeApp:
    """Post the comments and print the figures; returns the app, still sending what its
    notifications' outbox holds, for the caller to close."""
    app = create_app(paths, load_config(paths))
    server = make_server(app, "127.0.0.1", 0, threads=threads)
    runner = threading.Thread(target=server.run, daemon=True)
    runner.start()
    url = server_url(server, app.endpoint)
    timed: list[tuple[int, float]] = []
    workers = [threading.Thread(target=post_comments, args=(url, range(k, comments, clients),
                                                            timed, replies))
               for k in range(clients)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    seconds = time.perf_counter() - started
    stop(server)
    runner.join()
    stored = len(Queue(paths).ids())
    latencies = sorted(latency for _, latency in timed)
    notify = "on" if app.notifier else "off"
    print(f"intake, notifications {notify}: {comments} comments from {clients} clients, "
          f"waitress threads={threads}: "
          f"{seconds:.2f} s, {comments / seconds:.0f} comments/s; latency median "
          f"{statistics.median(latencies) * 1000:.1f} ms, 95th percentile "
          f"{latencies[int(len(latencies) * 0.95)] * 1000:.1f} ms; {stored} queued")
    by_number = [latency for _, latency in sorted(timed)]
    tenth = max(len(by_number) // 10, 1)
    print(f"    median latency of the first tenth {statistics.median(by_number[:tenth]) * 1000:.1f}"
          f" ms, of the last tenth {statistics.median(by_number[-tenth:]) * 1000:.1f} ms")
    return app


def approve(paths: SitePaths, one_by_one: int = 100) -> None:
    queue = Queue(paths)
    ids = queue.ids()
    started = time.perf_counter()
    for cid in ids[:one_by_one]:
        queue.approve([cid])
    seconds = time.perf_counter() - started
    rest = ids[one_by_one:]
    started = time.perf_counter()
    queue.approve(rest)
    batch_seconds = time.perf_counter() - started
    size = (paths.comments / f"{POST}.yml").stat().st_size
    print(f"approve: {one_by_one} comments one at a time (as `approve ID`) in {seconds:.2f} s, "
          f"{one_by_one / seconds:.0f}/s; then {len(rest)} at once (as `approve --all`) in "
          f"{batch_seconds:.2f} s; the thread holds {len(ids)} comments, {size / 1e6:.1f} MB")


class Mailbox:
    """The aiosmtpd handler: when each email arrived, and how many comments it listed."""

    def __init__(self) -> None:
        self.arrived: list[tuple[float, int]] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.arrived.append((time.perf_counter(), envelope.content.count(b"\nApprove: ")))
        return "250 OK"

    def wait(self, comments: int, timeout: float = 600) -> float:
        deadline = time.perf_counter() + timeout
        while sum(count for _, count in self.arrived) < comments:
            if time.perf_counter() > deadline:
                sys.exit(f"only {sum(c for _, c in self.arrived)} of {comments} emailed")
            time.sleep(0.005)
        return self.arrived[-1][0]


def to_email(paths: SitePaths, mailbox: Mailbox, policy: Policy, samples: int) -> list[float]:
    """Seconds from posting each comment to its email's arrival, one comment at a time."""
    app = create_app(paths, load_config(paths), policy)
    server = make_server(app, "127.0.0.1", 0)
    runner = threading.Thread(target=server.run, daemon=True)
    runner.start()
    url, delays = server_url(server, app.endpoint), []
    try:
        for n in range(samples):
            emailed = sum(count for _, count in mailbox.arrived)
            started = time.perf_counter()
            post_comment(url, n)
            delays.append(mailbox.wait(emailed + 1) - started)
    finally:
        stop(server)
        runner.join()
        app.close()
    return delays


def notifying(args: argparse.Namespace) -> None:
    """The same runs with every comment emailed to a local SMTP server."""
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with tempfile.TemporaryDirectory() as folder:
            paths = make_site(Path(folder), port)
            started = time.perf_counter()
            app = intake(paths, args.comments, args.clients, args.threads)
            drained = mailbox.wait(args.comments) - started
            app.close()
            print(f"notify: all {args.comments} comments emailed {drained:.2f} s after the "
                  f"first was posted, in {len(mailbox.arrived)} emails (one a minute at most)")
        for name, policy in (("default", Policy()), ("no gathering, no minute between emails",
                                                     Policy(gather=0, interval=0))):
            with tempfile.TemporaryDirectory() as folder:
                delays = to_email(make_site(Path(folder), port), mailbox, policy,
                                  1 if name == "default" else 20)
            print(f"notify: submission to email ({name} policy): median "
                  f"{statistics.median(delays) * 1000:.0f} ms, worst {max(delays) * 1000:.0f} "
                  f"ms over {len(delays)} comments")
    finally:
        controller.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--auto-approve", action="store_true",
                        help="publish each comment straight into the thread")
    parser.add_argument("--replies", action="store_true",
                        help="each comment replies to the thread's first")
    parser.add_argument("--notify", action="store_true",
                        help="also run with notifications emailed to a local SMTP server")
    args = parser.parse_args()
    # waitress warns of every queued request; a benchmark queues them on purpose.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory() as folder:
        paths = make_site(Path(folder), auto_approve=args.auto_approve)
        intake(paths, args.comments, args.clients, args.threads, args.replies).close()
        if args.auto_approve:
            size = (paths.comments / f"{POST}.yml").stat().st_size
            print(f"    the thread holds {args.comments + 1} comments, {size / 1e6:.1f} MB")
        else:
            approve(paths)
    if args.notify:
        notifying(args)


if __name__ == "__main__":
    main()
