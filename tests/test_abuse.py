"""Spam and abuse defence: whose address counts, the rate limit's window, links, words."""

from __future__ import annotations

import hashlib

import pytest

from sitegen.comments_server.abuse import (
    AddressHasher,
    RateLimiter,
    WordFilter,
    client_address,
    count_links,
    is_blocked,
    networks,
    rate_key,
)
from sitegen.layout import SitePaths

PROXIES = networks(["127.0.0.1", "10.0.0.0/8"])


@pytest.mark.parametrize(("peer", "forwarded", "client"), [
    ("203.0.113.5", None, "203.0.113.5"),
    ("203.0.113.5", "198.51.100.1", "203.0.113.5"),            # not from a proxy: ignored
    ("127.0.0.1", "198.51.100.1", "198.51.100.1"),
    ("127.0.0.1", "6.6.6.6, 198.51.100.1", "198.51.100.1"),      # the client's own claim
    ("127.0.0.1", "198.51.100.1, 10.1.2.3", "198.51.100.1"),     # through two proxies
    ("127.0.0.1", "10.1.2.3, 10.4.5.6", "10.1.2.3"),             # proxies all the way
    ("127.0.0.1", "garbage", "127.0.0.1"),
    ("127.0.0.1", "", "127.0.0.1"),
    ("::ffff:127.0.0.1", "198.51.100.1", "198.51.100.1"),       # IPv4 seen as IPv6
])
def test_forwarded_for_counts_only_from_trusted_proxies(peer, forwarded, client):
    assert client_address(peer, forwarded, PROXIES) == client


def test_an_ipv6_client_is_limited_by_its_64(tmp_path):
    assert rate_key("2001:db8:1:2:aaaa::1") == rate_key("2001:db8:1:2:bbbb::9")
    assert rate_key("2001:db8:1:3::1") != rate_key("2001:db8:1:2::1")
    assert rate_key("192.0.2.1") == "192.0.2.1"


def test_blocked_networks_match_both_families():
    blocked = networks(["192.0.2.0/24", "2001:db8::/32"])
    assert is_blocked("192.0.2.200", blocked)
    assert is_blocked("2001:db8::5", blocked)
    assert not is_blocked("192.0.3.1", blocked)
    assert not is_blocked("not an address", blocked)


def test_the_rate_limit_is_a_sliding_minute():
    limiter = RateLimiter(2)
    assert [limiter.allow("a", now=t) for t in (0, 10, 20)] == [True, True, False]
    assert limiter.retry_after("a", now=20) == 40
    assert limiter.allow("b", now=20)
    assert limiter.allow("a", now=60.5)
    assert not limiter.allow("a", now=61)
    assert RateLimiter(0).allow("a")


def test_the_rate_limiter_forgets_idle_clients():
    limiter = RateLimiter(1)
    for n in range(1000):
        limiter.allow(f"client {n}", now=0)
    limiter.allow("late", now=200)
    assert len(limiter._hits) == 1


@pytest.mark.parametrize(("text", "links"), [
    ("no links here, just example.org", 0),
    ("https://a.example and http://b.example/x?y", 2),
    ("[a](https://a.example) and <https://b.example>", 2),
    ("protocol-relative [a](//a.example) and www.b.example", 2),
    ('<a href="x">raw</a>', 1),
    ("HTTPS://SHOUT.EXAMPLE", 1),
])
def test_links_are_counted_however_they_are_written(text, links):
    assert count_links(text) == links


def test_blocked_words_are_whole_words_folded():
    words = WordFilter(["casino", "Cheap Pills", "\uff56\uff49\uff41\uff47\uff52\uff41"])
    assert words.first_match("best CASINO in town") == "casino"
    assert words.first_match("cheap pills!") == "cheap pills"
    assert words.first_match("viagra") == "viagra"
    assert words.first_match("casinos and occasional") is None
    assert WordFilter([]).first_match("anything") is None


def test_the_salt_is_kept_in_the_private_folder_and_survives_a_deleted_cache(tmp_path):
    paths = SitePaths.at(tmp_path)
    first = AddressHasher(paths)("203.0.113.5")
    assert paths.private.salt.exists() and not (tmp_path / ".sitegen" / "salt").exists()
    assert AddressHasher(paths)("203.0.113.5") == first


def test_a_salt_left_in_the_build_cache_is_moved_once_so_old_hashes_still_match(tmp_path):
    old = tmp_path / ".sitegen" / "salt"
    old.parent.mkdir()
    old.write_text("ab" * 32 + "\n")
    expected = hashlib.blake2b(b"203.0.113.5", key=bytes.fromhex("ab" * 32),
                               digest_size=16).hexdigest()
    paths = SitePaths.at(tmp_path)
    assert AddressHasher(paths)("203.0.113.5") == expected
    assert not old.exists() and paths.private.salt.read_text().strip() == "ab" * 32
    old.write_text("cd" * 32)  # a stale copy never replaces the moved salt
    assert AddressHasher(paths)("203.0.113.5") == expected
