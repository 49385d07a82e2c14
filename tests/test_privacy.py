"""Readers' addresses out of thread files: the build's warning, `comments migrate-private`,
`comments forget [--anonymize]`, each leaving every other byte of the threads as it was."""

from __future__ import annotations

import pytest
import yaml
from bs4 import BeautifulSoup
from intake_support import OPEN, comment_site

from sitegen.comments_server.queue import PendingComment, Queue
from sitegen.importers.model import Export, ExportError, ImportedComment, ImportedItem
from sitegen.private import store_of

from helpers import post, run_sitegen

THREAD = f"content/comments/{OPEN}.yml"
OTHER = "content/comments/2011-01-02-closed.yml"
# Hand-written: comments, a BOM, a flow mapping, the address first in its item, CRLF.
MESSY = (
    "\ufeff# Comments on Hello\r\n"
    "- id: first\r\n  author: Ana   # she asked to be named\r\n  email: ana@example.org\r\n"
    "  date: 2010-09-01 10:00\r\n  body: |\r\n    First!\r\n\r\n"
    "- email: BEA@Example.org\r\n  id: second\r\n  author: Bea\r\n  url: https://bea.example/\r\n"
    "  date: 2010-09-02 10:00\r\n  body: Hi\r\n"
    "- {id: third, author: Rui, date: 2010-09-03 10:00, body: Yo, email: rui@example.org}\r\n"
    "- id: fourth\r\n  author: Bea\r\n  date: 2010-09-04 10:00\r\n  body: Again\r\n"
    "  email: bea@example.org"
)
MIGRATED = (
    "\ufeff# Comments on Hello\r\n"
    "- id: first\r\n  author: Ana   # she asked to be named\r\n"
    "  date: 2010-09-01 10:00\r\n  body: |\r\n    First!\r\n\r\n"
    "- id: second\r\n  author: Bea\r\n  url: https://bea.example/\r\n"
    "  date: 2010-09-02 10:00\r\n  body: Hi\r\n"
    "- {id: third, author: Rui, date: 2010-09-03 10:00, body: Yo}\r\n"
    "- id: fourth\r\n  author: Bea\r\n  date: 2010-09-04 10:00\r\n  body: Again\r\n"
)


def messy_site(make_site):
    site = comment_site(make_site)
    site.write(THREAD, MESSY.encode("utf-8"))
    site.write(OTHER, "- id: c1\n  author: Zé\n  email: ze@example.org\n  date: 2011-01-03\n"
                      "  body: Closed\n- id: c2\n  author: Rui\n  email:\n"
                      "  date: 2011-01-04\n  body: Empty address\n")
    return site


def rows(store, query: str) -> list[tuple]:
    with store.connect() as db:
        return db.execute(query).fetchall()


def test_a_build_warns_once_of_every_thread_with_addresses(make_site):
    site = messy_site(make_site)
    warnings = [str(w) for w in site.build().warnings if "email" in w.message]
    assert warnings == [f"{site.root / THREAD}: holds readers' email addresses ('email' keys) "
                        "(and 1 other thread file), which must not be in git: move them to "
                        "the private store with `sitegen comments migrate-private`"]
    assert "ana@example.org" not in site.page("/2010/08/31/hello/")
    again = [w for w in site.build().warnings if "email" in w.message]
    assert len(again) == 1, "a build from the cache warns as well"


def test_migrate_private_moves_every_address_and_keeps_every_other_byte(make_site):
    site = messy_site(make_site)
    result = run_sitegen("comments", "migrate-private", "--site", str(site.root))
    assert result.returncode == 0, result.stderr
    assert (site.root / THREAD).read_bytes() == MIGRATED.encode("utf-8")
    assert (site.root / OTHER).read_text() == ("- id: c1\n  author: Zé\n  date: 2011-01-03\n"
                                               "  body: Closed\n- id: c2\n  author: Rui\n"
                                               "  date: 2011-01-04\n  body: Empty address\n")
    store = store_of(site.root)
    assert [store.email_of(cid) for cid in ("first", "second", "third", "fourth", "c1", "c2")] == [
        "ana@example.org", "BEA@Example.org", "rui@example.org", "bea@example.org",
        "ze@example.org", None]
    assert result.stdout.splitlines() == [
        "  content/comments/2010-08-31-hello.yml: 4 addresses moved",
        "  content/comments/2011-01-02-closed.yml: 2 addresses moved",
        f"moved 6 email addresses from 2 thread files into {site.root}/private/: commit the "
        "thread files"]
    assert not [w for w in site.build().warnings if "email" in w.message]
    again = run_sitegen("comments", "migrate-private", "--site", str(site.root))
    assert again.stdout.endswith("moved 0 email addresses from 0 thread files into "
                                 f"{site.root}/private/\n")


def test_migrate_private_leaves_a_file_it_cannot_change_alone_and_says_so(make_site):
    site = messy_site(make_site)
    broken = "- id: x\n  author: A\n  email: a@example.org\n  date: 2010-09-01\n  body: [\n"
    site.write(OTHER, broken)
    result = run_sitegen("comments", "migrate-private", "--site", str(site.root))
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: {site.root / OTHER}:")
    assert (site.root / OTHER).read_text() == broken
    assert (site.root / THREAD).read_bytes() == MIGRATED.encode("utf-8")


def test_forget_takes_the_address_out_everywhere_and_anonymizes_only_its_comments(make_site):
    site = messy_site(make_site)
    run_sitegen("comments", "migrate-private", "--site", str(site.root))
    store = store_of(site.root)
    store.subscribe("second", "bea@example.org")
    store.subscribe("first", "ana@example.org")
    Queue(site.paths).add(PendingComment(id="waiting", post=OPEN, author="Bea",
                                         date="2026-01-01T10:00:00+00:00", body="More",
                                         email="Bea@example.org", url="https://bea.example/"))
    before = (site.root / THREAD).read_bytes()
    result = run_sitegen("comments", "forget", "bea@EXAMPLE.org", "--anonymize",
                         "--site", str(site.root))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "  content/comments/2010-08-31-hello.yml: 2 comments signed Anonymous, without website",
        "  content/comments/pending/waiting.yml: address removed, signed Anonymous",
        "forgot bea@EXAMPLE.org in the private store: 2 comments' addresses, 1 reply "
        "subscription, its subscriber record",
        "changed 1 thread file: run `sitegen build` and commit them to publish the change"]
    after = (site.root / THREAD).read_bytes()
    assert after == before.replace(b"  author: Bea\r\n  url: https://bea.example/\r\n",
                                   b"  author: Anonymous\r\n").replace(
        b"  author: Bea\r\n", b"  author: Anonymous\r\n")
    assert [store.email_of(cid) for cid in ("first", "second", "fourth")] == [
        "ana@example.org", None, None]
    assert store.comments_of("bea@example.org") == []
    assert rows(store, "SELECT email FROM subscribers UNION ALL SELECT email FROM "
                       "subscriptions") == [("ana@example.org",), ("ana@example.org",)]
    waiting = yaml.safe_load((site.root / "content/comments/pending/waiting.yml").read_text())
    assert (waiting["author"], "email" in waiting, "url" in waiting) == ("Anonymous", False,
                                                                          False)
    site.build()
    page = BeautifulSoup(site.page("/2010/08/31/hello/"), "html.parser")
    assert [author.get_text(strip=True) for author in page.select(".comment-author")] == [
        "Ana", "Anonymous", "Rui", "Anonymous"]
    assert "bea.example" not in str(page)


def test_forget_without_anonymize_keeps_the_comments_as_they_read(make_site):
    site = messy_site(make_site)
    before = (site.root / THREAD).read_bytes()
    result = run_sitegen("comments", "forget", "rui@example.org", "--site", str(site.root))
    assert result.returncode == 0, result.stderr
    assert (site.root / THREAD).read_bytes() == before.replace(b", email: rui@example.org", b"")
    assert result.stdout.splitlines() == [
        "  content/comments/2010-08-31-hello.yml: 1 address removed",
        "forgot rui@example.org in the private store: 0 comments' addresses, 0 reply "
        "subscriptions",
        "changed 1 thread file: run `sitegen build` and commit them to publish the change"]
    nobody = run_sitegen("comments", "forget", "nobody@example.org", "--site", str(site.root))
    assert nobody.stdout.endswith("nobody@example.org was nowhere: nothing changed\n")


def test_an_import_that_cannot_keep_the_addresses_puts_back_its_files(make_site):
    from datetime import UTC, datetime

    from sitegen.config import Config
    from sitegen.importers.files import plan_files, write_files

    site = make_site({"content/posts/2010-08-31-hello.md": post("Hello")})
    (site.root / "private").write_text("a file where the private folder should be")
    when = datetime(2012, 3, 14, 10, tzinfo=UTC)
    item = ImportedItem(key="a", kind="post", title="A", slug="a", date=when, body="Body.\n",
                        comments=(ImportedComment(id="c1", author="Zé", date=when, body="Hi",
                                                  email="ze@example.org"),))
    planned = plan_files(Export(items=[item]), site.paths, Config(), force=False)
    with pytest.raises(ExportError) as caught:
        write_files(planned, site.paths)
    assert "cannot keep the readers' addresses of the comments in the private store" in str(
        caught.value)
    assert sorted(p.relative_to(site.root).as_posix() for p in site.root.rglob("*")
                  if p.is_file()) == ["content/posts/2010-08-31-hello.md", "private"]


def test_the_sample_blogs_threads_hold_no_readers_address():
    from privacy_support import ADDRESS

    from conftest import REPO

    threads = sorted((REPO / "content/comments").glob("*.yml"))
    assert threads
    assert {thread.name: ADDRESS.findall(thread.read_bytes()) for thread in threads
            if ADDRESS.search(thread.read_bytes())} == {}
