"""What the preview notices: each file classified as the kind of input it is, bursts of
events debounced into one batch, and a real watchdog observer over a real site folder."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from sitegen.layout import SitePaths
from sitegen.preview.watch import Batch, Change, Debouncer, Kind, Watcher, classify

ROOT = Path("/site")
PATHS = SitePaths(root=ROOT, output=ROOT / "output")
THEME = Path("/elsewhere/themes/default")


@pytest.mark.parametrize(("relative", "kind"), [
    ("content/posts/2010-08-31-hello.md", Kind.POST),
    ("content/pages/about.md", Kind.PAGE),
    ("content/comments/2010-08-31-hello.yml", Kind.COMMENTS),
    ("content/redirects.yml", Kind.REDIRECTS),
    ("sitegen.toml", Kind.CONFIG),
    ("templates/post.html", Kind.TEMPLATE),
    ("templates/partials/nav.html", Kind.TEMPLATE),
    ("static/style.css", Kind.STATIC),
    ("static/img/logo.png", Kind.STATIC),
    ("themes/mine/templates/base.html", Kind.TEMPLATE),
    ("themes/mine/theme.toml", Kind.TEMPLATE),
    # A folder of inputs appearing at the root changes what must be watched.
    ("templates", Kind.CONFIG),
    ("content", Kind.CONFIG),
])
def test_inputs_are_classified_by_kind(relative, kind):
    assert classify(ROOT / relative, PATHS, None) == Change(kind, ROOT / relative)


def test_a_theme_outside_the_site_is_classified_too():
    assert classify(THEME / "templates/base.html", PATHS, THEME).kind is Kind.TEMPLATE
    assert classify(THEME / "static/style.css", PATHS, THEME).kind is Kind.STATIC
    assert classify(Path("/elsewhere/notes.txt"), PATHS, THEME) is None


@pytest.mark.parametrize("relative", [
    "output/index.html",
    "output",
    ".output.staging-1234/index.html",
    "content/posts/notes.txt",
    "content/posts/drafts/2010-08-31-old.md",
    "content/comments/2010-08-31-hello.yaml",
    "content/redirects.yaml",
    "content/posts/.2010-08-31-hello.md.swp",
    "content/posts/2010-08-31-hello.md~",
    "content/posts/.#2010-08-31-hello.md",
    "content/posts/#2010-08-31-hello.md#",
    "content/posts/4913",
    "templates/.post.html.swx",
    "README.md",
    ".git/index",
])
def test_files_no_build_reads_are_ignored(relative):
    assert classify(ROOT / relative, PATHS, None) is None


def batch(*changes: tuple[Kind, str]) -> Batch:
    return Batch(frozenset(Change(kind, ROOT / path) for kind, path in changes))


def test_a_batch_describes_itself():
    assert batch((Kind.POST, "content/posts/a.md")).describe() == "1 post changed"
    described = batch((Kind.POST, "content/posts/a.md"), (Kind.POST, "content/posts/b.md"),
                      (Kind.COMMENTS, "content/comments/a.yml")).describe()
    assert described == "1 comment thread, 2 posts changed"


def test_a_burst_of_changes_is_one_batch():
    debouncer = Debouncer(quiet=0.2)
    changes = [Change(Kind.POST, ROOT / f"content/posts/{n}.md") for n in range(200)]

    def burst() -> None:
        for change in changes:
            debouncer.add(change)
            time.sleep(0.001)

    writer = threading.Thread(target=burst)
    writer.start()
    first = debouncer.take()
    writer.join()
    assert first is not None and first.changes == frozenset(changes)


def test_a_change_during_a_rebuild_waits_for_the_next_batch():
    debouncer = Debouncer(quiet=0.05)
    one, two = (Change(Kind.POST, ROOT / f"content/posts/{n}.md") for n in (1, 2))
    debouncer.add(one)
    assert debouncer.take() == Batch(frozenset({one}))
    debouncer.add(two)
    debouncer.add(two)
    assert debouncer.take() == Batch(frozenset({two}))


def test_a_file_that_never_goes_quiet_still_gets_rebuilt():
    debouncer = Debouncer(quiet=0.2, longest=0.5)
    stop = threading.Event()

    def keep_writing() -> None:
        while not stop.is_set():
            debouncer.add(Change(Kind.POST, ROOT / "content/posts/log.md"))
            time.sleep(0.05)

    writer = threading.Thread(target=keep_writing)
    writer.start()
    started = time.monotonic()
    try:
        assert debouncer.take() is not None
    finally:
        stop.set()
        writer.join()
    assert time.monotonic() - started < 1.5


def test_closing_wakes_a_waiting_take():
    debouncer = Debouncer()
    timer = threading.Timer(0.1, debouncer.close)
    timer.start()
    assert debouncer.take() is None
    timer.join()


def take(debouncer: Debouncer) -> Batch | None:
    """The next batch; None after 15 s, so that a missed event fails a test, not hangs it."""
    guard = threading.Timer(15, debouncer.close)
    guard.start()
    try:
        return debouncer.take()
    finally:
        guard.cancel()


@contextmanager
def watching(site, theme: Path | None = None) -> Iterator[tuple[Watcher, Debouncer]]:
    """A real watcher over `site` feeding a debouncer, stopped afterwards."""
    debouncer = Debouncer(quiet=0.3)
    watcher = Watcher(site.paths, debouncer.add)
    watcher.follow(theme)
    watcher.start()
    try:
        yield watcher, debouncer
    finally:
        watcher.stop()


@pytest.fixture
def watched(make_site):
    """A site with a real watcher; yields (site, debouncer)."""
    site = make_site({
        "content/posts/2010-08-31-hello.md": "---\ntitle: Hello\n---\nHi.\n",
        "content/comments/2010-08-31-hello.yml": "[]\n",
        "templates/post.html": "{{ post.title }}",
        "sitegen.toml": "",
    })
    with watching(site) as (_, debouncer):
        yield site, debouncer


def kinds(batch: Batch | None) -> dict[str, Kind]:
    assert batch is not None
    return {change.path.name: change.kind for change in batch.changes}


def test_an_edit_is_noticed_and_classified(watched):
    site, debouncer = watched
    site.write("content/posts/2010-08-31-hello.md", "---\ntitle: Changed\n---\nHi.\n")
    assert kinds(take(debouncer)) == {"2010-08-31-hello.md": Kind.POST}
    site.write("content/comments/2010-08-31-hello.yml", "[]\n# edited\n")
    assert kinds(take(debouncer)) == {"2010-08-31-hello.yml": Kind.COMMENTS}
    site.write("sitegen.toml", 'title = "New"\n')
    assert kinds(take(debouncer)) == {"sitegen.toml": Kind.CONFIG}


def test_a_save_by_rename_is_one_change(watched):
    """Editors write a temporary file and rename it over the original."""
    site, debouncer = watched
    target = site.root / "content/posts/2010-08-31-hello.md"
    scratch = target.with_name(".2010-08-31-hello.md.tmp")
    scratch.write_text("---\ntitle: Saved\n---\nHi.\n")
    os.replace(scratch, target)
    assert kinds(take(debouncer)) == {"2010-08-31-hello.md": Kind.POST}


def test_a_checkout_of_many_files_is_one_batch(watched):
    site, debouncer = watched
    for number in range(200):
        site.write(f"content/posts/2011-01-01-post-{number}.md", f"---\ntitle: {number}\n---\n")
    found = kinds(take(debouncer))
    assert len(found) == 200 and set(found.values()) == {Kind.POST}


def test_the_output_folder_and_unread_files_wake_nothing(watched):
    site, debouncer = watched
    site.build()
    site.write("notes.txt", "not an input")
    site.write("content/posts/.hello.md.swp", "vim")
    marker = Change(Kind.POST, site.root / "content/posts/marker.md")
    timer = threading.Timer(0.5, debouncer.add, args=(marker,))
    timer.start()
    assert take(debouncer) == Batch(frozenset({marker}))
    timer.join()


def test_a_folder_created_later_is_followed_after_the_next_rebuild(make_site):
    site = make_site({"content/posts/2010-08-31-hello.md": "---\ntitle: Hello\n---\n"})
    with watching(site) as (watcher, debouncer):
        (site.root / "templates").mkdir()
        assert kinds(take(debouncer)) == {"templates": Kind.CONFIG}
        watcher.follow(None)  # what the rebuild loop does after each rebuild
        site.write("templates/post.html", "{{ post.title }}")
        assert kinds(take(debouncer)) == {"post.html": Kind.TEMPLATE}


def test_a_folder_deleted_and_made_again_in_one_batch_is_still_watched(make_site):
    """A checkout may replace a whole folder between two rebuilds."""
    site = make_site({"templates/post.html": "{{ post.title }}"})
    with watching(site) as (watcher, debouncer):
        shutil.rmtree(site.root / "templates")
        site.write("templates/post.html", "{{ post.title }} again")
        assert take(debouncer) is not None
        watcher.follow(None)
        site.write("templates/base.html", "<html></html>")
        assert kinds(take(debouncer)) == {"base.html": Kind.TEMPLATE}


def test_a_theme_outside_the_site_is_watched(make_site, tmp_path):
    site = make_site({"content/posts/2010-08-31-hello.md": "---\ntitle: Hello\n---\n"})
    theme = tmp_path / "shared-theme"
    (theme / "templates").mkdir(parents=True)
    with watching(site, theme) as (_, debouncer):
        (theme / "templates/base.html").write_text("<html></html>")
        assert kinds(take(debouncer)) == {"base.html": Kind.TEMPLATE}
