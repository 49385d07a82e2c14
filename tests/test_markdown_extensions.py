"""Python-Markdown leaves out of each document the extensions whose syntax it cannot contain
(footnotes, abbreviations, definition lists), and the HTML is the same, byte for byte, as with
every extension: on the sample blog, the bench corpus, and documents that use each of them
where it can hide.
"""

from __future__ import annotations

import importlib.util
import sys

import markdown
import pytest

from sitegen import extras
from sitegen.mathml import MathExtension
from sitegen.pythonmarkdown import UNUSED, MarkdownRenderer, unused_extensions
from sitegen.sourcefile import markdown_extensions, read_source

from conftest import REPO

HIDDEN = [
    "A note[^1].\n\n[^1]: The note.\n",
    "> Quoted[^n]\n>\n> [^n]: A note inside a quote.\n",
    "The HTML spec.\n\n*[HTML]: Hyper Text Markup Language\n",
    "Term\n:   Definition\n",
    "> Term\n> : A definition inside a quote\n",
    "- item\n\n    Term\n    :\tA definition in a list, after a tab\n",
    # An indented block in a dl written as HTML is a definition: no colon anywhere.
    '<div markdown="1">\n<dl>\n<dd>x</dd>\n</dl>\n\n    continued\n</div>\n',
    "Nothing to see: at 10:30 the ratio was 1:5:5.\n",
]


def every_extension():
    """Every extension and every extra (math, bare links, task lists, strikethrough) on
    every document, as the renderer was before it learned to leave them out."""
    every_extra = frozenset({extras.LINKS, extras.TASKS, extras.STRIKE})
    md = markdown.Markdown(extensions=[
        *markdown_extensions(MarkdownRenderer.EXTENSIONS, MarkdownRenderer.CONFIGS),
        *extras.extensions(every_extra), MathExtension()])

    def convert(text: str) -> tuple[str, str]:
        md.reset()
        html = md.convert(text)
        return html, md.toc if md.toc_tokens else ""

    return convert


def bodies(folder) -> list[str]:
    return [read_source(path, path.read_bytes()).body for path in sorted(folder.glob("*.md"))]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> list[str]:
    """The posts of the bench corpus (bench/corpus.py), 150 of them."""
    spec = importlib.util.spec_from_file_location("bench_corpus", REPO / "bench" / "corpus.py")
    module = sys.modules[spec.name] = importlib.util.module_from_spec(spec)  # for its dataclass
    spec.loader.exec_module(module)
    folder = tmp_path_factory.mktemp("corpus")
    module.write_corpus(folder, 150)
    return bodies(folder / "content" / "posts")


def test_leaving_unused_extensions_out_changes_no_byte(corpus):
    sample = bodies(REPO / "content" / "posts") + bodies(REPO / "content" / "pages")
    texts = sample + corpus + HIDDEN
    fast, full = MarkdownRenderer(), every_extension()
    assert [fast.convert(text) for text in texts] == [full(text) for text in texts]
    # and something was left out: every extension, from nearly every post of the corpus
    assert sum(unused_extensions(text) == set(UNUSED) for text in corpus) > 0.9 * len(corpus)
    assert "footnotes" not in unused_extensions(sample[1])  # Gertrude has a footnote


@pytest.mark.parametrize(("text", "needed"), [
    (HIDDEN[0], "footnotes"), (HIDDEN[1], "footnotes"), (HIDDEN[2], "abbr"),
    (HIDDEN[3], "def_list"), (HIDDEN[4], "def_list"), (HIDDEN[5], "def_list"),
    (HIDDEN[6], "def_list"),
])
def test_an_extension_is_kept_where_its_syntax_may_be(text, needed):
    assert needed not in unused_extensions(text)
    assert unused_extensions("Plain *text*, [a link](https://example.org).") == set(UNUSED)
