"""What adding one comment to a thread costs as the thread grows.

Appends comments one at a time to one thread file, as the comment server does with
auto_approve: once with one ThreadWriter kept across appends (as the server keeps one),
and once with a fresh writer for each append, which reads the whole thread back as YAML
(what every append did before). Prints the median time of an append in the first and the
last hundred, and the file's size. No server, no network: the append alone.

    python bench/append_bench.py [--comments 2000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sitegen.entries import ThreadEntry  # noqa: E402
from sitegen.threadfile import ThreadWriter  # noqa: E402

FIRST = "- id: first\n  author: Ana\n  date: 2010-09-01 10:00\n  body: First!\n"


def entry(n: int) -> ThreadEntry:
    return ThreadEntry(id=f"20260101T100000Z-{n:08x}", author=f"Reader {n}",
                       date="2026-01-01T10:00:00+00:00", body=f"Comment {n}. " * 40)


def run(label: str, comments: int, writer: Callable[[], ThreadWriter]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        thread = Path(folder) / "thread.yml"
        thread.write_text(FIRST, encoding="utf-8")
        times = []
        for n in range(comments):
            started = time.perf_counter()
            writer().append(thread, [entry(n)])
            times.append(time.perf_counter() - started)
        size = thread.stat().st_size
    first, last = (statistics.median(part) * 1000 for part in (times[:100], times[-100:]))
    print(f"{label}: {comments} appends in {sum(times):.1f} s; median append {first:.1f} ms "
          f"in the first hundred, {last:.1f} ms in the last; {size / 1e6:.1f} MB at the end")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--comments", type=int, default=2000)
    args = parser.parse_args()
    kept = ThreadWriter()
    run("one writer kept", args.comments, lambda: kept)
    run("a fresh writer each time", args.comments, ThreadWriter)


if __name__ == "__main__":
    main()
