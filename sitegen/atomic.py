"""Writing single files so that a crash or kill at any moment leaves the whole file or none.

The bytes go to a temporary file in the same folder and only then get their real name.
Readers' comments are also flushed to disk, file and folder, so that they survive a power
cut; what a build can make again (caches, manifests) is not, since flushing every file
would cost more than the build. Temporary files start with a dot and end in `.tmp`, so
nothing that lists `*.yml` ever sees one, and carry their writer's process id, so that the
next command can delete those that a killed writer left.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

TEMP_SUFFIX = ".tmp"
# The writer's process id in a temporary file's name: .<name>.<pid>-<random>.tmp
_WRITER = re.compile(r"\.(\d+)-[^.]*\.tmp$")
Writer = Callable[[BinaryIO], None]


def write_file(path: Path, data: bytes | Writer, durable: bool = False,
               mode: int | None = None) -> None:
    """Make `path` hold `data` (or what `data` writes to the file it is given), replacing
    what it held in one step and keeping its permissions; a new file gets `mode`, or is
    readable by its owner only. `durable` also flushes it to disk."""
    temp = _write_temp(path, data, durable)
    try:
        if path.exists():
            os.chmod(temp, path.stat().st_mode & 0o7777)
        elif mode is not None:
            os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    if durable:
        fsync_folder(path.parent)


def write_new(path: Path, data: bytes) -> None:
    """Create `path` holding `data`, flushed to disk; FileExistsError if it exists, which is
    never replaced."""
    temp = _write_temp(path, data, durable=True)
    try:
        # A hard link, unlike rename, refuses to replace an existing name.
        os.link(temp, path)
    finally:
        temp.unlink()
    fsync_folder(path.parent)


def move_new(source: Path, target: Path) -> None:
    """Move a file to a name that must not exist yet (FileExistsError if it does)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    os.link(source, target)
    source.unlink()
    fsync_folder(target.parent)
    fsync_folder(source.parent)


def write_cache(path: Path, data: bytes | Writer) -> None:
    """Write a file of a cache whole or not at all (another build may be reading it), its
    folder made if need be; where it cannot be written, nothing: it is made again next
    time."""
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        write_file(path, data)


def shared_folder(folder: Path) -> Path | None:
    """`folder`, beside sitegen's compiled modules, if what sitegen compiles of its own files
    may be kept there for every site: not when Python is told to write no bytecode
    (PYTHONDONTWRITEBYTECODE, -B), a wish to leave installed packages' folders as they are,
    nor when the folder cannot be made or written (a read-only installation)."""
    if sys.dont_write_bytecode:
        return None
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return folder if os.access(folder, os.W_OK) else None


def fsync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def sweep(folder: Path, older_than: float = 3600.0) -> list[Path]:
    """Delete temporary files a killed writer left behind: those whose writer process is
    gone, and any older than `older_than` seconds (no write takes that long)."""
    cutoff = time.time() - older_than
    removed = []
    for temp in folder.glob(f".*{TEMP_SUFFIX}"):
        writer = _WRITER.search(temp.name)
        try:
            if (writer and not _running(int(writer[1]))) or temp.stat().st_mtime < cutoff:
                temp.unlink()
                removed.append(temp)
        except FileNotFoundError:
            continue
    return removed


def temp_file(path: Path) -> tuple[int, Path]:
    """A new hidden file beside `path` to write it under first (an open descriptor, and its
    path), named so that `sweep` can tell when its writer is gone."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, name = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}-",
                                        suffix=TEMP_SUFFIX, dir=path.parent)
    return descriptor, Path(name)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # someone else's process, or not a process id we can check
    return True


def _write_temp(path: Path, data: bytes | Writer, durable: bool) -> Path:
    descriptor, temp = temp_file(path)
    try:
        with os.fdopen(descriptor, "wb") as file:
            if callable(data):
                data(file)
            else:
                file.write(data)
            if durable:
                file.flush()
                os.fsync(file.fileno())
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp
