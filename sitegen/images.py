"""Responsive images: the stage between MODEL and PLAN that gives each post's pictures
resized copies, `srcset` and `sizes`, `width` and `height`, lazy loading and async decoding.

A post knows, from loading, the local images its HTML shows and their lines (`Post.images`).
Those in the site's `static/` or beside the post are found here; each gets copies from the
`PictureStore`, published under `/images/`, and its `<img>` tag is rewritten in the post's
body and summary. The post's `source_digest` then takes in its pictures' digests, so every
page that shows it is made again when a picture changes. Images on other hosts are left as
they are; a missing local image is a warning naming the post and line.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from markupsafe import Markup
from slugify import slugify

from .errors import Problem, display_path
from .layout import SitePaths
from .output import Output
from .pictures import Copy, Picture, PictureStore
from .posts import Post
from .site import Site

FOLDER = "images"  # in the output
# The default theme's column is 40rem wide at most, and the page's whole width below that.
SIZES = "(min-width: 40rem) 40rem, 100vw"
_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"""([^\s"'=<>/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")


@dataclass(frozen=True)
class Published:
    """A file this stage adds to the output: a copy from the store, or a picture as it is."""

    relative: str
    digest: str
    source: Path
    copy: Copy | None = None


@dataclass(frozen=True)
class Shown:
    """How one image is shown: its new attributes, and what its page depends on."""

    attributes: dict[str, str]
    digest: str


@dataclass(frozen=True)
class Pictures:
    """The site with its posts' images made responsive, and the files to publish."""

    site: Site
    files: tuple[Published, ...]

    def planned(self) -> list[tuple[str, Path]]:
        """Each published picture's output path and the file it is from (for the checks of
        every path a build writes)."""
        return [(file.relative, file.source) for file in self.files]


def responsive_images(site: Site, paths: SitePaths, store: PictureStore) -> Pictures:
    """Find, copy and describe every local image of the site's posts; see the module."""
    files: dict[str, Published] = {}
    warnings: list[Problem] = []
    posts = [_with_pictures(post, paths, store, files, warnings) if post.images else post
             for post in site.posts]
    if not files and not warnings:
        return Pictures(site, ())
    site = dataclasses.replace(site, posts=tuple(posts),
                               warnings=(*site.warnings, *warnings))
    return Pictures(site, tuple(files.values()))


def write_pictures(output: Output, files: tuple[Published, ...], store: PictureStore) -> int:
    """Put each published picture in the output unless it holds it already; how many were
    written."""
    written = 0
    for file in files:
        if output.current(file.relative, file.digest):
            continue
        data = store.data(file.source, file.copy) if file.copy else file.source.read_bytes()
        written += output.put(file.relative, file.digest, data)
    store.save({file.copy.name for file in files if file.copy})
    return written


def _with_pictures(post: Post, paths: SitePaths, store: PictureStore,
                   files: dict[str, Published], warnings: list[Problem]) -> Post:
    shown: dict[str, Shown] = {}
    for src, line in post.images:
        path = _site_file(src, post, paths)
        picture = store.picture(path) if path else None
        if path is not None and picture is None:
            warnings.append(Problem(f"image {src} not found: there is no file "
                                    f"{display_path(path)}", post.source, line))
        elif picture is not None and src not in shown:
            shown[src] = _shown(src, path, picture, paths, store, files)
    if not shown:
        return post
    digest = hashlib.blake2b(repr((post.source_digest, sorted(
        (src, item.digest) for src, item in shown.items()))).encode(), digest_size=16)
    return dataclasses.replace(
        post, source_digest=digest.hexdigest(),
        body_html=_rewrite(post.body_html, shown), summary_html=_rewrite(post.summary_html, shown))


def _site_file(src: str, post: Post, paths: SitePaths) -> Path | None:
    """The file an image address names: under /static/ in the site's static folder, or a
    relative one beside the post; None for any other address (not the site's to check)."""
    address = unquote(urlsplit(src).path)
    if address.startswith("/static/"):
        base, relative = paths.static, address.removeprefix("/static/")
    elif address and not address.startswith("/"):
        base, relative = post.source.parent, address
    else:
        return None
    path = (base / relative).resolve()
    inside = path.is_relative_to(paths.static.resolve()) or path.is_relative_to(
        (paths.root / "content").resolve())
    return path if inside else None


def _shown(src: str, path: Path, picture: Picture, paths: SitePaths, store: PictureStore,
           files: dict[str, Published]) -> Shown:
    name = slugify(PurePosixPath(path.name).stem) or "image"
    if picture.resizable:
        copies = store.copies(path, picture)
        urls = []
        for copy in copies:
            relative = f"{FOLDER}/{name}-{picture.digest[:10]}-{copy.width}{Path(copy.name).suffix}"
            files[relative] = Published(relative, copy.name, path, copy)
            urls.append((f"/{relative}", copy.width))
        largest = copies[-1]
        attributes = {"src": urls[-1][0], "width": str(largest.width),
                      "height": str(largest.height),
                      "srcset": ", ".join(f"{url} {width}w" for url, width in urls),
                      "sizes": SIZES}
        return Shown(attributes, picture.digest)
    attributes = {"width": str(picture.width), "height": str(picture.height)} \
        if picture.width else {}
    if not path.is_relative_to(paths.static.resolve()):  # beside the post: publish it
        relative = f"{FOLDER}/{name}-{picture.digest[:10]}{path.suffix.lower()}"
        files[relative] = Published(relative, picture.digest, path)
        attributes["src"] = f"/{relative}"
    return Shown(attributes, picture.digest)


def _rewrite(markup: Markup, shown: dict[str, Shown]) -> Markup:
    """The HTML with the tags of shown images rewritten; the first image of the HTML loads
    at once (it is likely in view), the others when the reader scrolls near them."""
    seen = []

    def tag(found: re.Match) -> str:
        seen.append(found)
        attributes = _attributes(found[0])
        item = shown.get(attributes.get("src") or "")
        if item is None:
            return found[0]
        given = {"width", "height"} <= attributes.keys()  # the writer's own size stands
        attributes.update((key, value) for key, value in item.attributes.items()
                          if not (given and key in ("width", "height")))
        attributes.setdefault("decoding", "async")
        if len(seen) > 1:
            attributes.setdefault("loading", "lazy")
        # Written as Python-Markdown writes tags, so that it is well-formed XML too: feeds
        # carry the body as it is.
        return "<img " + " ".join(f'{key}="{html.escape(value or "")}"'
                                  for key, value in attributes.items()) + " />"

    return Markup(_IMG.sub(tag, str(markup)))


def _attributes(tag: str) -> dict[str, str | None]:
    """An <img> tag's attributes in order, their values unescaped (None: no value)."""
    inner = tag[4:].rstrip(">").rstrip("/")
    found: dict[str, str | None] = {}
    for match in _ATTRIBUTE.finditer(inner):
        value = next((v for v in match.groups()[1:] if v is not None), None)
        found.setdefault(match[1].lower(), None if value is None else html.unescape(value))
    return found
