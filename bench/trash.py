"""Deleting without slowing the next build: folders are moved into bench/.trash/ and
deleted once the timings are over.

On some filesystems a file made soon after many were deleted costs far more than usual:
ext4 without a journal (the filesystem of the machine these figures come from) passes over
every inode freed in the last minute when it looks for a free one, so a build that starts
right after `rm -rf output` spends seconds in the kernel. Measured there: 11,500 files in
11,500 folders written in 0.8-1.4 s in a fresh place, in 3.6-12.3 s right after deleting
as many. A cold build on a fresh clone (a CI deploy) does not pay that, and which generator
paid more of it depended on the order they ran in; so nothing is deleted while a
generator is timed.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

TRASH = Path(__file__).resolve().parent / ".trash"


def set_aside(path: Path) -> None:
    """Take `path` (a folder or a file) out of the way; it is deleted by `empty`."""
    if not path.exists() and not path.is_symlink():
        return
    TRASH.mkdir(exist_ok=True)
    try:
        path.rename(TRASH / f"{time.time_ns()}-{path.name}")
    except OSError:  # another filesystem: deleted now after all
        shutil.rmtree(path, ignore_errors=True)


def empty() -> float:
    """Delete what was set aside; how long it took."""
    started = time.perf_counter()
    shutil.rmtree(TRASH, ignore_errors=True)
    return time.perf_counter() - started
