"""What an output folder holds, as of the build that last wrote it: for each file, the digest
of the inputs it was made from and the hash of its bytes.

The manifest lives in `<site>/.sitegen/`, one per output folder, and names the build token
that the folder's owner record beside it carries: how sitegen knows it made the folder,
kept out of the folder so that the folder holds only what the site serves. A manifest whose
token is not the owner's is ignored. An entry whose
digest is None is one a build was about to change when it stopped: its file is checked
byte for byte the next time.
"""

from __future__ import annotations

import contextlib
import hashlib
import pickle
from dataclasses import dataclass
from pathlib import Path

from .atomic import write_file
from .cache import CACHE_DIR

FORMAT = ("sitegen-manifest", 2)
JOURNAL_PREFIX = "apply-"
# path in the output folder -> (digest of its inputs or None, blake2b of its bytes)
Files = dict[str, tuple[str | None, str]]


@dataclass(frozen=True)
class Record:
    """The output folder as the last build left it."""

    token: str
    # The digest of everything the pages were planned from; the same digest means the
    # same pages, so a build that finds it unchanged need not plan them again.
    site: str | None
    pages: tuple[str, ...]
    files: Files


def manifest_file(root: Path, output: Path) -> Path:
    """Where the manifest of `output` is kept for the site at `root`."""
    return root / CACHE_DIR / f"output-{output_key(output)}.pickle"


def journal_file(root: Path, output: Path) -> Path:
    """Where a build into `output` writes down the changes it is making (see journal.py)."""
    return root / CACHE_DIR / f"{JOURNAL_PREFIX}{output_key(output)}.json"


def output_key(output: Path) -> str:
    """A short name for an output folder, for the files about it in the state folder."""
    return hashlib.blake2b(str(output).encode(), digest_size=8).hexdigest()


def owner_file(manifest: Path) -> Path:
    """The record that sitegen made the output folder of `manifest`, and with which build
    token: without one, a folder that is not empty is never written into."""
    return manifest.with_suffix(".owner")


def read_owner(manifest: Path) -> str | None:
    """The build token of the owner record, or None when there is none."""
    try:
        words = owner_file(manifest).read_text(encoding="utf-8").split()
    except (OSError, UnicodeDecodeError):
        return None
    return words[1] if len(words) == 2 and words[0] == "build" else None


def write_owner(manifest: Path, token: str) -> None:
    manifest.parent.mkdir(parents=True, exist_ok=True)
    write_file(owner_file(manifest), f"build {token}\n".encode())


def preview_flag(root: Path, output: Path) -> Path:
    """A file that exists while `output` holds, or may hold, drafts or scheduled posts (a
    build with --drafts or --future): such a folder must never be published."""
    return manifest_file(root, output).with_suffix(".preview")


def read_manifest(path: Path, token: str | None) -> Record | None:
    """The record of the folder whose marker holds `token`, or None."""
    if token is None:
        return None
    with contextlib.suppress(OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError,
                             AttributeError, ImportError):
        header, record = pickle.loads(path.read_bytes())
        if header == FORMAT and isinstance(record, Record) and record.token == token:
            return record
    return None


def write_manifest(path: Path, record: Record) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_file(path, pickle.dumps((FORMAT, record), protocol=pickle.HIGHEST_PROTOCOL))


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()
