"""MODEL: the whole site, loaded every build: posts, pages, threads, tags and archives.

The model is always complete, even when only one file changed, so listings are never stale;
what makes that cheap is the `cache` of loaded files keyed by their content digest.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from slugify import slugify

from .comments import CommentRenderer, Thread, empty_thread, load_thread, thread_digest
from .config import BuildOptions, Config, SitePaths
from .errors import ContentError, Problem, SitegenError, gather
from .posts import MarkdownRenderer, Post, StaticPage, load_page, load_post, source_digest

Loaded = TypeVar("Loaded", Post, StaticPage, Thread)


@dataclass(frozen=True)
class Tag:
    name: str
    slug: str
    posts: tuple[Post, ...]

    @property
    def url(self) -> str:
        return f"/tags/{self.slug}/"


@dataclass(frozen=True)
class Month:
    year: int
    month: int
    posts: tuple[Post, ...]

    @property
    def url(self) -> str:
        return f"/{self.year:04d}/{self.month:02d}/"


@dataclass(frozen=True)
class Year:
    year: int
    months: tuple[Month, ...]

    @property
    def url(self) -> str:
        return f"/{self.year:04d}/"

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
    tags: tuple[Tag, ...] = field(init=False)
    years: tuple[Year, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "tags", _group_tags(self.posts))
        object.__setattr__(self, "years", _group_years(self.posts))

    def thread(self, post: Post) -> Thread:
        return self.threads.get(post.stem) or empty_thread(post.stem)

    def neighbours(self, index: int) -> tuple[Post | None, Post | None]:
        """(older, newer) around `self.posts[index]`."""
        older = self.posts[index + 1] if index + 1 < len(self.posts) else None
        newer = self.posts[index - 1] if index > 0 else None
        return older, newer

    @property
    def comment_count(self) -> int:
        return sum(self.thread(post).count for post in self.posts)


class _Loader:
    """Reads files through the cache, creating Markdown renderers only on a miss."""

    def __init__(self, config: Config, cache: MutableMapping[str, object]) -> None:
        self.config = config
        self.cache = cache
        self.used: dict[str, object] = {}
        self.errors: list[SitegenError] = []
        self._markdown: MarkdownRenderer | None = None
        self._comments: CommentRenderer | None = None

    def load(self, path: Path, digest_of: Callable, load: Callable[..., Loaded]) -> Loaded | None:
        try:
            data = path.read_bytes()
        except OSError as error:
            self.errors.append(ContentError(Problem(f"cannot read: {error.strerror}", path)))
            return None
        digest = digest_of(data, path, self.config)
        item = self.cache.get(digest)
        if item is None:
            try:
                item = load(path, data, self.config, self._renderer_for(load))
            except SitegenError as error:
                self.errors.append(error)
                return None
        self.used[digest] = item
        return item

    def _renderer_for(self, load: Callable) -> MarkdownRenderer | CommentRenderer:
        if load is load_thread:
            self._comments = self._comments or CommentRenderer()
            return self._comments
        self._markdown = self._markdown or MarkdownRenderer()
        return self._markdown


def load_site(
    paths: SitePaths,
    config: Config,
    options: BuildOptions,
    cache: MutableMapping[str, object] | None = None,
) -> Site:
    """Load every post, page and thread; raise ContentError listing every bad file.

    `cache` maps content digests to loaded items; it is left holding exactly the items this
    site uses, so a long-running preview keeps it warm without growing."""
    loader = _Loader(config, {} if cache is None else cache)
    posts = [loader.load(p, source_digest, load_post) for p in _files(paths.posts, "*.md")]
    pages = [loader.load(p, source_digest, load_page) for p in _files(paths.pages, "*.md")]
    threads = [
        loader.load(p, thread_digest, load_thread) for p in _files(paths.comments, "*.yml")
    ]
    if loader.errors:
        raise ContentError(*gather(loader.errors))
    if cache is not None:
        cache.clear()
        cache.update(loader.used)
    all_posts = [post for post in posts if post is not None]
    shown = _shown(all_posts, options)
    by_stem = {thread.stem: thread for thread in threads if thread is not None}
    warnings = [w for thread in by_stem.values() for w in thread.warnings]
    known = {post.stem for post in all_posts}
    warnings += [
        Problem(f"no post content/posts/{stem}.md for this comment thread",
                paths.comments / f"{stem}.yml")
        for stem in sorted(set(by_stem) - known)
    ]
    return Site(
        config=config,
        posts=tuple(shown),
        pages=tuple(page for page in pages if page is not None),
        threads=by_stem,
        warnings=tuple(warnings),
    )


def _files(folder: Path, pattern: str) -> list[Path]:
    return sorted(path for path in folder.glob(pattern) if path.is_file())


def _shown(posts: list[Post], options: BuildOptions) -> list[Post]:
    """Newest first, without drafts and scheduled posts unless the run asked for them."""
    now = options.now or datetime.now(UTC)
    shown = [
        post for post in posts
        if (options.drafts or not post.draft) and (options.future or post.date <= now)
    ]
    return sorted(shown, key=lambda post: (post.date, post.stem), reverse=True)


def _group_tags(posts: tuple[Post, ...]) -> tuple[Tag, ...]:
    """Tags by slug, so "Bread" and "bread" are one tag, named as first written."""
    names: dict[str, str] = {}
    members: dict[str, list[Post]] = {}
    for post in reversed(posts):
        for name in post.tags:
            slug = slugify(name)
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
