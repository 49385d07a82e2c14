"""The commands that write the blog's own files: `sitegen init` (a new blog), `new` (a
post) and `import` (posts, pages and comments from another blog's export)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .config import SitePaths, load_config
from .errors import display_path
from .importers import FORMATS

if TYPE_CHECKING:
    from .cli import Console


def add_init(commands, common: argparse.ArgumentParser) -> None:
    init_parser = commands.add_parser(
        "init", parents=[common], help="start a new blog in an empty folder",
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
    init_parser.set_defaults(run=_run_init)


def add_new(commands, common: argparse.ArgumentParser) -> None:
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
    new_parser.set_defaults(run=_run_new)


def add_import(commands, common: argparse.ArgumentParser) -> None:
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
    import_parser.set_defaults(run=_run_import)


def _run_init(args: argparse.Namespace, console: Console) -> int:
    from .scaffold import Answers, init_site

    defaults = Answers()
    answers = Answers(
        title=_answer(args.title, "Title of the blog", defaults.title),
        author=_answer(args.author, "Your name", defaults.author),
        base_url=args.base_url or defaults.base_url,
    )
    root = args.folder.resolve()
    made = init_site(root, answers)
    for path in made.files:
        console.detail(f"  wrote {display_path(path)}")
    for warning in made.warnings:
        console.warn(warning)
    where = "" if root == Path.cwd() else f"cd {display_path(root)} && "
    console.info(f"made a new blog in {display_path(root)}; see it with: {where}sitegen serve")
    console.info('write a post with: sitegen new "A title"')
    return 0


def _answer(given: str | None, question: str, default: str) -> str:
    """A flag's value; else, on a terminal only, the user's answer; else the default."""
    if given is not None:
        return given
    if not sys.stdin.isatty():
        return default
    shown = f" [{default}]" if default else ""
    try:
        return input(f"{question}{shown}: ").strip() or default
    except EOFError:
        return default


def _run_new(args: argparse.Namespace, console: Console) -> int:
    from .newpost import new_post, parse_date

    paths = SitePaths.at(args.site)
    config = load_config(paths)
    when = parse_date(args.date, config) if args.date else None
    tags = tuple(tag.strip() for tag in args.tags.split(",") if tag.strip())
    path = new_post(paths, config, args.title, tags, when)
    console.info(f"wrote {display_path(path)}")
    return 0


def _run_import(args: argparse.Namespace, console: Console) -> int:
    from .importers.run import run_import

    paths = SitePaths.at(args.site)
    report = run_import(args.format, args.file, paths, dry_run=args.dry_run, force=args.force,
                        progress=console.progress)
    for warning in report.export.warnings:
        console.warn(warning)
    show = console.info if args.dry_run else console.detail
    for line in report.listing():
        show(line)
    console.info(report.summary())
    return 0
