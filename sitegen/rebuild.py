"""Running the site's rebuild command after comments are published, never two at once.

Requests that arrive while a rebuild runs are folded into one more run after it, so a burst
of comments costs at most two builds, and the last build always sees the last comment.
"""

from __future__ import annotations

import fcntl
import logging
import shlex
import subprocess
import threading
from pathlib import Path

from .cache import state_folder

log = logging.getLogger("sitegen.intake")
TIMEOUT = 600


class Rebuilder:
    """A worker thread that runs `command` in `cwd` whenever `request()` was called since its
    last run. A lock file keeps other processes' rebuilds from overlapping with ours."""

    def __init__(self, command: str, cwd: Path, lock: Path) -> None:
        self.argv = shlex.split(command)
        self.cwd = cwd
        self.lock = lock
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
        failure = run_command(self.argv, self.cwd, self.lock)
        if failure:
            log.error("%s", failure)
        else:
            log.info("rebuilt the site with %s", self.argv)


def lock_file(root: Path) -> Path:
    """The lock every run of a site's rebuild command holds, whichever process runs it."""
    return state_folder(root) / "rebuild.lock"


def run_command(argv: list[str], cwd: Path, lock: Path) -> str | None:
    """Run the rebuild command now, once no other run holds `lock`; what went wrong, or
    None when it succeeded."""
    lock.parent.mkdir(parents=True, exist_ok=True)
    with lock.open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        try:
            done = subprocess.run(argv, cwd=cwd, stdin=subprocess.DEVNULL,
                                  capture_output=True, text=True, timeout=TIMEOUT)
        except (OSError, subprocess.TimeoutExpired) as error:
            return f"rebuild command {argv} failed: {error}"
        finally:
            fcntl.flock(held, fcntl.LOCK_UN)
    if done.returncode != 0:
        return (f"rebuild command {argv} exited with {done.returncode}:\n"
                + (done.stderr or done.stdout).strip())
    return None
