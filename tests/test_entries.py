"""entries: the one ThreadEntry type, its keys, and checking entries read from a file."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from sitegen.entries import (
    KEYS,
    ThreadEntry,
    authors_by_id,
    check_entry,
    entry_ids,
    read_entries,
)
from sitegen.errors import ContentError
from sitegen.threadfile import appended, dumped

THREAD = Path("content/comments/a.yml")


def test_an_entry_writes_its_keys_in_one_order_and_leaves_empty_ones_out():
    entry = ThreadEntry(id="c1", author="Ana", date="2026-01-01T10:00:00+00:00", body="Hi",
                        replyto="c0", owner=True)
    assert list(entry.as_mapping()) == ["id", "author", "date", "body", "replyto", "owner"]
    assert [key for key in KEYS if key in entry.as_mapping()] == list(entry.as_mapping())
    plain = ThreadEntry(id="c2", author="Bo", date="2026-01-01", body="Yo", url="")
    assert plain.as_mapping() == {"id": "c2", "author": "Bo", "date": "2026-01-01", "body": "Yo"}


def test_dumped_and_appended_entries_read_back_as_written():
    first = ThreadEntry(id="c1", author="Zé", date=datetime(2026, 1, 1, 10, tzinfo=UTC),
                        body="Two\nlines\n", url="https://ze.example")
    second = ThreadEntry(id="c2", author="Bo", date="2026-01-02T10:00:00+00:00", body="x: y",
                         replyto="c1", owner=True)
    data, added = appended(dumped([first]).encode(), [second], THREAD)
    assert added == 1
    assert read_entries(THREAD, data) == [first.as_mapping(), second.as_mapping()]
    assert entry_ids(read_entries(THREAD, data)) == {"c1", "c2"}
    assert appended(data, [second], THREAD) == (data, 0)  # already there: nothing added


def test_an_entry_whose_id_another_comment_has_is_refused():
    data = dumped([ThreadEntry(id="c1", author="Ana", date="2026-01-01", body="Hi")]).encode()
    with pytest.raises(ContentError, match="a different comment with id 'c1'"):
        appended(data, [ThreadEntry(id="c1", author="Bo", date="2026-01-01", body="No")],
                 THREAD)


@pytest.mark.parametrize(("entry", "fault"), [
    ({"author": "A", "date": "2026-01-01", "body": "x"}, "needs an 'id'"),
    ({"id": "a b", "author": "A", "date": "2026-01-01", "body": "x"}, "needs an 'id'"),
    ({"id": "c", "date": "2026-01-01", "body": "x"}, "has no 'author'"),
    ({"id": "c", "author": "A", "date": "2026-02-30", "body": "x"}, "has a bad date"),
    ({"id": "c", "author": "A", "date": "2026-01-01", "body": ["x"]}, "'body' that is not text"),
    ({"id": "c", "author": "A", "date": "2026-01-01", "body": "x", "owner": "yes"},
     "'owner' that is not true or false"),
])
def test_check_entry_names_what_is_wrong(entry, fault):
    _, faults = check_entry(0, entry, UTC, {})
    assert any(fault in found for found in faults), faults


def test_a_removed_placeholder_needs_only_its_date_and_ids_must_be_unique():
    assert check_entry(0, {"id": "c", "date": "2026-01-01", "removed": True}, UTC, {})[1] == []
    label, faults = check_entry(1, {"id": "c", "author": "A", "date": "2026-01-01",
                                    "body": "x"}, UTC, {"c": 3})
    assert label == "comment 'c'" and faults == ["has the same id as the comment at line 3"]


def test_a_thread_file_that_is_not_a_list_is_refused_at_its_first_line():
    with pytest.raises(ContentError) as caught:
        read_entries(THREAD, b"id: 1\n")
    assert caught.value.problems[0].line == 1


def test_authors_by_id_name_each_comment_as_its_file_does():
    """One lookup for moderation, notices and reply mail: a removed comment has no name
    (not "None"), an entry without an id or that is not a mapping is left out, and of two
    entries with one id the first counts."""
    entries = [{"id": "c1", "author": "Ana"}, {"id": 2, "author": 7},
               {"id": "c3", "removed": True}, {"author": "no id"}, "not a mapping",
               {"id": "c1", "author": "Later"}]
    assert authors_by_id(entries) == {"c1": "Ana", "2": "7", "c3": ""}
