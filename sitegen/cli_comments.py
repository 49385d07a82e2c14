"""`sitegen comments`: the comment server, and the moderation queue from the terminal
(list, show, approve, reject, reply). The other moderation commands (password, block,
remove, edit) and what all of them share are in moderation_cli.py."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from . import moderation_cli
from .config import SitePaths, load_config
from .errors import SitegenError
from .plural import count

if TYPE_CHECKING:
    from .cli import Console


def add_commands(commands, common: argparse.ArgumentParser,
                 inner: argparse.ArgumentParser) -> None:
    """`sitegen comments serve|list|show|approve|reject|reply`, and moderation_cli's.
    `inner` is the common options as each action takes them, leaving what `comments` read
    when they are not given again (`sitegen comments --site DIR list`)."""
    comments = commands.add_parser(
        "comments", parents=[common], help="take readers' comments and moderate them",
        description="Run the comment intake server; list, show, approve or reject the "
                    "comments waiting in content/comments/pending/; reply as the owner.",
    )
    actions = comments.add_subparsers(dest="action", metavar="ACTION", required=True)
    serve = actions.add_parser("serve", parents=[inner], help="run the comment intake server",
                               description="Take comments posted by the form on each post "
                                           "page and queue them for moderation.")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on "
                       "(default: 127.0.0.1; put a reverse proxy in front)")
    serve.add_argument("--port", type=int, default=8001, help="port (default: 8001)")
    serve.set_defaults(run=_run_comments_serve)
    _add_queue_commands(actions, inner)
    _add_reply_command(actions, inner)
    moderation_cli.add_commands(actions, inner)


def _add_queue_commands(actions, common: argparse.ArgumentParser) -> None:
    """list, show, approve and reject: the comments waiting for moderation."""
    actions.add_parser("list", parents=[common], help="list the comments awaiting moderation"
                       ).set_defaults(run=_run_comments_list)
    show = actions.add_parser("show", parents=[common], help="show pending comments in full")
    show.add_argument("ids", nargs="+", metavar="ID")
    show.set_defaults(run=_run_comments_show)
    for name, verb in (("approve", "add them to their posts' threads"),
                       ("reject", "move them to content/comments/rejected/")):
        action = actions.add_parser(name, parents=[common], help=f"{name} pending comments: "
                                    f"{verb}")
        action.add_argument("ids", nargs="*", metavar="ID")
        action.add_argument("--all", action="store_true", help=f"{name} every pending comment")
        action.set_defaults(run=_run_comments_decide, decision=name)


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
    reply.set_defaults(run=_run_comments_reply)


def _run_comments_serve(args: argparse.Namespace, console: Console) -> int:
    from .atomic import sweep
    from .intake import create_app
    from .intake_server import make_server, server_url

    console.follow_logging()
    paths = SitePaths.at(args.site)
    app = create_app(paths)
    try:
        sweep(paths.comments / "pending")
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


def _run_comments_list(args: argparse.Namespace, console: Console) -> int:
    from .moderation import Queue

    queue = Queue(SitePaths.at(args.site))
    ids = queue.ids()
    problems = []
    for cid in ids:
        try:
            print(queue.get(cid).summary())
        except SitegenError as error:
            problems.extend(error.problems)
    console.info(f"{count(len(ids), 'comment')} awaiting moderation")
    if problems:
        raise SitegenError(*problems)
    return 0


def _run_comments_show(args: argparse.Namespace, console: Console) -> int:
    from .moderation import Queue

    queue = Queue(SitePaths.at(args.site))
    ids, problems = moderation_cli.pending_ids(queue, args.ids)
    if problems:
        raise SitegenError(*problems)
    for number, cid in enumerate(ids):
        print(("\n" if number else "") + queue.get(cid).describe())
    return 0


def _run_comments_decide(args: argparse.Namespace, console: Console) -> int:
    """approve or reject: every id is tried, and every failure reported at the end."""
    if bool(args.ids) == args.all:
        console.error(f"give the ids of the comments to {args.decision}, or --all")
        return 2
    from .moderation import Queue

    paths = SitePaths.at(args.site)
    config = load_config(paths) if args.decision == "approve" else None
    queue = Queue(paths)
    decide = queue.approve if args.decision == "approve" else queue.reject
    ids, unknown = moderation_cli.pending_ids(queue, queue.ids() if args.all else args.ids)
    moved, problems = decide(ids)
    for cid, where in moved.items():
        console.detail(f"  {cid} -> {where.relative_to(paths.root)}")
    done = f"{args.decision.removesuffix('e')}ed {count(len(moved), 'comment')}"
    if moved and config is not None:
        moderation_cli.publish(paths, config, console, done)
    else:
        console.info(done)
    if unknown or problems:
        raise SitegenError(*unknown, *problems)
    return 0


def _run_comments_reply(args: argparse.Namespace, console: Console) -> int:
    from .lookup import find_post
    from .moderation import owner_reply

    paths = SitePaths.at(args.site)
    config = load_config(paths)
    if args.message is not None:
        body = args.message
    else:
        if sys.stdin.isatty():
            console.info("type the reply (Markdown), then Ctrl-D on a line of its own:")
        body = sys.stdin.read()
    post = find_post(paths, config, args.post)
    replyto = moderation_cli.reply_target(paths, post, args.to)
    cid, thread = owner_reply(paths, config, post, body, replyto=replyto, author=args.author)
    console.info(f"added {cid} to {thread.relative_to(paths.root)}: run `sitegen build` to "
                 "publish")
    return 0
