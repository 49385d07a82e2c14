"""Whole builds: what is written where, collisions, and the atomic swap."""

from __future__ import annotations

import multiprocessing
import shutil
import subprocess
import sys
import time

import pytest
from bs4 import BeautifulSoup

from sitegen.build import build
from sitegen.config import BuildOptions, load_config
from sitegen.errors import ContentError, SitegenError, ThemeError
from sitegen.layout import SitePaths, output_lock
from sitegen.render import Renderer, compile_templates
from sitegen.workers import Parallelism

from helpers import links, post, thread


def blog(make_site, posts: int = 3, **extra):
    files = {
        f"content/posts/2010-0{n}-1{n}-post-{n}.md": post(f"Post {n}", date=None, tags="[bread]")
        for n in range(1, posts + 1)
    }
    return make_site({**files, **extra})


def test_the_site_has_every_kind_of_page(make_site):
    site = blog(make_site, 3, **{
        "sitegen.toml": "posts_per_page = 2\n",
        "content/pages/about.md": "---\ntitle: About\nmenu: true\n---\nMe.\n",
        "content/comments/2010-01-11-post-1.yml": thread(
            {"id": "a", "author": "Ana", "date": "2010-02-01 10:00", "body": "Hi"}),
    })
    report = site.build()
    files = set(site.files())
    assert {
        "2010/01/11/post-1/index.html", "2010/02/12/post-2/index.html",
        "2010/03/13/post-3/index.html", "about/index.html",
        "index.html", "page/2/index.html",
        "2010/index.html", "2010/01/index.html", "2010/02/index.html", "2010/03/index.html",
        "archive/index.html", "tags/index.html", "tags/bread/index.html",
        "tags/bread/page/2/index.html", "tags/bread/feed.xml",
        "feed.xml", "comments/feed.xml", "sitemap.xml", "robots.txt", "404.html",
    } <= files
    # Only what the site serves: how sitegen knows the folder is its own is kept in private/.
    assert not [name for name in files if name.startswith(".")]
    assert "page/3/index.html" not in files
    assert any(name.startswith("static/") for name in files)
    assert (report.posts, report.comments) == (3, 1)
    assert report.pages_written == len([f for f in files if not f.startswith(("static/", "."))])


def test_a_failed_build_leaves_the_previous_site_byte_for_byte(make_site):
    site = blog(make_site)
    site.build()
    before = site.files()
    site.write("content/posts/2010-04-14-broken.md", "---\ntitle: [broken\n---\n")
    with pytest.raises(ContentError):
        site.build()
    assert site.files() == before
    assert [p.name for p in site.root.iterdir() if p.name.startswith(".output")] == []


def test_a_template_error_leaves_the_previous_site_too(make_site):
    site = blog(make_site)
    site.build()
    before = site.files()
    site.write("templates/post.html", "{% extends 'base.html' %}{% block content %}"
                                      "{{ post.no_such_field }}{% endblock %}")
    with pytest.raises(ThemeError) as caught:
        site.build()
    [problem] = caught.value.problems
    assert problem.path == site.root / "templates/post.html" and problem.line == 1
    assert "no_such_field" in problem.message
    assert site.files() == before


def test_two_posts_on_one_permalink_is_an_error_naming_both(make_site, monkeypatch):
    site = make_site({
        "content/posts/a.md": post("Same", slug="same"),
        "content/posts/b.md": post("Other", slug="same"),
    })
    monkeypatch.chdir(site.root)
    with pytest.raises(ContentError) as caught:
        site.build()
    assert [str(p) for p in caught.value.problems] == [
        "content/posts/b.md: /2010/08/31/same/ is also the address of content/posts/a.md"
    ]
    assert not site.output.exists()


def test_a_page_cannot_take_a_generated_address(make_site, monkeypatch):
    site = make_site({"content/pages/archive.md": "---\ntitle: Archive\n---\nMine.\n"})
    monkeypatch.chdir(site.root)
    with pytest.raises(ContentError) as caught:
        site.build()
    assert [str(p) for p in caught.value.problems] == [
        "content/pages/archive.md: /archive/ is also the address of sitegen's own /archive/ page"
    ]


def test_an_empty_site_builds(make_site):
    site = make_site()
    report = site.build()
    assert report.posts == 0
    assert "index.html" in site.files() and "feed.xml" in site.files()


def test_a_folder_sitegen_did_not_write_is_never_replaced(make_site):
    site = blog(make_site)
    site.write("output/precious.txt", "my only copy")
    with pytest.raises(SitegenError) as caught:
        site.build()
    assert "was not written by sitegen" in str(caught.value)
    assert (site.output / "precious.txt").read_text() == "my only copy"


def test_without_its_owner_record_a_built_folder_is_not_written(make_site):
    site = blog(make_site)
    site.build()
    site.write("output/precious.txt", "my only copy")
    before = site.files()
    shutil.rmtree(site.root / "private")
    with pytest.raises(SitegenError) as caught:
        site.build()
    assert str(caught.value) == (
        f"{site.output} is not empty and was not written by sitegen (or its record in "
        f"{site.root / 'private'} was deleted); remove it or pick another --output")
    assert site.files() == before


def test_deleting_the_build_state_costs_only_time(make_site):
    site = blog(make_site)
    site.build()
    before = {path: (site.output / path).stat().st_mtime_ns for path in site.files()}
    shutil.rmtree(site.root / ".sitegen")
    report = site.build()
    assert (report.written, report.deleted) == ((), ())
    assert {path: (site.output / path).stat().st_mtime_ns for path in site.files()} == before
    assert site.build().pages_written == 0


def test_an_owner_record_where_earlier_versions_kept_it_still_counts(make_site):
    site = blog(make_site)
    site.build()
    owner = site.paths.private.output_owner(site.output)
    former = site.paths.state.former_output_owner(site.output)
    owner.rename(former)
    report = site.build()
    assert (report.written, report.deleted) == ((), ())
    assert owner.exists() and not former.exists()


def test_a_folder_marked_by_an_earlier_version_is_taken_and_the_mark_removed(make_site):
    site = blog(make_site)
    site.build()
    owner = site.paths.private.output_owner(site.output)
    token = owner.read_text(encoding="utf-8").split()[1]
    owner.unlink()
    site.write("output/.sitegen-output", "This folder is written by `sitegen build` and "
                                         f"replaced on every build.\nbuild {token}\n")
    report = site.build()
    assert (report.written, report.deleted) == ((), ())
    assert not (site.output / ".sitegen-output").exists()
    assert owner.read_text(encoding="utf-8") == f"build {token}\n"


def test_the_site_itself_is_never_the_output(make_site):
    site = blog(make_site)
    with pytest.raises(SitegenError, match="holds the site itself"):
        build(SitePaths.at(site.root, site.root), BuildOptions())
    with pytest.raises(SitegenError, match="holds the site itself"):
        build(SitePaths.at(site.root, site.root.parent), BuildOptions())


def test_site_static_files_override_the_theme(make_site):
    site = blog(make_site, 1, **{"static/style.css": "body { color: red }",
                                 "static/img/a.png": b"x"})
    site.build()
    assert (site.output / "static/style.css").read_text() == "body { color: red }"
    assert (site.output / "static/img/a.png").read_bytes() == b"x"


def test_a_site_template_overrides_the_theme(make_site):
    site = blog(make_site, 1, **{
        "templates/page.html": "{% extends 'base.html' %}{% block content %}"
                               "<p>MY OWN {{ page.title }}</p>{% endblock %}",
        "content/pages/about.md": "---\ntitle: About\n---\nMe.\n",
    })
    site.build()
    assert "<p>MY OWN About</p>" in site.page("/about/")
    assert "MY OWN" not in site.page("/2010/01/11/post-1/")


def test_posts_link_their_neighbours(make_site):
    site = blog(make_site, 3)
    site.build()
    # (Each also lists the others as related posts, all three tagged bread: not in this nav.)
    nav = "nav.post-nav a[href]"
    middle = links(site.page("/2010/02/12/post-2/"), "/2010/02/12/post-2/", nav)
    assert middle == {"/2010/01/11/post-1/", "/2010/03/13/post-3/"}
    newest = links(site.page("/2010/03/13/post-3/"), "/2010/03/13/post-3/", nav)
    assert newest == {"/2010/02/12/post-2/"}


def test_listing_pages_have_distinct_titles(make_site):
    site = blog(make_site, 3, **{"sitegen.toml": 'title = "Crumbs"\nposts_per_page = 1\n'})
    site.build()
    titles = [
        BeautifulSoup(site.page(url), "html.parser").title.string
        for url in ("/", "/page/2/", "/tags/bread/", "/tags/bread/page/3/")
    ]
    assert titles == ["Crumbs", "Page 2 · Crumbs", "Posts tagged “bread” · Crumbs",
                      "Posts tagged “bread”, page 3 · Crumbs"]


def test_no_comments_feed_when_comments_are_off(make_site):
    site = blog(make_site, 1, **{
        "sitegen.toml": "[comments]\nenabled = false\n",
        "content/comments/2010-01-11-post-1.yml": thread(
            {"id": "a", "author": "Ana", "date": "2010-01-12 10:00", "body": "Hidden."})})
    site.build()
    assert "comments/feed.xml" not in site.files()
    assert "<form" not in site.page("/2010/01/11/post-1/")
    assert "Recent comments" not in site.page("/")


def test_under_a_path_the_pages_shown_anywhere_link_from_the_domain_root(make_site):
    site = blog(make_site, 1, **{
        "sitegen.toml": 'base_url = "https://example.org/blog/"\n',
        "content/posts/2010-08-31-moved.md": post("Moved", aliases="['/2010/08/moved.html']"),
    })
    site.build()
    shown_at = links(site.page("/404.html"), "/blog/no/such/page/", "a[href], link[href]")
    assert shown_at >= {"/blog/", "/blog/static/style.css", "/blog/archive/"}
    assert all(link.startswith("/blog/") for link in shown_at)
    redirect = site.page("/2010/08/moved.html")
    assert 'content="0; url=/blog/2010/08/31/moved/"' in redirect
    assert 'href="/blog/2010/08/31/moved/"' in redirect
    assert 'href="https://example.org/blog/2010/08/31/moved/"' in redirect
    # Every other page links relative to itself, so it works under any path.
    assert 'href="../../../../static/style.css"' in site.page("/2010/08/31/moved/")


def test_a_build_waits_its_turn_while_another_writes_the_same_output(make_site):
    site = blog(make_site, 2, **{"sitegen.toml": 'base_url = "https://example.org"\n'})
    site.build()
    site.write("content/posts/2010-01-11-post-1.md", post("Renamed", date=None, tags="[bread]"))
    with output_lock(site.paths):
        child = subprocess.Popen([sys.executable, "-m", "sitegen", "build"], cwd=site.root,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert child.stdout.readline() == f"building {site.root} into {site.output}\n"
        assert child.stdout.readline() == (f"waiting for another build into {site.output} "
                                           "to finish\n")
        time.sleep(0.5)
        assert child.poll() is None
        assert "Renamed" not in site.page("/2010/01/11/post-1/")
    out, err = child.communicate(timeout=60)
    assert (child.returncode, err) == (0, "")
    assert out.startswith("2 posts, 0 comments: wrote ")
    assert "Renamed" in site.page("/2010/01/11/post-1/")


def test_the_build_keeps_its_cache_out_of_the_sites_git(make_site):
    site = blog(make_site, 1)
    subprocess.run(["git", "init", "-q"], cwd=site.root, check=True)
    (site.root / ".gitignore").write_text("output/\n")
    site.build()
    assert (site.root / ".sitegen" / "items").is_dir()
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"],
                            cwd=site.root, capture_output=True, text=True, check=True).stdout
    assert sorted(status.splitlines()) == ["?? .gitignore", "?? content/posts/2010-01-11-post-1.md"]


def test_a_post_with_a_picture_offers_it_to_link_previews(make_site):
    site = make_site({
        "sitegen.toml": 'base_url = "https://example.org/blog/"\n',
        "content/posts/2010-08-31-loaf.md": post("Loaf", body="![The crumb](crumb.jpg)"),
    })
    site.build()
    page = BeautifulSoup(site.page("/2010/08/31/loaf/"), "html.parser")
    assert page.select_one('meta[property="og:image"]')["content"] == \
        "https://example.org/blog/2010/08/31/loaf/crumb.jpg"
    assert page.select_one('meta[name="twitter:card"]')["content"] == "summary_large_image"


def test_only_the_first_home_page_shows_the_newest_comments(make_site):
    site = blog(make_site, 3, **{
        "sitegen.toml": "posts_per_page = 1\n",
        "content/comments/2010-01-11-post-1.yml": thread(
            {"id": "a", "author": "Ana", "date": "2010-01-12 10:00", "body": "Shown *here*."})})
    site.build()
    home = BeautifulSoup(site.page("/"), "html.parser").select_one(".recent-comments li")
    assert home.a["href"] == "2010/01/11/post-1/#comment-a"
    assert home.p.get_text() == "Shown here."
    assert "Recent comments" not in site.page("/page/2/")


def test_a_drafts_build_marks_each_draft_where_it_shows(make_site):
    site = make_site({
        "content/posts/2010-08-31-ready.md": post("Ready"),
        "content/posts/2010-09-01-unsure.md": post("Unsure", date="2010-09-01", draft="true"),
    })
    site.build(drafts=True)
    badge = '<span class="draft-badge">Draft</span>'
    assert badge in site.page("/2010/09/01/unsure/")
    assert badge not in site.page("/2010/08/31/ready/")
    teasers = BeautifulSoup(site.page("/"), "html.parser").select("article.teaser")
    assert [(t.h2.get_text(strip=True), bool(t.select(".draft-badge"))) for t in teasers] == [
        ("Unsure", True), ("Ready", False)]
    site.build()
    assert badge not in site.page("/")


def test_a_build_that_may_fork_compiles_every_template_into_the_cache_on_the_side(make_site):
    """The render workers load templates from the bytecode cache: a process of its own
    fills it with every template, even those no page uses, and is gone when the build is;
    a broken template is still the build's one-line error."""
    site = make_site({"content/posts/2010-08-31-hello.md": post("Hello")})
    paths = site.paths
    build(paths, BuildOptions(), parallelism=Parallelism(jobs=2, fork_safe=True))
    assert not multiprocessing.active_children()
    env = Renderer(paths, load_config(paths), paths.state.compiled_templates).env
    cache = env.bytecode_cache
    for name in env.list_templates():
        source, filename, _ = env.loader.get_source(env, name)
        assert cache.get_bucket(env, name, filename, source).code is not None, name
    assert "page.html" in env.list_templates()  # no page uses it here

    site.write("templates/post.html", "{% if %}")
    with pytest.raises(ThemeError, match=r"post\.html"):
        build(paths, BuildOptions(), parallelism=Parallelism(jobs=2, fork_safe=True))
    assert not multiprocessing.active_children()


def test_compiling_aside_leaves_the_languages_catalogs_compiled_for_the_build(
        make_site, monkeypatch):
    site = make_site({"sitegen.toml": 'language = "pt"\n'})
    compile_templates(site.paths, load_config(site.paths))
    monkeypatch.setattr("sitegen.i18n.compile_catalog",
                        lambda *args: pytest.fail("a catalog compiled again"))
    renderer = Renderer(site.paths, load_config(site.paths),
                        site.paths.state.compiled_templates)
    assert renderer.language.gettext("Comments are closed.") == "Os comentários estão fechados."

