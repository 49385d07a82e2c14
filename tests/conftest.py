"""Shared fixtures: a throwaway site written from a dict of files, built for real.

No test touches the repository's own content/ or output/.
"""

from __future__ import annotations

import shutil
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sitegen.build import BuildReport, build
from sitegen.config import BuildOptions
from sitegen.layout import SitePaths

REPO = Path(__file__).resolve().parents[1]
# sitegen as it runs on a user's machine, where Python writes bytecode and sitegen keeps its
# own compiled templates beside itself, for every test site to share (templatecache.py):
# the machines here set PYTHONDONTWRITEBYTECODE. The tests of that setting set it back.
sys.dont_write_bytecode = False
# A fixed "now" keeps tests about scheduled posts independent of the calendar.
NOW = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass
class SiteUnderTest:
    root: Path

    @property
    def paths(self) -> SitePaths:
        return SitePaths.at(self.root)

    @property
    def output(self) -> Path:
        return self.paths.output

    def write(self, relative: str, text: str | bytes) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    def build(self, **options) -> BuildReport:
        options.setdefault("now", NOW)
        return build(self.paths, BuildOptions(**options))

    def page(self, url: str) -> str:
        """The built page at a site URL such as /2010/08/31/post/."""
        relative = url.lstrip("/")
        if not relative or relative.endswith("/"):
            relative += "index.html"
        return (self.output / relative).read_text(encoding="utf-8")

    def files(self) -> dict[str, bytes]:
        """Every output file by relative path, for byte-for-byte comparisons."""
        return {
            str(path.relative_to(self.output)): path.read_bytes()
            for path in sorted(self.output.rglob("*")) if path.is_file()
        }


@pytest.fixture
def make_site(tmp_path: Path) -> Callable[..., SiteUnderTest]:
    """make_site({"content/posts/2010-08-31-hello.md": "---\\ntitle: Hi\\n---\\nBody"})"""

    def make(files: dict[str, str | bytes] | None = None) -> SiteUnderTest:
        site = SiteUnderTest(tmp_path / "site")
        site.root.mkdir(exist_ok=True)
        for relative, text in (files or {}).items():
            site.write(relative, text)
        return site

    return make


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium, one per test module; the test skips, saying why, without it."""
    from browser import chromium

    with chromium() as launched:
        yield launched


def copy_sample_blog(destination: Path) -> SiteUnderTest:
    """The repository's sample blog, copied so tests never write into the repository."""
    for name in ("content", "themes"):
        shutil.copytree(REPO / name, destination / name)
    shutil.copy(REPO / "sitegen.toml", destination / "sitegen.toml")
    return SiteUnderTest(destination)


@pytest.fixture(scope="session")
def sample_blog(tmp_path_factory) -> SiteUnderTest:
    """The sample blog, built once for every test that only reads it."""
    site = copy_sample_blog(tmp_path_factory.mktemp("sample"))
    site.build()
    return site
