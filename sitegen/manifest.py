"""What an output folder holds, as of the build that last wrote it: for each file, the digest
of the inputs it was made from and the hash of its bytes.

The manifest lives in the build state folder, one per output folder, and names the build
token that the folder's owner record (in the private folder, see layout.py) carries: how
sitegen knows it made the folder, kept out of the folder so that the folder holds only what
the site serves. A manifest whose token is not the owner's is ignored. An entry whose
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

FORMAT = ("sitegen-manifest", 2)
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


def read_owner(*records: Path) -> str | None:
    """The build token of the first owner record there is (the record that sitegen made an
    output folder, and with which build token), or None when there is none."""
    for record in records:
        try:
            words = record.read_text(encoding="utf-8").split()
        except (OSError, UnicodeDecodeError):
            continue
        return words[1] if len(words) == 2 and words[0] == "build" else None
    return None


def write_owner(record: Path, token: str) -> None:
    write_file(record, f"build {token}\n".encode())


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
    write_file(path, pickle.dumps((FORMAT, record), protocol=pickle.HIGHEST_PROTOCOL))


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()
