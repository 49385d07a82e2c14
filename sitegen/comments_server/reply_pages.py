"""The comment server's pages behind the links of readers' reply emails:
`<endpoint>/replies/<token>`, to confirm an address or to unsubscribe it.

Opening a link never acts, since mail scanners and link previews open every link: GET shows
one button, which POSTs. A POST acts at once, with no login and no form token, because that
is what a mail program's one-click unsubscribe sends (RFC 8058: a POST of
`List-Unsubscribe=One-Click` to the link). Both actions can be repeated harmlessly. A
changed or expired link gets a 403 page that says which.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from ..signing import BadToken
from .links import Page, TokenPages
from .reader_mail import ReplyLinks

log = logging.getLogger("sitegen.replies")
StartResponse = Callable[..., object]
ASK = {
    "confirm": Page(200, "Email you about replies?",
                    "<p>Press the button to confirm that this address is to get an email when "
                    "someone replies to your comment. Every email has a link to stop them.</p>"
                    '<form method="post"><button type="submit">Confirm</button></form>'),
    "unsubscribe": Page(200, "Stop the emails about replies?",
                        "<p>Press the button, and no more emails about replies to your comments "
                        "are sent to this address.</p>"
                        '<form method="post"><button type="submit">Unsubscribe</button></form>'),
}
DONE = {
    "confirm": Page(200, "Confirmed", "<p>Thank you: you will get an email when someone "
                                      "replies to your comment.</p>"),
    "unsubscribe": Page(200, "Unsubscribed", "<p>No more emails about replies will be sent to "
                                             "this address.</p>"),
}
GONE = Page(410, "Nothing to confirm", "<p>This address is no longer on this blog's list: it "
                                       "unsubscribed, or asked to be forgotten. Tick the box "
                                       "again with your next comment to be emailed.</p>")


class ReplyPages(TokenPages):
    """The WSGI app behind `<prefix><token>`: GET shows, POST acts."""

    def __init__(self, links: ReplyLinks, prefix: str,
                 clock: Callable[[], float] = time.time) -> None:
        self.links, self.prefix, self.clock = links, prefix, clock

    def _page(self, method: str, token: str) -> Page:
        try:
            action, key = self.links.check(token, self.clock())
        except BadToken as refusal:
            return _refused(refusal)
        if method != "POST":
            return ASK[action]
        store = self.links.store
        if action == "unsubscribe":
            found = store.unsubscribe(key)
            log.info("a reader unsubscribed from reply emails%s", "" if found else " (again)")
            return DONE[action]
        if store.confirm(key, self.clock()) is None:
            return GONE
        log.info("a reader confirmed reply emails")
        return DONE[action]


def _refused(refusal: BadToken) -> Page:
    if refusal.reason == "expired":
        why = ("This link has expired: a confirmation link works for 14 days. Tick the box "
               "again with your next comment to get a new one.")
    else:
        why = ("This link is not one this blog made, or it was changed on the way (some mail "
               "programs cut long links).")
    return Page(403, "This link cannot be used", f"<p>{why}</p>")

