"""The stored cache of loaded items: segments that are added to and compacted."""

from __future__ import annotations

import pickle

from sitegen.cache import ItemStore, read_known, write_known


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
    path = tmp_path / "files.pickle"
    write_known(path, "key-1", {"/site/content/posts/a.md": ((1, 2, 3, 4), "digest")})
    assert read_known(path, "key-1") == {"/site/content/posts/a.md": ((1, 2, 3, 4), "digest")}
    assert read_known(path, "key-2") == {}
    path.write_bytes(b"garbage")
    assert read_known(path, "key-1") == {}


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
    build(site.paths, BuildOptions(), jobs=1)
    items = ItemStore(site.root / ".sitegen/items").load()
    assert len(items) == 451
    assert {item.title for item in items.values() if hasattr(item, "title")} == {
        f"Post {n}" for n in range(450)}
