"""`sitegen deploy`: to a folder on this machine with the real rsync, and to a local bare
git repository with the real git."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from sitegen.config import DeployConfig
from sitegen.deploy import publish
from sitegen.errors import SitegenError

from helpers import post, run_sitegen

needs_rsync = pytest.mark.skipif(shutil.which("rsync") is None,
                                 reason="the rsync program is not installed")
needs_git = pytest.mark.skipif(shutil.which("git") is None,
                               reason="the git program is not installed")


def blog(make_site, deploy: str):
    return make_site({
        "sitegen.toml": f'base_url = "https://example.org"\n\n[deploy]\n{deploy}\n',
        "content/posts/2010-08-31-bread.md": post("Bread", tags="[bread]"),
        "content/posts/2010-09-04-walk.md": post("A walk", date="2010-09-04 10:00"),
        "content/posts/2010-09-20-soup.md": post("Soup", date="2010-09-20 10:00"),
    })


def deploy(site, *options: str) -> tuple[list[str], list[str], list[str]]:
    """Run `sitegen deploy --verbose`: (files the build wrote, uploaded, deleted)."""
    result = run_sitegen("deploy", "--verbose", "--site", str(site.root), *options)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()

    def listed(prefix: str) -> list[str]:
        return sorted(line.removeprefix(prefix) for line in lines if line.startswith(prefix))

    return listed("  wrote "), listed("  upload  "), listed("  delete  ")


def tree(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in folder.rglob("*") if path.is_file()}


def served(site) -> dict[str, bytes]:
    """The output folder's files: all of them are the site's."""
    return tree(site.output)


@needs_rsync
def test_rsync_moves_only_changed_files_and_deletes_removed_pages(make_site, tmp_path):
    www = tmp_path / "www"
    site = blog(make_site, f'rsync = "{www}/"')
    wrote, uploaded, deleted = deploy(site)
    assert tree(www) == served(site) and uploaded == sorted(served(site)) and deleted == []
    before = {path: (www / path).stat().st_mtime_ns for path in tree(www)}

    site.write("content/posts/2010-08-31-bread.md", post("Bread", tags="[bread]",
                                                              body="Rye, this time."))
    (site.root / "content/posts/2010-09-04-walk.md").unlink()
    wrote, uploaded, deleted = deploy(site)
    assert uploaded == wrote and "2010/08/31/bread/index.html" in uploaded
    assert deleted == ["2010/09/04/walk/index.html"]
    assert tree(www) == served(site)
    assert not (www / "2010/09/04").exists()
    unchanged = [path for path in before if path not in wrote and path not in deleted]
    assert {"404.html", "robots.txt", "static/style.css"} <= set(unchanged)
    assert {path: (www / path).stat().st_mtime_ns for path in unchanged} == {
        path: before[path] for path in unchanged}


@needs_rsync
def test_a_second_deploy_with_nothing_changed_moves_nothing(make_site, tmp_path):
    site = blog(make_site, f'rsync = "{tmp_path / "www"}/"')
    deploy(site)
    result = run_sitegen("deploy", "--site", str(site.root))
    assert result.stdout.splitlines()[-1] == f"{tmp_path / 'www'}/ is up to date: nothing to " \
                                             "publish"


@needs_rsync
def test_a_dry_run_lists_what_would_change_and_changes_nothing(make_site, tmp_path):
    www = tmp_path / "www"
    www.mkdir()
    (www / "old.html").write_text("gone soon", encoding="utf-8")
    site = blog(make_site, f'rsync = "{www}/"')
    result = run_sitegen("deploy", "--dry-run", "--site", str(site.root))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "  upload  index.html" in lines and "  delete  old.html" in lines
    assert lines[-1] == f"{www}/: would upload {len(served(site))} files, would delete 1 file"
    assert tree(www) == {"old.html": b"gone soon"}


@needs_rsync
def test_a_failed_rsync_is_one_line_naming_the_target(make_site, tmp_path):
    target = f"{tmp_path / 'no' / 'such' / 'www'}/"
    site = blog(make_site, f'rsync = "{target}"')
    result = run_sitegen("deploy", "--site", str(site.root))
    assert result.returncode == 1
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(f"error: deploy to {target} failed: rsync: ")


def git(*args: str, cwd: Path | None = None) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout


@needs_git
def test_git_commits_the_site_to_a_branch_with_nojekyll_one_commit_per_change(
        make_site, tmp_path):
    bare = tmp_path / "pages.git"
    git("init", "--quiet", "--bare", str(bare))
    site = blog(make_site, f'git_remote = "{bare}"\ngit_branch = "gh-pages"')
    deploy(site)
    published = git("--git-dir", str(bare), "ls-tree", "-r", "--name-only", "gh-pages")
    assert sorted(published.split()) == sorted([*served(site), ".nojekyll"])
    home = subprocess.run(["git", "--git-dir", str(bare), "show", "gh-pages:index.html"],
                          capture_output=True, check=True).stdout
    assert home == (site.output / "index.html").read_bytes()

    site.write("content/posts/2010-08-31-bread.md", post("Bread", tags="[bread]",
                                                              body="Rye, this time."))
    wrote, uploaded, _ = deploy(site)
    assert git("--git-dir", str(bare), "rev-list", "--count", "gh-pages").strip() == "2"
    changed = git("--git-dir", str(bare), "diff", "--name-only", "gh-pages~1", "gh-pages")
    assert sorted(changed.split()) == wrote == uploaded
    # Nothing changed: no commit at all.
    deploy(site)
    assert git("--git-dir", str(bare), "rev-list", "--count", "gh-pages").strip() == "2"


@needs_git
def test_git_remote_may_name_a_remote_of_the_site_repository(make_site, tmp_path):
    bare = tmp_path / "blog.git"
    git("init", "--quiet", "--bare", str(bare))
    site = blog(make_site, 'git_remote = "origin"')
    git("init", "--quiet", cwd=site.root)
    git("remote", "add", "origin", str(bare), cwd=site.root)
    deploy(site)
    assert "index.html" in git("--git-dir", str(bare), "ls-tree", "--name-only", "gh-pages")
    # The site's own repository is left as it was: no branch, nothing staged.
    assert git("branch", "--list", cwd=site.root) == ""
    assert git("status", "--porcelain", "--untracked-files=no", cwd=site.root) == ""


@needs_git
def test_a_failed_push_is_one_line_naming_the_target(make_site, tmp_path):
    site = blog(make_site, f'git_remote = "{tmp_path / "nowhere.git"}"')
    result = run_sitegen("deploy", "--site", str(site.root))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"error: deploy to gh-pages of {tmp_path / 'nowhere.git'} failed: git: "
        f"'{tmp_path / 'nowhere.git'}' does not appear to be a git repository"]


def test_an_output_built_with_drafts_or_future_posts_is_never_published(make_site, tmp_path):
    site = blog(make_site, f'rsync = "{tmp_path / "www"}/"')
    site.build(future=True)
    with pytest.raises(SitegenError, match="built with --drafts or --future; run "
                                           "`sitegen build` before publishing it"):
        publish(site.paths, DeployConfig(rsync=f"{tmp_path / 'www'}/"))
    assert not (tmp_path / "www").exists()
    site.build()
    assert publish(site.paths, DeployConfig(rsync=f"{tmp_path / 'www'}/")).uploaded


def test_deploy_takes_no_drafts_option(make_site):
    site = blog(make_site, 'rsync = "/tmp/unused/"')
    assert run_sitegen("deploy", "--drafts", "--site", str(site.root)).returncode == 2


def test_no_target_is_one_line_before_anything_is_built(make_site):
    site = make_site({"content/posts/2010-08-31-bread.md": post("Bread")})
    result = run_sitegen("deploy", "--site", str(site.root))
    assert result.returncode == 1
    assert result.stderr == ('error: sitegen.toml has no [deploy] target: set rsync = '
                             '"user@host:/path/", or git_remote (and git_branch)\n')
    assert not site.output.exists()


def test_both_targets_at_once_is_a_configuration_error(make_site):
    site = blog(make_site, 'rsync = "/tmp/x/"\ngit_remote = "origin"')
    result = run_sitegen("deploy", "--site", str(site.root))
    assert result.returncode == 1
    assert "'deploy' has both 'rsync' and 'git_remote'" in result.stderr
