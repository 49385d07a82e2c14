"""WordPress's own shortcodes made into what WordPress showed: galleries of the post's
uploads (listed after the post in the export), audio and video players, embeds; a plugin's
shortcode kept as text and counted."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from sitegen.importers.shortcodes import Attachment, attributes, expand

from import_support import import_into, new_site, read

HILL = "http://old.example/wp-content/uploads/hill.jpg"
RIVER = "http://old.example/wp-content/uploads/river.png"


@pytest.mark.parametrize(("text", "expected"), [
    (' ids="1,2" columns=3', {"ids": "1,2", "columns": "3"}),
    (" link='file' Size=\"large\"", {"link": "file", "size": "large"}),
    (" https://x.example/a.mp3 loop", {"0": "https://x.example/a.mp3", "1": "loop"}),
    (' "quoted words" x=1', {"0": "quoted words", "x": "1"}),
    ("", {}),
])
def test_attributes_are_read_as_wordpress_reads_them(text, expected):
    assert attributes(text) == expected


def test_a_gallery_without_images_and_a_player_without_a_file_show_nothing():
    unknown: Counter[str] = Counter()
    song = Attachment("9", "1", "http://old.example/song.mp3", "Song", "", 0)
    body = expand("a [gallery] b [video] c [audio]", [song], {"9": song}, unknown)
    assert body == ('a  b  c \n\n<audio controls src="http://old.example/song.mp3"></audio>'
                    "\n\n")
    assert unknown == Counter()


@pytest.fixture
def walk(make_site):
    site = new_site(make_site)
    report = import_into(site, "wordpress", "wordpress-media.xml")
    return site, report


def test_shortcodes_become_galleries_players_and_links(walk):
    site, _ = walk
    text = read(site, "content/posts/2013-05-01-walk.md")
    river, hill = f"![The river]({RIVER})", f'![A green hill & a "cloud"]({HILL})'
    # The post's own images in their upload order, then the two that `ids` names, in its order.
    assert text.count(f"{river} {hill}") == 2
    assert '<audio controls="" src="http://old.example/wp-content/uploads/wind.mp3"></audio>' \
        in text
    # [video] without a file plays the post's own video.
    assert '<video controls="" src="http://old.example/wp-content/uploads/walk.mp4"></video>' \
        in text
    assert "<https://vimeo.com/12345>" in text
    assert '[contact-form-7 id="3" title="Say hello"] and [sic] in prose.' in text
    assert not re.search(r"\[(gallery|audio|video|embed)", text)
    site.build()
    page = site.page("/2013/05/01/walk/")
    assert page.count(f'<img alt="The river" src="{RIVER}" />') == 2
    assert '<img alt="A green hill &amp; a &quot;cloud&quot;"' in page
    assert '<a href="https://vimeo.com/12345">https://vimeo.com/12345</a>' in page


def test_what_stays_text_is_counted_and_the_uploads_are_left_out(walk):
    _, report = walk
    assert report.summary() == (
        "imported 1 post, 0 drafts, 0 pages and 0 comments from 4 entries\n"
        "kept differently:\n"
        "  what looks like a plugin's shortcode, kept as text: [contact-form-7]: 1\n"
        "  what looks like a plugin's shortcode, kept as text: [sic]: 1\n"
        "left out:\n"
        "  attachments: 3"
    )
