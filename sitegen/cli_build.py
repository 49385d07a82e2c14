"""The commands that build the site: `sitegen build`, `serve` (build, preview, rebuild on
every save) and `deploy` (build, then publish). cli.py declares their options."""

from __future__ import annotations

import argparse
import contextlib
import gc
from collections.abc import Iterator
from typing import TYPE_CHECKING

from .config import BuildOptions, load_config
from .ending import kept
from .errors import Problem
from .layout import SitePaths

if TYPE_CHECKING:
    from .console import Console


def run_build(args: argparse.Namespace, console: Console) -> int:
    paths = SitePaths.at(args.site, args.output)
    options = BuildOptions(drafts=args.drafts, future=args.future)
    _build(paths, options, console, clean=args.clean, jobs=args.jobs)
    return 0


def _build(paths: SitePaths, options: BuildOptions, console: Console, clean: bool = False,
           jobs: int | None = None) -> None:
    """Build as `sitegen build` does, saying so: a line first, warnings, a summary. This
    process runs no other thread, so worker processes may be forked from it."""
    from .build import build
    from .workers import Parallelism

    console.info(f"building {paths.root} into {paths.output}")
    with gc_paused():
        report = build(paths, options, on_page=lambda path: console.detail(f"  wrote {path}"),
                       on_wait=lambda: _waiting(console, paths), progress=console.progress,
                       clean=clean, parallelism=Parallelism(jobs, fork_safe=True),
                       keep=kept())
    for warning in report.warnings:
        console.warn(warning)
    console.info(report.summary())


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cycle collector while a build makes many long-lived objects: it would
    otherwise scan the growing heap again and again (reading the item store of a 5,000-post
    blog took three times as long). Any cycles made meanwhile are collected once it
    resumes. Only here, in the command's own process: the preview runs HTTP threads, whose
    garbage a paused collector would leave to grow."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _waiting(console: Console, paths: SitePaths) -> None:
    console.info(f"waiting for another build into {paths.output} to finish")


def run_serve(args: argparse.Namespace, console: Console) -> int:
    from .preview import ServeOptions, serve

    paths = SitePaths.at(args.site, args.output)
    options = BuildOptions(drafts=args.drafts, future=args.future)
    if args.drafts or args.future:
        console.warn(Problem(f"{paths.output} will hold drafts or scheduled posts; "
                             "run `sitegen build` before publishing it"))
    settings = ServeOptions(host=args.host, port=args.port, reload=args.reload,
                            open_browser=args.open)
    console.follow_logging()
    return serve(paths, options, settings, console)


def run_deploy(args: argparse.Namespace, console: Console) -> int:
    from .deploy import publish, target_name

    paths = SitePaths.at(args.site, args.output)
    deploy = load_config(paths).deploy
    target = target_name(deploy)
    # Never drafts or scheduled posts: what is published is what a plain build makes.
    _build(paths, BuildOptions(), console)
    console.info(f"{'comparing' if args.dry_run else 'publishing'} {paths.output} "
                 f"{'with' if args.dry_run else 'to'} {target}")
    published = publish(paths, deploy, args.dry_run, console.progress,
                        on_wait=lambda: _waiting(console, paths))
    show = console.info if args.dry_run else console.detail
    for line in published.listing():
        show(line)
    console.info(published.summary())
    return 0
