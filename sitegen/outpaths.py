"""Check every path a build will write, as a file system and a static host will take it,
before anything is written.

A planned path that no file system can hold (a part longer than 255 bytes, a whole path
beyond the system's limit), that means something else to one (a NUL, '.', '..' or an empty
part), that a host cannot serve sanely (control characters, bytes that are not UTF-8, a
depth no blog needs), or that would clash with another on disk (a file where another path
needs a folder; two names that only differ in Unicode normalisation, which macOS and many
sync tools treat as one) is refused here, naming the file that asked for it. Finding it only
while files are being moved into the output folder would leave a half-changed site.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from .errors import ContentError, Problem, display_path
from .output import MARKER

# A file name's limit on ext4, XFS, Btrfs, tmpfs, APFS and NTFS alike.
NAME_MAX = 255
# S3, a common host for static sites, limits a key to 1,024 bytes; no blog needs more.
PATH_MAX_RELATIVE = 1024
MAX_DEPTH = 32
# Room for the staging folder's name beside the output (".output.staging-12345678").
STAGING_ROOM = 40
# The marker earlier versions kept in the output folder: a build still recognises and then
# removes it, so no page may take its name.
RESERVED = frozenset({MARKER})

Planned = tuple[str, Path | None]  # ('/'-separated path in the output, the file it is from)


def check_output_paths(output: Path, planned: Iterable[Planned]) -> None:
    """Raise ContentError naming each planned path that cannot be written as it is, and the
    file it comes from (None: sitegen's own page)."""
    planned = list(planned)
    # The system's limit counts the final NUL, and the '/' after the output folder.
    room = _system_path_max(output) - 2 - len(os.fsencode(output)) - STAGING_ROOM
    faults = {path: path_fault(path, room) for path, _ in planned}
    problems = [Problem(faults[path], source) for path, source in planned if faults[path]]
    problems += _clashes([(path, source) for path, source in planned if not faults[path]])
    if problems:
        raise ContentError(*dict.fromkeys(problems))


def path_fault(path: str, room: int = PATH_MAX_RELATIVE) -> str | None:
    """What makes `path` (relative to the output folder) unwritable or unservable, or None.
    `room`: how many bytes the path may take where the output folder is."""
    shown = _shown(path)
    try:
        encoded = path.encode("utf-8")
    except UnicodeEncodeError:
        return f"the output path {shown} is not valid UTF-8"
    # A printable text holds no control character (category Cc); the loop below, a tenth of
    # a millisecond for each of thousands of paths, is only for the others.
    if not path.isprintable() and (
            bad := next((char for char in path if unicodedata.category(char) == "Cc"), None)):
        return (f"the output path {shown} holds the control character U+{ord(bad):04X}; "
                "an address cannot")
    parts = path.split("/")
    if path.startswith("/") or any(part in ("", ".", "..") for part in parts):
        return f"the output path {shown} has an empty, '.' or '..' part"
    if path in RESERVED:
        return f"the output path {shown} is the file sitegen marks its output folder with"
    if len(encoded) > NAME_MAX and (
            long := next((part for part in parts if len(part.encode("utf-8")) > NAME_MAX),
                         None)):
        # Named by the part alone, so that a tag's many pages make one message.
        return (f"the address part {_shown(long)} is {len(long.encode('utf-8'))} bytes long; "
                f"a file name can have at most {NAME_MAX}")
    if len(parts) > MAX_DEPTH:
        return f"the output path {shown} is {len(parts)} levels deep; at most {MAX_DEPTH}"
    if len(encoded) > min(room, PATH_MAX_RELATIVE):
        where = "" if room >= PATH_MAX_RELATIVE else " in this output folder"
        return (f"the output path {shown} is {len(encoded)} bytes long; at most "
                f"{min(room, PATH_MAX_RELATIVE)}{where}")
    return None


def _clashes(planned: list[Planned]) -> list[Problem]:
    """Paths that are one name on disk, or a file where another path needs a folder."""
    problems = []
    first: dict[str, Planned] = {}  # by the name's NFC form: the first path to claim it
    for path, source in planned:
        name = path if path.isascii() else unicodedata.normalize("NFC", path)
        if name not in first:
            first[name] = (path, source)
            continue
        other, other_source = first[name]
        if other == path:
            message = f"the output path {_shown(path)} is also written"
        else:  # escaped, since they look the same
            message = (f"the output paths {_shown(path, ascii)} and {_shown(other, ascii)} "
                       "differ only in Unicode normalisation, which many systems ignore; the "
                       "other is written")
        problems.append(Problem(message + _from(other_source), source))
    files = dict(first.values())
    for path, source in planned:
        clash = next((folder for folder in _folders(path) if folder in files), None)
        if clash is not None:
            problems.append(Problem(f"the output path {_shown(path)} needs a folder where "
                                    f"the file {_shown(clash)} is, written{_from(files[clash])}",
                                    source))
    return problems


def _folders(path: str) -> Iterator[str]:
    """The folders `path` is in, outermost first: "a", "a/b" for "a/b/c"."""
    end = path.find("/")
    while end != -1:
        yield path[:end]
        end = path.find("/", end + 1)


def _from(source: Path | None) -> str:
    return f" from {display_path(source)}" if source is not None else " by sitegen itself"


def _shown(path: str, quote: Callable[[str], str] = repr) -> str:
    """The path quoted on one line, escapes for what cannot be shown, and cut short."""
    text = quote(path)
    return text if len(text) <= 80 else f"{text[:60]}…{text[-15:]}"


def _system_path_max(output: Path) -> int:
    folder = output
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        return os.pathconf(folder, "PC_PATH_MAX")
    except (OSError, ValueError):
        return 4096
