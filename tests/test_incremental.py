"""Incremental builds: a build rewrites exactly the files whose bytes change, removes the
files of what is gone, and always leaves the same output as a clean build of the same site.

Every check is against real builds: the output's bytes, inodes and modification times before
and after an edit, and a clean build of a copy of the site in another folder.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from sitegen.build import build
from sitegen.config import BuildOptions
from sitegen.errors import ContentError, SitegenError, ThemeError
from sitegen.layout import SitePaths
from sitegen.load import SETTLE_NS
from sitegen.output import MARKER
from sitegen.render import Renderer
from sitegen.state import Memory
from sitegen.workers import Parallelism

from conftest import NOW
from helpers import post, run_sitegen, thread

PLAIN_THEME = Path(__file__).parent / "data" / "themes" / "plain"
POSTS = {  # stem: (title, tags); the date is in the stem
    "2019-01-05-alpha": ("Alpha", "[bread]"),
    "2019-01-20-beta": ("Beta", "[bread, travel]"),
    "2019-03-02-gamma": ("Gamma", "[code]"),
    "2020-02-10-delta": ("Delta", "[travel]"),
    "2020-02-25-epsilon": ("Epsilon", "[bread, code]"),
    "2020-06-01-zeta": ("Zeta", "[code]"),
    "2021-07-07-eta": ("Eta", "[travel]"),
}
BODY = "The first paragraph, which listings show.\n\nThe second paragraph."
DELTA = "content/posts/2020-02-10-delta.md"
DELTA_THREAD = "content/comments/2020-02-10-delta.yml"
COMMENTS = [
    {"id": "c1", "author": "Ana", "date": "2020-02-11 10:00", "body": "Lovely."},
    {"id": "c2", "author": "Rui", "date": "2020-02-12 09:30", "body": "Agreed.", "replyto": "c1"},
]


@dataclass(frozen=True)
class Seen:
    data: bytes
    inode: int
    mtime_ns: int


def snapshot(folder: Path) -> dict[str, Seen]:
    """Every file under `folder`, with what it holds and which file it is."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            stat = path.stat()
            found[path.relative_to(folder).as_posix()] = Seen(path.read_bytes(), stat.st_ino,
                                                              stat.st_mtime_ns)
    return found


def contents(seen: dict[str, Seen]) -> dict[str, bytes]:
    """The bytes of every file but the marker, whose build token differs between folders."""
    return {path: entry.data for path, entry in seen.items() if path != MARKER}


@pytest.fixture
def blog(make_site, tmp_path):
    """A seven-post blog on a theme that shows everything a page's context holds, built."""
    files = {f"content/posts/{stem}.md": post(title, date=None, tags=tags, body=BODY)
             for stem, (title, tags) in POSTS.items()}
    files[DELTA_THREAD] = thread(*COMMENTS)
    files["content/comments/2019-01-20-beta.yml"] = thread(
        {"id": "b1", "author": "Ida", "date": "2019-01-21 08:00", "body": "Nice bread."})
    files["content/pages/about.md"] = "---\ntitle: About\nmenu: true\n---\nAbout me.\n"
    files["sitegen.toml"] = ('title = "Test blog"\nbase_url = "https://example.org"\n'
                             'theme = "plain"\nposts_per_page = 2\n')
    site = make_site(files)
    shutil.copytree(PLAIN_THEME, site.root / "themes" / "plain")
    run(site)
    return site


def run(site, **options):
    """Build as `sitegen build` does, at the tests' fixed "now"."""
    return build(site.paths, BuildOptions(now=NOW), **options)


def clean_copy_build(site, tmp_path: Path) -> dict[str, bytes]:
    """The output of a clean build of a copy of the site, in a folder of its own."""
    copy = tmp_path / f"clean-{len(list(tmp_path.glob('clean-*')))}"
    shutil.copytree(site.root, copy, ignore=shutil.ignore_patterns("output", ".sitegen"))
    build(SitePaths.at(copy), BuildOptions(now=NOW))
    return contents(snapshot(copy / "output"))


def rebuild_and_check(site, tmp_path: Path, **options):
    """Build again and check the result against the output before and a clean build: the
    build wrote exactly the files whose bytes changed (or are new), removed exactly the
    files that are gone, left every other file untouched, and matches the clean build."""
    before = snapshot(site.output)
    report = run(site, **options)
    after = snapshot(site.output)
    assert contents(after) == clean_copy_build(site, tmp_path)
    changed = {path for path, seen in after.items() if path != MARKER
               and (path not in before or seen.data != before[path].data)}
    assert set(report.written) == changed
    assert set(report.deleted) == set(before) - set(after)
    untouched = {path: (seen.inode, seen.mtime_ns) for path, seen in after.items()
                 if path not in changed and path in before}
    assert untouched == {path: (before[path].inode, before[path].mtime_ns) for path in untouched}
    return report


def edit(site, relative: str, old: str, new: str) -> None:
    path = site.root / relative
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_second_build_writes_nothing(blog):
    before = snapshot(blog.output)
    report = run(blog)
    assert (report.written, report.deleted, report.pages_written) == ((), (), 0)
    assert snapshot(blog.output) == before


def test_the_first_build_matches_a_clean_build_and_clean_rewrites_nothing(blog, tmp_path):
    output = snapshot(blog.output)
    assert contents(output) == clean_copy_build(blog, tmp_path)
    report = run(blog, clean=True)  # renders every page again; none has other bytes
    assert (report.written, report.deleted) == ((), ())
    assert snapshot(blog.output) == output


def test_editing_a_post_body_rewrites_its_page_and_the_feeds_holding_it(blog, tmp_path):
    edit(blog, DELTA, "The second paragraph.", "The second paragraph, rewritten.")
    report = rebuild_and_check(blog, tmp_path)
    assert set(report.written) == {"2020/02/10/delta/index.html", "feed.xml",
                                   "tags/travel/feed.xml"}


def test_editing_a_title_rewrites_every_page_that_shows_it(blog, tmp_path):
    edit(blog, DELTA, "title: Delta", "title: Delta Force")
    report = rebuild_and_check(blog, tmp_path)
    assert set(report.written) == {
        "2020/02/10/delta/index.html",
        "2019/03/02/gamma/index.html", "2020/02/25/epsilon/index.html",  # its neighbours
        "page/2/index.html", "tags/travel/index.html",  # listings with its teaser
        "archive/index.html", "2020/index.html", "2020/02/index.html",
        "feed.xml", "tags/travel/feed.xml", "comments/feed.xml",
        "2020/02/10/delta/comments.xml",  # its comments' feed, titled with it
    }
    assert report.deleted == ()


def test_adding_a_comment_rewrites_its_post_the_counts_and_the_comments_feed(blog, tmp_path):
    comment = {"id": "c3", "author": "Mei", "date": "2020-03-01 12:00", "body": "Late to this."}
    blog.write(DELTA_THREAD, thread(*COMMENTS, comment))
    report = rebuild_and_check(blog, tmp_path)
    assert set(report.written) == {"2020/02/10/delta/index.html", "page/2/index.html",
                                   "tags/travel/index.html", "comments/feed.xml",
                                   "2020/02/10/delta/comments.xml"}
    assert "Late to this." in blog.page("/2020/02/10/delta/")


def test_adding_a_reply_nests_it_under_its_comment(blog, tmp_path):
    reply = {"id": "c3", "author": "Mei", "date": "2020-03-01 12:00", "body": "A reply.",
             "replyto": "c2"}
    blog.write(DELTA_THREAD, thread(*COMMENTS, reply))
    report = rebuild_and_check(blog, tmp_path)
    assert "2020/02/10/delta/index.html" in report.written
    assert '<li id="comment-c3">' in blog.page("/2020/02/10/delta/").split(
        '<li id="comment-c2">')[1]


def test_editing_a_comment_rewrites_only_its_post_and_the_comments_feed(blog, tmp_path):
    edit(blog, DELTA_THREAD, "Agreed.", "Agreed, mostly.")
    report = rebuild_and_check(blog, tmp_path)
    assert set(report.written) == {"2020/02/10/delta/index.html", "comments/feed.xml",
                                   "2020/02/10/delta/comments.xml"}


def test_changing_a_date_moves_the_post_and_updates_every_listing(blog, tmp_path):
    edit(blog, DELTA, "title: Delta", "title: Delta\ndate: 2021-09-01 08:00")
    report = rebuild_and_check(blog, tmp_path)
    assert "2020/02/10/delta/index.html" in report.deleted
    assert {"2021/09/01/delta/index.html", "2021/09/index.html", "index.html",
            "2020/02/index.html", "archive/index.html", "sitemap.xml"} <= set(report.written)
    assert not (blog.output / "2020/02/10").exists()  # emptied folders go too


def test_changing_tags_updates_both_tags_and_the_tag_index(blog, tmp_path):
    edit(blog, DELTA, "tags: [travel]", "tags: [bread]")
    report = rebuild_and_check(blog, tmp_path)
    assert {"tags/index.html", "tags/bread/index.html", "tags/travel/index.html",
            "tags/bread/feed.xml", "tags/travel/feed.xml"} <= set(report.written)


def test_marking_a_post_draft_removes_it_and_unmarking_brings_it_back(blog, tmp_path):
    edit(blog, DELTA, "title: Delta", "title: Delta\ndraft: true")
    report = rebuild_and_check(blog, tmp_path)
    assert "2020/02/10/delta/index.html" in report.deleted
    edit(blog, DELTA, "draft: true", "draft: false")
    report = rebuild_and_check(blog, tmp_path)
    assert "2020/02/10/delta/index.html" in report.written


def test_deleting_a_post_removes_its_page_and_every_mention(blog, tmp_path):
    (blog.root / DELTA).unlink()
    report = rebuild_and_check(blog, tmp_path)
    assert "2020/02/10/delta/index.html" in report.deleted
    assert not (blog.output / "2020/02/10").exists()
    assert all(b"Delta" not in data for data in contents(snapshot(blog.output)).values())


def test_adding_a_post_updates_its_archives_tags_home_and_feeds(blog, tmp_path):
    blog.write("content/posts/2022-05-05-theta.md", post("Theta", date=None, tags="[travel]"))
    report = rebuild_and_check(blog, tmp_path)
    assert {"2022/05/05/theta/index.html", "2022/index.html", "2022/05/index.html",
            "index.html", "tags/travel/index.html", "feed.xml", "tags/travel/feed.xml",
            "archive/index.html", "sitemap.xml"} <= set(report.written)


def test_a_redirect_added_changed_or_removed_rewrites_only_its_page(blog, tmp_path):
    redirects = blog.root / "content/redirects.yml"
    redirects.write_text("/search/label/Bread: /tags/bread/\n", encoding="utf-8")
    report = rebuild_and_check(blog, tmp_path)
    assert set(report.written) == {"search/label/Bread/index.html"}
    redirects.write_text("/search/label/Bread: /tags/code/\n/old.html: /about/\n",
                         encoding="utf-8")
    report = rebuild_and_check(blog, tmp_path)
    assert set(report.written) == {"search/label/Bread/index.html", "old.html"}
    redirects.unlink()
    report = rebuild_and_check(blog, tmp_path)
    assert (set(report.written), set(report.deleted)) == (
        set(), {"search/label/Bread/index.html", "old.html"})


def test_a_template_change_rewrites_only_the_pages_it_changes(blog, tmp_path):
    edit(blog, "themes/plain/templates/post.html", "<article>", '<article class="post">')
    report = rebuild_and_check(blog, tmp_path)
    assert set(report.written) == {f"{stem[:10].replace('-', '/')}/{stem[11:]}/index.html"
                                   for stem in POSTS}


def test_a_config_change_rewrites_what_it_changes(blog, tmp_path):
    edit(blog, "sitegen.toml", "posts_per_page = 2", "posts_per_page = 3")
    report = rebuild_and_check(blog, tmp_path)
    assert "page/4/index.html" in report.deleted
    edit(blog, "sitegen.toml", 'title = "Test blog"', 'title = "Renamed blog"')
    report = rebuild_and_check(blog, tmp_path)
    assert "2020/02/10/delta/index.html" in report.written


def post_page(stem: str) -> str:
    return f"{stem[:10].replace('-', '/')}/{stem[11:]}/index.html"


def test_switching_the_markdown_engine_renders_only_what_shows_bodies(blog, tmp_path,
                                                                      monkeypatch):
    # A definition list: Python-Markdown makes one, CommonMark a paragraph.
    for stem in POSTS:
        edit(blog, f"content/posts/{stem}.md", BODY, BODY + "\n\nTerm\n:   Definition.")
    rebuild_and_check(blog, tmp_path)
    bodies = {*map(post_page, POSTS), "feed.xml", "tags/bread/feed.xml",
              "tags/travel/feed.xml", "tags/code/feed.xml"}
    edit(blog, "sitegen.toml", "posts_per_page = 2", 'posts_per_page = 2\nmarkdown = "commonmark"')
    report = rebuild_and_check(blog, tmp_path)
    assert set(report.written) == bodies
    assert "<p>Term\n:   Definition.</p>" in blog.page("/2020/02/10/delta/")

    rendered = []
    render = Renderer.render
    monkeypatch.setattr(Renderer, "render",
                        lambda self, page: rendered.append(page.path) or render(self, page))
    edit(blog, "sitegen.toml", 'markdown = "commonmark"', 'markdown = "python-markdown"')
    report = run(blog)
    monkeypatch.undo()
    # The about page is converted by the engine too; its HTML is the same in both.
    assert set(rendered) == bodies | {"about/index.html"}
    assert set(report.written) == bodies
    assert "<dt>Term</dt>" in blog.page("/2020/02/10/delta/")
    assert contents(snapshot(blog.output)) == clean_copy_build(blog, tmp_path)


def test_static_files_are_copied_updated_and_removed(blog, tmp_path):
    blog.write("static/style.css", "body { color: black }\n")
    assert rebuild_and_check(blog, tmp_path).written == ("static/style.css",)
    blog.write("static/style.css", "body { color: navy }\n")
    assert rebuild_and_check(blog, tmp_path).written == ("static/style.css",)
    (blog.root / "static/style.css").unlink()
    assert rebuild_and_check(blog, tmp_path).deleted == ("static/style.css",)


@pytest.mark.parametrize("breakage", ["content", "template", "late template"])
def test_a_failing_build_leaves_the_output_untouched(blog, breakage):
    before = snapshot(blog.output)
    edit(blog, DELTA, "The second paragraph.", "A change that must not be published.")
    if breakage == "content":
        blog.write("content/posts/2021-08-08-broken.md", "---\ntitle: [unclosed\n---\nBody\n")
    elif breakage == "template":
        edit(blog, "themes/plain/templates/post.html", "{% endblock %}", "{% endblok %}")
    else:  # fails on one page, after others have rendered
        edit(blog, "themes/plain/templates/post.html", "<article>",
             '{% if post.title == "Alpha" %}{{ no_such_variable }}{% endif %}<article>')
    with pytest.raises(ContentError if breakage == "content" else ThemeError):
        run(blog)
    assert snapshot(blog.output) == before
    assert not list(blog.output.parent.glob(".output.*"))  # no staging folder left behind


def test_a_fixed_build_after_a_failure_publishes_the_change(blog, tmp_path):
    blog.write("content/posts/2021-08-08-broken.md", "---\ntitle: [unclosed\n---\nBody\n")
    edit(blog, DELTA, "The second paragraph.", "Published at last.")
    with pytest.raises(SitegenError):
        run(blog)
    (blog.root / "content/posts/2021-08-08-broken.md").unlink()
    report = rebuild_and_check(blog, tmp_path)
    assert "2020/02/10/delta/index.html" in report.written


def test_parallel_and_serial_builds_give_identical_bytes(blog, tmp_path):
    outputs = []
    for jobs in (1, 2):
        paths = SitePaths.at(blog.root, tmp_path / f"jobs-{jobs}")
        build(paths, BuildOptions(now=NOW), clean=True,
              parallelism=Parallelism(jobs, fork_safe=True))
        outputs.append(contents(snapshot(paths.output)))
    assert outputs[0] == outputs[1] == contents(snapshot(blog.output))


def test_clean_ignores_the_cache_and_repairs_a_tampered_output(blog):
    page = blog.output / "2020/02/10/delta/index.html"
    original = page.read_bytes()
    page.write_bytes(b"edited by hand")
    assert run(blog).written == ()  # trusted: nothing the site says has changed
    report = run(blog, clean=True)
    assert report.written == ("2020/02/10/delta/index.html",)
    assert page.read_bytes() == original


def test_a_stray_file_in_the_output_is_removed(blog, tmp_path):
    (blog.output / "leftover.html").write_text("old", encoding="utf-8")
    # --clean: no manifest to trust. (Without .sitegen/, which records that sitegen made
    # the folder, the folder is not written at all: see test_build.py.)
    report = rebuild_and_check(blog, tmp_path, clean=True)
    assert report.deleted == ("leftover.html",) and report.written == ()


def test_a_deleted_output_is_built_whole_again(blog, tmp_path):
    shutil.rmtree(blog.output)
    report = rebuild_and_check(blog, tmp_path)
    assert len(report.written) == len(contents(snapshot(blog.output)))


def test_a_damaged_cache_is_ignored(blog, tmp_path):
    for path in (blog.root / ".sitegen").rglob("*.pickle"):
        path.write_bytes(b"not a pickle")
    edit(blog, DELTA, "The second paragraph.", "Still right.")
    report = rebuild_and_check(blog, tmp_path)
    assert "2020/02/10/delta/index.html" in report.written


def test_an_edit_that_keeps_size_and_mtime_is_still_seen(blog, tmp_path):
    path = blog.root / DELTA
    time.sleep(SETTLE_NS / 1e9 + 0.2)  # long enough for the files' stat to be trusted
    run(blog)
    stat = path.stat()
    edit(blog, DELTA, "The second paragraph.", "The other paragraph..")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size
    report = rebuild_and_check(blog, tmp_path)
    assert "2020/02/10/delta/index.html" in report.written


def test_a_long_running_caller_keeps_the_cache_in_memory(blog, tmp_path):
    memory = Memory()
    first = run(blog, memory=memory)
    assert first.written == () and len(memory.items) == len(POSTS) + 3  # posts, threads, page
    edit(blog, DELTA, "The second paragraph.", "Edited while previewing.")
    report = rebuild_and_check(blog, tmp_path, memory=memory)
    assert "2020/02/10/delta/index.html" in report.written
    assert len(memory.items) == len(POSTS) + 3


def test_the_command_line_takes_clean_and_jobs(blog):
    result = run_sitegen("build", "--site", str(blog.root), "--clean", "--jobs", "2")
    assert result.returncode == 0, result.stderr
    assert "wrote 0 pages" in result.stdout
    bad = run_sitegen("build", "--site", str(blog.root), "--jobs", "0")
    assert bad.returncode == 2 and "--jobs" in bad.stderr


def test_a_template_error_in_parallel_rendering_is_reported_as_in_serial(blog):
    before = snapshot(blog.output)
    edit(blog, "themes/plain/templates/post.html", "<article>",
         '{% if post.title == "Alpha" %}{{ no_such_variable }}{% endif %}<article>')
    messages = []
    for jobs in (1, 2):
        with pytest.raises(ThemeError) as caught:
            run(blog, parallelism=Parallelism(jobs, fork_safe=True))
        messages.append([str(problem) for problem in caught.value.problems])
    assert messages[0] == messages[1]
    assert "no_such_variable" in messages[0][0] and "post.html" in messages[0][0]
    assert snapshot(blog.output) == before


def test_a_build_that_changes_nothing_leaves_no_trace_beside_the_output(blog):
    around = sorted(path.name for path in blog.output.parent.iterdir())
    before = blog.output.parent.stat().st_mtime_ns
    run(blog)
    assert sorted(path.name for path in blog.output.parent.iterdir()) == around
    assert blog.output.parent.stat().st_mtime_ns == before  # no staging folder made
