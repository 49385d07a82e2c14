"""The known worst cases for Markdown engines, each as long as a comment may be (10,000
characters): cmark's own pathological tests, scaled down, the `[` comment that took
Python-Markdown 9 s, and raw HTML that nests deep."""

WORST = {
    "brackets": "[" * 10_000,
    "nested block quotes": ">" * 10_000,
    "spaced block quotes": "> " * 5_000,
    "stars": "*" * 10_000,
    "underscores": "_" * 10_000,
    "backticks": "".join("e" + "`" * n for n in range(1, 140)),
    "angle brackets": "<" * 10_000,
    "image brackets": "![[" * 3_333,
    "unclosed images": "![[]()" * 1_666,
    "nested strong emph": "*a **a " * 700 + "b" + " a** a*" * 700,
    "emph closers": "a_ " * 3_333,
    "emph openers": "_a " * 3_333,
    "link closers": "a]" * 5_000,
    "mismatched emph": "*a_ " * 2_500,
    "link openers, emph closers": "[ a_" * 2_500,
    "[ (](": "[ (](" * 2_000,
    "nested brackets": "[" * 5_000 + "a" + "]" * 4_999,
    "nested lists": "".join("  " * n + "* a\n" for n in range(95)),
    "quoted lists": "> - " * 2_500,
    "unclosed links": "[a](<b" * 1_666,
    "unclosed links B": "[a](b" * 2_000,
    "html openers": "<a " * 3_333,
    "html comments": "<!--" * 2_500,
    "autolinks": "www.a" * 2_000,
    "entities": "&#" * 5_000,
    "nested raw lists": "<ul><li>" * 1_250,
}
