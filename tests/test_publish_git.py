"""`[comments] publish = "git"`: published comments are committed and pushed, for real, to a
local bare repository, by the comment server and by the CLI."""

from __future__ import annotations

import logging
import subprocess
import time

import pytest
from intake_support import OPEN, comment, comment_site, running_intake, send

from sitegen.comments_server.queue import PendingComment, Queue

from helpers import run_sitegen

THREAD = f"content/comments/{OPEN}.yml"
PUSHED = "sitegen.comments_server.app"


@pytest.fixture(autouse=True)
def hermetic_git(monkeypatch, tmp_path):
    """No user-wide git config: the publisher must bring its own identity."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "no-gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


def git(folder, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True,
                          check=True)
    return done.stdout


def as_someone(folder) -> None:
    git(folder, "config", "user.name", "Someone")
    git(folder, "config", "user.email", "someone@example.org")


def published_site(make_site, tmp_path, settings: str = "auto_approve = true"):
    """A comment site in a git clone of a bare 'remote', its first commit pushed."""
    site = comment_site(make_site, f'rate_limit = 0\npublish = "git"\n{settings}')
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    git(site.root, "init", "-q", "-b", "main")
    git(site.root, "add", "-A")
    git(site.root, "-c", "user.name=Owner", "-c", "user.email=o@example.org", "commit", "-qm",
        "The blog")
    git(site.root, "remote", "add", "origin", str(remote))
    git(site.root, "push", "-q", "-u", "origin", "main")
    return site, remote


def remote_log(remote) -> list[str]:
    return git(remote, "log", "--format=%s", "main").splitlines()


def wait_for(check, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while not (found := check()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
    return found


def test_an_auto_approved_comment_is_committed_and_pushed_alone(make_site, tmp_path):
    site, remote = published_site(make_site, tmp_path)
    with running_intake(site) as url:
        assert send(url, comment(author="Ana", body="Pushed!")).status == 303
        wait_for(lambda: len(remote_log(remote)) == 2)
    assert remote_log(remote) == ["Comment by Ana on 'Hello'", "The blog"]
    assert git(remote, "show", "--name-only", "--format=", "main").split() == [THREAD]
    assert "Pushed!" in git(remote, "show", f"main:{THREAD}")
    # Nothing left to commit, and the fallback identity was used, not a global one.
    assert git(site.root, "status", "--porcelain", "--", "content/comments") == ""
    assert git(remote, "log", "-1", "--format=%an <%ae>", "main").startswith("sitegen <sitegen@")


def test_a_push_refused_after_a_concurrent_commit_is_rebased_and_pushed(make_site, tmp_path):
    site, remote = published_site(make_site, tmp_path)
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(remote), str(other))
    as_someone(other)
    (other / "content/posts/2020-01-01-news.md").write_text("---\ntitle: News\ndate: "
                                                            "2020-01-01\n---\nNews.\n")
    git(other, "add", "content/posts/2020-01-01-news.md")
    git(other, "commit", "-qm", "A post written elsewhere")
    git(other, "push", "-q")
    with running_intake(site) as url:
        assert send(url, comment(author="Ana")).status == 303
        wait_for(lambda: len(remote_log(remote)) == 3)
    assert remote_log(remote) == ["Comment by Ana on 'Hello'", "A post written elsewhere",
                                  "The blog"]
    assert (site.root / "content/posts/2020-01-01-news.md").exists()


def test_an_unreachable_remote_logs_one_line_and_the_next_publication_pushes_both(
        make_site, tmp_path, caplog):
    site, remote = published_site(make_site, tmp_path)
    git(site.root, "remote", "set-url", "origin", str(tmp_path / "no-such-remote.git"))
    caplog.set_level(logging.INFO, PUSHED)
    with running_intake(site) as url:
        assert send(url, comment(author="Ana", body="Kept locally.")).status == 303
        failures = wait_for(lambda: [r for r in caplog.records if r.levelno >= logging.ERROR])
        assert "Kept locally." in (site.root / THREAD).read_text()
        assert len(failures) == 1 and "\n" not in failures[0].getMessage()
        assert "not pushed to git" in failures[0].getMessage()
        git(site.root, "remote", "set-url", "origin", str(remote))
        assert send(url, comment(author="Ben", body="Second.")).status == 303
        wait_for(lambda: len(remote_log(remote)) == 3)
    assert remote_log(remote) == ["Comment by Ben on 'Hello'", "Comment by Ana on 'Hello'",
                                  "The blog"]
    assert len([r for r in caplog.records if r.levelno >= logging.ERROR]) == 1


def test_cli_approve_and_reply_publish_too(make_site, tmp_path):
    site, remote = published_site(make_site, tmp_path, 'auto_approve = false')
    cid = "20260101T100000Z-3f9a1c2b"
    Queue(site.paths).add(PendingComment(id=cid, post=OPEN, author="Cleo", email="c@example.org",
                                         date="2026-01-01T10:00:00+00:00", body="Queued."))
    approved = run_sitegen("comments", "approve", cid, "--site", str(site.root))
    assert approved.returncode == 0, approved.stderr
    assert remote_log(remote)[0] == "Comment by Cleo on 'Hello'"
    shown = git(remote, "show", "--name-only", "--format=", "main").split()
    assert shown == [THREAD]
    assert "c@example.org" not in git(remote, "show", f"main:{THREAD}")
    replied = run_sitegen("comments", "reply", OPEN, "-m", "Thanks!", "--as", "Ines",
                          "--site", str(site.root))
    assert replied.returncode == 0, replied.stderr
    assert remote_log(remote)[0] == "Comment by Ines on 'Hello'"


def test_cli_approve_with_an_unreachable_remote_is_one_line_and_exit_1(make_site, tmp_path):
    site, _ = published_site(make_site, tmp_path, 'auto_approve = false')
    git(site.root, "remote", "set-url", "origin", str(tmp_path / "gone.git"))
    cid = "20260101T100000Z-3f9a1c2b"
    Queue(site.paths).add(PendingComment(id=cid, post=OPEN, author="Cleo",
                                         date="2026-01-01T10:00:00+00:00", body="Queued."))
    approved = run_sitegen("comments", "approve", cid, "--site", str(site.root))
    assert approved.returncode == 1
    assert len(approved.stderr.strip().splitlines()) == 1, approved.stderr
    assert "Traceback" not in approved.stderr
    assert "Queued." in (site.root / THREAD).read_text()
    assert git(site.root, "log", "-1", "--format=%s") == "Comment by Cleo on 'Hello'\n"
