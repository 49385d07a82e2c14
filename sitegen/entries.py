"""A comment as a thread file holds it: the one ThreadEntry type, its keys (listed here
once), and reading, checking and dumping entries.

The intake, the moderation queue, the owner's replies and the importers all write entries
by building a ThreadEntry; `threadfile` appends them keeping the file's bytes, `comments`
loads them into what the pages show. What a thread entry holds is what the page shows:
readers' addresses and address hashes go to the private store, never here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from pathlib import Path

import yaml

from .dates import DATE_HELP, parse_when
from .errors import ContentError, Problem
from .plainyaml import plain_entries
from .sourcefile import YAML_LOADER, decode, yaml_problem

# An id names the comment's file while it waits for moderation, so it must fit in a name.
MAX_ID_LENGTH = 100
COMMENT_ID = re.compile(rf"^[A-Za-z0-9_-]{{1,{MAX_ID_LENGTH}}}$")
# Every key an entry may have, in the order a written entry holds them. `removed` marks the
# placeholder left where a comment with replies was taken out.
KEYS = ("id", "author", "date", "body", "url", "replyto", "owner", "removed")
REQUIRED = ("author", "date", "body")


@dataclass(frozen=True)
class ThreadEntry:
    """One comment as written into a thread file. `date` is ISO text or a datetime, `body`
    Markdown as the reader wrote it; `owner` marks the blog's author."""

    id: str
    author: str
    date: str | datetime
    body: str
    url: str | None = None
    replyto: str | None = None
    owner: bool = False

    def as_mapping(self) -> dict[str, object]:
        """The keys the file gets, in KEYS order; empty ones are left out."""
        values = {key: getattr(self, key, None) for key in KEYS}
        return {key: value for key, value in values.items() if value not in (None, "", False)}


def entry_ids(entries: list) -> set[str]:
    """The ids of the entries read from a thread file."""
    return {str(e.get("id")) for e in entries if isinstance(e, dict) and e.get("id") is not None}


def authors_by_id(entries: list) -> dict[str, str]:
    """Each comment's author by its id, as the thread file has them ("" for a removed
    comment, which has none): the name that moderation, mail and reply notices give a
    comment's writer. Of two entries with one id (a file the build refuses), the first."""
    authors: dict[str, str] = {}
    for entry in entries:
        if isinstance(entry, dict) and entry.get("id") is not None:
            author = entry.get("author")
            authors.setdefault(str(entry["id"]), "" if author is None else str(author))
    return authors


def read_entries(path: Path, data: bytes) -> list:
    """The list of comments a thread file holds; ContentError, with the line, if it holds
    anything else."""
    text = decode(path, data)
    entries = plain_entries(text)
    if entries is not None:
        return entries
    try:
        entries = yaml.load(text, Loader=YAML_LOADER)
    except yaml.YAMLError as error:
        raise ContentError(yaml_problem(error, path)) from None
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise ContentError(Problem("a comment file must be a YAML list of comments ('- id: …')",
                                   path, 1))
    return entries


def reads_back(path: Path, data: bytes, expected: list) -> bool:
    """Whether thread file bytes that a writer made read as exactly `expected`: the proof
    every byte-preserving writer asks for before it replaces a thread file."""
    try:
        return read_entries(path, data) == expected
    except ContentError:
        return False


def entry_id(entry: dict) -> str:
    """The entry's id as text; empty when it has none that could be one."""
    raw = entry.get("id")
    return str(raw).strip() if isinstance(raw, str | int) else ""


def check_entry(index: int, entry: object, tz: tzinfo, id_lines: dict) -> tuple[str, list]:
    """How to name the entry in a message, and everything wrong with it."""
    if not isinstance(entry, dict):
        return f"comment #{index + 1}", ["is not a mapping of keys such as 'author: Ana'"]
    cid = entry_id(entry)
    faults = []
    if COMMENT_ID.match(cid[:MAX_ID_LENGTH]) and len(cid) > MAX_ID_LENGTH:
        faults.append(f"has an 'id' longer than {MAX_ID_LENGTH} characters")
    elif not COMMENT_ID.match(cid):
        faults.append("needs an 'id' of letters, digits, '-' or '_'")
    elif cid in id_lines:
        faults.append(f"has the same id as the comment at line {id_lines[cid]}")
    required = ("date",) if entry.get("removed") is True else REQUIRED
    faults.extend(f"has no '{key}'" for key in required if entry.get(key) in (None, ""))
    when = entry.get("date")
    if when not in (None, "") and parse_when(when, tz) is None:
        faults.append(f"has a bad date {_quoted(when)}: {DATE_HELP}")
    if entry.get("replyto") is not None and not isinstance(entry["replyto"], str | int):
        faults.append("has a 'replyto' that is not a comment's id")
    for key in ("author", "body"):
        if entry.get(key) is not None and not isinstance(entry[key], str | int | float):
            faults.append(f"has a '{key}' that is not text")
    if not isinstance(entry.get("owner", False), bool):
        faults.append("has an 'owner' that is not true or false")
    if not isinstance(entry.get("removed", False), bool):
        faults.append("has a 'removed' that is not true or false")
    return (f"comment '{shown_id(cid)}'" if cid else f"comment #{index + 1}"), faults


def _quoted(value: object) -> str:
    """A value as a message shows it: text quoted and cut short, anything else by its kind
    (ten YAML aliases can make a list that would print as gigabytes)."""
    if not isinstance(value, str | int | float | date):
        return f"(a {type(value).__name__})"
    text = str(value)
    return f"'{text}'" if len(text) <= 60 else f"'{text[:60]}…'"


def shown_id(cid: str) -> str:
    """An id as a message quotes it: one too long to be an id, cut short."""
    return cid if len(cid) <= MAX_ID_LENGTH else cid[:40] + "…"
