"""output.py on its own: staging, keeping unchanged files, all-or-nothing commits, and the
folders it refuses."""

from __future__ import annotations

import pytest

from sitegen.config import Config
from sitegen.errors import SitegenError
from sitegen.layout import SitePaths
from sitegen.output import Output, check_output_folder
from sitegen.state import BuildState


def output(paths: SitePaths, clean: bool = False) -> Output:
    return Output(paths, BuildState(paths, Config()), clean)


def files(folder) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in folder.rglob("*") if path.is_file()}


def first_build(paths: SitePaths) -> None:
    with output(paths) as out:
        out.put("index.html", "d1", b"home")
        out.put("a/index.html", "d2", b"a")
        out.commit("site", ("index.html", "a/index.html"))


def test_a_first_build_makes_the_folder_whole(tmp_path):
    paths = SitePaths.at(tmp_path)
    first_build(paths)
    assert files(paths.output) == {"index.html": b"home", "a/index.html": b"a"}
    assert paths.private.output_owner(paths.output).read_text().startswith("build ")


def test_a_current_file_is_kept_and_an_unclaimed_one_removed(tmp_path):
    paths = SitePaths.at(tmp_path)
    first_build(paths)
    before = (paths.output / "index.html").stat().st_mtime_ns
    with output(paths) as out:
        assert out.current("index.html", "d1") and not out.current("a/index.html", "other")
        assert out.put("b.html", "d3", b"b")
        changes = out.commit("site2", ("index.html", "b.html"))
    assert (changes.written, changes.deleted) == (("b.html",), ("a/index.html",))
    assert files(paths.output) == {"index.html": b"home", "b.html": b"b"}
    assert (paths.output / "index.html").stat().st_mtime_ns == before


def test_the_same_bytes_are_not_written_again(tmp_path):
    paths = SitePaths.at(tmp_path)
    first_build(paths)
    with output(paths) as out:
        assert not out.put("index.html", "new digest", b"home")


def test_leaving_without_commit_changes_nothing(tmp_path):
    paths = SitePaths.at(tmp_path)
    first_build(paths)
    before = files(paths.output)
    with output(paths) as out:
        out.put("index.html", "d9", b"changed")
    assert files(paths.output) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".output")] == []


@pytest.mark.parametrize("path", ["../escape.html", "a/../../escape.html", "/etc/x"])
def test_a_path_outside_the_output_is_refused(tmp_path, path):
    with output(SitePaths.at(tmp_path)) as out, pytest.raises(SitegenError, match="outside"):
        out.put(path, "d", b"x")


def test_a_first_build_makes_each_folder_once_from_the_top_and_no_folder_over_a_file(
        tmp_path):
    paths = SitePaths.at(tmp_path)
    with output(paths) as out:
        (out.staging / "2010").mkdir()  # as another worker process would have
        out.put("2010/08/31/post/index.html", "d1", b"post")
        out.put("2010/08/31/other/index.html", "d2", b"other")
        out.put("2010/09/01/third/comments.xml", "d3", b"feed")
        out.put("tags", "d4", b"a file")
        with pytest.raises(SitegenError, match="cannot stage"):
            out.put("tags/bread/index.html", "d5", b"needs a folder where a file is")
        out.commit("site", ("2010/08/31/post/index.html", "2010/08/31/other/index.html",
                            "2010/09/01/third/comments.xml", "tags"))
    assert files(paths.output) == {
        "2010/08/31/post/index.html": b"post", "2010/08/31/other/index.html": b"other",
        "2010/09/01/third/comments.xml": b"feed", "tags": b"a file"}


@pytest.mark.parametrize("where, expected", [
    ("content/out", "inside the site's content/ folder"),
    (".sitegen/out", "inside the site's .sitegen/ folder"),
    ("private/out", "inside the site's private/ folder"),
    (".", "holds the site itself"),
])
def test_folders_the_build_reads_or_keeps_are_refused(tmp_path, where, expected):
    with pytest.raises(SitegenError, match=expected):
        check_output_folder(SitePaths.at(tmp_path, tmp_path / where))


def test_a_foreign_folder_is_refused_and_an_empty_one_taken(tmp_path):
    (tmp_path / "output").mkdir()
    check_output_folder(SitePaths.at(tmp_path))
    (tmp_path / "output/mine.txt").write_text("mine")
    with pytest.raises(SitegenError, match="was not written by sitegen"):
        check_output_folder(SitePaths.at(tmp_path))
