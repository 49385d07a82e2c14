"""Changing a published comment in its thread file: taking it out, or changing its text,
while every other entry keeps its bytes (the owner's comments, quoting, indentation).

Only the bytes of the one entry change. Each top-level list item's span is found from the
YAML parser's marks; the result is read back and must hold every other entry exactly as
before, or nothing is written. A removed comment that has replies leaves a placeholder
entry (`removed: true`) in its place, so that its replies keep their place in the tree.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from .atomic import write_file, write_new
from .comments_server.queue import thread_lock
from .entries import entry_ids, read_entries, reads_back
from .errors import ContentError, Problem
from .layout import SitePaths, queue_folder
from .lookup import match_id
from .sourcefile import YAML_LOADER, decode
from .threadfile import dump_yaml, item_style, items_block

BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Published:
    """Where one published comment is: its post's file stem, its thread file, its id."""

    stem: str
    thread: Path
    id: str


def find_published(paths: SitePaths, given: str, post: str | None = None) -> Published:
    """The published comment whose id is, or starts or ends with, `given`; in the thread of
    `post` if given, else in any thread (ContentError if the id is in several)."""
    threads = [paths.thread(post)] if post else sorted(paths.comments.glob("*.yml"))
    ids_of = {thread: entry_ids(_entries(thread)) for thread in threads if thread.is_file()}
    cid = match_id(given, {cid for ids in ids_of.values() for cid in ids})
    holders = [thread for thread, ids in ids_of.items() if cid in ids]
    if len(holders) > 1:
        raise ContentError(Problem(f"comment '{cid}' is in several threads ("
                                   + ", ".join(thread.stem for thread in holders)
                                   + "): say which with --post"))
    return Published(holders[0].stem, holders[0], cid)


def _entries(thread: Path) -> list:
    try:
        return read_entries(thread, thread.read_bytes())
    except (OSError, ContentError):
        return []  # the build reports what is wrong with it


def remove(paths: SitePaths, found: Published) -> Path:
    """Take the comment out of its thread and keep it in rejected/; a placeholder stays
    when it has replies. Returns the rejected file."""
    with thread_lock(paths, found.stem):
        data = found.thread.read_bytes()
        entries = read_entries(found.thread, data)
        index = _index(entries, found.id)
        entry = entries[index]
        if entry.get("removed") is True:
            raise ContentError(Problem(f"comment '{found.id}' is already removed: only its "
                                       "placeholder is left, for its replies", found.thread))
        has_replies = any(isinstance(e, dict) and str(e.get("replyto")) == found.id
                          for e in entries)
        placeholder = {key: entry[key] for key in ("id", "date", "replyto") if key in entry}
        new = _replaced(found.thread, data, entries, index,
                        {**placeholder, "removed": True} if has_replies else None)
        kept = _keep_rejected(paths, found, entry)
        write_file(found.thread, new, durable=True)
    return kept


def edit(paths: SitePaths, found: Published, body: str) -> bool:
    """Give the comment the text `body`; False when it already had it."""
    text = body.replace("\r\n", "\n").strip("\n")
    if not text.strip():
        raise ContentError(Problem("the new text is empty: to take the comment out, use "
                                   "`sitegen comments remove`"))
    with thread_lock(paths, found.stem):
        data = found.thread.read_bytes()
        entries = read_entries(found.thread, data)
        index = _index(entries, found.id)
        if str(entries[index].get("body", "")) == text:
            return False
        new = _replaced(found.thread, data, entries, index, {**entries[index], "body": text})
        write_file(found.thread, new, durable=True)
    return True


def body_of(found: Published) -> str:
    entries = read_entries(found.thread, found.thread.read_bytes())
    return str(entries[_index(entries, found.id)].get("body", ""))


def _index(entries: list, cid: str) -> int:
    for index, entry in enumerate(entries):
        if isinstance(entry, dict) and str(entry.get("id")) == cid:
            return index
    raise ContentError(Problem(f"no comment '{cid}' in this thread"))


def _keep_rejected(paths: SitePaths, found: Published, entry: dict) -> Path:
    """The removed comment in rejected/, with the post it was on, never replacing a file."""
    kept = {"id": found.id, "post": found.stem,
            **{key: value for key, value in entry.items() if key != "id"}}
    rejected = queue_folder(paths.rejected)
    for name in (f"{found.id}.yml", f"{found.stem}--{found.id}.yml"):
        try:
            write_new(rejected / name, dump_yaml(kept).encode("utf-8"))
        except FileExistsError:
            continue
        return rejected / name
    raise ContentError(Problem(f"{found.id}.yml is already in rejected/; move it away first",
                               rejected))


def _replaced(thread: Path, data: bytes, entries: list, index: int,
              entry: dict | None) -> bytes:
    """The file with item `index` replaced by `entry` (None: taken out), checked by reading
    it back; ContentError, writing nothing, when the other entries would not survive."""
    start, end = _spans(thread, data)[index]
    block = _entry_bytes(data[start:end], entry) if entry is not None else b""
    new = data[:start] + block + data[end:]
    expected = list(entries)
    if entry is None:
        del expected[index]
    else:
        expected[index] = yaml.load(block.decode("utf-8"), Loader=YAML_LOADER)[0]
    if not reads_back(thread, new, expected):
        raise ContentError(Problem("cannot change this comment without touching others: the "
                                   "file is laid out unusually; edit it by hand", thread))
    return new


def _entry_bytes(old: bytes, entry: dict) -> bytes:
    """`entry` as one list item, in the indentation and line ends of the item it replaces."""
    block = items_block([entry], *item_style(old), separator=b"")
    return block if old.endswith(b"\n") else block.rstrip(b"\r\n")


def _spans(thread: Path, data: bytes) -> list[tuple[int, int]]:
    """The byte range of each top-level item: from its '-' line up to the next item's,
    less the blank and comment lines just before that, which belong to what follows."""
    root = yaml.compose(decode(thread, data), Loader=yaml.SafeLoader)
    lines = data.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    if data.startswith(BOM):
        offsets[0] = len(BOM)
    items = root.value if isinstance(root, yaml.SequenceNode) else []
    starts = [_dash_line(lines, item.start_mark.line) for item in items]
    spans = []
    for number, first in enumerate(starts):
        last = starts[number + 1] if number + 1 < len(starts) else len(lines)
        column = len(lines[first]) - len(lines[first].lstrip())
        while last - 1 > first and _leads_on(lines[last - 1], column):
            last -= 1
        spans.append((offsets[first], offsets[last]))
    return spans


def _dash_line(lines: list[bytes], line: int) -> int:
    """The line of the '-' that opens the item whose content starts on `line`."""
    while line > 0 and not lines[line].lstrip(BOM + b" \t").startswith(b"-"):
        line -= 1
    return line


def _leads_on(line: bytes, column: int) -> bool:
    """A blank line, or a comment no deeper than the item's '-': not part of the item."""
    stripped = line.strip()
    indent = len(line) - len(line.lstrip())
    return not stripped or (stripped.startswith(b"#") and indent <= column)
