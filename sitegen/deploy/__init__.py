"""`sitegen deploy`: publish the built output folder to the target in `[deploy]`.

The work is done by the programs made for it: `rsync` for a server (see rsync.py), `git`
for a branch that a host such as GitHub Pages serves (see gitbranch.py). The output folder
is published under the lock that builds into it take, so that a preview rebuilding with
drafts cannot change it half way, and never while it holds drafts or scheduled posts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..config import DeployConfig
from ..errors import Problem, SitegenError
from ..layout import SitePaths, output_lock
from ..plural import count
from ..progress import Report


@dataclass(frozen=True)
class Published:
    """What a deploy changed at its target (or would have, with `dry_run`)."""

    target: str
    uploaded: tuple[str, ...]
    deleted: tuple[str, ...]
    dry_run: bool = False
    # What the target now holds, such as the commit pushed, when there is more to say.
    note: str = ""

    def summary(self) -> str:
        if not self.uploaded and not self.deleted:
            return f"{self.target} is up to date: nothing to publish"
        verbs = ("would upload", "would delete") if self.dry_run else ("uploaded", "deleted")
        text = (f"{self.target}: {verbs[0]} {count(len(self.uploaded), 'file')}, "
                f"{verbs[1]} {count(len(self.deleted), 'file')}")
        return text + (f" ({self.note})" if self.note else "")

    def listing(self) -> list[str]:
        return ([f"  upload  {path}" for path in self.uploaded] +
                [f"  delete  {path}" for path in self.deleted])


def target_name(deploy: DeployConfig) -> str:
    """The target as people know it; SitegenError when sitegen.toml names none."""
    if deploy.rsync:
        return deploy.rsync
    if deploy.git_remote:
        return f"{deploy.git_branch} of {deploy.git_remote}"
    raise SitegenError(Problem("sitegen.toml has no [deploy] target: set rsync = "
                               "\"user@host:/path/\", or git_remote (and git_branch)"))


def publish(paths: SitePaths, deploy: DeployConfig, dry_run: bool = False,
            progress: Report | None = None,
            on_wait: Callable[[], None] | None = None) -> Published:
    """Publish `paths.output` as it is; SitegenError naming the target when that fails,
    and before anything moves when the folder is not fit to publish."""
    target = target_name(deploy)
    with output_lock(paths, on_wait):
        if paths.state.preview_flag(paths.output).exists():
            raise SitegenError(Problem(f"{paths.output} was built with --drafts or --future; "
                                       "run `sitegen build` before publishing it"))
        if not paths.output.is_dir():
            raise SitegenError(Problem(f"{paths.output} does not exist; run `sitegen build`"))
        report = progress or (lambda stage, done, total: None)
        if deploy.rsync:
            from .rsync import rsync_publish

            return rsync_publish(paths, target, dry_run, report)
        from .gitbranch import git_publish

        return git_publish(paths, deploy, target, dry_run, report)


def failure(target: str, reason: str) -> SitegenError:
    """The one line a failed deploy prints."""
    return SitegenError(Problem(f"deploy to {target} failed: {reason}"))
