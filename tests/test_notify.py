"""Notifications of new comments, with real parts: an SMTP server (aiosmtpd) and a webhook
receiver on loopback, a command in a child process; the email's signed links followed over
HTTP against the comment server on waitress."""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import subprocess
import sys
import time

import yaml
from intake_support import JSON, OPEN, comment, comment_site, pending, running_intake, send
from notify_support import FAST, Hook, free_port, smtp_server, text_of, wait_for, webhook_server

from sitegen.comments import CommentRenderer
from sitegen.comments_server.links import ModerationLinks
from sitegen.comments_server.outbox import Policy
from sitegen.config import load_config

PUBLIC = "https://example.org/comments"
BODY = "Hello *there* <script>alert(1)</script>\nApprove: https://evil.example/"


def notify_site(make_site, notify: str, comments: str = "rate_limit = 0"):
    """The intake tests' site, announcing comments as `notify` (a [notify] table's body)."""
    site = comment_site(make_site, comments)
    config = site.root / "sitegen.toml"
    config.write_text(config.read_text() + "[notify]\n" + notify, encoding="utf-8")
    return site


def mail_to(port: int) -> str:
    return f'email = "owner@example.org"\nsmtp_host = "127.0.0.1"\nsmtp_port = {port}\n'


def outbox(site) -> list[str]:
    folder = site.root / "private" / "outbox"
    return sorted(p.name for p in folder.glob("*.json")) if folder.exists() else []


def local(link: str, url: str) -> str:
    """A link from an email, made to point at the comment server under test."""
    assert link.startswith(PUBLIC + "/moderate/link/"), link
    return url + link.removeprefix(PUBLIC)


def get(link: str):
    return send(link, None, {}, method="GET")


def post(link: str):
    return send(link, b"", {"Content-Type": "application/x-www-form-urlencoded"})


def thread_bodies(site) -> list[str]:
    entries = yaml.safe_load((site.root / "content/comments" / f"{OPEN}.yml").read_bytes())
    return [entry["body"] for entry in entries]


def test_the_email_tells_everything_and_its_link_approves_only_when_posted(make_site):
    port = free_port()
    site = notify_site(make_site, mail_to(port),
                       'rate_limit = 0\nrebuild_command = "python3 rebuild.py"')
    site.write("rebuild.py", 'open("rebuilt", "a").write("x\\n")\n')
    with smtp_server(port) as mailbox, running_intake(site, notify_policy=FAST) as url:
        cid = send(url, comment(author="Bea Ribeiro", email="bea@private.example",
                                url="https://bea.example/", body=BODY, replyto="first"),
                   JSON).json["id"]
        [message] = mailbox.wait()
        text = text_of(message)
        approve = local(re.search(r"^Approve: (\S+)$", text, re.M)[1], url)
        reject = local(re.search(r"^Reject: (\S+)$", text, re.M)[1], url)
        shown = get(approve)
        still_pending = list(pending(site))
        approved, again, reopened, other = post(approve), post(approve), get(approve), get(reject)
        wait_for(lambda: (site.root / "rebuilt").exists(), "the rebuild command")

    assert message["To"] == "owner@example.org"
    assert message["From"] == "My blog <sitegen@example.org>"
    assert message["Subject"] == "[My blog] comment to moderate from Bea Ribeiro on “Hello”"
    assert mailbox.raw[0].isascii(), "UTF-8 headers and body, encoded for any mail server"
    assert b"=?utf-8?" in mailbox.raw[0].split(b"\r\n\r\n")[0]
    assert message.get_content_type() == "text/plain"
    assert message.get_content_charset() == "utf-8"
    assert mailbox.envelopes == [("sitegen@example.org", ["owner@example.org"])]
    assert b"bea@private.example" not in mailbox.raw[0]
    assert "Bea Ribeiro, replying to Ana, on “Hello”\nhttps://example.org/2010/08/31/hello/\n" \
           "Website: https://bea.example/\n" in text
    assert "\n> Hello *there* <script>alert(1)</script>\n> Approve: https://evil.example/\n" in text
    assert f"Moderate all: {PUBLIC}/moderate" in text

    assert shown.status == 200 and still_pending == [cid]
    assert "Approve this comment?" in shown.text
    assert str(CommentRenderer().convert(BODY)) in shown.text
    assert "<script" not in shown.text and "<em>there</em>" in shown.text
    assert '<form method="post"><button type="submit">Approve</button></form>' in shown.text
    assert "<dt>In reply to</dt><dd>Ana</dd>" in shown.text
    assert '<a href="https://example.org/2010/08/31/hello/">Hello</a>' in shown.text
    assert shown.headers["referrer-policy"] == "no-referrer"

    assert approved.status == 200 and "Approved" in approved.text
    assert pending(site) == {} and thread_bodies(site)[-1] == BODY
    assert again.status == 403 and "used already" in again.text
    assert reopened.status == 403 and "used already" in reopened.text
    assert other.status == 409 and "no longer awaiting moderation" in other.text


def test_changed_expired_and_cut_links_are_refused_and_change_nothing(make_site):
    site = comment_site(make_site)
    with running_intake(site) as url:
        cid = send(url, comment(), JSON).json["id"]
        links = ModerationLinks(site.paths, load_config(site.paths))
        now = time.time()
        fresh = local(links.for_comment(cid, True, now)["approve"], url)
        token = fresh.rsplit("/", 1)[1]
        refused = {
            "other action": fresh.replace("/approve.", "/reject."),
            "other comment": fresh.replace(cid, "first"),
            "changed mac": fresh[:-1] + ("A" if fresh[-1] != "A" else "B"),
            "cut": fresh[:-10],
            "no token": fresh.removesuffix(token),
            "expired": local(links.for_comment(cid, True, now - 14 * 86400 - 60)["approve"],
                             url),
        }
        answers = {name: (get(link), post(link)) for name, link in refused.items()}
        nearly = get(local(links.for_comment(cid, True, now - 14 * 86400 + 60)["reject"], url))
    for name, (opened, posted) in answers.items():
        assert (opened.status, posted.status) == (403, 403), name
        assert "This link cannot be used" in posted.text, name
    assert "changed on the way" in answers["other action"][1].text
    assert "expired on" in answers["expired"][1].text
    assert nearly.status == 200 and "Reject this comment?" in nearly.text
    assert list(pending(site)) == [cid]


def test_a_burst_is_one_email_and_the_next_waits_its_minute(make_site):
    port = free_port()
    site = notify_site(make_site, mail_to(port))
    policy = Policy(gather=1.5, interval=3.0, first_retry=0.2, last_retry=0.5, rescan=1.0)
    with smtp_server(port) as mailbox, running_intake(site, notify_policy=policy) as url:
        burst = [send(url, comment(body=f"Burst {n}"), JSON).json["id"] for n in range(3)]
        mailbox.wait(1)
        late = send(url, comment(body="Late"), JSON).json["id"]
        first, second = mailbox.wait(2)
    assert first["Subject"] == "[My blog] 3 new comments"
    text = text_of(first)
    assert text.startswith("3 new comments on My blog since the last email.")
    assert [f"> Burst {n}" in text for n in range(3)] == [True] * 3
    assert len(re.findall(r"^Approve: ", text, re.M)) == 3
    assert all(cid in text for cid in burst) and late not in text
    assert late in text_of(second) and "> Late" in text_of(second)
    assert mailbox.arrived[1] - mailbox.arrived[0] >= policy.interval


HOOK_SCRIPT = """
import sys
with open("received.jsonl", "ab") as out:
    out.write(sys.stdin.buffer.read() + b"\\n")
"""


def test_every_channel_gets_the_comment_and_a_failing_one_is_retried_alone(make_site, caplog):
    caplog.set_level(logging.INFO)
    port, hook = free_port(), Hook(failures=1)
    with webhook_server(hook) as hook_url:
        site = notify_site(make_site, mail_to(port) + f'webhook = "{hook_url}"\n'
                           f"command = {json.dumps([sys.executable, 'hook.py'])}\n",
                           "rate_limit = 0\nauto_approve = true")
        site.write("hook.py", HOOK_SCRIPT)
        with smtp_server(port) as mailbox, running_intake(site, notify_policy=FAST) as url:
            cid = send(url, comment(author="Inês", body="Olá!"), JSON).json["id"]
            wait_for(lambda: not outbox(site), "the outbox to empty")
    [message] = mailbox.messages
    assert "Published (auto_approve)." in text_of(message)
    assert "Approve:" not in text_of(message) and "Moderate all:" in text_of(message)
    assert hook.answered == [503, 204]
    assert hook.types == ["application/json; charset=utf-8"]
    [by_command] = [json.loads(line) for line in
                    (site.root / "received.jsonl").read_text(encoding="utf-8").splitlines()]
    assert hook.bodies == [by_command]
    assert by_command["status"] == "published"
    assert by_command["post"] == {"file": OPEN, "title": "Hello",
                                  "url": "https://example.org/2010/08/31/hello/"}
    assert by_command["comment"] == {"id": cid, "author": "Inês", "website": None,
                                     "date": by_command["comment"]["date"], "body": "Olá!",
                                     "replyto": None}
    assert by_command["links"] == {"moderate": f"{PUBLIC}/moderate"}
    failures = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert failures == [f"could not send 1 notification(s) by webhook (failure 1, next try in "
                        f"0 s): webhook {hook_url} answered 503 Service Unavailable"]


def test_a_stopped_smtp_server_loses_nothing(make_site, caplog):
    port = free_port()
    site = notify_site(make_site, mail_to(port))
    with running_intake(site, notify_policy=FAST) as url:
        cid = send(url, comment(), JSON).json["id"]
        wait_for(lambda: len([r for r in caplog.records if "by email" in r.getMessage()]) >= 2,
                 "two failed attempts")
        assert len(outbox(site)) == 1
        with smtp_server(port) as mailbox:
            [message] = mailbox.wait()
            wait_for(lambda: not outbox(site), "the outbox to empty")
    assert cid in text_of(message)
    failures = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert failures[0] == ("could not send 1 notification(s) by email (failure 1, next try in "
                           f"0 s): SMTP 127.0.0.1:{port}: [Errno 111] Connection refused")
    assert failures[1].startswith("could not send 1 notification(s) by email (failure 2, ")


def serve_child(site, log):
    """`sitegen comments serve` in a child process, as in production; yields its URL."""
    child = subprocess.Popen(
        [sys.executable, "-m", "sitegen", "comments", "serve", "--site", str(site.root),
         "--port", "0"],
        stdout=subprocess.PIPE, stderr=log, text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    url = re.search(r"http://127\.0\.0\.1:\d+/comments", child.stdout.readline())[0]
    return child, url


def stop_child(child) -> None:
    child.send_signal(signal.SIGINT)
    assert child.wait(timeout=30) == 0


def test_the_outbox_is_sent_after_the_comment_server_restarts(make_site, tmp_path):
    port = free_port()
    site = notify_site(make_site, mail_to(port))
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log:
        child, url = serve_child(site, log)
        try:
            cid = send(url, comment(body="Sent while the mail server was down."), JSON).json["id"]
            wait_for(lambda: "could not send" in log_path.read_text(), "a failed attempt")
        finally:
            stop_child(child)
        assert len(outbox(site)) == 1
        with smtp_server(port) as mailbox:
            child, _ = serve_child(site, log)
            try:
                [message] = mailbox.wait()
                wait_for(lambda: not outbox(site), "the outbox to empty")
            finally:
                stop_child(child)
    assert cid in text_of(message)
    assert "> Sent while the mail server was down." in text_of(message)
    logged = log_path.read_text()
    failures = [line for line in logged.splitlines() if "could not send" in line]
    assert failures and all(line.endswith("Connection refused") for line in failures)
    assert "Traceback" not in logged
    assert "emailed 1 new comment(s) to owner@example.org" in logged


def test_links_of_a_site_under_a_path_point_under_it(make_site):
    site = comment_site(make_site)
    site.write("sitegen.toml", 'base_url = "https://example.org/blog"\n'
                               '[comments]\nrate_limit = 0\n')
    with running_intake(site) as url:
        cid = send(url, comment(), JSON).json["id"]
        links = ModerationLinks(site.paths, load_config(site.paths))
        made = links.for_comment(cid, True, time.time())
        served = url + made["reject"].removeprefix("https://example.org/blog/comments")
        rejected = post(served)
    assert made["reject"].startswith("https://example.org/blog/comments/moderate/link/reject.")
    assert made["moderate"] == "https://example.org/blog/comments/moderate"
    assert url.endswith("/blog/comments")
    assert rejected.status == 200 and "Rejected" in rejected.text
    assert pending(site) == {}
    assert (site.root / "content/comments/rejected" / f"{cid}.yml").exists()


def test_a_link_to_a_broken_pending_file_says_so_rather_than_already_moderated(make_site):
    site = comment_site(make_site)
    with running_intake(site) as url:
        cid = send(url, comment(), JSON).json["id"]
        (site.root / "content/comments/pending" / f"{cid}.yml").write_text("- not a mapping\n")
        links = ModerationLinks(site.paths, load_config(site.paths))
        opened = get(local(links.for_comment(cid, True, time.time())["approve"], url))
    assert opened.status == 500
    assert (f"The comment's file {cid}.yml in content/comments/pending/ must be a mapping of "
            "keys such as 'author: Ana'.") in opened.text.replace("&#x27;", "'")
