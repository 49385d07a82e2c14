"""atomic.py: files replaced in one step, new files never replacing old ones, and the
temporary files of killed writers swept."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from sitegen.atomic import sweep, temp_file, write_file, write_new


def test_a_file_is_replaced_whole_and_keeps_its_permissions(tmp_path):
    path = tmp_path / "a.txt"
    write_file(path, b"one")
    assert path.read_bytes() == b"one" and path.stat().st_mode & 0o777 == 0o600
    path.chmod(0o644)
    write_file(path, lambda file: file.write(b"two"))
    assert path.read_bytes() == b"two" and path.stat().st_mode & 0o777 == 0o644
    write_file(tmp_path / "b.txt", b"x", mode=0o640)
    assert (tmp_path / "b.txt").stat().st_mode & 0o777 == 0o640


def test_a_writer_that_fails_leaves_the_old_file_and_no_temporary_one(tmp_path):
    path = tmp_path / "a.txt"
    write_file(path, b"old")

    def failing(file) -> None:
        file.write(b"half")
        raise RuntimeError("disk gone")

    with pytest.raises(RuntimeError):
        write_file(path, failing)
    assert path.read_bytes() == b"old" and sorted(os.listdir(tmp_path)) == ["a.txt"]


def test_a_new_file_never_replaces_one(tmp_path):
    path = tmp_path / "salt"
    write_new(path, b"first")
    with pytest.raises(FileExistsError):
        write_new(path, b"second")
    assert path.read_bytes() == b"first" and sorted(os.listdir(tmp_path)) == ["salt"]


def test_sweep_removes_temporary_files_of_dead_writers_only(tmp_path):
    descriptor, mine = temp_file(tmp_path / "a.txt")
    os.close(descriptor)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    orphan = tmp_path / f".b.txt.{dead}-xyz.tmp"
    orphan.write_bytes(b"left by a killed writer")
    assert sweep(tmp_path) == [orphan]
    assert mine.exists() and not orphan.exists()
