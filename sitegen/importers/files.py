"""Plan the files an import writes, then write them all or none.

Posts become content/posts/<date>-<slug>.md, pages content/pages/<slug>.md, comments
content/comments/<stem>.yml in the thread format the build reads. Every file is planned in
memory first; an existing file is left alone unless --force, except that comments for a
post already in the site are appended to its thread, keeping what is there byte for byte.
Each file is written in one step (atomic.write_file); a failure puts back what was written.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from slugify import slugify

from ..atomic import write_file
from ..comments_server.queue import PendingComment
from ..config import Config
from ..dates import isoformat
from ..entries import ThreadEntry, entry_ids, read_entries
from ..errors import ContentError, Problem, shown
from ..layout import SitePaths, queue_folder
from ..private import PrivateStore
from ..redirects import read_redirects
from ..threadfile import appended, dump_yaml, dumped
from ..urls import AddressError, page_address, permalink, reserved, site_address
from .model import Export, ExportError, ImportedComment, ImportedItem

REDIRECTS_HEADER = (b"# Old addresses, each leading to a page of this site (old: new).\n"
                    b"# The build writes a redirect page at each old address.\n")
# Page slugs that are not the site's own addresses but would read as its feed or an archive.
LOOKALIKE_PAGE_SLUGS = frozenset({"feed"})
# Old blogs allow slugs of 200 characters and more (and a word of Chinese is five letters
# here): shortened at a word, a slug leaves room in every file name made from it.
SLUG_LENGTH = 100


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
    # (comment id, address) of the comments the file adds to a thread: kept in the private
    # store, never in the file.
    emails: tuple[tuple[str, str], ...] = ()

    @property
    def writes(self) -> bool:
        return not self.exists or self.kind in ("merge", "redirects")


def plan_files(export: Export, paths: SitePaths, config: Config, force: bool) -> list[Planned]:
    """Every file the export becomes, in a stable order; ExportError if a thread to add
    to cannot be read as a list of comments."""
    planned: list[Planned] = []
    post_stems: dict[str, str] = {}
    items, claimed = _placed(export, paths, config)
    for item, document in items:
        if item.kind == "post":
            post_stems[item.key] = document.stem
        kind = "draft" if item.draft else item.kind
        planned.append(_file(document, _document(item), kind, force))
        if item.comments:
            text = dumped([_entry(c) for c in item.comments])
            planned.append(_file(paths.thread(document.stem), text, "thread",
                                 force, len(item.comments), _emails(item.comments)))
    for stem, comments in sorted(export.merges.items()):
        merged = _merge(paths.thread(stem), comments, export)
        planned += [merged] if merged else []
    for key, comment in export.pending:
        if key not in post_stems:
            export.skip("pending comments on pages (sitegen pages have no comments)")
            continue
        pending = _pending(comment, post_stems[key])
        path = paths.pending / f"{pending.id}.yml"
        planned.append(_file(path, dump_yaml(pending.as_mapping()), "pending", force))
    if export.redirects and (redirects := _redirects(paths.redirects, export, claimed)):
        planned.append(redirects)
    return planned


def _placed(export: Export, paths: SitePaths, config: Config
            ) -> tuple[list[tuple[ImportedItem, Path]], dict[str, str]]:
    """Each item with its slug and old addresses settled, and the file it goes in; and
    every address the imported posts and pages have or redirect -> the file that has it."""
    names = _Names(config)
    placed = [names.place(item, export) for item in export.items]
    documents = [names.document(item, paths) for item in placed]
    owners = {names.url(item): document.relative_to(paths.root).as_posix()
              for item, document in zip(placed, documents, strict=True)}
    kept = [_with_aliases(item, names.url(item), document, owners, export)
            for item, document in zip(placed, documents, strict=True)]
    return list(zip(kept, documents, strict=True)), owners


def _with_aliases(item: ImportedItem, url: str, document: Path, owners: dict[str, str],
                  export: Export) -> ImportedItem:
    """The item with its old addresses made canonical. One that cannot be an address here,
    or that the site or another imported page has, is dropped with a warning naming the
    file it would have been in; the item's own new address is dropped quietly."""
    kept = []
    for written in item.aliases:
        try:
            address = site_address(written, query=True)
        except AddressError as error:
            reason = str(error)
        else:
            if address == url or owners.get(address) == owners[url]:
                continue  # the item's own address, or an alias it has already
            said = "is" if address == written else f"is {address} here,"
            if reserved(address):
                export.notes["old addresses the site uses for its own pages, not redirected"] += 1
                reason = f"{said} an address of the site's own pages"
            elif address in owners:
                reason = f"{said} the address of {owners[address]}"
            else:
                owners[address] = owners[url]
                kept.append(address)
                continue
        export.warnings.append(Problem(f"the old address '{shown(written)}' {reason}: not kept "
                                       "as an alias", document))
    return ImportedItem(**{**item.__dict__, "aliases": tuple(kept)})


def _pending(comment: ImportedComment, stem: str) -> PendingComment:
    """A comment that awaited moderation in the old blog awaits it here too."""
    return PendingComment(
        id=comment.id, post=stem, author=comment.author, date=isoformat(comment.date),
        body=comment.body, email=comment.email, url=comment.url, replyto=comment.replyto,
        source="import",
    )


def _file(path: Path, text: str, kind: str, force: bool, comments: int = 0,
          emails: tuple[tuple[str, str], ...] = ()) -> Planned:
    exists = path.exists() and not force
    return Planned(path, text.encode("utf-8"), kind, comments, exists, emails=emails)


def _emails(comments: list[ImportedComment]) -> tuple[tuple[str, str], ...]:
    return tuple((comment.id, comment.email) for comment in comments if comment.email)


def _taken_by_site(slug: str) -> bool:
    """Whether a page at /<slug>/ would take or shadow an address of the site's own pages."""
    return slug in LOOKALIKE_PAGE_SLUGS or slug.isdigit() or reserved(page_address(slug))


class _Names:
    """File stems and URLs, unique within one import; slugs no longer than SLUG_LENGTH."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.taken: set[str] = set()

    def place(self, item: ImportedItem, export: Export) -> ImportedItem:
        kind, draft = item.kind, item.draft
        if kind == "page" and draft:
            kind = "post"
            export.notes["draft pages kept as draft posts (pages cannot be drafts)"] += 1
        slug = item.slug
        if len(slug) > SLUG_LENGTH:
            slug = slugify(slug, max_length=SLUG_LENGTH, word_boundary=True)
            export.notes[f"slugs shortened to {SLUG_LENGTH} characters"] += 1
        if kind == "page" and _taken_by_site(slug):
            slug = f"{slug}-page"
        base, number = slug, 1
        while self._keys(kind, item, slug) & self.taken:
            number += 1
            slug = f"{base}-{number}"
        self.taken |= self._keys(kind, item, slug)
        return ImportedItem(**{**item.__dict__, "kind": kind, "slug": slug})

    def stem(self, item: ImportedItem) -> str:
        return f"{item.date:%Y-%m-%d}-{item.slug}" if item.kind == "post" else item.slug

    def document(self, item: ImportedItem, paths: SitePaths) -> Path:
        """The file of an item already placed."""
        return (paths.posts if item.kind == "post" else paths.pages) / f"{self.stem(item)}.md"

    def url(self, item: ImportedItem) -> str:
        """The address of an item already placed."""
        return self._url(item.kind, item, item.slug)

    def _url(self, kind: str, item: ImportedItem, slug: str) -> str:
        if kind == "page":
            return page_address(slug)
        try:
            return permalink(self.config.permalink, item.date, slug)
        except AddressError as error:
            raise ExportError(Problem(f"the 'permalink' pattern makes the address of "
                                      f"'{shown(item.title)}' one that {error}")) from None

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


def _entry(comment: ImportedComment) -> ThreadEntry:
    """The comment as its thread keeps it; a body of several lines ends with its newline,
    so that it is written as a plain `|` block."""
    body = comment.body.strip()
    return ThreadEntry(id=comment.id, author=comment.author, date=comment.date,
                       body=body + "\n" if "\n" in body else body, url=comment.url,
                       replyto=comment.replyto, owner=comment.owner)


def _merge(path: Path, comments: list[ImportedComment], export: Export) -> Planned | None:
    """Comments added after a thread's existing ones, keeping its bytes as they were; those
    it already has are skipped. Replies stay replies: their parents are new here or already
    in the thread."""
    old = _held(path) or b""
    try:
        have = entry_ids(read_entries(path, old))
        new = [comment for comment in comments if comment.id not in have]
        data, added = appended(old, [_entry(comment) for comment in new], path)
    except ContentError as error:
        raise ExportError(*error.problems) from None
    if dropped := len(comments) - len(new):
        export.skip("comments already in their thread", dropped)
    return Planned(path, data, "merge", added, emails=_emails(new)) if added else None


def _redirects(path: Path, export: Export, claimed: dict[str, str]) -> Planned | None:
    """The old blog's label, tag and category pages added to content/redirects.yml after
    what it holds, keeping its bytes; addresses it already redirects are left as they are,
    and so are those that a page of the site has."""
    old = _held(path)
    old = REDIRECTS_HEADER if old is None else old
    try:
        have = {redirect.old for redirect in read_redirects(path, old)}
        new = {}
        for written, target in sorted(export.redirects.items()):
            try:
                address, target = site_address(written), site_address(target)
            except AddressError as error:
                export.warnings.append(Problem(f"the old address '{shown(written)}' {error}: "
                                               "not redirected", path))
                continue
            if address not in have and address not in claimed and not reserved(address):
                new.setdefault(address, target)
        if not new:
            return None
        joint = b"" if not old or old.endswith(b"\n") else b"\n"
        data = old + joint + dump_yaml(new).encode("utf-8")
        if len(read_redirects(path, data)) != len(have) + len(new):
            raise ContentError(Problem("cannot add to it without changing what it says", path))
    except ContentError as error:
        raise ExportError(*error.problems) from None
    return Planned(path, data, "redirects", redirects=len(new))


def _held(path: Path) -> bytes | None:
    """What a file the import adds to holds, or None if there is none yet."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise ExportError(Problem(f"cannot read it to add to it: {error.strerror}", path)
                          ) from None


def write_files(planned: list[Planned], paths: SitePaths) -> None:
    """Write every planned file that should be written, each whole or not at all, then keep
    the readers' addresses of the comments in threads in the private store. If a file
    cannot be written (a full disk, say), nor the addresses kept, or the import is
    interrupted, the files already written are put back as they were. A kill leaves at most
    one temporary file, `.<name>.<random>.tmp` beside its target, and files that importing
    again completes."""
    done: list[tuple[Path, bytes | None]] = []  # each file written, and what it held
    for item in (p for p in planned if p.writes):
        try:
            before = item.path.read_bytes() if item.path.exists() else None
            if item.kind == "pending":
                queue_folder(item.path.parent)
            # Pending comments hold readers' email addresses, as the moderation queue does.
            write_file(item.path, item.data, mode=0o600 if item.kind == "pending" else 0o644)
        except BaseException as error:
            _failed(done, error, Problem(f"cannot write the import: {_reason(error)}",
                                         item.path))
        done.append((item.path, before))
    if emails := [pair for item in planned if item.writes for pair in item.emails]:
        try:
            PrivateStore(paths).set_emails(emails)
        except BaseException as error:
            _failed(done, error, Problem(f"cannot keep the readers' addresses of the comments "
                                         f"in the private store: {_reason(error)}",
                                         paths.private.folder))


def _failed(done: list[tuple[Path, bytes | None]], error: BaseException,
            problem: Problem) -> None:
    """Put back what was written, then raise: ExportError for a failure to write."""
    stuck = _put_back(done)
    if not isinstance(error, OSError | sqlite3.Error):
        raise error
    raise ExportError(problem, *stuck) from None


def _reason(error: BaseException) -> str:
    return getattr(error, "strerror", None) or str(error)


def _put_back(done: list[tuple[Path, bytes | None]]) -> list[Problem]:
    """Undo what an import wrote: new files go first, which frees the room that putting
    back the others may need. A problem for each file that cannot be put back."""
    stuck = []
    for path, before in sorted(done, key=lambda written: written[1] is not None):
        try:
            if before is None:
                path.unlink(missing_ok=True)
            else:
                write_file(path, before)
        except OSError as error:
            stuck.append(Problem(f"cannot put back what it held before the import: "
                                 f"{error.strerror}", path))
    return stuck
