"""`sitegen comments`: the comment server, and the moderation queue from the terminal
(list, show, approve, reject, reply). The other moderation commands (password, block,
remove, edit) and what all of them share are in cli_moderation.py; cli.py declares the
options of these."""

from __future__ import annotations

import argparse
import re
import sys
from typing import TYPE_CHECKING

from . import cli_moderation
from .config import load_config
from .errors import Problem, SitegenError
from .layout import SitePaths
from .plural import count

if TYPE_CHECKING:
    from .comments_server.queue import PendingComment
    from .console import Console

# What must not reach the owner's terminal raw: escape sequences could rewrite the screen.
CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def run_serve(args: argparse.Namespace, console: Console) -> int:
    from .atomic import sweep
    from .comments_server.app import create_app
    from .comments_server.host import make_server, server_url

    console.follow_logging()
    paths = SitePaths.at(args.site)
    app = create_app(paths)
    try:
        sweep(paths.pending)
        server = make_server(app, args.host, args.port)
        console.info(f"taking comments for {paths.root} at "
                     f"{server_url(server, app.endpoint)} (press Ctrl-C to stop)")
        try:
            server.run()
        finally:
            server.close()
    finally:
        app.close()
    return 0


def run_list(args: argparse.Namespace, console: Console) -> int:
    from .comments_server.queue import Queue

    queue = Queue(SitePaths.at(args.site))
    ids = queue.ids()
    problems = []
    for cid in ids:
        try:
            print(summary(queue.get(cid)))
        except SitegenError as error:
            problems.extend(error.problems)
    console.info(f"{count(len(ids), 'comment')} awaiting moderation")
    if problems:
        raise SitegenError(*problems)
    return 0


def run_show(args: argparse.Namespace, console: Console) -> int:
    from .comments_server.queue import Queue

    queue = Queue(SitePaths.at(args.site))
    ids, problems = cli_moderation.pending_ids(queue, args.ids)
    if problems:
        raise SitegenError(*problems)
    for number, cid in enumerate(ids):
        print(("\n" if number else "") + described(queue.get(cid)))
    return 0


def run_decide(args: argparse.Namespace, console: Console) -> int:
    """approve or reject: every id is tried, and every failure reported at the end."""
    if bool(args.ids) == args.all:
        console.error(f"give the ids of the comments to {args.decision}, or --all")
        return 2
    from .comments_server.queue import Queue

    paths = SitePaths.at(args.site)
    config = load_config(paths) if args.decision == "approve" else None
    queue = Queue(paths)
    decide = queue.approve if args.decision == "approve" else queue.reject
    ids, unknown = cli_moderation.pending_ids(queue, queue.ids() if args.all else args.ids)
    moved, problems = decide(ids)
    for cid, where in moved.items():
        console.detail(f"  {cid} -> {where.relative_to(paths.root)}")
    done = f"{args.decision.removesuffix('e')}ed {count(len(moved), 'comment')}"
    if moved and config is not None:
        cli_moderation.publish(paths, config, console, done)
    else:
        console.info(done)
    if unknown or problems:
        raise SitegenError(*unknown, *problems)
    return 0


def run_reply(args: argparse.Namespace, console: Console) -> int:
    from .comments_server.queue import owner_reply
    from .lookup import find_post

    paths = SitePaths.at(args.site)
    config = load_config(paths)
    if args.message is not None:
        body = args.message
    else:
        if sys.stdin.isatty():
            console.info("type the reply (Markdown), then Ctrl-D on a line of its own:")
        body = sys.stdin.read()
    post = find_post(paths, config, args.post)
    replyto = cli_moderation.reply_target(paths, post, args.to)
    cid, thread = owner_reply(paths, config, post, body, replyto=replyto, author=args.author)
    console.info(f"added {cid} to {thread.relative_to(paths.root)}: run `sitegen build` to "
                 "publish")
    if unpushed := cli_moderation.push_threads(paths, config, console):
        raise SitegenError(Problem(unpushed, paths.root))
    return 0


def summary(comment: PendingComment) -> str:
    """One line for `sitegen comments list`: id, post, author, the body's first line."""
    first = comment.body.strip().split("\n", 1)[0]
    first = first if len(first) <= 60 else first[:59] + "…"
    return printable(f"{comment.id}  {comment.post}  {comment.author}: {first}")


def described(comment: PendingComment) -> str:
    """Every field, then the body, for `sitegen comments show`."""
    mapping = comment.as_mapping()
    lines = [f"{key}: {mapping[key]}" for key in mapping if key != "body"]
    return printable("\n".join([*lines, "", comment.body]))


def printable(text: str) -> str:
    """Reader text fit for a terminal: control characters shown as escapes, lines kept."""
    return CONTROL.sub(lambda match: match[0].encode("unicode_escape").decode(), text)
