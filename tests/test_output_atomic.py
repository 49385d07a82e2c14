"""A build that fails, by bad input or bad luck, leaves the published output as it was.

Every path is checked before anything is written; an error while the new files are moved in
undoes what was moved; a system error is one line. (A build killed while moving:
test_output_recovery.py.)
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from sitegen.errors import SitegenError

from helpers import post, run_sitegen
from output_support import HELLO, folders, leftovers, published


@pytest.fixture
def built(make_site):
    """A small blog, built once."""
    site = make_site({
        HELLO: post("Hello", tags="[bread]"),
        "content/posts/2010-09-01-rye.md": post("Rye", date="2010-09-01", tags="[bread]"),
        "content/pages/about.md": "---\ntitle: About\n---\nMe.\n",
    })
    site.build()
    return site


def front(**meta: str) -> str:
    """A post whose front matter values are written as given (YAML, escapes and all)."""
    lines = "".join(f"{key}: {value}\n" for key, value in meta.items())
    return f"---\ntitle: Hello\ndate: 2010-08-31 09:15\n{lines}---\nHello.\n"


LONG = "a" * 300
# Addresses are normalised and checked when loaded (urls.py), naming the line; what only the
# output can tell (a tag's pages, a root file where a page needs a folder) is checked in the
# plan (outpaths.py). Either way: one line, and nothing changes.
BAD_PATHS = {
    "slug": (HELLO, front(slug=LONG, tags="[bread]"),
             f"{HELLO}:4: the address made from its slug has a part longer than 200 bytes, "
             "more than a file name can hold"),
    "tag": (HELLO, front(tags=f"[bread, {LONG}]"),
            f"{HELLO}: the address part '{'a' * 59}…{'a' * 14}' is 300 bytes long; a file name "
            "can have at most 255"),
    "dot alias": (HELLO, front(aliases='["."]'),
                  f"{HELLO}:4: alias '.' is not a path of this site: write one that starts "
                  "with '/', such as /2010/08/post.html"),
    "nul alias": (HELLO, front(aliases=r'["/old\0page/"]'),
                  f"{HELLO}:4: alias '/old\\x00page/' has the invisible character U+0000, "
                  "which browsers drop or misread"),
    "escape alias": (HELLO, front(aliases=r'["/old\epage.html"]'),
                     f"{HELLO}:4: alias '/old\\x1bpage.html' has the invisible character "
                     "U+001B, which browsers drop or misread"),
    "deep alias": (HELLO, front(aliases='["/' + "d/" * 2000 + '"]'),
                   f"{HELLO}:4: alias '/{'d/' * 29}…' is longer than 1,000 bytes"),
    "long alias": (HELLO, front(aliases='["/' + "/".join(["b" * 200] * 6) + '/"]'),
                   f"{HELLO}:4: alias '/{'b' * 58}…' is longer than 1,000 bytes"),
    "file where a folder goes": ("root/about", "a root file\n",
                                 "the output path 'about/index.html' "
                                 "needs a folder where the file 'about' is, written from "
                                 "root/about"),
}


@pytest.mark.parametrize("case", BAD_PATHS)
def test_a_bad_output_path_is_one_line_and_changes_nothing(built, case):
    """Each of these once failed half way through moving files in, deleting live pages."""
    relative, text, message = BAD_PATHS[case]
    before = published(built.output)
    built.write(relative, text)
    result = run_sitegen("build", "--quiet", cwd=built.root)
    assert result.returncode == 1
    assert result.stderr == f"error: {message}\n"
    assert published(built.output) == before
    assert leftovers(built) == []


def test_names_that_differ_only_in_unicode_normalisation_are_refused(built, monkeypatch):
    built.write("content/posts/2010-09-02-cafe.md",
                post("Café", date="2010-09-02", aliases="['/caf\u00e9/']"))
    built.write("content/posts/2010-09-03-cafe2.md",
                post("Café again", date="2010-09-03", aliases="['/cafe\u0301/']"))
    before = published(built.output)
    monkeypatch.chdir(built.root)
    with pytest.raises(SitegenError) as caught:
        built.build()
    assert [str(p) for p in caught.value.problems] == [
        "content/posts/2010-09-02-cafe.md: the output paths 'caf\\xe9/index.html' and "
        "'cafe\\u0301/index.html' differ only in Unicode normalisation, which many systems "
        "ignore; the other is written from content/posts/2010-09-03-cafe2.md"]
    assert published(built.output) == before


def test_a_page_and_a_static_file_on_one_path_is_refused(built, monkeypatch):
    built.write("static/style.css", "body { color: red }")
    built.write(HELLO, front(aliases='["/static/style.css"]'))
    monkeypatch.chdir(built.root)
    with pytest.raises(SitegenError) as caught:
        built.build()
    assert [str(p) for p in caught.value.problems] == [
        f"{HELLO}:4: /static/style.css is in /static/, where the theme's files are copied"]


@pytest.mark.parametrize("inside", ["static", "templates", "themes/default", "content",
                                    "content/posts", ".sitegen"])
def test_an_output_inside_the_sites_own_inputs_is_refused(built, inside):
    before = {path: path.read_bytes() for path in built.root.rglob("*") if path.is_file()
              and not path.is_relative_to(built.root / ".sitegen")}
    result = run_sitegen("build", "--output", inside, cwd=built.root)
    folder = inside.split("/")[0]
    assert (result.returncode, result.stderr) == (1, (
        f"error: the output folder {built.root / inside} is inside the site's {folder}/ "
        "folder, which the build reads; pick another --output\n"))
    assert {path: path.read_bytes() for path in built.root.rglob("*") if path.is_file()
            and not path.is_relative_to(built.root / ".sitegen")} == before


def change_everything(site) -> None:
    """An edit that rewrites most pages, deletes one post's and adds a new tag's."""
    site.write(HELLO, post("Hello", tags="[bread]").replace("Hello.", "Hello again."))
    site.write("content/posts/2010-09-01-rye.md", "")
    (site.root / "content/posts/2010-09-01-rye.md").unlink()
    site.write("content/posts/2010-09-05-oats.md", post("Oats", date="2010-09-05",
                                                        tags="[bread, oats]"))




def test_an_error_half_way_through_moving_in_puts_every_file_back(built):
    """The last file to move in cannot: a file stands where its folder must go. Pages were
    already replaced and removed by then; all of it is undone."""
    built.write("output/tags/oats", "in the way")
    before, before_folders = published(built.output), folders(built.output)
    change_everything(built)
    result = run_sitegen("build", "--quiet", cwd=built.root)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        "error: output/tags/oats/index.html: Not a directory while moving this build's "
        "files into the output folder; the output folder is as it was\n")
    assert published(built.output) == before
    assert folders(built.output) == before_folders
    assert leftovers(built) == []
    assert not list((built.root / ".sitegen").glob("apply-*"))
    (built.output / "tags/oats").unlink()
    assert run_sitegen("build", "--quiet", cwd=built.root).returncode == 0
    assert "Hello again." in built.page("/2010/08/31/hello/")
    assert not (built.output / "2010/09/01").exists()


@contextlib.contextmanager
def read_only(folder: Path):
    """`folder` made read-only for everyone, root included, by a read-only bind mount on
    itself (a real EROFS or EXDEV for any change); the test skips where mounting is not
    allowed."""
    bind = subprocess.run(["mount", "--bind", str(folder), str(folder)], capture_output=True)
    if bind.returncode != 0:
        pytest.skip(f"cannot bind-mount here: {bind.stderr.decode().strip()}")
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(folder)], check=True)
        yield
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_a_read_only_part_of_the_output_is_one_line_and_changes_nothing(built):
    """tags/ is read-only: the post pages and the home page move in first, then tags/bread/
    cannot, and everything already moved goes back."""
    before, before_folders = published(built.output), folders(built.output)
    change_everything(built)
    with read_only(built.output / "tags"):
        result = run_sitegen("build", "--quiet", cwd=built.root)
        assert (result.returncode, result.stdout) == (1, "")
        assert re.fullmatch(r"error: output/tags/\S+: (Read-only file system|Invalid "
                            r"cross-device link) while moving this build's files into the "
                            r"output folder; the output folder is as it was\n", result.stderr)
        assert published(built.output) == before
        assert folders(built.output) == before_folders
    assert leftovers(built) == []


@pytest.mark.parametrize("output", ["/proc/x", "/sys/x", "/dev/null/x"])
def test_an_unwritable_output_is_one_line_naming_it(built, output):
    result = run_sitegen("build", "--output", output, cwd=built.root)
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert re.fullmatch(rf"error: {re.escape(str(Path(output).resolve()))}: cannot (stage the "
                        r"new site beside this folder|make the folder it goes in): [A-Z][\w ]+",
                        line), line
    verbose = run_sitegen("build", "--verbose", "--output", output, cwd=built.root)
    assert verbose.returncode == 1 and "Traceback (most recent call last)" in verbose.stderr


def test_any_other_os_error_is_one_line_naming_the_path(built):
    shutil.rmtree(built.root / ".sitegen")
    built.write(".sitegen", "a file where sitegen keeps a folder")
    result = run_sitegen("build", cwd=built.root)
    assert (result.returncode, result.stderr) == (
        1, "error: .sitegen: File exists\n")


@contextlib.contextmanager
def small_disk(folder: Path, size: str):
    """A tmpfs of `size` mounted at `folder`: a real full disk. The test skips where
    mounting is not allowed."""
    folder.mkdir()
    mount = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs",
                            str(folder)], capture_output=True)
    if mount.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mount.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


def test_a_full_disk_is_one_line_and_changes_nothing(tmp_path):
    with small_disk(tmp_path / "disk", "3m") as disk:
        root = disk / "site"
        (root / "content/posts").mkdir(parents=True)
        (root / HELLO).write_text(post("Hello", tags="[bread]"))
        assert run_sitegen("build", "--quiet", cwd=root).returncode == 0
        before = published(root / "output")
        (root / HELLO).write_text(post("Hello", tags="[bread]", body="Hello again."))
        (root / "static").mkdir()
        (root / "static/big.bin").write_bytes(os.urandom(os.statvfs(disk).f_bavail
                                                         * os.statvfs(disk).f_frsize // 2))
        result = run_sitegen("build", cwd=root)
        assert result.returncode == 1
        [line] = result.stderr.splitlines()
        assert line.startswith("error: ") and "No space left on device" in line, line
        assert published(root / "output") == before
        assert [p.name for p in root.iterdir() if p.name.startswith(".output")] == []
