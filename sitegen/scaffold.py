"""`sitegen init`: a new blog in an empty folder, ready to write, build and publish.

It writes a `sitegen.toml` that shows every setting at its default with one line saying
what it does, a first post and an About page, a `.gitignore` that keeps out what must never
be committed, and a GitHub Actions workflow that publishes the blog. Nothing is written
into a folder that holds anything but a git repository, so a site is never half replaced.
"""

from __future__ import annotations

import dataclasses
import importlib.metadata
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .config import Config, parse_config
from .errors import Problem, SitegenError
from .layout import CONFIG_FILE, SitePaths
from .newpost import new_post

SKELETON = Path(__file__).resolve().parent / "skeleton"
WORKFLOW = Path(".github/workflows/sitegen.yml")
# What a folder may hold and still count as empty: a clone of a new, empty repository.
ALLOWED = frozenset({".git"})
FIRST_POST = "Hello, world"
REQUIREMENTS = "requirements.txt"
REQUIREMENTS_HEAD = ("# How GitHub Actions, Netlify and Cloudflare Pages install sitegen: "
                     "pip install -r requirements.txt\n")
NO_SOURCE = "# sitegen @ git+https://github.com/you/sitegen   <- where to install sitegen from"
FIRST_POST_BODY = """\
This is the first post of this blog. Edit it in content/posts/, write the next one with
`sitegen new "A title"`, and watch them take shape with `sitegen serve`.

<!--more-->

Posts are Markdown, with their title, date and tags in the front matter above.
"""

# One line per key of sitegen.toml; a key missing here is written without one (and the
# test of `init` says which).
KEY_HELP = {
    "title": "The blog's name, in every page's title and in the feeds.",
    "author": "Your name: in the feeds, and on your own replies to comments.",
    "description": "A line about the blog, in the feeds and the pages' <meta> description.",
    "base_url": "Where the blog is published; a path (https://example.org/blog/) hosts it "
                "there.",
    "language": "The pages' language: their lang, the theme's words and the dates (en, pt, es, "
                "fr and de have catalogs; locale/ adds more).",
    "timezone": "IANA time zone of dates written without an offset, such as Europe/Lisbon.",
    "theme": "The theme, and its options; theme = \"name\" alone also says which.",
    "theme.name": "themes/<name>/ in this folder, else a theme shipped with sitegen.",
    "theme.recent_comments_include_owner": "List your own replies among the home page's newest "
                                           "comments.",
    "search": "Full-text search with Pagefind: pip install 'sitegen[search]' first.",
    "permalink": "Post addresses, from {year} {month} {day} {slug}; may end in .html.",
    "posts_per_page": "Posts on each page of the home page and the tag pages.",
    "date_format": "How dates are shown, in the blog's language: full, long, medium, short, "
                   "or a strftime pattern.",
    "markdown": "The Markdown engine: \"python-markdown\", or \"commonmark\" (cmark-gfm: "
                "faster, as GitHub reads it).",
    "comments": "Comments from readers, taken by `sitegen comments serve`.",
    "comments.enabled": "Show the comment threads and the comment form.",
    "comments.endpoint": "Where the form posts: a path on the site, or an http(s) URL.",
    "comments.rate_limit": "Comments per reader per minute; 0 for no limit.",
    "comments.max_length": "Characters in a comment.",
    "comments.max_links": "Links in a comment.",
    "comments.blocked_words": "Words or phrases refused anywhere in a comment.",
    "comments.blocked_ips": "Addresses or networks (\"192.0.2.0/24\") whose comments are "
                            "refused.",
    "comments.auto_approve": "Publish comments at once, without moderation.",
    "comments.rebuild_command": "With auto_approve, run after each comment, such as "
                                "\"sitegen build --quiet\".",
    "comments.publish": "\"git\": commit and push the comment threads after each "
                        "publication (a clone with push rights).",
    "comments.trusted_proxies": "Addresses of your reverse proxies, whose X-Forwarded-For is "
                                "believed.",
    "comments.connection_limit": "Connections the comment server keeps open at once, idle "
                                 "ones included.",
    "comments.channel_timeout": "Seconds an idle connection to the comment server stays "
                                "open.",
    "notify": "How you hear of each new comment: email, a webhook, a command.",
    "notify.email": "Your address, for an email per comment (a minute's burst in one); "
                    "empty: none.",
    "notify.sender": "The From: address; empty: sitegen@ base_url's host.",
    "notify.smtp_host": "The mail server that sends it.",
    "notify.smtp_port": "Its port (25, 587 with starttls, 465 with tls).",
    "notify.smtp_security": "\"none\", \"starttls\" or \"tls\".",
    "notify.smtp_user": "The login, if the server wants one; the password comes from "
                        "SITEGEN_SMTP_PASSWORD.",
    "notify.webhook": "An http(s) URL that receives each comment as JSON.",
    "notify.command": "A command that receives each comment as JSON on its standard input.",
    "deploy": "Where `sitegen deploy` publishes the blog: set rsync, or git_remote.",
    "deploy.rsync": "An rsync destination, such as \"you@example.org:/var/www/blog/\".",
    "deploy.git_remote": "A git remote (\"origin\") or URL, to push the site to a branch ...",
    "deploy.git_branch": "... of this name, as GitHub Pages serves one.",
}


@dataclass(frozen=True)
class Answers:
    """What the new blog is called, who writes it and where it will live."""

    title: str = Config.title
    author: str = Config.author
    base_url: str = Config.base_url


@dataclass(frozen=True)
class NewSite:
    """The files `init` wrote, and what the user must still do about them."""

    files: list[Path]
    warnings: list[Problem]


def init_site(root: Path, answers: Answers, now: datetime | None = None) -> NewSite:
    """Write a new blog into `root` (made if missing); SitegenError, before writing
    anything, if `root` holds anything already or the answers do not make a valid
    configuration."""
    _refuse_occupied(root)
    text = config_text(answers)
    # Checked by the same rules as any sitegen.toml, naming the file it is about to become.
    config = parse_config(text, root / CONFIG_FILE)
    root.mkdir(parents=True, exist_ok=True)
    paths = SitePaths.at(root)
    written = [_write(paths.config_file, text)]
    post = new_post(paths, config, FIRST_POST,
                    when=(now or datetime.now(config.tz)).replace(second=0, microsecond=0))
    with post.open("a", encoding="utf-8") as file:
        file.write(FIRST_POST_BODY)
    written.append(post)
    written.append(_write(paths.pages / "about.md", about_text(answers)))
    written.append(_write(root / ".gitignore", (SKELETON / "gitignore").read_text("utf-8")))
    written.append(_write(root / WORKFLOW, workflow_text()))
    line = requirement(installed_from())
    written.append(_write(root / REQUIREMENTS, REQUIREMENTS_HEAD + (line or NO_SOURCE) + "\n"))
    warnings = [] if line else [Problem(
        "write in it where sitegen can be installed from: this copy came from a folder on "
        "this computer, and the 'sitegen' on PyPI is another project", written[-1])]
    return NewSite(written, warnings)


def requirement(direct_url: str | None) -> str | None:
    """The requirement that installs the sitegen running now elsewhere (CI, a static host),
    from what pip recorded of where it came from (PEP 610 direct_url.json): a repository at
    the commit installed, or an archive's URL. None for a folder on this computer, and for
    a package index, whose 'sitegen' is another project."""
    try:
        origin = json.loads(direct_url or "null")
    except json.JSONDecodeError:
        return None
    if not isinstance(origin, dict) or not isinstance(url := origin.get("url"), str) or \
            url.startswith("file:"):
        return None
    vcs = origin.get("vcs_info")
    if isinstance(vcs, dict):
        return f"sitegen @ {vcs.get('vcs', 'git')}+{url}@{vcs.get('commit_id', '')}".rstrip("@")
    return f"sitegen @ {url}"


def installed_from() -> str | None:
    """What pip recorded of where the running sitegen came from, if anything."""
    try:
        return importlib.metadata.distribution("sitegen").read_text("direct_url.json")
    except importlib.metadata.PackageNotFoundError:
        return None


def workflow_text() -> str:
    """The GitHub Actions workflow that builds the blog and publishes it on GitHub Pages."""
    return (SKELETON / "workflow.yml").read_text(encoding="utf-8")


def config_text(answers: Answers) -> str:
    """sitegen.toml with every key: the answers, and every other key at its default."""
    chosen = dataclasses.replace(Config(), title=answers.title, author=answers.author,
                                 base_url=answers.base_url)
    lines = ["# sitegen.toml: the settings of this blog. Every key is shown at its default;",
             "# a key left out takes the default too. README.md says more about each.", ""]
    tables = []
    for item in dataclasses.fields(Config):
        value = getattr(chosen, item.name)
        if dataclasses.is_dataclass(value):
            tables.append((item.name, value))
        else:
            lines += _key_lines(item.name, item.name, value)
    for name, table in tables:
        lines += ["", *_comment(name), f"[{name}]"]
        for item in dataclasses.fields(table):
            lines += _key_lines(f"{name}.{item.name}", item.name, getattr(table, item.name))
    return "\n".join(lines) + "\n"


def about_text(answers: Answers) -> str:
    who = f"This blog is written by {answers.author.strip()}. " if answers.author.strip() else ""
    return ("---\ntitle: About\nmenu: true\n---\n\n"
            f"{who}Say here who you are and what you write about: this page is "
            "content/pages/about.md, and `menu: true` lists it in every page's menu.\n")


def _key_lines(name: str, key: str, value: object) -> list[str]:
    return [*_comment(name), f"{key} = {_toml(value)}"]


def _comment(name: str) -> list[str]:
    return [f"# {KEY_HELP[name]}"] if name in KEY_HELP else []


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, tuple):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    # A JSON string is a TOML basic string: the same escapes, the same quotes.
    return json.dumps(value, ensure_ascii=False)


def _refuse_occupied(root: Path) -> None:
    if root.exists() and not root.is_dir():
        raise SitegenError(Problem(f"{root} is a file, not a folder"))
    if (root / CONFIG_FILE).exists():
        raise SitegenError(Problem(f"{root} already holds a site ({CONFIG_FILE}); edit it, "
                                   "or run init in a new folder"))
    names = sorted(path.name for path in root.iterdir()) if root.is_dir() else []
    present = [name for name in names if name not in ALLOWED]
    if present:
        shown = ", ".join(present[:5]) + (f" and {len(present) - 5} more"
                                          if len(present) > 5 else "")
        raise SitegenError(Problem(f"{root} is not empty: it holds {shown}; run init in a "
                                   "new or empty folder"))


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as file:
        file.write(text)
    return path
