"""WordPress shortcodes in post bodies -> the HTML that WordPress showed for them.

`[gallery]` becomes the post's images (or those its `ids` name), `[audio]` and `[video]`
become players, `[embed]URL[/embed]` its address. The images stay where the old blog kept
them, as every image of an imported post does. Other shortcodes belong to plugins that
sitegen cannot run: they stay as text, and are counted.
"""

from __future__ import annotations

import html
import posixpath
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

# WordPress's own grammar (get_shortcode_regex, shortcode_parse_atts), for the names we know.
SHORTCODE = re.compile(
    r"\[(?P<name>gallery|audio|video|embed)\b(?P<attrs>[^\]]*?)/?\]"
    r"(?:(?P<inner>.*?)\[/(?P=name)\])?",
    re.IGNORECASE | re.DOTALL,
)
ATTRIBUTE = re.compile(
    r"""([\w-]+)\s*=\s*"([^"]*)"|([\w-]+)\s*=\s*'([^']*)'|([\w-]+)\s*=\s*([^\s'"]+)"""
    r"""|"([^"]*)"|(\S+)"""
)
# A plugin's shortcode, as far as text can tell: a name alone, or with key=value attributes
# ("[sic]" in prose looks the same, so the count is an upper bound).
OTHER_SHORTCODE = re.compile(r"\[([a-z][\w-]*)(?:\s+[\w-]+=[^\]]*)?\]", re.IGNORECASE)
SUFFIXES = {
    "image": frozenset({".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".svg"}),
    "audio": frozenset({".mp3", ".m4a", ".ogg", ".oga", ".wav", ".flac"}),
    "video": frozenset({".mp4", ".m4v", ".webm", ".ogv", ".mov"}),
}
MEDIA_KEYS = {"audio": ("src", "mp3", "m4a", "ogg", "wav"),
              "video": ("src", "mp4", "m4v", "webm", "ogv")}


@dataclass(frozen=True)
class Attachment:
    """A file uploaded to the old blog, as the export lists it."""

    id: str
    parent: str
    url: str
    title: str
    alt: str
    order: int

    def is_a(self, kind: str) -> bool:
        """Whether the file is an image, audio or video, by its name (exports give no type)."""
        return posixpath.splitext(urlsplit(self.url).path)[1].lower() in SUFFIXES[kind]


def expand(body: str, own: Sequence[Attachment], by_id: Mapping[str, Attachment],
           unknown: Counter[str]) -> str:
    """`body` with the shortcodes WordPress itself provides made HTML; `own` are the
    post's attachments. Shortcodes of plugins are counted in `unknown`, by name."""
    expanded = SHORTCODE.sub(lambda match: _expand(match, own, by_id), body)
    for match in OTHER_SHORTCODE.finditer(expanded):
        if match[1].lower() != "caption":  # unwrapped on its own, later
            unknown[match[1].lower()] += 1
    return expanded


def _expand(match: re.Match, own: Sequence[Attachment], by_id: Mapping[str, Attachment]) -> str:
    name, attrs = match["name"].lower(), attributes(match["attrs"])
    if name == "gallery":
        return _gallery(attrs, own, by_id)
    if name == "embed":
        return f"\n\n{(match['inner'] or '').strip()}\n\n"
    # Without an address, WordPress plays the post's first file of the kind.
    source = next((attrs[key] for key in MEDIA_KEYS[name] if attrs.get(key)),
                  attrs.get("0") or next((a.url for a in own if a.is_a(name)), ""))
    if not source.startswith(("http://", "https://")):
        return ""
    return f'\n\n<{name} controls src="{html.escape(source)}"></{name}>\n\n'


def attributes(text: str) -> dict[str, str]:
    """Named attributes by name; unnamed ones by position ("0", "1", ...)."""
    found: dict[str, str] = {}
    position = 0
    for match in ATTRIBUTE.finditer(text):
        for name, value in ((match[1], match[2]), (match[3], match[4]), (match[5], match[6])):
            if name:
                found[name.lower()] = value
                break
        else:
            found[str(position)] = match[7] if match[7] is not None else match[8]
            position += 1
    return found


def _gallery(attrs: dict[str, str], own: Sequence[Attachment],
             by_id: Mapping[str, Attachment]) -> str:
    named = attrs.get("ids") or attrs.get("include")
    if named:
        chosen = [by_id[i.strip()] for i in named.split(",") if i.strip() in by_id]
    else:
        excluded = {i.strip() for i in attrs.get("exclude", "").split(",")}
        chosen = sorted((a for a in own if a.id not in excluded),
                        key=lambda a: (a.order, int(a.id) if a.id.isdigit() else 0))
    images = [
        f'<img src="{html.escape(a.url)}" alt="{html.escape(a.alt or a.title)}">'
        for a in chosen if a.is_a("image")
    ]
    return f"\n\n<p>{' '.join(images)}</p>\n\n" if images else ""
