"""`sitegen import` as a user runs it: output, exit status, one line per problem."""

from __future__ import annotations

from helpers import run_sitegen
from import_support import EXPORTS, new_site


def test_import_then_build_from_the_command_line(make_site):
    site = new_site(make_site)
    result = run_sitegen("import", "blogger", str(EXPORTS / "blogger-classic.xml"),
                         "--site", str(site.root))
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "imported 1 post, 1 draft, 1 page and 3 comments from 10 entries\n"
        "old label, tag and category pages redirected: 2 (content/redirects.yml)\n"
        "left out:\n"
        "  blog settings entries: 1\n"
        "  blog template entries: 1\n"
        "  comments on pages (sitegen pages have no comments): 1\n"
        "  deleted comments: 1\n"
    )
    built = run_sitegen("build", "--site", str(site.root))
    assert built.returncode == 0, built.stderr


def test_dry_run_lists_files_and_verbose_run_lists_what_it_wrote(make_site):
    site = new_site(make_site)
    dry = run_sitegen("import", "blogger", str(EXPORTS / "blogger-2018.xml"), "--dry-run",
                      "--site", str(site.root))
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.startswith(
        "  post    content/posts/2021-07-01-serra-da-estrela-at-midnight.md\n"
        "  thread  content/comments/2021-07-01-serra-da-estrela-at-midnight.yml (+4 comments)\n")
    assert dry.stdout.endswith("dry run: nothing was written\n")
    assert not (site.root / "content").exists()
    quiet = run_sitegen("import", "blogger", str(EXPORTS / "blogger-2018.xml"), "--quiet",
                        "--site", str(site.root))
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")
    assert (site.root / "content/pages/contacto.md").exists()


def test_a_broken_export_is_one_line_and_exit_status_1(make_site, tmp_path):
    site = new_site(make_site)
    broken = tmp_path / "broken.xml"
    broken.write_text("<disqus xmlns='http://disqus.com'>\n<post>\n</disqus>\n")
    result = run_sitegen("import", "disqus", str(broken), "--site", str(site.root),
                         cwd=tmp_path.parent)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (f"error: {tmp_path.name}/broken.xml:3: not well-formed XML: "
                             "mismatched tag (column 3)\n")


def test_disqus_warnings_name_the_thread(make_site, tmp_path):
    site = new_site(make_site)
    result = run_sitegen("import", "disqus", str(EXPORTS / "disqus.xml"), "--site",
                         str(site.root), cwd=tmp_path)
    assert result.returncode == 0
    assert result.stderr.splitlines()[0] == (
        f"warning: {EXPORTS / 'disqus.xml'}:10: no post has the address "
        "http://old.example/2012/03/hello-world/, so its 4 comment(s) were left out; add the "
        "address to that post's aliases and import again")


def test_an_unknown_format_is_a_usage_error(make_site):
    result = run_sitegen("import", "tumblr", "x.xml")
    assert result.returncode == 2
    assert "invalid choice: 'tumblr'" in result.stderr


def test_an_unknown_encoding_is_one_line_and_exit_status_1(make_site, tmp_path):
    site = new_site(make_site)
    export = tmp_path / "bogus.xml"
    export.write_bytes((EXPORTS / "wordpress.xml").read_bytes().replace(
        b'encoding="UTF-8"', b'encoding="x-bogus"', 1))
    result = run_sitegen("import", "wordpress", str(export), "--site", str(site.root),
                         cwd=tmp_path)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == ("error: bogus.xml:1: cannot read text in the encoding 'x-bogus' "
                             "that the XML declaration names: convert the file to UTF-8\n")


def test_an_entity_bomb_is_one_line_and_exit_status_1(make_site, tmp_path):
    site = new_site(make_site)
    lols = "".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 10))
    export = tmp_path / "lol.xml"
    export.write_text(f'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY l0 "lol">{lols}]>\n'
                      "<rss><channel><title>&l9;</title></channel></rss>\n")
    result = run_sitegen("import", "wordpress", str(export), "--site", str(site.root),
                         cwd=tmp_path)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == ("error: lol.xml:2: the export declares an XML entity ('l0'), which "
                             "no real export does; refusing to read it\n")
