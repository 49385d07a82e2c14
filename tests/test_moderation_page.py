"""The moderation page over real HTTP: off without a password, logins, the session cookie as
the server really sends it, CSRF tokens, the login limit, the actions, and the preview's
password-free page on loopback."""

from __future__ import annotations

import http.client
import re
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import yaml
from intake_support import OPEN, comment, comment_site, pending, running_intake, send, serving
from preview_helpers import previewing, request, wait_until

from sitegen import layout
from sitegen.comments_server.app import create_app
from sitegen.comments_server.auth import SESSION_IDLE, Sessions, set_password, stored_password
from sitegen.comments_server.queue import PendingComment, Queue
from sitegen.config import load_config
from sitegen.preview import is_loopback
from sitegen.private import PrivateStore

PASSWORD = "correct horse battery staple"


def store(site) -> PrivateStore:
    return PrivateStore(layout.SitePaths.at(site.root))


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    set_cookies: list[str]
    text: str


def fetch(url: str, body: bytes | None = None, headers: dict | None = None) -> Answer:
    """One request; every Set-Cookie header kept as the server sent it."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request("GET" if body is None else "POST",
                           parts.path + (f"?{parts.query}" if parts.query else ""), body=body,
                           headers=headers or {})
        response = connection.getresponse()
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()},
                      response.msg.get_all("Set-Cookie") or [],
                      response.read().decode("utf-8"))
    finally:
        connection.close()


def cookies(answer: Answer) -> dict[str, dict]:
    """Each cookie set: its value and attributes, read from the raw Set-Cookie headers."""
    found = {}
    for header in answer.set_cookies:
        name, _, rest = header.partition("=")
        value, *attributes = rest.split("; ")
        found[name] = {"value": value, **{a.split("=")[0]: a.partition("=")[2]
                                          for a in attributes}}
    return found


class Browser:
    """Just enough of a browser: keeps cookies, sends forms, reads the CSRF token."""

    def __init__(self, page_url: str, headers: dict | None = None) -> None:
        self.url = page_url
        self.jar: dict[str, str] = {}
        self.headers = headers or {}

    def get(self, query: str = "") -> Answer:
        return self._keep(fetch(self.url + query, None, self._headers()))

    def post(self, fields: dict) -> Answer:
        headers = {**self._headers(), "Content-Type": "application/x-www-form-urlencoded"}
        return self._keep(fetch(self.url, urlencode(fields).encode(), headers))

    def csrf(self) -> str:
        return re.search(r'name="csrf" value="([0-9a-f]+)"', self.get().text)[1]

    def login(self, password: str = PASSWORD) -> Answer:
        return self.post({"do": "login", "csrf": self.csrf(), "password": password})

    def _headers(self) -> dict:
        jar = "; ".join(f"{name}={value}" for name, value in self.jar.items() if value)
        return {**self.headers, **({"Cookie": jar} if jar else {})}

    def _keep(self, answer: Answer) -> Answer:
        for name, cookie in cookies(answer).items():
            self.jar[name] = cookie["value"]
        return answer


def test_without_a_password_the_page_is_not_there(make_site):
    site = comment_site(make_site)
    with running_intake(site) as url:
        assert send(url + "/moderate", None, {}, method="GET").status == 404
        assert send(url + "/moderate", b"do=login", None).status == 404
        set_password(store(site), PASSWORD)
        assert send(url + "/moderate", None, {}, method="GET").status == 200
        set_password(store(site), None)  # `sitegen comments password --off`
        assert send(url + "/moderate", None, {}, method="GET").status == 404


def test_login_gives_a_strict_session_cookie_and_logout_ends_it(make_site):
    site = comment_site(make_site)
    set_password(store(site), PASSWORD)
    with running_intake(site) as url:
        browser = Browser(url + "/moderate")
        assert "Log in" in browser.get().text
        logged_in = browser.login()
        assert logged_in.status == 303 and logged_in.headers["location"] == "/comments/moderate"
        session = cookies(logged_in)["sitegen_moderation"]
        assert set(session) == {"value", "Path", "Max-Age", "HttpOnly", "SameSite"}
        assert session["Path"] == "/comments/moderate" and session["SameSite"] == "Strict"
        assert int(session["Max-Age"]) == SESSION_IDLE == 7 * 24 * 3600
        page = browser.get()
        assert page.status == 200 and "Nothing awaits moderation." in page.text
        assert "Secure" not in cookies(page)["sitegen_moderation"]  # plain http
        stolen = dict(browser.jar)
        assert browser.post({"do": "logout", "csrf": browser.csrf()}).status == 303
        assert browser.jar["sitegen_moderation"] == ""
        browser.jar = stolen  # the old cookie opens nothing once logged out
        assert "Log in" in browser.get().text


def test_a_new_password_ends_every_session(make_site):
    site = comment_site(make_site)
    set_password(store(site), PASSWORD)
    with running_intake(site) as url:
        browser = Browser(url + "/moderate")
        browser.login()
        assert "Log out" in browser.get().text
        set_password(store(site), "another one")
        assert "Log in" in browser.get().text


def test_opened_from_another_site_the_login_page_reloads_once_to_get_the_cookie(make_site):
    site = comment_site(make_site)
    set_password(store(site), PASSWORD)
    refresh = '<meta http-equiv="refresh" content="0">'
    with running_intake(site) as url:
        from_mail = fetch(url + "/moderate", None, {"Sec-Fetch-Site": "cross-site"})
        again = fetch(url + "/moderate", None, {"Sec-Fetch-Site": "same-origin"})
    assert from_mail.status == 200 and refresh in from_mail.text
    assert again.status == 200 and refresh not in again.text


def test_the_cookie_is_secure_over_https_through_a_trusted_proxy_only(make_site):
    site = comment_site(make_site, 'rate_limit = 0\ntrusted_proxies = ["127.0.0.1"]')
    set_password(store(site), PASSWORD)
    https = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    with running_intake(site) as url:
        proxied = Browser(url + "/moderate", https).login()
        assert "Secure" in cookies(proxied)["sitegen_moderation"]
    untrusted = comment_site(make_site, "rate_limit = 0")
    with running_intake(untrusted) as url:
        set_password(store(untrusted), PASSWORD)
        direct = Browser(url + "/moderate", https).login()
        assert direct.status == 303 and "Secure" not in cookies(direct)["sitegen_moderation"]


def test_a_session_ends_after_a_week_of_disuse(make_site):
    site = comment_site(make_site)
    sessions = Sessions(store(site))
    token = sessions.start(now=1000.0)
    assert sessions.alive(token, 1000.0 + SESSION_IDLE - 1)  # used: a week from now again
    assert sessions.alive(token, 1000.0 + 2 * SESSION_IDLE - 2)
    assert not sessions.alive(token, 1000.0 + 3 * SESSION_IDLE)
    assert not sessions.alive("made-up", 1000.0)


def test_a_form_without_its_csrf_token_changes_nothing(make_site):
    site = comment_site(make_site)
    set_password(store(site), PASSWORD)
    with running_intake(site) as url:
        assert send(url, comment(body="Waiting.")).status == 303
        [cid] = pending(site)
        owner = Browser(url + "/moderate")
        owner.login()
        other = Browser(url + "/moderate")
        other.login()
        for token in (None, "0" * 64, other.csrf()):
            fields = {"do": "approve", "id": cid, **({"csrf": token} if token else {})}
            refused = owner.post(fields)
            assert refused.status == 403 and "did not come from the moderation page" in \
                refused.text
        assert list(pending(site)) == [cid]
        assert owner.post({"do": "approve", "id": cid, "csrf": owner.csrf()}).status == 303
        assert pending(site) == {}


def test_the_sixth_failed_login_gets_429_even_after_a_restart(make_site):
    site = comment_site(make_site)
    set_password(store(site), PASSWORD)
    with running_intake(site) as url:
        browser = Browser(url + "/moderate")
        for _ in range(5):
            wrong = browser.login("guess")
            assert wrong.status == 403 and "Wrong password." in wrong.text
        sixth = browser.login(PASSWORD)  # even the right one: no more guesses for now
        assert sixth.status == 429 and "sitegen_moderation" not in browser.jar
        assert 1 <= int(sixth.headers["retry-after"]) <= 15 * 60
    with running_intake(site) as url:
        assert Browser(url + "/moderate").login(PASSWORD).status == 429


def test_guesses_sent_at_once_get_no_more_tries_than_guesses_one_by_one(make_site):
    site = comment_site(make_site)
    set_password(store(site), PASSWORD)
    with running_intake(site) as url:
        guessers = [Browser(url + "/moderate") for _ in range(12)]
        forms = [{"do": "login", "csrf": guesser.csrf(), "password": f"guess {n}"}
                 for n, guesser in enumerate(guessers)]
        with ThreadPoolExecutor(len(guessers)) as pool:
            answers = list(pool.map(Browser.post, guessers, forms))
    statuses = sorted(answer.status for answer in answers)
    assert statuses == [403] * 5 + [429] * 7


def test_the_owner_blocks_a_sender_whose_next_comment_is_refused(make_site):
    site = comment_site(make_site)
    set_password(store(site), PASSWORD)
    with running_intake(site) as url:
        for body in ("Spam one.", "Spam two."):
            assert send(url, comment(body=body)).status == 303
        first, second = pending(site)
        browser = Browser(url + "/moderate")
        browser.login()
        blocked = browser.post({"do": "block", "id": first, "csrf": browser.csrf()})
        assert blocked.status == 303
        notice = browser.get("?" + blocked.headers["location"].partition("?")[2]).text
        assert f"Blocked the sender of {first}" in notice
        assert pending(site) == {}
        rejected = sorted(p.stem for p in (site.root / "content/comments/rejected").glob("*.yml"))
        assert rejected == [first, second]
        refused = send(url, comment(body="Let me back in."))
        assert refused.status == 403 and pending(site) == {}


def test_the_page_shows_the_newest_first_as_the_build_would(make_site):
    site = comment_site(make_site)
    set_password(store(site), PASSWORD)
    queue = Queue(site.paths)
    for cid, day, body in (("older", "01", "Plain <script>alert(1)</script>"),
                           ("newer", "02", "[x](javascript:alert(1)) **bold**")):
        queue.add(PendingComment(id=cid, post=OPEN, author="Bea", date=f"2026-01-{day}T10:00:00",
                                 body=body, url="javascript:alert(2)", replyto="first"))
    with running_intake(site) as url:
        browser = Browser(url + "/moderate")
        browser.login()
        page = browser.get().text
    assert page.index('id="pending-newer"') < page.index('id="pending-older"')
    assert "<script>alert" not in page and "javascript:" not in page
    assert "<strong>bold</strong>" in page and "in reply to Ana" in page
    assert '<a href="/2010/08/31/hello/">Hello</a>' in page


def test_a_reply_that_cannot_be_written_approves_nothing(make_site):
    site = comment_site(make_site)
    set_password(store(site), PASSWORD)
    with running_intake(site) as url:
        assert send(url, comment(body="Hello?")).status == 303
        [cid] = pending(site)
        browser = Browser(url + "/moderate")
        browser.login()
        empty = browser.post({"do": "reply", "id": cid, "reply": " \r\n", "csrf": browser.csrf()})
        assert empty.status == 409 and "Write your reply in the box first." in empty.text
        nameless = browser.post({"do": "reply", "id": cid, "reply": "Hi", "csrf": browser.csrf()})
        assert nameless.status == 409 and "Set &#39;author&#39; in sitegen.toml" in nameless.text
        assert list(pending(site)) == [cid]


def test_what_the_page_publishes_goes_through_the_servers_one_thread_writer(make_site):
    """The server keeps what it proved of each thread it wrote, so that appending to a long
    thread, or checking the comment a reply answers, reads none of it again: an approval or
    an owner's reply on the page must go through that same writer, else the next comment
    finds the thread changed behind its back and reads it whole."""
    site = comment_site(make_site)
    site.write("sitegen.toml", 'author = "Owner"\nbase_url = "https://example.org"\n'
                               '[comments]\nrate_limit = 0\n')
    set_password(store(site), PASSWORD)
    app = create_app(site.paths, load_config(site.paths))
    thread = site.root / f"content/comments/{OPEN}.yml"
    with serving(app) as url:
        assert send(url, comment(body="Approve me.")).status == 303
        assert send(url, comment(body="Answer me.")).status == 303
        approved, answered = pending(site)
        browser = Browser(url + "/moderate")
        browser.login()
        assert browser.post({"do": "approve", "id": approved, "csrf": browser.csrf()}).status == 303
        assert app.threads.known_ids(thread) == {"first", approved}
        assert browser.post({"do": "reply", "id": answered, "reply": "Thanks!",
                             "csrf": browser.csrf()}).status == 303
        published = yaml.safe_load(thread.read_text())
        assert [entry["id"] for entry in published][:3] == ["first", approved, answered]
        assert app.threads.known_ids(thread) == {entry["id"] for entry in published}


def test_an_approval_on_the_page_runs_the_rebuild_command(make_site, tmp_path):
    marker = tmp_path / "rebuilt"
    script = tmp_path / "rebuild.py"
    script.write_text(f"open({str(marker)!r}, 'a').write('x')\n")
    site = comment_site(make_site, f'rate_limit = 0\nrebuild_command = "{sys.executable} {script}"')
    set_password(store(site), PASSWORD)
    with running_intake(site) as url:
        assert send(url, comment(body="Publish me.")).status == 303
        [cid] = pending(site)
        browser = Browser(url + "/moderate")
        browser.login()
        assert browser.post({"do": "reject", "id": cid, "csrf": browser.csrf()}).status == 303
        time.sleep(0.5)
        assert not marker.exists()  # a rejection publishes nothing
        assert send(url, comment(body="Publish me.")).status == 303
        [cid] = pending(site)
        approved = browser.post({"do": "approve", "id": cid, "csrf": browser.csrf()})
        assert approved.status == 303
        assert "The site is being rebuilt." in browser.get("?done=approve&id=" + cid).text
        wait_until(marker.exists)
    thread = yaml.safe_load((site.root / f"content/comments/{OPEN}.yml").read_text())
    assert thread[-1]["body"] == "Publish me."


def test_the_preview_on_loopback_mounts_the_page_without_a_password(make_site):
    site = comment_site(make_site)
    with previewing(site) as (running, _):
        base = running.server.url
        body = urlencode(comment(body="Seen in the preview.")).encode()
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        assert request(base, "/comments", "POST", body, form).status == 303
        [cid] = pending(site)
        page = request(base, "/comments/moderate")
        assert page.status == 200 and "Seen in the preview." in page.text
        assert "Log out" not in page.text
        token = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text)[1]
        forged = urlencode({"do": "approve", "id": cid}).encode()
        assert request(base, "/comments/moderate", "POST", forged, form).status == 403
        approve = urlencode({"do": "approve", "id": cid, "csrf": token}).encode()
        assert request(base, "/comments/moderate", "POST", approve, form).status == 303
        wait_until(lambda: "Seen in the preview." in request(base, "/2010/08/31/hello/").text)
    assert stored_password(store(site)) is None


def test_only_a_loopback_preview_goes_without_a_password():
    assert all(map(is_loopback, ["127.0.0.1", "127.1.2.3", "::1", "localhost"]))
    assert not any(map(is_loopback, ["0.0.0.0", "::", "192.168.1.20", "example.org"]))


def test_a_broken_pending_file_is_named_and_the_others_still_shown(make_site):
    site = comment_site(make_site)
    set_password(store(site), PASSWORD)
    Queue(site.paths).add(PendingComment(id="fine", post=OPEN, author="Bea",
                                         date="2026-01-01T10:00:00", body="Readable."))
    site.write("content/comments/pending/broken.yml", "id: broken\nauthor: [\n")
    with running_intake(site) as url:
        browser = Browser(url + "/moderate")
        browser.login()
        page = browser.get().text
    assert "Readable." in page and "<li>broken.yml" in page and str(site.root) not in page
