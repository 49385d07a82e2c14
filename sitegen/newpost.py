"""`sitegen new`: start a post file with its front matter filled in.

The file is named as the loader expects (content/posts/YYYY-MM-DD-slug.md) and is written
only if no file of that name exists, so a post is never overwritten by a second `new`.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import yaml
from slugify import slugify

from .config import Config
from .dates import date_fault, parse_when
from .errors import ContentError, Problem
from .layout import SitePaths

# A title of eighty words would make a file name longer than file systems allow (255
# bytes); the slug keeps its first words, and the title stays whole in the front matter.
SLUG_LENGTH = 60


def parse_date(text: str, config: Config) -> datetime:
    """A --date value in the site's time zone unless it names an offset."""
    when = parse_when(text, config.tz)
    if when is None:
        raise ContentError(Problem(f"bad --date '{text}': {date_fault(text)}"))
    return when


def post_text(title: str, when: datetime, tags: tuple[str, ...], config: Config) -> str:
    """The new file's text; the date is written the way a person would type it."""
    local = when.tzinfo == config.tz
    date = when.strftime("%Y-%m-%d %H:%M") if local else when.isoformat(timespec="minutes")
    # YAML quotes the title and tags only when they need it ("Re: bread", "#1", "yes").
    front = yaml.safe_dump({"title": title}, allow_unicode=True, width=1000)
    front += f"date: {date}\n"
    if tags:
        flow = yaml.safe_dump(list(tags), allow_unicode=True, default_flow_style=True,
                              width=1000)
        front += f"tags: {flow.strip()}\n"
    return f"---\n{front}---\n\n"


def new_post(paths: SitePaths, config: Config, title: str, tags: tuple[str, ...] = (),
             when: datetime | None = None) -> Path:
    """Write the post file and return its path; ContentError if it already exists."""
    slug = slugify(title, max_length=SLUG_LENGTH, word_boundary=True)
    if not title.strip() or not slug:
        raise ContentError(Problem(f"the title {title!r} has no letters or digits to name "
                                   "the file after"))
    when = when or datetime.now(config.tz).replace(second=0, microsecond=0)
    path = paths.posts / f"{when:%Y-%m-%d}-{slug}.md"
    try:
        paths.posts.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise ContentError(Problem("is not a folder", paths.posts)) from None
    try:
        with path.open("x", encoding="utf-8") as file:
            file.write(post_text(title.strip(), when, tags, config))
    except FileExistsError:
        raise ContentError(Problem("a post of this name already exists; edit it, or choose "
                                   "another title or --date", path)) from None
    return path
