"""The whole life of readers' addresses in a site that is a git repository: a comment with
email and reply notifications through the real comment server, confirmation, approvals, the
owner's reply, a reader's reply, an import of a WordPress export with addresses, an old
thread moved by `migrate-private`, builds. Git must never be able to see an address: in no
file it tracks or would add (`git ls-files`, `git ls-files --others --exclude-standard`)."""

from __future__ import annotations

from pathlib import Path

from intake_support import JSON, OPEN, comment, running_intake, send
from notify_support import FAST, free_port, smtp_server, text_of, wait_for
from privacy_support import addresses_in, committable, git, make_repository
from replies_support import link, local, mail_site, post, to

from sitegen.private import store_of

from helpers import run_sitegen

EXPORT = Path(__file__).parent / "data" / "exports" / "wordpress.xml"
LEGACY = ("- id: legacy\n  author: Old Reader\n  email: old@example.org\n"
          "  date: 2010-09-02 10:00\n  body: Written before addresses left the threads.\n")


def cli(site, *args: str) -> str:
    done = run_sitegen(*args, "--site", str(site.root))
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_no_readers_address_is_ever_where_git_can_see_it(make_site):
    port = free_port()
    site = mail_site(make_site, port)
    site.write(f"content/comments/{OPEN}.yml",
               (site.root / f"content/comments/{OPEN}.yml").read_text() + LEGACY)
    make_repository(site.root)
    git(site.root, "add", "-A")
    git(site.root, "-c", "user.name=Owner", "-c", "user.email=owner@example.org",
        "commit", "-qm", "the site before")
    with smtp_server(port) as mailbox, running_intake(site, notify_policy=FAST) as url:
        bea = send(url, comment(author="Bea", email="bea@example.org", notify="yes"),
                   JSON).json["id"]
        [confirmation] = wait_for(lambda: to(mailbox, "bea@example.org"), "the confirmation")
        assert post(local(link(text_of(confirmation), "confirm"), url)).status == 200
        cli(site, "comments", "approve", bea)
        cli(site, "comments", "reply", OPEN, "--to", bea, "-m", "Thank you!", "--as", "Owner")
        carla = send(url, comment(author="Carla", email="carla@example.org", body="Me too",
                                  replyto=bea), JSON).json["id"]
        cli(site, "comments", "approve", carla)
        wait_for(lambda: len(to(mailbox, "bea@example.org")) == 3, "Bea's two notices")
        cli(site, "import", "wordpress", str(EXPORT))
        cli(site, "comments", "migrate-private")
        cli(site, "build")

    listed = committable(site.root)
    assert f"content/comments/{OPEN}.yml" in listed and "output/index.html" in listed
    assert "content/comments/2012-03-14-hello-world.yml" in listed, "the import's thread"
    # The one address git may see is the owner's own, where notifications go.
    assert addresses_in(site.root, listed) == {"sitegen.toml": {b"owner@example.org"}}
    store = store_of(site.root)
    assert [store.email_of(cid) for cid in (bea, carla, "legacy", "wp-100")] == [
        "bea@example.org", "carla@example.org", "old@example.org", "ana@example.com"]
    queued = site.root / "content/comments/pending/wp-106.yml"
    assert b"s@example.com" in queued.read_bytes(), "kept, but only where git cannot see"
    assert git(site.root, "check-ignore", str(queued)).strip()
