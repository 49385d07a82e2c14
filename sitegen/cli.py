"""The `sitegen` command: argparse in, one line per problem out.

Exit status: 0 done, 1 the site has problems (each printed as `file:line: message`),
2 the command line was wrong, 130 interrupted. Tracebacks only with --verbose.
"""

from __future__ import annotations

import argparse
import atexit
import gc
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from . import __version__, cli_build, cli_comments, cli_content, cli_moderation
from .console import Console
from .ending import end_after
from .errors import SitegenError, os_problem
from .importers import FORMATS
from .layout import STATE_FOLDER, SitePaths
from .privacy_cli import add_commands as add_privacy_commands
from .repair import repair

# The commands run in cli_build (build, serve, deploy), cli_content (init, new, import),
# cli_comments and cli_moderation (comments). Each imports what it needs when it runs:
# `sitegen build` should not pay for the importers' HTML parser, the WSGI servers or the file
# watcher at every start.


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
    _add_init_command(commands)
    _add_build_command(commands, common, content)
    _add_serve_command(commands, common, content)
    _add_deploy_command(commands, common)
    _add_new_command(commands, common)
    _add_comments_commands(commands, common)
    _add_import_command(commands, common)
    return parser


def _add_init_command(commands) -> None:
    init_parser = commands.add_parser(
        "init", parents=[_common(site=False)], help="start a new blog in an empty folder",
        description="Write a new blog: sitegen.toml with every setting explained, a first "
                    "post, an About page, a .gitignore and a GitHub Pages workflow. Asks for "
                    "the title and author on a terminal when they are not given.",
    )
    init_parser.add_argument("folder", nargs="?", type=Path, default=Path("."), metavar="DIR",
                             help="where to make it: a new or empty folder (default: the "
                                  "current folder)")
    init_parser.add_argument("--title", help="the blog's name")
    init_parser.add_argument("--author", help="your name, as the feeds show it")
    init_parser.add_argument("--base-url", metavar="URL",
                             help="where the blog will be published, such as "
                                  "https://example.org/")
    init_parser.set_defaults(run=cli_content.run_init)


def _add_build_command(commands, common: argparse.ArgumentParser,
                       content: argparse.ArgumentParser) -> None:
    build_parser = commands.add_parser(
        "build", parents=[common, content], help="render the site into the output folder",
        description="Render posts, comments, archives, tags, feeds and the sitemap into the "
                    "output folder. The previous output stays until the new one is complete.",
    )
    build_parser.add_argument("--clean", action="store_true",
                              help="ignore what earlier builds cached in "
                                   f"<site>/{STATE_FOLDER}/ and render every page again")
    build_parser.add_argument("--jobs", type=_positive, metavar="N",
                              help="processes converting Markdown (default: every core, "
                                   "when there is enough to convert)")
    build_parser.set_defaults(run=cli_build.run_build)


def _add_serve_command(commands, common: argparse.ArgumentParser,
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
    serve_parser.set_defaults(run=cli_build.run_serve)


def _add_deploy_command(commands, common: argparse.ArgumentParser) -> None:
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
    deploy_parser.set_defaults(run=cli_build.run_deploy)


def _add_new_command(commands, common: argparse.ArgumentParser) -> None:
    new_parser = commands.add_parser(
        "new", parents=[common], help="start a new post",
        description="Write content/posts/YYYY-MM-DD-slug.md with its front matter filled in. "
                    "An existing file is never overwritten.",
    )
    new_parser.add_argument("title", help="the post's title")
    new_parser.add_argument("--tags", default="", metavar="A,B",
                            help="comma-separated tags, such as bread,travel")
    new_parser.add_argument("--date", metavar="WHEN",
                            help="YYYY-MM-DD, YYYY-MM-DD HH:MM or ISO 8601 with an offset "
                                 "(default: now, in the site's time zone)")
    new_parser.set_defaults(run=cli_content.run_new)


def _add_import_command(commands, common: argparse.ArgumentParser) -> None:
    import_parser = commands.add_parser(
        "import", parents=[common], help="bring posts and comments from a blog export",
        description="Turn a Blogger or WordPress export into posts, pages and comment "
                    "threads, or add a Disqus export's comments to posts already imported. "
                    "Existing files are left alone unless --force.",
    )
    import_parser.add_argument("format", choices=FORMATS, help="what wrote the export")
    import_parser.add_argument("file", type=Path, help="the export file (XML)")
    import_parser.add_argument("--dry-run", action="store_true",
                               help="list what would be written, and write nothing")
    import_parser.add_argument("--force", action="store_true",
                               help="replace files that already exist")
    import_parser.set_defaults(run=cli_content.run_import)


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port number (0 to 65535)")
    return int(text)


def _add_comments_commands(commands, common: argparse.ArgumentParser) -> None:
    """`sitegen comments serve|list|show|approve|reject|reply`, and cli_moderation's."""
    comments = commands.add_parser(
        "comments", parents=[common], help="take readers' comments and moderate them",
        description="Run the comment intake server; list, show, approve or reject the "
                    "comments waiting in content/comments/pending/; reply as the owner.",
    )
    actions = comments.add_subparsers(dest="action", metavar="ACTION", required=True)
    common = _common(defaults=False)
    serve = actions.add_parser("serve", parents=[common], help="run the comment intake server",
                               description="Take comments posted by the form on each post "
                                           "page and queue them for moderation.")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on "
                       "(default: 127.0.0.1; put a reverse proxy in front)")
    serve.add_argument("--port", type=int, default=8001, help="port (default: 8001)")
    serve.set_defaults(run=cli_comments.run_serve)
    actions.add_parser("list", parents=[common], help="list the comments awaiting moderation"
                       ).set_defaults(run=cli_comments.run_list)
    show = actions.add_parser("show", parents=[common], help="show pending comments in full")
    show.add_argument("ids", nargs="+", metavar="ID")
    show.set_defaults(run=cli_comments.run_show)
    for name, verb in (("approve", "add them to their posts' threads"),
                       ("reject", "move them to content/comments/rejected/")):
        action = actions.add_parser(name, parents=[common], help=f"{name} pending comments: "
                                    f"{verb}")
        action.add_argument("ids", nargs="*", metavar="ID")
        action.add_argument("--all", action="store_true", help=f"{name} every pending comment")
        action.set_defaults(run=cli_comments.run_decide, decision=name)
    _add_reply_command(actions, common)
    cli_moderation.add_commands(actions, common)


def _add_reply_command(actions, common: argparse.ArgumentParser) -> None:
    reply = actions.add_parser(
        "reply", parents=[common], help="reply to a comment as the blog's owner",
        description="Add your own comment to a post's thread at once, without moderation, "
                    "marked as the author's. The text (Markdown) comes from --message, else "
                    "from standard input. Run `sitegen build` to publish it.")
    reply.add_argument("post", metavar="POST", help="the post: its file name (with or without "
                       "content/posts/ and .md), its slug or its address")
    reply.add_argument("--to", metavar="ID", help="the id of the comment answered (as in the "
                       "page's #comment-ID); without it, a comment on the post itself")
    reply.add_argument("-m", "--message", help="the text of the reply")
    reply.add_argument("--as", dest="author", metavar="NAME",
                       help="the name shown (default: 'author' in sitegen.toml)")
    reply.set_defaults(run=cli_comments.run_reply)
    add_privacy_commands(actions, common)


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {text!r}")
    return int(text)


def run() -> NoReturn:
    """The `sitegen` command (its entry point, and `python -m sitegen`): `main`, then the
    end of the process without Python's teardown (ending.py)."""
    end_after(main)


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
    run()
