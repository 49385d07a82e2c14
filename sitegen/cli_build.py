"""The commands that build the site: `sitegen build`, `serve` (build, preview, rebuild on
every save) and `deploy` (build, then publish). cli.py declares their options."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from .config import BuildOptions, SitePaths, load_config
from .errors import Problem

if TYPE_CHECKING:
    from .cli import Console


def run_build(args: argparse.Namespace, console: Console) -> int:
    paths = SitePaths.at(args.site, args.output)
    options = BuildOptions(drafts=args.drafts, future=args.future)
    _build(paths, options, console, clean=args.clean, jobs=args.jobs)
    return 0


def _build(paths: SitePaths, options: BuildOptions, console: Console, **how) -> None:
    """Build as `sitegen build` does, saying so: a line first, warnings, a summary."""
    from .build import build

    console.info(f"building {paths.root} into {paths.output}")
    report = build(paths, options, on_page=lambda path: console.detail(f"  wrote {path}"),
                   on_wait=lambda: _waiting(console, paths), progress=console.progress,
                   **how)
    for warning in report.warnings:
        console.warn(warning)
    console.info(report.summary())


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
