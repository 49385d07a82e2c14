"""The theme in the blog's language: gettext catalogs read with Babel, and dates written by
Babel for that locale (not by strftime, whose words depend on the machine's C locale).

A theme ships catalogs as `locale/<language>/LC_MESSAGES/messages.po`, the layout pybabel
and translators know; a site adds a language, or overrides some of a theme's messages, with
its own `<site>/locale/`. Catalogs are read, and Babel imported (about 50 ms), only when a
page is rendered: most builds render none.
"""

from __future__ import annotations

import gettext
import io
import re
from collections.abc import Sequence
from datetime import date, datetime
from functools import cached_property
from pathlib import Path

from .errors import ConfigError, Problem, ThemeError

CATALOG = Path("LC_MESSAGES") / "messages.po"
WIDTHS = frozenset({"full", "long", "medium", "short"})
# strftime's directives as CLDR patterns, for dates formats written the strftime way.
STRFTIME = {
    "a": "EEE", "A": "EEEE", "b": "MMM", "B": "MMMM", "d": "dd", "-d": "d", "m": "MM",
    "-m": "M", "y": "yy", "Y": "y", "H": "HH", "-H": "H", "I": "hh", "-I": "h", "M": "mm",
    "-M": "m", "S": "ss", "-S": "s", "p": "a", "j": "DDD", "-j": "D", "Z": "z", "z": "xx",
    "e": "d", "%": "%",
}
_DIRECTIVE = re.compile(r"%(-?[A-Za-z%])")


class Language:
    """The words and dates of one language: catalogs found in `folders` (later ones win)."""

    def __init__(self, code: str, folders: Sequence[Path], config_file: Path) -> None:
        self.code = code
        self.catalogs = [folder / code / CATALOG for folder in folders
                         if (folder / code / CATALOG).is_file()]
        self.config_file = config_file

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
            found = _merged(found, _read_catalog(path, self.locale))
        return found

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
        from babel import dates

        if format in WIDTHS:
            return dates.format_date(when, format, locale=self.locale)
        moment, tz = _as_datetime(when), getattr(when, "tzinfo", None)
        if format in self.locale.datetime_skeletons:
            return dates.format_skeleton(format, moment, tzinfo=tz, locale=self.locale)
        pattern = strftime_to_cldr(format) if "%" in format else format
        return dates.format_datetime(moment, pattern, tzinfo=tz, locale=self.locale)


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


def _read_catalog(path: Path, locale) -> gettext.GNUTranslations:
    """A .po file as translations (through an in-memory .mo); a broken one is an error at
    its line."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import PoFileError, read_po

    try:
        with path.open("rb") as file:
            catalog = read_po(file, locale=locale, abort_invalid=True)
    except PoFileError as error:
        # Babel's message ends with the line, counted from 0; the Problem says it from 1.
        reason = re.sub(r" on \d+$", "", str(error))
        raise ThemeError(Problem(f"not a valid gettext catalog: {reason}: {error.line.strip()!r}",
                                 path, error.lineno + 1)) from None
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise ThemeError(Problem(f"cannot read this catalog: {error}", path)) from None
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def _merged(base: gettext.NullTranslations,
            override: gettext.GNUTranslations) -> gettext.NullTranslations:
    """`override`, falling back to `base` for the messages it lacks."""
    override.add_fallback(base)
    return override
