"""thread_edit: one entry of a thread file changed or taken out, every other byte kept, in
files laid out the ways people and other tools write them."""

from __future__ import annotations

import pytest
import yaml

from sitegen.errors import ContentError
from sitegen.thread_edit import Published, edit, find_published, remove

STEM = "2010-08-31-hello"
A = "- id: a\n  author: Ana\n  date: 2010-09-01 10:00\n  body: First\n"
B = "- id: b\n  author: Rui\n  date: 2010-09-02 10:00\n  body: |\n    Two\n\n    # not a comment\n"
C = "- id: c\n  author: Zé\n  date: 2010-09-03 10:00\n  body: Third\n"
LAYOUTS = {
    "plain": (A, B, C, ""),
    "windows line ends": tuple(part.replace("\n", "\r\n") for part in (A, B, C, "")),
    "indented list": tuple("".join("  " + line if line.strip() else line
                                   for line in part.splitlines(keepends=True))
                           for part in (A, B, C, "")),
    "comments between": ("# header\n" + A + "\n# about b\n", B, "# about c\n" + C, ""),
    "no final newline": (A, B, C.rstrip("\n"), ""),
    "byte order mark": ("\ufeff" + A, B, C, ""),
}


def write(tmp_path, text: str):
    from sitegen.layout import SitePaths

    paths = SitePaths.at(tmp_path)
    paths.comments.mkdir(parents=True)
    (paths.comments / f"{STEM}.yml").write_bytes(text.encode("utf-8"))
    return paths


def entries(paths) -> list[dict]:
    return yaml.safe_load((paths.comments / f"{STEM}.yml").read_bytes().decode("utf-8-sig"))


@pytest.mark.parametrize("layout", LAYOUTS.values(), ids=LAYOUTS.keys())
def test_editing_the_middle_entry_keeps_the_others_bytes(tmp_path, layout):
    first, middle, last, _ = layout
    paths = write(tmp_path, first + middle + last)
    assert edit(paths, find_published(paths, "b"), "Changed\ntext")
    data = (paths.comments / f"{STEM}.yml").read_bytes().decode("utf-8")
    assert data.startswith(first) and data.endswith(last)
    assert [e["body"] for e in entries(paths)] == ["First", "Changed\ntext", "Third"]
    assert not edit(paths, find_published(paths, "b"), "Changed\ntext")  # nothing to do


@pytest.mark.parametrize("layout", LAYOUTS.values(), ids=LAYOUTS.keys())
def test_removing_an_entry_leaves_exactly_the_others(tmp_path, layout):
    first, middle, last, _ = layout
    paths = write(tmp_path, first + middle + last)
    remove(paths, find_published(paths, "c"))
    kept = (paths.comments / f"{STEM}.yml").read_bytes().decode("utf-8")
    about_c = "# about c\n" if last.startswith("# about c") else ""
    assert kept == first + middle + about_c
    assert [e["id"] for e in entries(paths)] == ["a", "b"]
    rejected = yaml.safe_load((paths.comments / "rejected" / "c.yml").read_text())
    assert rejected["post"] == STEM and rejected["body"] == "Third"


def test_an_edit_that_would_touch_another_entry_writes_nothing(tmp_path):
    # An anchor in one entry used by the next: replacing the first would break the second.
    text = "- id: a\n  author: &who Ana\n  date: 2010-09-01 10:00\n  body: x\n" \
           "- id: b\n  author: *who\n  date: 2010-09-02 10:00\n  body: y\n"
    paths = write(tmp_path, text)
    with pytest.raises(ContentError, match="edit it by hand"):
        edit(paths, Published(STEM, paths.comments / f"{STEM}.yml", "a"), "new")
    assert (paths.comments / f"{STEM}.yml").read_text() == text
    with pytest.raises(ContentError, match="the new text is empty"):
        edit(paths, find_published(paths, "b"), " \n")
