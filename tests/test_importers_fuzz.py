"""Hypothesis over the HTML an export may hold: converting it never fails, and what it
becomes renders as a post and as a comment. A fixed, small budget keeps it fast in CI."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen.comments import CommentRenderer
from sitegen.importers.convert import autop, comment_markdown, to_markdown
from sitegen.pythonmarkdown import MarkdownRenderer

TAGS = ("div", "p", "ul", "ol", "li", "blockquote", "table", "tr", "td", "th", "b", "a",
        "pre", "code", "font", "span", "h2", "iframe", "dl", "dd")
URLS = ("https://x.example/a_b", "http://[::1", "http://x:99999/", "javascript:alert(1)",
        "/relative", "")
TEXT = st.text(alphabet="ab <>&*_#-1.|`[]()\n", max_size=12)


def _element(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    attribute = st.sampled_from(URLS).map(lambda url: f' href="{url}" src="{url}"')
    return st.builds(lambda tag, attrs, inner, closed: f"<{tag}{attrs}>{inner}"
                     + (f"</{tag}>" if closed else ""),
                     st.sampled_from(TAGS), attribute | st.just(""),
                     st.lists(children, max_size=3).map("".join), st.booleans())


HTML = st.recursive(TEXT, _element, max_leaves=40)
DEEP = st.builds(lambda tag, depth, text: f"<{tag}>" * depth + text,
                 st.sampled_from(TAGS), st.integers(150, 1500), TEXT)


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(HTML, DEEP))
def test_any_html_converts_and_renders(html):
    posts, comments = MarkdownRenderer(), CommentRenderer()
    for converted in (to_markdown(html), to_markdown(autop(html)), comment_markdown(html)):
        posts.convert(converted.markdown)
        comments.convert(converted.markdown)
