"""ENDING: how the `sitegen` command ends its process, once the command is done.

Python's own end frees every object one by one: after a cold build, the blog's model as the
build returns (63 ms at 5,000 posts, 12 ms at 1,000), then the modules and compiled
templates (15-22 ms), all of it memory that the operating system takes back at once when
the process ends. So the command runs its exit handlers, flushes its output and ends there
(`os._exit`, as multiprocessing's workers do), and a build run by the command leaves its
model to that end (`kept`). Only the command: the preview builds again and again in one
process, and the tests call `cli.main` in theirs, so for them `kept` is None and everything
is freed as usual.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
from collections.abc import Callable
from typing import NoReturn

# What the command's builds leave to the end of the process; None in a process that ends
# the usual way.
_KEPT: list[object] | None = None


def end_after(command: Callable[[], int]) -> NoReturn:
    """Run `command`, then end the process with its exit status, skipping Python's teardown.
    An exception (SystemExit from --help included) ends the process the usual way, and so
    does a command that leaves a thread running, which Python's end waits for."""
    global _KEPT
    _KEPT = []
    status = command()
    if threading.active_count() > 1:
        sys.exit(status)
    # atexit's handlers (multiprocessing's clean-up, logging's flush) are the process's to
    # run, teardown or not; the rest of the teardown only frees memory.
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader gone (a closed pipe), a closed stream
            # What Python's own end does when flushing fails: the output did not all arrive.
            status = status or 120
    os._exit(status)


def kept() -> list[object] | None:
    """The list where a build leaves what need not be freed before the process ends, or None
    when the process ends the usual way (and must free it)."""
    return _KEPT
