"""Files under <site>/root/ land at the output's root as they are: copied once, updated and
removed like static files, kept by --clean, and never over a page."""

from __future__ import annotations

import pytest

from sitegen.build import build
from sitegen.config import BuildOptions
from sitegen.errors import ContentError

from conftest import NOW
from helpers import post, run_sitegen

ROOT = {
    "root/CNAME": "blog.example.org\n",
    "root/favicon.ico": b"\x00\x00\x01\x00icon",
    "root/.well-known/security.txt": "Contact: mailto:ines@example.org\n",
    "root/_redirects": "/old /new 301\n",
}


def site_with_root(make_site, **more):
    return make_site({"content/posts/2010-08-31-hello.md": post("Hello"), **ROOT, **more})


def test_root_files_are_copied_to_the_output_root_as_they_are(make_site):
    site = site_with_root(make_site)
    site.build()
    files = site.files()
    for relative, data in ROOT.items():
        expected = data.encode() if isinstance(data, str) else data
        assert files[relative.removeprefix("root/")] == expected


def test_root_files_are_copied_only_when_they_change_and_removed_with_their_source(make_site):
    site = site_with_root(make_site)
    site.build()
    again = site.build()
    assert (again.static_files, again.written) == (0, ())
    site.write("root/CNAME", "www.example.org\n")
    (site.root / "root/favicon.ico").unlink()
    changed = site.build()
    assert changed.written == ("CNAME",) and changed.deleted == ("favicon.ico",)
    assert (site.output / "CNAME").read_text() == "www.example.org\n"


def test_clean_keeps_root_files(make_site):
    site = site_with_root(make_site)
    site.build()
    build(site.paths, BuildOptions(now=NOW), clean=True)
    assert (site.output / "CNAME").read_text() == "blog.example.org\n"
    assert (site.output / ".well-known/security.txt").is_file()
    result = run_sitegen("build", "--clean", "--site", str(site.root))
    assert result.returncode == 0 and (site.output / "_redirects").is_file()


def test_a_root_file_at_a_page_s_path_is_an_error_naming_both(make_site):
    site = site_with_root(make_site, **{
        "content/pages/about.md": "---\ntitle: About\n---\nMe.\n",
        "root/about/index.html": "<p>mine</p>",
        "root/robots.txt": "User-agent: *\n",
    })
    with pytest.raises(ContentError) as raised:
        site.build()
    assert [str(problem) for problem in raised.value.problems] == [
        f"{site.root / 'root/about/index.html'}: is also the page about/index.html of "
        f"{site.root / 'content/pages/about.md'}, at the same place in the output; remove or "
        "move one of them",
        f"{site.root / 'root/robots.txt'}: is also the page robots.txt that sitegen writes, "
        "at the same place in the output; remove or move one of them",
    ]
    assert not site.output.exists()


def test_a_root_file_over_a_static_file_is_an_error_naming_both(make_site):
    site = site_with_root(make_site, **{"static/style.css": "body {}",
                                        "root/static/style.css": "p {}"})
    result = run_sitegen("build", "--site", str(site.root), cwd=site.root)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "error: root/static/style.css: is also the static file static/style.css, at the same "
        "place in the output; remove or move one of them"]


def test_a_root_file_is_refused_also_when_the_pages_are_not_planned_again(make_site):
    site = site_with_root(make_site)
    site.build()
    before = site.files()
    site.write("root/index.html", "<p>mine</p>")
    with pytest.raises(ContentError, match=r"is also the page index\.html, at the same place"):
        site.build()
    assert site.files() == before
