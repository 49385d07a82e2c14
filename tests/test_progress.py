"""The progress line: on a terminal, long work shows one updating line; elsewhere, or with
--quiet, nothing. The commands run for real on a pseudo-terminal, with the one-second
wait before the line appears set to none, since these small sites build in less."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest
from terminal import run_in_terminal

from sitegen.progress import CLEAR, describe

from conftest import REPO
from helpers import post

# `python -c` this, then the sitegen command's arguments: the real command line, with the
# line shown from the start of the work.
IMMEDIATE = ("import sys, sitegen.progress as progress; progress.DELAY = 0; "
             "from sitegen.cli import main; sys.exit(main(sys.argv[1:]))")
LINE = re.compile(re.escape(CLEAR) + r"(\w+) ([\d,]+)/([\d,]+) ([\w ]+)")


def test_a_line_says_the_stage_and_how_far_it_is():
    assert describe("rendering pages", 3120, 7107) == "rendering 3,120/7,107 pages"
    assert describe("uploading files", 12, 0) == "uploading files: 12"
    assert describe("fetching the published branch", 0, 0) == "fetching the published branch"


def blog(make_site, posts: int = 60):
    files = {"sitegen.toml": 'base_url = "https://example.org"\n'}
    for number in range(posts):
        files[f"content/posts/2010-08-{number % 28 + 1:02d}-post-{number}.md"] = post(
            f"Post {number}", date=None)
    return make_site(files)


def lines(shown: str) -> list[tuple[str, int, int, str]]:
    """Each progress line drawn: (verb, done, total, noun)."""
    return [(verb, int(done.replace(",", "")), int(total.replace(",", "")), noun)
            for verb, done, total, noun in LINE.findall(shown)]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_build_on_a_terminal_shows_loading_and_rendering(make_site, jobs):
    site = blog(make_site)
    status, shown = run_in_terminal("build", "--jobs", jobs, "--site", str(site.root),
                                    code=IMMEDIATE)
    assert status == 0, shown
    drawn = lines(shown)
    assert ("loading", 60, 60, "files") in drawn
    rendering = [line for line in drawn if line[0] == "rendering"]
    assert rendering and rendering[-1][1] == rendering[-1][2] > 60
    # The line is erased before the summary, which starts a clean line of its own.
    assert re.search(re.escape(CLEAR) + r"60 posts, 0 comments: wrote [^\r]*\r\n$", shown)


def test_without_a_terminal_there_is_no_line(make_site):
    site = blog(make_site)
    result = subprocess.run([sys.executable, "-c", IMMEDIATE, "build", "--site",
                             str(site.root)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0
    assert result.stderr == ""
    assert "\r" not in result.stdout and "\x1b" not in result.stdout
    assert len(result.stdout.splitlines()) == 2


def test_quiet_on_a_terminal_shows_nothing(make_site):
    site = blog(make_site)
    status, shown = run_in_terminal("build", "--quiet", "--site", str(site.root),
                                    code=IMMEDIATE)
    assert (status, shown) == (0, "")


def test_an_import_on_a_terminal_shows_how_much_of_the_export_is_read(make_site):
    site = make_site()
    export = REPO / "tests/data/exports/wordpress.xml"
    status, shown = run_in_terminal("import", "wordpress", str(export), "--site",
                                    str(site.root), code=IMMEDIATE)
    assert status == 0, shown
    size = export.stat().st_size // 1000
    assert ("reading", size, size, "kB of the export") in lines(shown)


@pytest.mark.skipif(shutil.which("rsync") is None, reason="the rsync program is not installed")
def test_a_deploy_on_a_terminal_counts_the_files_uploaded(make_site, tmp_path):
    site = blog(make_site, posts=3)
    site.write("sitegen.toml", f'base_url = "https://example.org"\n[deploy]\n'
                               f'rsync = "{tmp_path / "www"}/"\n')
    status, shown = run_in_terminal("deploy", "--site", str(site.root), code=IMMEDIATE)
    assert status == 0, shown
    files = len([path for path in (tmp_path / "www").rglob("*") if path.is_file()])
    assert ("uploading", files, files, "files") in lines(shown)
