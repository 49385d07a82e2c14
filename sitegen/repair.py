"""Put right what a killed sitegen left behind: the first thing every command does.

A build killed while moving its files into the output folder leaves a journal, and its old
files are put back (journal.py); a build killed at any point leaves its staging folder
beside the output (as large as the site); a writer killed before renaming leaves a hidden
temporary file (atomic.py), in content/ or in the state folder. Whatever a live process is
still using is left to it: the output folder of a build that holds its lock, the temporary
file of a writer that is still running.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from .atomic import sweep
from .errors import Problem
from .journal import read_journal
from .layout import SitePaths, output_lock
from .output import leftovers, repair_output


def repair(paths: SitePaths) -> list[Problem]:
    """Undo interrupted builds into any output folder of the site at `paths`, remove the
    leftovers of killed builds into `paths.output` and of killed writers in content/; a
    warning for each build undone."""
    outputs = {changes.output for journal in paths.state.journals()
               if (changes := read_journal(journal)) is not None}
    if leftovers(paths.output):
        outputs.add(paths.output)
    notes = []
    for output in sorted(outputs):
        into = dataclasses.replace(paths, output=output)
        with output_lock(into, wait=False) as held:
            if held and repair_output(into):
                notes.append(Problem(f"a build into {output} was stopped while it moved its "
                                     "files in; the output folder was put back as it was"))
    for folder in (*_content_folders(paths), paths.state.folder):
        if folder.is_dir():
            sweep(folder)
    return notes


def _content_folders(paths: SitePaths) -> tuple[Path, ...]:
    """Where sitegen writes content files (the importer, moderation, `sitegen new`)."""
    return (paths.redirects.parent, paths.posts, paths.pages, paths.comments,
            paths.pending, paths.rejected)
