"""Reading the text and YAML of content files so that every way a file can be wrong comes
back as a `Problem` with its line, never as a library's exception or a crash.

YAML is read with one loader class, `YAML_LOADER`, for front matter, comment threads, the
moderation queue and redirects.yml. On top of PyYAML's safe loader it refuses what no file
written by hand needs and what turns an attacker's few hundred bytes into gigabytes or a
crash: aliases that expand to more than ALIAS_BUDGET values (a "billion laughs"), an alias
inside its own value, and nesting deeper than MAX_DEPTH (libyaml builds a document by
recursion, and overflows the C stack somewhere past 20,000 levels). A date that YAML
recognises by its shape but that does not exist (2010-02-30, 0000-01-01, 25:00:00) stays
text, so that the key holding it says what is wrong; any other value a tag cannot make
(`!!int abc`) is an error at its line.

Posts and pages are split here into front matter (with the line of each key) and body;
the Markdown extensions their engine uses are made here too.
"""

from __future__ import annotations

import importlib
import os
import re
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import frontmatter
import yaml

from .errors import ContentError, Problem, SitegenError, shown
from .plainyaml import plain_mapping

MAX_DEPTH = 64
ALIAS_BUDGET = 10_000
# A text this short cannot nest deep enough to overflow libyaml's stack; a longer one is
# first read as a stream of events (which libyaml does without recursion) to measure it.
SCAN_OVER = 1_000
_BASE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_OPENS = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
_CLOSES = (yaml.SequenceEndEvent, yaml.MappingEndEvent)


class YAMLLimitError(yaml.YAMLError):
    """A document that YAML allows but sitegen does not read."""

    def __init__(self, problem: str, mark: yaml.Mark | None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.problem_mark = mark


class BoundedLoader(_BASE):
    """PyYAML's safe loader (libyaml's when installed) within the bounds above. It reads
    text (str, or UTF-8 bytes), not open files: the text is measured before it is parsed."""

    def __init__(self, stream: str | bytes) -> None:
        self._text = stream.decode("utf-8-sig") if isinstance(stream, bytes) else stream
        super().__init__(self._text)

    def get_single_node(self) -> yaml.Node | None:
        text = self._text
        try:
            if len(text) > SCAN_OVER:
                _check_nesting(text)
            node = super().get_single_node()
        except yaml.reader.ReaderError as error:  # it knows the position, not the line
            raise _at_line(error, text) from None
        except yaml.MarkedYAMLError as error:
            # PyYAML 6.0.4 and later stop deep nesting themselves, with words of their own.
            if "nesting depth" not in str(error.problem):
                raise
            raise YAMLLimitError(_too_deep(), error.problem_mark) from None
        if node is not None and _needs_walk(text):
            _check_node(node)
        return node

    def construct_object(self, node: yaml.Node, deep: bool = False) -> object:
        try:
            return super().construct_object(node, deep)
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError):
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            what = f"'{shown(node.value)}'" if isinstance(node, yaml.ScalarNode) else "this value"
            raise yaml.constructor.ConstructorError(
                None, None, f"{what} cannot be read as {tag}", node.start_mark) from None

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> object:
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError):  # the shape of a date, but no such day or time
            return self.construct_scalar(node)


BoundedLoader.add_constructor("tag:yaml.org,2002:timestamp",
                              BoundedLoader.construct_yaml_timestamp)
YAML_LOADER = BoundedLoader


def _at_line(error: yaml.reader.ReaderError, text: str) -> yaml.MarkedYAMLError:
    line = text.count("\n", 0, error.position)
    mark = yaml.Mark(error.name, error.position, line, 0, None, None)
    return yaml.MarkedYAMLError(problem=f"unacceptable character #x{error.character:04x}: "
                                        f"{error.reason}", problem_mark=mark)


def _needs_walk(text: str) -> bool:
    """Whether the document must be walked: only an anchor ('&') makes aliases, a long
    text was measured as events already, and a short one nests no deeper than it has
    collection indicators (each list or mapping owns one: '[', '{', '-', '?' or ':'). Most
    front matter is read without a walk."""
    if "&" in text:
        return True
    return len(text) <= SCAN_OVER and sum(map(text.count, "[{-?:")) > MAX_DEPTH


def _check_nesting(text: str) -> None:
    depth = 0
    for event in yaml.parse(text, Loader=_BASE):
        if isinstance(event, _OPENS):
            depth += 1
            if depth > MAX_DEPTH:
                raise YAMLLimitError(_too_deep(), event.start_mark)
        elif isinstance(event, _CLOSES):
            depth -= 1


def _too_deep() -> str:
    return f"values are nested more than {MAX_DEPTH} levels deep"


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


def _check_node(root: yaml.Node) -> None:
    """Walk the document as its aliases point (without recursion: a short text may nest a
    few hundred levels), counting every value as often as aliases repeat it."""
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    walking: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            walking.discard(key)
            children = _children(node)
            size[key] = 1 + sum(size[id(child)] for child in children)
            depth[key] = 1 + max((depth[id(child)] for child in children), default=0)
            if depth[key] > MAX_DEPTH:
                raise YAMLLimitError(_too_deep(), node.start_mark)
            if size[key] > len(size) + ALIAS_BUDGET:
                raise YAMLLimitError(f"aliases here expand to more than {ALIAS_BUDGET:,} "
                                     "values; write the values out instead", node.start_mark)
        elif key in walking:
            raise YAMLLimitError("an alias stands for a value that holds it", node.start_mark)
        elif key not in size:
            walking.add(key)
            stack.append((node, True))
            stack.extend((child, False) for child in _children(node))


def yaml_problem(error: yaml.YAMLError, path: Path, subject: str = "",
                 offset: int = 0) -> Problem:
    """A YAML error as one problem, at the file line where the parser stopped (`offset`:
    the lines before the YAML, in a file that holds more than YAML)."""
    mark = getattr(error, "problem_mark", None)
    reason = getattr(error, "problem", None) or str(error)
    if isinstance(error, YAMLLimitError):
        message = reason
    else:
        message = f"{subject} not valid YAML: {reason}".lstrip()
    return Problem(message, path, offset + mark.line + 1 if mark else None)


def decode(path: Path, data: bytes) -> str:
    """The file's text; a file in another encoding is an error at the first bad line."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ContentError(Problem("not UTF-8 text; save it as UTF-8", path, line)) from None



def read_file(path: Path, kind: type[SitegenError] = ContentError) -> bytes:
    """The bytes of a file the site names; `kind` of error, naming it, when it is not a
    file or cannot be read. A pipe is refused before it is opened: reading one would wait
    for a writer forever."""
    fault = file_fault(path)
    if fault is None:
        try:
            return path.read_bytes()
        except OSError as error:
            fault = f"cannot read: {error.strerror}"
    raise kind(Problem(fault, path))


def file_fault(path: Path | str) -> str | None:
    """Why `path` cannot be read as a file, or None when it is a regular file (whether it
    may be read shows only on reading it)."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        if os.path.islink(path):
            return (f"is a symbolic link to '{shown(os.readlink(path))}', which does not "
                    "exist")
        return "cannot read: there is no such file"
    except OSError as error:
        return f"cannot read: {error.strerror}"
    if stat.S_ISDIR(mode):
        return "is a folder, not a file"
    return None if stat.S_ISREG(mode) else "is not a regular file (a pipe, socket or device)"


@dataclass(frozen=True)
class Source:
    """A content file split into front matter and Markdown, with the line of each key."""

    path: Path
    meta: dict
    body: str
    key_lines: dict[str, int]
    body_offset: int = 0  # the line breaks in the file before the body begins

    def problem(self, message: str, key: str | None = None) -> ContentError:
        return ContentError(Problem(message, self.path, self.key_lines.get(key)))

    def body_line(self, snippet: str) -> int | None:
        """The file line where `snippet` (as Markdown passed it on) starts in the body."""
        first = next((line.strip() for line in snippet.splitlines() if line.strip()), "")
        at = self.body.find(first)
        return None if at < 0 else self.body_offset + self.body.count("\n", 0, at) + 1


def read_source(path: Path, data: bytes) -> Source:
    """Split a file into front matter and body; YAML errors name the file line. Lines may
    end in CR LF, LF or, as in old Mac files, CR alone."""
    text = decode(path, data)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    handler = frontmatter.YAMLHandler()
    if not handler.detect(text):
        raise ContentError(Problem("no front matter: start the file with a '---' line", path, 1))
    try:
        front, body = handler.split(text)
    except ValueError:
        raise ContentError(Problem("front matter has no closing '---' line", path, 1)) from None
    offset = text[: text.index(front)].count("\n")
    meta = plain_mapping(front)
    if meta is None:
        try:
            meta = yaml.load(front, Loader=YAML_LOADER)
        except yaml.YAMLError as error:
            raise ContentError(yaml_problem(error, path, "front matter is", offset)) from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise ContentError(Problem("front matter must be 'key: value' lines", path, offset + 2))
    key_lines = {
        match[1]: offset + number
        for number, line in enumerate(front.split("\n"), start=1)
        if (match := re.match(r"([\w-]+)\s*:", line))
    }
    return Source(path, meta, body, key_lines, text[: len(text) - len(body)].count("\n"))


def markdown_extensions(names: Iterable[str], configs: Mapping[str, dict] | None = None) -> list:
    """Python-Markdown's own extensions, made from their modules. Named by a string, each is
    looked up among the entry points of every installed package first: 8-10 ms with 120
    packages installed, as long as a small rebuild takes to convert the post it changed."""
    return [
        importlib.import_module(f"markdown.extensions.{name}").makeExtension(
            **(configs or {}).get(name, {}))
        for name in names
    ]
