"""What the command line says about the site as a whole: a --site that is not there, a
blog with no posts yet, the next scheduled post."""

from __future__ import annotations

import re

import pytest

from conftest import NOW
from helpers import post, run_sitegen

COMMANDS = [
    ("build",), ("serve", "--port", "0"), ("new", "A title"), ("comments", "list"),
    ("comments", "serve", "--port", "0"), ("comments", "approve", "--all"),
    ("comments", "reply", "a-post", "-m", "hi"), ("import", "wordpress", "export.xml"),
    ("deploy",),
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: " ".join(command[:2]))
def test_a_site_folder_that_does_not_exist_is_one_line_and_nothing_is_made(tmp_path, command):
    missing = tmp_path / "no" / "such"
    result = run_sitegen(*command, "--site", str(missing))
    assert result.returncode == 2
    assert result.stderr == f"error: --site {missing}: no such folder\n"
    assert result.stdout == ""
    assert not (tmp_path / "no").exists()


def test_a_site_that_is_a_file_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("", encoding="utf-8")
    result = run_sitegen("build", "--site", str(tmp_path / "notes.txt"))
    assert (result.returncode, result.stderr) == (
        2, f"error: --site {tmp_path / 'notes.txt'}: not a folder\n")


def test_a_blog_without_posts_builds_and_says_how_to_write_the_first(make_site):
    site = make_site({"sitegen.toml": 'base_url = "https://example.org"\n'})
    result = run_sitegen("build", "--site", str(site.root))
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r'0 posts, 0 comments: wrote \d+ pages and \d+ static files in '
                        r'\d+\.\d\d s; write the first post with: sitegen new "Title"',
                        result.stdout.splitlines()[-1])
    assert (site.output / "index.html").is_file()


def test_the_summary_names_the_next_scheduled_post(make_site):
    site = make_site({
        "content/posts/2010-08-31-hello.md": post("Hello"),
        "content/posts/2026-03-01-later.md": post("Later", date="2026-03-01 09:00"),
        "content/posts/2026-02-01-sooner.md": post("Sooner", date="2026-02-01 08:30"),
        "content/posts/2026-01-15-draft.md": post("Draft", date="2026-01-15", draft="true"),
    })
    summary = site.build().summary()
    assert summary.endswith('; next scheduled: "Sooner" on 2026-02-01 08:30'), summary
    assert site.build(future=True).scheduled is None
    # Once its day has passed, the next one is named.
    report = site.build(now=NOW.replace(month=2, day=2))
    assert report.posts == 2 and report.scheduled[0] == "Later"
