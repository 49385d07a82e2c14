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
        self.lock.parent.mkdir(parents=True, exist_ok=True)
        with self.lock.open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                done = subprocess.run(self.argv, cwd=self.cwd, stdin=subprocess.DEVNULL,
                                      capture_output=True, text=True, timeout=TIMEOUT)
            except (OSError, subprocess.TimeoutExpired) as error:
                log.error("rebuild command %s failed: %s", self.argv, error)
                return
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
        if done.returncode != 0:
            log.error("rebuild command %s exited with %d:\n%s", self.argv, done.returncode,
                      (done.stderr or done.stdout).strip())
        else:
            log.info("rebuilt the site with %s", self.argv)
