"""The emails readers get about replies, and the signed links in them.

Two kinds: the confirmation sent after a reader ticks "Email me when someone replies", and
the notice of a reply. Both carry a link to unsubscribe, and the `List-Unsubscribe` and
`List-Unsubscribe-Post: List-Unsubscribe=One-Click` headers (RFC 8058), with which a mail
program unsubscribes in one click by POSTing to that link. Links are signed with the
private store's `links` secret for their own purpose, so that no moderation link is ever
one of these, and name the subscriber's random key, never the address. Whether to send is
decided when sending: an address unsubscribed or forgotten since the email was queued is
sent nothing, and a reply notice goes only to a confirmed address.
"""

from __future__ import annotations

import email.policy
import logging
import time
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid

from ..config import Config
from ..layout import SitePaths
from ..private import Subscriber
from ..signing import BadToken
from .links import SignedLinks, public_endpoint
from .mailer import SmtpServer

log = logging.getLogger("sitegen.replies")
PURPOSE = "replies"
REPLIES_PATH = "/replies/"
LIFETIMES = {"confirm": 14 * 24 * 3600,
             # An unsubscribe link must go on working in an old email.
             "unsubscribe": 5 * 366 * 24 * 3600}
# Headers are not folded under 998 characters: a folded List-Unsubscribe would be
# encoded (RFC 2047), which no mail program reads as a link.
HEADERS_POLICY = email.policy.default.clone(max_line_length=998)


class ReplyLinks(SignedLinks):
    """Signs and checks the confirm and unsubscribe links of one site."""

    purpose = PURPOSE

    def __init__(self, paths: SitePaths, config: Config) -> None:
        super().__init__(paths, public_endpoint(config).rstrip("/") + REPLIES_PATH)

    def link(self, action: str, key: str, now: float) -> str:
        return self.base + self.signer.sign((action, key), int(now) + LIFETIMES[action])

    def check(self, token: str, now: float) -> tuple[str, str]:
        """The action and subscriber key a token names; BadToken if it must not be used."""
        fields = self.signer.verify(token, now)
        if len(fields) != 2 or fields[0] not in LIFETIMES:
            raise BadToken("tampered")
        return fields[0], fields[1]


class ReaderMailer:
    """Sends the outbox's "reader" entries: `send` raises DeliveryError to be retried."""

    def __init__(self, paths: SitePaths, config: Config, smtp: SmtpServer) -> None:
        self.config, self.smtp = config, smtp
        self.links = ReplyLinks(paths, config)

    def send(self, items: list[dict]) -> None:
        now = time.time()
        for item in items:
            message = self.message(item, now)
            if message is None:
                log.info("a %s email is no longer due: not sent", item.get("kind"))
                continue
            self.smtp.send(message)
            log.info("emailed a reader: %s", item.get("kind"))

    def message(self, item: dict, now: float) -> EmailMessage | None:
        """The email for an outbox item, or None if it is no longer to be sent."""
        subscriber = self.links.store.subscriber(str(item.get("key")))
        replying = item.get("kind") == "reply"
        if subscriber is None or subscriber.confirmed != replying:
            return None
        if replying:
            return self._reply(item, subscriber, now)
        return self._confirmation(item, subscriber, now)

    def _confirmation(self, item: dict, subscriber: Subscriber, now: float) -> EmailMessage:
        title = self.config.title
        lines = [f"Someone, we hope you, left a comment on “{item['title']}” at {title} and "
                 "asked to be emailed when someone replies.", "",
                 "To confirm, open this link and press the button there:",
                 self.links.link("confirm", subscriber.key, now), "",
                 "Until you do, nothing else is sent to this address. If it was not you, "
                 "ignore this email: at most one like it is sent to an address a day."]
        return self._email(subscriber, f"[{title}] Confirm: email me about replies", lines,
                           now)

    def _reply(self, item: dict, subscriber: Subscriber, now: float) -> EmailMessage:
        author = " ".join(f"{item['author']}{' (the author)' if item.get('owner') else ''}"
                          .split())
        where = (f"replied to your comment on “{item['title']}”" if item.get("direct") else
                 f"replied to {item.get('parent') or 'a comment'} below your comment on "
                 f"“{item['title']}”")
        quoted = [f"> {line}".rstrip() for line in str(item["body"]).split("\n")]
        lines = [f"{author} {where}:", "", *quoted, "",
                 "Read it, and answer, on the blog:", f"{item['url']}#comment-{item['id']}"]
        return self._email(subscriber, f"[{self.config.title}] {author} replied on "
                                       f"“{item['title']}”", lines, now)

    def _email(self, subscriber: Subscriber, subject: str, lines: list[str],
               now: float) -> EmailMessage:
        unsubscribe = self.links.link("unsubscribe", subscriber.key, now)
        message = EmailMessage()
        message["Subject"] = " ".join(subject.split())
        message["From"] = formataddr((self.config.title, self.config.mail_sender))
        message["To"] = subscriber.email
        message["Date"] = formatdate(now, usegmt=True)
        message["Message-ID"] = make_msgid("replies", self.config.mail_sender.rpartition("@")[2])
        message["Auto-Submitted"] = "auto-generated"
        message["List-Unsubscribe"] = f"<{unsubscribe}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        footer = ["", "-- ", f"You asked {self.config.title} for emails about replies to your "
                  "comments. No more of them, in one click:", unsubscribe]
        # Quoted-printable lines of at most 76 characters, then unfolded headers.
        message.set_content("\n".join([*lines, *footer, ""]), cte="quoted-printable")
        message.policy = HEADERS_POLICY
        return message
