"""Publishing with the `rsync` program: only the files whose bytes differ move, files gone
from the output are deleted at the target, and the updates are put in place together at
the end so that readers meet few half-updated pages.

Files are compared by checksum rather than by size and time, which rsync compares to the
whole second: a page rewritten in the second it was last published, at its old size, would
otherwise be missed. Times are kept, so the target's files show when they last changed.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile

from ..layout import SitePaths
from ..progress import Report
from . import Published, failure

OPTIONS = ["--recursive", "--links", "--times", "--perms", "--chmod=D755,F644",
           "--checksum", "--delete", "--delete-delay", "--delay-updates",
           "--itemize-changes"]


def rsync_publish(paths: SitePaths, target: str, dry_run: bool,
                  progress: Report) -> Published:
    """Run rsync from the output folder to `target` (run in the site's folder, so that a
    relative target is relative to the site)."""
    if shutil.which("rsync") is None:
        raise failure(target, "the rsync program is not installed")
    command = ["rsync", *OPTIONS, *(["--dry-run"] if dry_run else []),
               f"{paths.output}/", target]
    uploaded: list[str] = []
    deleted: list[str] = []
    with tempfile.TemporaryFile("w+", encoding="utf-8") as errors:
        process = subprocess.Popen(command, cwd=paths.root, stdout=subprocess.PIPE,
                                   stderr=errors, text=True, encoding="utf-8",
                                   errors="replace")
        assert process.stdout is not None
        for line in process.stdout:
            _itemized(line.rstrip("\n"), uploaded, deleted)
            progress("uploading files", len(uploaded), 0)
        # Now that the total is known, the last count is shown whole.
        progress("uploading files", len(uploaded), len(uploaded))
        if process.wait() != 0:
            errors.seek(0)
            said = [line.strip() for line in errors if line.strip()]
            raise failure(target, said[0] if said else f"rsync exited with {process.returncode}")
    return Published(target, tuple(uploaded), tuple(deleted), dry_run)


def _itemized(line: str, uploaded: list[str], deleted: list[str]) -> None:
    """One line of --itemize-changes: 11 characters of what changed, a space, the path.
    `>f`/`<f` is a file sent; `*deleting` a file or folder (ending in /) removed."""
    kind, path = line[:11], line[12:]
    if kind[:2] in ("<f", ">f"):
        uploaded.append(path)
    elif kind.startswith("*deleting") and not path.endswith("/"):
        deleted.append(path)
