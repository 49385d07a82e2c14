"""`sitegen new`: the file it writes loads as the post asked for, and it never overwrites."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from sitegen.config import Config
from sitegen.engines import Engines
from sitegen.errors import ContentError
from sitegen.layout import SitePaths
from sitegen.newpost import new_post, parse_date
from sitegen.posts import load_post

from helpers import run_sitegen

LISBON = Config(timezone="Europe/Lisbon")


def load(path):
    return load_post(path, path.read_bytes(), LISBON, Engines())


def test_the_new_post_is_named_by_date_and_slug_and_loads_as_asked(tmp_path):
    paths = SitePaths.at(tmp_path)
    when = datetime(2026, 3, 14, 9, 30, tzinfo=ZoneInfo("Europe/Lisbon"))
    path = new_post(paths, LISBON, "Rye: a second try!", ("bread", "rye"), when)
    assert path == tmp_path / "content/posts/2026-03-14-rye-a-second-try.md"
    assert path.read_text() == (
        "---\ntitle: 'Rye: a second try!'\ndate: 2026-03-14 09:30\ntags: [bread, rye]\n---\n\n"
    )
    loaded = load(path)
    assert (loaded.title, loaded.date, loaded.tags) == ("Rye: a second try!", when,
                                                         ("bread", "rye"))
    assert loaded.url == "/2026/03/14/rye-a-second-try/"


@pytest.mark.parametrize("title", ["yes", "#1 loaf", "Pão de Ló", "- a list?", "42"])
def test_titles_that_yaml_would_misread_stay_text(tmp_path, title):
    path = new_post(SitePaths.at(tmp_path), LISBON, title,
                    when=datetime(2026, 1, 2, tzinfo=ZoneInfo("Europe/Lisbon")))
    assert load(path).title == title


def test_a_date_with_an_offset_keeps_it(tmp_path):
    when = parse_date("2026-03-14T23:30+09:00", LISBON)
    path = new_post(SitePaths.at(tmp_path), LISBON, "Late", when=when)
    assert path.name == "2026-03-14-late.md"
    assert "date: 2026-03-14T23:30+09:00\n" in path.read_text()
    assert load(path).date == datetime(2026, 3, 14, 23, 30, tzinfo=timezone(timedelta(hours=9)))


def test_without_a_date_it_is_now_in_the_site_time_zone(tmp_path):
    before = datetime.now(ZoneInfo("Europe/Lisbon")).replace(second=0, microsecond=0)
    path = new_post(SitePaths.at(tmp_path), LISBON, "Now")
    after = datetime.now(ZoneInfo("Europe/Lisbon"))
    assert before <= load(path).date <= after


def test_an_existing_post_is_never_overwritten(tmp_path):
    paths = SitePaths.at(tmp_path)
    when = datetime(2026, 3, 14, tzinfo=ZoneInfo("Europe/Lisbon"))
    path = new_post(paths, LISBON, "Twice", when=when)
    path.write_text("my words")
    with pytest.raises(ContentError) as raised:
        new_post(paths, LISBON, "Twice", when=when)
    assert str(raised.value) == (f"{path}: a post of this name already exists; edit it, or "
                                 "choose another title or --date")
    assert path.read_text() == "my words"


@pytest.mark.parametrize("title", ["", "   ", "!!!"])
def test_a_title_without_letters_or_digits_is_refused(tmp_path, title):
    with pytest.raises(ContentError, match="has no letters or digits"):
        new_post(SitePaths.at(tmp_path), LISBON, title)


def test_the_command(tmp_path):
    (tmp_path / "sitegen.toml").write_text('timezone = "Europe/Lisbon"\n')
    args = ("new", "--site", str(tmp_path), "--tags", " bread, ,travel ", "--date",
            "2026-03-14 09:30")
    result = run_sitegen(*args, "Hello again")
    assert result.returncode == 0, result.stderr
    path = tmp_path / "content/posts/2026-03-14-hello-again.md"
    assert result.stdout == f"wrote {path}\n"
    assert load(path).tags == ("bread", "travel")
    again = run_sitegen(*args, "Hello again")
    assert again.returncode == 1
    assert again.stderr == (f"error: {path}: a post of this name already exists; edit it, "
                            "or choose another title or --date\n")
    bad = run_sitegen("new", "--site", str(tmp_path), "--date", "14/03/2026", "Bad date")
    assert bad.returncode == 1
    assert bad.stderr.startswith("error: bad --date '14/03/2026': use YYYY-MM-DD")


def test_a_long_title_gives_a_file_name_the_file_system_takes(tmp_path):
    # Eighty words made a name longer than 255 bytes: a traceback, and no post.
    title = " ".join(["sourdough"] * 80)
    result = run_sitegen("new", "--site", str(tmp_path), "--date", "2026-03-14", title)
    assert result.returncode == 0, result.stderr
    path = tmp_path / f"content/posts/2026-03-14-{'-'.join(['sourdough'] * 6)}.md"
    assert result.stdout == f"wrote {path}\n"
    assert load(path).title == title


def test_a_word_longer_than_a_slug_is_cut(tmp_path):
    when = datetime(2026, 3, 14, tzinfo=ZoneInfo("Europe/Lisbon"))
    path = new_post(SitePaths.at(tmp_path), LISBON, "a" * 300, when=when)
    assert path.name == f"2026-03-14-{'a' * 60}.md"


def test_a_posts_folder_that_is_a_file_is_one_line(tmp_path):
    (tmp_path / "content").mkdir()
    (tmp_path / "content/posts").write_text("oops")
    result = run_sitegen("new", "--site", str(tmp_path), "Hello")
    assert (result.returncode, result.stderr) == (
        1, f"error: {tmp_path / 'content/posts'}: is not a folder\n")


def test_a_date_that_does_not_exist_says_why(tmp_path):
    result = run_sitegen("new", "--site", str(tmp_path), "--date", "2026-02-30", "Hello")
    assert (result.returncode, result.stderr) == (
        1, "error: bad --date '2026-02-30': day is out of range for month\n")
