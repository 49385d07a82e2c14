"""What the moderation page shows, and its HTML: the pending comments, newest first, each
with its post, author, website, date and body exactly as the build will show them.

Bodies go through comments.py's renderer, the one place where reader text becomes HTML, so
the owner judges what readers would see; the template escapes everything else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from ..comments import CommentRenderer, safe_url
from ..config import Config
from ..dates import parse_when
from ..entries import authors_by_id, read_entries
from ..errors import ContentError, Problem, SitegenError
from ..layout import SitePaths
from ..lookup import post_ref
from .queue import PendingComment, Queue

TEMPLATES = Path(__file__).with_name("templates")
_ENVIRONMENT = Environment(loader=FileSystemLoader(TEMPLATES),
                           autoescape=select_autoescape(default=True), auto_reload=False)


@dataclass(frozen=True)
class PendingView:
    """One pending comment as the page shows it."""

    id: str
    post_title: str
    post_url: str | None
    author: str
    url: str | None
    date: datetime | None
    date_text: str
    body_html: Markup
    reply_to: str | None


@dataclass(frozen=True)
class Screen:
    """Everything one rendering of the page needs."""

    action: str
    csrf: str
    status_text: str = ""
    notice: str = ""
    problems: tuple[str, ...] = ()
    pending: tuple[PendingView, ...] = ()
    can_log_out: bool = False
    refresh: bool = False


def render(template: str, screen: Screen, **extra: object) -> bytes:
    return _ENVIRONMENT.get_template(template).render(screen=screen, **extra).encode("utf-8")


class QueueView:
    """Reads the queue into PendingViews; `link` turns a post's site URL into the href
    the page uses (a path on the site's origin, or an absolute URL from another origin)."""

    def __init__(self, paths: SitePaths, config: Config, link) -> None:
        self.paths = paths
        self.config = config
        self.link = link

    def pending(self) -> tuple[list[PendingView], list[Problem]]:
        """Every readable pending comment, newest first, and what is wrong with the rest."""
        queue = Queue(self.paths)
        comments: list[PendingComment] = []
        problems: list[Problem] = []
        for cid in queue.ids():
            try:
                comments.append(queue.get(cid))
            except ContentError as error:
                problems.extend(error.problems)
        renderer = CommentRenderer()
        posts: dict[str, tuple[str, str | None, dict[str, str]]] = {}
        views = [self._view(c, renderer, posts) for c in comments]
        views.sort(key=lambda view: (view.date is not None, view.date or 0, view.id),
                   reverse=True)
        return views, problems

    def _view(self, comment: PendingComment, renderer: CommentRenderer, posts: dict) -> PendingView:
        if comment.post not in posts:
            posts[comment.post] = self._post(comment.post)
        title, url, authors = posts[comment.post]
        date = parse_when(comment.date, self.config.tz)
        return PendingView(
            id=comment.id, post_title=title, post_url=url, author=comment.author,
            url=safe_url(comment.url), date=date,
            date_text=f"{date:%Y-%m-%d %H:%M}" if date else comment.date,
            body_html=renderer.convert(comment.body),
            reply_to=authors.get(comment.replyto, comment.replyto) if comment.replyto else None,
        )

    def _post(self, stem: str) -> tuple[str, str | None, dict[str, str]]:
        """The post's title and link, and the authors of its thread's comments by id."""
        try:
            ref = post_ref(self.paths.posts / f"{stem}.md", self.config)
            title, url = ref.title, self.link(ref.url)
        except (OSError, SitegenError):
            title, url = stem, None
        thread = self.paths.thread(stem)
        try:
            entries = read_entries(thread, thread.read_bytes())
        except (OSError, ContentError):
            entries = []
        authors = {cid: name or "a removed comment"
                   for cid, name in authors_by_id(entries).items()}
        return title, url, authors
