"""Math in posts: TeX becomes MathML at build time, shown by the browser with no script;
dollars in prose stay dollars; bad TeX stops the build at its line; comments hold no math."""

from __future__ import annotations

import pytest
from browser import static_server
from bs4 import BeautifulSoup

from conftest import REPO
from helpers import post, run_sitegen, thread

URL = "/2020/01/01/euler/"
# The default theme's own scripts, for comments; the page needs nothing else.
THEME_SCRIPTS = {path.name for path in (REPO / "themes/default/static").glob("*.js")}
BODY = """\
Euler's identity, $e^{i\\pi} + 1 = 0$, and the ratio \\(\\frac{a}{b}\\) inline.

$$
\\frac{n(n+1)}{2} = \\sum_{k=1}^{n} k
$$

\\[
a^2 + b^2 = c^2
\\]

Bread costs $5 and butter $10; a dinner is $20-$30. Escaped: \\$x\\$. Code: `$y$`.
"""


@pytest.fixture
def math_site(make_site):
    site = make_site({
        "content/posts/2020-01-01-euler.md": post("Euler", date=None, body=BODY),
        "content/comments/2020-01-01-euler.yml": thread(
            {"id": "c1", "author": "Ana", "date": "2020-01-02 10:00", "body": "So $x^2$ then?"}),
    })
    site.build()
    return site


def test_every_kind_of_delimiter_becomes_mathml(math_site):
    page = BeautifulSoup(math_site.page(URL), "html.parser")
    content = page.select_one(".entry-content")
    maths = content.find_all("math")
    assert [m["display"] for m in maths] == ["inline", "inline", "block", "block"]
    assert maths[0].find("msup") and maths[1].find("mfrac")
    assert maths[2].find("munderover").find("mo").get_text() == "∑"
    assert [m.parent.name for m in maths[2:]] == ["div", "div"]  # a box that scrolls
    assert "\\frac" not in content.get_text() and "$$" not in content.get_text()


def test_dollars_in_prose_and_code_stay_as_written(math_site):
    text = BeautifulSoup(math_site.page(URL), "html.parser").select_one(".entry-content")
    prose = text.find_all("p")[-1]
    assert prose.find("math") is None
    written = "Bread costs $5 and butter $10; a dinner is $20-$30. Escaped: $x$. Code: $y$."
    assert prose.get_text() == written


def test_comments_are_not_math(math_site):
    comment = BeautifulSoup(math_site.page(URL), "html.parser").select_one("#comment-c1")
    assert comment.find("math") is None
    assert "So $x^2$ then?" in comment.get_text()


def test_invalid_tex_stops_the_build_naming_file_and_line(make_site):
    body = "Fine: $x$.\n\nBroken: $\\frac{1}{$ here,\nand $\\nosuchcommand{2}$.\n"
    site = make_site({"content/posts/2020-01-01-bad.md": post("Bad", date=None, body=body),
                      "content/posts/2020-01-02-ok.md": post("Ok", date=None)})
    result = run_sitegen("build", "--site", str(site.root), cwd=site.root)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "error: content/posts/2020-01-01-bad.md:6: invalid TeX '\\frac{1}{': a '{' is never closed",
        "error: content/posts/2020-01-01-bad.md:7: invalid TeX '\\nosuchcommand{2}': "
        "unknown command \\nosuchcommand",
    ]
    assert not site.output.exists()


def test_invalid_tex_in_a_summary_names_its_line(make_site):
    site = make_site({"content/posts/2020-01-01-bad.md": post(
        "Bad", date=None, summary="'Sums: $x^$'")})
    result = run_sitegen("build", "--site", str(site.root), cwd=site.root)
    assert result.stderr.splitlines() == [
        "error: content/posts/2020-01-01-bad.md:3: invalid TeX 'x^': ^ or _ has nothing after it"]


def test_the_browser_shows_the_math_with_javascript_off(browser, math_site):
    """Chromium lays MathML out itself: the fraction's numerator sits above its
    denominator with scripts disabled, and the page loads no script to do it."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    with static_server(math_site.output) as base:
        page.goto(base + URL)
        fraction = page.locator(".entry-content .math mfrac").first
        numerator, denominator = (fraction.locator(":scope > *").nth(i).bounding_box()
                                  for i in (0, 1))
        assert numerator["y"] + numerator["height"] <= denominator["y"] + 1
        assert fraction.bounding_box()["height"] > numerator["height"] + denominator["height"] - 2
        sources = page.eval_on_selector_all("script[src]", "all => all.map(s => s.src)")
        assert {s.rsplit("/", 1)[1] for s in sources} <= THEME_SCRIPTS
    context.close()
