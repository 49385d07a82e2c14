"""load.py: finding a site's files, taking what the lookup holds, returning problems as
values and what was loaded afresh, never writing anything."""

from __future__ import annotations

import os

import pytest

from sitegen.config import Config
from sitegen.load import load
from sitegen.state import Lookup
from sitegen.workers import Parallelism

from helpers import post, thread

FILES = {
    "content/posts/2010-08-31-b.md": post("B"),
    "content/posts/2010-08-30-a.md": post("A", date="2010-08-30 10:00"),
    "content/posts/.hidden.md": post("Hidden"),
    "content/posts/notes.txt": "not a post",
    "content/posts/folder.md/x.md": post("In a folder"),
    "content/pages/about.md": "---\ntitle: About\n---\nMe.\n",
    "content/comments/2010-08-31-b.yml": thread(
        {"id": "c1", "author": "Ana", "date": "2010-09-01 10:00", "body": "Hi"}),
    "content/redirects.yml": "/old/: /2010/08/31/b/\n",
}


def test_every_kind_of_file_is_found_in_file_name_order(make_site):
    site = make_site(FILES)
    loaded = load(site.paths, Config())
    assert [p.title for p in loaded.posts] == ["A", "B"]
    assert [p.title for p in loaded.pages] == ["About"]
    assert [t.stem for t in loaded.threads] == ["2010-08-31-b"]
    assert [(r.old, r.target) for r in loaded.redirects] == [("/old/", "/2010/08/31/b/")]
    assert loaded.problems == ()
    # Nothing was in the lookup: everything is fresh, and fresh is what is used.
    assert loaded.fresh == loaded.used and len(loaded.used) == 4


def test_what_the_lookup_holds_is_taken_as_it_is(make_site):
    site = make_site(FILES)
    first = load(site.paths, Config())
    again = load(site.paths, Config(), Lookup(first.used, first.files))
    assert again.fresh == {}
    assert again.posts[0] is first.posts[0]


def test_only_files_that_have_been_still_for_a_while_are_remembered_by_their_stat(
        make_site, monkeypatch):
    site = make_site(FILES)
    assert load(site.paths, Config()).files == {}  # all just written
    monkeypatch.setattr("sitegen.load.SETTLE_NS", 0)
    files = load(site.paths, Config()).files
    name = str(site.root / "content/posts/2010-08-30-a.md")
    stat = os.stat(name)
    assert files[name][0] == (stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)
    assert len(files) == 4


def test_problems_are_values_and_what_did_load_is_kept(make_site):
    site = make_site({**FILES, "content/posts/2010-09-01-bad.md": "---\ntitle: [oops\n---\n"})
    loaded = load(site.paths, Config())
    assert [problem.path.name for problem in loaded.problems] == ["2010-09-01-bad.md"]
    assert [p.title for p in loaded.posts] == ["A", "B"]
    assert len(loaded.fresh) == 4


# Forked workers (the command line) stream what they load back; workers started afresh (the
# preview) are sent their work by a pool.
@pytest.mark.parametrize("forked", [True, False], ids=["forked", "started afresh"])
def test_loading_in_worker_processes_gives_what_loading_here_gives(make_site, monkeypatch,
                                                                   forked):
    site = make_site({f"content/posts/2010-01-{n:02d}-p.md": post(f"P{n}", date=None)
                      for n in range(1, 9)})
    monkeypatch.setattr("sitegen.load.SETTLE_NS", 0)
    here = load(site.paths, Config(), parallelism=Parallelism(jobs=1))
    there = load(site.paths, Config(), parallelism=Parallelism(jobs=2, fork_safe=forked))
    assert there.posts == here.posts and there.used.keys() == here.used.keys()
    # A first build's files are read, and their digests taken, in the workers.
    assert there.files == here.files and len(here.files) == 8
    assert {digest for _, digest in there.files.values()} == there.used.keys()
