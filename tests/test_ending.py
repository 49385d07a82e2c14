"""ending.py: the `sitegen` command ends its process without Python's teardown, yet with its
exit status, all of its output and its exit handlers run."""

from __future__ import annotations

import os
import subprocess
import sys

from sitegen import cli, ending

from helpers import post, run_sitegen

# Python as it runs for a user: its output buffered (this machine sets PYTHONUNBUFFERED).
BUFFERED = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}

LEFT_RUNNING = """
import sys, threading, time
from sitegen.ending import end_after

def finish():
    time.sleep(0.3)
    print("the thread finished", flush=True)

def command():
    threading.Thread(target=finish).start()
    return 4

end_after(command)
"""

UNREAD = """
import sys, time
from sitegen.ending import end_after

def command():
    print("left in the buffer, unread")
    print("ready", file=sys.stderr, flush=True)
    time.sleep(0.5)  # meanwhile the reader goes
    return 0

end_after(command)
"""

ENDED = """
import atexit, sys
from sitegen.ending import end_after

def command():
    atexit.register(lambda: print("then the exit handler", file=sys.stderr))
    print("the command's output, still in its buffer", end="")
    return 3

end_after(command)
print("never reached")
"""


def test_the_process_ends_with_the_status_the_output_and_the_exit_handlers():
    # Through pipes, where Python buffers stdout whole: nothing written may be lost.
    ended = subprocess.run([sys.executable, "-c", ENDED], capture_output=True, text=True,
                           timeout=60, env=BUFFERED)
    assert ended.returncode == 3
    assert ended.stdout == "the command's output, still in its buffer"
    assert ended.stderr == "then the exit handler\n"


def test_output_that_no_one_reads_any_more_ends_as_python_would():
    ended = subprocess.Popen([sys.executable, "-c", UNREAD], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=BUFFERED)
    assert ended.stderr.readline() == b"ready\n"
    ended.stdout.close()
    assert ended.wait(timeout=60) == 120  # Python's status when its output cannot be flushed
    assert ended.stderr.read() == b""  # and no traceback


def test_a_thread_left_running_is_waited_for_as_python_would():
    ended = subprocess.run([sys.executable, "-c", LEFT_RUNNING], capture_output=True,
                           text=True, timeout=60, env=BUFFERED)
    assert (ended.returncode, ended.stdout) == (4, "the thread finished\n")


def test_a_built_site_is_whole_when_the_command_has_ended(make_site):
    site = make_site({f"content/posts/2010-08-{day:02d}-day.md": post(
        f"Day {day}", date=f"2010-08-{day:02d} 09:15") for day in range(1, 11)})
    built = run_sitegen("build", "--site", str(site.root))
    assert built.returncode == 0, built.stderr
    assert built.stdout.startswith(f"building {site.root}")
    assert "10 posts" in built.stdout.splitlines()[-1]
    assert (site.root / "output/2010/08/10/day/index.html").is_file()
    missing = site.root / "no such folder"
    failed = run_sitegen("build", "--site", str(missing))
    assert (failed.returncode, failed.stderr) == (2, f"error: --site {missing}: no such folder\n")


def test_a_build_in_a_process_that_goes_on_keeps_nothing(make_site):
    """The tests and the preview call `main` and `build` in a process that goes on: their
    models must be freed as usual."""
    site = make_site({"content/posts/2010-08-31-hello.md": post("Hello")})
    assert cli.main(["build", "--site", str(site.root), "--quiet"]) == 0
    assert ending.kept() is None
