"""Comment threads: validation, numbering, the reply tree, and sanitising reader text."""

from __future__ import annotations

import pytest

from sitegen.comments import CommentRenderer, safe_url, sanitise
from sitegen.config import BuildOptions
from sitegen.errors import ContentError

from conftest import NOW
from helpers import model, post, thread

POST = "content/posts/2010-08-31-hello.md"
THREAD = "content/comments/2010-08-31-hello.yml"


def c(cid, author="Ana", date="2010-09-01 10:00", body="Nice.", **extra) -> dict:
    return {"id": cid, "author": author, "date": date, "body": body, **extra}


def load(site):
    return model(site.paths, BuildOptions(now=NOW))


def errors(site, monkeypatch) -> list[str]:
    monkeypatch.chdir(site.root)
    with pytest.raises(ContentError) as caught:
        load(site)
    return [str(problem) for problem in caught.value.problems]


def shape(nodes) -> list:
    """The reply tree as nested [id, [replies...]] lists."""
    return [[node.comment.id, shape(node.replies)] for node in nodes]


def test_thread_is_numbered_in_date_order_and_nested_to_any_depth(make_site):
    site = make_site({POST: post("Hello"), THREAD: thread(
        c("b", date="2010-09-02 10:00"),
        c("a", date="2010-09-01 10:00"),
        c("r1", date="2010-09-03 10:00", replyto="a"),
        c("r2", date="2010-09-04 10:00", replyto="r1"),
        c("r3", date="2010-09-05 10:00", replyto="r2"),
        c("r4", date="2010-09-06 10:00", replyto="a"),
    )})
    model = load(site)
    loaded = model.thread(model.posts[0])
    assert [(x.number, x.id) for x in loaded.comments] == [
        (1, "a"), (2, "b"), (3, "r1"), (4, "r2"), (5, "r3"), (6, "r4")
    ]
    assert shape(loaded.roots) == [
        ["a", [["r1", [["r2", [["r3", []]]]]], ["r4", []]]],
        ["b", []],
    ]
    assert loaded.count == 6 and model.comment_count == 6


def test_reply_to_a_missing_comment_is_kept_at_top_level_with_a_warning(make_site, monkeypatch):
    monkeypatch.chdir(make_site().root)
    site = make_site({POST: post("Hello"), THREAD: thread(c("a"), c("b", replyto="gone"))})
    model = load(site)
    assert shape(model.thread(model.posts[0]).roots) == [["a", []], ["b", []]]
    assert [str(w) for w in model.warnings] == [
        f"{THREAD}:5: comment 'b' replies to 'gone', which is not in the thread; "
        "shown at the top level"
    ]


def test_reply_cycles_do_not_lose_comments(make_site):
    site = make_site({POST: post("Hello"), THREAD: thread(
        c("a", replyto="b"), c("b", replyto="a", date="2010-09-02 10:00"),
    )})
    model = load(site)
    assert shape(model.thread(model.posts[0]).roots) == [["a", [["b", []]]]]
    assert len(model.warnings) == 1 and "reply cycle" in str(model.warnings[0])


def test_thread_without_a_post_is_a_warning(make_site, monkeypatch):
    site = make_site({POST: post("Hello"), "content/comments/nobody.yml": thread(c("a"))})
    monkeypatch.chdir(site.root)
    assert [str(w) for w in load(site).warnings] == [
        "content/comments/nobody.yml: no post content/posts/nobody.md for this comment thread"
    ]


def test_every_bad_comment_is_named(make_site, monkeypatch):
    site = make_site({POST: post("Hello"), THREAD: thread(
        c("a"),
        c("a", author="Bo"),
        {"id": "x", "date": "2010-09-01 10:00", "body": "No author"},
        {"id": "y", "author": "Cy", "body": "No date"},
        {"id": "z", "author": "Di", "date": "2010-09-01 10:00"},
        c("bad id!"),
        c("w", date="yesterday"),
    )})
    assert errors(site, monkeypatch) == [
        f"{THREAD}:5: comment 'a' has the same id as the comment at line 1",
        f"{THREAD}:9: comment 'x' has no 'author'",
        f"{THREAD}:12: comment 'y' has no 'date'",
        f"{THREAD}:15: comment 'z' has no 'body'",
        f"{THREAD}:18: comment 'bad id!' needs an 'id' of letters, digits, '-' or '_'",
        f"{THREAD}:22: comment 'w' has a bad date 'yesterday': use YYYY-MM-DD, "
        "YYYY-MM-DD HH:MM or ISO 8601 with an offset",
    ]


def test_the_owners_comments_are_flagged_only_by_a_true_owner_key(make_site, monkeypatch):
    site = make_site({POST: post("Hello"), THREAD: thread(
        c("a"), c("b", author="Inês", replyto="a", owner=True), c("d", owner=False))})
    (found,) = load(site).threads.values()
    assert [(comment.id, comment.owner) for comment in found.comments] == \
        [("a", False), ("b", True), ("d", False)]
    site.write(THREAD, thread(c("a", owner="yes")))
    assert errors(site, monkeypatch) == [
        f"{THREAD}:1: comment 'a' has an 'owner' that is not true or false"]


def test_yaml_errors_name_the_line(make_site, monkeypatch):
    site = make_site({POST: post("Hello"), THREAD: "- id: a\n  author: [Ana\n  body: x\n"})
    [message] = errors(site, monkeypatch)
    assert message.startswith(f"{THREAD}:3: not valid YAML: ")


def test_a_thread_must_be_a_list(make_site, monkeypatch):
    site = make_site({POST: post("Hello"), THREAD: "id: a\nauthor: Ana\n"})
    assert errors(site, monkeypatch) == [
        f"{THREAD}:1: a comment file must be a YAML list of comments ('- id: …')"
    ]


def test_markdown_bodies_keep_the_allowed_markup():
    html = CommentRenderer().convert(
        "Some *emphasis*, **strong**, `code` and a [link](https://example.org).\n\n"
        "> quoted\n\n- one\n- two\n\n```\nblock\n```\n"
    )
    assert "<em>emphasis</em>" in html and "<strong>strong</strong>" in html
    assert "<code>code</code>" in html
    assert '<a href="https://example.org" rel="nofollow ugc">link</a>' in html
    assert "<blockquote>" in html and "<li>one</li>" in html and "<pre><code>block" in html


@pytest.mark.parametrize("payload", [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "<svg onload=alert(1)>",
    '<iframe src="https://evil.example"></iframe>',
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<a href="https://ok.example" onclick="alert(1)">x</a>',
    "<style>body{display:none}</style>",
])
def test_bodies_lose_scripts_handlers_and_bad_urls(payload):
    html = CommentRenderer().convert(payload).lower()
    for forbidden in ("<script", "onerror", "onload", "onclick", "javascript:", "data:",
                      "<svg", "<iframe", "style=", "<style"):
        assert forbidden not in html


def test_sanitise_adds_rel_to_raw_links():
    assert sanitise('<a href="http://x.example" rel="me">x</a>') == (
        '<a href="http://x.example" rel="nofollow ugc">x</a>'
    )


@pytest.mark.parametrize(("url", "kept"), [
    ("https://ana.example", "https://ana.example"),
    ("http://ana.example/blog?x=1", "http://ana.example/blog?x=1"),
    ("javascript:alert(1)", None),
    ("JaVaScRiPt:alert(1)", None),
    ("data:text/html,hi", None),
    ("//evil.example", None),
    ("ana.example", None),
    ('https://x.example/"onmouseover="alert(1)', None),
    (42, None),
])
def test_only_http_author_urls_are_kept(url, kept):
    assert safe_url(url) == kept
