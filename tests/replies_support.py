"""Real parts for the reply-notification tests: the intake site with mail on, pointed at an
aiosmtpd server, and ways to pick a reader's emails and follow their links."""

from __future__ import annotations

import re

from intake_support import comment_site, send

PUBLIC = "https://example.org/comments"
ONE_CLICK = {"Content-Type": "application/x-www-form-urlencoded"}


def mail_site(make_site, port: int, comments: str = "rate_limit = 0"):
    """The intake tests' site (post 'Hello' with Ana's comment 'first'), mailing through
    the SMTP server on `port`."""
    site = comment_site(make_site, comments)
    config = site.root / "sitegen.toml"
    config.write_text(config.read_text() + '[notify]\nemail = "owner@example.org"\n'
                      f'smtp_host = "127.0.0.1"\nsmtp_port = {port}\n', encoding="utf-8")
    return site


def to(mailbox, address: str) -> list:
    """The emails received for `address` (any case), oldest first."""
    return [message for message in mailbox.messages
            if str(message["To"]).lower() == address.lower()]


def link(text: str, action: str) -> str:
    """The confirm or unsubscribe link in an email's text."""
    return re.search(rf"^({re.escape(PUBLIC)}/replies/{action}\.\S+)$", text, re.M)[1]


def local(public: str, url: str) -> str:
    """A link from an email, pointing at the comment server under test (`url`, its
    endpoint)."""
    assert public.startswith(PUBLIC + "/"), public
    return url + public.removeprefix(PUBLIC)


def get(url: str):
    return send(url, None, {}, method="GET")


def post(url: str, body: bytes = b""):
    return send(url, body, ONE_CLICK)
