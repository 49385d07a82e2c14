"""Shared pieces of the importer tests: the fixture exports, and a site to import into that
builds with a small theme whose comment threads show their nesting as nested lists."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from sitegen.importers.run import ImportReport, run_import
from sitegen.layout import SitePaths

DATA = Path(__file__).parent / "data"
EXPORTS = DATA / "exports"
THEME = DATA / "themes" / "plain"
CONFIG = 'title = "Imported"\ntheme = "plain"\nbase_url = "https://example.org"\n' \
         'timezone = "Europe/Lisbon"\n'


def new_site(make_site, **files: str):
    """A site with the plain test theme and Lisbon time, ready to import into."""
    site = make_site({"sitegen.toml": CONFIG, **files})
    shutil.copytree(THEME, site.root / "themes" / "plain", dirs_exist_ok=True)
    return site


def import_into(site, kind: str, export: str | Path, **options) -> ImportReport:
    source = export if isinstance(export, Path) else EXPORTS / export
    return run_import(kind, source, SitePaths.at(site.root), **options)


def read(site, relative: str) -> str:
    return (site.root / relative).read_text(encoding="utf-8")


def thread_ids(html: str) -> list[tuple[int, str]]:
    """(nesting depth, comment id) for each comment of a built post, in page order."""
    depth, found = 0, []
    for match in re.finditer(r'<ol>|</ol>|<li id="comment-([\w-]+)"', html):
        if match[0] == "<ol>":
            depth += 1
        elif match[0] == "</ol>":
            depth -= 1
        else:
            found.append((depth, match[1]))
    return found
