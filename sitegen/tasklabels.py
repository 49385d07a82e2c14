"""Task lists with labelled checkboxes: pymdown-extensions' tasklist puts a bare checkbox
before each item's text ("- [x] done"), which a screen reader announces with no name; here
the checkbox and the item's text go into one <label>, so the text is its name."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from markdown import Extension, Markdown
from markdown.treeprocessors import Treeprocessor

# Lists and blocks stay outside the label: a label holds phrasing content only.
BLOCKS = frozenset({"ul", "ol", "p", "div", "pre", "blockquote", "table", "dl"})


class _LabelTasks(Treeprocessor):
    def run(self, root: ET.Element) -> None:
        for item in root.iter("li"):
            if "task-list-item" in item.get("class", "").split():
                first = next(iter(item), None)
                loose = not (item.text or "").strip() and first is not None and first.tag == "p"
                _label(first if loose else item)


def _label(holder: ET.Element) -> None:
    """Wrap the holder's text and its inline children, up to the first block, in a label."""
    label = ET.Element("label")
    label.text, holder.text = holder.text, None
    for child in list(holder):
        if child.tag in BLOCKS:
            break
        holder.remove(child)
        label.append(child)
    holder.insert(0, label)


class TaskLabels(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        # After tasklist (25) has marked the items and put in their checkboxes.
        md.treeprocessors.register(_LabelTasks(md), "task-labels", 24)
