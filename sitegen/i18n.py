"""The theme in the blog's language: gettext catalogs read with Babel, and dates written by
Babel for that locale (not by strftime, whose words depend on the machine's C locale).

A theme ships catalogs as `locale/<language>/LC_MESSAGES/messages.po`, the layout pybabel
and translators know; a site adds a language, or overrides some of a theme's messages, with
its own `<site>/locale/`. Catalogs are read, and Babel imported (about 50 ms), only when a
page is rendered: most builds render none.

A catalog is compiled once and kept compiled, the way templates are (templatecache.py): the
catalogs of the themes sitegen ships beside sitegen, for every site to share; a site's own,
and everything where sitegen's folder cannot be written or Python is told to write no
bytecode, in the site's state folder.
"""

from __future__ import annotations

import contextlib
import gettext
import hashlib
import io
import re
from collections.abc import Sequence
from datetime import date, datetime
from functools import cached_property
from pathlib import Path

from . import __version__
from .atomic import shared_folder, write_cache
from .errors import ConfigError, Problem, ThemeError

CATALOG = Path("LC_MESSAGES") / "messages.po"
# Compiled catalogs of the themes sitegen ships, beside its compiled templates.
SHARED = Path(__file__).parent / "__pycache__" / "catalogs"
WIDTHS = frozenset({"full", "long", "medium", "short"})
# strftime's directives as CLDR patterns, for dates formats written the strftime way.
STRFTIME = {
    "a": "EEE", "A": "EEEE", "b": "MMM", "B": "MMMM", "d": "dd", "-d": "d", "m": "MM",
    "-m": "M", "y": "yy", "Y": "y", "H": "HH", "-H": "H", "I": "hh", "-I": "h", "M": "mm",
    "-M": "m", "S": "ss", "-S": "s", "p": "a", "j": "DDD", "-j": "D", "Z": "z", "z": "xx",
    "e": "d", "%": "%",
}
_DIRECTIVE = re.compile(r"%(-?[A-Za-z%])")
# CLDR pattern letters that read only the day, and those that read only the time of day:
# a format of one kind writes the same text for every time of a day (or for every day at
# one time), so it is formatted once for them all.
DAY_FIELDS = frozenset("GyYuUQqMLlwWdDFgEec")
TIME_FIELDS = frozenset("aBbhHKkmsSA")
_QUOTED = re.compile(r"'[^']*'")


class Language:
    """The words and dates of one language: catalogs found in `folders` (later ones win)."""

    def __init__(self, code: str, folders: Sequence[Path], config_file: Path | None,
                 compiled: Path | None = None, shipped: Sequence[Path] = ()) -> None:
        """`compiled`: a folder to keep the catalogs compiled in between runs (reading a
        .po file takes Babel about 12 ms; the compiled file, the standard library 1 ms);
        those in the `shipped` folders (sitegen's) are kept in SHARED instead."""
        self.code = code
        self.catalogs = [folder / code / CATALOG for folder in folders
                         if (folder / code / CATALOG).is_file()]
        self.config_file = config_file
        self.compiled = compiled
        self.shipped = tuple(shipped)
        self._patterns: dict[str, str] = {}
        # Babel takes 20 µs a date, and a page shows dozens: a post's date on its page, its
        # tags' pages, the home page and beside every related post; each comment's day and
        # time. Each text is made once (see `_shown`).
        self._dates: dict[tuple, str] = {}
        self._kinds: dict[str, str] = {}

    @cached_property
    def locale(self):
        from babel import Locale, UnknownLocaleError

        try:
            return Locale.parse(self.code.replace("-", "_"))
        except (UnknownLocaleError, ValueError):
            raise ConfigError(Problem(f"'language' is '{self.code}', which is not a language "
                                      "Babel knows, such as 'en', 'pt' or 'pt_BR'",
                                      self.config_file)) from None

    @cached_property
    def translations(self) -> gettext.NullTranslations:
        """The catalogs, merged: a site's messages over the theme's."""
        found: gettext.NullTranslations = gettext.NullTranslations()
        for path in self.catalogs:
            found = _merged(found, gettext.GNUTranslations(io.BytesIO(self._compiled(path))))
        return found

    def _compiled(self, path: Path) -> bytes:
        """The catalog at `path` as .mo bytes, from the folder of compiled ones if it has
        them (named by the digest of the .po file's bytes, the language, and the versions
        of sitegen and Babel, whose locale data gives the plural rules)."""
        from babel import __version__ as babel_version

        data = path.read_bytes()
        key = hashlib.blake2b(data, digest_size=16)
        key.update(repr((self.code, __version__, babel_version)).encode())
        name = key.hexdigest() + ".mo"
        folder = self._folder(path)
        if folder is not None:
            with contextlib.suppress(OSError):
                return (folder / name).read_bytes()
        compiled = compile_catalog(path, data, self.locale)
        if folder is not None:
            write_cache(folder / name, compiled)
        return compiled

    def _folder(self, path: Path) -> Path | None:
        if self.compiled is None:
            return None
        if any(path.is_relative_to(folder) for folder in self.shipped):
            return shared_folder(SHARED) or self.compiled
        return self.compiled

    def missing(self) -> Problem | None:
        """A warning when no catalog has this language (its dates are still its own)."""
        if self.catalogs or self.code == "en":
            return None
        return Problem(f"no catalog for language '{self.code}' in the theme or in locale/, "
                       "so the theme's words stay in English", self.config_file)

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return self.translations.ngettext(singular, plural, count)

    def format_date(self, when: date, format: str) -> str:
        """`when` in this language: `format` is a width ("full", "long"…), a CLDR skeleton
        ("MMMd", "yMMMM", "Hm": Babel writes its parts in the language's order), a CLDR
        pattern ("LLLL", a month's name) or a strftime pattern ("%B %-d, %Y")."""
        key = (self._shown(when, format), format)
        found = self._dates.get(key)
        if found is None:
            found = self._dates[key] = self._format_date(when, format)
        return found

    def _shown(self, when: date, format: str) -> tuple:
        """What of `when` the format writes: its day, its time of day, or all of it (with
        its zone: two times in different zones are equal when they are one instant)."""
        kind = self._kinds.get(format) or self._kinds.setdefault(format, self._kind(format))
        if kind == "day":
            return (when.year, when.month, when.day)
        if kind == "time":
            return (getattr(when, "hour", 0), getattr(when, "minute", 0),
                    getattr(when, "second", 0), getattr(when, "microsecond", 0))
        return (when, getattr(when, "tzinfo", None))

    def _kind(self, format: str) -> str:
        if format in WIDTHS:  # Babel's format_date: the day alone
            return "day"
        letters = {c for c in _QUOTED.sub("", self._cldr(format))
                   if c.isascii() and c.isalpha()}
        return "day" if letters <= DAY_FIELDS else "time" if letters <= TIME_FIELDS else "all"

    def _format_date(self, when: date, format: str) -> str:
        from babel import dates

        if format in WIDTHS:
            return dates.format_date(when, format, locale=self.locale)
        return dates.format_datetime(_as_datetime(when), self._cldr(format),
                                     tzinfo=getattr(when, "tzinfo", None), locale=self.locale)

    def _cldr(self, format: str) -> str:
        found = self._patterns.get(format)
        if found is None:
            found = self._patterns[format] = self._pattern(format)
        return found

    def _pattern(self, format: str) -> str:
        """The CLDR pattern of a skeleton, a pattern or a strftime format (looked up once:
        a skeleton's match took Babel 40 µs a date, as long as the rest)."""
        skeletons = self.locale.datetime_skeletons
        if format in skeletons:
            return skeletons[format].pattern
        return strftime_to_cldr(format) if "%" in format else format


def strftime_to_cldr(pattern: str) -> str:
    """A strftime pattern as a CLDR one: directives mapped, the text between them quoted."""
    parts = []
    for index, piece in enumerate(_DIRECTIVE.split(pattern)):
        if index % 2:
            parts.append(STRFTIME.get(piece, ""))
        elif piece:
            parts.append("'" + piece.replace("'", "''") + "'")
    return "".join(parts)


def _as_datetime(when: date) -> datetime:
    return when if isinstance(when, datetime) else datetime(when.year, when.month, when.day)


def compile_catalog(path: Path, data: bytes, locale) -> bytes:
    """A .po file's bytes as a .mo file's, by Babel; a broken one is an error at its line."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import PoFileError, read_po

    try:
        catalog = read_po(io.BytesIO(data), locale=locale, abort_invalid=True)
    except PoFileError as error:
        # Babel's message ends with the line, counted from 0; the Problem says it from 1.
        reason = re.sub(r" on \d+$", "", str(error))
        raise ThemeError(Problem(f"not a valid gettext catalog: {reason}: {error.line.strip()!r}",
                                 path, error.lineno + 1)) from None
    except (UnicodeDecodeError, ValueError) as error:
        raise ThemeError(Problem(f"cannot read this catalog: {error}", path)) from None
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def _merged(base: gettext.NullTranslations,
            override: gettext.GNUTranslations) -> gettext.NullTranslations:
    """`override`, falling back to `base` for the messages it lacks."""
    override.add_fallback(base)
    return override
