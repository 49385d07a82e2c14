"""Dates as exports write them -> aware datetimes that keep the time readers saw.

A date keeps the offset the export gives it, so a post written at 23:30 in Lisbon keeps its
day in the permalink. A date given only in UTC ('Z', as newer Blogger and Disqus exports
do) is moved into the site's time zone; WordPress gives local time and UTC side by side,
and their difference is the original offset.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone, tzinfo

WORDPRESS_FORMAT = "%Y-%m-%d %H:%M:%S"
MAX_OFFSET = timedelta(hours=14)


def atom_time(text: str | None, tz: tzinfo) -> datetime | None:
    """An RFC 3339 timestamp; None when missing or unreadable."""
    value = (text or "").strip()
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    elif value.endswith(("Z", "z")):
        parsed = parsed.astimezone(tz)
    return parsed.replace(microsecond=0)


def wordpress_time(local: str | None, gmt: str | None, tz: tzinfo) -> datetime | None:
    """A WordPress date from its local and GMT forms (either may be the zero date)."""
    here, utc = _wordpress(local), _wordpress(gmt)
    if here is None:
        return utc.replace(tzinfo=UTC).astimezone(tz) if utc else None
    if utc is None:
        return here.replace(tzinfo=tz)
    offset = here - utc
    if abs(offset) > MAX_OFFSET or offset % timedelta(minutes=1):
        return here.replace(tzinfo=tz)
    return here.replace(tzinfo=timezone(offset))


def _wordpress(text: str | None) -> datetime | None:
    try:
        return datetime.strptime((text or "").strip(), WORDPRESS_FORMAT)
    except ValueError:  # includes WordPress's "no date", 0000-00-00 00:00:00
        return None
