"""Hostile and unlucky YAML: dates YAML reads but the calendar has not, alias bombs, deep
nesting, values no tag can make, and old Mac line endings. Each is one line naming the file
and line, in front matter, comment threads and redirects.yml alike."""

from __future__ import annotations

import pytest
import yaml

from sitegen.config import BuildOptions
from sitegen.errors import ContentError, Problem
from sitegen.sourcefile import YAML_LOADER

from conftest import NOW
from helpers import model, post, run_sitegen

POST = "content/posts/2010-08-31-hello.md"


def errors(site, monkeypatch) -> list[str]:
    monkeypatch.chdir(site.root)
    with pytest.raises(ContentError) as caught:
        model(site.paths, BuildOptions(now=NOW))
    return [str(problem) for problem in caught.value.problems]


def bomb(levels: int = 8) -> str:
    """The billion laughs: each anchor is nine aliases of the one before (459 bytes for 8
    levels, 9**8 = 43 million strings when expanded)."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{n}: &a{n} [{','.join([f'*a{n - 1}'] * 9)}]" for n in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(("key", "value", "reason"), [
    ("date", "2010-02-30", "day is out of range for month"),
    ("date", "0000-01-01", "year 0 is out of range"),
    ("date", "2010-08-31 25:00:00", "hour must be in 0..23"),
    ("date", "2010-08-31 25:00", "hour must be in 0..23"),
    ("date", "2010-08-31 10:00:00 +25:00", "the offset from UTC must be less than 24 hours"),
    ("updated", "2010-13-01", "month must be in 1..12"),
])
def test_a_date_that_does_not_exist_is_one_line_at_its_key(make_site, monkeypatch, key, value,
                                                            reason):
    date = "2010-08-31" if key == "updated" else value
    extra = {"updated": value} if key == "updated" else {}
    site = make_site({POST: post("Hello", date=date, **extra)})
    line = 4 if key == "updated" else 3
    assert errors(site, monkeypatch) == [f"{POST}:{line}: bad {key} '{value}': {reason}"]


def test_an_impossible_date_fails_the_command_with_one_line(make_site):
    site = make_site({POST: post("Hello", date="2010-02-30")})
    result = run_sitegen("build", "--quiet", cwd=site.root)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (f"error: {POST}:3: bad date '2010-02-30': day is out of range "
                             "for month\n")


def test_an_impossible_date_elsewhere_is_only_text(make_site):
    site = make_site({POST: post("2010-02-30", tags="[2010-02-30]")})
    [loaded] = model(site.paths, BuildOptions(now=NOW)).posts
    assert (loaded.title, loaded.tags) == ("2010-02-30", ("2010-02-30",))


def test_an_impossible_date_in_a_comment_is_one_line(make_site, monkeypatch):
    site = make_site({
        POST: post("Hello"),
        "content/comments/2010-08-31-hello.yml":
            "- id: c1\n  author: Ana\n  date: 2010-02-30 10:00:00\n  body: Hi\n",
    })
    [message] = errors(site, monkeypatch)
    assert message.startswith("content/comments/2010-08-31-hello.yml")
    assert "'2010-02-30 10:00:00'" in message and "\n" not in message


def test_an_alias_bomb_in_front_matter_is_refused_at_once(make_site):
    text = f"---\ntitle: Hello\n{bomb()}date: *a8\n---\nBody.\n"
    assert len(bomb()) <= 459
    site = make_site({POST: text})
    result = run_sitegen("build", cwd=site.root)
    assert result.returncode == 1
    # a4 is the first anchor standing for more than 10,000 values (9**5).
    assert result.stderr == (f"error: {POST}:7: aliases here expand to more than 10,000 values; "
                             "write the values out instead\n")


@pytest.mark.parametrize(("path", "text", "line"), [
    ("content/comments/2010-08-31-hello.yml", f"- id: c1\n  author: Ana\n  body: Hi\n  "
     f"date: 2010-08-31\n  x:\n{''.join('    ' + line + chr(10) for line in bomb().splitlines())}",
     10),
    ("content/redirects.yml", bomb(), 5),
])
def test_an_alias_bomb_in_threads_and_redirects_is_refused(make_site, monkeypatch, path, text,
                                                            line):
    site = make_site({POST: post("Hello"), path: text})
    assert errors(site, monkeypatch) == [
        f"{path}:{line}: aliases here expand to more than 10,000 values; write the values out "
        "instead"]


def test_a_few_aliases_still_work(make_site):
    site = make_site({POST: "---\ntitle: &t Hello\nsummary: *t\ndate: 2010-08-31\n---\nx\n"})
    [loaded] = model(site.paths, BuildOptions(now=NOW)).posts
    assert "Hello" in loaded.summary_html


def test_an_alias_inside_its_own_value_is_refused(make_site, monkeypatch):
    site = make_site({POST: "---\ntitle: Hi\ndate: 2010-08-31\nx: &a [1, *a]\n---\nx\n"})
    assert errors(site, monkeypatch) == [f"{POST}:4: an alias stands for a value that holds it"]


@pytest.mark.parametrize("levels", [65, 1_000, 100_000])
def test_deep_nesting_is_refused_before_it_can_overflow_the_stack(make_site, monkeypatch, levels):
    # libyaml composes a document by recursion: 100,000 levels crashed the process.
    site = make_site({POST: f"---\ntitle: Hi\nx: {'[' * levels}{']' * levels}\n---\nx\n"})
    assert errors(site, monkeypatch) == [
        f"{POST}:3: values are nested more than 64 levels deep"]


@pytest.mark.parametrize("padding", ["", "#" * 2000])
def test_nesting_within_the_bound_is_read(padding):
    # The mapping and 63 lists are 64 levels; a long text is measured as events first.
    value = yaml.load(f"{padding}\nx: {'[' * 63}{']' * 63}\n", Loader=YAML_LOADER)["x"]
    for _ in range(62):
        (value,) = value
    assert value == []


@pytest.mark.parametrize(("value", "shown"), [
    ("!!int abc", "'abc' cannot be read as !!int"),
    ("!!bool maybe", "'maybe' cannot be read as !!bool"),
    ("!!float x", "'x' cannot be read as !!float"),
    ("!!int " + "1" * 5000, f"'{'1' * 59}…' cannot be read as !!int"),
])
def test_a_value_its_tag_cannot_make_is_one_line(make_site, monkeypatch, value, shown):
    site = make_site({POST: f"---\ntitle: Hi\ndate: 2010-08-31\nx: {value}\n---\nx\n"})
    assert errors(site, monkeypatch) == [f"{POST}:4: front matter is not valid YAML: {shown}"]


def test_a_value_in_a_message_is_one_line_and_short(make_site, monkeypatch):
    site = make_site({POST: '---\ntitle: Hi\ndate: 2010-08-31\ndraft: "a\\nb' + "c" * 100
                      + '"\n---\nx\n'})
    assert errors(site, monkeypatch) == [
        f"{POST}:4: 'draft' must be true or false, not 'a\\nb{'c' * 56}…'"]


@pytest.mark.parametrize("newline", ["\r", "\r\n", "\n"])
def test_any_line_ending_is_read(make_site, newline):
    text = newline.join(["---", "title: Old Mac", "date: 2010-08-31", "tags: [a]", "---",
                         "First paragraph.", "", "Second."]) + newline
    site = make_site({POST: text.encode()})
    [loaded] = model(site.paths, BuildOptions(now=NOW)).posts
    assert (loaded.title, loaded.tags) == ("Old Mac", ("a",))
    assert loaded.body_html == "<p>First paragraph.</p>\n<p>Second.</p>"


def test_a_line_number_counts_cr_only_lines(make_site, monkeypatch):
    site = make_site({POST: b"---\rtitle: Hi\rdate: 2010-08-31\rdraft: maybe\r---\rx\r"})
    assert errors(site, monkeypatch) == [f"{POST}:4: 'draft' must be true or false, not 'maybe'"]


def test_a_control_character_is_an_error_at_its_line(make_site, monkeypatch):
    # PyYAML knows only its position: the message spanned two lines and named no line.
    site = make_site({POST: "---\ntitle: Hi\ndate: 2010-08-31\nx: a\x07b\n---\nx\n"})
    assert errors(site, monkeypatch) == [
        f"{POST}:4: front matter is not valid YAML: unacceptable character #x0007: control "
        "characters are not allowed"]


def test_a_problem_is_one_line_whatever_it_quotes(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    problem = Problem("'/a\rb\u2028c\x85' is not an old address", tmp_path / "x\ny.yml", 3)
    assert str(problem) == "x\\ny.yml:3: '/a\\rb\\u2028c\\x85' is not an old address"


def test_a_redirect_quoting_a_line_break_prints_one_line(make_site):
    site = make_site({POST: post("Hello"), "content/redirects.yml": '"\\r": /tags/bread/\n'})
    result = run_sitegen("build", "--quiet", cwd=site.root)
    assert result.returncode == 1
    assert len(result.stderr.splitlines()) == 1, result.stderr
