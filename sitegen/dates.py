"""Reading the dates people write in front matter and comment files, and printing them for
machines (pages print them for people with Babel, in the site's language: see i18n.py).

A date keeps the offset it was written with, so a post written at 23:30 in Lisbon stays on
that day in its permalink; a date written without one is in the site's time zone.
"""

from __future__ import annotations

from datetime import date, datetime, time, tzinfo

DATE_HELP = "use YYYY-MM-DD, YYYY-MM-DD HH:MM or ISO 8601 with an offset"


def parse_when(value: object, tz: tzinfo) -> datetime | None:
    """An aware datetime from a YAML value, or None when the value is not a date."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    if isinstance(value, date):
        return datetime.combine(value, time(), tz)
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)


def isoformat(when: datetime) -> str:
    """RFC 3339, as Atom, sitemaps and <time datetime> want it."""
    return when.isoformat(timespec="seconds")
