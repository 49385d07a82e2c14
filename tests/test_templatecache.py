"""templatecache.py, and i18n.py's compiled catalogs: what a build compiles is kept between
builds, sitegen's own beside sitegen for every site to share, a site's own with the site."""

from __future__ import annotations

import shutil

import jinja2
import pytest

import sitegen.i18n
from sitegen.build import build
from sitegen.config import BuildOptions
from sitegen.layout import SitePaths
from sitegen.templatecache import CompiledTemplates
from sitegen.workers import Parallelism

from helpers import post

OWN_TAG_PAGE = '{% extends "base.html" %}{% block content %}Own tag page{% endblock %}'


@pytest.fixture
def compiled(monkeypatch, tmp_path) -> list[str]:
    """The names of the templates compiled from here on, with sitegen's own kept in a
    folder of this test's."""
    monkeypatch.setattr("sitegen.templatecache.SHARED", tmp_path / "shared")
    # As on a user's machine (the machines here set PYTHONDONTWRITEBYTECODE).
    monkeypatch.setattr("sys.dont_write_bytecode", False)
    names: list[str] = []
    original = jinja2.Environment.compile

    def compile(self, source, name=None, filename=None, raw=False, defer_init=False):
        names.append(name)
        return original(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(jinja2.Environment, "compile", compile)
    return names


def _build(paths: SitePaths, clean: bool = False) -> None:
    build(paths, BuildOptions(), clean=clean, parallelism=Parallelism(jobs=1))


def test_a_sites_first_build_finds_sitegens_own_templates_compiled(make_site, tmp_path,
                                                                    compiled):
    first = make_site({"content/posts/2010-08-31-hello.md": post("Hello"),
                       "content/posts/2010-09-01-again.md": post("Again", tags="[bread]"),
                       "templates/tag.html": OWN_TAG_PAGE})
    _build(first.paths)
    assert {"base.html", "post.html", "index.html", "tag.html"} <= set(compiled)
    # Another site, never built: only its own template is compiled.
    second = tmp_path / "second"
    shutil.copytree(first.root, second, ignore=shutil.ignore_patterns(".sitegen", "output"))
    compiled.clear()
    _build(SitePaths.at(second))
    assert compiled == ["tag.html"]
    assert "Own tag page" in (second / "output/tags/bread/index.html").read_text()
    assert len(list((tmp_path / "shared").glob("*.cache"))) >= 10
    assert len(list(first.paths.state.compiled_templates.glob("*.cache"))) == 1


def test_where_sitegens_folder_cannot_be_written_the_site_keeps_every_template(
        make_site, tmp_path, monkeypatch, compiled):
    (tmp_path / "a file").write_text("not a folder")
    monkeypatch.setattr("sitegen.templatecache.SHARED", tmp_path / "a file" / "shared")
    site = make_site({"content/posts/2010-08-31-hello.md": post("Hello")})
    _build(site.paths)
    assert "post.html" in compiled
    compiled.clear()
    _build(site.paths, clean=True)  # the output again, from the site's own cache
    assert compiled == []
    assert len(list(site.paths.state.compiled_templates.glob("*.cache"))) >= 10


def test_told_to_write_no_bytecode_sitegen_leaves_its_folder_alone(make_site, tmp_path,
                                                                     monkeypatch, compiled):
    """PYTHONDONTWRITEBYTECODE (or -B) asks that installed packages' folders stay as they
    are: the site keeps every compiled template and catalog then."""
    monkeypatch.setattr("sys.dont_write_bytecode", True)
    monkeypatch.setattr("sitegen.i18n.SHARED", tmp_path / "catalogs")
    site = make_site({"content/posts/2010-08-31-hello.md": post("Hello"),
                      "sitegen.toml": 'language = "de"\n'})
    _build(site.paths)
    assert not (tmp_path / "shared").exists() and not (tmp_path / "catalogs").exists()
    compiled.clear()
    _build(site.paths, clean=True)
    assert compiled == []
    assert len(list(site.paths.state.compiled_templates.glob("*.cache"))) >= 10
    assert len(list((site.paths.state.compiled_templates / "catalogs").glob("*.mo"))) == 1


def test_code_compiled_with_other_settings_is_never_loaded(tmp_path, compiled):
    """Jinja2 finds compiled code by the template's source alone; how it was compiled
    (here, whether a block tag's newline is kept) must tell the files apart."""
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "page.html").write_text("{% if true %}\nyes\n{% endif %}\n")
    rendered = []
    for trim in (True, False, True):
        env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates)),
                                 trim_blocks=trim, bytecode_cache=CompiledTemplates(
                                     tmp_path / "cache", [templates]))
        rendered.append(env.get_template("page.html").render())
    assert rendered == ["yes\n", "\nyes\n", "yes\n"]
    assert compiled == ["page.html", "page.html"]  # the third found the first's code


def test_kept_code_holds_nothing_of_a_sites_settings(make_site, tmp_path, compiled):
    """Jinja2's optimizer would run `{{ "/sitemap.xml" | absolute }}` when compiling, and
    the kept code would hold one site's address: for that site after it changed its
    `base_url`, and for every other site sharing sitegen's compiled templates."""
    site = make_site({"content/posts/2010-08-31-hello.md": post("Hello", tags="[bread]"),
                      "sitegen.toml": 'base_url = "https://one.example"\n'})
    _build(site.paths)
    other = tmp_path / "other"
    shutil.copytree(site.root, other, ignore=shutil.ignore_patterns(".sitegen", "output"))
    (other / "sitegen.toml").write_text('base_url = "https://other.example"\n')
    _build(SitePaths.at(other))
    site.write("sitegen.toml", 'base_url = "https://two.example"\n')
    _build(site.paths)
    for root, address in ((other, "https://other.example"), (site.root, "https://two.example")):
        assert f"Sitemap: {address}/sitemap.xml" in (root / "output/robots.txt").read_text()
        assert f'scheme="{address}/tags/"' in (root / "output/feed.xml").read_text()


def test_a_shipped_themes_catalog_is_compiled_once_for_every_site(make_site, tmp_path,
                                                                  monkeypatch, compiled):
    monkeypatch.setattr("sitegen.i18n.SHARED", tmp_path / "catalogs")
    catalogs: list[str] = []
    original = sitegen.i18n.compile_catalog

    def compile_catalog(path, data, locale):
        catalogs.append("theme's" if "themes" in path.parts else "site's")
        return original(path, data, locale)

    monkeypatch.setattr(sitegen.i18n, "compile_catalog", compile_catalog)
    own = 'msgid "Leave a comment"\nmsgstr "Schreib uns"\n'
    first = make_site({"content/posts/2010-08-31-hello.md": post("Hello"),
                       "sitegen.toml": 'language = "de"\n',
                       "locale/de/LC_MESSAGES/messages.po": own})
    _build(first.paths)
    assert catalogs == ["theme's", "site's"]
    assert len(list((tmp_path / "catalogs").glob("*.mo"))) == 1
    assert len(list((first.paths.state.compiled_templates / "catalogs").glob("*.mo"))) == 1
    # Another site in German, never built: only its own catalog is compiled.
    second = tmp_path / "second"
    shutil.copytree(first.root, second, ignore=shutil.ignore_patterns(".sitegen", "output"))
    catalogs.clear()
    _build(SitePaths.at(second))
    assert catalogs == ["site's"]
    page = (second / "output/2010/08/31/hello/index.html").read_text()
    assert "Schreib uns" in page and "Kommentare" in page  # the site's words over the theme's
    # Where sitegen's folder cannot be written, the site keeps the theme's catalog too.
    (tmp_path / "a file").write_text("not a folder")
    monkeypatch.setattr("sitegen.i18n.SHARED", tmp_path / "a file" / "catalogs")
    catalogs.clear()
    _build(first.paths, clean=True)
    _build(first.paths, clean=True)
    assert catalogs == ["theme's"]
    assert len(list((first.paths.state.compiled_templates / "catalogs").glob("*.mo"))) == 2
