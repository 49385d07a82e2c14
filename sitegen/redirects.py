"""LOAD `content/redirects.yml`: old addresses that lead to another page of the site.

A post or page that moved keeps its old address in its own `aliases`. This file is for the
addresses nothing owns: a tag's page on the old blog (Blogger's /search/label/Bread), an
archive that is now elsewhere. Each becomes a redirect page at the old address, as aliases
do. It is a YAML mapping, one `old address: new address` per line.
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass
from pathlib import Path

import yaml

from .errors import ContentError, Problem
from .sourcefile import YAML_LOADER, decode, read_file, yaml_problem


@dataclass(frozen=True)
class Redirect:
    old: str
    target: str
    source: Path


def load_redirects(path: Path) -> tuple[Redirect, ...]:
    """The redirects in `path`, none if there is no such file; ContentError naming every bad
    line, or the file when it is no file (a folder) or cannot be read."""
    return read_redirects(path, read_file(path)) if os.path.lexists(path) else ()


def read_redirects(path: Path, data: bytes) -> tuple[Redirect, ...]:
    """The redirects in `data`, the contents of `path`."""
    text = decode(path, data)
    try:
        root = yaml.compose(text, Loader=YAML_LOADER)
    except yaml.YAMLError as error:
        raise ContentError(yaml_problem(error, path)) from None
    if root is None:
        return ()
    if not isinstance(root, yaml.MappingNode):
        raise ContentError(Problem("must be a mapping of old addresses to new ones, such as "
                                   "'/search/label/Bread: /tags/bread/'", path, 1))
    found: dict[str, int] = {}
    redirects, problems = [], []
    for key, value in root.value:
        line = key.start_mark.line + 1
        old, target = _scalar(key), _scalar(value)
        fault = _fault(old, target)
        old = folder_address(old) if fault is None else old
        if fault is None and old in found:
            fault = f"redirects '{old}' again (first at line {found[old]})"
        if fault is not None:
            problems.append(Problem(fault, path, line))
            continue
        found[old] = line
        redirects.append(Redirect(old, target, path))
    if problems:
        raise ContentError(*problems)
    return tuple(redirects)


def folder_address(path: str) -> str:
    """An address without a file extension is a folder: that is what a static host serves
    for it (/search/label/Bread -> /search/label/Bread/index.html)."""
    if path.endswith("/") or posixpath.splitext(path)[1]:
        return path
    return path + "/"


def _scalar(node: yaml.Node) -> str | None:
    return node.value if isinstance(node, yaml.ScalarNode) else None


def _fault(old: str | None, target: str | None) -> str | None:
    if old is None:
        return "each old address must be a path such as /search/label/Bread"
    if not old.startswith("/") or old.startswith("//"):
        return f"'{old}' is not an old address: write a path such as /search/label/Bread"
    if "?" in old or "#" in old or ".." in old.split("/"):
        return (f"'{old}' cannot be a file on a static host; an address with a query "
                "(/?p=123) belongs in the 'aliases' of the post it leads to")
    if not target or not target.startswith("/") or target.startswith("//"):
        return f"'{old}' must lead to a path of this site, such as /tags/bread/, not '{target}'"
    return None
