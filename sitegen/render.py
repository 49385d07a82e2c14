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
from collections.abc import Callable
from datetime import datetime
from html import unescape
from pathlib import Path
from types import BuiltinFunctionType, FunctionType, MethodType
from urllib.parse import urljoin

import jinja2
import markupsafe
from jinja2.runtime import Context, Macro
from jinja2.utils import _PassArg
from markupsafe import Markup, escape

from . import __version__
from .config import Config
from .dates import isoformat
from .digest import Memo, fingerprint
from .errors import Problem, SitegenError, ThemeError
from .i18n import Language
from .layout import SitePaths
from .pages import QUERY_REDIRECTS, PlannedFile
from .templatecache import CompiledTemplates
from .urls import named_tag_address

PACKAGE = Path(__file__).parent
# Pages a server shows at any address (the 404 page for every missing one; a redirect at an
# old one), whose links must therefore be paths from the domain's root.
ANY_DEPTH_TEMPLATES = frozenset({"404.html", "redirect.html"})
# Site links (href, src or action starting with one "/") in two kinds, the root ("/") and
# the rest, each replaced by a fixed text rather than a call per link; the patterns start
# with '="/' so that the regex engine skips to each one (an attribute name first would be
# tried at every space of the page: a fifth of a page's rendering).
_BEHIND = r'(?:(?<=\shref="/)|(?<=\ssrc="/)|(?<=\saction="/))'
_ROOT_LINK = re.compile(r'="/(?=")' + _BEHIND)
_PATH_LINK = re.compile(r'="/(?=[^/\n"])' + _BEHIND)
_ANY_LINK = re.compile(r'="/(?=[^/\n])' + _BEHIND)
_SRCSET = re.compile(r'(\ssrcset=")([^"]*)"')
_TABLE_TAG = re.compile(r"<(/?)table\b[^>]*>", re.IGNORECASE)
_FIRST_IMAGE = re.compile(r'<img\b[^>]*?\ssrc="([^"]+)"', re.IGNORECASE)
# Characters XML 1.0 allows in no form, escaped or not (a post's form feed, a title's "\x01"):
# one of them makes a whole feed unreadable to a strict parser, so they are left out.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_NOT_XML_ASCII = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
BUILTIN_TEMPLATES = PACKAGE / "templates"
# markupsafe's C escaping of text, which its `escape` wraps (3.0 and later; None before).
_escape_text = getattr(markupsafe, "_escape_inner", None)
_new_str = str.__new__
# A "%" that is not "%%" nor "%(name)s": a value the words format otherwise ("%(num)d").
_NOT_TEXT_VALUE = re.compile(r"%(?!%|\(\w+\)s)")


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
        self.theme = find_theme(paths, config.theme.name)
        self.template_dirs = [d for d in (paths.templates, self.theme / "templates") if d.is_dir()]
        self.template_dirs.append(BUILTIN_TEMPLATES)
        self.static_dirs = [d for d in (self.theme / "static", paths.static) if d.is_dir()]
        # sitegen's own themes (not one in the site's themes/ folder), whose compiled
        # templates and catalogs are kept for every site to share.
        ours = [] if self.theme.parent == paths.themes else [self.theme]
        # The theme's catalogs, then the site's, which add languages or override messages.
        locale_dirs = [d for d in (self.theme / "locale", paths.locale) if d.is_dir()]
        self.language = Language(config.language, locale_dirs, paths.config_file,
                                 compiled and compiled / "catalogs",
                                 [theme / "locale" for theme in ours])
        shipped = [BUILTIN_TEMPLATES, *(theme / "templates" for theme in ours)]
        cache = CompiledTemplates(compiled, shipped) if compiled is not None else None
        self.env = _environment(self.template_dirs, config, cache, self.language)
        # Not the Markdown engine: only the posts and pages it converts show it, and their
        # digests name it, so switching it renders again only the pages that show them.
        shown = dataclasses.replace(config, markdown="")
        self.templates_digest = fingerprint(
            (__version__, repr(shown), [_folder_digest(d) for d in self.template_dirs],
             [_folder_digest(d / config.language) for d in locale_dirs])
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
                return xml_bytes(html)
            return html.encode("utf-8")
        except jinja2.TemplateSyntaxError as error:
            path = Path(error.filename) if error.filename else None
            problem = Problem(f"template error: {error.message}", path, error.lineno)
            raise ThemeError(problem) from None
        except jinja2.TemplateNotFound as error:
            raise ThemeError(Problem(f"template '{error.name}' not found in "
                                     + ", ".join(map(str, self.template_dirs)))) from None
        except SitegenError:  # a problem of the site's own, found on the way: a bad catalog
            raise
        except Exception as error:  # a template bug or a filter failing on odd data
            path, line = _template_frame(error)
            message = f"while rendering {page.url} with {page.template}: {error}"
            raise ThemeError(Problem(message, path, line)) from error


def compile_templates(paths: SitePaths, config: Config) -> None:
    """Every template into the bytecode cache, and the language's catalogs into theirs: run
    aside (workers.run_aside) while a build reads its sources, so that each render worker
    loads the templates in 4 ms instead of compiling them (90 ms for the default theme), and
    the build reads the catalogs where it would compile them (10-13 ms, while one core waits
    between loading and rendering). A problem is the build's to report (it meets it again),
    not this one's."""
    try:
        renderer = Renderer(paths, config, paths.state.compiled_templates)
        renderer.language.translations  # noqa: B018 (compiled into the cache when read)
    except Exception:  # a bad catalog: the build says so
        return
    env = renderer.env
    for name in env.list_templates():
        try:
            env.get_template(name)
        except Exception:  # a template error: the build says so
            continue


def relative_links(html: str, page_path: str) -> str:
    """Site links as templates write them ("/static/style.css") made relative to the page
    ("../../static/style.css"), so that the built site works wherever its folder is: opened
    straight from disk as well as served at the root of a domain."""
    up = "../" * page_path.count("/")
    return _site_links(html, up, up or "./")


def _site_links(html: str, prefix: str, root: str) -> str:
    """Each site link with `prefix` in place of its leading "/", a link to the root ("/")
    replaced by `root`, and the same for the site addresses of srcsets. The rest first, so
    that the root's replacement is not read as a link again."""
    def fixed(text: str) -> str:
        return '="' + text.replace("\\", "\\\\")

    if prefix == root:  # one pass does both (all but the pages at the site's root)
        html = _ANY_LINK.sub(fixed(prefix), html)
    else:
        html = _ROOT_LINK.sub(fixed(root), _PATH_LINK.sub(fixed(prefix), html))
    return _srcset_links(html, prefix)


def _srcset_links(html: str, prefix: str) -> str:
    """The site addresses among a srcset's candidates ("/images/a-480.jpg 480w, …") with
    `prefix` in place of their leading "/"."""
    def candidates(found: re.Match) -> str:
        fixed = (re.sub(r"^/(?!/)", lambda _: prefix, part.strip())
                 for part in found[2].split(","))
        return f'{found[1]}{", ".join(fixed)}"'

    return _SRCSET.sub(candidates, html) if " srcset=" in html else html


def scrolling_tables(html: str, label: str) -> Markup:
    """Each outermost table of `html` in a box that scrolls sideways when the table is wider
    than the column (the theme's CSS); the box can take focus, to scroll by keyboard, and is
    a region named `label` for screen readers."""
    parts, depth, start, end = [], 0, 0, 0
    for tag in _TABLE_TAG.finditer(html):
        if tag[1]:
            depth -= 1
            if depth == 0:
                parts += [html[end:start], f'<div class="table-scroll" role="region" '
                          f'tabindex="0" aria-label="{escape(label)}">', html[start:tag.end()],
                          "</div>"]
                end = tag.end()
        else:
            depth += 1
            start = tag.start() if depth == 1 else start
    return Markup("".join([*parts, html[end:]]))


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
    return _site_links(html, base_path, base_path)


def _into_head(html: str, snippet: str) -> str:
    """The snippet just before </head>, whatever the theme's markup; at the end without one."""
    html, found = re.subn(r"(?i)</head\s*>", lambda end: snippet + end[0], html, count=1)
    return html if found else html + snippet


def _environment(template_dirs: list[Path], config: Config,
                 compiled: CompiledTemplates | None, language: Language) -> jinja2.Environment:
    env = _Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in template_dirs]),
        # Compiling the templates costs more than a small rebuild's rendering; the cache
        # is keyed by each template's source, so an edited template is compiled again.
        bytecode_cache=compiled,
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # A build makes its own environment, and the templates do not change while it
        # renders: no looking at their files' times for every page.
        auto_reload=False,
        extensions=["jinja2.ext.i18n"],
    )
    # The theme's words from the language's catalogs ({{ _("Reply") }}, ngettext for plurals),
    # and dates by Babel: widths ("long"), skeletons ("yMMMM") or strftime patterns.
    env.install_gettext_callables(language.gettext, language.ngettext, newstyle=True)
    env.globals["_"] = _translator(language)
    env.globals["ngettext"] = _plural_translator(language)
    # The filters that read the site's settings are run when a page is rendered, never when
    # a template is compiled (see _at_render).
    env.filters["date"] = _at_render(lambda when, format=None: language.format_date(
        when, format or config.date_format))
    env.filters["isodate"] = _remembered_isoformat()
    env.filters["absolute"] = _at_render(config.absolute)
    env.filters["site_path"] = _at_render(config.site_path)
    env.filters["first_image"] = _at_render(
        lambda html, page_url: first_image(html, config.absolute(page_url)))
    env.filters["tag_url"] = lambda name: named_tag_address(str(name))
    env.filters["scrolling_tables"] = scrolling_tables
    env.globals["remembered"] = _remembered()
    env.globals["config"] = config
    env.globals["sitegen_version"] = __version__
    return env


def _at_render(function: Callable[..., object]) -> Callable[..., object]:
    """`function` as a filter that Jinja2 runs only when it renders. Jinja2 runs a filter on
    a constant when it compiles the template (`{{ "/sitemap.xml" | absolute }}`), and the
    compiled code, which is kept between builds, then held the site's address of that day:
    a changed `base_url` did not reach robots.txt nor the feeds, and sitegen's own templates,
    compiled once for every site, would carry one site's address to the others. A filter
    that takes the context is never run early."""
    @jinja2.pass_context
    def at_render(context: jinja2.runtime.Context, *args: object, **kwargs: object) -> object:
        return function(*args, **kwargs)

    return at_render


class _Template(jinja2.Template):
    """A template whose output escapes as Jinja's does, skipping what is Markup already."""

    @classmethod
    def from_code(cls, environment: jinja2.Environment, code, globals, uptodate=None):
        template = super().from_code(environment, code, globals, uptodate)
        # The module the template's code ran in, where its output looks `escape` up.
        template.root_render_func.__globals__["escape"] = _escape
        return template


# What a template calls that Jinja may call straight away: these types' `__call__` never
# carries a pass_context-like mark (a function's is a method-wrapper, a macro's Jinja's own).
_PLAIN_CALLABLES = frozenset({FunctionType, MethodType, BuiltinFunctionType, Macro})


class _Context(Context):
    """Jinja's context, calling plain functions and macros without asking twice what to pass
    them: Jinja's `call` looked for a mark on the callable's `__call__`, then on the
    callable, and popped two keywords, for each of the eighty calls a post page makes (5% of
    all rendering). Whatever needs the context itself, or is of another type, goes Jinja's
    way."""

    def call(__self, __obj, *args, **kwargs):  # Jinja's own signature
        if type(__obj) not in _PLAIN_CALLABLES:
            return super().call(__obj, *args, **kwargs)
        mark = getattr(__obj, "jinja_pass_arg", None)
        if mark is _PassArg.context:
            return super().call(__obj, *args, **kwargs)
        if kwargs:
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
        if mark is _PassArg.eval_context:
            args = (__self.eval_ctx, *args)
        elif mark is _PassArg.environment:
            args = (__self.environment, *args)
        try:
            return __obj(*args, **kwargs)
        except StopIteration:
            return __self.environment.undefined(
                "value was undefined because a callable raised a StopIteration exception")


class _Environment(jinja2.Environment):
    """Jinja's environment, making `_Template`s, each with its globals in one dict, and
    `_Context`s."""

    template_class = _Template
    context_class = _Context

    def make_globals(self, d):
        """The template's globals over the environment's, as one dict where Jinja makes a
        ChainMap (so that globals set later would show; sitegen sets them all first): each
        `{% import %}` compares them with the page's, key by key, which took 4% of the
        rendering through a ChainMap."""
        return {**self.globals, **(d or {})}


def xml_bytes(text: str) -> bytes:
    """`text` in UTF-8 without the characters XML does not allow. A feed is nearly always
    ASCII and clean: its bytes are then checked with one table lookup each, five times
    faster than the pattern (0.1 against 0.6 ms for a 200 KB feed)."""
    if text.isascii():
        data = text.encode("ascii")
        if len(data.translate(None, _NOT_XML_ASCII)) == len(data):
            return data
    return _NOT_XML.sub("", text).encode("utf-8")


def _escape(value: object) -> str:
    """What a template prints for `value`: `markupsafe.escape`'s text, without its Python
    layers around the C function. Markup comes back as it is (not as a copy made in three
    Python calls), and text comes back escaped as plain text, not copied again into
    Markup: the compiled templates only write what `escape` gives into the page (jinja2's
    compiler, `_output_child_pre`), and `_translator` puts it into words that it marks safe
    itself. A page prints a few hundred values: markupsafe's layers took a fifth of its
    rendering, and the copy into Markup 2% (14 ms of the 1,000-post bench site's 0.71 s)."""
    kind = type(value)
    if kind is Markup:
        return value
    if kind is str and _escape_text is not None:
        return _escape_text(value)
    return escape(value)


def _remembered_isoformat() -> Callable[[datetime], str]:
    """`isoformat`, each time written once per build: a post's date is on a dozen pages."""
    made: dict[tuple, str] = {}

    def isodate(when: datetime) -> str:
        # With its zone: two times in different zones are equal when they are one instant.
        key = (when, getattr(when, "tzinfo", None))
        found = made.get(key)
        if found is None:
            found = made[key] = isoformat(when)
        return found

    return isodate


def _remembered() -> Callable[..., str]:
    """`remembered(macro, *args)`: what `macro(*args)` gives, made the first time and given
    again after, for a piece that many pages show alike: a post's teaser is on its tags'
    pages and on the home page, 3.8 times on average (made once, the listings of the
    1,000-post bench site render in 0.12 s instead of 0.22 s). Only for a macro whose output
    depends on its arguments alone, as a macro imported without context does (its links
    are made relative afterwards, for each page)."""
    made: dict[tuple, str] = {}

    def remembered(macro: Callable[..., str], *args: object) -> str:
        key = (macro, args)
        try:
            found = made.get(key)
        except TypeError:  # an argument that cannot be a key (a list): made each time
            return macro(*args)
        if found is None:
            found = made[key] = macro(*args)
        return found

    return remembered


def _translator(language: Language) -> Callable[..., str]:
    """`_("…", name=value)` as Jinja's i18n extension makes it (newstyle: the words
    translated, then the values put in, escaped where the template escapes), in one call
    where Jinja's alias for `gettext` makes three: a page calls it forty times."""
    # Each message is translated once per build, and one without values ("Reply",
    # "Home") is made once.
    translated: dict[tuple[str, bool], tuple[str, str | None]] = {}
    made: dict[tuple[str, bool], str] = {}

    # The evaluation context, not the whole context: Jinja derives a new context for each
    # call of a function that takes one inside a loop or block (a comment card's four).
    @jinja2.pass_eval_context
    def translate(eval_ctx: jinja2.nodes.EvalContext, message: str, **values: object) -> str:
        key = (message, eval_ctx.autoescape)
        if values:
            found = translated.get(key)
            if found is None:
                found = translated[key] = _fillable(_words(language, message, key[1]))
            words, text = found
            if text is None:
                return words % values
            return _new_str(Markup, text % {name: _escape(value)
                                            for name, value in values.items()})
        found = made.get(key)
        if found is None:
            found = made[key] = _words(language, message, key[1]) % values
        return found

    return translate


def _plural_translator(language: Language) -> Callable[..., str]:
    """`ngettext(singular, plural, num, name=value)` as Jinja's i18n extension makes it
    (newstyle: `num` is a value too), taking the evaluation context as `_` does."""
    @jinja2.pass_eval_context
    def ngettext(eval_ctx: jinja2.nodes.EvalContext, singular: str, plural: str, num: int,
                 **values: object) -> str:
        values.setdefault("num", num)
        words = language.ngettext(singular, plural, num)
        return (Markup(words) if eval_ctx.autoescape else words) % values

    return ngettext


def _fillable(words: str) -> tuple[str, str | None]:
    """The words, and their text when they are Markup whose every value is "%(name)s":
    then the values can be escaped and put in by str's own %, which gives what Markup's %
    gives without its two helper objects and three calls per value."""
    if isinstance(words, Markup) and not _NOT_TEXT_VALUE.search(words):
        return words, str(words)
    return words, None


def _words(language: Language, message: str, escaping: bool) -> str:
    words = language.gettext(message)
    return Markup(words) if escaping else words


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
