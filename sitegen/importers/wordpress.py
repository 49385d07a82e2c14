"""WordPress's export (WXR: RSS with wp: elements) -> posts, pages and comment threads.

Published and scheduled posts stay posts; drafts, posts pending review, private and
password-protected posts become drafts, since none of them was public. Categories and tags
become tags. Approved comments keep their threading (comment_parent); pending ones are kept
aside for the moderation queue; spam, trash, pingbacks and trackbacks are left out and
counted. Pages that a navigation menu links to go in the site's menu. A comment that the
post's own author wrote while signed in is marked as the owner's.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from urllib.parse import unquote
from xml.etree.ElementTree import Element

from slugify import slugify

from ..config import Config
from ..errors import Problem
from ..progress import Report
from .convert import Converted, autop, comment_markdown, to_markdown, unwrap_captions
from .model import (
    Export,
    ExportError,
    ImportedComment,
    ImportedItem,
    Where,
    attach_threads,
    comment_id,
    old_address,
    quoted,
    redirect_tag,
    unique_tags,
)
from .shortcodes import Attachment, expand
from .timestamps import wordpress_time
from .xmlstream import local, read_elements

NAMESPACES = (
    (re.compile(r"^https?://wordpress\.org/export/\d+\.\d+/excerpt/$"), "excerpt"),
    (re.compile(r"^https?://wordpress\.org/export/\d+\.\d+/$"), "wp"),
    (re.compile(r"^https?://purl\.org/rss/1\.0/modules/content/$"), "content"),
    (re.compile(r"^https?://purl\.org/dc/elements/1\.1/$"), "dc"),
)
KEPT_STATUSES = {"publish": False, "future": False, "draft": True, "pending": True,
                 "private": True}
DRAFT_NOTES = {
    "future": "scheduled posts (the build shows them from their date)",
    "pending": "posts pending review, kept as drafts",
    "private": "private posts, kept as drafts",
}
SKIPPED_TYPES = {"attachment": "attachments", "nav_menu_item": "menu items",
                 "revision": "revisions"}
# Where WordPress's pretty permalinks put the page of each kind of term.
TERM_FOLDERS = {"category": "category", "post_tag": "tag"}
COMMENT_SKIPS = {"spam": "spam comments", "trash": "trashed comments",
                 "post-trashed": "comments trashed with their post"}


def _name(tag: str) -> str:
    """'{https://wordpress.org/export/1.2/}post_id' -> 'wp:post_id', whatever the version."""
    uri, _, name = tag[1:].partition("}") if tag.startswith("{") else ("", "", tag)
    prefix = next((p for pattern, p in NAMESPACES if pattern.match(uri)), None)
    return f"{prefix}:{name}" if prefix else tag


def _fields(element: Element) -> dict[str, str]:
    """The text of each simple child, by prefixed name (the first of each name)."""
    fields: dict[str, str] = {}
    for child in element:
        fields.setdefault(_name(child.tag), (child.text or "").strip())
    return fields


class _Reader:
    """Collects items and comments while the export streams past."""

    def __init__(self, path: Path, config: Config) -> None:
        self.path, self.config = path, config
        self.export = Export()
        self.items: dict[str, ImportedItem] = {}
        self.threads: dict[str, list[ImportedComment]] = {}
        self.parent_of: dict[str, str | None] = {}
        self.menu_pages: set[str] = set()
        self.authors: dict[str, dict[str, str]] = {}  # by login: the <wp:author> fields
        # Bodies are converted once the whole file is read: a gallery's images may come
        # after its post. Each is kept with the line of its item, for warnings.
        self.bodies: dict[str, tuple[str, int]] = {}
        self.attachments: dict[str, list[Attachment]] = {}  # by the post they belong to
        self.attachment_ids: dict[str, Attachment] = {}
        self.problems: list[Problem] = []
        self.is_wxr = False

    def channel_child(self, element: Element, line: int) -> None:
        name = _name(element.tag)
        if name == "wp:wxr_version":
            self.is_wxr = True
        if name == "wp:author":
            fields = _fields(element)
            self.authors[fields.get("wp:author_login", "")] = fields
        if name != "item":
            return
        if not self.is_wxr:
            raise ExportError(Problem("not a WordPress export: an <item> comes before any "
                                      "<wp:wxr_version>, so this is a plain RSS feed",
                                      self.path, line))
        self.export.entries += 1
        fields = _fields(element)
        post_id = fields.get("wp:post_id", str(line))
        kind = fields.get("wp:post_type", "post")
        if kind == "nav_menu_item":
            self.menu_pages |= _menu_target(element)
        if kind == "attachment" and fields.get("wp:attachment_url"):
            self.attach(element, fields, post_id, line)
        author = self.authors.get(fields.get("dc:creator", ""))
        for comment in element:
            if _name(comment.tag) == "wp:comment":
                self.comment(post_id, _fields(comment), line, author)
        if kind not in ("post", "page"):
            self.export.skip(SKIPPED_TYPES.get(kind, f"items of type '{kind}'"))
        elif (item := self.item(element, fields, post_id, kind, line)) is not None:
            self.items[post_id] = item

    def item(self, element: Element, fields: dict[str, str], post_id: str, kind: str,
             line: int) -> ImportedItem | None:
        status = fields.get("wp:status", "publish")
        if status not in KEPT_STATUSES:
            self.export.skip({"trash": f"trashed {kind}s", "auto-draft": "automatic drafts"}
                             .get(status, f"{kind}s with status '{status}'"))
            return None
        date = wordpress_time(fields.get("wp:post_date"), fields.get("wp:post_date_gmt"),
                              self.config.tz)
        if date is None:
            self.problems.append(Problem(f"the {kind} has no date (<wp:post_date>)",
                                         self.path, line))
            return None
        draft = KEPT_STATUSES[status] or bool(fields.get("wp:post_password"))
        if status in DRAFT_NOTES:
            self.export.notes[DRAFT_NOTES[status]] += 1
        elif fields.get("wp:post_password"):
            self.export.notes["password-protected posts, kept as drafts"] += 1
        title = " ".join(fields.get("title", "").split())
        self.bodies[post_id] = fields.get("content:encoded", ""), line
        if kind == "post" and not draft:
            self._redirect_terms(element)
        where = Where(self.export, f"{kind} {quoted(title or 'Untitled')}", self.path, line)
        link = None if draft else where.url(fields.get("link"), "its old address")
        return ImportedItem(
            key=post_id, kind=kind, title=title or "Untitled", date=date,
            slug=slugify(unquote(fields.get("wp:post_name", ""))) or slugify(title)
            or f"{kind}-{post_id}",
            body="",  # made in `finish`, from self.bodies
            tags=_tags(element),
            draft=draft,
            aliases=() if draft else _aliases(link, post_id, kind),
            comments_open=fields.get("wp:comment_status", "open") == "open",
        )

    def attach(self, element: Element, fields: dict[str, str], post_id: str, line: int
               ) -> None:
        where = Where(self.export, f"attachment {quoted(fields.get('title', ''))}", self.path,
                      line)
        if not where.url(fields["wp:attachment_url"], "its address"):
            return
        alt = next((_fields(meta).get("wp:meta_value", "") for meta in element
                    if _name(meta.tag) == "wp:postmeta"
                    and _fields(meta).get("wp:meta_key") == "_wp_attachment_image_alt"), "")
        order = fields.get("wp:menu_order", "0")
        attachment = Attachment(post_id, fields.get("wp:post_parent", "0"),
                                fields["wp:attachment_url"], fields.get("title", ""), alt,
                                int(order) if order.lstrip("-").isdigit() else 0)
        self.attachments.setdefault(attachment.parent, []).append(attachment)
        self.attachment_ids[post_id] = attachment

    def _redirect_terms(self, element: Element) -> None:
        """The old category and tag pages (/category/bread/, /tag/rye/) of a published
        post's terms lead to their tag pages here."""
        for child in element:
            if local(child.tag) != "category":
                continue
            folder, nicename = TERM_FOLDERS.get(child.get("domain", "")), child.get("nicename")
            if folder and nicename and nicename != "uncategorized":
                redirect_tag(self.export, folder, nicename, child.text or "")

    def comment(self, post_id: str, fields: dict[str, str], line: int,
                post_author: dict[str, str] | None) -> None:
        self.export.entries += 1
        cid = comment_id("wp", fields.get("wp:comment_id", ""))
        parent = fields.get("wp:comment_parent", "0")
        self.parent_of[cid] = comment_id("wp", parent) if parent not in ("", "0") else None
        kind = fields.get("wp:comment_type") or "comment"
        approved = fields.get("wp:comment_approved", "1")
        date = wordpress_time(fields.get("wp:comment_date"), fields.get("wp:comment_date_gmt"),
                              self.config.tz)
        if kind in ("pingback", "trackback"):
            self.export.skip(f"{kind}s")
        elif kind != "comment":
            self.export.skip(f"comments of type '{kind}'")
        elif approved not in ("1", "0"):
            self.export.skip(COMMENT_SKIPS.get(approved, f"comments marked '{approved}'"))
        elif date is None:
            self.problems.append(Problem(f"comment {cid} has no date (<wp:comment_date>)",
                                         self.path, line))
        else:
            where = Where(self.export, f"comment {cid}", self.path, line)
            self.keep(post_id, approved == "1", _comment(cid, where, fields, date,
                                                         self.parent_of[cid],
                                                         _by(post_author, fields)))

    def keep(self, post_id: str, approved: bool, comment: ImportedComment) -> None:
        if not approved:
            self.export.pending.append((post_id, comment))
        elif not comment.body:
            self.export.skip("empty comments")
        else:
            self.threads.setdefault(post_id, []).append(comment)

    def finish(self) -> Export:
        if self.problems:
            raise ExportError(*self.problems)
        if not self.is_wxr:
            raise ExportError(Problem("not a WordPress export: no <wp:wxr_version>", self.path))
        for post_id in self.menu_pages & set(self.items):
            item = self.items[post_id]
            if item.kind == "page":
                self.items[post_id] = ImportedItem(**{**item.__dict__, "menu": True})
        unknown: Counter[str] = Counter()
        for post_id, item in self.items.items():
            html, line = self.bodies.pop(post_id)
            html = expand(html, self.attachments.get(post_id, ()), self.attachment_ids, unknown)
            body = _body(html)
            Where(self.export, f"{item.kind} {quoted(item.title)}", self.path, line
                  ).warn(*body.changes)
            self.items[post_id] = ImportedItem(**{**item.__dict__, "body": body.markdown})
        for name, found in unknown.items():
            self.export.notes[f"what looks like a plugin's shortcode, kept as text: [{name}]"] \
                += found
        attach_threads(self.export, self.items, self.threads, self.parent_of)
        return self.export


def read(path: Path, config: Config, progress: Report | None = None) -> Export:
    """Everything in a WXR file; ExportError for a file that is not one, or with posts or
    comments that have no date (all of them named, with their lines)."""
    reader = _Reader(path, config)
    for located in read_elements(path, 2, ("rss",), "a WordPress export (WXR, an <rss> file)",
                                 progress):
        reader.channel_child(located.element, located.line)
    return reader.finish()


def _by(author: dict[str, str] | None, comment: dict[str, str]) -> bool:
    """Whether the post's author wrote the comment: signed in (a reader's comment has user
    id 0, and anyone can type a name), as that author's account, by id where the export
    gives authors one (WXR 1.1 and later), else by the account's email."""
    user = comment.get("wp:comment_user_id", "0")
    if author is None or user in ("", "0"):
        return False
    if author.get("wp:author_id"):
        return user == author["wp:author_id"]
    email = author.get("wp:author_email", "").lower()
    return bool(email) and comment.get("wp:comment_author_email", "").lower() == email


def _comment(cid: str, where: Where, fields: dict[str, str], date, parent: str | None,
             owner: bool) -> ImportedComment:
    body = comment_markdown(autop(fields.get("wp:comment_content", "")))
    where.warn(*body.changes)
    return ImportedComment(
        id=cid,
        author=" ".join(fields.get("wp:comment_author", "").split()) or "Anonymous",
        date=date,
        body=body.markdown,
        email=fields.get("wp:comment_author_email") or None,
        url=where.url(fields.get("wp:comment_author_url") or None, "its author's website"),
        replyto=parent,
        owner=owner,
    )


def _body(html: str) -> Converted:
    """Block-editor posts are HTML already; classic ones need WordPress's paragraphs."""
    html = unwrap_captions(html)
    return to_markdown(html if "<!-- wp:" in html else autop(html))


def _tags(element: Element) -> tuple[str, ...]:
    return unique_tags(
        child.text or "" for child in element
        if local(child.tag) == "category" and child.get("domain") in ("category", "post_tag")
        and child.get("nicename") != "uncategorized"
    )


def _aliases(link: str | None, post_id: str, kind: str) -> tuple[str, ...]:
    query = f"/?page_id={post_id}" if kind == "page" else f"/?p={post_id}"
    found = (old_address(link), query)
    return tuple(dict.fromkeys(alias for alias in found if alias))


def _menu_target(element: Element) -> set[str]:
    meta = {}
    for child in element:
        if _name(child.tag) == "wp:postmeta":
            fields = _fields(child)
            meta[fields.get("wp:meta_key", "")] = fields.get("wp:meta_value", "")
    if meta.get("_menu_item_object") != "page":
        return set()
    return {meta.get("_menu_item_object_id", "")}
