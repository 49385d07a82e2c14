"""The build state: the item store's segments, added to and compacted; the known files; the
manifest; one reader for every state file; and BuildState, committed once per build."""

from __future__ import annotations

import pickle
from dataclasses import replace

from sitegen.config import Config
from sitegen.errors import Problem
from sitegen.layout import SitePaths
from sitegen.load import Loaded, load
from sitegen.state import (
    BuildState,
    ItemStore,
    Lookup,
    Memory,
    Record,
    read_state,
    write_state,
)


def test_items_saved_are_loaded_back(tmp_path):
    store = ItemStore(tmp_path / "items")
    store.save(used={"a": "one", "b": "two"}, fresh={"a": "one", "b": "two"})
    store.save(used={"a": "one", "b": "two", "c": "three"}, fresh={"c": "three"})
    assert store.load() == {"a": "one", "b": "two", "c": "three"}
    assert len(list((tmp_path / "items").iterdir())) == 2  # the second save only appended


def test_nothing_fresh_writes_nothing(tmp_path):
    store = ItemStore(tmp_path / "items")
    store.save(used={"a": "one"}, fresh={})
    assert not (tmp_path / "items").exists()


def test_a_store_mostly_unused_is_compacted_to_what_is_used(tmp_path):
    store = ItemStore(tmp_path / "items")
    old = {f"old{n}": n for n in range(300)}
    store.save(used=old, fresh=old)
    new = {f"new{n}": n for n in range(300)}  # say, a new sitegen: every digest changes
    store.save(used=new, fresh=new)
    assert store.load() == new
    assert len(list((tmp_path / "items").iterdir())) == 1


def test_many_small_saves_stay_in_a_bounded_number_of_segments(tmp_path):
    store = ItemStore(tmp_path / "items")
    used = {f"item{n}": n for n in range(300)}
    store.save(used=used, fresh=used)
    for n in range(300, 400):  # each build replaces one item with a new version
        del used[f"item{n - 300}"]
        used[f"item{n}"] = n
        store.save(used=used, fresh={f"item{n}": n})
    assert store.load().keys() >= used.keys()
    assert len(list((tmp_path / "items").iterdir())) < 64


def test_damaged_and_foreign_segments_are_ignored(tmp_path):
    store = ItemStore(tmp_path / "items")
    store.save(used={"a": 1}, fresh={"a": 1})
    (tmp_path / "items/0-1-1.pickle").write_bytes(b"\x80\x05 not a pickle")
    (tmp_path / "items/0-2-1.pickle").write_bytes(pickle.dumps((("other", 9), {"b": 2})))
    assert store.load() == {"a": 1}


def test_known_files_are_kept_per_key(tmp_path):
    paths = SitePaths.at(tmp_path)
    files = {"/site/content/posts/a.md": ((1, 2, 3, 4), "digest")}
    BuildState(paths, Config()).commit(_loaded(files=files))
    assert BuildState(paths, Config()).lookup.files == files
    # Digests depend on the configuration: another one trusts none of them.
    assert BuildState(paths, replace(Config(), title="Other")).lookup.files == {}
    paths.state.known_files.write_bytes(b"garbage")
    assert BuildState(paths, Config()).lookup.files == {}


def _loaded(used=None, fresh=None, files=None, problems=()) -> Loaded:
    """What a load found, as far as the build state is concerned."""
    return Loaded((), (), (), (), tuple(problems), used or {}, fresh or {}, files or {})



def test_many_items_with_shared_parts_survive_the_round_trip(make_site):
    """Real loaded posts and threads, more than one batch of them, as a build stores them."""
    from sitegen.build import build
    from sitegen.config import BuildOptions

    from helpers import post, thread

    files = {f"content/posts/2010-01-{n % 28 + 1:02d}-post-{n}.md": post(f"Post {n}", date=None)
             for n in range(450)}
    files["content/comments/2010-01-01-post-0.yml"] = thread(
        {"id": "a", "author": "Ana", "date": "2010-02-01 10:00", "body": "Hi"})
    site = make_site(files)
    build(site.paths, BuildOptions())
    items = ItemStore(site.root / ".sitegen/items").load()
    assert len(items) == 451
    assert {item.title for item in items.values() if hasattr(item, "title")} == {
        f"Post {n}" for n in range(450)}


def _threaded_site(make_site, threads: list[list[str]]):
    """Post n (newer as n grows) with a thread of comments dated threads[n]."""
    from helpers import post, thread

    files = {}
    for n, dates in enumerate(threads):
        stem = f"2010-01-{n + 1:02d}-post-{n}"
        files[f"content/posts/{stem}.md"] = post(f"Post {n}", date=None)
        files[f"content/comments/{stem}.yml"] = thread(*(
            {"id": f"c{k}", "author": "Ana", "date": date, "body": f"Comment {k} on *post {n}*",
             **({"replyto": "c0"} if k == 2 else {})}
            for k, date in enumerate(dates)))
    return make_site(files)


def _model(site):
    from sitegen.config import BuildOptions, load_config
    from sitegen.site import make_site

    items = ItemStore(site.root / ".sitegen/items").load()
    config = load_config(site.paths)
    return make_site(load(site.paths, config, Lookup(items, {})), config, BuildOptions())


def test_threads_read_back_unpack_their_comments_only_when_asked(make_site):
    from sitegen.build import build
    from sitegen.commentmarkup import CommentRenderer
    from sitegen.comments import load_thread
    from sitegen.config import BuildOptions, load_config
    from sitegen.state import StoredThread

    site = _threaded_site(make_site, [["2011-01-01 10:00", "2011-03-01 10:00", "2011-02-01 10:00"]])
    build(site.paths, BuildOptions())
    stored = next(iter(_model(site).threads.values()))
    assert isinstance(stored, StoredThread)
    assert (stored.count, stored.latest.month) == (3, 3)
    assert "comments" not in vars(stored)  # not unpacked by loading the model
    fresh = load_thread(stored.source, stored.source.read_bytes(), load_config(site.paths),
                        CommentRenderer())
    assert (stored.comments, stored.roots) == (fresh.comments, fresh.roots)
    assert (stored.source_digest, stored.stem, stored.warnings) == (
        fresh.source_digest, fresh.stem, fresh.warnings)


def test_the_comments_feed_from_stored_threads_is_the_newest_of_all_comments(make_site):
    """Only the threads that can hold one of the newest comments are unpacked; the feed is
    still the first 20 of all comments sorted newest first, equal dates in site order."""
    from sitegen.build import build
    from sitegen.config import BuildOptions
    from sitegen.pages import plan

    site = _threaded_site(make_site, [
        ["2011-05-01 10:00"] * 19 + ["2011-01-01 10:00"],  # its last is the 20th newest...
        ["2011-01-01 10:00"],  # ...and so is this one, which comes first on the site
        ["2010-06-01 10:00"] * 3,  # too old for the feed: left packed
    ])
    build(site.paths, BuildOptions())
    model = _model(site)
    feed = next(page for page in plan(model) if page.url == "/comments/feed.xml")
    assert [thread.stem for thread in model.threads.values() if "comments" in vars(thread)] == [
        "2010-01-01-post-0", "2010-01-02-post-1"]
    everything = [(comment, post) for post in model.posts
                  for comment in model.thread(post).comments]
    newest = sorted(everything, key=lambda pair: pair[0].date, reverse=True)[:20]
    assert [(entry.comment.id, entry.post.url) for entry in feed.context["entries"]] == [
        (comment.id, post.url) for comment, post in newest]
    assert (newest[-1][0].id, newest[-1][1].title) == ("c0", "Post 1")


def test_a_build_state_commits_what_was_loaded_afresh_once(tmp_path):
    paths = SitePaths.at(tmp_path)
    state = BuildState(paths, Config())
    state.commit(_loaded(used={"a": 1, "b": 2}, fresh={"b": 2}))
    state.commit(_loaded(used={"c": 3}, fresh={"c": 3}))  # a second commit does nothing
    assert ItemStore(paths.state.items).load() == {"b": 2}
    assert BuildState(paths, Config()).lookup.items == {"b": 2}
    assert BuildState(paths, Config(), clean=True).lookup == Lookup({}, {})


def test_a_memory_holds_what_the_last_build_used_and_after_errors_what_it_had(tmp_path):
    paths = SitePaths.at(tmp_path)
    memory = Memory({"old": 0})
    state = BuildState(paths, Config(), memory=memory)
    assert state.lookup.items == {"old": 0}  # not read from the store
    state.commit(_loaded(used={"a": 1}, fresh={"a": 1}))
    assert memory.items == {"a": 1}
    failed = BuildState(paths, Config(), memory=memory)
    failed.commit(_loaded(used={"b": 2}, fresh={"b": 2}, problems=[Problem("bad")]))
    assert memory.items == {"a": 1, "b": 2}


def test_the_manifest_is_read_only_with_its_owners_token(tmp_path):
    paths = SitePaths.at(tmp_path)
    paths.state.made()
    record = Record("token", "site", ("index.html",), {"index.html": ("digest", "hash")})
    BuildState(paths, Config()).write_manifest(record)
    state = BuildState(paths, Config())
    assert state.read_manifest("token") == record
    assert state.read_manifest("other") is None and state.read_manifest(None) is None


def test_every_state_file_that_is_damaged_or_foreign_reads_as_absent(tmp_path):
    path = tmp_path / "state.pickle"
    assert read_state(path, ("format", 1)) is None  # missing
    write_state(path, ("format", 1), {"a": 1})
    assert read_state(path, ("format", 1)) == {"a": 1}
    assert read_state(path, ("format", 2)) is None  # another format or version
    path.write_bytes(path.read_bytes()[:-3])  # cut short
    assert read_state(path, ("format", 1)) is None
    path.write_bytes(pickle.dumps(("format", 1)) + pickle.dumps(_Unknown, protocol=0)
                     .replace(b"_Unknown", b"_Gone"))  # a class that no longer exists
    assert read_state(path, ("format", 1)) is None


class _Unknown:
    pass
