"""Files that are not what the site expects: a post that is a broken link or a pipe, a
content folder that is a file, redirects.yml that is a folder, and files the build may not
read. Each is one line naming the path and exit 1; none is skipped without a word, and a
build that fails leaves the output as it was."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from sitegen.config import BuildOptions
from sitegen.errors import ContentError

from conftest import NOW
from helpers import model, post, run_sitegen

POST = "content/posts/2010-08-31-hello.md"


@pytest.fixture
def site(make_site):
    site = make_site({POST: post("Hello", tags="[bread]"),
                      "content/posts/2010-09-01-second.md": post("Second", date="2010-09-01")})
    site.build()
    return site


def errors(site, monkeypatch) -> list[str]:
    monkeypatch.chdir(site.root)
    with pytest.raises(ContentError) as caught:
        model(site.paths, BuildOptions(now=NOW))
    return [str(problem) for problem in caught.value.problems]


def fails_leaving_output(site, *expected: str) -> None:
    """`sitegen build` exits 1 with exactly these lines, and the output is as it was."""
    before = site.files()
    result = run_sitegen("build", "--quiet", cwd=site.root)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.splitlines() == [f"error: {line}" for line in expected]
    assert site.files() == before


def test_a_post_that_is_a_broken_link_is_an_error(site):
    # It was skipped without a word, and its page deleted from the output.
    (site.root / "content/posts/2010-09-02-moved.md").symlink_to("../drafts/moved.md")
    fails_leaving_output(site, "content/posts/2010-09-02-moved.md: is a symbolic link to "
                               "'../drafts/moved.md', which does not exist")


def test_posts_that_are_a_link_loop_or_a_pipe_are_errors(site, monkeypatch):
    posts = site.root / "content/posts"
    (posts / "a.md").symlink_to("a.md")
    os.mkfifo(posts / "b.md")
    (posts / "notes.md").mkdir()  # a folder is not content, as before
    assert errors(site, monkeypatch) == [
        "content/posts/a.md: cannot read: Too many levels of symbolic links",
        "content/posts/b.md: is not a regular file (a pipe, socket or device)",
    ]


def test_a_post_linked_from_elsewhere_is_read(site):
    (site.root / "elsewhere.md").write_text(post("Linked", date="2010-09-03"))
    (site.root / "content/posts/linked.md").symlink_to(site.root / "elsewhere.md")
    site.build()
    assert "Linked" in site.page("/2010/09/03/linked/")


@pytest.mark.parametrize(("folder", "expected"), [
    ("content/posts", "content/posts: is not a folder"),
    ("content/comments", "content/comments: is not a folder"),
    ("content", "content: is not a folder"),
])
def test_a_content_folder_that_is_a_file_is_an_error(site, folder, expected):
    # content/posts as a file built an empty site and deleted every post's page.
    shutil.rmtree(site.root / folder, ignore_errors=True)
    (site.root / folder).write_text("oops\n")
    fails_leaving_output(site, expected)


def test_a_content_folder_that_is_a_broken_link_is_an_error(site):
    shutil.rmtree(site.root / "content/posts")
    (site.root / "content/posts").symlink_to("/nonexistent/posts")
    fails_leaving_output(site, "content/posts: is a symbolic link to '/nonexistent/posts', "
                               "which does not exist")


def test_a_missing_content_folder_is_an_empty_site(make_site):
    site = make_site({"content/pages/about.md": "---\ntitle: About\n---\nMe.\n"})
    assert site.build().posts == 0


@pytest.mark.parametrize(("make", "expected"), [
    (lambda path: path.mkdir(), "is a folder, not a file"),
    (lambda path: os.mkfifo(path), "is not a regular file (a pipe, socket or device)"),
    (lambda path: path.symlink_to("old-redirects.yml"),
     "is a symbolic link to 'old-redirects.yml', which does not exist"),
], ids=["folder", "pipe", "broken-link"])
def test_redirects_that_are_no_file_are_an_error(site, make, expected):
    # A folder was ignored without a word, so every old address stopped redirecting.
    make(site.root / "content/redirects.yml")
    fails_leaving_output(site, f"content/redirects.yml: {expected}")


def as_user_who_cannot_read() -> list[str]:
    """The command prefix under which chmod 000 stops reads: none for a normal user; for
    root, which reads anything, setpriv without the two capabilities that allow it."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root, and without setpriv root cannot be kept from reading")
    return ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"]


@pytest.mark.parametrize(("relative", "expected"), [
    ("content/posts", "content/posts: cannot read: Permission denied"),
    (POST, f"{POST}: cannot read: Permission denied"),
    ("sitegen.toml", "sitegen.toml: cannot read: Permission denied"),
    ("content/redirects.yml", "content/redirects.yml: cannot read: Permission denied"),
    ("templates/post.html", "templates/post.html: Permission denied"),
    ("static/style.css", "static/style.css: Permission denied"),
])
def test_a_file_that_cannot_be_read_is_one_line(site, relative, expected):
    site.write("sitegen.toml", 'title = "Unlucky"\n')
    site.write("content/redirects.yml", "/old/: /tags/bread/\n")
    site.write("templates/post.html", "{% extends 'base.html' %}\n")
    site.write("static/style.css", "body { color: black; }\n")
    site.build()
    before = site.files()
    path = site.root / relative
    if path.is_file():  # changed, so that the build must read it again
        path.write_text(path.read_text() + "\n")
    path.chmod(0)
    try:
        result = subprocess.run(
            [*as_user_who_cannot_read(), sys.executable, "-m", "sitegen", "build", "--quiet"],
            cwd=site.root, capture_output=True, text=True, timeout=120)
    finally:
        path.chmod(0o755)
    assert (result.returncode, result.stderr) == (1, f"error: {expected}\n")
    assert site.files() == before
