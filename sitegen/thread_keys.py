"""Changing keys of some entries of a thread file, every other byte left as it was.

Moving readers' addresses out of threads (`comments migrate-private`) and erasing a reader
(`comments forget --anonymize`) take a key out of an entry or give a key a new value, in
files the owner may have written by hand. The YAML parser's marks say where each key and
value is; only those characters change, and the result is read back: it must hold every
entry as before, but for the changes asked, or nothing is written.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .entries import read_entries, reads_back
from .errors import ContentError, Problem

PLAIN = re.compile(r"^[A-Za-z][A-Za-z0-9 .]*[A-Za-z0-9.]$")
# A cut of the text: from, to, and what goes in its place.
Cut = tuple[int, int, str]


@dataclass(frozen=True)
class Change:
    """What to do to one entry: keys to take out, and keys to give a new text value."""

    drop: tuple[str, ...] = ()
    values: dict[str, str] = field(default_factory=dict)

    def applied(self, entry: dict) -> dict:
        """The entry as it reads once changed."""
        kept = {key: value for key, value in entry.items() if key not in self.drop}
        return {**kept, **{key: value for key, value in self.values.items() if key in kept}}


def changed(path: Path, data: bytes, changes: dict[str, Change]) -> bytes:
    """The thread file's bytes with the entries whose ids `changes` names changed; the
    keys to change must be in them. ContentError when the file cannot be changed so."""
    entries = read_entries(path, data)
    text = data.decode("utf-8")
    items = _items(text)
    cuts: list[Cut] = []
    expected = []
    for entry, node in zip(entries, items, strict=True):
        change = changes.get(str(entry.get("id"))) if isinstance(entry, dict) else None
        if change is None:
            expected.append(entry)
            continue
        expected.append(change.applied(entry))
        cuts += _cuts(text, node, change)
    new = _apply(text, cuts).encode("utf-8")
    if not reads_back(path, new, expected):
        raise ContentError(Problem("cannot change a comment's keys without touching the rest "
                                   "of the file, which is laid out unusually: edit it by hand",
                                   path))
    return new


def _items(text: str) -> list[yaml.Node]:
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    return list(root.value) if isinstance(root, yaml.SequenceNode) else []


def _cuts(text: str, node: yaml.Node, change: Change) -> list[Cut]:
    if not isinstance(node, yaml.MappingNode):
        return []
    pairs = node.value
    cuts = []
    for index, (key, value) in enumerate(pairs):
        if key.value in change.drop:
            cuts.append(_without(text, pairs, index))
        elif key.value in change.values:
            cuts.append(_replaced(text, value, change.values[key.value]))
    return cuts


def _without(text: str, pairs: list, index: int) -> Cut:
    """The cut that takes the pair `index` out of its mapping."""
    key, value = pairs[index]
    start, end = key.start_mark.index, value.end_mark.index
    line_start = text.rfind("\n", 0, start) + 1
    if not text[line_start:start].strip():
        # The key begins its line: the whole line goes, with a comment after the value.
        if value.end_mark.column != 0:
            newline = text.find("\n", end)
            end = len(text) if newline < 0 else newline + 1
        return line_start, end, ""
    if index + 1 < len(pairs):  # on the item's "- " line, or in a {flow: mapping}
        return start, pairs[index + 1][0].start_mark.index, ""
    return pairs[index - 1][1].end_mark.index, end, ""


def _replaced(text: str, value: yaml.Node, new: str) -> Cut:
    """The cut that gives a value the text `new`, keeping a block scalar's line end."""
    start, end = value.start_mark.index, value.end_mark.index
    written = new if PLAIN.match(new) else json.dumps(new, ensure_ascii=False)
    if getattr(value, "style", None) in ("|", ">") and value.end_mark.column == 0:
        written += "\r\n" if text[:end].endswith("\r\n") else "\n"
    return start, end, written


def _apply(text: str, cuts: list[Cut]) -> str:
    """`text` with every cut made, from the last; cuts of one entry never overlap, and
    reading the result back would show it if they did."""
    for start, end, new in sorted(cuts, reverse=True):
        text = text[:start] + new + text[end:]
    return text
