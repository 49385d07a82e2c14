"""site.py: the model as a pure function of what was loaded and of the run's options."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from sitegen.config import BuildOptions, Config
from sitegen.errors import ContentError, Problem
from sitegen.load import load
from sitegen.site import make_site

from helpers import post, thread

NOW = datetime(2011, 1, 1, tzinfo=UTC)


@pytest.fixture
def loaded(make_site):
    site = make_site({
        "content/posts/2010-03-01-old.md": post("Old", date="2010-03-01 10:00", tags="[Bread]"),
        "content/posts/2010-03-20-mid.md": post("Mid", date="2010-03-20 10:00", tags="[bread]"),
        "content/posts/2010-05-01-new.md": post("New", date="2010-05-01 10:00", tags="[Jam]"),
        "content/posts/2010-06-01-draft.md": post("Draft", date="2010-06-01 10:00",
                                                  draft="true"),
        "content/posts/2012-01-01-later.md": post("Later", date="2012-01-01 10:00"),
        "content/comments/2009-01-01-gone.yml": thread(
            {"id": "c1", "author": "Ana", "date": "2009-01-02 10:00", "body": "Hi"}),
    })
    return load(site.paths, Config())


def test_posts_are_newest_first_without_drafts_and_scheduled_ones(loaded):
    site = make_site(loaded, Config(), BuildOptions(now=NOW))
    assert [p.title for p in site.posts] == ["New", "Mid", "Old"]
    assert site.scheduled.title == "Later"
    everything = make_site(loaded, Config(), BuildOptions(now=NOW, drafts=True, future=True))
    assert [p.title for p in everything.posts] == ["Later", "Draft", "New", "Mid", "Old"]
    assert everything.scheduled is None


def test_tags_are_one_per_slug_named_as_first_written(loaded):
    site = make_site(loaded, Config(), BuildOptions(now=NOW))
    assert [(t.name, t.url, [p.title for p in t.posts]) for t in site.tags] == [
        ("Bread", "/tags/bread/", ["Mid", "Old"]), ("Jam", "/tags/jam/", ["New"])]


def test_years_and_months_group_the_posts_shown(loaded):
    site = make_site(loaded, Config(), BuildOptions(now=NOW))
    assert [(y.url, [(m.url, len(m.posts)) for m in y.months]) for y in site.years] == [
        ("/2010/", [("/2010/05/", 1), ("/2010/03/", 2)])]
    older, newer = site.neighbours(1)
    assert (older.title, newer.title) == ("Old", "New")


def test_a_thread_without_its_post_is_a_warning_naming_its_file(loaded):
    site = make_site(loaded, Config(), BuildOptions(now=NOW))
    [warning] = site.warnings
    assert warning.path.name == "2009-01-01-gone.yml"
    assert "no post content/posts/2009-01-01-gone.md" in warning.message


def test_problems_from_loading_stop_the_model(loaded):
    with pytest.raises(ContentError) as caught:
        make_site(replace(loaded, problems=(Problem("bad"),)), Config(), BuildOptions())
    assert caught.value.problems == (Problem("bad"),)


def test_the_model_is_the_same_for_the_same_input(loaded):
    options = BuildOptions(now=NOW)
    assert make_site(loaded, Config(), options) == make_site(loaded, Config(), options)
