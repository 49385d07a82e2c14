"""sitegen.toml -> a frozen `Config`, and the options of one run.

Every key has a default, so a site needs no configuration file. Reading collects every
problem (unknown key, wrong type, bad value) before failing once, as MkDocs does, so the
user fixes them all in one go. No other module reads TOML or the environment.
"""

from __future__ import annotations

import dataclasses
import difflib
import ipaddress
import os
import re
import shlex
import string
import tomllib
import typing
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import search
from .errors import ConfigError, Problem, shown
from .layout import SitePaths
from .sourcefile import read_file

PERMALINK_FIELDS = frozenset({"year", "month", "day", "slug"})
SMTP_PASSWORD_VARIABLE = "SITEGEN_SMTP_PASSWORD"
SMTP_SECURITY = ("none", "starttls", "tls")
ADDRESS = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+$")
# The Markdown engines a site may choose for its posts and pages (see engines.py).
PYTHON_MARKDOWN, COMMONMARK = "python-markdown", "commonmark"
MARKDOWN_ENGINES = (PYTHON_MARKDOWN, COMMONMARK)


@dataclass(frozen=True)
class CommentsConfig:
    """The `[comments]` table."""

    enabled: bool = True
    endpoint: str = "/comments"
    rate_limit: int = 5
    max_length: int = 10_000
    max_links: int = 3
    blocked_words: tuple[str, ...] = ()
    blocked_ips: tuple[str, ...] = ()
    auto_approve: bool = False
    rebuild_command: str = ""
    # "git": commit and push the thread files after each publication (gitpublish.py).
    publish: str = ""
    trusted_proxies: tuple[str, ...] = ()
    # The comment server's connections (slow and idle ones count) and the seconds an idle
    # one is kept; see intake_server.py.
    connection_limit: int = 500
    channel_timeout: int = 30


@dataclass(frozen=True)
class NotifyConfig:
    """The `[notify]` table: where new comments are announced. The SMTP password is not
    here: sitegen.toml lives in git, so it comes from the environment (`smtp_password`)."""

    email: str = ""
    sender: str = ""
    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_security: str = "none"
    smtp_user: str = ""
    webhook: str = ""
    command: tuple[str, ...] = ()

    @property
    def channels(self) -> tuple[str, ...]:
        """The channels configured, in the order they are tried."""
        wanted = {"email": self.email, "webhook": self.webhook, "command": self.command}
        return tuple(name for name, value in wanted.items() if value)

    @property
    def reader_mail(self) -> bool:
        """Whether readers may ask to be emailed about replies: when the owner is sent mail
        (`email` set), the SMTP server is one the site sends through."""
        return bool(self.email)


@dataclass(frozen=True)
class DeployConfig:
    """The `[deploy]` table: where `sitegen deploy` publishes the output, if anywhere."""

    rsync: str = ""
    git_remote: str = ""
    git_branch: str = "gh-pages"


@dataclass(frozen=True)
class ThemeConfig:
    """The `[theme]` table: which theme, and its options. `theme = "name"` alone is short
    for a table with only the name."""

    name: str = "default"
    recent_comments_include_owner: bool = True


@dataclass(frozen=True)
class Config:
    """Everything sitegen.toml can say, with the defaults a site gets without it."""

    title: str = "My blog"
    author: str = ""
    description: str = ""
    base_url: str = "http://localhost:8000"
    language: str = "en"
    timezone: str = "UTC"
    theme: ThemeConfig = field(default_factory=ThemeConfig)
    permalink: str = "/{year}/{month}/{day}/{slug}/"
    posts_per_page: int = 10
    # A Babel width (full, long, medium, short), a CLDR skeleton ("yMMMd") or a strftime
    # pattern ("%d %B %Y"); each written in the site's language.
    date_format: str = "full"
    search: bool = False  # a Pagefind index and a /search/ page (see search.py)
    markdown: str = PYTHON_MARKDOWN
    comments: CommentsConfig = field(default_factory=CommentsConfig)
    notify: NotifyConfig = field(default_factory=NotifyConfig)
    deploy: DeployConfig = field(default_factory=DeployConfig)

    @property
    def mail_sender(self) -> str:
        """The From: address of notifications: `notify.sender`, else sitegen@ the site's
        host."""
        return self.notify.sender or f"sitegen@{urlsplit(self.base_url).hostname}"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def absolute(self, url: str) -> str:
        """A site-relative URL ("/tags/") made absolute with `base_url`."""
        return self.base_url.rstrip("/") + "/" + url.lstrip("/")

    @property
    def base_path(self) -> str:
        """The path the site is served under: "/" at the root of a domain, "/blog/" for
        `base_url = "https://example.org/blog"`."""
        inside = urlsplit(self.base_url).path.strip("/")
        return f"/{inside}/" if inside else "/"

    def site_path(self, url: str) -> str:
        """A site-relative URL ("/tags/") as a path from the domain's root ("/blog/tags/"),
        for the pages and responses whose links cannot be relative to where they are."""
        if not url.startswith("/") or url.startswith("//"):
            return url
        return self.base_path + url[1:]


@dataclass(frozen=True)
class BuildOptions:
    """What this one run was asked for, as opposed to what the site is."""

    drafts: bool = False
    future: bool = False
    now: datetime | None = None


def smtp_password() -> str:
    """The SMTP password, from the environment only: never from sitegen.toml."""
    return os.environ.get(SMTP_PASSWORD_VARIABLE, "")


def load_config(paths: SitePaths) -> Config:
    """Read `sitegen.toml` if there is one; raise ConfigError naming every bad key."""
    path = paths.config_file
    if not os.path.lexists(path):
        return Config()
    try:
        # An editor may start the file with a byte-order mark; TOML has no use for it.
        text = read_file(path, ConfigError).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(Problem("not UTF-8 text", path)) from None
    return parse_config(text, path)


def parse_config(text: str, path: Path) -> Config:
    """The configuration in `text`, the contents of `path` (which problems name); raise
    ConfigError naming every bad key."""
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(_toml_problem(error, path)) from None
    except RecursionError:
        raise ConfigError(Problem("not valid TOML: arrays or tables are nested too deeply",
                                  path)) from None
    problems: list[Problem] = []
    config = _build(Config, table, "", path, problems)
    problems.extend(_check_values(config, path))
    if problems:
        raise ConfigError(*problems)
    return config


def _toml_problem(error: tomllib.TOMLDecodeError, path: Path) -> Problem:
    match = re.search(r"\(at line (\d+), column \d+\)$", str(error))
    message = str(error)[: match.start()].strip() if match else str(error)
    return Problem(f"not valid TOML: {message}", path, int(match.group(1)) if match else None)


def _build(cls: type, table: dict, prefix: str, path: Path, problems: list[Problem]):
    """Instantiate a config dataclass from a TOML table, recording what does not fit."""
    hints = typing.get_type_hints(cls)
    known = {f.name: f for f in dataclasses.fields(cls)}
    values = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if key not in known:
            problems.append(Problem(_unknown_key(name, known, prefix), path))
            continue
        expected = hints[key]
        if dataclasses.is_dataclass(expected):
            if isinstance(value, str) and "name" in known_names(expected):
                value = {"name": value}  # theme = "mine": a table of its name alone
            if isinstance(value, dict):
                values[key] = _build(expected, value, f"{name}.", path, problems)
            else:
                problems.append(Problem(f"'{name}' must be a table ([{name}])", path))
        elif (checked := _typed(value, expected)) is not None:
            values[key] = checked
        else:
            problems.append(
                Problem(f"'{name}' must be {_describe(expected)}, not {_toml_type(value)}", path)
            )
    return cls(**values)


def known_names(cls: type) -> frozenset[str]:
    return frozenset(item.name for item in dataclasses.fields(cls))


def _unknown_key(name: str, known: dict, prefix: str) -> str:
    if name in ("notify.smtp_password", "notify.password"):
        return (f"'{name}' does not belong in sitegen.toml, which lives in git: set the "
                f"{SMTP_PASSWORD_VARIABLE} environment variable")
    close = difflib.get_close_matches(name.removeprefix(prefix), list(known), n=1)
    hint = f" (did you mean '{prefix}{close[0]}'?)" if close else ""
    return f"unknown key '{name}'{hint}"


def _typed(value: object, expected: object) -> object | None:
    """The value in the type the field holds, or None when it has the wrong type."""
    if expected is bool:
        return value if isinstance(value, bool) else None
    if expected is int:
        return value if isinstance(value, int) and not isinstance(value, bool) else None
    if expected is str:
        return value if isinstance(value, str) else None
    if typing.get_origin(expected) is tuple:
        ok = isinstance(value, list) and all(isinstance(item, str) for item in value)
        return tuple(value) if ok else None
    raise TypeError(f"config field type {expected!r} has no TOML reading")


def _describe(expected: object) -> str:
    if typing.get_origin(expected) is tuple:
        return "a list of strings"
    return {bool: "true or false", int: "a whole number", str: "a string"}[expected]


def _toml_type(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    kinds = {int: "a number", float: "a number", str: "a string", list: "a list", dict: "a table"}
    return next((name for kind, name in kinds.items() if isinstance(value, kind)), "a date")


def _check_values(config: Config, path: Path) -> list[Problem]:
    """Rules on values that the types alone do not catch."""
    problems = []

    def bad(key: str, message: str) -> None:
        problems.append(Problem(f"'{key}' {message}", path))

    url = urlsplit(config.base_url)
    if url.scheme not in ("http", "https") or not url.netloc:
        bad("base_url", f"must be an absolute http(s) URL, not '{shown(config.base_url)}'")
    try:
        ZoneInfo(config.timezone)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        bad("timezone", f"'{shown(config.timezone)}' is not an IANA time zone such as "
                        "'Europe/Lisbon'")
    if not config.permalink.startswith("/"):
        bad("permalink", "must start with '/'")
    for fault in _permalink_faults(config.permalink):
        bad("permalink", fault)
    if config.posts_per_page < 1:
        bad("posts_per_page", "must be at least 1")
    if config.search and not search.installed():
        bad("search", f"is true, but Pagefind is not installed: {search.INSTALL}")
    if config.markdown not in MARKDOWN_ENGINES:
        names = " or ".join(f"'{name}'" for name in MARKDOWN_ENGINES)
        bad("markdown", f"must be {names}, not '{config.markdown}'")
    if not config.comments.endpoint:
        bad("comments.endpoint", "must not be empty")
    problems.extend(_check_comments(config.comments, path))
    problems.extend(_check_notify(config.notify, path))
    if config.deploy.rsync and config.deploy.git_remote:
        bad("deploy", "has both 'rsync' and 'git_remote'; keep the one to publish to")
    if not re.fullmatch(r"[\w.-]+(/[\w.-]+)*", config.deploy.git_branch) or \
            ".." in config.deploy.git_branch:
        bad("deploy.git_branch", f"'{config.deploy.git_branch}' is not a branch name")
    return problems


def _permalink_faults(pattern: str) -> list[str]:
    """A permalink is made with str.format, which also reads attributes ({year.x}), items
    ({slug[9]}) and formats ({year:>900000000}): only the bare fields are allowed."""
    try:
        parts = list(string.Formatter().parse(pattern))
    except ValueError:
        return ["has a '{' or '}' without its pair; write '{{' or '}}' for the character"]
    fields = [(name, f"{{{name}{'!' + conversion if conversion else ''}"
                     f"{':' + spec if spec else ''}}}")
              for _, name, spec, conversion in parts if name is not None]
    faults = []
    if unknown := {field for name, field in fields
                   if name not in PERMALINK_FIELDS or field != f"{{{name}}}"}:
        names = ", ".join(sorted(shown(field) for field in unknown))
        faults.append(f"uses unknown field {names}; use {{year}} {{month}} {{day}} {{slug}}")
    if ("slug", "{slug}") not in fields:
        faults.append("must contain {slug}")
    return faults


def _check_comments(comments: CommentsConfig, path: Path) -> list[Problem]:
    """The [comments] rules: numbers in range, addresses that parse, an absolute endpoint."""
    problems = []

    def bad(key: str, message: str) -> None:
        problems.append(Problem(f"'comments.{key}' {message}", path))

    endpoint = urlsplit(comments.endpoint)
    absolute = endpoint.scheme in ("http", "https") and endpoint.netloc
    if comments.endpoint and not (absolute or comments.endpoint.startswith("/")):
        bad("endpoint", "must be a path such as '/comments' or an http(s) URL")
    if comments.rate_limit < 0:
        bad("rate_limit", "must be 0 (no limit) or more comments per client per minute")
    if comments.max_length < 1:
        bad("max_length", "must be at least 1 character")
    if comments.max_links < 0:
        bad("max_links", "must be 0 or more")
    for key in ("blocked_ips", "trusted_proxies"):
        for entry in getattr(comments, key):
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                bad(key, f"has '{entry}', which is not an IP address or network (10.0.0.0/8)")
    try:
        shlex.split(comments.rebuild_command)
    except ValueError as error:
        bad("rebuild_command", f"cannot be split into words: {error}")
    if comments.publish not in ("", "git"):
        bad("publish", f"must be \"git\" or \"\" (off), not '{comments.publish}'")
    if any(not word.strip() for word in comments.blocked_words):
        bad("blocked_words", "must not contain empty words")
    if comments.connection_limit < 1:
        bad("connection_limit", "must be at least 1 connection")
    if comments.channel_timeout < 1:
        bad("channel_timeout", "must be at least 1 second")
    return problems


def _check_notify(notify: NotifyConfig, path: Path) -> list[Problem]:
    """The [notify] rules: addresses that look like addresses, a known kind of SMTP
    security, a port, an http(s) webhook, a command with a program."""
    problems = []

    def bad(key: str, message: str) -> None:
        problems.append(Problem(f"'notify.{key}' {message}", path))

    for key in ("email", "sender"):
        value = getattr(notify, key)
        if value and not ADDRESS.match(value):
            bad(key, f"must be one email address such as 'owner@example.org', not '{value}'")
    if notify.email and not notify.smtp_host.strip():
        bad("smtp_host", "must name the mail server that sends to 'notify.email'")
    if not 1 <= notify.smtp_port <= 65535:
        bad("smtp_port", f"must be a port from 1 to 65535, not {notify.smtp_port}")
    if notify.smtp_security not in SMTP_SECURITY:
        choices = ", ".join(f"'{choice}'" for choice in SMTP_SECURITY)
        bad("smtp_security", f"must be one of {choices}, not '{notify.smtp_security}'")
    webhook = urlsplit(notify.webhook)
    if notify.webhook and (webhook.scheme not in ("http", "https") or not webhook.netloc):
        bad("webhook", f"must be an http(s) URL, not '{notify.webhook}'")
    if notify.command and not notify.command[0].strip():
        bad("command", "must start with the program to run")
    return problems
