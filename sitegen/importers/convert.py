"""HTML from an old blog -> clean Markdown, through markdownify.

What Markdown cannot say is kept as raw HTML, which Python-Markdown passes through: embedded
video and audio (iframe, video, object, ...), script embeds such as gists, and tables with
merged cells. Text is escaped so that a reader who wrote "<script>" as text sees that text,
and the <!--more--> break survives. WordPress stores paragraphs as blank lines, not <p>
tags, so its text goes through `autop` first, as WordPress itself does before showing it.

Exports are untrusted, so what would break a later step is changed and said (`Converted`):
HTML nested deeper than MAX_DEPTH keeps only its text, and a link or image whose address does
not parse keeps only its text. Comments have their own converter, for the allow-list that
shows them: a table there becomes lines of text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bs4 import BeautifulSoup, NavigableString, Tag
from markdownify import ATX, MarkdownConverter

from .model import quoted, valid_url

RAW_TAGS = frozenset({"iframe", "video", "audio", "object", "embed", "svg", "math", "canvas"})
BLOCK_TAGS = (
    "address|article|aside|blockquote|canvas|dd|details|div|dl|dt|figcaption|figure|footer|"
    "form|h[1-6]|header|hr|iframe|li|main|nav|ol|p|pre|section|table|tbody|td|tfoot|th|"
    "thead|tr|ul|video|audio|object|embed|script|style"
)
STARTS_BLOCK = re.compile(rf"^\s*(<!--|</?(?:{BLOCK_TAGS})\b)", re.IGNORECASE)
ENDS_BLOCK = re.compile(rf"(-->|</?(?:{BLOCK_TAGS})\b[^>]*>)\s*$", re.IGNORECASE)
PROTECTED = re.compile(r"<(pre|script|style|textarea)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
MORE = re.compile(r"<!--\s*more\b.*?-->|<a\s+name=[\"']?more[\"']?\s*>\s*</a>", re.IGNORECASE)
MORE_TOKEN = "SITEGENMOREBREAK"
CELL_END = "\x1f"  # ends each cell's text while a comment's table becomes lines
LANGUAGE = re.compile(r"(?:^|\s)(?:language|lang|brush)[-:]\s*([\w+#-]+)", re.IGNORECASE)
URL = re.compile(r"^https?://[^\s<>]+$")
FENCE = re.compile(r"(^```.*?^```$)", re.MULTILINE | re.DOTALL)
BULLET = re.compile(r"(?:\d+\.|[-*+]) ")
CAPTION = re.compile(r"\[caption\b[^\]]*\](.*?)\[/caption\]", re.IGNORECASE | re.DOTALL)
# markdownify recurses about four calls per level of HTML and fails near 240 levels; deeper
# nesting keeps only its text. The real exports tried nest 19 levels at most (unclosed <p>
# or <font> tags nest more), and Python-Markdown builds 100 levels of lists or quotes.
MAX_DEPTH = 100


@dataclass(frozen=True)
class Converted:
    """A body as Markdown, and what the conversion had to change to get there, as
    sentences for a warning ("left out the link to 'http://[::1', ...")."""

    markdown: str
    changes: tuple[str, ...] = ()


class _Converter(MarkdownConverter):
    """markdownify, with raw HTML kept where Markdown would lose it, and a paragraph that
    is only an address (what WordPress turns into an embed) made a link. A link or image
    whose address does not parse leaves only its text: the build could not read it. One
    converter per body, since it notes what it changed."""

    def __init__(self) -> None:
        super().__init__(heading_style=ATX, bullets="-", sub_symbol="<sub>",
                         sup_symbol="<sup>", code_language_callback=_code_language)
        self.changes: list[str] = []

    def escape(self, text: str, parent_tags: set[str]) -> str:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return super().escape(text, parent_tags)

    def process_tag(self, node, parent_tags=None) -> str:
        if isinstance(node, Tag) and self.keeps_raw(node):
            return f"\n\n{node}\n\n"
        if isinstance(node, Tag) and node.name in ("p", "div") and _lone_url(node):
            return f"\n\n<{node.get_text().strip()}>\n\n"
        return super().process_tag(node, parent_tags)

    def convert_a(self, el, text, parent_tags) -> str:
        if el.get("href") and not valid_url(el["href"]):
            self._dropped(el["href"], "link")
            return text
        return super().convert_a(el, text, parent_tags)

    def convert_img(self, el, text, parent_tags) -> str:
        if el.get("src") and not valid_url(el["src"]):
            self._dropped(el["src"], "image")
            return el.get("alt") or ""
        return super().convert_img(el, text, parent_tags)

    def convert_li(self, el, text, parent_tags) -> str:
        """markdownify indents an item's further lines by its bullet's width (2 for "- ",
        3 for "1. "); Python-Markdown wants 4, or it reads a nested list as more text of
        the same item. An item of several blocks ends with a blank line, or Python-Markdown
        takes the next item for a line of its last block."""
        item = super().convert_li(el, text, parent_tags)
        if bullet := BULLET.match(item):
            item = re.sub(rf"(?m)^ {{{len(bullet[0])}}}", "    ", item)
        return item + "\n" if "\n\n" in item.strip("\n") else item

    def _dropped(self, url: str, what: str) -> None:
        self.changes.append(f"left out the {what} to {quoted(url)}, which is not a valid URL, "
                            "keeping its text")


    def keeps_raw(self, node: Tag) -> bool:
        """Whether `node` stays HTML: embeds, script embeds, tables with merged cells."""
        if node.name in RAW_TAGS:
            return True
        if node.name == "script":
            return bool(node.get("src"))
        if node.name == "table":
            return bool(node.find(["td", "th"], attrs={"rowspan": True}) or
                        node.find(["td", "th"], attrs={"colspan": True}) or node.find("table"))
        return False


class _CommentConverter(_Converter):
    """A comment is shown through the allow-list, which has no tables, in Markdown or HTML:
    each row of a table becomes a line of text, its cells separated by " | "."""

    def keeps_raw(self, node: Tag) -> bool:
        return node.name != "table" and super().keeps_raw(node)

    def convert_td(self, el, text, parent_tags) -> str:
        return " ".join(text.split()) + CELL_END

    convert_th = convert_td

    def convert_tr(self, el, text, parent_tags) -> str:
        row = " | ".join(cell.strip() for cell in text.split(CELL_END) if cell.strip())
        return row + "\n" if row else ""

    def convert_table(self, el, text, parent_tags) -> str:
        rows = [row.strip() for row in text.split("\n") if row.strip()]
        return "\n\n" + "  \n".join(rows) + "\n\n"


def _lone_url(node: Tag) -> bool:
    text = node.get_text().strip()
    return not node.find(True) and bool(URL.match(text)) and valid_url(text)


def _code_language(pre: Tag) -> str:
    for element in (pre, pre.find("code")):
        classes = element.get("class") if isinstance(element, Tag) else None
        if classes and (match := LANGUAGE.search(" ".join(classes))):
            return match[1].lower()
    return ""


def to_markdown(html: str) -> Converted:
    """Markdown for the HTML of a post or page ('' for none)."""
    return _convert(html, _Converter(), "  \n")


def comment_markdown(html: str) -> Converted:
    """Markdown for a comment, which lives in YAML, where trailing spaces would not survive:
    line breaks are written <br>."""
    return _convert(html, _CommentConverter(), "<br>\n")


def _convert(html: str, converter: _Converter, line_break: str) -> Converted:
    """Markdown for an HTML fragment, with a line break within a paragraph written as
    `line_break`."""
    soup = BeautifulSoup(MORE.sub(MORE_TOKEN, html or ""), "html.parser")
    if deepest := _flatten(soup):
        converter.changes.append(f"its HTML is nested {deepest} levels deep; below level "
                                 f"{MAX_DEPTH} only the text is kept")
    markdown = converter.convert_soup(soup).replace(MORE_TOKEN, "\n\n<!--more-->\n\n")
    parts = FENCE.split(markdown)
    parts[::2] = (_tidy(part, line_break) for part in parts[::2])
    markdown = "".join(parts).strip()
    return Converted(markdown + "\n" if markdown else "", tuple(converter.changes))


def _flatten(soup: BeautifulSoup) -> int:
    """Replace each element nested deeper than MAX_DEPTH by the text it holds; the deepest
    level found if any was, else 0. Walks the tree without recursion."""
    depth_of, deepest, too_deep = {id(soup): 0}, 0, []
    for node in soup.descendants:
        if isinstance(node, Tag):
            depth_of[id(node)] = depth = depth_of[id(node.parent)] + 1
            deepest = max(deepest, depth)
            if depth == MAX_DEPTH + 1:
                too_deep.append(node)
    for node in too_deep:
        node.replace_with(*(type(text)(text) for text in node.descendants
                            if isinstance(text, NavigableString)))
    return deepest if too_deep else 0


def _tidy(text: str, line_break: str) -> str:
    """Outside code: two line breaks in a row (Blogger's way of making paragraphs) are a
    paragraph break, and blanks at line ends go unless they are a line break."""
    text = re.sub(r"[ \t]*\n(?:[ \t]*\n)+", "\n\n", text)
    text = re.sub(r"(?<! ) \n|[ \t]*\t[ \t]*\n", "\n", text)
    return re.sub(r" {2,}\n", line_break, text)


def autop(text: str) -> str:
    """WordPress's stored text -> HTML paragraphs: a blank line ends a paragraph, a single
    newline is a line break, except around block tags and inside <pre>."""
    saved: list[str] = []

    def protect(match: re.Match) -> str:
        saved.append(match[0])
        return f"\x00{len(saved) - 1}\x00"

    text = PROTECTED.sub(protect, (text or "").replace("\r\n", "\n").replace("\r", "\n"))
    paragraphs = [_paragraph(chunk) for chunk in re.split(r"\n\s*\n", text) if chunk.strip()]
    html = "\n\n".join(paragraphs)
    return re.sub(r"\x00(\d+)\x00", lambda match: saved[int(match[1])], html)


def _paragraph(chunk: str) -> str:
    """Runs of text lines become <p>, their newlines <br>; lines of block HTML stay."""
    out: list[str] = []
    run: list[str] = []
    for line in (line.strip() for line in chunk.strip().split("\n")):
        if STARTS_BLOCK.match(line) or ENDS_BLOCK.search(line) or line.startswith("\x00"):
            out += _text_run(run)
            out.append(line)
            run = []
        else:
            run.append(line)
    return "\n".join(out + _text_run(run))


def _text_run(lines: list[str]) -> list[str]:
    return ["<p>" + "<br>\n".join(lines) + "</p>"] if lines else []


def unwrap_captions(html: str) -> str:
    """WordPress's [caption] shortcode -> its image and caption text, as one paragraph."""
    return CAPTION.sub(lambda match: f"<p>{match[1].strip()}</p>", html or "")
