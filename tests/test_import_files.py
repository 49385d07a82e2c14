"""Planning and writing an import: dry runs, running twice, --force, names that clash,
and all-or-nothing writes."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from sitegen.config import Config
from sitegen.importers.files import plan_files, write_files
from sitegen.importers.model import Export, ExportError, ImportedComment, ImportedItem
from sitegen.layout import SitePaths
from sitegen.private import store_of

from import_support import EXPORTS, import_into, new_site

WHEN = datetime(2012, 3, 14, 10, 0, tzinfo=ZoneInfo("Europe/Lisbon"))


def read_fixture(name: str) -> str:
    return (EXPORTS / name).read_text(encoding="utf-8")


def tree(root) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and "themes" not in p.parts}


def test_a_dry_run_lists_the_files_and_writes_nothing(make_site):
    site = new_site(make_site)
    before = tree(site.root)
    report = import_into(site, "wordpress", "wordpress.xml", dry_run=True)
    assert tree(site.root) == before
    assert report.listing() == [
        "  post    content/posts/2012-03-14-hello-world.md",
        "  thread  content/comments/2012-03-14-hello-world.yml (+5 comments)",
        "  draft   content/posts/2012-04-01-rye-someday.md",
        "  draft   content/posts/2012-04-02-private-notes.md",
        "  draft   content/posts/2012-04-03-locked.md",
        "  post    content/posts/2030-01-01-future.md",
        "  post    content/posts/2019-05-18-blocks-ete.md",
        "  page    content/pages/about.md",
        "  page    content/pages/archive-page.md",
        "  pending content/comments/pending/wp-106.yml",
        "  redirects content/redirects.yml (+3 old addresses)",
    ]
    assert report.summary().startswith("would import 3 posts, 3 drafts, 2 pages and 5 comments")
    assert report.summary().endswith("\ndry run: nothing was written")


def test_running_twice_leaves_existing_files_alone_and_force_replaces_them(make_site):
    site = new_site(make_site)
    import_into(site, "wordpress", "wordpress.xml")
    post = site.root / "content/posts/2012-03-14-hello-world.md"
    post.write_text(post.read_text() + "\nMy own edit.\n")
    edited = tree(site.root)
    again = import_into(site, "wordpress", "wordpress.xml")
    assert tree(site.root) == edited
    assert again.imported() == {"posts": 0, "drafts": 0, "pages": 0, "comments": 0, "queued": 0}
    assert again.skipped()["post files already in the site"] == 3
    assert again.skipped()["draft files already in the site"] == 3
    assert again.skipped()["comments in thread files already in the site"] == 5
    assert again.skipped()["pending files already in the site"] == 1
    assert again.listing()[0] == ("  exists  content/posts/2012-03-14-hello-world.md: "
                                  "left as it is (--force replaces it)")
    forced = import_into(site, "wordpress", "wordpress.xml", force=True)
    assert "My own edit." not in post.read_text()
    assert forced.imported()["posts"] == 3


def test_old_tag_pages_are_added_after_the_owners_own_redirects(make_site):
    site = new_site(make_site)
    mine = "# mine\n/old-feed/: /archive/\n/tag/pao: /tags/bread/\n"
    site.write("content/redirects.yml", mine)
    report = import_into(site, "wordpress", "wordpress.xml")
    assert (site.root / "content/redirects.yml").read_text(encoding="utf-8") == (
        mine + "/category/bread/: /tags/bread/\n/tag/bread/: /tags/bread/\n")
    assert report.listing()[-1] == "  redirects content/redirects.yml (+2 old addresses)"
    site.build()
    assert "url=/tags/bread/" in site.page("/tag/pao/")  # the owner's own choice stands
    assert "url=/tags/bread/" in site.page("/category/bread/")


def test_a_redirects_file_that_cannot_be_read_stops_the_import_writing_nothing(make_site):
    site = new_site(make_site)
    site.write("content/redirects.yml", "- not a mapping\n")
    before = tree(site.root)
    with pytest.raises(ExportError) as caught:
        import_into(site, "wordpress", "wordpress.xml")
    (problem,) = caught.value.problems
    assert (problem.path, problem.line) == (site.root / "content/redirects.yml", 1)
    assert problem.message.startswith("must be a mapping of old addresses")
    assert tree(site.root) == before


def item(key: str, slug: str, kind: str = "post", **extra) -> ImportedItem:
    return ImportedItem(key=key, kind=kind, title=key, date=WHEN, slug=slug,
                        body="Body.\n", **extra)


def test_clashing_names_get_numbers_and_own_addresses_are_not_aliases(tmp_path):
    paths = SitePaths.at(tmp_path)
    export = Export(items=[
        item("a", "bread", aliases=("/2012/03/14/bread/", "/old/bread.html")),
        item("b", "bread"),
        item("c", "bread", kind="page", aliases=("/bread/", "/", "/2012/")),
        item("d", "bread", kind="page"),
        item("e", "tags", kind="page"),
        item("f", "notes", kind="page", draft=True),
    ])
    planned = plan_files(export, paths, Config(), force=False)
    assert [(p.path.relative_to(tmp_path).as_posix(), p.kind) for p in planned] == [
        ("content/posts/2012-03-14-bread.md", "post"),
        ("content/posts/2012-03-14-bread-2.md", "post"),
        ("content/pages/bread.md", "page"),
        ("content/pages/bread-2.md", "page"),
        ("content/pages/tags-page.md", "page"),
        ("content/posts/2012-03-14-notes.md", "draft"),
    ]
    assert b"aliases: [/old/bread.html]\n" in planned[0].data
    assert b"aliases" not in planned[2].data
    assert export.notes == {
        "old addresses the site uses for its own pages, not redirected": 2,
        "draft pages kept as draft posts (pages cannot be drafts)": 1,
    }


def test_a_tag_page_redirect_never_takes_an_address_a_page_has(tmp_path):
    export = Export(items=[item("a", "rye", aliases=("/tag/rye/",)), item("b", "bread")],
                    redirects={"/tag/rye/": "/tags/rye/", "/tag/bread/": "/tags/bread/",
                               "/tags/old/": "/tags/old-bread/",
                               "/2012/03/14/bread/": "/tags/bread/"})
    planned = plan_files(export, SitePaths.at(tmp_path), Config(), force=False)
    assert planned[-1].data.decode().splitlines()[-1:] == ["/tag/bread/: /tags/bread/"]
    assert planned[-1].redirects == 1


def test_every_file_is_written_or_none_is(tmp_path):
    paths = SitePaths.at(tmp_path)
    comment = ImportedComment(id="c1", author="A", date=WHEN, body="Hi.")
    export = Export(items=[item("a", "one", comments=(comment,)), item("b", "two")])
    planned = plan_files(export, paths, Config(), force=False)
    paths.comments.parent.mkdir(parents=True)
    paths.comments.write_text("a file where the comments folder should be")
    with pytest.raises(ExportError) as caught:
        write_files(planned, paths)
    assert "cannot write the import: File exists" in str(caught.value)
    assert [p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()] \
        == ["content/comments"]


def test_written_files_load_as_the_build_reads_them(tmp_path):
    paths = SitePaths.at(tmp_path)
    comment = ImportedComment(id="c1", author="Zé", date=WHEN, body="Two\n\nparagraphs\n",
                              email="ze@example.com", url="https://ze.example", replyto=None)
    export = Export(items=[item("a", "one", tags=("Pão", "x: y"), comments=(comment,),
                                comments_open=False)])
    write_files(plan_files(export, paths, Config(), force=False), paths)
    assert (tmp_path / "content/posts/2012-03-14-one.md").read_text() == (
        "---\ntitle: a\ndate: 2012-03-14 10:00:00+00:00\ntags: [Pão, 'x: y']\n"
        "comments: closed\n---\n\nBody.\n")
    assert (tmp_path / "content/comments/2012-03-14-one.yml").read_text() == (
        "- id: c1\n  author: Zé\n  date: 2012-03-14 10:00:00+00:00\n"
        "  body: |\n    Two\n\n    paragraphs\n  url: https://ze.example\n")
    assert store_of(tmp_path).email_of("c1") == "ze@example.com"


def test_a_failure_part_way_puts_back_every_file_as_it_was(make_site, tmp_path):
    site = new_site(make_site)
    import_into(site, "wordpress", "wordpress.xml")
    pending = site.root / "content/comments/pending/wp-106.yml"
    pending.unlink()
    pending.mkdir()  # a folder where the last file the import writes should go
    before = tree(site.root)
    changed = tmp_path / "wordpress.xml"
    changed.write_text(read_fixture("wordpress.xml").replace("First line", "A new first line"))
    with pytest.raises(ExportError) as caught:
        import_into(site, "wordpress", changed, force=True)
    assert str(caught.value).endswith(
        "content/comments/pending/wp-106.yml: cannot write the import: Is a directory")
    assert tree(site.root) == before  # no temporary file left, each replaced file put back


def test_a_full_disk_is_one_line_and_writes_nothing(make_site, tmp_path):
    site = new_site(make_site)
    big = tmp_path / "wordpress.xml"
    # The seventh post is the one too large to write, after six that were written.
    big.write_text(read_fixture("wordpress.xml").replace("<!-- wp:paragraph -->",
                                                         "<p>" + "x" * 200_000 + "</p>", 1))
    before = tree(site.root)
    limit = 100_000  # bytes a file may have: a disk that fills up at the seventh post

    def small_disk() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    result = subprocess.run([sys.executable, "-m", "sitegen", "import", "wordpress", str(big),
                             "--site", str(site.root)], cwd=site.root, capture_output=True,
                            text=True, timeout=60, preexec_fn=small_disk,
                            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == ("error: content/posts/2019-05-18-blocks-ete.md: cannot write the "
                             "import: File too large\n")
    assert tree(site.root) == before


def test_pending_comments_are_private_and_the_rest_readable(make_site):
    site = new_site(make_site)
    import_into(site, "wordpress", "wordpress.xml")
    modes = {path.relative_to(site.root / "content").as_posix(): path.stat().st_mode & 0o777
             for path in (site.root / "content").rglob("*.*") if path.is_file()}
    assert modes.pop("comments/pending/wp-106.yml") == 0o600
    assert set(modes.values()) == {0o644}


@pytest.mark.parametrize("folder", ["content/redirects.yml",
                                    "content/comments/2012-03-14-hello-world.yml"])
def test_a_file_to_add_to_that_cannot_be_read_is_one_line(make_site, folder):
    site = new_site(make_site)
    import_into(site, "wordpress", "wordpress.xml")
    (site.root / folder).unlink()
    (site.root / folder).mkdir()
    before = tree(site.root)
    with pytest.raises(ExportError) as caught:
        import_into(site, "disqus" if "comments" in folder else "wordpress",
                    "disqus.xml" if "comments" in folder else "wordpress.xml")
    assert str(caught.value).endswith(f"{folder}: cannot read it to add to it: Is a directory")
    assert tree(site.root) == before
