"""Thread files and front matter in the plain YAML that sitegen and people write them in,
read without PyYAML's machinery: a list of flat mappings (a thread), or one mapping (front
matter), of plain, quoted or `|` block text, and in front matter lists written `[a, b]`.

    - id: c1                      title: "Hello"
      author: Ana                 date: 2010-08-31 11:02
      date: 2010-08-31 11:02      tags: [bread, travel]
      body: |
        Finally! …

PyYAML builds a Python object for every event and node and resolves each value in Python:
about 45 µs a comment, a tenth of a cold build's work. The readers here take the subset
above in a few string operations, and give up (None) on anything outside it, however
ordinary (a comment line, a tab, an escape, a folded value, a nested list), so that the
caller reads the file with PyYAML: what they return is what PyYAML returns, never a guess.
tests/test_plainyaml.py compares the two on generated files. Values are typed by PyYAML's
own resolver and constructors, so `true` is True, `~` is None and `2010-08-31` a date.
"""

from __future__ import annotations

import functools
import re

import yaml

_STR = "tag:yaml.org,2002:str"
# Plain values of other types are made by the loader's own constructors (sitegen's, where
# an impossible date stays text); any other tag (a merge key, "=") is outside the subset.
_TYPED = frozenset(f"tag:yaml.org,2002:{name}"
                   for name in ("bool", "null", "int", "float", "timestamp"))
_RESOLVER = yaml.resolver.Resolver()
# The first characters of the plain values that the resolver may type (digits, "t", "~",
# …); every other plain value is text, which spares most values the resolver's regexes.
_MAY_TYPE = frozenset(_RESOLVER.yaml_implicit_resolvers) - {None}
_TYPES_ANY = None in _RESOLVER.yaml_implicit_resolvers
# What makes a text other than the subset, anywhere: tabs (indentation or not), line breaks
# other than "\n" (YAML reads "\r", NEL, LS and PS as breaks too), a byte-order mark, and
# the characters PyYAML's reader refuses (its error then names the line). Written as the
# characters it matches: the same class written as those it does not match (all printable
# ranges up to U+10FFFF) took 5 ms to compile, at the start of every build.
_OUTSIDE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff"
                      "\ufffe\uffff]")
# A key: a word, far below YAML's 1,024 characters for a key on one line.
_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_]{0,99}):(?: +|$)")
# A plain value may not start with an indicator, nor hold ": " or " #", nor end with ":".
_PLAIN_START = frozenset("-?:,[]{}#&*!|>'\"%@`")
# What a list in brackets holds only in forms PyYAML reads other than as plain values.
_NOT_IN_FLOW = ("[", "]", "{", "}", ":", "#", "'", '"', "&", "*", "!", "|", ">", "%", "@", "`")
_BLOCK_HEADERS = {"|": "clip", "|-": "strip", "|+": "keep"}
_ITEM, _KEY_INDENT = "- ", "  "


def plain_entries(text: str) -> list[dict] | None:
    """The list of mappings that `text` holds, as PyYAML's safe loader reads it; None when
    the text is not in the subset (including an empty one)."""
    lines = _lines(text)
    if lines is None:
        return None
    entries: list[dict] = []
    at = 0
    while at < len(lines):
        line = lines[at]
        if line.startswith(_ITEM):
            entries.append({})
        elif not (line.startswith(_KEY_INDENT) and entries):
            return None
        pair = _pair(line[len(_ITEM):], lines, at + 1, len(_KEY_INDENT), flow_lists=False)
        if pair is None:
            return None
        key, value, at = pair
        entries[-1][key] = value
    return entries or None


def plain_mapping(text: str) -> dict | None:
    """The mapping that `text` holds (front matter: `key: value` lines, blank lines between
    them, and lists written `[a, b]`), as PyYAML's safe loader reads it; None when the text
    is not in the subset (including one without a key)."""
    lines = _lines(text)
    if lines is None:
        return None
    mapping: dict = {}
    at = 0
    while at < len(lines):
        if not lines[at].strip(" "):
            at += 1
            continue
        pair = _pair(lines[at], lines, at + 1, 0, flow_lists=True)
        if pair is None:
            return None
        key, value, at = pair
        mapping[key] = value
    return mapping or None


def _lines(text: str) -> list[str] | None:
    """The lines of a text that may be in the subset: one that ends with a line break (the
    last `|` block would end otherwise) and holds nothing outside it."""
    if not text.endswith("\n") or _OUTSIDE.search(text):
        return None
    return text.split("\n")[:-1]


def _pair(rest: str, lines: list[str], at: int, indent: int,
          flow_lists: bool) -> tuple[str, object, int] | None:
    """The key and value that `rest` (a line less its indentation) holds, a `|` block's
    lines from `lines[at]` on (in a mapping indented by `indent`), and the index of the line
    after them; None outside the subset."""
    found = _KEY.match(rest)
    if found is None:
        return None
    key = _key(found[1])
    value_text = rest[found.end():]
    if value_text.startswith("|"):
        value, at = _block(value_text, lines, at, indent)
    else:
        value = _value(value_text, flow_lists)
    if key is _GIVE_UP or value is _GIVE_UP or not isinstance(key, str):
        return None
    return key, value, at


_keys: dict[str, object] = {}


def _key(text: str) -> object:
    """A key as _scalar makes it, remembered: a file repeats a handful of keys."""
    found = _keys.get(text, _GIVE_UP)
    if found is _GIVE_UP:
        found = _scalar(text)
        if len(_keys) < 64:
            _keys[text] = found
    return found


class _GiveUp:
    """A value outside the subset."""


_GIVE_UP = _GiveUp()


def _value(text: str, flow_lists: bool = False) -> object:
    """A one-line value: plain, typed by the resolver, single- or double-quoted, or (with
    `flow_lists`) a list of plain values in brackets."""
    text = text.rstrip(" ")
    if text.startswith("'"):
        return _single_quoted(text)
    if text.startswith('"'):
        return _double_quoted(text)
    if flow_lists and text.startswith("["):
        return _flow_list(text)
    if text and (text[0] in _PLAIN_START or ": " in text or " #" in text
                 or text.endswith(":")):
        return _GIVE_UP
    return _scalar(text)


def _scalar(text: str) -> object:
    """A plain scalar as the YAML loader makes it."""
    if text and text[0] not in _MAY_TYPE and not _TYPES_ANY:
        return text
    tag = _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))
    if tag == _STR:
        return text
    if tag not in _TYPED:
        return _GIVE_UP
    try:
        return _constructor().construct_object(yaml.ScalarNode(tag, text))
    except (yaml.YAMLError, ValueError, TypeError, OverflowError):
        return _GIVE_UP


@functools.cache
def _constructor() -> yaml.constructor.SafeConstructor:
    """sitegen's YAML loader, for its constructors (sourcefile.py uses this module)."""
    from .sourcefile import YAML_LOADER

    return YAML_LOADER("")


def _single_quoted(text: str) -> object:
    """'It''s' -> It's, on one line with nothing after it."""
    inner = text[1:]
    end = 0
    while True:
        end = inner.find("'", end)
        if end < 0:
            return _GIVE_UP  # runs on to another line
        if inner.startswith("'", end + 1):
            end += 2
            continue
        break
    if end + 1 != len(inner):
        return _GIVE_UP
    return inner[:end].replace("''", "'")


def _double_quoted(text: str) -> object:
    """"Text" on one line, without escapes (a backslash is left to PyYAML)."""
    if len(text) < 2 or not text.endswith('"') or '"' in text[1:-1] or "\\" in text:
        return _GIVE_UP
    return text[1:-1]


def _flow_list(text: str) -> object:
    """[a, b c, 2020]: plain values only (quotes, colons, comments and nesting are left
    to PyYAML), each typed as a plain value is."""
    if not text.endswith("]") or any(mark in text[1:-1] for mark in _NOT_IN_FLOW):
        return _GIVE_UP
    inner = text[1:-1]
    if not inner.strip(" "):
        return []
    items = [item.strip(" ") for item in inner.split(",")]
    if any(not item or item[0] in _PLAIN_START for item in items):
        return _GIVE_UP
    values = [_scalar(item) for item in items]
    return _GIVE_UP if any(value is _GIVE_UP for value in values) else values


def _block(header: str, lines: list[str], at: int, parent: int) -> tuple[object, int]:
    """A `|` literal block whose lines start at `lines[at]`, in a mapping indented by
    `parent`: its text, and the index of the line after it. Its indentation is that of its
    first line, which must hold text."""
    chomping = _BLOCK_HEADERS.get(header.rstrip(" "))
    if chomping is None or at >= len(lines):
        return _GIVE_UP, at
    first = lines[at]
    indent = len(first) - len(first.lstrip(" "))
    if indent <= parent or indent == len(first):
        return _GIVE_UP, at
    prefix = " " * indent
    kept: list[str] = []
    while at < len(lines):
        line = lines[at]
        if line.startswith(prefix):
            kept.append(line[indent:])
        elif line.strip(" "):
            break  # less indented: the next key or item
        else:
            kept.append("")
        at += 1
    trailing = 0
    while kept and kept[-1] == "":
        kept.pop()
        trailing += 1
    text = "\n".join(kept)
    if chomping == "clip":
        return text + "\n", at
    if chomping == "strip":
        return text, at
    return text + "\n" * (trailing + 1), at
