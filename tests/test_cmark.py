"""cmark-gfm as sitegen calls it: the same HTML as the cmarkgfm wheel's own functions, and
no memory kept after a conversion."""

from __future__ import annotations

import os

import cmarkgfm
import pytest
from worst_bodies import WORST
from xss_payloads import PAYLOADS

from sitegen.cmark import to_html
from sitegen.commentmarkup import CMARK_OPTIONS, GFM_EXTENSIONS

SAMPLE = ("Nice post! I tried *this* with [a link](https://x.example), ~~that~~ and "
          "www.example.org.\n\n> quoted\n\n- [ ] one\n- [x] two\n  - nested\n\n```\ncode\n```\n")


@pytest.mark.parametrize("text", [SAMPLE, "", "a\x00b", *PAYLOADS, *WORST.values()])
def test_the_html_is_the_wheels_own(text):
    assert to_html(text, CMARK_OPTIONS, GFM_EXTENSIONS) == \
        cmarkgfm.markdown_to_html_with_extensions(text, CMARK_OPTIONS, list(GFM_EXTENSIONS))


def test_converting_keeps_no_memory():
    # The wheel's own function keeps 14 KB of each such conversion: 280 MB over these.
    text = SAMPLE * 3
    to_html(text, CMARK_OPTIONS, GFM_EXTENSIONS)
    before = _resident()
    for _ in range(20_000):
        to_html(text, CMARK_OPTIONS, GFM_EXTENSIONS)
    assert _resident() - before < 20_000_000


def _resident() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
