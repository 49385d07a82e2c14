"""The `sitegen` command: argparse in, one line per problem out.

Exit status: 0 done, 1 the site has problems (each printed as `file:line: message`),
2 the command line was wrong, 130 interrupted. Tracebacks only with --verbose.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from . import __version__
from .build import build
from .config import BuildOptions, SitePaths
from .errors import Problem, SitegenError


class Console:
    """Where messages go, honouring --quiet and --verbose."""

    def __init__(self, verbosity: int) -> None:
        self.verbosity = verbosity

    def info(self, message: str) -> None:
        if self.verbosity >= 0:
            print(message, flush=True)

    def detail(self, message: str) -> None:
        if self.verbosity > 0:
            print(message, flush=True)

    def warn(self, problem: Problem) -> None:
        if self.verbosity >= 0:
            print(f"warning: {problem}", file=sys.stderr, flush=True)

    def error(self, problem: Problem | str) -> None:
        print(f"error: {problem}", file=sys.stderr, flush=True)


def _common() -> argparse.ArgumentParser:
    """Options every command takes, the same way."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--site", type=Path, default=Path("."), metavar="DIR",
                        help="the site's root folder (default: the current folder)")
    noise = common.add_mutually_exclusive_group()
    noise.add_argument("-v", "--verbose", action="store_const", const=1, dest="verbosity",
                       default=0, help="say more, and show tracebacks on errors")
    noise.add_argument("-q", "--quiet", action="store_const", const=-1, dest="verbosity",
                       help="print only errors")
    return common


def _content_options() -> argparse.ArgumentParser:
    """Options choosing which posts a build shows."""
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument("--drafts", action="store_true", help="include posts marked draft: true")
    options.add_argument("--future", action="store_true",
                         help="include posts dated in the future (scheduled posts)")
    return options


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sitegen",
        description="A static-site generator for personal blogs, with first-class comments.",
    )
    parser.add_argument("--version", action="version", version=f"sitegen {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    common, content = _common(), _content_options()

    build_parser = commands.add_parser(
        "build", parents=[common, content], help="render the site into the output folder",
        description="Render posts, comments, archives, tags, feeds and the sitemap into the "
                    "output folder. The previous output stays until the new one is complete.",
    )
    build_parser.add_argument("--output", type=Path, metavar="DIR",
                              help="where to write the site (default: <site>/output)")
    build_parser.add_argument("--clean", action="store_true",
                              help="ignore what earlier builds cached in <site>/.sitegen/ and "
                                   "render every page again")
    build_parser.add_argument("--jobs", type=_positive, metavar="N",
                              help="processes converting Markdown (default: every core, "
                                   "when there is enough to convert)")
    build_parser.set_defaults(run=_run_build)
    return parser


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {text!r}")
    return int(text)


def _run_build(args: argparse.Namespace, console: Console) -> int:
    paths = SitePaths.at(args.site, args.output)
    options = BuildOptions(drafts=args.drafts, future=args.future)
    console.info(f"building {paths.root} into {paths.output}")
    report = build(paths, options, on_page=lambda path: console.detail(f"  wrote {path}"),
                   clean=args.clean, jobs=args.jobs)
    for warning in report.warnings:
        console.warn(warning)
    console.info(report.summary())
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    console = Console(args.verbosity)
    run: Callable[[argparse.Namespace, Console], int] = args.run
    try:
        return run(args, console)
    except SitegenError as error:
        for problem in error.problems:
            console.error(problem)
        if args.verbosity > 0:
            traceback.print_exc()
        return 1
    except KeyboardInterrupt:
        console.error("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
