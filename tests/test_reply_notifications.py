"""Reply notifications with real parts: the comment server on waitress, a real SMTP server
(aiosmtpd) on loopback, links followed over HTTP, and the command line in child processes."""

from __future__ import annotations

import re
import time
from dataclasses import replace

import yaml
from intake_support import JSON, OPEN, comment, running_intake, send
from notify_support import FAST, free_port, smtp_server, text_of, wait_for
from replies_support import get, link, local, mail_site, post, to

from sitegen.comments_server.reader_mail import ReplyLinks
from sitegen.comments_server.subscriptions import (
    CONFIRM_INTERVAL,
    PostFacts,
    reader_outbox,
    request,
)
from sitegen.config import load_config
from sitegen.private import store_of

from helpers import run_sitegen

# The owner's emails follow each other at once: a test waits for the second one.
QUICK = replace(FAST, interval=0.1)
BEA = "bea@example.org"
CARLA = "carla@example.org"
PAGE = "https://example.org/2010/08/31/hello/"


def subscribed(endpoint: str, mailbox, email: str, confirm: bool = True, **fields) -> str:
    """A comment sent with the notify box ticked; its id. The confirmation email arrives,
    and its link is followed unless `confirm` is false."""
    before = len(to(mailbox, email))
    cid = send(endpoint, comment(email=email, notify="yes", **fields), JSON).json["id"]
    wait_for(lambda: len(to(mailbox, email)) > before, f"the confirmation to {email}")
    if confirm:
        confirmation = link(text_of(to(mailbox, email)[-1]), "confirm")
        assert post(local(confirmation, endpoint)).status == 200
    return cid


def test_the_confirmation_email_and_its_link_which_acts_only_when_posted(make_site):
    port = free_port()
    site = mail_site(make_site, port)
    with smtp_server(port) as mailbox, running_intake(site, notify_policy=QUICK) as url:
        cid = subscribed(url, mailbox, "Bea@Example.org", confirm=False, author="Bea")
        [message] = to(mailbox, "bea@example.org")
        text = text_of(message)
        confirm = local(link(text, "confirm"), url)
        key = store_of(site.root).comments_of(BEA) or [None]
        shown = get(confirm)
        after_get = store_of(site.root).confirmed_subscribers([cid])
        confirmed, again = post(confirm), post(confirm)
        after_post = store_of(site.root).confirmed_subscribers([cid])
        tampered = confirm[:-3] + ("AAA" if not confirm.endswith("AAA") else "BBB")
        refused = get(tampered), post(tampered)
        links = ReplyLinks(site.paths, load_config(site.paths))
        old = links.link("confirm", store_of(site.root).subscribe(cid, BEA).key,
                         time.time() - 15 * 86400)
        expired = post(local(old, url))

    assert key == [None], "a pending comment's address is not in the store's emails yet"
    assert message["Subject"] == "[My blog] Confirm: email me about replies"
    assert message["From"] == "My blog <sitegen@example.org>"
    assert "left a comment on “Hello” at My blog and asked to be emailed" in text
    assert "Until you do, nothing else is sent to this address." in text
    unsubscribe = link(text, "unsubscribe")
    assert message["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert shown.status == 200 and '<form method="post"><button type="submit">Confirm' in shown.text
    assert after_get == [], "opening the link confirms nothing"
    assert confirmed.status == 200 and "you will get an email" in confirmed.text
    assert again.status == 200
    assert [subscriber.email for subscriber in after_post] == [BEA]
    assert [answer.status for answer in refused] == [403, 403]
    assert "not one this blog made" in refused[0].text
    assert expired.status == 403 and "This link has expired" in expired.text


def test_replies_by_every_route_are_emailed_with_text_link_and_unsubscribe_headers(make_site):
    port = free_port()
    site = mail_site(make_site, port)
    with smtp_server(port) as mailbox, running_intake(site, notify_policy=QUICK) as url:
        bea = subscribed(url, mailbox, BEA, author="Bea", body="Which flour?")
        approved = run_sitegen("comments", "approve", bea, "--site", str(site.root))
        assert approved.returncode == 0, approved.stderr
        # The owner's reply from the command line, in another process.
        said = run_sitegen("comments", "reply", OPEN, "--to", bea, "-m",
                           "Rye, *mostly*.\n\nAnd time.", "--as", "Olga", "--site",
                           str(site.root))
        assert said.returncode == 0, said.stderr
        [first] = wait_for(lambda: to(mailbox, BEA)[1:], "the notice of the owner's reply")
        owners = store_of(site.root).comments_of(BEA)
        # A reader's answer to the owner's reply, approved from the owner's email link.
        reply = send(url, comment(author="Carla", body="Same here", replyto=_ids(site)[-1]),
                     JSON).json["id"]
        moderation = wait_for(lambda: [m for m in to(mailbox, "owner@example.org")
                                       if "Carla" in text_of(m)], "the owner's email")
        approve = _approve_link(text_of(moderation[-1]), url)
        assert post(approve).status == 200
        [_, _, second] = wait_for(lambda: to(mailbox, BEA)[2:] and to(mailbox, BEA),
                                  "the notice of the deeper reply")

    text = text_of(first)
    assert first["Subject"] == "[My blog] Olga (the author) replied on “Hello”"
    assert "replied to your comment on “Hello”:\n\n> Rye, *mostly*.\n>\n> And time.\n" in text
    owners_reply = _ids(site)[-2]
    assert f"{PAGE}#comment-{owners_reply}" in text
    assert first["List-Unsubscribe"] == f"<{link(text, 'unsubscribe')}>"
    assert first["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert owners == [bea], "approving kept Bea's address in the store"
    second_text = text_of(second)
    assert second["Subject"] == "[My blog] Carla replied on “Hello”"
    assert "Carla replied to" in second_text and "below your comment on “Hello”" in second_text
    assert "> Same here" in second_text and f"{PAGE}#comment-{reply}" in second_text


def test_no_email_before_confirming_after_unsubscribing_or_for_ones_own_reply(make_site):
    port = free_port()
    site = mail_site(make_site, port, "rate_limit = 0\nauto_approve = true")
    with smtp_server(port) as mailbox, running_intake(site, notify_policy=QUICK) as url:
        bea = subscribed(url, mailbox, BEA, confirm=False, author="Bea")
        carla = subscribed(url, mailbox, CARLA, author="Carla")
        send(url, comment(author="Dee", body="To both", replyto=bea), JSON)
        send(url, comment(author="Dee", body="To Carla", replyto=carla), JSON)
        wait_for(lambda: len(to(mailbox, CARLA)) == 2, "the marker: Carla's notice")
        unconfirmed = len(to(mailbox, BEA))
        # Carla answers herself (same address, any case): nobody to tell but... not her.
        send(url, comment(author="Carla", email="CARLA@example.org", body="Me again",
                          replyto=carla), JSON)
        _outbox_settles(site)
        own = len(to(mailbox, CARLA))
        one_click = post(local(link(text_of(to(mailbox, CARLA)[-1]), "unsubscribe"), url),
                         b"List-Unsubscribe=One-Click")
        send(url, comment(author="Dee", body="After", replyto=carla), JSON)
        _outbox_settles(site)
    assert unconfirmed == 1, "only the confirmation, never a notice, before confirming"
    assert own == 2, "no notice of one's own reply"
    assert one_click.status == 200 and "No more emails" in one_click.text
    assert len(to(mailbox, CARLA)) == 2, "nothing after unsubscribing"
    assert store_of(site.root).confirmed_subscribers([carla]) == []


def test_one_confirmation_per_address_a_day(make_site):
    port = free_port()
    site = mail_site(make_site, port)
    with smtp_server(port) as mailbox, running_intake(site, notify_policy=QUICK) as url:
        subscribed(url, mailbox, BEA, confirm=False)
        for email in (BEA, "BEA@example.org", BEA):
            assert send(url, comment(email=email, notify="yes"), JSON).status == 202
        _outbox_settles(site)
    assert len(to(mailbox, BEA)) == 1
    store, outbox = store_of(site.root), reader_outbox(site.paths)
    post_facts = PostFacts("Hello", PAGE)
    today = request(store, outbox, "later", BEA, post_facts, time.time() + 60)
    tomorrow = request(store, outbox, "later", BEA, post_facts,
                       time.time() + CONFIRM_INTERVAL + 1)
    assert today is None and tomorrow is not None
    store.confirm(tomorrow.item["key"], time.time())
    # Confirmed once, an address is not asked again: its next comment is followed at once.
    assert request(store, outbox, "next", BEA, post_facts, time.time() + 3 * 86400) is None
    assert [s.email for s in store.confirmed_subscribers(["next"])] == [BEA]


def test_forget_ends_the_emails_and_anonymize_rewrites_only_that_readers_comments(make_site):
    port = free_port()
    site = mail_site(make_site, port, "rate_limit = 0\nauto_approve = true")
    with smtp_server(port) as mailbox, running_intake(site, notify_policy=QUICK) as url:
        bea = subscribed(url, mailbox, BEA, author="Bea", url="https://bea.example/")
        carla = subscribed(url, mailbox, CARLA, author="Carla", replyto=bea)
        wait_for(lambda: len(to(mailbox, BEA)) == 2, "Bea's notice of Carla's reply")
        thread = site.root / f"content/comments/{OPEN}.yml"
        before = thread.read_text()
        forgot = run_sitegen("comments", "forget", BEA, "--anonymize", "--site", str(site.root))
        after = thread.read_text()
        send(url, comment(author="Dee", body="To both", replyto=carla), JSON)
        wait_for(lambda: len(to(mailbox, CARLA)) == 2, "the marker: Carla's notice")
        _outbox_settles(site)
    assert forgot.returncode == 0, forgot.stderr
    assert "1 comment signed Anonymous, without website" in forgot.stdout
    assert "forgot bea@example.org in the private store: 1 comment's address, 1 reply " \
           "subscription, its subscriber record" in forgot.stdout
    assert len(to(mailbox, BEA)) == 2, "nothing more after forget"
    assert after == before.replace("author: Bea\n", "author: Anonymous\n").replace(
        "  url: https://bea.example/\n", "")
    assert BEA not in after and store_of(site.root).comments_of(BEA) == []


def _outbox_settles(site) -> None:
    """Wait until the worker has sent everything in the outbox."""
    outbox = reader_outbox(site.paths)
    wait_for(lambda: not outbox.names(), "the outbox to empty")


def _ids(site) -> list[str]:
    return [entry["id"] for entry in yaml.safe_load(
        (site.root / f"content/comments/{OPEN}.yml").read_text())]


def _approve_link(text: str, url: str) -> str:
    return local(re.search(r"^Approve: (\S+)$", text, re.M)[1], url)
