"""Comment bodies through the old engine and the new one, side by side: what changed.

    python bench/comment_engines.py [--exports DIR] [--examples N] [--old-worst]

The old engine is Python-Markdown (fenced_code, sane_lists) and the allow-list as it was
before comments moved to cmark-gfm; the new one is sitegen's CommentRenderer. The bodies
are every comment of the sample blog, of the real exports in ../shared/data/exports
(imported into a scratch site, pending ones included) and the XSS payloads of the tests.
Prints, per source, how many bodies render the same, the same but for white space, or
differently, and for each kind of difference its count and a first example; then checks
that no new output holds anything that could run, and times both engines. Last, the time of
each known worst case (tests/worst_bodies.py) in the new engine, best of three, and with
--old-worst in the old one too, once (minutes: 10,000 `[` alone took 9 s).
"""

from __future__ import annotations

import argparse
import html.parser
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests")]

import markdown  # noqa: E402
import nh3  # noqa: E402
import yaml  # noqa: E402
from worst_bodies import WORST  # noqa: E402
from xss_payloads import PAYLOADS  # noqa: E402

from sitegen.commentmarkup import CommentRenderer  # noqa: E402
from sitegen.importers.run import run_import  # noqa: E402
from sitegen.layout import SitePaths  # noqa: E402
from sitegen.sourcefile import markdown_extensions  # noqa: E402

EXPORTS = {"themeunittestdata.wordpress.xml": "wordpress",
           "wxr-utf-8-challenges.xml": "wordpress", "blogger-sample2.xml": "blogger",
           "isso-disqus.xml": "disqus"}
OLD_TAGS = {"p", "br", "a", "em", "strong", "code", "pre", "ul", "ol", "li", "blockquote"}
ALLOWED = {"p", "br", "a", "em", "strong", "del", "code", "pre", "ul", "ol", "li",
           "blockquote"}
TAGS = ("a", "del", "em", "strong", "code", "pre", "ul", "ol", "li", "blockquote", "br", "p")


def old_engine() -> Callable[[str], str]:
    md = markdown.Markdown(extensions=markdown_extensions(["fenced_code", "sane_lists"]))

    def convert(text: str) -> str:
        md.reset()
        return nh3.clean(md.convert(text), tags=OLD_TAGS, attributes={"a": {"href", "title"}},
                         url_schemes={"http", "https", "mailto"}, link_rel="nofollow ugc")
    return convert


def bodies_of(folder: Path) -> list[str]:
    """Every comment body in the thread and pending files under `folder`."""
    found = []
    for path in sorted(folder.rglob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for entry in data if isinstance(data, list) else [data]:
            if isinstance(entry, dict) and entry.get("body") is not None:
                found.append(str(entry["body"]))
    return found


def exported_bodies(folder: Path) -> list[str]:
    found = []
    for name, kind in EXPORTS.items():
        if not (folder / name).exists():
            print(f"{name}: absent, skipped")
            continue
        with tempfile.TemporaryDirectory() as scratch:
            root = Path(scratch)
            (root / "sitegen.toml").write_text('base_url = "https://example.org"\n')
            run_import(kind, folder / name, SitePaths.at(root))
            found += bodies_of(root / "content" / "comments")
    return found


class Holes(html.parser.HTMLParser):
    """Whatever in sanitised HTML is not on the allow-list: an element, an attribute, or a
    link that is not http(s), mailto or relative."""

    def __init__(self, markup: str) -> None:
        super().__init__()
        self.found: list[str] = []
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag not in ALLOWED:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if (tag, name) not in (("a", "href"), ("a", "title"), ("a", "rel")):
                self.found.append(f"{tag} {name}")
            elif name == "href" and re.match(r"(?i)\s*[a-z][a-z0-9+.-]*:", value or "") \
                    and not re.match(r"(?i)(https?|mailto):", value):
                self.found.append(f"href {value[:40]}")


def kinds(old: str, new: str) -> list[str]:
    """What differs between two renderings of one body, by the elements each holds."""
    if old.strip() == new.strip():
        return []
    if squeeze(old) == squeeze(new):
        return ["white space only"]
    if squeeze(old) == "<p></p>" and not new.strip():
        return ["empty paragraph left out"]
    found = [f"<{tag}> {'added' if new_count > old_count else 'removed'}"
             for tag in TAGS
             if (old_count := count(old, tag)) != (new_count := count(new, tag))]
    if "\u2610" in new or "\u2611" in new:
        found.append("task list boxes")
    if re.search(r"<a (?![^>]*href=)", old) and not re.search(r"<a (?![^>]*href=)", new):
        found.append("link without address unwrapped")
    return found or ["text only (same elements)"]


def count(html: str, tag: str) -> int:
    return len(re.findall(rf"<{tag}[\s>/]", html))


def squeeze(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r">\s+", ">", re.sub(r"\s+<", "<", html))).strip()


def compare(label: str, bodies: list[str], examples: int) -> tuple[float, float]:
    old_convert, new_convert = old_engine(), CommentRenderer().convert
    started = time.perf_counter()
    olds = [old_convert(body) for body in bodies]
    middle = time.perf_counter()
    news = [str(new_convert(body)) for body in bodies]
    ended = time.perf_counter()
    tally: Counter[str] = Counter()
    shown: dict[str, tuple[str, str, str]] = {}
    same = 0
    for body, old, new in zip(bodies, olds, news, strict=True):
        found = kinds(old, new)
        same += not found
        for kind in found:
            tally[kind] += 1
            shown.setdefault(kind, (body, old, new))
    unsafe = [(new, holes) for new in news if (holes := Holes(new).found)]
    print(f"\n== {label}: {len(bodies)} bodies, {same} identical, {len(bodies) - same} differ; "
          f"{len(unsafe)} unsafe outputs")
    for kind, number in tally.most_common():
        print(f"  {number:4}  {kind}")
        if examples:
            body, old, new = shown[kind]
            old, new = squeeze(old), squeeze(new)
            at = max(_first_difference(old, new) - examples // 4, 0)
            for name, text in (("in", body[:examples]), ("old", old[at:at + examples]),
                               ("new", new[at:at + examples])):
                print(f"          {name:3} {text!r}")
    for new, holes in unsafe:
        print(f"  UNSAFE: {holes} in {new[:200]!r}")
    return middle - started, ended - middle


def time_worst(old_too: bool) -> None:
    """Each worst case's time in the new engine (best of three) and, if asked, the old."""
    new_convert, old_convert = CommentRenderer().convert, old_engine()
    print("\nworst cases, 10,000 characters or fewer:")
    for name, body in WORST.items():
        new = min(_seconds(new_convert, body) for _ in range(3))
        old = f"{_seconds(old_convert, body) * 1000:9.1f} ms" if old_too else ""
        print(f"  {name:28} cmark-gfm {new * 1000:6.2f} ms  {old}")


def _seconds(convert: Callable[[str], object], body: str) -> float:
    started = time.perf_counter()
    convert(body)
    return time.perf_counter() - started


def _first_difference(old: str, new: str) -> int:
    return next((n for n, (a, b) in enumerate(zip(old, new, strict=False)) if a != b),
                min(len(old), len(new)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    found = (parent / "shared" / "data" / "exports" for parent in REPO.parents)
    parser.add_argument("--exports", type=Path, help="the folder of real exports",
                        default=next((f for f in found if f.is_dir()), Path("exports")))
    parser.add_argument("--examples", type=int, default=160,
                        help="characters of each example to print (0: none)")
    parser.add_argument("--old-worst", action="store_true",
                        help="time the worst cases in Python-Markdown too (minutes)")
    args = parser.parse_args()
    sources = {"sample blog": bodies_of(REPO / "content" / "comments"),
               "real exports": exported_bodies(args.exports) if args.exports.is_dir() else [],
               "XSS payloads": list(PAYLOADS)}
    totals = [0.0, 0.0]
    for label, bodies in sources.items():
        for n, seconds in enumerate(compare(label, bodies, args.examples)):
            totals[n] += seconds
    count_all = sum(map(len, sources.values()))
    print(f"\n{count_all} bodies: Python-Markdown + nh3 {totals[0] * 1000:.1f} ms, "
          f"cmark-gfm + nh3 {totals[1] * 1000:.1f} ms")
    time_worst(args.old_worst)


if __name__ == "__main__":
    main()
