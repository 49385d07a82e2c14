"""The commands that write the blog's own files: `sitegen init` (a new blog), `new` (a
post) and `import` (posts, pages and comments from another blog's export). cli.py declares
their options."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .config import load_config
from .errors import display_path
from .layout import SitePaths

if TYPE_CHECKING:
    from .console import Console


def run_init(args: argparse.Namespace, console: Console) -> int:
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


def run_new(args: argparse.Namespace, console: Console) -> int:
    from .newpost import new_post, parse_date

    paths = SitePaths.at(args.site)
    config = load_config(paths)
    when = parse_date(args.date, config) if args.date else None
    tags = tuple(tag.strip() for tag in args.tags.split(",") if tag.strip())
    path = new_post(paths, config, args.title, tags, when)
    console.info(f"wrote {display_path(path)}")
    return 0


def run_import(args: argparse.Namespace, console: Console) -> int:
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
