"""LOAD one post or standalone page: front matter, dates, slug, Markdown -> HTML.

Each loader is a pure function of the file's bytes, its name and the configuration, which is
why a loaded post can be cached by `source_digest` and reused across builds.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import markdown
import pygments
import pymdownx
from markupsafe import Markup
from slugify import slugify

from . import __version__
from .commonmark import LIBRARY_VERSION as CMARK_VERSION
from .config import BuildOptions, Config
from .dates import date_fault, parse_when
from .errors import ContentError, Problem, shown
from .mathml import MathError, latex2mathml_version
from .sourcefile import Source, read_source
from .urls import AddressError, page_address, permalink, site_address, tag_slug

if TYPE_CHECKING:
    from .engines import Engine, Engines

DATE_PREFIX = re.compile(r"^(\d{4}-\d{2}-\d{2})-(.+)$")
MORE_MARKER = "<!--more-->"
WORDS_PER_MINUTE = 230
_TAG = re.compile(r"<[^>]+>")
_IMG_TAG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_SRC = re.compile(r"""\ssrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
# A footnote reference as Python-Markdown writes it, or as cmark-gfm does.
FOOTNOTE_REF = re.compile(r'<sup id="fnref[^"]*"><a class="footnote-ref"[^>]*>.*?</a></sup>'
                          r'|<sup class="footnote-ref"><a [^>]*>.*?</a></sup>')
TAG_ID = re.compile(r'(<[a-zA-Z][^>]*?)\s+id="[^"]*"')


def _converted(source: Source, engine: Engine, key: str | None = None) -> tuple[str, str]:
    """The body (or the front matter's `key`) as HTML; bad TeX is an error at its line."""
    text = source.body if key is None else source.meta[key]
    try:
        return engine.convert(text)
    except MathError as error:
        raise ContentError(*(
            Problem(f"invalid TeX '{bad.tex}': {bad.reason}", source.path,
                    source.key_lines.get(key) if key else source.body_line(bad.tex))
            for bad in error.bad)) from None


@dataclass(frozen=True)
class Alias:
    """An old address of a post or page: `address` is canonical, `written` is as the file
    writes it, in its front matter at `line`."""

    address: str
    written: str
    line: int | None


@dataclass(frozen=True)
class PostMeta:
    """What a post's front matter and file name say, checked as the build checks them,
    without converting its Markdown: enough to list, find or take comments for it."""

    stem: str
    title: str
    date: datetime
    updated: datetime
    slug: str
    url: str
    tags: tuple[str, ...]
    draft: bool
    comments_open: bool
    show_toc: bool
    aliases: tuple[Alias, ...]


@dataclass(frozen=True)
class Post(PostMeta):
    """A post as the site shows it: its metadata, and its Markdown made HTML; `body_html`
    and `summary_html` are the owner's HTML."""

    source_digest: str
    source: Path
    body_html: Markup
    toc_html: Markup
    summary_html: Markup
    has_more: bool
    reading_minutes: int = 1
    # The images on the site that the body shows: (address as written, file line).
    images: tuple[tuple[str, int | None], ...] = ()


@dataclass(frozen=True)
class StaticPage:
    """A dateless page such as About, served at /<slug>/."""

    source_digest: str
    source: Path
    title: str
    slug: str
    url: str
    menu: bool
    body_html: Markup
    aliases: tuple[Alias, ...]


def source_digest(data: bytes, path: Path, config: Config) -> str:
    """What a loaded post depends on: its bytes, its path (which it holds), the settings it
    reads, our code and the libraries that make its HTML."""
    key = hashlib.blake2b(data, digest_size=16)
    settings = (str(path), config.timezone, config.permalink, config.markdown, __version__,
                markdown.__version__, pygments.__version__, pymdownx.__version__,
                latex2mathml_version(), CMARK_VERSION)
    key.update(repr(settings).encode())
    return key.hexdigest()


def read_meta(path: Path, data: bytes, config: Config) -> PostMeta:
    """A post's metadata from its front matter alone; ContentError if the build would
    refuse the file's front matter."""
    return _meta(read_source(path, data), config)


def _meta(source: Source, config: Config) -> PostMeta:
    date = _date(source, config)
    slug = _slug(source, DATE_PREFIX.sub(r"\2", source.path.stem))
    return PostMeta(
        stem=source.path.stem,
        title=_title(source),
        date=date,
        updated=_optional_date(source, "updated", config) or date,
        slug=slug,
        url=_address(source, permalink, config.permalink, date, slug),
        tags=_tags(source),
        draft=_flag(source, "draft"),
        comments_open=_comments_open(source),
        show_toc=_flag(source, "toc"),
        aliases=_aliases(source),
    )


def is_published(post: PostMeta, options: BuildOptions) -> bool:
    """Whether a build run with `options` shows the post: drafts and posts dated after
    `options.now` only when the run asks for them. The build and the comment server both
    decide by this."""
    now = options.now or datetime.now(UTC)
    return (options.drafts or not post.draft) and (options.future or post.date <= now)


def load_post(path: Path, data: bytes, config: Config, engines: Engines,
              digest: str | None = None) -> Post:
    """A Post from one file of content/posts/; raises ContentError naming file and line.
    `digest`: its `source_digest`, when the caller has taken it already."""
    source = read_source(path, data)
    meta = _meta(source, config)
    engine = engines.for_config(config)
    body_html, toc_html = _converted(source, engine)
    summary_html = _summary(source, body_html, engine)
    words = _words(body_html)
    return Post(
        source_digest=digest or source_digest(data, path, config),
        source=path,
        **vars(meta),
        body_html=Markup(body_html),
        toc_html=Markup(toc_html),
        summary_html=Markup(summary_html),
        has_more=_words(summary_html) != words,
        reading_minutes=minutes_for(len(words)),
        images=_local_images(source, body_html),
    )


def load_page(path: Path, data: bytes, config: Config, engines: Engines,
              digest: str | None = None) -> StaticPage:
    """A StaticPage from one file of content/pages/ (`digest`: as for `load_post`)."""
    source = read_source(path, data)
    slug = _slug(source, path.stem)
    body_html, _ = _converted(source, engines.for_config(config))
    return StaticPage(
        source_digest=digest or source_digest(data, path, config),
        source=path,
        title=_title(source),
        slug=slug,
        url=_address(source, page_address, slug),
        menu=_flag(source, "menu"),
        body_html=Markup(body_html),
        aliases=_aliases(source),
    )


def minutes_for(words: int) -> int:
    """Minutes to read so many words at WORDS_PER_MINUTE, rounded, at least 1."""
    return max(1, (words + WORDS_PER_MINUTE // 2) // WORDS_PER_MINUTE)


def _local_images(source: Source, body_html: str) -> tuple[tuple[str, int | None], ...]:
    """The address and line of each image the body shows that is not on another host."""
    found = []
    for tag in _IMG_TAG.findall(body_html):
        src = _SRC.search(tag)
        address = html.unescape(next(v for v in src.groups() if v is not None)) if src else ""
        parts = urlsplit(address)
        if address and not parts.scheme and not parts.netloc:
            found.append((address, source.body_line(address)))
    return tuple(found)


def _title(source: Source) -> str:
    title = source.meta.get("title")
    if isinstance(title, int | float) and not isinstance(title, bool):
        title = str(title)
    if not isinstance(title, str) or not title.strip():
        raise source.problem("missing 'title' in front matter", "title")
    return title.strip()


def _date(source: Source, config: Config) -> datetime:
    if "date" in source.meta:
        return _optional_date(source, "date", config)
    match = DATE_PREFIX.match(source.path.stem)
    if match and (when := parse_when(match[1], config.tz)):
        return when
    raise source.problem("no 'date' in front matter and no YYYY-MM-DD- prefix in the file name")


def _optional_date(source: Source, key: str, config: Config) -> datetime | None:
    if key not in source.meta:
        return None
    value = source.meta[key]
    when = parse_when(value, config.tz)
    if when is None:
        raise source.problem(f"bad {key} '{shown(value)}': {date_fault(value)}", key)
    return when


def _slug(source: Source, default: str) -> str:
    slug = slugify(str(source.meta.get("slug") or default))
    if not slug:
        raise source.problem("the slug is empty: give the post a 'slug' of letters or digits",
                             "slug")
    return slug


def _tags(source: Source) -> tuple[str, ...]:
    tags = source.meta.get("tags") or []
    if isinstance(tags, str):
        tags = tags.split(",")
    if not isinstance(tags, list) or not all(isinstance(t, str | int | float) for t in tags):
        raise source.problem("'tags' must be a list such as [bread, travel]", "tags")
    names = [str(tag).strip() for tag in tags]
    return tuple(dict.fromkeys(name for name in names if tag_slug(name)))


def _flag(source: Source, key: str) -> bool:
    value = source.meta.get(key, False)
    if not isinstance(value, bool):
        raise source.problem(f"'{key}' must be true or false, not '{shown(value)}'", key)
    return value


def _comments_open(source: Source) -> bool:
    value = source.meta.get("comments", "open")
    if value not in ("open", "closed", True, False):
        raise source.problem(f"'comments' must be open or closed, not '{shown(value)}'", "comments")
    return value in ("open", True)


def _address(source: Source, make: Callable[..., str], *args: object) -> str:
    """The item's address, `make(*args)`; one that cannot be an address (a slug too long
    for a file name, say) is an error at the slug."""
    try:
        return make(*args)
    except AddressError as error:
        raise source.problem(f"the address made from its slug {error}", "slug") from None


def _aliases(source: Source) -> tuple[Alias, ...]:
    """The old addresses in `aliases`, each made canonical; one that cannot be an address of
    this site is an error at its line. A query is allowed: /?p=123 is WordPress's."""
    aliases = source.meta.get("aliases") or []
    if isinstance(aliases, str):
        aliases = [aliases]
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise source.problem("'aliases' must be a list of old paths such as /2010/08/post.html",
                             "aliases")
    line = source.key_lines.get("aliases")
    found: dict[str, Alias] = {}
    for written in aliases:
        try:
            address = site_address(written, query=True)
        except AddressError as error:
            raise source.problem(f"alias '{shown(written)}' {error}", "aliases") from None
        found.setdefault(address, Alias(address, written, line))
    return tuple(found.values())


def _summary(source: Source, body_html: str, engine: Engine) -> str:
    """The front matter's summary, else the text before <!--more-->, else the first paragraph."""
    summary = source.meta.get("summary")
    if summary is not None:
        if not isinstance(summary, str):
            raise source.problem("'summary' must be text", "summary")
        html, _ = _converted(source, engine, "summary")
    elif MORE_MARKER in body_html:
        html = body_html.split(MORE_MARKER, 1)[0]
    else:
        first = re.search(r"<p\b.*?</p>", body_html, re.DOTALL)
        html = first[0] if first else ""
    return _detached(html)


def _detached(html: str) -> str:
    """An excerpt fit to stand beside others: no ids to clash, no footnote references."""
    html = FOOTNOTE_REF.sub("", html)
    return TAG_ID.sub(r"\1", html).strip()


def _words(html: str) -> list[str]:
    """The words a reader sees in `html` (for its reading time, and to tell whether a
    summary shows all of a post)."""
    return _TAG.sub(" ", html).split()
