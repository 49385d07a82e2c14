"""Helpers for the privacy tests: a site as a git repository, and what git would commit."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ADDRESS = re.compile(rb"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                          check=True).stdout


def make_repository(root: Path) -> None:
    git(root, "init", "-q")


def committable(root: Path) -> list[str]:
    """Every file git tracks or would add with `git add -A`: what a push could publish."""
    listed = git(root, "ls-files") + git(root, "ls-files", "--others", "--exclude-standard")
    return sorted(set(listed.split()))


def addresses_in(root: Path, files: list[str]) -> dict[str, set[bytes]]:
    """The email addresses found in each of `files` that has any."""
    found = {}
    for name in files:
        hits = set(ADDRESS.findall((root / name).read_bytes()))
        if hits:
            found[name] = hits
    return found
