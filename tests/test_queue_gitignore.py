"""The moderation queues keep themselves out of git: whichever writer makes pending/ or
rejected/ (the comment server, `comments reject`, an import) makes its .gitignore."""

from __future__ import annotations

from pathlib import Path

from intake_support import JSON, comment, comment_site, running_intake, send
from privacy_support import committable, make_repository

from sitegen.comments_server.queue import Queue
from sitegen.importers.run import run_import

EXPORTS = Path(__file__).parent / "data" / "exports"


def test_a_comment_from_the_form_and_a_rejected_one_are_never_committable(make_site):
    site = comment_site(make_site)
    make_repository(site.root)
    with running_intake(site) as url:
        kept = send(url, comment(email="kept@example.org"), JSON).json["id"]
        dropped = send(url, comment(email="dropped@example.org"), JSON).json["id"]
    Queue(site.paths).reject([dropped])
    pending = site.root / "content/comments/pending"
    rejected = site.root / "content/comments/rejected"
    assert (pending / f"{kept}.yml").is_file() and (rejected / f"{dropped}.yml").is_file()
    assert (pending / ".gitignore").read_text().endswith("\n*\n")
    assert (rejected / ".gitignore").read_text().endswith("\n*\n")
    assert not [name for name in committable(site.root) if "/pending/" in name
                or "/rejected/" in name]


def test_an_existing_queue_folder_without_one_gets_it_at_the_next_comment(make_site):
    site = comment_site(make_site)
    make_repository(site.root)
    site.write("content/comments/pending/.keep", "")
    with running_intake(site) as url:
        send(url, comment(email="late@example.org"), JSON)
    assert not [name for name in committable(site.root) if "/pending/" in name]


def test_comments_an_import_queues_are_never_committable(make_site):
    site = make_site({"sitegen.toml": 'base_url = "https://example.org"\n'})
    make_repository(site.root)
    run_import("wordpress", EXPORTS / "wordpress.xml", site.paths)
    assert Queue(site.paths).ids(), "the export has a comment awaiting moderation"
    assert not [name for name in committable(site.root) if "/pending/" in name]
