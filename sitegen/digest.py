"""Digests of what a page shows, so that a build can tell a current page from a stale one.

A digest is made from a page's URL, template and context: loaded posts, pages and threads
stand for themselves by the digest of their file (`source_digest`); the small view objects
of listings (links, teasers) are hashed field by field, once each per build. Two contexts
get the same digest only if they would render the same page with the same templates.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import fields, is_dataclass
from datetime import date, datetime
from functools import cache

from markupsafe import Markup


class Memo:
    """Digests of the view objects already hashed in one build, by identity: a teaser or a
    link is made once per post and shown on many pages. Each entry keeps its object alive,
    so that no other object can take its id meanwhile."""

    def __init__(self) -> None:
        self.by_id: dict[int, tuple[object, str]] = {}


def fingerprint(value: object, memo: Memo | None = None) -> str:
    """A digest of a page's inputs. Loaded items stand for themselves by `source_digest`.

    Pass one `memo` to many calls to hash each view object (a teaser, a link) once, however
    many pages show it; the digests are the same with or without it."""
    parts: list[str] = []
    _feed_digest(parts.append, value, Memo() if memo is None else memo)
    return hashlib.blake2b("".join(parts).encode(), digest_size=16).hexdigest()


_REPRESENTED = frozenset({int, float, bool, type(None), date, datetime})
# How `_feed_digest` takes a value of a kind that is none of the built-in ones above.
ITEM, VIEW, TEXT = "item", "view", "text"


def _feed_digest(add: Callable[[str], None], value: object, memo: Memo) -> None:
    """Append an unambiguous text for `value`: each part says its kind and its length.
    (The most common kinds first: every page's context passes through here.)"""
    kind = type(value)
    if kind is str or kind is Markup:
        add(f"s{len(value)}:{value}")  # one part, not two: the same text, sooner
    elif kind is dict:
        add(f"{{{len(value)}")
        for key in sorted(value):
            if type(key) is str:  # always, in a page's context; the same text, sooner
                add(f"s{len(key)}:{key}")
            else:
                _feed_digest(add, key, memo)
            _feed_digest(add, value[key], memo)
    elif kind is tuple or kind is list:
        add(f"[{len(value)}")
        for item in value:
            _feed_digest(add, item, memo)
    elif kind in _REPRESENTED:
        text = repr(value)
        add(f"r{len(text)}:{text}")
    else:
        _feed_other(add, value, memo, _way(kind))


def _feed_other(add: Callable[[str], None], value: object, memo: Memo, way: str) -> None:
    if way == ITEM:
        source: str = value.source_digest  # type: ignore[attr-defined]
        add(f"@{len(source)}:{source}")
    elif way == VIEW:
        seen = memo.by_id.get(id(value))
        if seen is None or seen[0] is not value:
            seen = memo.by_id[id(value)] = (value, _dataclass_digest(value, memo))
        add("<" + seen[1])
    else:
        _feed_digest(add, str(value), memo)


@cache
def _way(kind: type) -> str:
    """Loaded items by their `source_digest`, view objects (dataclasses) field by field,
    other text as text; anything else cannot be told apart reliably, so it is refused."""
    if "source_digest" in getattr(kind, "__dataclass_fields__", ()):
        return ITEM
    if is_dataclass(kind):
        return VIEW
    if issubclass(kind, str):
        return TEXT
    raise TypeError(f"cannot fingerprint {kind.__name__} in a page context")


def _dataclass_digest(value: object, memo: Memo) -> str:
    parts = [type(value).__name__]
    for name in _field_names(type(value)):
        _feed_digest(parts.append, getattr(value, name), memo)
    return hashlib.blake2b("".join(parts).encode(), digest_size=16).hexdigest()


@cache
def _field_names(kind: type) -> tuple[str, ...]:
    return tuple(item.name for item in fields(kind))
