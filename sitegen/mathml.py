"""Math in the owner's posts: TeX between `$...$`, `\\(...\\)`, `$$...$$` or `\\[...\\]` becomes
MathML at build time, which every current browser shows without JavaScript.

pymdown-extensions' arithmatex finds the math (its processors, in its "generic" mode, leave
the TeX in a marked span or div); latex2mathml turns it into MathML. latex2mathml passes
unknown commands and stray braces through as text, so those are checked here, and what it
cannot convert is collected as `BadMath` for the loader to report at the file's line.
"""

from __future__ import annotations

import functools
import importlib.util
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from html import unescape
from pathlib import Path

from markdown import Extension, Markdown
from markdown.postprocessors import Postprocessor

# latex2mathml (about 100 ms to import, reading its symbol table) and arithmatex are
# imported when first needed: most builds convert no Markdown at all.

# Arithmatex's "smart" dollars ("$5 and $10" is prose: no space may follow the opening
# dollar or precede the closing one), plus pandoc's rule that a closing dollar is not
# followed by a digit, so that "$5-$10" is prose too. Groups as arithmatex's own pattern.
INLINE_DOLLAR = (r"(?:(?<!\\)((?:\\{2})+)(?=\$)|(?<!\\)(\$)(?!\s)((?:\\.|[^\\$\x02\x03])+?)"
                 r"(?<!\s)(?:\$)(?!\d))")
_MARKED = re.compile(r'<span class="arithmatex">\\\((.*?)\\\)</span>'
                     r'|<div class="arithmatex">\\\[(.*?)\\\]</div>', re.DOTALL)
_ENTITY = re.compile(r"&#x([0-9A-Fa-f]+);")
_COMMAND = re.compile(r"\\[A-Za-z]+")
# What latex2mathml's exceptions mean, in words (they carry no message of their own).
REASONS = {
    "NumeratorNotFoundError": "a fraction has no numerator",
    "DenominatorNotFoundError": "a fraction has no denominator",
    "ExtraLeftOrMissingRightError": "a \\left has no \\right",
    "MissingSuperScriptOrSubscriptError": "^ or _ has nothing after it",
    "DoubleSubscriptsError": "two subscripts in a row; group them with braces",
    "DoubleSuperscriptsError": "two superscripts in a row; group them with braces",
    "NoAvailableTokensError": "it ends before a command has all its arguments",
    "InvalidStyleForGenfracError": "\\genfrac has a bad style",
    "MissingEndError": "a \\begin has no \\end",
    "InvalidAlignmentError": "an array has a bad column alignment",
    "InvalidWidthError": "a width is not a TeX length",
    "LimitsMustFollowMathOperatorError": "\\limits must follow an operator",
}


@dataclass(frozen=True)
class BadMath:
    """TeX that cannot be shown, and why."""

    tex: str
    reason: str


class MathError(Exception):
    """A document held TeX that cannot be shown; the caller knows which file it was."""

    def __init__(self, bad: list[BadMath]) -> None:
        super().__init__("; ".join(f"{item.tex}: {item.reason}" for item in bad))
        self.bad = bad


def to_mathml(tex: str, display: bool) -> str:
    """MathML for one formula; raises MathError when it is not valid TeX."""
    from latex2mathml import converter

    reason = _unbalanced(tex)
    if reason is None:
        try:
            math = converter.convert_to_element(tex, display="block" if display else "inline")
        except Exception as error:  # latex2mathml fails with plain Exceptions on bad input
            reason = REASONS.get(type(error).__name__, "it cannot be read as TeX")
        else:
            reason = _unknown_command(math)
    if reason is not None:
        raise MathError([BadMath(tex, reason)])
    return ET.tostring(math, encoding="unicode")


def _unbalanced(tex: str) -> str | None:
    from latex2mathml import tokenizer

    depth = 0
    for token in tokenizer.tokenize(tex):
        depth += {"{": 1, "}": -1}.get(token, 0)
        if depth < 0:
            return "a '}' closes no '{'"
    return "a '{' is never closed" if depth else None


def _unknown_command(math: ET.Element) -> str | None:
    """latex2mathml writes a command it does not know as text ("\\foo"); its own text holds
    character references, which become characters here so that the serialiser escapes
    whatever must be escaped, once."""
    for element in math.iter():
        if element.text:
            if _COMMAND.fullmatch(element.text.strip()):
                return f"unknown command {element.text.strip()}"
            element.text = _ENTITY.sub(lambda m: chr(int(m[1], 16)), element.text)
    return None


class _MathPostprocessor(Postprocessor):
    def __init__(self, md: Markdown, extension: MathExtension) -> None:
        super().__init__(md)
        self.extension = extension

    def run(self, text: str) -> str:
        return _MARKED.sub(self._replace, text)

    def _replace(self, found: re.Match) -> str:
        display = found[2] is not None
        tex = unescape(found[2] if display else found[1]).strip()
        try:
            math = to_mathml(tex, display)
        except MathError as error:
            self.extension.bad.extend(error.bad)
            return found[0]
        # A wide display formula scrolls inside its own box rather than widening the page.
        return f'<div class="math">{math}</div>' if display else math


@functools.cache
def latex2mathml_version() -> str:
    """The installed latex2mathml's version, from its .dist-info folder: its own
    `__version__` imports importlib.metadata, 20-40 ms at the start of every build that
    reads a post."""
    spec = importlib.util.find_spec("latex2mathml")
    folder = Path(spec.origin).parent.parent if spec and spec.origin else None
    found = sorted(folder.glob("latex2mathml-*.dist-info")) if folder else []
    return found[-1].name.removeprefix("latex2mathml-").removesuffix(".dist-info") \
        if found else "unknown"


class MathExtension(Extension):
    """Arithmatex's inline and block processors, with MathML made from what they find."""

    def __init__(self) -> None:
        super().__init__()
        self.bad: list[BadMath] = []

    def extendMarkdown(self, md: Markdown) -> None:
        from pymdownx import arithmatex, util

        md.registerExtension(self)
        util.escape_chars(md, ["$"])  # "\$" is a dollar sign, never math
        config = {"generic": True}
        inline = f"(?:{INLINE_DOLLAR}|{arithmatex.RE_BRACKET_INLINE})"
        md.inlinePatterns.register(arithmatex.InlineArithmatexPattern(inline, config),
                                   "arithmatex-inline", 189.9)
        block = f"(?s)^(?:{arithmatex.RE_DOLLAR_BLOCK}|{arithmatex.RE_BRACKET_BLOCK})[ ]*$"
        md.parser.blockprocessors.register(
            arithmatex.BlockArithmatexProcessor(block, config, md), "arithmatex-block", 79.9)
        # After raw HTML is put back (30), so the marks are final text.
        md.postprocessors.register(_MathPostprocessor(md, self), "mathml", 25)

    def reset(self) -> None:
        self.bad = []
