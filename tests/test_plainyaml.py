"""The plain-YAML readers of thread files and front matter against PyYAML: on every
text, each either gives up (None) or gives exactly what sitegen's PyYAML loader gives, and
gives up wherever PyYAML fails. Texts come from sitegen's own writer, from hand-written
shapes, and from random edits of both, so that the readers are tried at the edges of their
subset."""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen.entries import ThreadEntry
from sitegen.plainyaml import _OUTSIDE, plain_entries, plain_mapping
from sitegen.sourcefile import YAML_LOADER
from sitegen.threadfile import dump_yaml, dumped

SETTINGS = settings(max_examples=400, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])
# Characters YAML gives a meaning to, and the ones the reader must give up on.
TRICKY = list(" \n-?:,[]{}#&*!|>'\"%@`~=<\\\t\r\x85\u2028\ufeff\x00\x7f\u00e9\U0001f600.0123tyn")
TEXT = st.text(st.one_of(st.sampled_from(TRICKY), st.characters()), max_size=40)
WORDS = st.text(st.sampled_from(TRICKY + list("abcAB")), max_size=30)


def pyyaml(text: str) -> object:
    try:
        return yaml.load(text, Loader=YAML_LOADER)
    except (yaml.YAMLError, ValueError, RecursionError) as error:
        return error


def agrees(text: str) -> None:
    ours, theirs = plain_entries(text), pyyaml(text)
    if ours is not None:
        assert not isinstance(theirs, Exception), (text, theirs)
        assert ours == theirs, text
        assert [list(entry) for entry in ours] == [list(entry) for entry in theirs], text


ENTRIES = st.lists(st.builds(
    ThreadEntry, id=st.from_regex(r"[a-z0-9]{1,8}", fullmatch=True), author=TEXT,
    date=st.one_of(TEXT, st.datetimes()), body=st.one_of(TEXT, WORDS),
    url=st.none() | TEXT, replyto=st.none() | WORDS, owner=st.booleans()), min_size=1,
    max_size=4)


@SETTINGS
@given(ENTRIES)
def test_files_sitegen_writes_read_as_pyyaml_reads_them(entries):
    agrees(dumped(entries))


@SETTINGS
@given(ENTRIES, st.data())
def test_edited_files_read_as_pyyaml_reads_them_or_not_at_all(entries, data):
    text = dumped(entries)
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(text)))
        cut = data.draw(st.integers(0, 3))
        text = text[:at] + data.draw(WORDS) + text[at + cut:]
    agrees(text)


PLAIN_WORDS = st.one_of(
    st.text(st.sampled_from(list("abc xyz0123.-TtYyNn:/'")), max_size=14),
    st.text(st.sampled_from(list("abc xyz:#-'\"|~0123.TtYyNn@!&*%?,[]{}")), max_size=14))
BLOCK = st.tuples(
    st.sampled_from(["|", "|-", "|+", "|  ", "|", "|-", "|+", "|2", ">", "| #x"]),
    st.integers(1, 6),
    st.lists(st.one_of(PLAIN_WORDS, st.just(""), st.sampled_from(["  ", "       ", " x"])),
             min_size=0, max_size=5))


def _value(choice) -> str:
    if isinstance(choice, tuple):
        header, indent, lines = choice
        return header + "".join("\n" + (" " * indent + line if line else "") for line in lines)
    return choice


# Mostly what the subset holds, so that most texts are read by both; the rest to see that
# the reader gives up.
KEY = st.sampled_from(["id", "author", "body", "url", "owner", "date", "id", "body", "yes",
                       "on", "null", "x" * 120, "é", "<<", "1", "id "])
COLON = st.sampled_from([": "] * 6 + [":", ":  ", " : ", ":\t"])
ITEM = st.lists(st.tuples(KEY, COLON,
                          st.one_of(PLAIN_WORDS, BLOCK)), min_size=1, max_size=4)


def _item(pairs, first: str, rest: str) -> str:
    return "\n".join((first if number == 0 else rest) + key + colon + _value(value)
                     for number, (key, colon, value) in enumerate(pairs))


@SETTINGS
@given(st.lists(st.tuples(ITEM, st.sampled_from(["- "] * 4 + ["-  ", "  - "]),
                          st.sampled_from(["  "] * 4 + ["   ", " "])), min_size=1, max_size=3),
       st.sampled_from(["\n"] * 4 + ["", "\n\n", "\n# end\n", "\r\n"]))
def test_hand_written_shapes_read_as_pyyaml_reads_them_or_not_at_all(items, end):
    agrees("\n".join(_item(*item) for item in items) + end)


def test_the_sample_blogs_threads_are_in_the_subset():
    threads = sorted(Path(__file__).parents[1].glob("content/comments/*.yml"))
    assert threads
    for thread in threads:
        text = thread.read_text(encoding="utf-8")
        assert plain_entries(text) == yaml.load(text, Loader=YAML_LOADER), thread


def test_the_characters_outside_the_subset_are_those_pyyaml_refuses_and_other_breaks():
    # Every code point, against PyYAML's own class of what it refuses to read, plus what
    # the readers leave to it: tabs, "\r" and the other line breaks, a byte-order mark.
    refused = yaml.reader.Reader.NON_PRINTABLE
    for point in range(0x110000):
        character = chr(point)
        expected = bool(refused.match(character)) or character in "\t\r\x85\u2028\u2029\ufeff"
        assert bool(_OUTSIDE.match(character)) == expected, hex(point)


def test_block_text_keeps_its_lines_as_yaml_chomps_them():
    for header in ("|", "|-", "|+"):
        text = (f"- id: a\n  body: {header}\n    one\n\n      indented\n    \n"
                f"       \n    last\n\n\n  url: 'it''s'\n- id: b\n  owner: yes\n  n: ~\n")
        assert plain_entries(text) == pyyaml(text)


def agrees_on_mapping(text: str) -> None:
    ours, theirs = plain_mapping(text), pyyaml(text)
    if ours is not None:
        assert not isinstance(theirs, Exception), (text, theirs)
        assert ours == theirs, text
        assert list(ours) == list(theirs), text


FRONT = st.fixed_dictionaries(
    {"title": st.one_of(TEXT, WORDS), "date": st.one_of(st.datetimes(), st.dates(), WORDS)},
    optional={"tags": st.lists(st.one_of(WORDS, st.integers()), max_size=4),
              "draft": st.booleans(), "toc": st.booleans(), "summary": st.one_of(TEXT, WORDS),
              "slug": WORDS})


@SETTINGS
@given(FRONT)
def test_front_matter_as_sitegen_writes_it_reads_as_pyyaml_reads_it(front):
    agrees_on_mapping(dump_yaml(front, flow_lists=True))


@SETTINGS
@given(FRONT, st.data())
def test_edited_front_matter_reads_as_pyyaml_reads_it_or_not_at_all(front, data):
    text = dump_yaml(front, flow_lists=True)
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(text)))
        cut = data.draw(st.integers(0, 3))
        text = text[:at] + data.draw(WORDS) + text[at + cut:]
    agrees_on_mapping(text)


FLOW = st.lists(st.one_of(PLAIN_WORDS, st.just(""), st.sampled_from(["2020", "a b", " x "])),
                max_size=4).map(lambda items: "[" + ",".join(items) + "]")
FRONT_LINE = st.one_of(
    st.tuples(KEY, COLON, st.one_of(PLAIN_WORDS, BLOCK, FLOW,
                                    PLAIN_WORDS.map(lambda words: f'"{words}"'))).map(
        lambda parts: parts[0] + parts[1] + _value(parts[2])),
    st.sampled_from(["", "   ", "# note", "  indented: x", "---"]))


@SETTINGS
@given(st.lists(FRONT_LINE, min_size=1, max_size=6), st.sampled_from(["\n", "", "\n\n"]),
       st.sampled_from(["", "\n"]))
def test_hand_written_front_matter_reads_as_pyyaml_reads_it_or_not_at_all(lines, end, start):
    agrees_on_mapping(start + "\n".join(lines) + end)


def test_the_sample_blogs_front_matter_is_in_the_subset():
    posts = sorted(Path(__file__).parents[1].glob("content/posts/*.md"))
    assert posts
    for post in posts:
        front = post.read_text(encoding="utf-8").split("---\n")[1]
        assert plain_mapping(front) == yaml.load(front, Loader=YAML_LOADER), post
