"""A build that fails, by bad input or bad luck, leaves the published output as it was.

Every path is checked before anything is written; an error while the new files are moved in
undoes what was moved; a build killed while moving is undone by the next command of any kind.
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sitegen.errors import SitegenError
from sitegen.manifest import journal_file
from sitegen.output import MARKER

from helpers import post, run_sitegen
from import_support import EXPORTS

HELLO = "content/posts/2010-08-31-hello.md"


def published(output: Path) -> dict[str, bytes]:
    """What a reader of the output folder can get: every file's bytes, by path."""
    return {path.relative_to(output).as_posix(): path.read_bytes()
            for path in sorted(output.rglob("*")) if path.is_file()}


def leftovers(site) -> list[str]:
    """Anything a build left beside the output folder."""
    return sorted(p.name for p in site.output.parent.iterdir() if p.name.startswith(".output"))


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
BAD_PATHS = {
    "slug": (front(slug=LONG, tags="[bread]"),
             f"the address part '{'a' * 59}…{'a' * 14}' is 300 bytes long; a file name can "
             "have at most 255"),
    "tag": (front(tags=f"[bread, {LONG}]"),
            f"the address part '{'a' * 59}…{'a' * 14}' is 300 bytes long; a file name can "
            "have at most 255"),
    "dot alias": (front(aliases='["."]'), "the output path '.' has an empty, '.' or '..' part"),
    "nul alias": (front(aliases=r'["/old\0page/"]'),
                  r"the output path 'old\x00page/index.html' holds the control character "
                  "U+0000; an address cannot"),
    "escape alias": (front(aliases=r'["/old\epage.html"]'),
                     r"the output path 'old\x1bpage.html' holds the control character U+001B; "
                     "an address cannot"),
    "deep alias": (front(aliases='["/' + "d/" * 2000 + '"]'),
                   "the output path 'd/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d"
                   "…d/d/index.html' is 2001 levels deep; at most 32"),
    "long alias": (front(aliases='["/' + "/".join(["b" * 200] * 6) + '/"]'),
                   f"the output path '{'b' * 59}…bbb/index.html' is 1216 bytes long; at most "
                   "1024"),
    "file where a folder goes": (front(aliases='["/about"]'),
                                 "the output path 'about/index.html' needs a folder where the "
                                 "file 'about' is, written from content/posts/2010-08-31-hello.md"),
}


@pytest.mark.parametrize("case", BAD_PATHS)
def test_a_bad_output_path_is_one_line_and_changes_nothing(built, case):
    """Each of these once failed half way through moving files in, deleting live pages."""
    text, message = BAD_PATHS[case]
    before = published(built.output)
    built.write(HELLO, text)
    result = run_sitegen("build", "--quiet", cwd=built.root)
    assert result.returncode == 1
    expected = (f"content/pages/about.md: {message}" if case == "file where a folder goes"
                else f"{HELLO}: {message}")
    assert result.stderr == f"error: {expected}\n"
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
        f"{HELLO}: the output path 'static/style.css' is also written from static/style.css"]


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


def folders(output: Path) -> set[str]:
    return {path.relative_to(output).as_posix() for path in output.rglob("*") if path.is_dir()}


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


# The kill test's two sites: each rewrites every bulk file of the other, one has files the
# other lacks, and they differ in a post, so that moving either in takes hundreds of renames.
BULK, GONE = 300, 150


def one_site(site) -> None:
    site.write("content/posts/2010-09-05-oats.md", post("Oats", date="2010-09-05",
                                                        tags="[bread, oats]"))
    site.write(HELLO, post("Hello", tags="[bread]"))
    for number in range(BULK):
        site.write(f"static/bulk/{number:03}.txt", f"one {number}\n")
    for number in range(GONE):
        site.write(f"static/only-one/{number:03}.txt", f"only in one {number}\n")


def other_site(site) -> None:
    (site.root / "content/posts/2010-09-05-oats.md").unlink()
    site.write(HELLO, post("Hello", tags="[bread]", body="Hello again."))
    for number in range(BULK):
        site.write(f"static/bulk/{number:03}.txt", f"the other {number}, longer\n")
    shutil.rmtree(site.root / "static/only-one")


def without_marker(files: dict[str, bytes]) -> dict[str, bytes]:
    """A clean build names another build token in its marker; every other byte is equal."""
    return {path: data for path, data in files.items() if path != MARKER}


def clean_build(site, tmp_path: Path) -> dict[str, bytes]:
    copy = tmp_path / f"clean-{len(list(tmp_path.glob('clean-*')))}"
    shutil.copytree(site.root, copy, ignore=shutil.ignore_patterns("output", ".sitegen"))
    assert run_sitegen("build", "--quiet", cwd=copy).returncode == 0
    return without_marker(published(copy / "output"))


def kill_while_moving(site, journal: Path, delay: float) -> bool:
    """Run `sitegen build` and kill -9 it `delay` seconds after it starts moving files in
    (when its journal appears); whether it was killed before it finished."""
    child = subprocess.Popen([sys.executable, "-m", "sitegen", "build", "--quiet"],
                             cwd=site.root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while not journal.exists() and child.poll() is None:
            time.sleep(0.0002)
        time.sleep(delay)
        child.kill()
    finally:
        child.wait(timeout=60)
    return child.returncode == -signal.SIGKILL


RECOVERING_COMMANDS = (["comments", "list"], ["import", "wordpress", "--dry-run",
                                              str(EXPORTS / "wordpress.xml")], ["build"])


def test_a_build_killed_while_moving_in_is_undone_by_the_next_command(make_site, tmp_path):
    """kill -9 at random moments while a real `sitegen build` moves its files in.

    A reader sees the output folder as a web server serving it does: the bytes at each path
    (a missing path is a 404) and, where a server lists folders, the set of folders. The
    folder is in a *reader-visible mixed state* when that view equals neither the old
    site's (the build before) nor the new site's (a clean build of the new content). After
    a kill the folder may be mixed on disk; the next sitegen command, of any kind, puts it
    back before it does anything else, so from then on a reader sees wholly the old site
    (or wholly the new one, had the build finished moving). Checked after each kill: the
    view after that next command is exactly the old one (every byte, the marker included,
    and no other folder) or the new one; nothing is left beside the output or in the state
    folder; and the next build equals a clean build byte for byte. The builds go back and
    forth between two sites, so each round's new site is the next one's old.
    """
    site = make_site({"sitegen.toml": 'base_url = "https://example.org"\n'})
    one_site(site)
    clean = {one_site: clean_build(site, tmp_path)}
    assert run_sitegen("build", "--quiet", cwd=site.root).returncode == 0
    other_site(site)
    clean[other_site] = clean_build(site, tmp_path)
    one_site(site)  # as built
    journal = journal_file(site.root, site.output)
    chance, delay, rounds, landed, mixed = random.Random(), 0.02, 0, 0, 0
    deadline = time.monotonic() + 60
    while rounds < 10 and landed < 4 and time.monotonic() < deadline:
        old, old_folders = published(site.output), folders(site.output)
        change = (other_site, one_site)[rounds % 2]
        change(site)
        rounds += 1
        if not kill_while_moving(site, journal, chance.uniform(0, delay)):
            delay /= 2  # it finished first: kill sooner next time
            assert without_marker(published(site.output)) == clean[change]
            continue
        stopped = journal.exists()
        landed += stopped
        seen = published(site.output)
        mixed += seen != old and without_marker(seen) != clean[change]
        command = RECOVERING_COMMANDS[rounds % len(RECOVERING_COMMANDS)]
        result = run_sitegen(*command, cwd=site.root)
        assert result.returncode == 0, result.stderr
        assert ("was put back as it was" in result.stderr) == stopped, result.stderr
        after = published(site.output)
        if command != ["build"]:
            assert (after, folders(site.output)) == (old, old_folders) or \
                without_marker(after) == clean[change], f"{command} left a mixed site"
        assert leftovers(site) == [] and not journal.exists()
        assert run_sitegen("build", "--quiet", cwd=site.root).returncode == 0
        assert without_marker(published(site.output)) == clean[change]
    assert landed >= 3, f"only {landed} of {rounds} kills landed while moving in"
    print(f"{rounds} rounds, {landed} kills while moving in, {mixed} left a mixed folder "
          "until the next command")


def kill_when(child: subprocess.Popen, seen) -> bool:
    """kill -9 `child` as soon as `seen()` is true; whether it was, before the child ended."""
    try:
        while not seen() and child.poll() is None:
            time.sleep(0.0005)
        child.kill()
    finally:
        child.wait(timeout=60)
    return child.returncode == -signal.SIGKILL


def test_a_killed_builds_staging_folder_is_removed_by_the_next_command(make_site):
    site = make_site({"sitegen.toml": 'base_url = "https://example.org"\n'})
    one_site(site)
    assert run_sitegen("build", "--quiet", cwd=site.root).returncode == 0
    before = published(site.output)
    other_site(site)
    child = subprocess.Popen([sys.executable, "-m", "sitegen", "build"], cwd=site.root,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # Killed while it renders and stages, before it moves anything in.
    assert kill_when(child, lambda: leftovers(site))
    assert leftovers(site) and published(site.output) == before
    assert run_sitegen("comments", "list", cwd=site.root).returncode == 0
    assert leftovers(site) == []
    assert published(site.output) == before


WORDPRESS_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" ?>\n<rss version="2.0" '
    'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">'
    "<channel><title>Big</title><link>http://old.example</link>"
    "<wp:wxr_version>1.2</wp:wxr_version>\n")
WORDPRESS_ITEM = (
    "<item><title>Post {n}</title><link>http://old.example/2012/03/post-{n}/</link>"
    "<dc:creator>ines</dc:creator><content:encoded>Body {n}</content:encoded>"
    "<wp:post_id>{n}</wp:post_id><wp:post_date_gmt>2012-03-14 22:30:00</wp:post_date_gmt>"
    "<wp:post_name>post-{n}</wp:post_name><wp:status>publish</wp:status>"
    "<wp:post_type>post</wp:post_type><wp:comment><wp:comment_id>{n}00</wp:comment_id>"
    "<wp:comment_author>Ana</wp:comment_author>"
    "<wp:comment_date_gmt>2012-03-15 17:00:00</wp:comment_date_gmt>"
    "<wp:comment_content>Nice {n}</wp:comment_content>"
    "<wp:comment_approved>1</wp:comment_approved><wp:comment_parent>0</wp:comment_parent>"
    "</wp:comment></item>\n")


def temporary_files(site) -> list[Path]:
    return sorted(path for path in (site.root / "content").rglob(".*") if path.is_file())


def test_an_interrupted_imports_temporary_files_are_removed_by_the_next_command(
        make_site, tmp_path):
    site = make_site()
    export = tmp_path / "export.xml"
    export.write_text(WORDPRESS_HEAD + "".join(WORDPRESS_ITEM.format(n=n)
                                               for n in range(1, 201)) + "</channel></rss>\n")
    child = subprocess.Popen([sys.executable, "-m", "sitegen", "import", "wordpress",
                              str(export)], cwd=site.root, stdout=subprocess.DEVNULL)
    comments = site.root / "content/comments"
    assert kill_when(child, lambda: comments.is_dir() and any(comments.iterdir()))
    assert temporary_files(site)
    assert run_sitegen("comments", "list", cwd=site.root).returncode == 0
    assert temporary_files(site) == []


def test_a_running_writers_temporary_file_is_left_to_it(make_site):
    site = make_site({"content/comments/.keep": ""})
    writer = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from pathlib import Path; from sitegen.atomic import temp_file; "
        "print(temp_file(Path(sys.argv[1]))[1], flush=True); time.sleep(60)"),
        str(site.root / "content/comments/2010-08-31-hello.yml")],
        stdout=subprocess.PIPE, text=True)
    try:
        temporary = Path(writer.stdout.readline().strip())
        assert run_sitegen("comments", "list", cwd=site.root).returncode == 0
        assert temporary.exists()
    finally:
        writer.kill()
        writer.wait()
    assert run_sitegen("comments", "list", cwd=site.root).returncode == 0
    assert not temporary.exists()


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
        1, "error: .sitegen: File exists (while running `sitegen build`)\n")


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
