"""The `sitegen` command: argparse in, one line per problem out.

Exit status: 0 done, 1 the site has problems (each printed as `file:line: message`),
2 the command line was wrong, 130 interrupted. Tracebacks only with --verbose.
"""

from __future__ import annotations

import argparse
import atexit
import gc
import logging
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from . import __version__, cli_build, cli_comments, cli_content
from .config import SitePaths
from .errors import Problem, SitegenError, os_problem
from .progress import ProgressLine
from .repair import repair

# The commands are in cli_build (build, serve, deploy), cli_content (init, new, import) and
# cli_comments (comments). Each imports what it needs when it runs: `sitegen build` should
# not pay for the importers' HTML parser, the WSGI servers or the file watcher at every start.


class Console:
    """Where messages go, honouring --quiet and --verbose; on a terminal, long work also
    shows one updating line of progress, erased before each message."""

    def __init__(self, verbosity: int) -> None:
        self.verbosity = verbosity
        self.progress = ProgressLine.for_stream(sys.stderr, quiet=verbosity < 0)

    def info(self, message: str) -> None:
        if self.verbosity >= 0:
            self._say(message, sys.stdout)

    def detail(self, message: str) -> None:
        if self.verbosity > 0:
            self._say(message, sys.stdout)

    def warn(self, problem: Problem) -> None:
        if self.verbosity >= 0:
            self._say(f"warning: {problem}", sys.stderr)

    def error(self, problem: Problem | str) -> None:
        self._say(f"error: {problem}", sys.stderr)

    def follow_logging(self) -> None:
        """Show what the servers log (each comment queued, each refusal) as they do it."""
        logging.basicConfig(level=logging.INFO if self.verbosity >= 0 else logging.WARNING,
                            format="%(asctime)s %(levelname)s %(message)s")

    def _say(self, message: str, stream) -> None:
        if self.progress:
            self.progress.clear()
        print(message, file=stream, flush=True)


def _common(site: bool = True, defaults: bool = True) -> argparse.ArgumentParser:
    """Options every command takes, the same way (all but `init` work on a --site). Without
    `defaults`, an option not given leaves what an outer parser read (`sitegen comments
    --site DIR list`)."""
    common = argparse.ArgumentParser(add_help=False)
    if site:
        common.add_argument("--site", type=Path, metavar="DIR",
                            default=Path(".") if defaults else argparse.SUPPRESS,
                            help="the site's root folder (default: the current folder)")
    noise = common.add_mutually_exclusive_group()
    noise.add_argument("-v", "--verbose", action="store_const", const=1, dest="verbosity",
                       default=0 if defaults else argparse.SUPPRESS,
                       help="say more, and show tracebacks on errors")
    noise.add_argument("-q", "--quiet", action="store_const", const=-1, dest="verbosity",
                       default=0 if defaults else argparse.SUPPRESS, help="print only errors")
    return common


def _build_options() -> argparse.ArgumentParser:
    """Options of every command that builds: where the site goes, which posts it shows."""
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument("--output", type=Path, metavar="DIR",
                         help="where to write the site (default: <site>/output)")
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
    common, content = _common(), _build_options()
    cli_content.add_init(commands, _common(site=False))
    cli_build.add_build(commands, common, content)
    cli_build.add_serve(commands, common, content)
    cli_build.add_deploy(commands, common)
    cli_content.add_new(commands, common)
    cli_comments.add_commands(commands, common, _common(defaults=False))
    cli_content.add_import(commands, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # The interpreter's last garbage collection, at exit, walks every object still alive
    # (modules, compiled templates) to free nothing that the end of the process would not:
    # 20-30 ms of a small rebuild. Objects frozen are left out of it.
    atexit.register(gc.freeze)
    args = make_parser().parse_args(argv)
    console = Console(args.verbosity)
    site = getattr(args, "site", None)
    if site is not None and not site.is_dir():
        console.error(f"--site {site}: " + ("not a folder" if site.exists() else
                                            "no such folder"))
        return 2
    run: Callable[[argparse.Namespace, Console], int] = args.run
    try:
        # A killed build or import is put right before anything else reads the site.
        for note in repair(SitePaths.at(site, getattr(args, "output", None))) if site else ():
            console.warn(note)
        return run(args, console)
    except (SitegenError, OSError) as error:
        problems = (error.problems if isinstance(error, SitegenError)
                    else (os_problem(error),))
        for problem in problems:
            console.error(problem)
        if args.verbosity > 0:
            traceback.print_exc()
        return 1
    except KeyboardInterrupt:
        console.error("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
