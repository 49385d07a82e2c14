"""digest.py: page digests that tell two inputs apart exactly when they would render
differently."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pytest
from markupsafe import Markup

from sitegen.digest import Memo, fingerprint


@dataclass(frozen=True)
class View:
    title: str
    count: int


@dataclass(frozen=True)
class Item:
    source_digest: str
    body: str


def test_equal_inputs_give_equal_digests_and_dict_order_does_not_matter():
    assert fingerprint({"a": 1, "b": [1, "x"]}) == fingerprint({"b": [1, "x"], "a": 1})


@pytest.mark.parametrize("one, other", [
    (("ab", "c"), ("a", "bc")),
    ([1], ["1"]),
    ({"a": None}, {"a": False}),
    (datetime(2010, 1, 1), datetime(2010, 1, 1, 0, 0, 1)),
    (View("t", 1), View("t", 2)),
    ([[1], 2], [[1, 2]]),
])
def test_inputs_that_differ_give_different_digests(one, other):
    assert fingerprint(one) != fingerprint(other)


def test_a_loaded_item_stands_for_itself_by_its_source_digest():
    assert fingerprint(Item("d1", "body")) == fingerprint(Item("d1", "another body"))
    assert fingerprint(Item("d1", "body")) != fingerprint(Item("d2", "body"))


def test_a_memo_changes_nothing_but_the_work():
    memo = Memo()
    view = View("shown on many pages", 3)
    with_memo = [fingerprint({"page": n, "view": view}, memo) for n in range(3)]
    assert with_memo == [fingerprint({"page": n, "view": view}) for n in range(3)]
    assert len(memo.by_id) == 1


def test_markup_and_text_with_the_same_characters_render_the_same():
    assert fingerprint(Markup("<b>x</b>")) == fingerprint("<b>x</b>")


def test_what_cannot_be_told_apart_reliably_is_refused():
    with pytest.raises(TypeError, match="cannot fingerprint object"):
        fingerprint({"x": object()})
