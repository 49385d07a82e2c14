"""Publishing to a git branch, as GitHub Pages serves one: the output folder becomes the
branch's next commit (with `.nojekyll`, so that Pages serves it as it is), pushed.

Everything is done by `git` in a bare repository of sitegen's own, kept in the build state
(one per target), with the output folder as its work tree: the site's own repository, its
index and its branches are never touched, and the staging index kept there between deploys
lets `git add` skip the files that did not change. A deploy with nothing changed makes no
commit.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

from .. import __version__
from ..config import DeployConfig
from ..layout import SitePaths
from ..progress import Report
from . import Published, failure

NOJEKYLL = ".nojekyll"
# Where the branch as last fetched from the target is kept in sitegen's repository.
FETCHED = "refs/sitegen/published"


class Git:
    """`git` run on sitegen's repository for one target, with the output as work tree."""

    def __init__(self, repository: Path, output: Path, target: str) -> None:
        self.target = target
        self.env = {**os.environ, "GIT_DIR": str(repository), "GIT_WORK_TREE": str(output)}
        self.output = output
        if self.run("var", "GIT_COMMITTER_IDENT").returncode != 0:
            # No name and email configured (a fresh server or CI runner): the commit is
            # sitegen's own, rather than a failed deploy.
            for role in ("AUTHOR", "COMMITTER"):
                self.env[f"GIT_{role}_NAME"] = "sitegen"
                self.env[f"GIT_{role}_EMAIL"] = "sitegen@localhost"

    def run(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["git", *args], env=self.env, cwd=self.output,
                              capture_output=True, text=True, stdin=subprocess.DEVNULL)

    def __call__(self, *args: str) -> str:
        """git's output, stripped; a failure is one line naming the target."""
        result = self.run(*args)
        if result.returncode != 0:
            raise failure(self.target, "git: " + _reason(result.stderr, args[0],
                                                         result.returncode))
        return result.stdout.strip()

    def paths(self, *args: str) -> list[str]:
        """The paths a command lists, -z separated."""
        return [path for path in self(args[0], "-z", *args[1:]).split("\0") if path]


def _reason(stderr: str, command: str, status: int) -> str:
    """git's own first line of complaint, without its 'fatal:' (the advice after it, such
    as checking access rights, would not fit on one line)."""
    said = [line.strip() for line in stderr.splitlines() if line.strip()]
    for line in said:
        for prefix in ("fatal: ", "error: "):
            if line.startswith(prefix):
                return line.removeprefix(prefix)
    return said[0] if said else f"'git {command}' exited with {status}"


def git_publish(paths: SitePaths, deploy: DeployConfig, target: str, dry_run: bool,
                progress: Report) -> Published:
    """Commit the output to `deploy.git_branch` of `deploy.git_remote` and push it."""
    if shutil.which("git") is None:
        raise failure(target, "the git program is not installed")
    url = _remote_url(paths.root, deploy.git_remote)
    git = Git(_repository(paths, url, deploy.git_branch), paths.output, target)
    progress("fetching the published branch", 0, 0)
    parent = _fetch(git, url, deploy.git_branch)
    progress("adding files", 0, 0)
    tree = _tree(git)
    uploaded, deleted = _changes(git, parent, tree)
    if dry_run or not (uploaded or deleted):
        return Published(target, uploaded, deleted, dry_run)
    message = f"Publish the site: {len(uploaded)} changed, {len(deleted)} deleted\n\n" \
              f"Made by sitegen {__version__} from {paths.root.name}."
    commit = git("commit-tree", tree, *(("-p", parent) if parent else ()), "-m", message)
    progress(f"pushing to {target}", 0, 0)
    git("push", "--quiet", url, f"{commit}:refs/heads/{deploy.git_branch}")
    git("update-ref", FETCHED, commit)
    return Published(target, uploaded, deleted, note=f"commit {commit[:12]}")


def _remote_url(root: Path, remote: str) -> str:
    """The URL of the site repository's remote of that name, else `remote` itself as a URL
    or a path (relative to the site)."""
    found = subprocess.run(["git", "remote", "get-url", remote], cwd=root, text=True,
                           capture_output=True, stdin=subprocess.DEVNULL)
    if found.returncode == 0 and found.stdout.strip():
        return found.stdout.strip()
    local = root / remote
    return str(local.resolve()) if ":" not in remote and local.exists() else remote


def _repository(paths: SitePaths, url: str, branch: str) -> Path:
    """sitegen's bare repository for this target, made on first use."""
    name = hashlib.blake2b(f"{url}\0{branch}".encode(), digest_size=8).hexdigest()
    paths.state.made()
    repository = paths.state.deploy / f"{name}.git"
    if not (repository / "HEAD").exists():
        subprocess.run(["git", "init", "--quiet", "--bare", str(repository)], check=True,
                       capture_output=True)
    return repository


def _fetch(git: Git, url: str, branch: str) -> str | None:
    """The commit the target's branch is at, fetched; None when it has no such branch."""
    if not git("ls-remote", "--heads", url, f"refs/heads/{branch}"):
        return None
    git("fetch", "--quiet", "--no-tags", url, f"+refs/heads/{branch}:{FETCHED}")
    return git("rev-parse", "--verify", f"{FETCHED}^{{commit}}")


def _tree(git: Git) -> str:
    """The tree of the output folder as it is, plus an empty `.nojekyll`."""
    # --force: the user's global excludes must not keep any file of the site out.
    git("add", "--all", "--force", ".")
    empty = git("hash-object", "-w", "--stdin")
    git("update-index", "--add", "--cacheinfo", f"100644,{empty},{NOJEKYLL}")
    return git("write-tree")


def _changes(git: Git, parent: str | None, tree: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(files added or changed, files deleted) from the parent's tree to `tree`."""
    if parent is None:
        return tuple(git.paths("ls-tree", "-r", "--name-only", tree)), ()
    words = git.paths("diff-tree", "-r", "--no-renames", "--name-status", parent, tree)
    uploaded, deleted = [], []
    for status, path in zip(words[::2], words[1::2], strict=True):
        (deleted if status == "D" else uploaded).append(path)
    return tuple(uploaded), tuple(deleted)
