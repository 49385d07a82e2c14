"""Dates keep the time readers saw: their own offset, or the site's zone for UTC."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sitegen.importers.timestamps import atom_time, wordpress_time

LISBON = ZoneInfo("Europe/Lisbon")


def test_an_atom_date_keeps_its_offset():
    when = atom_time("2010-08-31T23:30:00.000-07:00", LISBON)
    assert when == datetime(2010, 8, 31, 23, 30, tzinfo=timezone(timedelta(hours=-7)))
    assert when.utcoffset() == timedelta(hours=-7)


def test_a_utc_date_moves_into_the_site_zone():
    when = atom_time("2021-06-30T23:30:00.000Z", LISBON)
    assert when.isoformat() == "2021-07-01T00:30:00+01:00"
    assert atom_time("2021-01-10T12:00:00Z", LISBON).isoformat() == "2021-01-10T12:00:00+00:00"


def test_an_atom_date_without_offset_is_in_the_site_zone_and_junk_is_none():
    assert atom_time("2020-05-01T10:00:00", LISBON).isoformat() == "2020-05-01T10:00:00+01:00"
    assert atom_time("yesterday", LISBON) is None
    assert atom_time(None, LISBON) is None


def test_wordpress_local_and_gmt_give_the_original_offset():
    when = wordpress_time("2013-01-11 20:22:19", "2013-01-12 03:22:19", LISBON)
    assert when.isoformat() == "2013-01-11T20:22:19-07:00"
    assert wordpress_time("2012-03-14 23:30:00", "2012-03-14 18:00:00", LISBON).isoformat() \
        == "2012-03-14T23:30:00+05:30"


def test_wordpress_without_gmt_is_site_time_and_without_either_is_none():
    zero = "0000-00-00 00:00:00"
    assert wordpress_time("2012-04-01 10:00:00", zero, LISBON).isoformat() \
        == "2012-04-01T10:00:00+01:00"
    assert wordpress_time(zero, "2012-04-01 09:00:00", LISBON).isoformat() \
        == "2012-04-01T10:00:00+01:00"
    assert wordpress_time(zero, zero, LISBON) is None
    assert wordpress_time("2012-04-01 10:00:00", "2012-04-03 10:00:00", LISBON).isoformat() \
        == "2012-04-01T10:00:00+01:00"
