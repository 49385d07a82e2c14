"""Running a command as if in a terminal: its input and output on a pseudo-terminal."""

from __future__ import annotations

import errno
import os
import select
import subprocess
import sys
import time
from pathlib import Path


def run_in_terminal(*args: str, typed: str = "", cwd: Path | None = None,
                    code: str | None = None, timeout: float = 120) -> tuple[int, str]:
    """Run `python -m sitegen ARGS` (or `python -c CODE ARGS`) with standard input, output
    and error on one pseudo-terminal, type `typed` into it, and return the exit status and
    everything the terminal showed (typed text echoed, as a terminal does)."""
    command = [sys.executable, *(("-c", code) if code else ("-m", "sitegen")), *args]
    controller, terminal = os.openpty()
    process = subprocess.Popen(command, stdin=terminal, stdout=terminal, stderr=terminal,
                               cwd=cwd, start_new_session=True)
    os.close(terminal)
    try:
        if typed:
            os.write(controller, typed.encode())
        shown = _read_all(controller, time.monotonic() + timeout)
        return process.wait(timeout=timeout), shown.decode("utf-8", "replace")
    finally:
        os.close(controller)
        if process.poll() is None:
            process.kill()
            process.wait()


def _read_all(controller: int, deadline: float) -> bytes:
    chunks = []
    while (left := deadline - time.monotonic()) > 0:
        if not select.select([controller], [], [], left)[0]:
            break
        try:
            chunk = os.read(controller, 65536)
        except OSError as error:
            # Linux reports the end of a terminal whose last user closed it as EIO.
            if error.errno == errno.EIO:
                break
            raise
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)
