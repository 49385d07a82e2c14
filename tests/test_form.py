"""form: a reader's form checked field by field into a PendingComment, without a server."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import pytest
from intake_support import CLOSED, DRAFT, OPEN, comment_site

from sitegen.comments_server.form import Checker, PostIndex, Refusal, clean
from sitegen.config import load_config

from helpers import post


def checker(site) -> Checker:
    return Checker(site.paths, load_config(site.paths))


def form(**fields) -> dict[str, str]:
    return {"post": OPEN, "author": "Bea", "body": "Nice.", **fields}


def test_a_good_form_becomes_a_pending_comment_with_clean_text(make_site):
    site = comment_site(make_site)
    comment, target = checker(site).check(
        form(author="  Bea \t Q ", body="Line\r\none\u202e\r\n\r\n", url=" https://b.example ",
             replyto="first"), "hash")
    assert (target.stem, target.url, target.open, target.title) == (
        OPEN, "/2010/08/31/hello/", True, "Hello")
    assert (comment.post, comment.author, comment.body, comment.url, comment.replyto) == (
        OPEN, "Bea Q", "Line\none", "https://b.example", "first")
    assert (comment.ip_hash, comment.source, comment.email) == ("hash", "web", None)
    assert comment.thread_entry().as_mapping()["author"] == "Bea Q"


@pytest.mark.parametrize(("fields", "status", "field"), [
    ({"post": "2099-01-01-none"}, 404, "post"),
    ({"post": DRAFT}, 404, "post"),
    ({"post": CLOSED}, 403, "post"),
    ({"post": "../x"}, 404, "post"),
    ({"author": "\x00 "}, 400, "author"),
    ({"body": "\n\n"}, 400, "body"),
    ({"email": "not-an-address"}, 400, "email"),
    ({"url": "javascript:alert(1)"}, 400, "url"),
    ({"replyto": "nobody"}, 400, "replyto"),
])
def test_each_bad_field_is_refused_and_named(make_site, fields, status, field):
    with pytest.raises(Refusal) as refused:
        checker(comment_site(make_site)).check(form(**fields), "hash")
    assert (refused.value.status, refused.value.field) == (status, field)


def test_a_reply_named_only_in_the_referring_address_is_taken_if_in_the_thread(make_site):
    check = checker(comment_site(make_site))
    page = "https://example.org/2010/08/31/hello/?replyto="
    assert check.check(form(), "h", page + "first")[0].replyto == "first"
    assert check.check(form(), "h", page + "nobody")[0].replyto is None
    assert check.check(form(), "h", "http://[::1")[0].replyto is None


def test_a_post_becomes_open_to_comments_when_its_date_comes(make_site):
    site = comment_site(make_site)
    index = PostIndex(site.paths, load_config(site.paths))
    site.write("content/posts/2030-01-01-later.md", post("Later", date="2030-01-01 10:00"))
    due = datetime.fromisoformat("2030-01-01T10:00:00+00:00")
    assert index.post("2030-01-01-later", due - timedelta(seconds=1)) is None
    assert index.post("2030-01-01-later", due).title == "Later"


def test_an_edited_post_is_read_again(make_site):
    site = comment_site(make_site)
    index = PostIndex(site.paths, load_config(site.paths))
    now = datetime.fromisoformat("2026-01-01T00:00:00+00:00")
    assert index.post(OPEN, now).open
    time.sleep(0.01)
    site.write(f"content/posts/{OPEN}.md", post("Hello", body="x", comments="closed"))
    assert not index.post(OPEN, now).open


def test_clean_keeps_tabs_and_newlines_and_drops_controls():
    assert clean("a\r\nb\rc\td\x07e\u2066f") == "a\nb\nc\tdef"
