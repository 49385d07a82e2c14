"""Finding what the owner means on the command line: a comment by part of its id, as git
takes part of a commit's, and a post by its file stem, its slug or its address.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

from .config import Config
from .entries import COMMENT_ID, shown_id
from .errors import ContentError, Problem, SitegenError
from .layout import SitePaths
from .posts import PostMeta, read_meta

SHORTEST = 4  # a shorter part of an id matches too much to be worth guessing


class Ambiguous(ContentError):
    """Part of an id that more than one id has."""


def match_id(given: str, known: Iterable[str], what: str = "comment") -> str:
    """The one id in `known` that is `given`, or starts or ends with it (at least SHORTEST
    characters); ContentError naming the candidates when there is not exactly one."""
    known = sorted(set(known))
    if given in known:
        return given
    if not COMMENT_ID.match(given):
        noun = what.split()[-1]
        raise ContentError(Problem(f"'{shown_id(given)}' is not a {noun} id (see `sitegen "
                                   f"comments {'blocked' if noun == 'block' else 'list'}`)"))
    if len(given) < SHORTEST:
        raise ContentError(Problem(f"no {what} '{given}' (give its whole id, or at least "
                                   f"{SHORTEST} characters of it)"))
    found = [cid for cid in known if cid.startswith(given) or cid.endswith(given)]
    if len(found) == 1:
        return found[0]
    if not found:
        raise ContentError(Problem(f"no {what} '{given}'"))
    raise Ambiguous(Problem(f"'{given}' could be any of {len(found)} {what}s: "
                               + ", ".join(found)))


def match_ids(given: Iterable[str], known: Iterable[str],
              what: str = "comment") -> tuple[list[str], list[Problem]]:
    """Each of `given` matched as by `match_id`; what could not be, as problems."""
    known = list(known)
    ids: list[str] = []
    problems: list[Problem] = []
    for part in given:
        try:
            ids.append(match_id(part, known, what))
        except ContentError as error:
            problems.extend(error.problems)
    return ids, problems


def find_post(paths: SitePaths, config: Config, given: str) -> str:
    """The file stem of the post `given` names: its file (with or without content/posts/
    and .md), its slug, or its address (absolute, or from the site's root)."""
    stem = Path(given).name.removesuffix(".md")
    if (paths.posts / f"{stem}.md").is_file():
        return stem
    address = _site_address(config, given)
    for path in sorted(paths.posts.glob("*.md")):
        try:
            post = post_ref(path, config)
        except (OSError, SitegenError):
            continue
        if given in (post.slug, post.url) or address == post.url:
            return post.stem
    raise ContentError(Problem(f"no post '{given}' in content/posts/ (give its file name, "
                               "its slug or its address)"))


def post_ref(path: Path, config: Config) -> PostMeta:
    """A post's names (stem, title, slug, address) from its front matter alone, without
    its Markdown; ContentError if the build would refuse the file."""
    return read_meta(path, path.read_bytes(), config)


def _site_address(config: Config, given: str) -> str | None:
    """`given` as a post's `url` ("/2010/08/31/hello/") if it is an address of the site:
    on its domain or from the root, under base_url's path; None otherwise."""
    parts = urlsplit(given)
    if parts.netloc and parts.netloc != urlsplit(config.base_url).netloc:
        return None
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    base = config.base_path
    return "/" + path[len(base):] if path.startswith(base) else None
