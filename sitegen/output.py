"""WRITE: build into a sibling folder and swap it in whole, so that a failed build leaves
the previous site exactly as it was.

The output folder is replaced wholesale, so this module refuses folders it did not make:
a marker file says "sitegen wrote this", and an output that would hold the site's own files
is never accepted.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from .errors import Problem, SitegenError

MARKER = ".sitegen-output"
MARKER_TEXT = "This folder is written by `sitegen build` and replaced on every build.\n"


def check_output_folder(root: Path, output: Path) -> None:
    """Refuse an output folder whose replacement would delete anything but a built site."""
    if output == root or root.is_relative_to(output):
        raise SitegenError(Problem(f"the output folder {output} holds the site itself; "
                                   "pick another --output"))
    if output.exists() and not output.is_dir():
        raise SitegenError(Problem(f"the output path {output} is a file, not a folder"))
    if output.is_dir() and any(output.iterdir()) and not (output / MARKER).exists():
        raise SitegenError(Problem(f"{output} is not empty and was not written by sitegen; "
                                   "remove it or pick another --output"))


class Staging:
    """A fresh folder beside the output; `commit` swaps it in, leaving it discards it."""

    def __init__(self, output: Path) -> None:
        self.output = output
        output.parent.mkdir(parents=True, exist_ok=True)
        self.folder = Path(tempfile.mkdtemp(prefix=f".{output.name}.staging-", dir=output.parent))
        self._made: set[Path] = {self.folder}
        self.written = 0

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, *exc_info) -> None:
        if self.folder.exists():
            shutil.rmtree(self.folder, ignore_errors=True)

    def write(self, relative: str, data: bytes) -> None:
        target = self.folder / relative
        if ".." in Path(relative).parts or Path(relative).is_absolute():
            raise SitegenError(Problem(f"refusing to write {relative!r} outside the output"))
        self._ensure_folder(target.parent)
        target.write_bytes(data)
        self.written += 1

    def copy_tree(self, source: Path, relative: str) -> int:
        """Copy a folder of static files in; later calls win over earlier ones."""
        copied = 0
        for path in sorted(source.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                target = self.folder / relative / path.relative_to(source)
                self._ensure_folder(target.parent)
                shutil.copyfile(path, target)
                copied += 1
        return copied

    def commit(self) -> None:
        """Make the staged folder the output: two renames, the old site deleted after."""
        (self.folder / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
        os.chmod(self.folder, 0o755)
        old = None
        if self.output.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{self.output.name}.old-", dir=self.output.parent))
            self.output.rename(old / "site")
        self.folder.rename(self.output)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def _ensure_folder(self, folder: Path) -> None:
        # Creating folders is costly on some disks; remember the ones made.
        if folder not in self._made:
            folder.mkdir(parents=True, exist_ok=True)
            self._made.add(folder)
