"""How long from a file save to the rebuilt page, in a running `sitegen serve`.

    python bench/serve_latency.py [--posts 2000] [--runs 5] [--site DIR]

Starts the real preview (watcher, debounce, rebuild, HTTP server, event stream) on a copy
of the site in a temporary folder: the blog in --site, or else the benchmark corpus of
--posts posts with comment threads (bench/corpus.py). Then, --runs times each, it edits one
post, adds a comment to one thread, and edits the post template (a site override), and
times each from the write to the moment the event stream says "reload" and to the moment
the page fetched over HTTP shows the change. Prints the median, min and max of each, with
what the rebuild itself took (the build's own figure) and the debounce wait.
"""

from __future__ import annotations

import argparse
import http.client
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from corpus import write_corpus  # noqa: E402  (bench/ is on the path when run as a script)

from sitegen.config import BuildOptions, load_config  # noqa: E402
from sitegen.engines import Engines  # noqa: E402
from sitegen.errors import Problem  # noqa: E402
from sitegen.layout import SitePaths  # noqa: E402
from sitegen.posts import load_post  # noqa: E402
from sitegen.preview import Preview, ServeOptions  # noqa: E402
from sitegen.render import find_theme  # noqa: E402


class Console:
    """Keeps the preview's lines, to read the build's own time from them."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def info(self, message: str) -> None:
        self.lines.append(message)

    def warn(self, problem: Problem) -> None:
        pass

    def error(self, problem: Problem | str) -> None:
        print(f"error: {problem}", file=sys.stderr)


class Events:
    """The preview's event stream, read as a page reads it."""

    def __init__(self, url: str, build: str) -> None:
        address = urlsplit(url)
        self.connection = http.client.HTTPConnection(address.hostname, address.port, timeout=120)
        self.connection.request("GET", f"/__sitegen/events?build={build}")
        self.response = self.connection.getresponse()
        self.stream = self.response.fp

    def wait_for(self, wanted: str) -> None:
        while line := self.stream.readline():
            if line.decode().strip() == f"event: {wanted}":
                return
        raise EOFError("the event stream ended")


def fetch(url: str, path: str) -> str:
    address = urlsplit(url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
    connection.request("GET", path)
    text = connection.getresponse().read().decode()
    connection.close()
    return text


@dataclass
class Scenario:
    name: str
    edit: Callable[[str], None]  # writes a change that shows the given marker
    url: str


def prepare(root: Path) -> None:
    """The theme's post template as the site's own, to edit it without touching the theme;
    written before the preview starts, so that no rebuild of it is timed."""
    paths = SitePaths.at(root)
    theme = find_theme(paths, load_config(paths).theme)
    (root / "templates").mkdir(exist_ok=True)
    shutil.copy(theme / "templates/post.html", root / "templates/post.html")


def scenarios(root: Path) -> list[Scenario]:
    posts = sorted((root / "content/posts").glob("*.md"))
    post = posts[len(posts) // 2]
    original = post.read_text()
    thread = root / "content/comments" / f"{post.stem}.yml"
    thread_text = thread.read_text() if thread.exists() else ""
    template = root / "templates/post.html"
    template_text = template.read_text()
    date = datetime(2030, 1, 1, 0, 0)
    url = permalink_of(root, post)

    def edit_post(marker: str) -> None:
        post.write_text(original.rstrip("\n") + f"\n\n{marker}\n")

    def add_comment(marker: str) -> None:
        thread.write_text(thread_text + f"- id: {marker}\n  author: Bench\n  date: "
                          f"{date:%Y-%m-%d %H:%M}\n  body: {marker}\n")

    def edit_template(marker: str) -> None:
        template.write_text(template_text.replace("{% block content %}",
                                                  f"{{% block content %}}<!-- {marker} -->", 1))

    return [Scenario("edit one post", edit_post, url),
            Scenario("add one comment", add_comment, url),
            Scenario("edit the post template", edit_template, url)]


def permalink_of(root: Path, post: Path) -> str:
    config = load_config(SitePaths.at(root))
    return load_post(post, post.read_bytes(), config, Engines()).url


def build_seconds(console: Console, since: int) -> float:
    """The build's own time, from the summary line the preview prints after it."""
    for line in console.lines[since:]:
        if found := re.search(r" in (\d+\.\d+) s\b", line):
            return float(found[1])
    return float("nan")


def measure(preview: Preview, console: Console, scenario: Scenario, runs: int) -> list[tuple]:
    results = []
    for run in range(runs):
        marker = f"bench-marker-{scenario.name.split()[1]}-{run}-{time.time_ns()}"
        events = Events(preview.url, preview.live.build_id)
        since = len(console.lines)
        started = time.perf_counter()
        scenario.edit(marker)
        events.wait_for("reload")
        reloaded = time.perf_counter() - started
        while marker not in fetch(preview.url, scenario.url):
            time.sleep(0.005)
        shown = time.perf_counter() - started
        time.sleep(0.05)  # the console line comes just after the reload event
        results.append((reloaded, shown, build_seconds(console, since)))
        events.connection.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--site", type=Path, help="benchmark a copy of this site instead")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sitegen-serve-bench-") as folder:
        root = Path(folder) / "site"
        if args.site:
            shutil.copytree(args.site, root, ignore=shutil.ignore_patterns("output", ".sitegen"))
        else:
            write_corpus(root, args.posts)
        prepare(root)
        run(root, args.runs)


def run(root: Path, runs: int) -> None:
    console = Console()
    settings = ServeOptions(host="127.0.0.1", port=0)
    posts = len(list((root / "content/posts").glob("*.md")))
    with Preview(SitePaths.at(root), BuildOptions(), settings, console) as preview:
        started = time.perf_counter()
        while not any(line.startswith("built") for line in console.lines):
            time.sleep(0.05)
        print(f"{posts} posts; first build {time.perf_counter() - started:.2f} s; "
              f"debounce {settings.quiet_period * 1000:.0f} ms; {runs} runs each")
        print(f"{'change':<24} {'save -> reload event':>24} {'save -> page shows it':>24} "
              f"{'build itself':>14}")
        for scenario in scenarios(root):
            results = measure(preview, console, scenario, runs)
            columns = [[result[i] for result in results] for i in range(3)]
            cells = [f"{statistics.median(c):.3f} s ({min(c):.2f}-{max(c):.2f})"
                     for c in columns[:2]]
            print(f"{scenario.name:<24} {cells[0]:>24} {cells[1]:>24} "
                  f"{statistics.median(columns[2]):>12.3f} s", flush=True)


if __name__ == "__main__":
    main()
