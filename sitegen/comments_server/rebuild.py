"""Running the site's rebuild command after comments are published, never two at once;
with `[comments] publish = "git"`, committing and pushing the threads first (gitpublish.py).

Requests that arrive while a rebuild runs are folded into one more run after it, so a burst
of comments costs at most two builds, and the last build always sees the last comment.
"""

from __future__ import annotations

import logging
import shlex
import subprocess
import threading
from collections.abc import Callable

from ..layout import SitePaths, lock

log = logging.getLogger("sitegen.comments_server.app")
TIMEOUT = 600


class RebuildCommand:
    """A worker thread that runs `command` in the site's root whenever `request()` was
    called since its last run. The site's "rebuild" lock keeps other processes' rebuilds
    from overlapping with ours. `publish`, when given, runs first (so the build sees what
    was committed) and returns what went wrong, or None; `command` may then be empty."""

    def __init__(self, command: str, paths: SitePaths,
                 publish: Callable[[], str | None] | None = None) -> None:
        self.argv = shlex.split(command)
        self.paths = paths
        self.publish = publish
        self._wanted = threading.Event()
        self._stopping = False
        self._thread = threading.Thread(target=self._loop, name="sitegen-rebuild", daemon=True)
        self._thread.start()

    def request(self) -> None:
        self._wanted.set()

    def close(self, timeout: float | None = None) -> None:
        """Stop after the run in progress, if any."""
        self._stopping = True
        self._wanted.set()
        self._thread.join(timeout)

    def _loop(self) -> None:
        while True:
            self._wanted.wait()
            if self._stopping:
                return
            self._wanted.clear()
            self._run()

    def _run(self) -> None:
        if self.publish is not None and (failure := self.publish()):
            log.error("%s", failure)
        if not self.argv:
            return
        failure = run_command(self.argv, self.paths)
        if failure:
            log.error("%s", failure)
        else:
            log.info("rebuilt the site with %s", self.argv)


def run_command(argv: list[str], paths: SitePaths) -> str | None:
    """Run the rebuild command in the site's root now, once no other run holds the site's
    "rebuild" lock; what went wrong, or None when it succeeded."""
    with lock(paths, "rebuild"):
        try:
            done = subprocess.run(argv, cwd=paths.root, stdin=subprocess.DEVNULL,
                                  capture_output=True, text=True, timeout=TIMEOUT)
        except (OSError, subprocess.TimeoutExpired) as error:
            return f"rebuild command {argv} failed: {error}"
    if done.returncode != 0:
        return (f"rebuild command {argv} exited with {done.returncode}:\n"
                + (done.stderr or done.stdout).strip())
    return None
