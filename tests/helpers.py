"""Small builders for test input, and the command line run as a user runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# The environment of a user's shell, where Python writes bytecode (this machine's does not).
USER_ENVIRONMENT = {name: value for name, value in os.environ.items()
                    if name != "PYTHONDONTWRITEBYTECODE"}


def post(title: str, date: str | None = "2010-08-31 09:15", body: str = "Hello.", **meta) -> str:
    """A post file's text with the given front matter."""
    lines = [f"title: {title!r}" if ":" in title else f"title: {title}"]
    if date is not None:
        lines.append(f"date: {date}")
    lines += [f"{key}: {value}" for key, value in meta.items()]
    return "---\n" + "\n".join(lines) + "\n---\n" + body + "\n"


def run_sitegen(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """The real command line, in a child process, as a user would run it (with Python
    writing bytecode: see conftest.py)."""
    return subprocess.run(
        [sys.executable, "-m", "sitegen", *args],
        cwd=cwd, capture_output=True, text=True, timeout=120, env=USER_ENVIRONMENT,
    )


def thread(*comments: dict) -> str:
    """A comment thread file's text from comment mappings."""
    import yaml

    return yaml.safe_dump(list(comments), allow_unicode=True, sort_keys=False)


def links(html: str, page_url: str, selector: str = "a[href]") -> set[str]:
    """The site paths a page's elements point to (href, src or action), resolved from the
    page's own URL as a browser resolves them."""
    from urllib.parse import urljoin, urlsplit

    from bs4 import BeautifulSoup

    base = f"https://site.invalid{page_url}"
    found = set()
    for element in BeautifulSoup(html, "html.parser").select(selector):
        target = element.get("href") or element.get("src") or element.get("action")
        resolved = urlsplit(urljoin(base, target))
        if resolved.netloc == "site.invalid":
            found.add(resolved.path + (f"?{resolved.query}" if resolved.query else ""))
    return found


# Atom elements whose content is text, or HTML carried as escaped text, unless type="xhtml".
_ATOM_TEXT = {"title", "subtitle", "summary", "content", "rights", "name", "uri", "id"}


def read_feed(document: str | bytes):
    """An Atom feed read as a standards-following reader reads it; returns feedparser's
    result. It must be well-formed to strict XML parsers (ElementTree and minidom, which
    feedparser's forgiving fallback would hide), and each text or type="html" element must
    hold text only (RFC 4287 3.1.1): markup arrives escaped, never as live elements."""
    import xml.dom.minidom
    import xml.etree.ElementTree as ET

    import feedparser

    root = ET.fromstring(document)
    xml.dom.minidom.parseString(document)
    assert root.tag == "{http://www.w3.org/2005/Atom}feed", root.tag
    for element in root.iter():
        name = element.tag.rpartition("}")[2]
        if name in _ATOM_TEXT and element.get("type") != "xhtml":
            assert len(element) == 0, f"<{name}> holds the element <{element[0].tag}>"
    parsed = feedparser.parse(document)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def model(paths, options):
    """The model of the site at `paths`, loaded and made as a build does (without storing
    anything), or ContentError."""
    from sitegen.config import load_config
    from sitegen.load import load
    from sitegen.site import make_site

    config = load_config(paths)
    return make_site(load(paths, config), config, options)
