"""RENDER: the Jinja2 environment, and one planned page -> bytes.

Templates are looked up in the site's `templates/` first, then the theme's, then sitegen's
built-in feeds and sitemap, so a site overrides any one template by giving its own.
Rendering is a pure function of the page's context, the templates and the configuration;
`templates_digest` names the last two so that a build can tell when every page is stale.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import sys
import traceback
from html import unescape
from pathlib import Path
from urllib.parse import urljoin

import jinja2

from . import __version__
from .config import Config
from .dates import format_date, isoformat
from .digest import Memo, fingerprint
from .errors import Problem, ThemeError
from .layout import SitePaths
from .pages import QUERY_REDIRECTS, PlannedFile
from .urls import named_tag_address

PACKAGE = Path(__file__).parent
# Pages a server shows at any address (the 404 page for every missing one; a redirect at an
# old one), whose links must therefore be paths from the domain's root.
ANY_DEPTH_TEMPLATES = frozenset({"404.html", "redirect.html"})
_SITE_LINK = re.compile(r'(\s(?:href|src|action)=")/(?!/)(.)')
_FIRST_IMAGE = re.compile(r'<img\b[^>]*?\ssrc="([^"]+)"', re.IGNORECASE)
# Characters XML 1.0 allows in no form, escaped or not (a post's form feed, a title's "\x01"):
# one of them makes a whole feed unreadable to a strict parser, so they are left out.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
BUILTIN_TEMPLATES = PACKAGE / "templates"


def find_theme(paths: SitePaths, name: str) -> Path:
    """The theme folder: the site's own `themes/<name>`, else one shipped with sitegen
    (inside the installed package, or beside it in a source checkout)."""
    candidates = [paths.themes / name, PACKAGE / "themes" / name, PACKAGE.parent / "themes" / name]
    for folder in candidates:
        if (folder / "templates").is_dir():
            return folder
    raise ThemeError(Problem(f"theme '{name}' not found in {paths.themes} or among sitegen's "
                             "themes", paths.config_file))


class Renderer:
    """Turns planned pages into bytes with the site's templates."""

    def __init__(self, paths: SitePaths, config: Config, compiled: Path | None = None) -> None:
        """`compiled`: a folder to keep compiled templates in between runs."""
        self.config = config
        self.theme = find_theme(paths, config.theme)
        self.template_dirs = [d for d in (paths.templates, self.theme / "templates") if d.is_dir()]
        self.template_dirs.append(BUILTIN_TEMPLATES)
        self.static_dirs = [d for d in (self.theme / "static", paths.static) if d.is_dir()]
        self.env = _environment(self.template_dirs, config, compiled)
        # Not the Markdown engine: only the posts and pages it converts show it, and their
        # digests name it, so switching it renders again only the pages that show them.
        shown = dataclasses.replace(config, markdown="")
        self.templates_digest = fingerprint(
            (__version__, repr(shown), [_folder_digest(d) for d in self.template_dirs])
        )

    def page_digest(self, page: PlannedFile, memo: Memo | None = None) -> str:
        """Everything the page's bytes depend on: its own inputs and the templates.
        (`memo`: see `fingerprint`; the digest is the same without it.)"""
        return fingerprint((self.templates_digest, page.url, page.template, page.context), memo)

    def render(self, page: PlannedFile) -> bytes:
        try:
            template = self.env.get_template(page.template)
            html = template.render(page.context, page_url=page.url)
            if QUERY_REDIRECTS in page.context:
                script = self.env.get_template("query_redirect.html")
                html = _into_head(html, script.render(page.context[QUERY_REDIRECTS],
                                                      root=self.config.base_path))
            if page.template in ANY_DEPTH_TEMPLATES:
                html = rooted_links(html, self.config.base_path)
            elif page.path.endswith(".html"):
                html = relative_links(html, page.path)
            elif page.path.endswith(".xml"):
                html = _NOT_XML.sub("", html)
            return html.encode("utf-8")
        except jinja2.TemplateSyntaxError as error:
            path = Path(error.filename) if error.filename else None
            problem = Problem(f"template error: {error.message}", path, error.lineno)
            raise ThemeError(problem) from None
        except jinja2.TemplateNotFound as error:
            raise ThemeError(Problem(f"template '{error.name}' not found in "
                                     + ", ".join(map(str, self.template_dirs)))) from None
        except Exception as error:  # a template bug or a filter failing on odd data
            path, line = _template_frame(error)
            message = f"while rendering {page.url} with {page.template}: {error}"
            raise ThemeError(Problem(message, path, line)) from error


def relative_links(html: str, page_path: str) -> str:
    """Site links as templates write them ("/static/style.css") made relative to the page
    ("../../static/style.css"), so that the built site works wherever its folder is: opened
    straight from disk as well as served at the root of a domain."""
    up = "../" * page_path.count("/")
    return _SITE_LINK.sub(lambda m: m[1] + (up + m[2] if m[2] != '"' else (up or "./") + '"'),
                          html)


def first_image(html: str, page: str) -> str:
    """The absolute address of the first image in `html`, shown at the absolute address
    `page`; "" when there is none. For link previews (og:image), which want one picture."""
    found = _FIRST_IMAGE.search(html)
    return urljoin(page, unescape(found[1])) if found else ""


def rooted_links(html: str, base_path: str) -> str:
    """Site links as templates write them ("/static/style.css") made paths from the root of
    the domain, for a site served under a sub-path ("/blog/static/style.css")."""
    if base_path == "/":
        return html
    return _SITE_LINK.sub(lambda m: m[1] + base_path + m[2], html)


def _into_head(html: str, snippet: str) -> str:
    """The snippet just before </head>, whatever the theme's markup; at the end without one."""
    html, found = re.subn(r"(?i)</head\s*>", lambda end: snippet + end[0], html, count=1)
    return html if found else html + snippet


def _environment(template_dirs: list[Path], config: Config,
                 compiled: Path | None) -> jinja2.Environment:
    if compiled is not None:
        compiled.mkdir(parents=True, exist_ok=True)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in template_dirs]),
        # Compiling the templates costs more than a small rebuild's rendering; the cache
        # is keyed by each template's source, so an edited template is compiled again.
        bytecode_cache=jinja2.FileSystemBytecodeCache(str(compiled)) if compiled else None,
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["date"] = lambda when, pattern=None: format_date(
        when, pattern or config.date_format
    )
    env.filters["isodate"] = isoformat
    env.filters["absolute"] = config.absolute
    env.filters["site_path"] = config.site_path
    env.filters["first_image"] = lambda html, page_url: first_image(html, config.absolute(page_url))
    env.filters["tag_url"] = lambda name: named_tag_address(str(name))
    env.globals["config"] = config
    env.globals["sitegen_version"] = __version__
    return env


def _folder_digest(folder: Path) -> list[tuple[str, str]]:
    return [
        (str(path.relative_to(folder)), hashlib.blake2b(path.read_bytes()).hexdigest())
        for path in sorted(folder.rglob("*")) if path.is_file()
    ]


def _template_frame(error: Exception) -> tuple[Path | None, int | None]:
    """The template file and line where a render error happened, from the traceback
    that Jinja2 rewrites to point into templates."""
    found: tuple[Path | None, int | None] = (None, None)
    for frame in traceback.extract_tb(sys.exc_info()[2] or error.__traceback__):
        if frame.filename.endswith((".html", ".xml", ".txt")):
            found = (Path(frame.filename), frame.lineno)
    return found
