"""The commands that build the site: `sitegen build`, `serve` (build, preview, rebuild on
every save) and `deploy` (build, then publish)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from .config import BuildOptions, SitePaths, load_config
from .errors import Problem

if TYPE_CHECKING:
    from .cli import Console


def add_build(commands, common: argparse.ArgumentParser,
              content: argparse.ArgumentParser) -> None:
    build_parser = commands.add_parser(
        "build", parents=[common, content], help="render the site into the output folder",
        description="Render posts, comments, archives, tags, feeds and the sitemap into the "
                    "output folder. The previous output stays until the new one is complete.",
    )
    build_parser.add_argument("--clean", action="store_true",
                              help="ignore what earlier builds cached in <site>/.sitegen/ and "
                                   "render every page again")
    build_parser.add_argument("--jobs", type=_positive, metavar="N",
                              help="processes converting Markdown (default: every core, "
                                   "when there is enough to convert)")
    build_parser.set_defaults(run=_run_build)


def add_serve(commands, common: argparse.ArgumentParser,
              content: argparse.ArgumentParser) -> None:
    serve_parser = commands.add_parser(
        "serve", parents=[common, content], help="preview the site, rebuilding on every change",
        description="Build the site, serve it on this computer and rebuild on every save; "
                    "open pages reload by themselves and show build errors over the page.",
    )
    serve_parser.add_argument("--host", default="127.0.0.1",
                              help="address to listen on (default: 127.0.0.1, this computer "
                                   "only)")
    serve_parser.add_argument("--port", type=_port, default=8000,
                              help="port to listen on; 0 picks a free one (default: 8000)")
    serve_parser.add_argument("--no-reload", dest="reload", action="store_false",
                              help="do not add the live-reload script to served pages")
    serve_parser.add_argument("--open", action="store_true", help="open the site in a browser")
    serve_parser.set_defaults(run=_run_serve)


def add_deploy(commands, common: argparse.ArgumentParser) -> None:
    deploy_parser = commands.add_parser(
        "deploy", parents=[common], help="build the site and publish it",
        description="Build the site (never with drafts or scheduled posts) and publish the "
                    "output folder to the [deploy] target in sitegen.toml: rsync to a "
                    "server, or a commit on a git branch such as gh-pages.",
    )
    deploy_parser.add_argument("--output", type=Path, metavar="DIR",
                               help="the output folder to build and publish (default: "
                                    "<site>/output)")
    deploy_parser.add_argument("--dry-run", action="store_true",
                               help="build, then list what would change at the target, and "
                                    "change nothing there")
    deploy_parser.set_defaults(run=_run_deploy)


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {text!r}")
    return int(text)


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port number (0 to 65535)")
    return int(text)


def _run_build(args: argparse.Namespace, console: Console) -> int:
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


def _run_serve(args: argparse.Namespace, console: Console) -> int:
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


def _run_deploy(args: argparse.Namespace, console: Console) -> int:
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
