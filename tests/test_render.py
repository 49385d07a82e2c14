"""The renderer's own helpers: links made relative to a page or rooted under the site's
path, the first image of a page for link previews, and the shortcuts it takes through
Jinja's escaping and translation, each checked against what it replaces."""

from __future__ import annotations

import jinja2
import markupsafe
import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup

from sitegen.config import Config
from sitegen.i18n import Language
from sitegen.render import (
    _NOT_XML,
    _PATH_LINK,
    _ROOT_LINK,
    _environment,
    _escape,
    _site_links,
    _srcset_links,
    first_image,
    relative_links,
    rooted_links,
    xml_bytes,
)

PAGE = "https://example.org/blog/2010/08/31/post/"


@pytest.mark.parametrize(("html", "image"), [
    ('<p><img alt="a" src="/static/loaf.jpg" /></p>', "https://example.org/static/loaf.jpg"),
    ('<img src="crumb.png"><img src="/second.png">', f"{PAGE}crumb.png"),
    ('<img\nclass="x" src="https://cdn.example/a.jpg?w=1&amp;h=2">',
     "https://cdn.example/a.jpg?w=1&h=2"),
    ('<p>No picture, only <a href="/img.png">a link</a>.</p>', ""),
])
def test_the_first_image_is_found_and_made_absolute(html, image):
    assert first_image(html, PAGE) == image


def test_site_links_become_relative_to_the_page_or_rooted_under_the_sites_path():
    html = '<a href="/">home</a> <link href="/static/s.css"> <a href="//cdn.example/x">x</a>'
    assert relative_links(html, "2010/08/31/post/index.html") == (
        '<a href="../../../../">home</a> <link href="../../../../static/s.css"> '
        '<a href="//cdn.example/x">x</a>')
    assert relative_links(html, "index.html") == (
        '<a href="./">home</a> <link href="static/s.css"> <a href="//cdn.example/x">x</a>')
    assert rooted_links(html, "/blog/") == (
        '<a href="/blog/">home</a> <link href="/blog/static/s.css"> '
        '<a href="//cdn.example/x">x</a>')
    assert rooted_links(html, "/") == html


class _Shown:
    def __html__(self) -> str:
        return "<b>shown</b>"


class _Marked(Markup):
    def __html__(self) -> Markup:
        return Markup("<i>marked</i>")


@given(st.one_of(st.text(), st.text().map(Markup), st.integers(), st.floats(),
                 st.none(), st.just(_Shown()), st.text().map(_Marked)))
def test_the_templates_escape_gives_what_markupsafe_gives(value):
    # The text markupsafe's escape gives; as plain text (str) where the value was text, since
    # the templates only write it out.
    escaped = _escape(value)
    assert str(escaped) == str(markupsafe.escape(value))
    assert type(escaped) in (str, Markup)


def _rendered(source: str, autoescape: bool, **context) -> str:
    language = Language("en", [], None)
    env = _environment([], Config(), None, language)
    env.autoescape = autoescape
    return env.from_string(source).render(**context)


@pytest.mark.parametrize("autoescape", [True, False])
def test_translation_calls_inside_loops_and_blocks_render_as_jinjas_own(autoescape):
    """`_` and `ngettext` take only the evaluation context; what they give must be what the
    i18n extension's functions give, whose context Jinja derives in loops and blocks."""
    source = ('{% for name in names %}{% set who %}<b>{{ name }}</b>{% endset %}'
              '{{ _("by %(author)s", author=who) }}|{{ _("by %(author)s", author=name) }}|'
              '{{ ngettext("%(num)d reply to %(who)s", "%(num)d replies to %(who)s", '
              'loop.index, who=name) }}|{{ _("<em>plain</em>") }}|'
              '{{ _("%(n)d%% by %(who)s, %%(who)s", n=loop.index, who=name) }}|'
              '{{ _("%(who)s (%(n)s)", who=name, n=loop.index) }};{% endfor %}')
    names = ["Ana", "<script>x</script>", "Bo & Co", Markup("<b>Bo</b>"), 5, _Shown()]
    ours = _rendered(source, autoescape, names=names)
    jinjas = jinja2.Environment(autoescape=autoescape, extensions=["jinja2.ext.i18n"])
    jinjas.install_null_translations(newstyle=True)
    assert ours == jinjas.from_string(source).render(names=names)
    assert ("&lt;script&gt;" in ours) is autoescape


class _Callable:
    @jinja2.pass_context
    def __call__(self, context, value):
        return f"{value} in {context.name}"


def _stops():
    raise StopIteration


def test_calls_from_templates_pass_what_jinjas_own_context_passes():
    """`_Context.call` takes a shortcut for plain functions and macros; functions marked to
    take the context, the evaluation context or the environment, callable objects, macros
    called with `caller`, and a StopIteration must come out as Jinja's own call makes them."""
    source = (
        '{% macro shout(word, end="!") %}{{ word | upper }}{{ end }}'
        '{{ caller() if caller is defined }}{% endmacro %}'
        '{% for word in words %}{% set local = word ~ loop.index %}'
        '{{ with_context(word) }}|{{ with_eval(word) }}|{{ with_env(word) }}|'
        '{{ plain(word, sep="-") }}|{{ shout(word) }}|{{ shout(word, end="?") }}|'
        '{% call shout(word) %}+{{ local }}{% endcall %}|{{ callable_object(word) }}|'
        '{{ words.index(word) }}|{{ stops() is undefined }}|{{ range(2) | list }};'
        '{% endfor %}{% block tail %}{{ with_context("block") }}{% endblock %}')
    functions = {
        "with_context": jinja2.pass_context(
            lambda context, value: f"{value}:{context.get('local')}:{context.name}"),
        "with_eval": jinja2.pass_eval_context(
            lambda context, value: f"{value}:{context.autoescape}"),
        "with_env": jinja2.pass_environment(
            lambda env, value: f"{value}:{isinstance(env, jinja2.Environment)}"),
        "plain": lambda value, sep: sep.join(value),
        "callable_object": _Callable(),
        "stops": _stops,
    }
    words = ["ab", "<c>"]
    language = Language("en", [], None)
    ours = _environment([], Config(), None, language)
    ours.globals.update(functions)
    jinjas = jinja2.Environment(autoescape=True)
    jinjas.globals.update(functions)
    rendered = ours.from_string(source).render(words=words)
    assert rendered == jinjas.from_string(source).render(words=words)
    assert "ab:ab1:" in rendered and "|0|True|" in rendered  # loop variables, StopIteration


@given(st.lists(st.sampled_from([' href="/', ' src="/', ' action="/', '"', "/", "//", "x",
                                 "\n", " ", '="/', "href", ' srcset="/a 1x, /b 2x"', "\\"]),
                max_size=12).map("".join), st.sampled_from(["../", "../../", "/blog/"]))
def test_links_made_in_one_pass_are_the_links_two_passes_make(html, prefix):
    """Where a link to the root gets the same prefix as the others (every page but those at
    the site's root), one pass replaces both kinds; it must give what the two passes give."""
    fixed = '="' + prefix
    two_passes = _srcset_links(_ROOT_LINK.sub(fixed, _PATH_LINK.sub(fixed, html)), prefix)
    assert _site_links(html, prefix, prefix) == two_passes


@given(st.text(st.one_of(st.characters(max_codepoint=0x7F), st.characters())))
def test_feeds_lose_exactly_the_characters_xml_does_not_allow(text):
    assert xml_bytes(text) == _NOT_XML.sub("", text).encode("utf-8")


def test_a_remembered_macro_is_run_once_for_the_same_arguments_on_every_page():
    """A listing page shows teasers that other listing pages show too: `remembered` makes
    each once, and gives what calling the macro gives."""
    runs = []
    language = Language("en", [], None)
    env = _environment([], Config(), None, language)
    env.loader = jinja2.DictLoader({
        "ui.html": '{% macro card(post) %}<b>{{ count(post) }}{{ post }}</b>{% endmacro %}',
        "list.html": '{% import "ui.html" as ui %}'
                     '{% for post in posts %}{{ remembered(ui.card, post) }}{% endfor %}',
        "plain.html": '{% import "ui.html" as ui %}'
                      '{% for post in posts %}{{ ui.card(post) }}{% endfor %}',
    })
    env.globals["count"] = lambda post: runs.append(post) or ""
    pages = [["a<", "b"], ["b", "c"], ["a<"]]
    remembered = [env.get_template("list.html").render(posts=posts) for posts in pages]
    assert runs == ["a<", "b", "c"]  # each post's card made once, on the first page
    assert remembered == [env.get_template("plain.html").render(posts=posts)
                          for posts in pages]
    assert remembered[0] == "<b>a&lt;</b><b>b</b>"
    # An argument that cannot be remembered by (a list) is shown all the same.
    assert env.get_template("list.html").render(posts=[["x"]]) == "<b>[&#39;x&#39;]</b>"
