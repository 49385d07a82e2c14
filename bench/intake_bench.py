"""How fast the comment intake takes comments, and how fast the owner approves them.

Runs the real app on waitress on a loopback port, posts comments from client threads (one
connection per comment, as browsers posting a form do), then approves them all into one
thread. With --auto-approve, each comment goes straight into the one thread instead, and
the time per comment is shown for the first and the last tenth, to see whether appending
costs more as the thread grows; --replies makes each comment a reply to the thread's first.
Prints the figures; nothing is asserted.

    python bench/intake_bench.py [--comments 1000] [--clients 20] [--threads 4]
                                 [--auto-approve] [--replies]
"""

from __future__ import annotations

import argparse
import http.client
import logging
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from sitegen.config import SitePaths, load_config
from sitegen.intake import create_app
from sitegen.intake_server import make_server, server_url, stop
from sitegen.moderation import Queue

POST = "2010-08-31-hello"


def make_site(root: Path, auto_approve: bool) -> SitePaths:
    (root / "content" / "posts").mkdir(parents=True)
    (root / "content" / "posts" / f"{POST}.md").write_text(
        "---\ntitle: Hello\ndate: 2010-08-31 09:15\n---\nHello.\n", encoding="utf-8")
    (root / "content" / "comments").mkdir(parents=True)
    (root / "content" / "comments" / f"{POST}.yml").write_text(
        "- id: first\n  author: Ana\n  date: 2010-09-01 10:00\n  body: First!\n",
        encoding="utf-8")
    (root / "sitegen.toml").write_text(
        f"[comments]\nrate_limit = 0\nauto_approve = {str(auto_approve).lower()}\n",
        encoding="utf-8")
    return SitePaths.at(root)


def post_comments(url: str, numbers: range, latencies: list[tuple[int, float]],
                  replies: bool) -> None:
    parts = urlsplit(url)
    for n in numbers:
        body = urlencode({"post": POST, "author": f"Reader {n}", "body": f"Comment {n}. " * 40,
                          "replyto": "first" if replies else ""})
        started = time.perf_counter()
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        connection.request("POST", parts.path, body, {
            "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"})
        status = connection.getresponse().status
        connection.close()
        latencies.append((n, time.perf_counter() - started))
        if status not in (201, 202):
            sys.exit(f"comment {n} was answered {status}")


def intake(paths: SitePaths, comments: int, clients: int, threads: int, replies: bool) -> None:
    app = create_app(paths, load_config(paths))
    server = make_server(app, "127.0.0.1", 0, threads=threads)
    runner = threading.Thread(target=server.run, daemon=True)
    runner.start()
    url = server_url(server, app.endpoint)
    timed: list[tuple[int, float]] = []
    workers = [threading.Thread(target=post_comments, args=(
        url, range(k, comments, clients), timed, replies)) for k in range(clients)]
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
    print(f"intake: {comments} comments from {clients} clients, waitress threads={threads}: "
          f"{seconds:.2f} s, {comments / seconds:.0f} comments/s; latency median "
          f"{statistics.median(latencies) * 1000:.1f} ms, 95th percentile "
          f"{latencies[int(len(latencies) * 0.95)] * 1000:.1f} ms; {stored} queued")
    by_number = [latency for _, latency in sorted(timed)]
    tenth = max(len(by_number) // 10, 1)
    print(f"    median latency of the first tenth {statistics.median(by_number[:tenth]) * 1000:.1f}"
          f" ms, of the last tenth {statistics.median(by_number[-tenth:]) * 1000:.1f} ms")


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--auto-approve", action="store_true",
                        help="publish each comment straight into the thread")
    parser.add_argument("--replies", action="store_true",
                        help="each comment replies to the thread's first")
    args = parser.parse_args()
    # waitress warns of every queued request; a benchmark queues them on purpose.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory() as folder:
        paths = make_site(Path(folder), args.auto_approve)
        intake(paths, args.comments, args.clients, args.threads, args.replies)
        if args.auto_approve:
            size = (paths.comments / f"{POST}.yml").stat().st_size
            print(f"    the thread holds {args.comments + 1} comments, {size / 1e6:.1f} MB")
        else:
            approve(paths)


if __name__ == "__main__":
    main()
