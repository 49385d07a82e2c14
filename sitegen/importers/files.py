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
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..config import Config, SitePaths
from ..errors import Problem
from ..posts import YAML_LOADER, permalink
from .model import Export, ExportError, ImportedComment, ImportedItem

RESERVED_PAGE_SLUGS = frozenset({"tags", "archive", "page", "comments", "static", "feed"})
# Addresses the build gives its own pages (home, archives, tags, feeds...): an old address
# among them cannot become a redirect.
SITE_ADDRESS = re.compile(
    r"^/(?:|index\.html|(?:archive|tags|page|comments|static)/.*|\d{4}/(?:\d{2}/)?|"
    r"(?:comments/)?feed\.xml|404\.html|sitemap\.xml|robots\.txt|query-redirects\.json)$"
)


@dataclass(frozen=True)
class Planned:
    """One file the import would write; `kind` is post, draft, page, thread or merge."""

    path: Path
    data: bytes
    kind: str
    comments: int = 0
    exists: bool = False

    @property
    def writes(self) -> bool:
        return not self.exists or self.kind == "merge"


class _Dumper(yaml.SafeDumper):
    """YAML as people write it: several-line text as a block, not an escaped string."""


class _FrontMatterDumper(_Dumper):
    """Front matter as in the sample posts: `tags: [bread, travel]` on one line."""


_Dumper.add_representer(str, lambda dumper, value: dumper.represent_scalar(
    "tag:yaml.org,2002:str", value, style="|" if "\n" in value.strip() else None))
_FrontMatterDumper.add_representer(list, lambda dumper, value: dumper.represent_sequence(
    "tag:yaml.org,2002:seq", value, flow_style=True))


def dump_yaml(value: object, dumper: type[yaml.SafeDumper] = _Dumper) -> str:
    return yaml.dump(value, Dumper=dumper, allow_unicode=True, sort_keys=False,
                     default_flow_style=False, width=4096)


def plan_files(export: Export, paths: SitePaths, config: Config, force: bool) -> list[Planned]:
    """Every file the export becomes, in a stable order; ExportError if a thread to add
    to cannot be read as a list of comments."""
    planned: list[Planned] = []
    names = _Names(config)
    for item in export.items:
        item = names.place(item, export)
        folder = paths.posts if item.kind == "post" else paths.pages
        stem = names.stem(item)
        kind = "draft" if item.draft else item.kind
        planned.append(_file(folder / f"{stem}.md", _document(item), kind, force))
        if item.comments:
            text = dump_yaml([_entry(c) for c in item.comments])
            planned.append(_file(paths.comments / f"{stem}.yml", text, "thread", force,
                                 len(item.comments)))
    for stem, comments in sorted(export.merges.items()):
        merged = _merge(paths.comments / f"{stem}.yml", comments, export)
        planned += [merged] if merged else []
    return planned


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
    front = dump_yaml(meta, _FrontMatterDumper)
    return f"---\n{front}---\n\n{item.body}"


def _entry(comment: ImportedComment) -> dict[str, object]:
    entry: dict[str, object] = {"id": comment.id, "author": comment.author,
                                "date": comment.date}
    for key in ("url", "email", "replyto"):
        if value := getattr(comment, key):
            entry[key] = value
    body = comment.body.strip()
    entry["body"] = body + "\n" if "\n" in body else body
    return entry


def _merge(path: Path, comments: list[ImportedComment], export: Export) -> Planned | None:
    """Comments added after a thread's existing ones; those it already has are skipped.
    Replies stay replies: their parents are new here or already in the thread."""
    old = path.read_bytes() if path.exists() else b""
    have = _thread_ids(path, old)
    new = [comment for comment in comments if comment.id not in have]
    if dropped := len(comments) - len(new):
        export.skip("comments already in their thread", dropped)
    if not new:
        return None
    prefix = old if not old or old.endswith(b"\n") else old + b"\n"
    data = prefix + dump_yaml([_entry(comment) for comment in new]).encode("utf-8")
    if len(_thread_ids(path, data)) != len(have) + len(new):
        raise ExportError(Problem("cannot add comments to this thread: the comments added "
                                  "would not read back as written", path))
    return Planned(path, data, "merge", len(new))


def _thread_ids(path: Path, data: bytes) -> set[str]:
    """The ids in a thread file, which the site's own loading has already checked; a file
    that stops being a list once comments are added (a flow-style list) is refused."""
    try:
        entries = yaml.load(data.decode("utf-8-sig"), Loader=YAML_LOADER) or []
    except yaml.YAMLError:
        entries = None
    if not isinstance(entries, list):
        raise ExportError(Problem("cannot add comments to this thread: it is not a plain "
                                  "list of comments ('- id: …' lines)", path))
    return {str(e.get("id")) for e in entries if isinstance(e, dict) and e.get("id") is not None}


def write_files(planned: list[Planned]) -> None:
    """Write every planned file that should be written: all to temporary names first,
    then each renamed over its target, so a failure part-way leaves no half file."""
    staged: list[tuple[Path, Path]] = []
    try:
        for item in (p for p in planned if p.writes):
            item.path.parent.mkdir(parents=True, exist_ok=True)
            handle, name = tempfile.mkstemp(prefix=f".{item.path.name}.", dir=item.path.parent)
            staged.append((Path(name), item.path))
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
