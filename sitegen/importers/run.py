"""`sitegen import`: read an export, plan its files, write them (or only list them), and
say what was imported and what was left out, and why.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ..config import load_config
from ..layout import SitePaths
from ..plural import count
from ..progress import Report
from . import blogger, disqus, wordpress
from .files import Planned, plan_files, write_files
from .model import Export


@dataclass(frozen=True)
class ImportReport:
    """What one import read, the files it planned, and whether it only looked."""

    export: Export
    files: tuple[Planned, ...]
    root: Path
    dry_run: bool

    def listing(self) -> list[str]:
        """One line per file: what it is, where, and whether it was (or would be) written."""
        lines = []
        for planned in self.files:
            where = planned.path.relative_to(self.root).as_posix()
            added = (f" (+{count(planned.comments, 'comment')})" if planned.comments else
                     f" (+{count(planned.redirects, 'old address', 'old addresses')})"
                     if planned.redirects else "")
            if not planned.writes:
                lines.append(f"  exists  {where}: left as it is (--force replaces it)")
            else:
                lines.append(f"  {planned.kind:<7} {where}{added}")
        return lines

    def imported(self) -> Counter[str]:
        """Posts, drafts, pages and comments written (or that would be), and comments
        queued for moderation."""
        counts: Counter[str] = Counter(dict.fromkeys(("posts", "drafts", "pages", "comments",
                                                       "queued"), 0))
        for planned in self.files:
            if planned.writes and planned.kind == "pending":
                counts["queued"] += 1
            elif planned.writes:
                counts["comments"] += planned.comments
                if planned.kind in ("post", "draft", "page"):
                    counts[f"{planned.kind}s"] += 1
        return counts

    def skipped(self) -> Counter[str]:
        skipped = Counter(self.export.skipped)
        for planned in self.files:
            if not planned.writes:
                skipped[f"{planned.kind} files already in the site"] += 1
                skipped["comments in thread files already in the site"] += planned.comments
        return +skipped

    def summary(self) -> str:
        counts = self.imported()
        verb = "would import" if self.dry_run else "imported"
        posts, drafts, pages, comments = (
            count(counts[key], key.removesuffix("s"))
            for key in ("posts", "drafts", "pages", "comments"))
        lines = [f"{verb} {posts}, {drafts}, {pages} and {comments} "
                 f"from {count(self.export.entries, 'entry', 'entries')}"]
        if counts["queued"]:
            lines.append(f"queued for moderation: {count(counts['queued'], 'comment')} "
                         "(see `sitegen comments list`)")
        if redirected := sum(planned.redirects for planned in self.files):
            lines.append(f"old label, tag and category pages redirected: {redirected} "
                         "(content/redirects.yml)")
        lines += _section("kept differently", self.export.notes)
        lines += _section("left out", self.skipped())
        if self.dry_run:
            lines.append("dry run: nothing was written")
        return "\n".join(lines)


def _section(title: str, counts: Counter[str]) -> list[str]:
    if not counts:
        return []
    return [f"{title}:"] + [f"  {reason}: {count}" for reason, count in sorted(counts.items())]


def run_import(kind: str, source: Path, paths: SitePaths, dry_run: bool = False,
               force: bool = False, progress: Report | None = None) -> ImportReport:
    """Import the export `source` of format `kind` into the site at `paths`. Raises
    ExportError (nothing written) when the export cannot be read. `progress` hears how
    much of the export is read."""
    config = load_config(paths)
    if kind == "disqus":
        export = disqus.read(source, config, disqus.site_addresses(paths, config), progress)
    elif kind == "wordpress":
        export = wordpress.read(source, config, progress)
    else:
        export = blogger.read(source, config, progress)
    files = plan_files(export, paths, config, force)
    if not dry_run:
        write_files(files, paths)
    return ImportReport(export, tuple(files), paths.root, dry_run)
