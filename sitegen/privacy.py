"""Readers' addresses out of the files git sees: moving them from thread files into the
private store (`comments migrate-private`), and erasing one reader (`comments forget`).

Thread files are changed with `thread_keys`, every other byte as it was, under the lock
every writer of a thread takes. The store is written before a file loses an address, so an
interrupted run loses nothing and running it again finishes the job.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from .atomic import write_file
from .comments_server.queue import read_pending, thread_lock
from .entries import COMMENT_ID, read_entries
from .errors import ContentError, Problem, SitegenError
from .layout import SitePaths
from .plural import count
from .private import Forgotten, PrivateStore
from .thread_keys import Change, changed
from .threadfile import dump_yaml

ANONYMOUS = "Anonymous"


def thread_files(paths: SitePaths) -> list[Path]:
    if not paths.comments.is_dir():
        return []
    return sorted(path for path in paths.comments.glob("*.yml") if not path.name.startswith("."))


@dataclass
class Migration:
    """What `migrate-private` did: addresses moved per thread file, and what it could not."""

    moved: dict[Path, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def migrate(paths: SitePaths) -> Migration:
    """Move the `email` of every thread entry into the private store, file by file."""
    store = PrivateStore(paths)
    done = Migration()
    for thread in thread_files(paths):
        try:
            with thread_lock(paths, thread.stem):
                moved = _migrate_thread(thread, store)
        except (ContentError, OSError) as error:
            done.problems += _problems(error, thread)
            continue
        if moved:
            done.moved[thread] = moved
    return done


def _migrate_thread(thread: Path, store: PrivateStore) -> int:
    data = thread.read_bytes()
    entries = [entry for entry in read_entries(thread, data)
               if isinstance(entry, dict) and "email" in entry]
    if not entries:
        return 0
    if nameless := [entry for entry in entries if not COMMENT_ID.match(str(entry.get("id")))]:
        raise ContentError(Problem(f"{len(nameless)} comment(s) with an 'email' have no usable "
                                   "'id' to keep it by: give them one", thread))
    addresses = {str(entry["id"]): str(entry["email"] or "").strip() for entry in entries}
    new = changed(thread, data, {cid: Change(drop=("email",)) for cid in addresses})
    store.set_emails((cid, email) for cid, email in addresses.items() if email)
    write_file(thread, new, durable=True)
    return len(entries)


@dataclass
class Erasure:
    """What `forget` did: the store's part, and each file changed with what changed."""

    forgotten: Forgotten
    changed: dict[Path, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def forget(paths: SitePaths, email: str, anonymize: bool) -> Erasure:
    """Delete `email` from the private store, and from every thread and queued comment
    that still holds it; with `anonymize`, the comments written from it are signed
    "Anonymous" and lose their website. The store is cleared last, once the files are."""
    store = PrivateStore(paths)
    ids = set(store.comments_of(email))
    changes: dict[Path, str] = {}
    problems: list[Problem] = []
    for thread in thread_files(paths):
        try:
            with thread_lock(paths, thread.stem):
                if said := _forget_in_thread(thread, email, ids, anonymize):
                    changes[thread] = said
        except (ContentError, OSError) as error:
            problems += _problems(error, thread)
    for queued in _queued_files(paths):
        try:
            if _forget_in_queue(queued, email, anonymize):
                changes[queued] = "address removed" + (f", signed {ANONYMOUS}" if anonymize
                                                       else "")
        except (ContentError, OSError) as error:
            problems += _problems(error, queued)
    if problems:  # the store keeps the address, so that running again finds every comment
        return Erasure(Forgotten(0, 0, False), changes, problems)
    return Erasure(store.forget(email), changes)


def _forget_in_thread(thread: Path, email: str, ids: set[str], anonymize: bool) -> str:
    """Change the thread's entries written from `email`; says what changed, or ''."""
    data = thread.read_bytes()
    changes: dict[str, Change] = {}
    addresses = anonymized = 0
    for entry in read_entries(thread, data):
        if not isinstance(entry, dict):
            continue
        own = _same(entry.get("email"), email)
        if not own and str(entry.get("id")) not in ids:
            continue
        drop = ["email"] if own else []
        values = {}
        if anonymize:
            drop += ["url"] if "url" in entry else []
            values = {"author": ANONYMOUS} if entry.get("author") != ANONYMOUS else {}
        if drop or values:
            changes[str(entry.get("id"))] = Change(tuple(drop), values)
            addresses += own
            anonymized += anonymize
    if not changes:
        return ""
    write_file(thread, changed(thread, data, changes), durable=True)
    said = [f"{count(addresses, 'address', 'addresses')} removed"] if addresses else []
    if anonymized:
        said.append(f"{count(anonymized, 'comment')} signed {ANONYMOUS}, without website")
    return ", ".join(said)


def _queued_files(paths: SitePaths) -> list[Path]:
    folders = (paths.pending, paths.rejected)
    return sorted(path for folder in folders if folder.is_dir()
                  for path in folder.glob("*.yml") if not path.name.startswith("."))


def _forget_in_queue(path: Path, email: str, anonymize: bool) -> bool:
    """Take `email` out of a comment awaiting moderation or rejected; whether it had it."""
    try:
        comment = read_pending(path)
    except ContentError:
        return _forget_in_mapping(path, email, anonymize)
    if not _same(comment.email, email):
        return False
    kept = replace(comment, email=None)
    if anonymize:
        kept = replace(kept, author=ANONYMOUS, url=None)
    write_file(path, dump_yaml(kept.as_mapping()).encode("utf-8"), durable=True)
    return True


def _forget_in_mapping(path: Path, email: str, anonymize: bool) -> bool:
    """The same, for a kept file in another layout (a comment removed from its thread)."""
    try:
        data = yaml.safe_load(path.read_bytes())
    except yaml.YAMLError as error:
        raise ContentError(Problem(f"not a readable comment: {error}", path)) from None
    if not isinstance(data, dict) or not _same(data.get("email"), email):
        return False
    data.pop("email")
    if anonymize:
        data.pop("url", None)
        data["author"] = ANONYMOUS
    write_file(path, dump_yaml(data).encode("utf-8"), durable=True)
    return True


def _same(value: object, email: str) -> bool:
    return isinstance(value, str) and value.strip().lower() == email.strip().lower()


def _problems(error: SitegenError | OSError, path: Path) -> list[Problem]:
    if isinstance(error, SitegenError):
        return list(error.problems)
    return [Problem(f"cannot change it: {error.strerror or error}", path)]
