"""Writing comment thread files as people write them, and adding to them.

The moderation queue and the importers both add comments to threads that the owner may
have edited by hand, so adding never rewrites what is there: new entries are appended in
the file's own indentation and line endings, and the result is read back to prove that the
old comments are unchanged and the new ones read as written.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from .comments import read_entries
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


def entry_ids(entries: list) -> set[str]:
    return {str(e.get("id")) for e in entries if isinstance(e, dict) and e.get("id") is not None}


def appended(old: bytes, entries: list[dict], path: Path) -> tuple[bytes, int]:
    """The thread file's bytes with `entries` added at the end, and how many were added.

    An entry whose very comment is already there (an approval interrupted after writing) is
    skipped; one whose id another comment has is refused."""
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
        return old, 0
    new = old + _entries_block(old, fresh)
    try:
        intact = read_entries(path, new) == [*existing, *_as_loaded(old, fresh)]
    except ContentError:
        intact = False
    if not intact:
        raise ContentError(Problem("cannot append a comment: the file does not end with a plain "
                                   "YAML list ('- id: …' items)", path))
    return new, len(fresh)


def _as_loaded(old: bytes, entries: list[dict]) -> list:
    """The entries as the build will read them back from the file."""
    return yaml.load(_entries_block(old, entries).decode("utf-8"), Loader=YAML_LOADER)


def _entries_block(old: bytes, entries: list[dict]) -> bytes:
    """The entries as YAML list items, indented and line-ended like the file's own items."""
    newline = b"\r\n" if b"\r\n" in old else b"\n"
    first_item = re.search(rb"^([ \t]*)-(?:[ \t]|\r?$)", old, re.MULTILINE)
    indent = first_item.group(1) if first_item else b""
    lines = dump_yaml(entries).encode("utf-8").split(b"\n")
    text = newline.join(indent + line if line else line for line in lines)
    separator = newline if old and not old.endswith(b"\n") else b""
    return separator + text
