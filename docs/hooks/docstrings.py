"""An mkdocs hook: docstrings written for ``doctest`` and Sphinx read well as Markdown.

footmap's docstrings hold ``>>>`` examples (run by ``doctest``) and a few Sphinx roles
(``:class:`~footmap.WorkerError```). Markdown would read a ``>>>`` line as a quote three deep
and a role as stray text, so before any page is parsed (pages and the docstrings mkdocstrings
renders alike) this turns each run of ``>>>`` lines and the output under them into a ``pycon``
code block, and each role into inline code naming the object (``WorkerError``). Fenced code
blocks are left as they are.
"""

from __future__ import annotations

import re
from typing import Any

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor
from mkdocs.plugins import event_priority

ROLE = re.compile(r":(?:py:)?(?:class|func|meth|mod|attr|exc|data|obj):`~?(?:[\w.]+\.)?(?P<name>[\w]+)`")
PROMPT = re.compile(r"^(?P<indent>\s*)>>> ")
FENCE = re.compile(r"^\s*(```|~~~)")


def doctest_blocks(lines: list[str]) -> list[str]:
    """Each run of ``>>>`` lines, with its output down to a blank line, as a ``pycon`` block.

    >>> doctest_blocks(["Say:", "", ">>> 1 + 1", "2", "", "Done."])
    ['Say:', '', '```pycon', '>>> 1 + 1', '2', '```', '', 'Done.']
    """
    out: list[str] = []
    index = 0
    fenced = False
    while index < len(lines):
        if FENCE.match(lines[index]):
            fenced = not fenced
        prompt = None if fenced else PROMPT.match(lines[index])
        if not prompt:
            out.append(lines[index] if fenced else ROLE.sub(r"`\g<name>`", lines[index]))
            index += 1
            continue
        indent = prompt["indent"]
        block = []
        while index < len(lines) and lines[index].strip():
            block.append(lines[index].removeprefix(indent))
            index += 1
        if out and out[-1].strip():
            out.append("")
        out += [f"{indent}```pycon", *(f"{indent}{line}" for line in block), f"{indent}```"]
    return out


class _DoctestBlocks(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        return doctest_blocks(lines)


class DocstringExtension(Extension):
    """Registers the preprocessor before the fenced-code one (priority 25), which then reads
    the blocks it makes."""

    def extendMarkdown(self, md: Markdown) -> None:  # Markdown names it
        md.preprocessors.register(_DoctestBlocks(md), "footmap_doctest_blocks", 29)


@event_priority(100)  # before mkdocstrings reads the extensions for its own Markdown
def on_config(config: Any) -> Any:
    config.markdown_extensions.append(DocstringExtension())
    return config
