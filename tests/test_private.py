"""The private store: one SQLite file in private/, out of git, surviving every process."""

from __future__ import annotations

import subprocess

from sitegen.layout import SitePaths
from sitegen.private import PrivateStore


def test_store_lives_in_the_private_folder_which_git_ignores(tmp_path):
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    store = PrivateStore(SitePaths.at(tmp_path))
    store.set_email("c1", "reader@example.org")
    assert store.path == tmp_path / "private" / "sitegen.sqlite3"
    listed = subprocess.run(["git", "ls-files", "--others", "--exclude-standard"],
                            cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    assert listed == ""


def test_secret_is_made_once_and_kept_across_openings(tmp_path):
    paths = SitePaths.at(tmp_path)
    first = PrivateStore(paths).secret("links")
    assert len(first) == 32
    assert PrivateStore(paths).secret("links") == first
    assert PrivateStore(paths).secret("other") != first


def test_a_token_is_used_once(tmp_path):
    store = PrivateStore(SitePaths.at(tmp_path))
    assert store.use_token("abc", 1.0)
    assert not store.use_token("abc", 2.0)


def test_emails_and_settings_round_trip(tmp_path):
    store = PrivateStore(SitePaths.at(tmp_path))
    assert store.email_of("c1") is None
    store.set_email("c1", "a@example.org")
    assert store.email_of("c1") == "a@example.org"
    assert store.setting("password") is None
    store.set_setting("password", "hash")
    assert store.setting("password") == "hash"
