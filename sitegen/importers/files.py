"""Plan the files an import writes, then write them all or none.

Posts become content/posts/<date>-<slug>.md, pages content/pages/<slug>.md, comments
content/comments/<stem>.yml in the thread format the build reads. Every file is planned in
memory first; an existing file is left alone unless --force, except that comments for a
post already in the site are appended to its thread, keeping what is there byte for byte.
Writing puts every file beside its target under a temporary name, then renames them all.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from ..atomic import temp_file
from ..comments import read_entries
from ..config import Config, SitePaths
from ..dates import isoformat
from ..errors import ContentError, Problem
from ..moderation import PendingComment
from ..posts import permalink
from ..redirects import folder_address, read_redirects
from ..threadfile import appended, dump_yaml, entry_ids
from .model import Export, ExportError, ImportedComment, ImportedItem

REDIRECTS_HEADER = (b"# Old addresses, each leading to a page of this site (old: new).\n"
                    b"# The build writes a redirect page at each old address.\n")
RESERVED_PAGE_SLUGS = frozenset({"tags", "archive", "page", "comments", "static", "feed"})
# Addresses the build gives its own pages (home, archives, tags, feeds...): an old address
# among them cannot become a redirect.
SITE_ADDRESS = re.compile(
    r"^/(?:|index\.html|(?:archive|tags|page|comments|static)/.*|\d{4}/(?:\d{2}/)?|"
    r"(?:comments/)?feed\.xml|404\.html|sitemap\.xml|robots\.txt|query-redirects\.json)$"
)


@dataclass(frozen=True)
class Planned:
    """One file the import would write; `kind` is post, draft, page, thread, merge,
    pending (a comment for the moderation queue) or redirects (added to
    content/redirects.yml, like a merge)."""

    path: Path
    data: bytes
    kind: str
    comments: int = 0
    exists: bool = False
    redirects: int = 0

    @property
    def writes(self) -> bool:
        return not self.exists or self.kind in ("merge", "redirects")


def plan_files(export: Export, paths: SitePaths, config: Config, force: bool) -> list[Planned]:
    """Every file the export becomes, in a stable order; ExportError if a thread to add
    to cannot be read as a list of comments."""
    planned: list[Planned] = []
    names = _Names(config)
    post_stems: dict[str, str] = {}
    claimed: set[str] = set()  # addresses the imported posts and pages have or redirect
    for item in export.items:
        item = names.place(item, export)
        claimed |= {names.url(item), *item.aliases}
        folder = paths.posts if item.kind == "post" else paths.pages
        stem = names.stem(item)
        if item.kind == "post":
            post_stems[item.key] = stem
        kind = "draft" if item.draft else item.kind
        planned.append(_file(folder / f"{stem}.md", _document(item), kind, force))
        if item.comments:
            text = dump_yaml([_entry(c) for c in item.comments])
            planned.append(_file(paths.comments / f"{stem}.yml", text, "thread", force,
                                 len(item.comments)))
    for stem, comments in sorted(export.merges.items()):
        merged = _merge(paths.comments / f"{stem}.yml", comments, export)
        planned += [merged] if merged else []
    for key, comment in export.pending:
        if key not in post_stems:
            export.skip("pending comments on pages (sitegen pages have no comments)")
            continue
        pending = _pending(comment, post_stems[key])
        path = paths.comments / "pending" / f"{pending.id}.yml"
        planned.append(_file(path, dump_yaml(pending.as_mapping()), "pending", force))
    if export.redirects and (redirects := _redirects(paths.redirects, export, claimed)):
        planned.append(redirects)
    return planned


def _pending(comment: ImportedComment, stem: str) -> PendingComment:
    """A comment that awaited moderation in the old blog awaits it here too."""
    return PendingComment(
        id=comment.id, post=stem, author=comment.author, date=isoformat(comment.date),
        body=comment.body, email=comment.email, url=comment.url, replyto=comment.replyto,
        source="import",
    )


def _file(path: Path, text: str, kind: str, force: bool, comments: int = 0) -> Planned:
    exists = path.exists() and not force
    return Planned(path, text.encode("utf-8"), kind, comments, exists)


class _Names:
    """File stems and URLs, unique within one import; aliases that are the new address
    itself are dropped."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.taken: set[str] = set()

    def place(self, item: ImportedItem, export: Export) -> ImportedItem:
        kind, draft = item.kind, item.draft
        if kind == "page" and draft:
            kind = "post"
            export.notes["draft pages kept as draft posts (pages cannot be drafts)"] += 1
        slug = item.slug
        if kind == "page" and (slug in RESERVED_PAGE_SLUGS or slug.isdigit()):
            slug = f"{slug}-page"
        base, number = slug, 1
        while self._keys(kind, item, slug) & self.taken:
            number += 1
            slug = f"{base}-{number}"
        self.taken |= self._keys(kind, item, slug)
        url = self._url(kind, item, slug)
        aliases = tuple(dict.fromkeys(a for a in item.aliases if a.rstrip("/") != url.rstrip("/")))
        if clashes := [a for a in aliases if SITE_ADDRESS.match(a)]:
            export.notes["old addresses the site uses for its own pages, not redirected"] += \
                len(clashes)
            aliases = tuple(a for a in aliases if a not in clashes)
        return ImportedItem(**{**item.__dict__, "kind": kind, "slug": slug, "aliases": aliases})

    def stem(self, item: ImportedItem) -> str:
        return f"{item.date:%Y-%m-%d}-{item.slug}" if item.kind == "post" else item.slug

    def url(self, item: ImportedItem) -> str:
        """The address of an item already placed."""
        return self._url(item.kind, item, item.slug)

    def _url(self, kind: str, item: ImportedItem, slug: str) -> str:
        return permalink(self.config.permalink, item.date, slug) if kind == "post" else f"/{slug}/"

    def _keys(self, kind: str, item: ImportedItem, slug: str) -> set[str]:
        stem = f"{item.date:%Y-%m-%d}-{slug}" if kind == "post" else slug
        return {f"{kind}:{stem}", self._url(kind, item, slug)}


def _document(item: ImportedItem) -> str:
    meta: dict[str, object] = {"title": item.title}
    if item.kind == "post":
        meta["date"] = item.date
        if item.tags:
            meta["tags"] = list(item.tags)
        if item.draft:
            meta["draft"] = True
        if not item.comments_open:
            meta["comments"] = "closed"
    elif item.menu:
        meta["menu"] = True
    if item.aliases:
        meta["aliases"] = list(item.aliases)
    front = dump_yaml(meta, flow_lists=True)
    return f"---\n{front}---\n\n{item.body}"


def _entry(comment: ImportedComment) -> dict[str, object]:
    entry: dict[str, object] = {"id": comment.id, "author": comment.author,
                                "date": comment.date}
    for key in ("url", "email", "replyto"):
        if value := getattr(comment, key):
            entry[key] = value
    if comment.owner:
        entry["owner"] = True
    body = comment.body.strip()
    entry["body"] = body + "\n" if "\n" in body else body
    return entry


def _merge(path: Path, comments: list[ImportedComment], export: Export) -> Planned | None:
    """Comments added after a thread's existing ones, keeping its bytes as they were; those
    it already has are skipped. Replies stay replies: their parents are new here or already
    in the thread."""
    old = path.read_bytes() if path.exists() else b""
    try:
        have = entry_ids(read_entries(path, old))
        new = [comment for comment in comments if comment.id not in have]
        data, added = appended(old, [_entry(comment) for comment in new], path)
    except ContentError as error:
        raise ExportError(*error.problems) from None
    if dropped := len(comments) - len(new):
        export.skip("comments already in their thread", dropped)
    return Planned(path, data, "merge", added) if added else None


def _redirects(path: Path, export: Export, claimed: set[str]) -> Planned | None:
    """The old blog's label, tag and category pages added to content/redirects.yml after
    what it holds, keeping its bytes; addresses it already redirects are left as they are,
    and so are those that a page of the site has."""
    old = path.read_bytes() if path.exists() else REDIRECTS_HEADER
    try:
        have = {redirect.old for redirect in read_redirects(path, old)}
        new = {address: target for address, target in sorted(export.redirects.items())
               if folder_address(address) not in have | claimed
               and not SITE_ADDRESS.match(address)}
        if not new:
            return None
        joint = b"" if not old or old.endswith(b"\n") else b"\n"
        data = old + joint + dump_yaml(new).encode("utf-8")
        if len(read_redirects(path, data)) != len(have) + len(new):
            raise ContentError(Problem("cannot add to it without changing what it says", path))
    except ContentError as error:
        raise ExportError(*error.problems) from None
    return Planned(path, data, "redirects", redirects=len(new))


def write_files(planned: list[Planned]) -> None:
    """Write every planned file that should be written: all to temporary names first,
    then each renamed over its target, so a failure part-way leaves no half file."""
    staged: list[tuple[Path, Path]] = []
    try:
        for item in (p for p in planned if p.writes):
            handle, temporary = temp_file(item.path)
            staged.append((temporary, item.path))
            with os.fdopen(handle, "wb") as stream:
                stream.write(item.data)
    except OSError as error:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
        raise ExportError(Problem(f"cannot write the import: {error.strerror}",
                                  Path(error.filename) if error.filename else None)) from None
    for temporary, target in staged:
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
