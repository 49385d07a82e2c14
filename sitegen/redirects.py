"""LOAD `content/redirects.yml`: old addresses that lead to another page of the site.

A post or page that moved keeps its old address in its own `aliases`. This file is for the
addresses nothing owns: a tag's page on the old blog (Blogger's /search/label/Bread), an
archive that is now elsewhere. Each becomes a redirect page at the old address, as aliases
do. It is a YAML mapping, one `old address: new address` per line.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from .errors import ContentError, Problem, shown
from .sourcefile import YAML_LOADER, decode, read_file, yaml_problem
from .urls import AddressError, site_address


@dataclass(frozen=True)
class Redirect:
    """One entry: `old` and `target` are canonical addresses; `written` is the old address
    as the file writes it, at `line`."""

    old: str
    target: str
    source: Path
    line: int
    written: str


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
        entry = _entry(_scalar(key), _scalar(value), path, line)
        if isinstance(entry, Redirect) and entry.old in found:
            entry = f"redirects '{entry.old}' again (first at line {found[entry.old]})"
        if isinstance(entry, str):
            problems.append(Problem(entry, path, line))
            continue
        found[entry.old] = line
        redirects.append(entry)
    if problems:
        raise ContentError(*problems)
    return tuple(redirects)


def _scalar(node: yaml.Node) -> str | None:
    return node.value if isinstance(node, yaml.ScalarNode) else None


def _entry(old: str | None, target: str | None, path: Path, line: int) -> Redirect | str:
    """The redirect from `old` to `target`, both made canonical, or what is wrong with it."""
    if old is None:
        return "each old address must be a path such as /search/label/Bread"
    if not old.startswith("/") or old.startswith("//"):
        return f"'{shown(old)}' is not an old address: write a path such as /search/label/Bread"
    if "?" in old or "#" in old:
        return (f"'{shown(old)}' cannot be a file on a static host; an address with a query "
                "(/?p=123) belongs in the 'aliases' of the post it leads to")
    try:
        canonical = site_address(old)
    except AddressError as error:
        return f"'{shown(old)}' {error}"
    wrong = f"'{shown(old)}' must lead to a path of this site, such as /tags/bread/, not "
    if not target or not target.startswith("/") or target.startswith("//"):
        return f"{wrong}'{shown(target or '')}'"
    try:
        return Redirect(canonical, site_address(target, query=True, fragment=True), path,
                        line, old)
    except AddressError as error:
        return f"{wrong}'{shown(target)}': it {error}"
