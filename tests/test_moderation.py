"""The moderation queue: approve and reject round trips into real builds, byte-for-byte
appends, locks across processes, and processes killed mid-write."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from intake_support import OPEN, comment_site

from sitegen.atomic import sweep
from sitegen.comments_server.links import reply_author
from sitegen.comments_server.queue import PendingComment, Queue, new_id, read_pending
from sitegen.entries import ThreadEntry
from sitegen.errors import ContentError
from sitegen.layout import SitePaths
from sitegen.private import store_of
from sitegen.threadfile import ThreadWriter

from helpers import run_sitegen

PAGE = "/2010/08/31/hello/"
THREAD = f"content/comments/{OPEN}.yml"


def queued(site, n: int = 1, **fields) -> list[str]:
    """Put `n` comments in the site's queue as an importer would; returns their ids."""
    queue = Queue(site.paths)
    ids = []
    for number in range(n):
        values = {"post": OPEN, "author": f"Reader {number}", "date": "2026-01-01T10:00:00+00:00",
                  "body": f"Comment number {number}.", **fields}
        cid = new_id()
        queue.add(PendingComment(id=cid, **values))
        ids.append(cid)
    return ids


def approve(site, *ids: str) -> list[str]:
    """Approve through the queue; returns the problems, as the command would print them."""
    done, problems = Queue(site.paths).approve(ids)
    assert sorted(done) == sorted(ids) or problems
    return [problem.message for problem in problems]


def thread_file(site) -> Path:
    return site.root / THREAD


ODD_THREADS = {
    "comments and styles": (
        "# Comments on Hello, imported from Blogger\n"
        "- id: first\n  author: \"Ana\"   # she asked to be named\n  date: 2010-09-01 10:00\n"
        "  body: >\n    Folded\n    text\n\n"
        "-   id: second\n    author: Rui\n    date: 2010-09-02 10:00\n    body: Hi\n"
    ),
    "no final newline": "- id: first\n  author: Ana\n  date: 2010-09-01 10:00\n  body: Hi",
    "windows line ends": "- id: first\r\n  author: Ana\r\n  date: 2010-09-01 10:00\r\n"
                         "  body: |\r\n    Two\r\n    lines\r\n",
    "indented list": "  - id: first\n    author: Ana\n    date: 2010-09-01 10:00\n    body: Hi\n",
    "empty file": "",
    "only a comment": "# nothing yet\n",
}


@pytest.mark.parametrize("original", ODD_THREADS.values(), ids=ODD_THREADS.keys())
def test_approve_keeps_every_existing_byte_of_the_thread(make_site, original):
    site = comment_site(make_site)
    site.write(THREAD, original.encode())
    before = yaml.safe_load(original) or []
    [cid] = queued(site, body="Line one\n\nLine *two*, with: colons")
    assert approve(site, cid) == []
    after = thread_file(site).read_bytes()
    kept = original.encode()
    if kept and not kept.endswith(b"\n"):
        kept += b"\r\n" if b"\r\n" in kept else b"\n"
    assert after.startswith(kept)
    entries = yaml.safe_load(after)
    assert entries[:-1] == before
    assert entries[-1] == {"id": cid, "author": "Reader 0", "date": "2026-01-01T10:00:00+00:00",
                           "body": "Line one\n\nLine *two*, with: colons"}
    assert Queue(site.paths).ids() == []
    site.build()
    assert "Line <em>two</em>, with: colons" in site.page(PAGE)


@pytest.mark.parametrize("original", ODD_THREADS.values(), ids=ODD_THREADS.keys())
def test_one_writer_appending_again_and_again_writes_what_fresh_writers_would(tmp_path,
                                                                               original):
    entries = [ThreadEntry(id=f"n{n}", author="Bo", date="2026-01-01T10:00:00+00:00",
                           body="Two\nlines" if n % 2 else f"Line {n}") for n in range(4)]
    kept, fresh = tmp_path / "kept.yml", tmp_path / "fresh.yml"
    writer = ThreadWriter()
    for path in (kept, fresh):
        path.write_bytes(original.encode())
    for entry in entries:
        assert writer.append(kept, [entry]) == 1
        assert ThreadWriter().append(fresh, [entry]) == 1
    assert kept.read_bytes() == fresh.read_bytes()
    assert writer.known_ids(kept) == {"n0", "n1", "n2", "n3"} | {
        e["id"] for e in yaml.safe_load(original) or []}


def test_a_thread_changed_by_someone_else_is_read_whole_again(tmp_path):
    path = tmp_path / "thread.yml"
    path.write_bytes(b"- id: a\n  author: Ana\n  date: 2010-09-01 10:00\n  body: Hi\n")
    writer = ThreadWriter()
    entry = ThreadEntry(id="b", author="Bo", date="2010-09-02 10:00", body="Yo")
    writer.append(path, [entry])
    stat = path.stat()
    edited = path.read_bytes().replace(b"body: Yo", b"body: Ho") + \
        b"- id: c\n  author: Cy\n  date: 2010-09-03 10:00\n  body: mine\n"
    path.write_bytes(edited)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert writer.known_ids(path) is None
    with pytest.raises(ContentError, match="a different comment with id 'c'"):
        writer.append(path, [replace(entry, id="c")])
    assert writer.append(path, [replace(entry, id="d")]) == 1
    assert [e["body"] for e in yaml.safe_load(path.read_text())] == ["Hi", "Ho", "mine", "Yo"]
    assert writer.append(path, [replace(entry, id="d")]) == 0  # already there: done before


def test_approve_creates_the_thread_and_publishes_only_what_the_thread_may_show(make_site):
    site = comment_site(make_site)
    thread_file(site).unlink()
    [cid] = queued(site, email="secret@example.org", url="https://r.example/", replyto="x",
                   ip_hash="ab" * 16, source="web")
    assert approve(site, cid) == []
    [entry] = yaml.safe_load(thread_file(site).read_text())
    assert list(entry) == ["id", "author", "date", "body", "url", "replyto"]
    assert store_of(site.root).email_of(cid) == "secret@example.org"
    site.build()
    page = site.page(PAGE)
    assert "Comment number 0." in page and 'href="https://r.example/"' in page
    assert "secret@example.org" not in page and "ab" * 16 not in page


def test_an_id_already_in_the_thread_is_refused_and_nothing_changes(make_site):
    site = comment_site(make_site)
    [cid] = queued(site)
    original = thread_file(site).read_text() + f"- id: {cid}\n  author: X\n  date: 2010-09-01\n" \
                                               "  body: Someone else\n"
    site.write(THREAD, original.encode())
    assert approve(site, cid) == [f"a different comment with id '{cid}' is already in this "
                                  "thread"]
    assert thread_file(site).read_text() == original
    assert Queue(site.paths).ids() == [cid]


def test_an_interrupted_approval_is_finished_by_approving_again(make_site):
    site = comment_site(make_site)
    [cid] = queued(site)
    comment = Queue(site.paths).get(cid)
    assert approve(site, cid) == []
    done = thread_file(site).read_bytes()
    Queue(site.paths).add(comment)  # as if the process died before removing the pending file
    assert approve(site, cid) == []
    assert thread_file(site).read_bytes() == done
    assert Queue(site.paths).ids() == []


def test_a_thread_that_is_not_a_block_list_is_left_alone(make_site):
    site = comment_site(make_site)
    site.write(THREAD, b"[]\n")
    [cid] = queued(site)
    assert approve(site, cid) == ["cannot append a comment: the file does not end with a "
                                  "plain YAML list ('- id: …' items)"]
    assert thread_file(site).read_bytes() == b"[]\n"
    assert Queue(site.paths).ids() == [cid]


def test_reject_moves_the_comment_aside_and_the_build_ignores_both_folders(make_site):
    site = comment_site(make_site)
    rejected, waiting = queued(site, 2)
    assert Queue(site.paths).reject([rejected])[1] == []
    assert (site.root / "content/comments/rejected" / f"{rejected}.yml").exists()
    assert Queue(site.paths).ids() == [waiting]
    report = site.build()
    page = site.page(PAGE)
    assert "Comment number" not in page
    assert report.comments == 1 and report.warnings == ()


def test_pending_files_from_other_writers_are_checked(make_site):
    site = comment_site(make_site)
    folder = site.root / "content/comments/pending"
    folder.mkdir(parents=True)
    (folder / "abc.yml").write_text("id: other\npost: ../etc\nauthor: A\ncolour: red\n")
    with pytest.raises(ContentError) as caught:
        read_pending(folder / "abc.yml")
    messages = [p.message for p in caught.value.problems]
    assert messages == ["unknown key 'colour'", "has no 'date'", "has no 'body'",
                        "has id 'other' but the file is named abc.yml",
                        "has a 'post' that is not a post's file name: '../etc'"]


def test_the_commands_list_show_approve_and_reject_round_trip_into_a_build(make_site):
    site = comment_site(make_site)
    first, second, third = queued(site, 3, email="hidden@example.org")
    listing = run_sitegen("comments", "list", "--site", str(site.root))
    assert listing.returncode == 0
    # Oldest first; within one second, ids are in no particular order.
    lines = sorted(f"{cid}  {OPEN}  Reader {n}: Comment number {n}."
                   for n, cid in enumerate((first, second, third)))
    assert listing.stdout.splitlines() == [*lines, "3 comments awaiting moderation"]
    shown = run_sitegen("comments", "show", first, "--site", str(site.root))
    assert "email: hidden@example.org" in shown.stdout and "Comment number 0." in shown.stdout
    assert run_sitegen("comments", "approve", first, second, "--site", str(site.root)
                       ).stdout == "approved 2 comments: run `sitegen build` to publish\n"
    assert run_sitegen("comments", "reject", "--all", "--site", str(site.root)).returncode == 0
    assert run_sitegen("build", "--site", str(site.root)).returncode == 0
    page = site.page(PAGE)
    assert "Comment number 0." in page and "Comment number 1." in page
    assert "Comment number 2." not in page and "hidden@example.org" not in page
    assert (site.root / "content/comments/rejected" / f"{third}.yml").exists()


def test_the_commands_report_mistakes(make_site):
    site = comment_site(make_site)
    [cid] = queued(site)
    neither = run_sitegen("comments", "approve", "--site", str(site.root))
    assert neither.returncode == 2 and "or --all" in neither.stderr
    unknown = run_sitegen("comments", "approve", "nope", cid, "--site", str(site.root))
    assert unknown.returncode == 1
    assert "error: " in unknown.stderr and "no pending comment 'nope'" in unknown.stderr
    assert unknown.stdout == "approved 1 comment: run `sitegen build` to publish\n"
    sneaky = run_sitegen("comments", "show", "../../sitegen", "--site", str(site.root))
    assert sneaky.returncode == 1 and "is not a comment id" in sneaky.stderr
    for command in ("approve", "reject", "show"):
        long = run_sitegen("comments", command, "2" * 300, "--site", str(site.root))
        assert long.returncode == 1
        assert long.stderr == f"error: '{'2' * 40}…' is not a comment id (see `sitegen " \
                              "comments list`)\n"
    reply = run_sitegen("comments", "reply", OPEN, "--to", "2" * 300, "-m", "Thanks!",
                        "--site", str(site.root))
    assert reply.returncode == 1 and reply.stderr.count("\n") == 1, reply.stderr


def test_a_pending_comment_with_an_alias_bomb_is_named_not_expanded(make_site):
    site = comment_site(make_site)
    bomb = ["x0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"] + [
        f"x{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 9)]
    site.write("content/comments/pending/c1.yml", "\n".join([
        "id: c1", f"post: {OPEN}", *bomb, "author: *a8", "date: 2010-09-01", "body: Hi", ""]))
    result = run_sitegen("comments", "show", "c1", "--site", str(site.root))
    assert result.returncode == 1
    # The one YAML loader (sourcefile.py) refuses the expansion itself.
    # x4, on line 7, is where the values first number more than 10,000.
    assert "c1.yml:7: not a readable comment: aliases here expand to more than 10,000 values" \
        in result.stderr
    assert len(result.stderr) < 2000


def test_a_pending_comment_that_is_not_yaml_is_named_at_its_line(make_site):
    site = comment_site(make_site)
    site.write("content/comments/pending/c1.yml",
               f"id: c1\npost: {OPEN}\nauthor: Ana\nbody: [unclosed\ndate: 2010-09-01\n")
    result = run_sitegen("comments", "show", "c1", "--site", str(site.root))
    assert result.returncode == 1 and result.stderr.count("\n") == 1, result.stderr
    assert "c1.yml:5: not a readable comment: a pending comment is not valid YAML" \
        in result.stderr


@pytest.mark.parametrize("date", ["2010-02-30", "2010-01-01 25:00:00"])
def test_a_pending_comment_with_an_impossible_date_is_named_not_approved(make_site, date):
    site = comment_site(make_site)
    path = site.write("content/comments/pending/c1.yml", f"id: c1\npost: {OPEN}\nauthor: Ana"
                      f"\ndate: {date}\nbody: Hi\n")
    result = run_sitegen("comments", "approve", "c1", "--site", str(site.root))
    assert result.returncode == 1 and result.stderr.count("\n") == 1, result.stderr
    assert f"c1.yml: has a bad date '{date}'" in result.stderr
    assert path.exists()


def test_the_owner_replies_at_once_and_the_reply_is_marked_as_theirs(make_site):
    site = comment_site(make_site)
    site.write("sitegen.toml", 'author = "Inês Lobo"\ntimezone = "Europe/Lisbon"\n')
    before = thread_file(site).read_bytes()
    replied = run_sitegen("comments", "reply", f"content/posts/{OPEN}.md", "--to", "first",
                          "-m", "Thank you, *Ana*.", "--site", str(site.root))
    assert replied.returncode == 0, replied.stderr
    after = thread_file(site).read_bytes()
    assert after.startswith(before)
    entry = yaml.safe_load(after)[-1]
    assert replied.stdout == f"added {entry['id']} to {THREAD}: run `sitegen build` to publish\n"
    assert entry["author"] == "Inês Lobo" and entry["replyto"] == "first"
    assert entry["owner"] is True and entry["body"] == "Thank you, *Ana*."
    assert entry["date"].endswith(("+00:00", "+01:00"))  # Lisbon's offset, winter or summer
    on_the_post = subprocess.run(
        [sys.executable, "-m", "sitegen", "comments", "reply", OPEN, "--as", "Inês",
         "--site", str(site.root)], input="A note for everyone\nreading this.\n",
        capture_output=True, text=True, timeout=60)
    assert on_the_post.returncode == 0, on_the_post.stderr
    note = yaml.safe_load(thread_file(site).read_bytes())[-1]
    assert note["author"] == "Inês" and "replyto" not in note
    assert note["body"] == "A note for everyone\nreading this."
    assert run_sitegen("build", "--site", str(site.root)).returncode == 0
    page = site.page(PAGE)
    assert f'<li id="comment-{entry["id"]}" class="comment by-owner">' in page
    assert '<li id="comment-first" class="comment">' in page
    assert page.count('class="owner-badge">Author</span>') == 2
    assert "Thank you, <em>Ana</em>." in page


def test_an_owner_reply_that_cannot_be_placed_writes_nothing(make_site):
    site = comment_site(make_site)
    [waiting] = queued(site)
    before = thread_file(site).read_bytes()

    def reply(*args: str):
        return run_sitegen("comments", "reply", *args, cwd=site.root)

    no_author = reply(OPEN, "-m", "Hi")
    assert no_author.returncode == 1
    assert no_author.stderr == ("error: sitegen.toml: who is replying? Set 'author' in "
                                "sitegen.toml or pass --as NAME\n")
    assert reply("2099-01-01-nothing", "--as", "Me", "-m", "Hi").stderr == (
        "error: no post '2099-01-01-nothing' in content/posts/ (give its file name, its slug "
        "or its address)\n")
    assert reply(OPEN, "--as", "Me", "-m", " \n").stderr == "error: the reply is empty\n"
    assert reply(OPEN, "--as", "Me", "--to", "nope", "-m", "Hi").stderr == (
        f"error: {THREAD}: no comment 'nope' in this thread\n")
    assert reply(OPEN, "--as", "Me", "--to", waiting, "-m", "Hi").stderr == (
        f"error: comment '{waiting}' is awaiting moderation: approve it first "
        f"(`sitegen comments approve {waiting}`)\n")
    assert thread_file(site).read_bytes() == before


def test_list_escapes_control_characters_from_readers(make_site):
    site = comment_site(make_site)
    queued(site, author="Eve\x1b]0;owned\x07", body="\x1b[2J gone")
    listing = run_sitegen("comments", "list", "--site", str(site.root))
    assert "\x1b" not in listing.stdout
    assert "Eve\\x1b]0;owned\\x07: \\x1b[2J gone" in listing.stdout


def test_approvals_from_several_processes_at_once_lose_nothing(make_site):
    site = comment_site(make_site)
    ids = queued(site, 40)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    children = [
        subprocess.Popen([sys.executable, "-m", "sitegen", "comments", "approve",
                          *ids[k::4], "--site", str(site.root)], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for k in range(4)
    ]
    for child in children:
        assert child.wait(timeout=120) == 0, child.stderr.read()
    entries = yaml.safe_load(thread_file(site).read_text())
    assert sorted(entry["id"] for entry in entries[1:]) == sorted(ids)
    assert entries[0]["id"] == "first"
    assert Queue(site.paths).ids() == []


def _child(code: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_a_writer_killed_mid_write_leaves_no_partial_file(tmp_path):
    target = tmp_path / "pending" / "big.yml"
    size = 256 * 1024 * 1024
    for _attempt in range(5):
        child = _child(f"""
            from pathlib import Path
            from sitegen.atomic import write_new
            write_new(Path({str(target)!r}), b"x" * {size})
        """)
        partial = _kill_when_partly_written(child, target.parent, size)
        if partial is not None:
            break
    else:
        pytest.fail("never caught the writer mid-write in five tries")
    assert not target.exists()
    assert 0 < partial.stat().st_size < size
    assert list(target.parent.glob("*.yml")) == []
    assert sweep(target.parent, older_than=0) == [partial]


def _kill_when_partly_written(child: subprocess.Popen, folder: Path, size: int) -> Path | None:
    """SIGKILL the child as soon as its temporary file holds some but not all bytes."""
    deadline = time.monotonic() + 60
    while child.poll() is None and time.monotonic() < deadline:
        for temp in folder.glob(".*.tmp") if folder.exists() else ():
            written = temp.stat().st_size
            if 0 < written < size:
                child.send_signal(signal.SIGKILL)
                child.wait()
                return temp if temp.stat().st_size < size else None
    child.kill()
    child.wait()
    for leftover in folder.glob("*"):
        leftover.unlink()
    return None


KILL_ON = """
    import os, signal, sys
    def die(event, args):
        if event == {event!r}:
            os.kill(os.getpid(), signal.SIGKILL)
    sys.addaudithook(die)
"""


def test_a_comment_killed_between_write_and_rename_is_not_queued(make_site):
    site = comment_site(make_site)
    child = _child(KILL_ON.format(event="os.link") + f"""
    from pathlib import Path
    from sitegen.config import SitePaths
    from sitegen.comments_server.queue import PendingComment, Queue
    Queue(SitePaths.at(Path({str(site.root)!r}))).add(PendingComment(
        id="20260101T000000Z-00000000", post="{OPEN}", author="A",
        date="2026-01-01T00:00:00+00:00", body="y" * 1_000_000))
    """)
    assert child.wait(timeout=60) == -signal.SIGKILL
    folder = site.root / "content/comments/pending"
    assert list(folder.glob("*.yml")) == []
    [temp] = folder.glob(".*.tmp")
    assert yaml.safe_load(temp.read_text())["body"] == "y" * 1_000_000
    assert Queue(site.paths).ids() == []


def test_an_approval_killed_before_its_rename_leaves_the_thread_and_queue_as_they_were(
        make_site):
    site = comment_site(make_site)
    [cid] = queued(site)
    before = thread_file(site).read_bytes()
    child = _child(KILL_ON.format(event="os.rename") + f"""
    from pathlib import Path
    from sitegen.config import SitePaths
    from sitegen.comments_server.queue import Queue
    Queue(SitePaths.at(Path({str(site.root)!r}))).approve(["{cid}"])
    """)
    assert child.wait(timeout=60) == -signal.SIGKILL
    assert thread_file(site).read_bytes() == before
    assert Queue(site.paths).ids() == [cid]
    assert approve(site, cid) == []
    assert len(yaml.safe_load(thread_file(site).read_text())) == 2


def test_writers_killed_at_random_moments_leave_only_whole_files(make_site):
    site = comment_site(make_site)
    rng = random.Random(4)
    for _round in range(6):
        child = _child(f"""
        from pathlib import Path
        from sitegen.config import SitePaths
        from sitegen.comments_server.queue import PendingComment, Queue, new_id
        queue = Queue(SitePaths.at(Path({str(site.root)!r})))
        print("ready", flush=True)
        for n in range(100_000):
            queue.add(PendingComment(id=new_id(), post="{OPEN}", author=f"A{{n}}",
                                     date="2026-01-01T00:00:00+00:00", body="z" * 200_000))
            ids = queue.ids()
            if len(ids) > 3:
                queue.approve(ids[:1])
                print("approved", flush=True)
        """)
        # Kill at a random moment once the child is at work, however slow its start; the
        # first round, only once it has approved, so that the thread is written to at all
        # (a slow disk takes over a second for the four comments before).
        assert child.stdout.readline() == b"ready\n"
        if _round == 0:
            assert child.stdout.readline() == b"approved\n"
        time.sleep(rng.uniform(0.2, 1.2))
        child.send_signal(signal.SIGKILL)
        assert child.wait() == -signal.SIGKILL
    queue = Queue(site.paths)
    for cid in queue.ids():
        assert queue.get(cid).body == "z" * 200_000
    entries = yaml.safe_load(thread_file(site).read_text())
    assert entries[0]["id"] == "first"
    assert all(entry["body"] == "z" * 200_000 for entry in entries[1:])
    assert len(entries) > 1, "no approval happened before the kills; the test proved nothing"
    site.build()


def test_a_reply_to_a_removed_comment_names_no_author(tmp_path):
    """What moderation mail and the moderation page say a pending reply answers: the
    parent's author, or nothing (then its id is shown) for a removed or unknown one."""
    paths = SitePaths.at(tmp_path)
    paths.comments.mkdir(parents=True)
    paths.thread("hello").write_text(
        "- id: c1\n  author: Ana\n  date: 2026-01-01\n  body: |\n    Hi\n"
        "- id: c2\n  date: 2026-01-02\n  removed: true\n", encoding="utf-8")
    assert reply_author(paths, "hello", "c1") == "Ana"
    assert reply_author(paths, "hello", "c2") is None  # not "None"
    assert reply_author(paths, "hello", "c9") is None
    assert reply_author(paths, "missing", "c1") is None
