"""MODEL: the whole site, loaded every build: posts, pages, threads, tags, archives and
redirects.

The model is always complete, even when only one file changed, so listings are never stale;
what makes that cheap is the `cache` of loaded files keyed by their content digest.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from slugify import slugify

from .comments import Thread, empty_thread
from .config import BuildOptions, Config, SitePaths
from .errors import ContentError, Problem, gather
from .loading import Loaded, Request, load_files
from .plural import count
from .posts import Post, StaticPage, is_published
from .progress import Report
from .redirects import Redirect, load_redirects
from .sourcefile import file_fault
from .urls import month_address, tag_address, year_address


@dataclass(frozen=True)
class Tag:
    name: str
    slug: str
    posts: tuple[Post, ...]

    @property
    def url(self) -> str:
        return tag_address(self.slug)


@dataclass(frozen=True)
class Month:
    year: int
    month: int
    posts: tuple[Post, ...]

    @property
    def url(self) -> str:
        return month_address(self.year, self.month)


@dataclass(frozen=True)
class Year:
    year: int
    months: tuple[Month, ...]

    @property
    def url(self) -> str:
        return year_address(self.year)

    @property
    def posts(self) -> tuple[Post, ...]:
        return tuple(post for month in self.months for post in month.posts)


@dataclass(frozen=True)
class Site:
    """Everything a build shows. Posts are newest first; drafts and scheduled posts are
    already left out unless the run asked for them."""

    config: Config
    posts: tuple[Post, ...]
    pages: tuple[StaticPage, ...]
    threads: dict[str, Thread]
    warnings: tuple[Problem, ...] = ()
    redirects: tuple[Redirect, ...] = ()
    # The scheduled post that will appear next, when its date has passed (not shown yet).
    scheduled: Post | None = None
    tags: tuple[Tag, ...] = field(init=False)
    years: tuple[Year, ...] = field(init=False)
    _empty: dict[str, Thread] = field(init=False, default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "tags", _group_tags(self.posts))
        object.__setattr__(self, "years", _group_years(self.posts))

    def thread(self, post: Post) -> Thread:
        found = self.threads.get(post.stem)
        if found is None:
            # Made once per post: planning asks for every post's thread several times.
            found = self._empty.get(post.stem) or self._empty.setdefault(
                post.stem, empty_thread(post.stem))
        return found

    def neighbours(self, index: int) -> tuple[Post | None, Post | None]:
        """(older, newer) around `self.posts[index]`."""
        older = self.posts[index + 1] if index + 1 < len(self.posts) else None
        newer = self.posts[index - 1] if index > 0 else None
        return older, newer

    @property
    def comment_count(self) -> int:
        return sum(self.thread(post).count for post in self.posts)


def load_site(
    paths: SitePaths,
    config: Config,
    options: BuildOptions,
    cache: MutableMapping[str, object] | None = None,
    jobs: int | None = None,
    known: MutableMapping[str, tuple] | None = None,
    progress: Report | None = None,
) -> Site:
    """Load every post, page and thread; raise ContentError listing every bad file.

    `cache` maps content digests to loaded items; it is left holding exactly the items this
    site uses, so a long-running preview keeps it warm without growing. Files missing from
    it are loaded in `jobs` worker processes (None: all cores, when there are enough).
    `known`: files' stat signatures and digests, and `progress`, see `loading.load_files`."""
    problems: list[Problem] = []
    requests = _requests(paths, problems)
    loaded = load_files(requests, config, {} if cache is None else cache, jobs, known,
                        progress)
    if cache is not None:
        _remember(cache, loaded)
    problems += gather(loaded.errors)
    try:
        redirects = load_redirects(paths.redirects)
    except ContentError as error:
        problems += error.problems
    if problems:
        raise ContentError(*problems)
    found: dict[str, list] = {"post": [], "page": [], "thread": []}
    for request, item in zip(requests, loaded.items, strict=True):
        found[request.kind].append(item)
    by_stem = {thread.stem: thread for thread in found["thread"]}
    return Site(
        config=config,
        posts=tuple(_shown(found["post"], options)),
        pages=tuple(found["page"]),
        threads=by_stem,
        warnings=_warnings(paths, found["post"], by_stem),
        redirects=redirects,
        scheduled=_next_scheduled(found["post"], options),
    )


def _requests(paths: SitePaths, problems: list[Problem]) -> list[Request]:
    return [
        *(Request("post", name) for name in _files(paths.posts, ".md", problems)),
        *(Request("page", name) for name in _files(paths.pages, ".md", problems)),
        *(Request("thread", name) for name in _files(paths.comments, ".yml", problems)),
    ]


def _remember(cache: MutableMapping[str, object], loaded: Loaded) -> None:
    """Leave `cache` holding exactly what this load used; after errors, what did load is
    kept too, so that the next try, with the typo fixed, converts only the file that had it."""
    if not loaded.errors:
        cache.clear()
    cache.update(loaded.by_digest)


def _warnings(paths: SitePaths, posts: list[Post], threads: dict[str, Thread]) -> tuple:
    warnings = [warning for thread in threads.values() for warning in thread.warnings]
    stems = {post.stem for post in posts}
    warnings += [
        Problem(f"no post content/posts/{stem}.md for this comment thread",
                paths.comments / f"{stem}.yml")
        for stem in sorted(set(threads) - stems)
    ]
    return tuple(warnings) + _email_warning(threads)


def _email_warning(threads: dict[str, Thread]) -> tuple[Problem, ...]:
    """One warning for the whole build, at the first thread file that holds readers' email
    addresses, counting the others: they would reach git with it."""
    holding = sorted(thread.source for thread in threads.values()
                     if thread.holds_emails and thread.source is not None)
    if not holding:
        return ()
    others = f" (and {count(len(holding) - 1, 'other thread file')})" if len(holding) > 1 else ""
    return (Problem(f"holds readers' email addresses ('email' keys){others}, which must not "
                    "be in git: move them to the private store with `sitegen comments "
                    "migrate-private`", holding[0]),)


def _files(folder: Path, suffix: str, problems: list[Problem]) -> list[str]:
    """The paths of the files named *suffix in `folder` (not hidden ones), sorted by name.
    What cannot be listed or read is added to `problems`: a folder that is a file, a broken
    symbolic link, a pipe. Skipping it would build a site without those posts, and delete
    their pages, without a word. A folder named *suffix is not content."""
    try:
        entries = list(os.scandir(folder))
    except OSError as error:
        problem = _folder_problem(folder, error)
        if problem is not None and problem not in problems:
            problems.append(problem)
        return []
    found = []
    for entry in sorted(entries, key=lambda entry: entry.name):
        if not entry.name.endswith(suffix) or entry.name.startswith("."):
            continue
        kind = _kind(entry)
        if kind == "file":
            found.append(entry.path)
        elif kind != "folder" and (fault := file_fault(entry.path)):
            problems.append(Problem(fault, Path(entry.path)))
    return found


def _kind(entry: os.DirEntry) -> str:
    """"file", "folder" or "other" (a link that leads nowhere, a pipe), links followed."""
    try:
        return "file" if entry.is_file() else "folder" if entry.is_dir() else "other"
    except OSError:  # a link in a loop
        return "other"


def _folder_problem(folder: Path, error: OSError) -> Problem | None:
    """Why a content folder cannot be listed; None when there is simply no such folder."""
    on_the_way = (folder, *folder.parents)
    if isinstance(error, NotADirectoryError):
        culprit = next((p for p in on_the_way if p.exists() and not p.is_dir()), folder)
        return Problem("is not a folder", culprit)
    if isinstance(error, FileNotFoundError):
        broken = next((p for p in on_the_way if p.is_symlink() and not p.exists()), None)
        return None if broken is None else Problem(file_fault(broken) or "", broken)
    return Problem(f"cannot read: {error.strerror}", folder)


def _shown(posts: list[Post], options: BuildOptions) -> list[Post]:
    """Newest first, without drafts and scheduled posts unless the run asked for them."""
    shown = [post for post in posts if is_published(post, options)]
    return sorted(shown, key=lambda post: (post.date, post.stem), reverse=True)


def _next_scheduled(posts: list[Post], options: BuildOptions) -> Post | None:
    """The earliest post that a later build will show once its date has passed."""
    if options.future:
        return None
    now = options.now or datetime.now(UTC)
    waiting = [post for post in posts if not post.draft and post.date > now]
    return min(waiting, key=lambda post: (post.date, post.stem), default=None)


def _group_tags(posts: tuple[Post, ...]) -> tuple[Tag, ...]:
    """Tags by slug, so "Bread" and "bread" are one tag, named as first written."""
    names: dict[str, str] = {}
    members: dict[str, list[Post]] = {}
    slugs: dict[str, str] = {}
    for post in reversed(posts):
        for name in post.tags:
            slug = slugs.get(name) or slugs.setdefault(name, slugify(name))
            names.setdefault(slug, name)
            members.setdefault(slug, []).append(post)
    tags = (Tag(names[slug], slug, tuple(reversed(found))) for slug, found in members.items())
    return tuple(sorted(tags, key=lambda tag: tag.name.casefold()))


def _group_years(posts: tuple[Post, ...]) -> tuple[Year, ...]:
    months: dict[tuple[int, int], list[Post]] = {}
    for post in posts:
        months.setdefault((post.date.year, post.date.month), []).append(post)
    years: dict[int, list[Month]] = {}
    for (year, month), found in months.items():
        years.setdefault(year, []).append(Month(year, month, tuple(found)))
    return tuple(Year(year, tuple(found)) for year, found in years.items())
