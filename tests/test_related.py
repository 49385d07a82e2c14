"""Reading time and related posts: what a reader sees under a post and in its teaser."""

from __future__ import annotations

from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.related import related_indices

from helpers import post


def words(count: int) -> str:
    return " ".join(["loaf"] * count)


def test_reading_time_is_words_over_230_rounded_and_at_least_one(make_site):
    site = make_site({
        "content/posts/2020-01-01-short.md": post("Short", date=None, body=words(40)),
        "content/posts/2020-01-02-long.md": post("Long", date=None, body=words(1000)),
        "content/posts/2020-01-03-half.md": post("Half", date=None, body=words(575)),
    })
    site.build()
    lines = {url: BeautifulSoup(site.page(url), "html.parser").select_one(".dateline")
             for url in ("/2020/01/01/short/", "/2020/01/02/long/", "/2020/01/03/half/")}
    assert [line.select_one(".reading-time").get_text(strip=True) for line in lines.values()] \
        == ["· 1 min read", "· 4 min read", "· 3 min read"]  # 40, 1000/230=4.3, 575/230=2.5
    teasers = BeautifulSoup(site.page("/"), "html.parser").select(".teaser .reading-time")
    assert [t.get_text(strip=True) for t in teasers] == [
        "· 3 min read", "· 4 min read", "· 1 min read"]


def test_related_posts_share_most_tags_then_are_nearest_in_date(make_site):
    site = make_site({
        "content/posts/2020-01-10-rye.md": post("Rye", date=None, tags="[bread, rye, travel]"),
        "content/posts/2020-01-01-near.md": post("Near", date=None, tags="[bread]"),
        "content/posts/2015-01-01-both.md": post("Both", date=None, tags="[Bread, RYE]"),
        "content/posts/2019-06-01-trip.md": post("Trip", date=None, tags="[travel]"),
        "content/posts/2010-01-01-far.md": post("Far", date=None, tags="[bread]"),
        "content/posts/2020-01-09-other.md": post("Other", date=None, tags="[code]"),
    })
    site.build()
    page = BeautifulSoup(site.page("/2020/01/10/rye/"), "html.parser")
    section = page.select_one("section.related")
    assert section.h2.get_text() == "Related posts"
    assert [a.get_text() for a in section.select("li a")] == ["Both", "Near", "Trip"]
    assert section.select_one("li time")["datetime"].startswith("2015-01-01")
    lonely = BeautifulSoup(site.page("/2020/01/09/other/"), "html.parser")
    assert lonely.select_one("section.related") is None  # no shared tag, no list


def brute_force(tags: list[set[str]], stamps: list[int], limit: int = 3) -> list[tuple]:
    """The definition, pair by pair: most shared tags, then nearest date, then newer."""
    return [
        tuple(other for *_, other in sorted(
            (-len(mine & theirs), abs(stamps[other] - stamps[index]), other)
            for other, theirs in enumerate(tags) if other != index and mine & theirs)[:limit])
        for index, mine in enumerate(tags)
    ]


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_the_fast_way_agrees_with_the_definition(data):
    count = data.draw(st.integers(0, 30))
    stamps = sorted(data.draw(st.lists(st.integers(0, 10_000), min_size=count,
                                       max_size=count, unique=True)), reverse=True)
    tags = data.draw(st.lists(st.sets(st.sampled_from("abcdef"), max_size=5),
                              min_size=count, max_size=count))
    assert related_indices([tuple(t) for t in tags], stamps) == brute_force(tags, stamps)
