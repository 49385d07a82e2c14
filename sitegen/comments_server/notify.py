"""Announcing new comments to the owner: what a notice says, as an email or as JSON, and the
`Notifier` the comment server runs, which puts each notice in the outbox and sends it on
every channel `[notify]` configures.

An email is plain UTF-8 text listing every comment since the last email; readers' words are
quoted with "> " so that a comment cannot pass itself off as the email's own links. Webhooks
and commands get one JSON document per comment. The commenter's email address is never
sent: it stays in the private store.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass, fields
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid

from ..config import Config, smtp_password
from ..layout import SitePaths, lock
from .form import Target
from .links import ModerationLinks, reply_author
from .mailer import DeliveryError, SmtpServer, post_json, run_command
from .outbox import Busy, Entry, Outbox, Policy, Worker
from .queue import PendingComment
from .reader_mail import ReaderMailer
from .subscriptions import CHANNEL as READER

log = logging.getLogger("sitegen.comments_server.notify")
RULE = "-" * 72


@dataclass(frozen=True)
class Notice:
    """One comment, as the owner is told of it."""

    id: str
    post: str
    post_title: str
    post_url: str
    author: str
    date: str
    body: str
    website: str | None = None
    replyto: str | None = None
    replyto_author: str | None = None
    published: bool = False

    def as_item(self) -> dict:
        return asdict(self)

    @classmethod
    def from_item(cls, item: dict) -> Notice:
        known = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in item.items() if key in known})


def notice_for(comment: PendingComment, target: Target, paths: SitePaths, config: Config,
               published: bool) -> Notice:
    """The notice of a comment the server has just accepted for `target`."""
    return Notice(
        id=comment.id, post=comment.post, post_title=target.title or comment.post,
        post_url=config.absolute(target.url), author=comment.author, date=comment.date,
        body=comment.body, website=comment.url, replyto=comment.replyto,
        replyto_author=reply_author(paths, comment.post, comment.replyto),
        published=published)


def email_message(notices: list[tuple[Notice, dict[str, str]]], config: Config) -> EmailMessage:
    """One email listing every notice with its links."""
    message = EmailMessage()
    message["Subject"] = _subject([notice for notice, _ in notices], config)
    message["From"] = formataddr((config.title, config.mail_sender))
    message["To"] = config.notify.email
    message["Date"] = formatdate()
    message["Message-ID"] = make_msgid("comments", config.mail_sender.rpartition("@")[2])
    message["Auto-Submitted"] = "auto-generated"
    intro = (f"{len(notices)} new comments on {config.title} since the last email."
             if len(notices) > 1 else f"A new comment on {config.title}.")
    parts = [intro, ""]
    for number, (notice, links) in enumerate(notices, start=1):
        parts += [RULE, *_describe(notice, number if len(notices) > 1 else None, links)]
    # Quoted-printable: 7-bit clean for any mail server, and long links survive.
    message.set_content("\n".join([*parts, RULE, ""]), cte="quoted-printable")
    return message


def _subject(notices: list[Notice], config: Config) -> str:
    if len(notices) > 1:
        return f"[{config.title}] {len(notices)} new comments"
    notice = notices[0]
    what = "new comment" if notice.published else "comment to moderate"
    return " ".join(f"[{config.title}] {what} from {notice.author} on “{notice.post_title}”"
                    .split())


def _describe(notice: Notice, number: int | None, links: dict[str, str]) -> list[str]:
    """A notice as lines of the email's text."""
    replying = f", replying to {notice.replyto_author or notice.replyto}" if notice.replyto \
        else ""
    lines = [f"{f'{number}. ' if number else ''}{notice.author}{replying}, "
             f"on “{notice.post_title}”", notice.post_url]
    if notice.website:
        lines.append(f"Website: {notice.website}")
    lines.append(f"Date: {notice.date}")
    lines.append("Published (auto_approve)." if notice.published else "Awaiting moderation.")
    lines += ["", *(f"> {line}".rstrip() for line in notice.body.split("\n")), ""]
    names = {"approve": "Approve", "reject": "Reject", "moderate": "Moderate all"}
    lines += [f"{names[action]}: {url}" for action, url in links.items()]
    return lines


def as_json(notice: Notice, links: dict[str, str], config: Config) -> dict:
    """A notice as the JSON document a webhook or command receives."""
    replyto = ({"id": notice.replyto, "author": notice.replyto_author}
               if notice.replyto else None)
    return {
        "event": "comment",
        "status": "published" if notice.published else "pending",
        "site": {"title": config.title, "url": config.base_url},
        "post": {"file": notice.post, "title": notice.post_title, "url": notice.post_url},
        "comment": {"id": notice.id, "author": notice.author, "website": notice.website,
                    "date": notice.date, "body": notice.body, "replyto": replyto},
        "links": links,
    }


class Notifier:
    """The comment server's notifications: `announce` stores a notice in the outbox, and a
    worker thread sends it; `close` stops the worker."""

    def __init__(self, paths: SitePaths, config: Config, policy: Policy | None = None) -> None:
        self.root = paths.root
        self.config = config
        self.links = ModerationLinks(paths, config)
        notify = config.notify
        self.smtp = SmtpServer(notify.smtp_host, notify.smtp_port, notify.smtp_security,
                               notify.smtp_user, smtp_password())
        paths.private.made()
        self.outbox = Outbox(paths.private.outbox)
        # Readers' reply emails (subscriptions.py) share the outbox, each sent on its own.
        self.readers = ReaderMailer(paths, config, self.smtp)
        channels = notify.channels + ((READER,) if notify.reader_mail else ())
        self.worker = Worker(self.outbox, self._send, channels, frozenset({"email"}),
                             policy or Policy(), lambda: lock(paths, "outbox", _busy))
        self.worker.start()

    def announce(self, notice: Notice) -> None:
        """Queue the notice on every channel; a failure to write it is logged, and the
        reader's comment is stored all the same."""
        try:
            entry = self.outbox.put(notice.as_item(), self.config.notify.channels)
        except OSError as error:
            log.error("could not queue the notification of comment %s: %s", notice.id, error)
            return
        self.worker.add(entry)

    def send_soon(self, entry: Entry) -> None:
        """Send an entry that another module put in the outbox, without waiting for the
        worker to find it there."""
        self.worker.add(entry)

    def close(self) -> None:
        self.worker.close()

    def _send(self, channel: str, items: list[dict]) -> None:
        if channel == READER:
            self.readers.send(items)
            return
        now = time.time()
        notices = [Notice.from_item(item) for item in items]
        linked = [(notice, self.links.for_comment(notice.id, not notice.published, now))
                  for notice in notices]
        if channel == "email":
            self.smtp.send(email_message(linked, self.config))
            log.info("emailed %d new comment(s) to %s", len(linked), self.config.notify.email)
            return
        for notice, links in linked:
            payload = as_json(notice, links, self.config)
            if channel == "webhook":
                post_json(self.config.notify.webhook, payload)
            elif channel == "command":
                run_command(self.config.notify.command, payload, self.root)
            else:
                raise DeliveryError(f"no channel called {channel!r}")
            log.info("sent comment %s to the %s", notice.id, channel)


def _busy() -> None:
    raise Busy

