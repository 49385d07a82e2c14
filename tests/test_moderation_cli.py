"""Moderation from the command line: ids by part, posts by slug or address, blocks, removing
and editing published comments byte for byte, the password, and the small fixes."""

from __future__ import annotations

import os
import socket
import sys
import textwrap

import pytest
import yaml
from intake_support import OPEN, comment, comment_site, pending, running_intake, send
from preview_helpers import ServeProcess, request, wait_until

from sitegen import cli, layout
from sitegen.comments_server.auth import stored_password, verify_password
from sitegen.comments_server.queue import PendingComment, Queue
from sitegen.errors import ContentError
from sitegen.lookup import match_id
from sitegen.private import PrivateStore

from helpers import run_sitegen, thread

THREAD = f"content/comments/{OPEN}.yml"
IDS = ["20260101T100000Z-3f9a1c2b", "20260101T100000Z-77aa1c2b", "20260102T090000Z-0c0ffee0"]


def queue(site, *ids: str, **fields) -> None:
    for cid in ids:
        values = {"post": OPEN, "author": "Bea", "date": "2026-01-01T10:00:00+00:00",
                  "body": f"Comment {cid}.", **fields}
        Queue(site.paths).add(PendingComment(id=cid, **values))


def sitegen(site, *args: str):
    return run_sitegen("comments", *args, "--site", str(site.root))


def test_an_id_is_found_by_any_unique_prefix_or_suffix_of_four_characters():
    assert match_id("20260102", IDS) == IDS[2]
    assert match_id("ffee0", IDS) == IDS[2]
    assert match_id("9a1c2b", IDS) == IDS[0]
    assert match_id("20260101T100000Z-77", IDS) == IDS[1]
    assert match_id(IDS[0], IDS) == IDS[0]
    assert match_id("c1", ["c1", "c10"]) == "c1"  # a whole id, however short
    for part in ("1c2b", "20260101"):
        with pytest.raises(ContentError) as ambiguous:
            match_id(part, IDS)
        assert ambiguous.value.problems[0].message == (
            f"'{part}' could be any of 2 comments: {IDS[0]}, {IDS[1]}")
    with pytest.raises(ContentError, match="no comment 'a1c2'"):
        match_id("a1c2", IDS)  # neither a prefix nor a suffix
    with pytest.raises(ContentError, match="at least 4 characters"):
        match_id("fee", IDS)
    with pytest.raises(ContentError, match="no comment 'dead'"):
        match_id("dead", IDS)


def test_the_commands_take_ids_by_part_and_list_candidates(make_site):
    site = comment_site(make_site)
    queue(site, *IDS)
    ambiguous = sitegen(site, "show", "1c2b")
    assert ambiguous.returncode == 1
    assert ambiguous.stderr == (f"error: '1c2b' could be any of 2 pending comments: {IDS[0]}, "
                                f"{IDS[1]}\n")
    assert f"Comment {IDS[2]}." in sitegen(site, "show", "ffee0").stdout
    rejected = sitegen(site, "reject", "3f9a1c2b", "-q")
    assert rejected.returncode == 0 and rejected.stdout == ""
    approved = sitegen(site, "approve", "77aa1c2b")
    assert approved.returncode == 0, approved.stderr
    assert approved.stdout == "approved 1 comment: run `sitegen build` to publish\n"
    assert sorted(pending(site)) == [IDS[2]]


def test_reject_says_rejected(make_site):
    site = comment_site(make_site)
    queue(site, IDS[0])
    assert sitegen(site, "reject", IDS[0]).stdout == "rejected 1 comment\n"


def test_the_site_option_may_come_before_the_action(make_site, tmp_path):
    site = comment_site(make_site)
    queue(site, IDS[0])
    before = run_sitegen("comments", "--site", str(site.root), "list", cwd=tmp_path)
    after = run_sitegen("comments", "list", "--site", str(site.root), cwd=tmp_path)
    assert before.returncode == 0, before.stderr
    assert before.stdout == after.stdout and IDS[0] in before.stdout
    quiet = run_sitegen("comments", "--site", str(site.root), "-q", "list", cwd=tmp_path)
    assert quiet.stdout == f"{IDS[0]}  {OPEN}  Bea: Comment {IDS[0]}.\n"


@pytest.mark.parametrize("named", [OPEN, "hello", "/2010/08/31/hello/",
                                   "https://example.org/2010/08/31/hello/",
                                   "https://example.org/2010/08/31/hello",
                                   f"content/posts/{OPEN}.md"])
def test_reply_takes_the_post_by_file_stem_slug_or_address(make_site, named):
    site = comment_site(make_site)
    replied = sitegen(site, "reply", named, "--to", "first", "--as", "Me", "-m", "Thanks!")
    assert replied.returncode == 0, replied.stderr
    assert yaml.safe_load((site.root / THREAD).read_text())[-1]["body"] == "Thanks!"


def test_reply_finds_a_post_by_address_under_base_urls_path(make_site):
    site = comment_site(make_site)
    site.write("sitegen.toml", 'base_url = "https://example.org/blog"\nauthor = "Me"\n')
    for named, ok in (("https://example.org/blog/2010/08/31/hello/", True),
                      ("/blog/2010/08/31/hello/", True),
                      ("https://elsewhere.example/blog/2010/08/31/hello/", False)):
        replied = sitegen(site, "reply", named, "-m", "Hi")
        assert (replied.returncode == 0) == ok, replied.stderr


def test_block_rejects_the_senders_comments_and_the_server_refuses_more(make_site):
    site = comment_site(make_site)
    with running_intake(site) as url:
        for body in ("One.", "Two."):
            assert send(url, comment(body=body)).status == 303
        queue(site, IDS[2], ip_hash="someone-else")
        mine = sorted(cid for cid in pending(site) if cid != IDS[2])
        ip_hash = pending(site)[mine[0]]["ip_hash"]
        blocked = sitegen(site, "block", mine[0][-6:])
        assert blocked.returncode == 0, blocked.stderr
        assert blocked.stdout == f"blocked {ip_hash}; rejected 2 pending comments from them\n"
        assert list(pending(site)) == [IDS[2]]
        assert send(url, comment(body="Three.")).status == 403
        listed = sitegen(site, "blocked")
        assert listed.stdout.startswith(ip_hash) and f"sender of {mine[0]} (Bea)" in listed.stdout
        assert sitegen(site, "unblock", ip_hash[:6]).stdout == f"unblocked {ip_hash}\n"
        assert send(url, comment(body="Four.")).status == 303
    assert sitegen(site, "blocked").stdout == "0 blocked senders\n"
    imported = sitegen(site, "block", IDS[2][:10])
    assert imported.returncode == 0  # it has a hash; one without cannot be blocked:
    queue(site, IDS[0])
    assert "has no address hash" in sitegen(site, "block", IDS[0]).stderr


ORIGINAL = textwrap.dedent("""\
    # Comments on Hello   (kept by hand)
    - id: first
      author: "Ana"   # she asked to be named
      date: 2010-09-01 10:00
      body: >
        Folded
        text

    -   id: second
        author: Rui
        date: 2010-09-02 10:00
        body: Hi
        replyto: first
    # the last one
    - {id: third, author: Zé, date: 2010-09-03 10:00, body: "Bye"}
    """)


def test_remove_without_replies_takes_the_entry_out_and_keeps_the_rest_byte_for_byte(make_site):
    site = comment_site(make_site)
    site.write(THREAD, ORIGINAL)
    removed = sitegen(site, "remove", "third")
    assert removed.returncode == 0, removed.stderr
    assert removed.stdout == (f"removed third from {THREAD} (kept in content/comments/rejected/"
                              "third.yml): run `sitegen build` to publish\n")
    assert (site.root / THREAD).read_text() == ORIGINAL[:ORIGINAL.index("- {id: third")]
    kept = yaml.safe_load((site.root / "content/comments/rejected/third.yml").read_text())
    assert kept == {"id": "third", "post": OPEN, "author": "Zé", "date": "2010-09-03 10:00",
                    "body": "Bye"}


def test_a_removed_comment_with_replies_leaves_a_placeholder_the_theme_shows(make_site):
    site = comment_site(make_site)
    site.write(THREAD, ORIGINAL)
    assert sitegen(site, "remove", "first").returncode == 0
    text = (site.root / THREAD).read_text()
    assert text == ORIGINAL.replace('''- id: first
  author: "Ana"   # she asked to be named
  date: 2010-09-01 10:00
  body: >
    Folded
    text
''', "- id: first\n  date: 2010-09-01 10:00\n  removed: true\n")
    site.build()
    page = site.page("/2010/08/31/hello/")
    assert '<li id="comment-first" class="comment removed">' in page
    assert "Comment removed" in page and "Folded" not in page
    assert "2 comments" in page  # the placeholder is not counted
    reply = page[page.index('id="comment-second"'):]
    assert "in reply to <a href=\"#comment-first\">a removed comment</a>" in reply
    nested = page[page.index('id="comment-first"'):page.index('id="comment-third"')]
    assert 'id="comment-second"' in nested
    assert "Folded" not in site.output.joinpath("comments/feed.xml").read_text()
    assert "already removed" in sitegen(site, "remove", "first").stderr


def test_edit_changes_one_body_and_every_other_byte_stays(make_site, tmp_path):
    site = comment_site(make_site)
    site.write(THREAD, ORIGINAL)
    edited = sitegen(site, "edit", "second", "--body", "Hi,\nwith a *second* line.")
    assert edited.returncode == 0, edited.stderr
    text = (site.root / THREAD).read_text()
    before, after = ORIGINAL.split("-   id: second")[0], ORIGINAL.split("# the last one")[1]
    assert text.startswith(before) and text.endswith("# the last one" + after)
    entry = yaml.safe_load(text)[1]
    assert entry == {"id": "second", "author": "Rui", "date": "2010-09-02 10:00",
                     "body": "Hi,\nwith a *second* line.", "replyto": "first"}
    editor = tmp_path / "editor.py"
    editor.write_text("import sys, pathlib\np = pathlib.Path(sys.argv[1])\n"
                      "p.write_text(p.read_text().replace('Bye', 'Bye bye'))\n")
    env = {**os.environ, "EDITOR": f"{sys.executable} {editor}", "VISUAL": ""}
    import subprocess

    in_editor = subprocess.run([sys.executable, "-m", "sitegen", "comments", "edit", "third",
                                "--site", str(site.root)], env=env, capture_output=True,
                               text=True, timeout=60)
    assert in_editor.returncode == 0, in_editor.stderr
    assert yaml.safe_load((site.root / THREAD).read_text())[2]["body"] == "Bye bye"
    assert (site.root / THREAD).read_text().startswith(text[:text.index("# the last one")])


def test_an_id_in_several_threads_needs_the_post(make_site):
    site = comment_site(make_site)
    site.write("content/comments/2011-01-02-closed.yml", thread(
        {"id": "first", "author": "Ana", "date": "2011-01-03 10:00", "body": "Also first"}))
    several = sitegen(site, "remove", "first")
    assert several.returncode == 1
    assert "is in several threads (2010-08-31-hello, 2011-01-02-closed): say which with " \
           "--post" in several.stderr
    assert sitegen(site, "remove", "first", "--post", "2011-01-02-closed").returncode == 0
    assert "Also first" not in (site.root / "content/comments/2011-01-02-closed.yml").read_text()


def test_approve_runs_the_rebuild_command(make_site):
    site = comment_site(make_site)
    site.write("sitegen.toml", f'[comments]\nrebuild_command = "{sys.executable} -m sitegen '
                               'build -q"\n')
    queue(site, IDS[0])
    approved = sitegen(site, "approve", IDS[0][-4:])
    assert approved.returncode == 0, approved.stderr
    assert approved.stdout == (f"approved 1 comment\npublished with `{sys.executable} -m "
                               "sitegen build -q`\n")
    assert f"Comment {IDS[0]}." in site.page("/2010/08/31/hello/")


def test_password_is_asked_twice_and_only_its_hash_is_kept(make_site, monkeypatch, capsys):
    site = comment_site(make_site)
    toml = (site.root / "sitegen.toml").read_text()
    answers = iter(["s3cret pass", "s3cret pasS", "s3cret pass", "s3cret pass"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    argv = ["comments", "password", "--site", str(site.root)]
    assert cli.main(argv) == 1
    assert "the two passwords differ: nothing changed" in capsys.readouterr().err
    store = PrivateStore(layout.SitePaths.at(site.root))
    assert stored_password(store) is None
    assert cli.main(argv) == 0
    stored = stored_password(store)
    assert stored.startswith("scrypt$32768$8$1$") and "s3cret" not in stored
    assert verify_password("s3cret pass", stored) and not verify_password("s3cret", stored)
    assert (site.root / "sitegen.toml").read_text() == toml
    assert b"s3cret" not in store.path.read_bytes()
    assert cli.main([*argv, "--off"]) == 0 and stored_password(store) is None


def test_comments_serve_on_a_busy_port_names_a_free_one(make_site):
    site = comment_site(make_site)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        busy = sitegen(site, "serve", "--port", str(port))
    assert busy.returncode == 1
    assert busy.stderr.startswith(f"error: port {port} on 127.0.0.1 is in use; try --port ")
    assert busy.stderr.count("\n") == 1 and "Traceback" not in busy.stderr


def test_the_preview_logs_each_queued_comment(make_site):
    site = comment_site(make_site)
    with ServeProcess("--site", str(site.root)) as served:
        base = served.url
        body = "&".join(f"{k}={v}" for k, v in comment(body="Hello").items()).encode()
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        assert request(base, "/comments", "POST", body, form).status == 303
        [cid] = pending(site)
        wait_until(lambda: any(f"queued comment {cid} on {OPEN}" in line
                               for line in served.stderr))
