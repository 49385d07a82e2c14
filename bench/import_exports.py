"""Try the importers on the real-world exports in ../shared/data/exports (read in place) and
on a generated WordPress export of any size; print what each one gave.

    python bench/import_exports.py [--exports DIR] [--posts N] [--comments M]

For each real export: entries read, posts / drafts / pages / comments imported, what was
left out and why, and whether the imported site builds. For the generated export: its size,
the import's time, and how much the process's peak memory grew during it.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sitegen.build import build  # noqa: E402
from sitegen.config import BuildOptions  # noqa: E402
from sitegen.importers.run import run_import  # noqa: E402
from sitegen.layout import SitePaths  # noqa: E402

CONFIG = 'base_url = "https://example.org"\ntimezone = "Europe/Lisbon"\n'
REAL = {
    "themeunittestdata.wordpress.xml": "wordpress",
    "wxr-utf-8-challenges.xml": "wordpress",
    "blogger-sample2.xml": "blogger",
    "isso-disqus.xml": "disqus",
}
# The isso sample's threads point at addresses of a blog we do not have; this post stands
# in for the one page of it whose address we can give, so that a match can be shown.
STAND_IN = ("content/posts/2013-02-12-redacted.md",
            "---\ntitle: Redacted\ndate: 2013-02-12\naliases: [/blog/2013/02/12/redacted/]\n"
            "---\nA stand-in.\n")


def new_site(root: Path) -> SitePaths:
    """An empty site with the default theme, as a blogger starting out would have."""
    root.mkdir(parents=True)
    (root / "sitegen.toml").write_text(CONFIG, encoding="utf-8")
    return SitePaths.at(root)


def try_real(folder: Path) -> None:
    for name, kind in REAL.items():
        source = folder / name
        if not source.exists():
            print(f"{name}: absent, skipped")
            continue
        with tempfile.TemporaryDirectory() as scratch:
            paths = new_site(Path(scratch) / "site")
            if kind == "disqus":
                stand_in = paths.root / STAND_IN[0]
                stand_in.parent.mkdir(parents=True)
                stand_in.write_text(STAND_IN[1], encoding="utf-8")
            started = time.perf_counter()
            report = run_import(kind, source, paths)
            seconds = time.perf_counter() - started
            built = build(paths, BuildOptions())
        counts = report.imported()
        print(f"{name} ({kind}): {report.export.entries} entries; imported "
              f"{counts['posts']} posts, {counts['drafts']} drafts, {counts['pages']} pages, "
              f"{counts['comments']} comments, {counts['queued']} queued for moderation "
              f"in {seconds:.2f} s")
        if redirected := sum(planned.redirects for planned in report.files):
            print(f"    old label, tag and category pages redirected: {redirected}")
        for title, found in (("kept differently", report.export.notes),
                             ("left out", report.skipped())):
            for reason, count in sorted(found.items()):
                print(f"    {title}: {reason}: {count}")
        print(f"    build: {built.posts} posts, {built.comments} comments, "
              f"{built.pages_written} pages in {built.seconds:.2f} s")


def generated_wxr(path: Path, posts: int, comments: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write('<rss xmlns:wp="http://wordpress.org/export/1.2/" xmlns:content='
                  '"http://purl.org/rss/1.0/modules/content/"><channel>'
                  "<wp:wxr_version>1.2</wp:wxr_version>\n")
        for n in range(posts):
            out.write(f"<item><title>Post {n}</title><link>http://old.example/p/{n}/</link>"
                      f"<content:encoded><![CDATA[{'Some <em>text</em>. ' * 60}\n\nMore.]]>"
                      f"</content:encoded><wp:post_id>{n}</wp:post_id><wp:post_date>"
                      f"2015-01-01 10:00:00</wp:post_date><wp:post_date_gmt>2015-01-01 09:00:00"
                      f"</wp:post_date_gmt><wp:post_name>post-{n}</wp:post_name><wp:status>"
                      "publish</wp:status><wp:post_type>post</wp:post_type>")
            for c in range(comments):
                out.write(f"<wp:comment><wp:comment_id>{n * comments + c}</wp:comment_id>"
                          "<wp:comment_author>Reader</wp:comment_author><wp:comment_date>"
                          "2015-01-02 10:00:00</wp:comment_date><wp:comment_content>Nice <b>"
                          "post</b>.</wp:comment_content><wp:comment_approved>1"
                          "</wp:comment_approved><wp:comment_parent>0</wp:comment_parent>"
                          "</wp:comment>")
            out.write("</item>\n")
        out.write("</channel></rss>\n")


def try_generated(posts: int, comments: int) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        source = Path(scratch) / "big.xml"
        generated_wxr(source, posts, comments)
        paths = new_site(Path(scratch) / "site")
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        report = run_import("wordpress", source, paths)
        seconds = time.perf_counter() - started
        grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
        size = source.stat().st_size
    counts = report.imported()
    print(f"generated WXR: {posts} posts x {comments} comments, {size / 1e6:.1f} MB: imported "
          f"{counts['posts']} posts and {counts['comments']} comments ({len(report.files)} "
          f"files) in {seconds:.2f} s; peak memory grew by {grown / 1024:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    found = (parent / "shared" / "data" / "exports" for parent in REPO.parents)
    parser.add_argument("--exports", type=Path, help="the folder of real exports",
                        default=next((f for f in found if f.is_dir()), Path("exports")))
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--comments", type=int, default=10)
    args = parser.parse_args()
    if args.exports.is_dir():
        try_real(args.exports)
    else:
        print(f"{args.exports}: absent, real exports skipped")
    try_generated(args.posts, args.comments)


if __name__ == "__main__":
    main()
