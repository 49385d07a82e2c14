"""A reader in headless Chromium ticks "Email me when someone replies" on a built post page,
served with the comment server behind one origin, and the confirmation email arrives at a
real SMTP server: with JavaScript (the form posts in place) and without (a plain POST)."""

from __future__ import annotations

import re

import pytest
from intake_support import front_server, running_intake
from notify_support import FAST, free_port, smtp_server, text_of, wait_for
from replies_support import PUBLIC, mail_site, to

PAGE = "/2010/08/31/hello/"


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_ticking_the_box_sends_the_confirmation(browser, make_site, javascript):
    port = free_port()
    site = mail_site(make_site, port, 'rate_limit = 0\ntrusted_proxies = ["127.0.0.1"]')
    site.build()
    address = f"reader-{'js' if javascript else 'plain'}@example.org"
    with smtp_server(port) as mailbox, running_intake(site, notify_policy=FAST) as intake, \
            front_server(site.output, intake) as base:
        context = browser.new_context(java_script_enabled=javascript)
        page = context.new_page()
        page.goto(base + PAGE)
        page.fill("#comment-author", "Carla")
        page.fill("#comment-email", address)
        page.fill("#comment-body", "Will you write about rye?")
        page.get_by_label("Email me when someone replies").check()
        page.click("#comment-form button[type=submit]")
        if javascript:
            page.locator("#comment-pending").wait_for(state="visible")
            assert page.url == base + PAGE, "the form posted in place"
        else:
            page.wait_for_url(re.compile(r"#comment-pending$"))
        assert page.locator("#comment-pending").is_visible()
        context.close()
        [confirmation] = wait_for(lambda: to(mailbox, address), "the confirmation")
    assert confirmation["Subject"] == "[My blog] Confirm: email me about replies"
    assert re.search(rf"^{re.escape(PUBLIC)}/replies/confirm\.\S+$", text_of(confirmation),
                     re.M)
