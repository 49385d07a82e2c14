"""workers.py: the caller's word on parallelism, forked workers that share this process's
memory, and a pool of workers started afresh."""

from __future__ import annotations

import multiprocessing
import operator
import os
import time

import pytest

from sitegen.errors import Problem, ThemeError
from sitegen.workers import (
    BATCH,
    Parallelism,
    can_fork,
    cpu_count,
    fork_map,
    pool_map,
    run_aside,
)


def test_the_caller_decides_how_many_workers():
    assert Parallelism(jobs=3).workers(size=10, enough=1000, count=100) == 3
    assert Parallelism(jobs=3).workers(size=10, enough=1000, count=2) == 2
    assert Parallelism().workers(size=10, enough=1000, count=100) == 1
    assert Parallelism().workers(size=5000, enough=1000, count=100) == min(cpu_count(), 100)


def test_only_a_caller_that_says_so_forks():
    assert not can_fork(Parallelism())
    assert can_fork(Parallelism(fork_safe=True))


def _write_pid(path) -> None:
    path.write_text(str(os.getpid()))


@pytest.mark.skipif(cpu_count() < 2, reason="runs aside only with a core to spare")
def test_work_runs_aside_in_its_own_process_only_where_the_caller_allows(tmp_path):
    done = run_aside(Parallelism(fork_safe=True), _write_pid, tmp_path / "aside")
    done()
    assert int((tmp_path / "aside").read_text()) != os.getpid()
    for refused in (Parallelism(), Parallelism(jobs=1, fork_safe=True)):
        run_aside(refused, _write_pid, tmp_path / "not")()
        assert not (tmp_path / "not").exists()


# Workers send their results all at the end, or a batch at a time (`streamed`).
STREAMED = pytest.mark.parametrize("streamed", [False, True], ids=["at the end", "streamed"])


@STREAMED
def test_this_process_and_forked_workers_return_results_in_order(streamed):
    here = os.getpid()
    meanwhile, ticks = [], []
    shared = {"base": 100}  # in memory before the fork: nothing is sent to the workers

    def work(n: int) -> tuple[int, int]:
        time.sleep(0.01)  # long enough that every process gets a share
        return shared["base"] + n, os.getpid()

    results = fork_map(work, list(range(30)), 3,
                       meanwhile=lambda: meanwhile.append(os.getpid()), tick=ticks.append,
                       batch=1, streamed=streamed)
    assert [value for value, _ in results] == list(range(100, 130))
    pids = {pid for _, pid in results}
    assert here in pids and len(pids) == 3
    assert meanwhile == [here] and ticks[-1] == 30


@STREAMED
def test_a_failure_in_this_process_stops_the_workers_and_is_raised(streamed):
    here = os.getpid()

    def work(n: int) -> int:
        time.sleep(0.01)
        if os.getpid() == here:
            raise ThemeError(Problem("broken template"))
        return n

    with pytest.raises(ThemeError):
        fork_map(work, list(range(100)), 2, batch=1, streamed=streamed)
    assert multiprocessing.active_children() == []


@STREAMED
def test_a_worker_held_up_by_a_slow_item_leaves_the_rest_to_the_others(streamed):
    """Processes take batches as they go: pages differ in cost, and a process that was
    dealt a fixed share of them would leave the others idle at the end. The workers take
    theirs from the start of the items, this process from the end."""
    here = os.getpid()

    def work(n: int) -> int:
        time.sleep(1 if n == 0 else 0.002)
        return os.getpid()

    pids = fork_map(work, list(range(200)), 2, streamed=streamed)
    slow = pids[0]
    assert slow != here
    assert pids[:BATCH] == [slow] * BATCH  # the worker's first batch, the slow item's
    assert pids.count(slow) <= 2 * BATCH  # this process did nearly all of the rest
    assert pids[-1] == here


def _in_a_worker(fail):
    """Work that runs `fail(n)` in a forked worker, and succeeds in this process (whose own
    failures are raised as they are)."""
    here = os.getpid()

    def work(n: int) -> int:
        time.sleep(0.005)  # long enough that the worker gets a share
        return n if os.getpid() == here else fail(n)

    return work


def _broken_template(n: int) -> int:
    raise ThemeError(Problem("broken template"))


@STREAMED
def test_a_sitegen_error_in_a_worker_is_raised_here_as_it_was(streamed):
    # In the worker, not here: it crosses back as its problems, and is made again here.
    with pytest.raises(ThemeError) as caught:
        fork_map(_in_a_worker(_broken_template), list(range(20)), 2, batch=1,
                 streamed=streamed)
    assert caught.value.problems == (Problem("broken template"),)


@STREAMED
def test_a_crash_or_a_dead_worker_is_a_runtime_error(streamed):
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        fork_map(_in_a_worker(lambda n: 1 // 0), list(range(20)), 2, batch=1,
                 streamed=streamed)
    with pytest.raises(RuntimeError, match="died"):
        fork_map(_in_a_worker(lambda n: os._exit(3)), list(range(20)), 2, batch=1,
                 streamed=streamed)
    # A worker that dies after it has sent part of its results.
    with pytest.raises(RuntimeError, match="died"):
        fork_map(_in_a_worker(lambda n: os._exit(3) if n >= 10 else n), list(range(40)), 2,
                 batch=1, streamed=streamed)


def test_a_pool_of_fresh_workers_returns_results_in_order():
    assert list(pool_map(operator.mul, [2, 3, 4], 10, 2, Parallelism())) == [20, 30, 40]
