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


def date_fault(value: object) -> str:
    """Why parse_when does not take `value`: what is out of range in a date of the right
    shape ("day is out of range for month" for 2010-02-30), else the forms it takes."""
    if isinstance(value, str):
        try:
            datetime.fromisoformat(value.strip())
        except ValueError as error:
            reason = str(error)
            if reason.startswith("offset"):
                return "the offset from UTC must be less than 24 hours"
            if not reason.startswith("Invalid isoformat string"):
                return reason
    return DATE_HELP


def isoformat(when: datetime) -> str:
    """RFC 3339, as Atom, sitemaps and <time datetime> want it."""
    return when.isoformat(timespec="seconds")
