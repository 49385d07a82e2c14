"""Orchestrate one build: open the build state, then load -> model -> plan -> render ->
write, skipping current pages, and commit the state.

Each stage hands plain data to the next and none reaches back. The whole model is loaded
every time, reusing what earlier builds loaded (state.py), so listings are never stale; a
page is rendered only when the digest of its inputs differs from the one its file was made
from, and written only when its bytes differ. Content errors stop the build before anything
is written; the output changes only when every page rendered.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from . import search
from .config import BuildOptions, Config, load_config
from .digest import Memo, fingerprint
from .errors import Problem
from .i18n import Language
from .images import responsive_images, write_pictures
from .layout import SitePaths, output_lock
from .load import load
from .outpaths import Planned, check_output_paths
from .output import Committed, Output, Staged, check_output_folder, repair_output
from .pages import PlannedFile, plan
from .pictures import PictureStore
from .plural import count
from .progress import Report
from .render import Renderer, compile_templates
from .rootfiles import check_root_files, root_files
from .site import Site, make_site
from .state import BuildState, Memory
from .workers import Parallelism, can_fork, fork_map, run_aside

# Below this many pages to render (about a third of a second), forking costs more than it
# saves.
PARALLEL_MIN_PAGES = 400
RENDERING = "rendering pages"


@dataclass(frozen=True)
class BuildReport:
    posts: int
    comments: int
    pages_written: int
    static_files: int
    seconds: float
    warnings: tuple[Problem, ...]
    # Output files this build wrote and removed, relative to the output folder, '/'-separated.
    written: tuple[str, ...] = ()
    deleted: tuple[str, ...] = ()
    pages: int = 0
    # The title and date of the scheduled post that will appear next.
    scheduled: tuple[str, datetime] | None = None
    search_seconds: float | None = None  # how long making the search index took, if made

    def summary(self) -> str:
        text = (f"{count(self.posts, 'post')}, {count(self.comments, 'comment')}: wrote "
                f"{count(self.pages_written, 'page')} and "
                f"{count(self.static_files, 'static file')} in {self.seconds:.2f} s")
        unchanged = self.pages - self.pages_written
        if unchanged or self.deleted:
            text += (f" ({count(unchanged, 'page')} unchanged, "
                     f"{count(len(self.deleted), 'file')} removed)")
        if self.scheduled:
            title, when = self.scheduled
            text += f'; next scheduled: "{title}" on {when:%Y-%m-%d %H:%M}'
        elif not self.posts:
            text += '; write the first post with: sitegen new "Title"'
        if self.search_seconds is not None:
            text += f"; search index in {self.search_seconds:.2f} s"
        return text


def build(
    paths: SitePaths,
    options: BuildOptions,
    memory: Memory | None = None,
    on_page: Callable[[str], None] | None = None,
    *,
    clean: bool = False,
    parallelism: Parallelism | None = None,
    on_wait: Callable[[], None] | None = None,
    progress: Report | None = None,
    keep: list[object] | None = None,
) -> BuildReport:
    """Bring `paths.output` up to date with the site at `paths`; raise SitegenError on any
    problem, leaving the previous output untouched.

    `memory`: pass the same one to every build of a long-running process, to skip reading
    the item store. `clean` ignores everything stored from earlier builds. `parallelism` is
    what the caller allows of worker processes (default: processes started afresh, none
    forked). Builds into one output folder take turns: `on_wait` is called when this one
    must wait for another. `progress` hears how far the loading and rendering are. `keep`:
    a list given the build's model, for a caller whose process ends soon after without
    freeing it (ending.py)."""
    started = time.perf_counter()
    with output_lock(paths, on_wait):
        repair_output(paths)
        return _build(paths, options, memory, on_page, clean, parallelism or Parallelism(),
                      started, progress, keep)


def _build(paths: SitePaths, options: BuildOptions, memory: Memory | None,
           on_page: Callable[[str], None] | None, clean: bool, parallelism: Parallelism,
           started: float, progress: Report | None, keep: list[object] | None) -> BuildReport:
    check_output_folder(paths)
    config = load_config(paths)
    # The render workers load the templates from their cache; compiling them meanwhile.
    templates_compiled = run_aside(parallelism, compile_templates, paths, config)
    try:
        return _build_site(paths, config, options, memory, on_page, clean, parallelism,
                           started, progress, templates_compiled, keep)
    finally:
        templates_compiled()


def _build_site(paths: SitePaths, config: Config, options: BuildOptions,
                memory: Memory | None, on_page: Callable[[str], None] | None, clean: bool,
                parallelism: Parallelism, started: float, progress: Report | None,
                templates_compiled: Callable[[], None],
                keep: list[object] | None) -> BuildReport:
    state = BuildState(paths, config, clean, memory)
    loaded = load(paths, config, state.lookup, parallelism, progress)
    try:
        site = make_site(loaded, config, options)
        store = PictureStore(paths.state.images)
        pictures = responsive_images(site, paths, store)
        site = pictures.site
        renderer = Renderer(paths, config, paths.state.compiled_templates)
        inputs = _site_digest(site, renderer)
        with Output(paths, state, clean) as output:
            _mark_preview(paths, options, before_commit=True)
            planned = output.current_site(inputs)
            pages = plan(site, renderer.language) if planned is None else []
            planned = planned or tuple(page.path for page in pages)
            copied = _static_files(renderer.static_dirs)
            at_root = root_files(paths.root_files)
            check_root_files(at_root, copied, pages, planned)
            check_output_paths(paths.output, [*copied.items(), *at_root.items(),
                                              *_sources(site, pages, planned),
                                              *pictures.planned()])
            written = _write_pages(output, renderer, pages, on_page, parallelism,
                                   lambda: state.commit(loaded), progress, templates_compiled)
            static = _write_static(output, {**copied, **at_root})
            static += write_pictures(output, pictures.files, store)
            changes = output.commit(inputs, planned)
            _mark_preview(paths, options, before_commit=False)
        indexed, trouble = _index(config, paths, changes)
    finally:
        state.commit(loaded)
    if keep is not None:
        keep.append((state, loaded, site, pages, renderer))
    return BuildReport(
        posts=len(site.posts),
        comments=site.comment_count,
        pages_written=written,
        static_files=static,
        seconds=time.perf_counter() - started,
        warnings=site.warnings + _config_warnings(config, paths, renderer.language) + trouble,
        written=changes.written,
        deleted=changes.deleted,
        pages=len(planned),
        scheduled=(site.scheduled.title, site.scheduled.date) if site.scheduled else None,
        search_seconds=indexed,
    )


def _mark_preview(paths: SitePaths, options: BuildOptions, before_commit: bool) -> None:
    """Flag the output as a preview before a --drafts or --future build may change it, and
    unflag it only once a build without them has committed, so that the flag errs on the
    side of not publishing."""
    flag = paths.state.preview_flag(paths.output)
    preview = options.drafts or options.future
    if preview and before_commit:
        flag.touch()
    elif not preview and not before_commit:
        flag.unlink(missing_ok=True)


def _index(config: Config, paths: SitePaths,
           changes: Committed) -> tuple[float | None, tuple[Problem, ...]]:
    """Make the search index if the site has search and this build changed its pages (or
    the output has no index): how long it took (None: not made), and a problem if it
    failed."""
    if not config.search or not search.needs_index(paths.output,
                                                   changes.written + changes.deleted):
        return None, ()
    started = time.perf_counter()
    problem = search.index(paths.output)
    return time.perf_counter() - started, (problem,) if problem else ()


def _site_digest(site: Site, renderer: Renderer) -> str:
    """Everything the plan and every page's digest are made from: the shown posts in order,
    the pages and threads (each by the digest of its file), the redirects, the templates and
    the config. When it is unchanged, so is every page."""
    return fingerprint((
        renderer.templates_digest,
        [post.source_digest for post in site.posts],
        [page.source_digest for page in site.pages],
        sorted((stem, thread.source_digest) for stem, thread in site.threads.items()),
        [(redirect.old, redirect.target) for redirect in site.redirects],
    ))


def _write_pages(output: Output, renderer: Renderer, pages: list[PlannedFile],
                 on_page: Callable[[str], None] | None, parallelism: Parallelism,
                 meanwhile: Callable[[], None], progress: Report | None,
                 templates_compiled: Callable[[], None]) -> int:
    memo = Memo()
    todo: list[tuple[int, str | None]] = []
    if output.known:
        for index, page in enumerate(pages):
            digest = renderer.page_digest(page, memo)
            if not output.current(page.path, digest):
                todo.append((index, digest))
    else:
        # No page can be current: each page's digest, only to be recorded, is left to
        # whichever process renders it.
        todo = [(index, None) for index in range(len(pages))]
    written = 0
    for staged in _render(pages, todo, renderer, memo, output, parallelism, meanwhile,
                          progress, templates_compiled):
        if output.accept(staged):
            written += 1
            if on_page:
                on_page(staged.relative)
    return written


def _render(pages: list[PlannedFile], todo: list[tuple[int, str | None]], renderer: Renderer,
            memo: Memo, output: Output, parallelism: Parallelism, meanwhile: Callable[[], None],
            progress: Report | None, templates_compiled: Callable[[], None]) -> Iterator[Staged]:
    """Render and stage `pages[index]` for each (index, digest) in `todo` (a digest of
    None is made on the way, with `memo`), in that order: here, or when there are many and
    the caller allows forking, here and in forked workers that start with the model and the
    plan in memory and the templates compiled in their cache (this process does `meanwhile`
    first, then its share)."""
    report = progress or (lambda stage, done, total: None)

    def stage(task: tuple[int, str | None]) -> Staged:
        index, digest = task
        page = pages[index]
        digest = digest or renderer.page_digest(page, memo)
        return output.stage(page.path, digest, renderer.render(page), f"p{index}")

    workers = parallelism.workers(len(todo), PARALLEL_MIN_PAGES, len(todo))
    if workers > 1 and can_fork(parallelism):
        output.staging.mkdir(exist_ok=True)  # made here, once, for all workers to stage into
        templates_compiled()
        yield from fork_map(stage, todo, workers, meanwhile,
                            lambda done: report(RENDERING, done, len(todo)))
        return
    for done, task in enumerate(todo, 1):
        yield stage(task)
        report(RENDERING, done, len(todo))


def _sources(site: Site, pages: list[PlannedFile], planned: tuple[str, ...]) -> list[Planned]:
    """Each planned path with the file a person would change to change it: a page's source,
    the first post of a tag for the tag's pages, else None (sitegen's own pages, and pages
    planned by an earlier build)."""
    if not pages:
        return [(path, None) for path in planned]
    tags = {tag.url: tag.posts[0].source for tag in site.tags if tag.posts}
    return [(page.path, page.sources[0] if page.sources else
             tags.get("/".join(page.url.split("/")[:3]) + "/")) for page in pages]


def _static_files(folders: list[Path]) -> dict[str, Path]:
    """Static files by output path; later folders win over earlier ones."""
    files: dict[str, Path] = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                files["static/" + path.relative_to(folder).as_posix()] = path
    return files


def _write_static(output: Output, files: dict[str, Path]) -> int:
    """Files copied as they are, skipped by size and modification time."""
    written = 0
    for relative, path in files.items():
        stat = path.stat()
        digest = fingerprint(("static", str(path), stat.st_size, stat.st_mtime_ns))
        if not output.current(relative, digest) and output.put(relative, digest,
                                                               path.read_bytes()):
            written += 1
    return written


def _config_warnings(config: Config, paths: SitePaths,
                     language: Language) -> tuple[Problem, ...]:
    warnings = [language.missing()]
    if config.base_url == Config.base_url:
        warnings.append(Problem(f"'base_url' is not set, so feeds and the sitemap link to "
                                f"{config.base_url}", paths.config_file))
    return tuple(warning for warning in warnings if warning is not None)
