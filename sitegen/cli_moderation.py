"""`sitegen comments password|block|blocked|unblock|remove|edit`, and what the other
moderation commands share: comment ids by part, and publishing after an approval.

Kept out of cli.py so that each command stays a few lines there; the work is done by
comments_server/auth.py, comments_server/blocks.py and thread_edit.py, imported when a
command runs, as cli.py does, so that other commands do not pay for them.
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from .config import Config, load_config
from .errors import Problem, SitegenError
from .layout import SitePaths
from .plural import count

if TYPE_CHECKING:
    from .comments_server.queue import Queue
    from .private import PrivateStore


class Console(Protocol):
    def info(self, message: str) -> None: ...
    def detail(self, message: str) -> None: ...
    def error(self, problem: Problem | str) -> None: ...


def add_commands(actions, common: argparse.ArgumentParser) -> None:
    """The moderation commands beyond list, show, approve, reject and reply."""
    password = actions.add_parser(
        "password", parents=[common], help="set the moderation page's password",
        description="Ask for a password twice, without echo, and keep only its scrypt hash "
                    "in private/. Until a password is set the moderation page "
                    "(<endpoint>/moderate) answers 404. Changing it ends every session.")
    password.add_argument("--off", action="store_true",
                          help="remove the password: the page answers 404 again")
    password.set_defaults(run=_run_password)
    block = actions.add_parser("block", parents=[common],
                               help="block a pending comment's sender, rejecting theirs")
    block.add_argument("id", metavar="ID")
    block.set_defaults(run=_run_block)
    actions.add_parser("blocked", parents=[common], help="list the blocked senders"
                       ).set_defaults(run=_run_blocked)
    lift = actions.add_parser("unblock", parents=[common], help="lift a block")
    lift.add_argument("hash", metavar="HASH", help="as `sitegen comments blocked` lists it "
                      "(or at least 4 characters of it)")
    lift.set_defaults(run=_run_unblock)
    for name, does in (("remove", "unpublish an approved comment (kept in rejected/)"),
                       ("edit", "change an approved comment's text, in $EDITOR or --body")):
        action = actions.add_parser(name, parents=[common], help=does)
        action.add_argument("id", metavar="ID")
        action.add_argument("--post", metavar="POST", help="the post's file name, when the "
                            "id is in several threads")
        action.set_defaults(run=_run_remove if name == "remove" else _run_edit)
    actions.choices["edit"].add_argument("--body", help="the new text (Markdown)")


def private_store(paths: SitePaths) -> PrivateStore:
    from .private import PrivateStore

    return PrivateStore(paths)


def pending_ids(queue: Queue, given: list[str]) -> tuple[list[str], list[Problem]]:
    """The pending comments `given` names, each by its id or a unique part of it."""
    from .lookup import match_ids

    return match_ids(given, queue.ids(), "pending comment")


def publish(paths: SitePaths, config: Config, console: Console, done: str) -> None:
    """Say what was `done` to the threads; commit and push them with publish = "git"; run
    the site's rebuild command if it has one, else say how to publish. A failed push does
    not keep the rebuild from running: it is reported after it."""
    from .comments_server.rebuild import run_command

    unpushed = push_threads(paths, config, console)
    command = config.comments.rebuild_command
    if not command:
        console.info(f"{done}: run `sitegen build` to publish")
    else:
        console.info(done)
        failure = run_command(shlex.split(command), paths)
        if failure:
            raise SitegenError(Problem(failure, paths.config_file))
        console.info(f"published with `{command}`")
    if unpushed:
        raise SitegenError(Problem(unpushed, paths.root))


def push_threads(paths: SitePaths, config: Config, console: Console) -> str | None:
    """With publish = "git", commit and push the changed threads; what went wrong, if so."""
    from .comments_server.gitpublish import PUBLISH_GIT, publish_threads

    if config.comments.publish != PUBLISH_GIT:
        return None
    failure = publish_threads(paths, config)
    if failure is None:
        console.detail("committed and pushed the comment threads")
    return failure


def _run_password(args: argparse.Namespace, console: Console) -> int:
    import getpass

    from .comments_server.auth import set_password

    store = private_store(SitePaths.at(args.site))
    if args.off:
        set_password(store, None)
        console.info("the moderation page is off: it answers 404")
        return 0
    first = getpass.getpass("new password for the moderation page: ")
    if not first:
        raise SitegenError(Problem("the password is empty: nothing changed"))
    if getpass.getpass("the same again: ") != first:
        raise SitegenError(Problem("the two passwords differ: nothing changed"))
    set_password(store, first)
    console.info(f"password set (only its hash is kept, in {store.path.parent.name}/); "
                 "every earlier session has ended")
    return 0


def _run_block(args: argparse.Namespace, console: Console) -> int:
    from .comments_server.blocks import block_sender
    from .comments_server.queue import Queue

    paths = SitePaths.at(args.site)
    queue = Queue(paths)
    ids, problems = pending_ids(queue, [args.id])
    if problems:
        raise SitegenError(*problems)
    ip_hash, rejected, problems = block_sender(paths, private_store(paths), queue.get(ids[0]))
    console.info(f"blocked {ip_hash}; rejected {count(len(rejected), 'pending comment')} "
                 "from them")
    if problems:
        raise SitegenError(*problems)
    return 0


def _run_blocked(args: argparse.Namespace, console: Console) -> int:
    from .comments_server.blocks import blocks

    found = blocks(private_store(SitePaths.at(args.site)))
    for block in found:
        print(block.line())
    console.info(f"{count(len(found), 'blocked sender')}")
    return 0


def _run_unblock(args: argparse.Namespace, console: Console) -> int:
    from .comments_server.blocks import unblock

    ip_hash = unblock(private_store(SitePaths.at(args.site)), args.hash)
    console.info(f"unblocked {ip_hash}")
    return 0


def _run_remove(args: argparse.Namespace, console: Console) -> int:
    from .thread_edit import find_published, remove

    paths = SitePaths.at(args.site)
    found = find_published(paths, args.id, _post(args.post))
    kept = remove(paths, found)
    publish(paths, load_config(paths), console,
            f"removed {found.id} from {found.thread.relative_to(paths.root)} (kept in "
            f"{kept.relative_to(paths.root)})")
    return 0


def _run_edit(args: argparse.Namespace, console: Console) -> int:
    from .thread_edit import body_of, edit, find_published

    paths = SitePaths.at(args.site)
    found = find_published(paths, args.id, _post(args.post))
    body = args.body if args.body is not None else _in_editor(body_of(found))
    if not edit(paths, found, body):
        console.info(f"{found.id} is unchanged")
        return 0
    publish(paths, load_config(paths), console,
            f"changed {found.id} in {found.thread.relative_to(paths.root)}")
    return 0


def reply_target(paths: SitePaths, post: str, given: str | None) -> str | None:
    """The id of the published comment `given` names in `post`'s thread; one that names
    none is left whole, for owner_reply to say why it cannot be answered."""
    from .errors import ContentError
    from .lookup import Ambiguous
    from .thread_edit import find_published

    if given is None:
        return None
    try:
        return find_published(paths, given, post).id
    except Ambiguous:
        raise
    except ContentError:
        return given


def _post(given: str | None) -> str | None:
    return Path(given).name.removesuffix(".md") if given else None


def _in_editor(text: str) -> str:
    """`text` after the owner edited it in $VISUAL or $EDITOR (vi without either)."""
    editor = shlex.split(os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi")
    with tempfile.TemporaryDirectory(prefix="sitegen-") as folder:
        draft = Path(folder) / "comment.md"
        draft.write_text(text + "\n", encoding="utf-8")
        try:
            done = subprocess.run([*editor, str(draft)], stdin=sys.stdin)
        except OSError as error:
            raise SitegenError(Problem(f"cannot run the editor {editor[0]}: {error}")) from None
        if done.returncode != 0:
            raise SitegenError(Problem(f"the editor {editor[0]} exited with "
                                       f"{done.returncode}: nothing changed"))
        return draft.read_text(encoding="utf-8")
