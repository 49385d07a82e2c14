"""HTML from old blogs -> Markdown: what must survive, what must not, and WordPress's
paragraphs-by-blank-lines."""

from __future__ import annotations

import re

import markdown

from sitegen.comments import CommentRenderer
from sitegen.importers.convert import autop, comment_markdown, to_markdown, unwrap_captions
from sitegen.pythonmarkdown import MarkdownRenderer


def rendered(text: str) -> str:
    return MarkdownRenderer().convert(text)[0]


def test_inline_markup_links_and_images_become_markdown():
    html = ('<p>Soft <b>and</b> <i>light</i>, see <a href="https://x.example/a_b">the '
            'recipe</a>.</p><div><a href="big.jpg"><img src="small.jpg" alt="A cake"></a></div>')
    assert to_markdown(html).markdown == (
        "Soft **and** *light*, see [the recipe](https://x.example/a_b).\n\n"
        "[![A cake](small.jpg)](big.jpg)\n"
    )


def test_text_that_looks_like_html_stays_text():
    md = to_markdown("I typed &lt;script&gt;alert(1)&lt;/script&gt; and 1 < 2 &amp; 3 > 2").markdown
    assert md == "I typed &lt;script&gt;alert(1)&lt;/script&gt; and 1 &lt; 2 &amp; 3 &gt; 2\n"
    assert "&lt;script&gt;" in rendered(md) and "<script" not in rendered(md)


def test_markdown_characters_in_text_are_escaped():
    md = to_markdown("<p>* not a list, _not emphasis_</p>").markdown
    assert rendered(md) == "<p>* not a list, _not emphasis_</p>"


def test_inline_scripts_are_dropped_but_script_embeds_are_kept():
    md = to_markdown('<p>Gist:</p><script src="https://gist.github.com/a/1.js"></script>'
                     "<script>document.write('counter')</script>").markdown
    assert md == 'Gist:\n\n<script src="https://gist.github.com/a/1.js"></script>\n'


def test_embedded_video_is_kept_as_raw_html_and_survives_markdown():
    html = '<p>Watch:</p><iframe src="https://www.youtube.com/embed/x1" allowfullscreen></iframe>'
    md = to_markdown(html).markdown
    assert '<iframe allowfullscreen="" src="https://www.youtube.com/embed/x1"></iframe>' in md
    assert "<iframe" in rendered(md)
    for tag in ("video", "audio", "object", "embed"):
        assert f"<{tag}" in to_markdown(f'<{tag} src="m.x"></{tag}>').markdown


def test_simple_tables_become_markdown_and_merged_cells_stay_html():
    simple = to_markdown("<table><tr><th>g</th><th>%</th></tr><tr><td>rye</td><td>20</td></tr>"
                         "</table>").markdown
    assert simple == "| g | % |\n| --- | --- |\n| rye | 20 |\n"
    merged = '<table><tr><td colspan="2">both</td></tr><tr><td>a</td><td>b</td></tr></table>'
    assert to_markdown(merged).markdown == merged + "\n"


def test_code_keeps_its_language_its_blank_lines_and_its_characters():
    html = ('<pre><code class="language-python">def f(x):\n    return x * 2\n\n\n'
            "def g(): pass</code></pre>")
    assert to_markdown(html).markdown == (
        "```python\ndef f(x):\n    return x * 2\n\n\ndef g(): pass\n```\n")
    php = to_markdown('<pre class="brush: php">$a_b = 1;</pre>').markdown
    assert php == "```php\n$a_b = 1;\n```\n"


def test_headings_lists_quotes():
    html = ("<h2>Steps</h2><ol><li>Mix</li><li>Wait<ul><li>longer</li></ul></li></ol>"
            "<blockquote><p>Patience.</p></blockquote>")
    assert to_markdown(html).markdown == (
        "## Steps\n\n1. Mix\n2. Wait\n    - longer\n\n> Patience.\n"
    )


def test_nested_lists_are_indented_as_python_markdown_nests_them():
    html = ("<ol><li>one<ul><li>a</li><li>b<p>more of b</p><ol><li>x</li></ol></li></ul></li>"
            "<li>two</li></ol>")
    md = to_markdown(html).markdown
    assert md == ("1. one\n    - a\n    - b\n\n        more of b\n\n        1. x\n\n"
                  "2. two\n")
    nesting = re.findall(r"</?[ou]l>", rendered(md))
    assert nesting == ["<ol>", "<ul>", "<ol>", "</ol>", "</ul>", "</ol>"]
    assert rendered(md).count("<li>") == 5


def test_the_more_break_survives_from_wordpress_and_blogger():
    for html in ("<p>Intro</p><!--more--><p>Rest</p>",
                 "<p>Intro</p><!--more Read on--><p>Rest</p>",
                 "Intro<a name='more'></a>Rest"):
        md = to_markdown(html).markdown
        assert md == "Intro\n\n<!--more-->\n\nRest\n", html
        assert "<!--more-->" in rendered(md)


def test_two_line_breaks_are_a_paragraph_and_one_is_a_line_break():
    assert to_markdown("one<br><br>two<br>three").markdown == "one\n\ntwo  \nthree\n"
    assert comment_markdown("one<br><br>two<br>three").markdown == "one\n\ntwo<br>\nthree\n"


def test_an_address_alone_in_a_paragraph_becomes_a_link():
    assert to_markdown("<p>https://vimeo.com/12_3</p>").markdown == "<https://vimeo.com/12_3>\n"
    html = '<figure><div class="wp-block-embed__wrapper">\nhttps://youtu.be/x\n</div></figure>'
    assert to_markdown(html).markdown == "<https://youtu.be/x>\n"


def test_empty_html_is_empty_markdown():
    assert to_markdown("").markdown == to_markdown("<p> </p>").markdown == ""


def test_autop_makes_paragraphs_and_line_breaks_like_wordpress():
    text = "First line\nsecond line\n\nIntro:\n<ul>\n<li>a</li>\n</ul>\n\n<pre>x\n\ny</pre>"
    assert autop(text) == (
        "<p>First line<br>\nsecond line</p>\n\n"
        "<p>Intro:</p>\n<ul>\n<li>a</li>\n</ul>\n\n"
        "<pre>x\n\ny</pre>"
    )
    assert to_markdown(autop(text)).markdown == (
        "First line  \nsecond line\n\nIntro:\n\n- a\n\n```\nx\n\ny\n```\n"
    )


def test_captions_become_their_image_and_text():
    html = ('[caption id="attachment_9" width="300"]<img src="loaf.jpg" alt="Loaf" /> '
            "My loaf[/caption]")
    assert to_markdown(unwrap_captions(html)).markdown == "![Loaf](loaf.jpg) My loaf\n"


def test_a_comments_table_becomes_rows_of_text_the_allow_list_shows():
    html = ("<p>See:</p><table><caption>Flours</caption><thead><tr><th>g</th><th>%</th></tr>"
            "</thead>\n<tbody><tr><td>rye <b>dark</b></td><td>20</td></tr>"
            '<tr><td colspan="2">merged</td></tr><tr><td></td><td>alone</td></tr></tbody>'
            "</table>")
    md = comment_markdown(html).markdown
    assert md == ("See:\n\nFlours<br>\ng | %<br>\nrye **dark** | 20<br>\nmerged<br>\n"
                  "alone\n")
    assert CommentRenderer().convert(md) == (
        "<p>See:</p>\n<p>Flours<br>\ng | %<br>\nrye <strong>dark</strong> | 20<br>\nmerged<br>\n"
        "alone</p>\n")


def test_comment_markdown_renders_with_the_comment_renderer_settings():
    md = comment_markdown("<p>Line one<br>line two</p><p><code>x &lt; y</code></p>").markdown
    html = markdown.markdown(md, extensions=["fenced_code", "sane_lists"])
    assert html == "<p>Line one<br>\nline two</p>\n<p><code>x &lt; y</code></p>"


def test_html_nested_thousands_deep_keeps_its_text_below_a_bound():
    html = ('<div><a href="https://x.example/">top</a>' + "<div>" * 5000 +
            '<a href="https://x.example/deep">deep</a> text' + "</div>" * 5001)
    converted = to_markdown(html)
    assert converted.markdown == "[top](https://x.example/)\n\ndeep text\n"
    assert converted.changes == (
        "its HTML is nested 5002 levels deep; below level 100 only the text is kept",)
    assert rendered(converted.markdown) == (
        '<p><a href="https://x.example/">top</a></p>\n<p>deep text</p>')


def test_html_nested_within_the_bound_is_converted_whole():
    html = "<blockquote>" * 50 + "<b>deep</b>" + "</blockquote>" * 50
    converted = to_markdown(html)
    assert converted.changes == ()
    assert converted.markdown == "> " * 50 + "**deep**\n"
