"""Shared pieces of the output tests: what a reader of the output folder sees, and what a
build leaves beside it."""

from __future__ import annotations

from pathlib import Path

HELLO = "content/posts/2010-08-31-hello.md"


def published(output: Path) -> dict[str, bytes]:
    """What a reader of the output folder can get: every file's bytes, by path."""
    return {path.relative_to(output).as_posix(): path.read_bytes()
            for path in sorted(output.rglob("*")) if path.is_file()}


def leftovers(site) -> list[str]:
    """Anything a build left beside the output folder."""
    return sorted(p.name for p in site.output.parent.iterdir() if p.name.startswith(".output"))


def folders(output: Path) -> set[str]:
    return {path.relative_to(output).as_posix() for path in output.rglob("*") if path.is_dir()}
