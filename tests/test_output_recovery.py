"""A build killed at any moment, or an import killed while writing, is put right by the next
sitegen command of any kind, before it does anything else."""

from __future__ import annotations

import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from sitegen.output import MARKER

from conftest import SiteUnderTest
from helpers import post, run_sitegen
from import_support import EXPORTS
from output_support import HELLO, folders, leftovers, published

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
    journal = site.paths.state.journal(site.output)
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
    """Hidden files under content/ but the queue folders' own .gitignore."""
    return sorted(path for path in (site.root / "content").rglob(".*")
                  if path.is_file() and path.name != ".gitignore")


def test_an_interrupted_imports_temporary_files_are_removed_by_the_next_command(
        make_site, tmp_path):
    export = tmp_path / "export.xml"
    export.write_text(WORDPRESS_HEAD + "".join(WORDPRESS_ITEM.format(n=n)
                                               for n in range(1, 201)) + "</channel></rss>\n")
    # A file is written in well under a millisecond, so a kill lands between files more often
    # than inside one: import into a new site until a kill leaves a temporary file behind.
    for attempt in range(20):
        site = SiteUnderTest(tmp_path / f"site{attempt}")
        site.root.mkdir()
        child = subprocess.Popen([sys.executable, "-m", "sitegen", "import", "wordpress",
                                  str(export)], cwd=site.root, stdout=subprocess.DEVNULL)
        # The import may end between two looks (0.5 ms apart): then try again.
        if kill_when(child, lambda site=site: bool(temporary_files(site))) \
                and temporary_files(site):
            break
    assert temporary_files(site), "no kill landed while a file was being written"
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
