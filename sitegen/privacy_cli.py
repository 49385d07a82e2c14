"""`sitegen comments migrate-private` and `sitegen comments forget`: the command line of
privacy.py, which does the work."""

from __future__ import annotations

import argparse
from pathlib import Path

from .errors import SitegenError, display_path
from .layout import SitePaths
from .plural import count


def add_commands(actions, common: argparse.ArgumentParser) -> None:
    """Add the two commands to `sitegen comments`."""
    migrate = actions.add_parser(
        "migrate-private", parents=[common],
        help="move readers' email addresses from thread files into the private store",
        description="Take the 'email' key out of every comment in content/comments/*.yml, "
                    "keeping the address in <site>/private/ (never in git), and every other "
                    "byte of the files as it was.")
    migrate.set_defaults(run=_run_migrate)
    forget = actions.add_parser(
        "forget", parents=[common], help="erase a reader's email address (an erasure request)",
        description="Delete the address, and every reply subscription of it, from the private "
                    "store, and from thread files and queued comments that still hold it.")
    forget.add_argument("email", metavar="EMAIL", help="the reader's address (any case)")
    forget.add_argument("--anonymize", action="store_true",
                        help="also sign that reader's comments 'Anonymous' and remove their "
                             "website, leaving every other comment as it is")
    forget.set_defaults(run=_run_forget)


def _run_migrate(args: argparse.Namespace, console) -> int:
    from .privacy import migrate

    paths = SitePaths.at(args.site)
    done = migrate(paths)
    for thread, moved in done.moved.items():
        console.info(f"  {_shown(thread, paths)}: {count(moved, 'address', 'addresses')} moved")
    total = sum(done.moved.values())
    console.info(f"moved {count(total, 'email address', 'email addresses')} from "
                 f"{count(len(done.moved), 'thread file')} into {display_path(paths.root)}"
                 "/private/" + (": commit the thread files" if total else ""))
    if done.problems:
        raise SitegenError(*done.problems)
    return 0


def _run_forget(args: argparse.Namespace, console) -> int:
    from .privacy import forget

    paths = SitePaths.at(args.site)
    erased = forget(paths, args.email, args.anonymize)
    for path, what in erased.changed.items():
        console.info(f"  {_shown(path, paths)}: {what}")
    if erased.problems:
        raise SitegenError(*erased.problems)
    gone = erased.forgotten
    store = [count(gone.comments, "comment's address", "comments' addresses"),
             count(gone.subscriptions, "reply subscription")]
    if gone.subscriber:
        store.append("its subscriber record")
    console.info(f"forgot {args.email} in the private store: {', '.join(store)}")
    threads = [path for path in erased.changed if path.parent == paths.comments]
    if threads:
        console.info(f"changed {count(len(threads), 'thread file')}: run `sitegen build` and "
                     "commit them to publish the change")
    elif not erased.changed and not (gone.comments or gone.subscriptions or gone.subscriber):
        console.info(f"{args.email} was nowhere: nothing changed")
    return 0


def _shown(path: Path, paths: SitePaths) -> str:
    return path.relative_to(paths.root).as_posix()
