"""MOVE a build's new files into the output folder so that a failure half way is undone.

Before anything in the output folder changes, the whole list of changes is written down (the
journal, in the build state folder): which files go, which staged files come in, and whether
each replaces one. A file that is replaced or deleted is first kept aside in the staging
folder (a hard link, or the file itself moved there), so its old bytes survive until the
build is complete. An error while moving puts every old file back at once; a build killed
while moving leaves its journal, and the next sitegen command, of any kind, puts the old
files back before it does anything else. Removing the journal is the moment the new site
counts as published.

Undoing is idempotent: it looks at what is on disk, so an undo that is itself interrupted is
simply done again.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .atomic import write_file
from .errors import Problem, SitegenError


@dataclass(frozen=True)
class Move:
    """A staged file (by its name in the staging folder) going to `relative`."""

    staged: str
    relative: str
    replaces: bool  # whether the output held a file there when the build began moving


@dataclass(frozen=True)
class Changes:
    """Everything one build does to the output folder, in the order it does it."""

    output: Path
    staging: Path
    removed: tuple[str, ...]
    moves: tuple[Move, ...]

    def removed_backup(self, index: int) -> Path:
        return self.staging / f"removed-{index}"

    def replaced_backup(self, index: int) -> Path:
        return self.staging / f"replaced-{index}"


def plan_moves(output: Path, staged: list[tuple[str, str]]) -> tuple[Move, ...]:
    """The moves of staged files (path in the staging folder, relative target)."""
    return tuple(Move(os.path.basename(path), relative, _is_file(output / relative))
                 for path, relative in staged)


def apply(journal: Path, changes: Changes) -> None:
    """Make the changes, or, when one fails, none of them (SitegenError saying why)."""
    write_file(journal, _encode(changes))
    try:
        _do(changes)
    except BaseException as error:
        try:
            undo(changes)
        except OSError as failed:
            # The journal stays, so that the next command finishes the undo.
            raise SitegenError(_problem(error, f"; putting the old files back failed too "
                                               f"({failed.strerror}), and the next sitegen "
                                               "command will try again")) from error
        journal.unlink()
        if isinstance(error, OSError):
            raise SitegenError(_problem(error, "; the output folder is as it was")) from error
        raise
    journal.unlink()


def recover(journal: Path) -> bool:
    """Undo the changes of a build that stopped while moving files in, if `journal` says
    there was one; whether there was. The caller holds the output folder's lock."""
    changes = read_journal(journal)
    if changes is None:
        # None, or not one this code wrote: nothing can be undone from it.
        journal.unlink(missing_ok=True)
        return False
    undo(changes)
    journal.unlink()
    return True


def read_journal(journal: Path) -> Changes | None:
    """The changes `journal` holds, or None if there is none (or it cannot be read)."""
    try:
        return _decode(journal.read_bytes())
    except (OSError, ValueError, KeyError, TypeError):
        return None


def undo(changes: Changes) -> None:
    """Put back every old file, remove every new one, from whatever point the moving
    stopped at."""
    output = changes.output
    for index, move in reversed(list(enumerate(changes.moves))):
        target = output / move.relative
        backup = changes.replaced_backup(index)
        if move.replaces:
            if os.path.lexists(backup):
                _move(backup, target)
        elif not os.path.lexists(changes.staging / move.staged):
            target.unlink(missing_ok=True)
        prune(output, target.parent)
    for index, relative in reversed(list(enumerate(changes.removed))):
        backup = changes.removed_backup(index)
        if os.path.lexists(backup):
            _move(backup, output / relative)


def prune(output: Path, folder: Path) -> None:
    """Remove folders left empty, up to the output folder."""
    while folder != output and folder.is_relative_to(output):
        try:
            folder.rmdir()
        except FileNotFoundError:
            # A build killed inside `mkdir(parents=True)` made only the upper folders.
            pass
        except OSError:
            return
        folder = folder.parent


def _do(changes: Changes) -> None:
    for index, relative in enumerate(changes.removed):
        with _naming(changes.output / relative):
            try:
                os.rename(changes.output / relative, changes.removed_backup(index))
            except FileNotFoundError:
                continue
            prune(changes.output, (changes.output / relative).parent)
    for index, move in enumerate(changes.moves):
        target = changes.output / move.relative
        with _naming(target):
            if move.replaces:
                # A second name keeps the old bytes, while the new file replaces the old
                # in one step: a reader never finds the address empty.
                os.link(target, changes.replaced_backup(index), follow_symlinks=False)
            _move(changes.staging / move.staged, target)


@contextlib.contextmanager
def _naming(target: Path) -> Iterator[None]:
    """An OSError in the block names `target`, the file in the output that was changing,
    rather than a name in the staging folder."""
    try:
        yield
    except OSError as error:
        raise OSError(error.errno, error.strerror, str(target)) from error


def _move(source: Path, target: Path) -> None:
    try:
        os.replace(source, target)
    except FileNotFoundError:
        if not os.path.lexists(source):
            raise
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, target)


def _is_file(path: Path) -> bool:
    try:
        return not stat.S_ISDIR(os.lstat(path).st_mode)
    except (FileNotFoundError, NotADirectoryError):
        return False


def _problem(error: BaseException, outcome: str) -> Problem:
    if not isinstance(error, OSError):
        return Problem(f"the build stopped while moving its files into the output folder "
                       f"({error!r}){outcome}")
    return Problem(f"{error.strerror} while moving this build's files into the output "
                   f"folder{outcome}", Path(error.filename) if error.filename else None)


def _encode(changes: Changes) -> bytes:
    return json.dumps({
        "format": "sitegen-apply-1",
        "output": str(changes.output),
        "staging": str(changes.staging),
        "removed": list(changes.removed),
        "moves": [[move.staged, move.relative, move.replaces] for move in changes.moves],
    }).encode("utf-8")


def _decode(data: bytes) -> Changes:
    record = json.loads(data)
    if record["format"] != "sitegen-apply-1":
        raise ValueError("another format")
    return Changes(
        Path(record["output"]), Path(record["staging"]), tuple(record["removed"]),
        tuple(Move(staged, relative, bool(replaces))
              for staged, relative, replaces in record["moves"]),
    )
