"""Bringing published comments back into the site's git repository (`[comments] publish =
"git"`): commit the thread files that changed, and push.

For a blog built from its repository elsewhere (GitHub Pages, Netlify) whose comment server
runs on a small machine with a clone: each publication commits the changed
`content/comments/*.yml` files, staged by path and nothing else (never the queues or the
private store), and pushes the current branch to its upstream. A push refused because the
remote moved is retried once after `git pull --rebase`: thread files only grow at their
end, so the rebase merges. Any failure leaves the commit local, to be pushed by the next
publication, and is returned as one line for the caller to log.
"""

from __future__ import annotations

import os
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..config import Config
from ..entries import entry_id, read_entries
from ..errors import SitegenError
from ..layout import SitePaths, lock
from ..lookup import post_ref

PUBLISH_GIT = "git"
TIMEOUT = 120
# Never wait for a password on a terminal nobody watches, nor for an editor.
GIT_ENV = {"GIT_TERMINAL_PROMPT": "0", "GIT_EDITOR": "true", "GIT_ASKPASS": "true"}


class GitFailure(Exception):
    """A git command that failed, said in one line."""


@dataclass(frozen=True)
class Git:
    """The `git` program, run in the site's folder with the identity it may lack."""

    cwd: Path
    identity: tuple[str, ...] = ()

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        try:
            done = subprocess.run(["git", *self.identity, *args], cwd=self.cwd,
                                  stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                  timeout=TIMEOUT, env={**os.environ, **GIT_ENV})
        except (OSError, subprocess.TimeoutExpired) as error:
            raise GitFailure(f"git {args[0]} failed: {error}") from None
        if check and done.returncode != 0:
            said = " ".join(line.strip() for line in (done.stderr or done.stdout).splitlines()
                            if line.strip())
            raise GitFailure(f"git {args[0]} exited with {done.returncode}: {said}")
        return done


def publish_threads(paths: SitePaths, config: Config) -> str | None:
    """Commit the changed thread files and push; what went wrong in one line, or None.
    Under the site's "publish" lock, so the server and a CLI command never interleave."""
    with lock(paths, "publish"):
        try:
            git = Git(paths.root, _identity(Git(paths.root), config))
            _commit(git, paths, config)
            _push(git)
        except GitFailure as error:
            return f"comments not pushed to git (kept for the next publication): {error}"
    return None


def _identity(git: Git, config: Config) -> tuple[str, ...]:
    """`-c` options for the author's name and address, only where the repository (or the
    user's git config) has none."""
    options: list[str] = []
    fallback = {"user.name": config.author.strip() or "sitegen",
                "user.email": f"sitegen@{socket.gethostname()}"}
    for key, value in fallback.items():
        if git.run("config", "--get", key, check=False).returncode != 0:
            options += ["-c", f"{key}={value}"]
    return tuple(options)


def changed_threads(git: Git, paths: SitePaths) -> list[str]:
    """The thread files (`content/comments/*.yml`, no subfolder) that differ from HEAD or
    are new, relative to the site's folder."""
    folder = paths.comments.relative_to(paths.root).as_posix()
    listed = git.run("ls-files", "-z", "--modified", "--others", "--exclude-standard",
                     "--", folder).stdout.split("\0")
    staged = git.run("diff", "--cached", "--name-only", "-z", "--relative", "--",
                     folder).stdout.split("\0")
    return sorted({name for name in [*listed, *staged]
                   if name.endswith(".yml") and Path(name).parent.as_posix() == folder})


def _commit(git: Git, paths: SitePaths, config: Config) -> None:
    changed = changed_threads(git, paths)
    if not changed:
        return
    message = commit_message(git, paths, config, changed)
    git.run("add", "--", *changed)
    git.run("commit", "--quiet", "-m", message, "--only", "--", *changed)


def _push(git: Git) -> None:
    """Push the current branch if it has commits its upstream lacks; once more after a
    rebase when the remote moved."""
    ahead = git.run("rev-list", "--count", "@{upstream}..HEAD", check=False)
    if ahead.returncode == 0 and ahead.stdout.strip() == "0":
        return
    if git.run("push", "--quiet", check=False).returncode == 0:
        return
    pulled = git.run("pull", "--rebase", "--autostash", "--quiet", check=False)
    if pulled.returncode != 0:
        git.run("rebase", "--abort", check=False)
        said = " ".join((pulled.stderr or pulled.stdout).split())
        raise GitFailure(f"git pull --rebase exited with {pulled.returncode}: {said}")
    git.run("push", "--quiet")


def commit_message(git: Git, paths: SitePaths, config: Config, changed: list[str]) -> str:
    """"Comment by Ana on 'Hello'", a line per thread; the first line sums them up when
    several threads changed."""
    lines = [_thread_line(git, paths, config, name) for name in changed]
    if len(lines) == 1:
        return lines[0]
    return f"Comments on {len(lines)} posts\n\n" + "\n".join(lines)


def _thread_line(git: Git, paths: SitePaths, config: Config, name: str) -> str:
    stem = Path(name).stem
    try:
        title = post_ref(paths.posts / f"{stem}.md", config).title
    except (OSError, SitegenError):
        title = stem
    authors = _new_authors(git, paths.root / name, name)
    noun = "Comment" if len(authors) == 1 else "Comments"
    by = f" by {', '.join(authors)}" if authors else ""
    return f"{noun}{by} on '{title}'"


def _new_authors(git: Git, path: Path, name: str) -> list[str]:
    """The authors of the entries in the thread that HEAD does not have, each once."""
    try:
        now = read_entries(path, path.read_bytes()) if path.exists() else []
        before = git.run("show", f"HEAD:./{name}", check=False)
        old = read_entries(path, before.stdout.encode()) if before.returncode == 0 else []
    except (OSError, SitegenError):
        return []
    known = {entry_id(entry) for entry in old if isinstance(entry, dict)}
    authors = [str(entry.get("author", "")).strip() for entry in now
               if isinstance(entry, dict) and entry_id(entry) not in known]
    return list(dict.fromkeys(author for author in authors if author))
