"""RENDER the pages a build must write, and stage them: in this process, or, when there are
many (a first build, a changed template), in worker processes forked from it.

A forked worker starts with the whole model, the plan and the templates already in memory,
so nothing is sent to it but page numbers, and nothing comes back but where each page was
staged. Forking a process that runs other threads (the preview server's) is unsafe, so
there the pages are rendered here, one after another.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from .errors import SitegenError
from .loading import cpu_count
from .output import Output, Staged
from .pages import PlannedFile as Page
from .progress import Report
from .render import Renderer

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

# Below this many pages (about a third of a second of rendering), forking costs more than
# it saves.
PARALLEL_MIN_PAGES = 400
STAGE = "rendering pages"


def render_pages(
    pages: list[Page],
    todo: list[tuple[int, str]],
    renderer: Renderer,
    output: Output,
    jobs: int | None,
    meanwhile: Callable[[], None] | None = None,
    progress: Report | None = None,
) -> Iterator[Staged]:
    """Render and stage `pages[index]` for each (index, digest) in `todo`, in that order.
    With workers, this process runs `meanwhile` while they render. `progress` hears how
    many pages are done."""
    workers = _workers(len(todo), jobs)
    if workers == 1:
        for done, (index, digest) in enumerate(todo, 1):
            yield _stage(pages[index], index, digest, renderer, output)
            if progress:
                progress(STAGE, done, len(todo))
        return
    yield from _in_workers(pages, todo, renderer, output, workers, meanwhile,
                           progress or (lambda stage, done, total: None))


def _stage(page: Page, index: int, digest: str, renderer: Renderer, output: Output) -> Staged:
    return output.stage(page.path, digest, renderer.render(page), f"p{index}")


def _workers(count: int, jobs: int | None) -> int:
    if jobs is not None:
        wanted = max(1, min(jobs, count))
    else:
        wanted = cpu_count() if count >= PARALLEL_MIN_PAGES else 1
    if wanted == 1 or threading.active_count() > 1:
        return 1
    # Imported only now: a small rebuild renders in this process and need not pay for it.
    import multiprocessing

    return wanted if "fork" in multiprocessing.get_all_start_methods() else 1


def _in_workers(pages, todo, renderer, output, workers: int,
                meanwhile: Callable[[], None] | None, progress: Report) -> Iterator[Staged]:
    import multiprocessing

    context = multiprocessing.get_context("fork")
    output.staging.mkdir(exist_ok=True)  # made here, once, for all workers to stage into
    shares = [todo[worker::workers] for worker in range(workers)]
    # Pages done, one counter per worker, each written by its worker alone: no lock.
    counts = context.Array("q", workers, lock=False)
    running = []
    for number, share in enumerate(shares):
        receiving, sending = context.Pipe(duplex=False)
        process = context.Process(target=_work, daemon=True, args=(
            share, pages, renderer, output, sending, counts, number))
        process.start()
        sending.close()
        running.append((process, receiving))
    try:
        if meanwhile:
            meanwhile()
    finally:
        replies = _replies(running, lambda: progress(STAGE, sum(counts), len(todo)))
    staged: dict[int, Staged] = {}
    for reply in replies:
        _raise_failure(reply)
        staged.update(reply[1])
    for index, _ in todo:
        yield staged[index]


def _replies(running: list, tick: Callable[[], None]) -> list[tuple]:
    """Each worker's reply, in the order they were started; `tick` is called every tenth
    of a second meanwhile."""
    from multiprocessing.connection import wait

    waiting = {receiving: process for process, receiving in running}
    replies = {}
    while waiting:
        for ready in wait(list(waiting), timeout=0.1):
            replies[ready] = _reply(waiting.pop(ready), ready)
        tick()
    return [replies[receiving] for _, receiving in running]


def _reply(process, receiving: Connection) -> tuple:
    try:
        reply = receiving.recv()
    except EOFError:
        reply = ("crash", f"a rendering process died (exit code {process.exitcode})")
    process.join()
    return reply


def _work(share, pages, renderer, output, sending: Connection, counts, number: int) -> None:
    """In a forked worker: stage a share of the pages, counting them in `counts[number]`;
    send back where they went, or why not (problems as values, since a SitegenError does
    not survive pickling whole)."""
    try:
        staged = []
        for index, digest in share:
            staged.append((index, _stage(pages[index], index, digest, renderer, output)))
            counts[number] += 1
        sending.send(("done", staged))
    except SitegenError as error:
        sending.send(("problems", type(error), error.problems))
    except Exception:
        sending.send(("crash", traceback.format_exc()))
    finally:
        sending.close()


def _raise_failure(reply: tuple) -> None:
    if reply[0] == "problems":
        raise reply[1](*reply[2])
    if reply[0] == "crash":
        raise RuntimeError(f"rendering failed in a worker process:\n{reply[1]}")
