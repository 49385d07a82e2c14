"""The comment intake, run on waitress over loopback: what it accepts, stores and refuses."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from urllib.parse import urlsplit
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
import yaml
from intake_support import (
    CLOSED,
    DRAFT,
    FORM,
    JSON,
    OPEN,
    comment,
    comment_site,
    pending,
    running_intake,
    send,
)

from sitegen.comments_server.app import create_app, request_limit
from sitegen.config import load_config
from sitegen.private import store_of

ID = re.compile(r"^\d{8}T\d{6}Z-[0-9a-f]{8}$")


def test_a_comment_is_queued_and_the_reader_sent_back_to_the_post(make_site):
    site = comment_site(make_site)
    with running_intake(site) as url:
        reply = send(url, comment(author="  Bea   Ribeiro ", email="bea@example.org",
                                  url="https://bea.example/", body="Line one\r\nLine two\r\n",
                                  replyto="first"))
    assert reply.status == 303
    assert reply.headers["location"] == "/2010/08/31/hello/#comment-pending"
    assert "awaits moderation" in reply.text
    [(cid, stored)] = pending(site).items()
    assert ID.match(cid) and stored["id"] == cid
    assert stored["post"] == OPEN
    assert stored["author"] == "Bea Ribeiro"
    assert stored["body"] == "Line one\nLine two"
    assert stored["email"] == "bea@example.org"
    assert stored["url"] == "https://bea.example/"
    assert stored["replyto"] == "first"
    assert stored["source"] == "web"
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$", stored["date"])
    assert re.match(r"^[0-9a-f]{32}$", stored["ip_hash"])
    assert "127.0.0.1" not in (site.root / "content/comments/pending" / f"{cid}.yml").read_text()


def test_json_is_answered_when_asked_for(make_site):
    site = comment_site(make_site)
    with running_intake(site) as url:
        reply = send(url, comment(), JSON)
    assert reply.status == 202
    assert reply.headers["content-type"].startswith("application/json")
    assert reply.json["status"] == "pending"
    assert list(pending(site)) == [reply.json["id"]]
    assert "awaits moderation" in reply.json["message"]


def test_the_salt_stays_out_of_git_and_hashes_are_stable_per_client(make_site):
    site = comment_site(make_site)
    with running_intake(site) as url:
        send(url, comment())
        send(url, comment())
    hashes = {stored["ip_hash"] for stored in pending(site).values()}
    assert len(hashes) == 1
    assert (site.root / "private" / ".gitignore").read_text().strip().endswith("*")
    assert len((site.root / "private" / "salt").read_text().strip()) == 64


REFUSED = [
    pytest.param(comment(post="2099-01-01-nothing"), 404, "no such post", id="unknown post"),
    pytest.param(comment(post="../sitegen"), 404, "no such post", id="path in post"),
    pytest.param(comment(post=DRAFT), 404, "no such post", id="draft post"),
    pytest.param(comment(post=CLOSED), 403, "closed", id="closed comments"),
    pytest.param(comment(replyto="nobody"), 400, "not in this thread", id="replyto unknown"),
    pytest.param(comment(author=""), 400, "give your name", id="no author"),
    pytest.param(comment(author=" \t "), 400, "give your name", id="blank author"),
    pytest.param(comment(author="a" * 101), 400, "at most 100", id="author too long"),
    pytest.param(comment(body=""), 400, "write a comment", id="no body"),
    pytest.param(comment(body="\r\n  \r\n"), 400, "write a comment", id="blank body"),
    pytest.param(comment(body="x" * 10_001), 400, "at most 10,000", id="body too long"),
    pytest.param(comment(url="javascript:alert(1)"), 400, "http", id="javascript url"),
    pytest.param(comment(url="data:text/html,hi"), 400, "http", id="data url"),
    pytest.param(comment(url="ftp://example.org/"), 400, "http", id="ftp url"),
    pytest.param(comment(url='https://a.example/" onmouseover="x'), 400, "http",
                 id="url with quotes"),
    pytest.param(comment(url="https://" + "a" * 300 + ".example"), 400, "http",
                 id="url too long"),
    pytest.param(comment(url="http://[::1"), 400, "http", id="url that does not parse"),
    pytest.param(comment(url="https://a\uff03b.example/"), 400, "http",
                 id="url invalid under NFKC"),
    pytest.param(comment(email="not an address"), 400, "email", id="bad email"),
    pytest.param(comment(body="http://a.test http://b.test www.c.test [d](//d.test)"), 400,
                 "4 links", id="too many links"),
]


@pytest.mark.parametrize(("form", "status", "message"), REFUSED)
def test_each_rule_refuses_with_a_clear_message_and_writes_nothing(make_site, form, status,
                                                                   message):
    site = comment_site(make_site)
    with running_intake(site) as url:
        as_json = send(url, form, JSON)
        as_html = send(url, form)
    assert as_json.status == status
    assert message in as_json.json["error"]
    assert as_html.status == status
    assert as_html.headers["content-type"].startswith("text/html")
    assert message in as_html.text
    assert pending(site) == {}
    assert not (site.root / "content/comments" / f"{CLOSED}.yml").exists()


def test_the_limits_are_inclusive(make_site):
    site = comment_site(make_site, "rate_limit = 0\nmax_length = 50\nmax_links = 2")
    with running_intake(site) as url:
        longest = send(url, comment(author="é" * 100, body="ü" * 48 + "\r\n!"), JSON)
        too_long = send(url, comment(body="x" * 51), JSON)
        two_links = send(url, comment(body="see https://a.test and https://b.test"), JSON)
    assert longest.status == 202
    assert too_long.status == 400 and "at most 50" in too_long.json["error"]
    assert two_links.status == 202
    assert len(pending(site)) == 2


def test_blocked_words_match_whole_words_whatever_their_case_or_width(make_site):
    site = comment_site(make_site, 'rate_limit = 0\nblocked_words = ["casino", "cheap pills"]')
    with running_intake(site) as url:
        shouting = send(url, comment(body="Visit my CASINO!"), JSON)
        wide = send(url, comment(author="\uff43\uff41\uff53\uff49\uff4e\uff4f fan"), JSON)
        phrase = send(url, comment(body="Only CHEAP PILLS here"), JSON)
        in_url = send(url, comment(url="https://casino.example/"), JSON)
        inside_a_word = send(url, comment(body="Casinos aside, occasional bread."), JSON)
    for reply in (shouting, wide, phrase, in_url):
        assert reply.status == 403
        assert "does not accept" in reply.json["error"]
    assert inside_a_word.status == 202
    assert len(pending(site)) == 1


def test_wrong_method_path_type_or_encoding_is_refused(make_site):
    site = comment_site(make_site)
    with running_intake(site) as url:
        get = send(url, method="GET", headers={})
        elsewhere = send(url.replace("/comments", "/other"), comment())
        multipart = send(url, b"--x\r\n", {"Content-Type": "multipart/form-data; boundary=x"})
        not_utf8 = send(url, b"post=" + OPEN.encode() + b"&author=%FF&body=x", FORM)
        twice = send(url, b"post=" + OPEN.encode() + b"&author=a&author=b&body=x", FORM)
    assert get.status == 405 and get.headers["allow"] == "POST"
    assert elsewhere.status == 404
    assert multipart.status == 415
    assert not_utf8.status == 400 and "UTF-8" in not_utf8.text
    assert twice.status == 400 and "twice" in twice.text
    assert pending(site) == {}


def test_responses_carry_defensive_headers(make_site):
    site = comment_site(make_site)
    with running_intake(site) as url:
        reply = send(url, comment(author=""))
    assert reply.headers["x-content-type-options"] == "nosniff"
    assert reply.headers["cache-control"] == "no-store"
    assert "default-src 'none'" in reply.headers["content-security-policy"]


def test_the_honeypot_answers_like_a_success_and_stores_nothing(make_site):
    site = comment_site(make_site)
    with running_intake(site) as url:
        html = send(url, comment(homepage="https://spam.example"))
        as_json = send(url, comment(homepage="x"), JSON)
        real = send(url, comment(), JSON)
    assert html.status == 303
    assert html.headers["location"] == "/2010/08/31/hello/#comment-pending"
    assert as_json.status == 202 and ID.match(as_json.json["id"])
    assert set(as_json.json) == set(real.json)
    assert list(pending(site)) == [real.json["id"]]


def _raw_request(url: str, head: bytes, body_part: bytes) -> bytes:
    """Send headers and only the start of the body; return what the server answers."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(head + body_part)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
        return answer


def _oversized_head(url: str, length: int) -> bytes:
    return (f"POST {urlsplit(url).path} HTTP/1.1\r\nHost: localhost\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {length}\r\n\r\n").encode()


def test_an_oversized_request_is_refused_before_its_body_is_read(make_site):
    site = comment_site(make_site)
    limit = request_limit(load_config(site.paths).comments)
    with running_intake(site) as url:
        started = time.monotonic()
        answer = _raw_request(url, _oversized_head(url, 50_000_000), b"body=" + b"x" * 1000)
        elapsed = time.monotonic() - started
        just_fits = send(url, (b"post=" + OPEN.encode() + b"&author=a&body=").ljust(limit, b"x"),
                         JSON)
    assert answer.startswith(b"HTTP/1.1 413")
    assert elapsed < 5, "the server waited for a body it should have refused"
    assert just_fits.status == 400 and "too long" in just_fits.json["error"]
    assert pending(site) == {}


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args) -> None:
        pass


def test_the_app_itself_refuses_oversized_requests_on_any_wsgi_server(make_site):
    """wsgiref hands the app the socket unread, so only the app's own check can stop it."""
    site = comment_site(make_site)
    server = make_server("127.0.0.1", 0, create_app(site.paths), handler_class=_QuietHandler)
    worker = threading.Thread(target=server.handle_request, daemon=True)
    worker.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/comments"
        answer = _raw_request(url, _oversized_head(url, 50_000_000), b"body=xxx")
    finally:
        worker.join(timeout=10)
        server.server_close()
    assert answer.startswith(b"HTTP/1.0 413")
    assert b"too large" in answer


def test_the_rate_limit_answers_429_per_client(make_site):
    site = comment_site(make_site, 'rate_limit = 2\ntrusted_proxies = ["127.0.0.1"]')
    with running_intake(site) as url:
        replies = [send(url, comment(), JSON) for _ in range(3)]
        other = send(url, comment(), {**JSON, "X-Forwarded-For": "203.0.113.9"})
    assert [reply.status for reply in replies] == [202, 202, 429]
    assert 1 <= int(replies[2].headers["retry-after"]) <= 60
    assert "wait" in replies[2].json["error"]
    assert other.status == 202
    assert len(pending(site)) == 3


def test_a_forged_forwarded_for_from_an_untrusted_peer_is_ignored(make_site):
    site = comment_site(make_site, 'rate_limit = 2\nblocked_ips = ["198.51.100.0/24"]')
    with running_intake(site) as url:
        replies = [send(url, comment(), {**JSON, "X-Forwarded-For": f"192.0.2.{n}"})
                   for n in range(3)]
    assert [reply.status for reply in replies] == [202, 202, 429]
    hashes = {stored["ip_hash"] for stored in pending(site).values()}
    assert len(hashes) == 1


def test_blocked_addresses_are_refused_directly_and_through_a_trusted_proxy(make_site):
    site = comment_site(make_site, 'rate_limit = 0\nblocked_ips = ["198.51.100.0/24"]\n'
                                   'trusted_proxies = ["127.0.0.0/8"]')
    with running_intake(site) as url:
        # The nearest untrusted hop is the client; what it claims beyond that is ignored.
        blocked = send(url, comment(), {**JSON, "X-Forwarded-For": "10.9.9.9, 198.51.100.7"})
        dodging = send(url, comment(), {**JSON, "X-Forwarded-For": "198.51.100.7, 10.9.9.9"})
    assert blocked.status == 403 and "address" in blocked.json["error"]
    assert dodging.status == 202
    assert len(pending(site)) == 1


def test_200_concurrent_submissions_are_all_stored_intact(make_site):
    site = comment_site(make_site)
    forms = {
        n: comment(author=f"Reader {n} ✓", email=f"r{n}@example.org",
                   url=f"https://r{n}.example/", body=f"Comment {n}: 'quotes' \"and\" ü\n\n- a"
                                                      f" list\n- {'x' * (n * 37)}")
        for n in range(200)
    }
    results: dict[int, int] = {}

    def submit(numbers: range) -> None:
        for n in numbers:
            results[n] = send(url, forms[n], JSON).status

    with running_intake(site) as url:
        workers = [threading.Thread(target=submit, args=(range(k, 200, 20),)) for k in range(20)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    assert sorted(results) == list(range(200))
    assert set(results.values()) == {202}
    stored = pending(site)
    assert len(stored) == 200
    by_author = {entry["author"]: entry for entry in stored.values()}
    for form in forms.values():
        entry = by_author[form["author"]]
        assert (entry["email"], entry["url"], entry["body"]) == (
            form["email"], form["url"], form["body"])
    folder = site.root / "content/comments/pending"
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [".gitignore", *(f"{c}.yml" for c in stored)])


def test_auto_approve_publishes_straight_into_the_thread(make_site):
    site = comment_site(make_site, "rate_limit = 0\nauto_approve = true")
    before = (site.root / "content/comments" / f"{OPEN}.yml").read_bytes()
    with running_intake(site) as url:
        html = send(url, comment(body="Straight in."))
        reply = send(url, comment(body="Me too.", replyto="first", email="bea@example.org"),
                     JSON)
    assert html.status == 303 and html.headers["location"].endswith("#comment-published")
    assert reply.status == 201 and reply.json["status"] == "published"
    after = (site.root / "content/comments" / f"{OPEN}.yml").read_bytes()
    assert after.startswith(before)
    entries = yaml.safe_load(after)
    assert [e["body"] for e in entries] == ["First!", "Straight in.", "Me too."]
    assert "ip_hash" not in entries[-1] and entries[-1]["replyto"] == "first"
    assert "email" not in entries[-1], "the address is kept out of the thread, in private/"
    assert store_of(site.root).email_of(reply.json["id"]) == "bea@example.org"
    assert pending(site) == {}
    site.build()
    assert "Straight in." in site.page("/2010/08/31/hello/")


@pytest.mark.parametrize("settings", ["rate_limit = 0", "rate_limit = 0\nauto_approve = true"])
def test_a_thread_with_an_impossible_date_still_takes_comments(make_site, settings):
    site = comment_site(make_site, settings)
    thread = site.root / "content/comments" / f"{OPEN}.yml"
    site.write(thread, thread.read_text() + "- id: odd\n  author: Bo\n  date: 2010-02-30\n"
                                            "  body: Hi\n")
    with running_intake(site) as url:
        reply = send(url, comment(replyto="odd"), JSON)
    assert reply.status in (201, 202), reply.json
    assert reply.json["status"] == ("published" if "auto" in settings else "pending")


def test_auto_approve_reads_back_only_the_end_of_a_long_thread(make_site, monkeypatch):
    site = comment_site(make_site, "rate_limit = 0\nauto_approve = true")
    thread = site.root / "content/comments" / f"{OPEN}.yml"
    site.write(thread, thread.read_text() + "".join(
        f"- id: old{n}\n  author: Reader\n  date: 2010-09-02 10:00\n  body: |\n"
        f"    {'Many words. ' * 20}\n" for n in range(200)))
    parsed: list[int] = []
    load = yaml.load
    monkeypatch.setattr(yaml, "load", lambda text, *args, **kw: parsed.append(len(text)) or
                        load(text, *args, **kw))
    with running_intake(site) as url:
        assert send(url, comment(body="The first reads the thread whole."), JSON).status == 201
        parsed.clear()
        for n in range(5):
            reply = send(url, comment(body=f"Reply {n}.", replyto=f"old{n}"), JSON)
            assert reply.status == 201
    # Each comment costs the same however long the thread is: no read of it as a whole.
    assert parsed and max(parsed) < thread.stat().st_size / 20
    entries = yaml.safe_load(thread.read_text())
    assert len(entries) == 207
    assert [(e["body"], e["replyto"]) for e in entries[-5:]] == [
        (f"Reply {n}.", f"old{n}") for n in range(5)]


REBUILD_SCRIPT = """
import os, sys, time
try:
    os.close(os.open("running", os.O_CREAT | os.O_EXCL))
except FileExistsError:
    open("overlaps", "a").write("x")
time.sleep(0.3)
open("runs", "a").write(open("content/comments/{stem}.yml").read().count("- id:").__str__() + "\\n")
os.remove("running")
"""


def test_auto_approve_runs_the_rebuild_command_never_two_at_once(make_site):
    site = comment_site(make_site, "rate_limit = 0\nauto_approve = true\n"
                                   'rebuild_command = "python3 rebuild.py"')
    site.write("rebuild.py", REBUILD_SCRIPT.replace("{stem}", OPEN))
    with running_intake(site, threads=8) as url:
        workers = [threading.Thread(target=send, args=(url, comment(body=f"n{n}"), JSON))
                   for n in range(12)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            runs = (site.root / "runs").read_text().split() if (site.root / "runs").exists() \
                else []
            if runs and runs[-1] == "13" and not (site.root / "running").exists():
                break
            time.sleep(0.1)
    assert not (site.root / "overlaps").exists()
    assert runs[-1] == "13", "the last rebuild must see the last comment"
    assert 1 <= len(runs) < 12, "a burst of comments should fold into few rebuilds"


def test_a_reader_cannot_mark_a_comment_as_the_owners(make_site):
    site = comment_site(make_site, "rate_limit = 0\nauto_approve = true")
    with running_intake(site) as url:
        reply = send(url, comment(author="Inês Lobo", owner="true", body="Trust me."), JSON)
    assert reply.status == 201
    entry = yaml.safe_load((site.root / "content/comments" / f"{OPEN}.yml").read_bytes())[-1]
    assert entry["body"] == "Trust me." and "owner" not in entry
    site.build()
    assert "by-owner" not in site.page("/2010/08/31/hello/")


def test_an_endpoint_on_another_origin_sends_readers_back_by_absolute_url(make_site):
    site = comment_site(make_site, 'rate_limit = 0\n'
                                   'endpoint = "https://comments.example.org/comments"')
    with running_intake(site) as url:
        reply = send(url, comment())
        as_json = send(url, comment(), JSON)
    assert reply.headers["location"] == "https://example.org/2010/08/31/hello/#comment-pending"
    assert as_json.headers["access-control-allow-origin"] == "https://example.org"
    assert len(pending(site)) == 2


def test_a_site_under_a_path_takes_comments_there_and_sends_readers_back_there(make_site):
    site = comment_site(make_site)
    site.write("sitegen.toml", 'base_url = "https://example.org/blog"\n'
                               '[comments]\nrate_limit = 0\n')
    with running_intake(site) as url:
        reply = send(url, comment())
        as_json = send(url, comment(), JSON)
        at_the_root = send(url.removesuffix("/blog/comments") + "/comments", comment())
    assert url.endswith("/blog/comments")
    assert reply.status == 303
    assert reply.headers["location"] == "/blog/2010/08/31/hello/#comment-pending"
    assert as_json.json["location"] == "/blog/2010/08/31/hello/#comment-pending"
    assert at_the_root.status == 404
    assert len(pending(site)) == 2


def test_sitegen_comments_serve_takes_comments_until_interrupted(make_site):
    site = comment_site(make_site)
    stale = site.write("content/comments/pending/.20260101T000000Z-1.yml.x.tmp", "half a comm")
    os.utime(stale, (time.time() - 7200, time.time() - 7200))
    child = subprocess.Popen(
        [sys.executable, "-m", "sitegen", "comments", "serve", "--site", str(site.root),
         "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    try:
        line = child.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+/comments", line)[0]
        reply = send(url, comment(), JSON)
    finally:
        child.send_signal(signal.SIGINT)
        status = child.wait(timeout=20)
    assert reply.status == 202
    assert list(pending(site)) == [reply.json["id"]]
    assert not stale.exists()
    assert status == 0
    assert f"queued comment {reply.json['id']} on {OPEN}" in child.stderr.read()


def test_a_site_with_comments_turned_off_takes_none(make_site):
    site = comment_site(make_site, "enabled = false")
    with running_intake(site) as url:
        reply = send(url, comment(), JSON)
    assert reply.status == 403 and reply.json["error"] == "This site does not take comments."
    assert pending(site) == {}


def test_without_javascript_the_reply_comes_from_the_page_address(make_site):
    site = comment_site(make_site)
    page = "http://127.0.0.1/2010/08/31/hello/"
    with running_intake(site) as url:
        for referer in (f"{page}?replyto=first", f"{page}?replyto=nobody", page,
                        "http://[::1/?replyto=first"):
            reply = send(url, comment(body=referer), {**FORM, "Referer": referer})
            assert reply.status == 303
    replies = {entry["body"]: entry.get("replyto") for entry in pending(site).values()}
    assert replies == {f"{page}?replyto=first": "first", f"{page}?replyto=nobody": None,
                       page: None, "http://[::1/?replyto=first": None}
