"""Reading exports entry by entry: lines for messages, and clear refusals of bad XML."""

from __future__ import annotations

import pytest

from sitegen.importers.model import ExportError
from sitegen.importers.xmlstream import CHUNK, read_elements

FEED = """<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>t</title>
  <entry><id>1</id></entry>
  <entry>
    <id>2</id>
  </entry>
</feed>
"""


def entries(path, depth=1, roots=("feed",)):
    return list(read_elements(path, depth, roots, "a test feed"))


def test_elements_at_the_depth_asked_come_with_their_lines(tmp_path):
    path = tmp_path / "feed.xml"
    path.write_text(FEED)
    found = entries(path)
    assert [(e.element.tag.split("}")[1], e.line) for e in found] == [
        ("title", 3), ("entry", 4), ("entry", 5)]
    assert found[2].element.findtext("{http://www.w3.org/2005/Atom}id") == "2"


def test_entries_spanning_many_reads_are_whole(tmp_path):
    body = "".join(f"<entry><id>{n}</id><c>{'x' * 500}</c></entry>\n" for n in range(400))
    path = tmp_path / "big.xml"
    path.write_text(f"<feed>\n{body}</feed>")
    assert path.stat().st_size > 2 * CHUNK
    found = entries(path)
    assert [e.element.findtext("id") for e in found] == [str(n) for n in range(400)]
    assert found[399].line == 401


def test_a_truncated_file_is_named_with_its_last_line(tmp_path):
    path = tmp_path / "cut.xml"
    path.write_text(FEED[: FEED.index("<id>2")])
    with pytest.raises(ExportError) as caught:
        entries(path)
    (problem,) = caught.value.problems
    assert problem.line == 6
    assert problem.message.startswith("the file ends before the XML does (cut short?)")


def test_malformed_xml_names_line_and_column(tmp_path):
    path = tmp_path / "bad.xml"
    path.write_text("<feed>\n<entry><id>1</entry>\n</feed>")
    with pytest.raises(ExportError) as caught:
        entries(path)
    assert str(caught.value).endswith("bad.xml:2: not well-formed XML: mismatched tag "
                                      "(column 15)")


def test_the_wrong_kind_of_document_is_refused_at_once(tmp_path):
    path = tmp_path / "rss.xml"
    path.write_text('<?xml version="1.0"?>\n<rss><channel/></rss>')
    with pytest.raises(ExportError) as caught:
        entries(path)
    assert str(caught.value).endswith("rss.xml:2: not a test feed: the document is <rss>, "
                                      "not <feed>")


def test_entity_declarations_are_refused(tmp_path):
    path = tmp_path / "bomb.xml"
    path.write_text('<?xml version="1.0"?>\n<!DOCTYPE feed [\n<!ENTITY a "aaaaaaaaaa">\n'
                    '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">\n]>\n<feed><entry>&b;</entry>'
                    "</feed>")
    with pytest.raises(ExportError) as caught:
        entries(path)
    (problem,) = caught.value.problems
    assert problem.line == 3
    assert "declares an XML entity ('a')" in problem.message


def test_an_unreadable_file_is_an_export_error(tmp_path):
    with pytest.raises(ExportError) as caught:
        entries(tmp_path / "missing.xml")
    assert "cannot read the export: No such file or directory" in str(caught.value)


@pytest.mark.parametrize("encoding", ["x-bogus", "shift_jis", "rot13", "idna"])
def test_an_encoding_that_cannot_be_read_is_named(tmp_path, encoding):
    path = tmp_path / "feed.xml"
    path.write_text(FEED.replace('version="1.0"', f'version="1.0" encoding="{encoding}"'))
    with pytest.raises(ExportError) as caught:
        entries(path)
    assert str(caught.value).endswith(
        f"feed.xml:1: cannot read text in the encoding '{encoding}' that the XML declaration "
        "names: convert the file to UTF-8")


@pytest.mark.parametrize("declaration, name", [
    ('<!ENTITY x SYSTEM "file:///etc/passwd">', "x"),
    ('<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;', "p"),
    ('<!ENTITY x PUBLIC "-//x//x" "http://127.0.0.1:9/x.dtd">', "x"),
])
def test_external_entities_are_refused_before_anything_is_fetched(tmp_path, declaration, name):
    path = tmp_path / "xxe.xml"
    path.write_text(f'<?xml version="1.0"?>\n<!DOCTYPE feed [\n{declaration}\n]>\n'
                    "<feed><entry>&x;</entry></feed>")
    with pytest.raises(ExportError) as caught:
        entries(path)
    (problem,) = caught.value.problems
    assert (problem.line, problem.message) == (
        3, f"the export declares an XML entity ('{name}'), which no real export does; "
           "refusing to read it")


def test_an_external_dtd_is_never_read(tmp_path):
    dtd = tmp_path / "evil.dtd"
    dtd.write_text('<!ENTITY x "FROM THE DTD">')
    path = tmp_path / "feed.xml"
    path.write_text(f'<?xml version="1.0"?>\n<!DOCTYPE feed SYSTEM "{dtd.as_uri()}">\n'
                    "<feed><entry>a&x;b</entry></feed>")
    (entry,) = entries(path)
    assert "".join(entry.element.itertext()) == "ab"
