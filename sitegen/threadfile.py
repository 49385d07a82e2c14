"""Writing comment thread files as people write them, and adding to them.

The moderation queue and the importers both add comments to threads that the owner may
have edited by hand, so adding never rewrites what is there: new entries are appended in
the file's own indentation and line endings, and the result is read back to prove that the
old comments are unchanged and the new ones read as written.

Reading a whole thread back made each append cost more as the thread grew (2,000 comments
published one by one into one thread took 148 s, against 3 s queued). A ThreadWriter
remembers what its last whole read of a file proved, for as long as the file holds the
same bytes: then only the file's last comment and the new ones are read back.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from .atomic import write_file
from .entries import ThreadEntry, entry_ids, read_entries, reads_back
from .errors import ContentError, Problem
from .sourcefile import YAML_LOADER


class _Dumper(yaml.SafeDumper):
    """Several-line text as a readable `|` block; PyYAML falls back to quoting when a block
    could not hold the text exactly."""


class _FlowListDumper(_Dumper):
    """Front matter as in the sample posts: `tags: [bread, travel]` on one line."""


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", text,
                                   style="|" if "\n" in text else None)


_Dumper.add_representer(str, _represent_text)
_FlowListDumper.add_representer(list, lambda dumper, value: dumper.represent_sequence(
    "tag:yaml.org,2002:seq", value, flow_style=True))


def dump_yaml(data: object, flow_lists: bool = False) -> str:
    dumper = _FlowListDumper if flow_lists else _Dumper
    return yaml.dump(data, Dumper=dumper, allow_unicode=True, sort_keys=False,
                     default_flow_style=False, width=4096)


def dumped(entries: Sequence[ThreadEntry]) -> str:
    """A new thread file holding `entries`."""
    return dump_yaml([entry.as_mapping() for entry in entries])


def appended(old: bytes, entries: Sequence[ThreadEntry], path: Path) -> tuple[bytes, int]:
    """The thread file's bytes with `entries` added at the end, and how many were added.

    An entry whose very comment is already there (an approval interrupted after writing) is
    skipped; one whose id another comment has is refused."""
    new, count, _ = _append_checked(old, [entry.as_mapping() for entry in entries], path)
    return new, count


@dataclass(frozen=True)
class _Proven:
    """What reading a thread file proved, true while the file holds `data`: the ids of its
    comments, where its last top-level item starts (-1: not known), and its line ending
    and the indentation of its items."""

    data: bytes
    ids: frozenset[str]
    last_item: int
    style: tuple[bytes, bytes]


class ThreadWriter:
    """Appends to thread files, reading a file whole only when it holds bytes other than
    the ones this writer last read or wrote there. One per long-running process."""

    def __init__(self) -> None:
        self._proven: dict[Path, _Proven] = {}

    def append(self, thread: Path, added: Sequence[ThreadEntry]) -> int:
        """Add entries at the end of the thread file, leaving its bytes as they were; the
        caller holds `thread_lock`. Returns how many were added."""
        entries = [entry.as_mapping() for entry in added]
        old = thread.read_bytes() if thread.exists() else b""
        proven = self._proven.get(thread)
        new = None
        if proven and proven.data == old and _all_new(entries, proven.ids):
            new = _appended_to_tail(old, entries, proven)
        if new is not None:
            count, ids = len(entries), proven.ids | {str(e["id"]) for e in entries}
            last, style = _last_item(new, len(old), proven.style[1]), proven.style
        else:
            new, count, loaded = _append_checked(old, entries, thread)
            ids, style = frozenset(entry_ids(loaded)), item_style(new)
            last = _proven_last_item(new, loaded[-1] if loaded else None, style[1])
        if count:
            write_file(thread, new, durable=True)
        self._proven[thread] = _Proven(new, ids, last, style)
        return count

    def known_ids(self, thread: Path) -> frozenset[str] | None:
        """The comment ids in the thread file, if it holds what this writer last read or
        wrote there; None when only reading it whole can tell."""
        proven = self._proven.get(thread)
        try:
            return proven.ids if proven and thread.read_bytes() == proven.data else None
        except OSError:
            return None


def _append_checked(old: bytes, entries: list[dict], path: Path) -> tuple[bytes, int, list]:
    """As `appended`, and every entry of the new file as it reads."""
    existing = read_entries(path, old)
    present = {str(item.get("id")): item for item in existing if isinstance(item, dict)}
    fresh = []
    for entry, loaded in zip(entries, _as_loaded(old, entries), strict=True):
        if entry["id"] not in present:
            fresh.append(entry)
        elif present[entry["id"]] != loaded:
            raise ContentError(Problem(f"a different comment with id '{entry['id']}' is "
                                       "already in this thread", path))
    if not fresh:
        return old, 0, existing
    new = old + _entries_block(old, fresh)
    expected = [*existing, *_as_loaded(old, fresh)]
    if not reads_back(path, new, expected):
        raise ContentError(Problem("cannot append a comment: the file does not end with a plain "
                                   "YAML list ('- id: …' items)", path))
    return new, len(fresh), expected


def _appended_to_tail(old: bytes, entries: list[dict], proven: _Proven) -> bytes | None:
    """`old` with the entries added, if its last item read alone and then with the new ones
    after it gives that item and the entries as written; None when that is not shown. Read
    from the start of an item, the rest of a file reads as it does in the whole file."""
    if proven.last_item < 0:
        return None
    block = items_block(entries, *proven.style, separator=_separator(old, proven.style[0]))
    tail = old[proven.last_item:].decode("utf-8")
    try:
        before = yaml.load(tail, Loader=YAML_LOADER)
        after = yaml.load(tail + block.decode("utf-8"), Loader=YAML_LOADER)
        written = yaml.load(block.decode("utf-8"), Loader=YAML_LOADER)
    except (yaml.YAMLError, ValueError):
        return None
    if isinstance(before, list) and len(before) == 1 and after == [*before, *written]:
        return old + block
    return None


def _proven_last_item(data: bytes, last: object, indent: bytes) -> int:
    """Where the last top-level item of `data` starts, if reading from there gives `last`,
    the last comment as the whole file reads; else -1."""
    start = _last_item(data, 0, indent)
    if last is None or start < 0:
        return -1
    try:
        alone = yaml.load(data[start:].decode("utf-8"), Loader=YAML_LOADER)
    except (yaml.YAMLError, ValueError):
        return -1
    return start if alone == [last] else -1


def _last_item(data: bytes, since: int, indent: bytes) -> int:
    """Where the last line that starts a list item at `indent` starts, looking from `since`
    on; -1 if there is none."""
    pattern = re.compile(rb"^" + re.escape(indent) + rb"-(?:[ \t]|\r?$)", re.MULTILINE)
    start = -1
    for match in pattern.finditer(data, since):
        start = match.start()
    return start


def _all_new(entries: list[dict], ids: frozenset[str]) -> bool:
    fresh = {str(entry["id"]) for entry in entries}
    return len(fresh) == len(entries) and not fresh & ids


def _as_loaded(old: bytes, entries: list[dict]) -> list:
    """The entries as the build will read them back from the file."""
    return yaml.load(_entries_block(old, entries).decode("utf-8"), Loader=YAML_LOADER)


def _entries_block(old: bytes, entries: list[dict]) -> bytes:
    """The entries as YAML list items, indented and line-ended like the file's own items."""
    newline, indent = item_style(old)
    return items_block(entries, newline, indent, _separator(old, newline))


def items_block(entries: list[dict], newline: bytes, indent: bytes, separator: bytes) -> bytes:
    """The entries as YAML list items with these line ends and indentation, after
    `separator`."""
    lines = dump_yaml(entries).encode("utf-8").split(b"\n")
    return separator + newline.join(indent + line if line else line for line in lines)


def _separator(old: bytes, newline: bytes) -> bytes:
    """What ends the file's last line, if it is not ended."""
    return newline if old and not old.endswith(b"\n") else b""


def item_style(data: bytes) -> tuple[bytes, bytes]:
    """The line ending of `data` (a thread file, or one item of it), and the indentation
    of its first list item."""
    first_item = re.search(rb"^([ \t]*)-(?:[ \t]|\r?$)", data, re.MULTILINE)
    return (b"\r\n" if b"\r\n" in data else b"\n"), (first_item.group(1) if first_item else b"")
