"""Read a large XML export one entry at a time, knowing the line each entry starts on.

ElementTree alone cannot say where an element is, and a message about a bad entry should;
so expat feeds an ElementTree `TreeBuilder` for each element at the wanted depth and notes
the line of its start tag. Only one entry is held at a time, whatever the file's size.

Exports are untrusted input. Entity declarations are refused, as defusedxml refuses them:
no export needs one, and they are how entity-expansion bombs and external-entity reads
work. expat never fetches external DTDs unless asked to, and we do not ask.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.parsers import expat

from ..errors import Problem
from ..progress import Report
from .model import ExportError, quoted

CHUNK = 1 << 16


@dataclass(frozen=True)
class Located:
    """An element of the export and the file line where it starts."""

    element: ET.Element
    line: int


def local(tag: str) -> str:
    """'{namespace}name' -> 'name'."""
    return tag.rpartition("}")[2]


class _Reader:
    """expat handlers that build the elements found at one depth of the document."""

    def __init__(self, path: Path, depth: int, roots: tuple[str, ...], what: str) -> None:
        self.path, self.depth, self.roots, self.what = path, depth, roots, what
        self.parser = expat.ParserCreate(namespace_separator="}")
        self.parser.buffer_text = True
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        self.parser.CharacterDataHandler = self.text
        self.parser.EntityDeclHandler = self.refuse_entity
        self.parser.XmlDeclHandler = self.declared
        self.encoding: str | None = None
        self.level = 0
        self.builder: ET.TreeBuilder | None = None
        self.line = 0
        self.done: list[Located] = []

    def start(self, name: str, attributes: dict[str, str]) -> None:
        tag = _clark(name)
        if self.level == 0 and local(tag) not in self.roots:
            wanted = " or ".join(f"<{root}>" for root in self.roots)
            raise ExportError(Problem(f"not {self.what}: the document is <{local(tag)}>, "
                                      f"not {wanted}", self.path, self.parser.CurrentLineNumber))
        if self.level == self.depth:
            self.builder = ET.TreeBuilder()
            self.line = self.parser.CurrentLineNumber
        if self.builder is not None:
            self.builder.start(tag, {_clark(key): value for key, value in attributes.items()})
        self.level += 1

    def end(self, name: str) -> None:
        self.level -= 1
        if self.builder is None:
            return
        self.builder.end(_clark(name))
        if self.level == self.depth:
            self.done.append(Located(self.builder.close(), self.line))
            self.builder = None

    def text(self, data: str) -> None:
        if self.builder is not None:
            self.builder.data(data)

    def declared(self, _version: str, encoding: str | None, _standalone: int) -> None:
        self.encoding = encoding

    def refuse_entity(self, name: str, *_details: object) -> None:
        raise ExportError(Problem(f"the export declares an XML entity ('{name}'), which no "
                                  "real export does; refusing to read it", self.path,
                                  self.parser.CurrentLineNumber))


def _clark(name: str) -> str:
    """expat's 'namespace}name' -> ElementTree's '{namespace}name'."""
    return "{" + name if "}" in name else name


def read_elements(path: Path, depth: int, roots: tuple[str, ...], what: str,
                  progress: Report | None = None) -> Iterator[Located]:
    """Every element `depth` levels below the document element, in file order.

    `roots` are the local names the document element may have and `what` names the format
    in messages; `progress` hears how many kB are read. Raises ExportError, with the file
    line, on anything that is not well-formed XML, including a file that stops part-way."""
    reader = _Reader(path, depth, roots, what)
    try:
        with path.open("rb") as stream:
            size = os.fstat(stream.fileno()).st_size // 1000
            while chunk := stream.read(CHUNK):
                _parse(reader, chunk, final=False)
                yield from reader.done
                reader.done.clear()
                if progress:
                    progress("reading kB of the export", stream.tell() // 1000, size)
            _parse(reader, b"", final=True)
            yield from reader.done
    except OSError as error:
        raise ExportError(Problem(f"cannot read the export: {error.strerror}", path)) from None


def _parse(reader: _Reader, chunk: bytes, final: bool) -> None:
    try:
        reader.parser.Parse(chunk, final)
    except expat.ExpatError as error:
        reason = expat.ErrorString(error.code)
        if final:
            message = f"the file ends before the XML does (cut short?): {reason}"
        else:
            message = f"not well-formed XML: {reason} (column {error.offset + 1})"
        raise ExportError(Problem(message, reader.path, error.lineno)) from None
    except (LookupError, ValueError):
        # expat asks Python's codecs for any encoding it lacks, and takes only those that
        # map each byte to one character; the rest fail here, not as an ExpatError.
        if reader.encoding is None:
            raise
        raise ExportError(Problem(f"cannot read text in the encoding {quoted(reader.encoding)} "
                                  "that the XML declaration names: convert the file to UTF-8",
                                  reader.path, reader.parser.CurrentLineNumber)) from None
