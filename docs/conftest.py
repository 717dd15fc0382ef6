"""Run every example in the documentation as a test, with Sybil.

Two kinds of fenced block in the Markdown pages are checked:

- a ```` ```python ```` block is run as it stands; one that starts with ``>>>`` is a doctest
  (sybil's Markdown ``PythonCodeBlockParser`` handles both);
- a ```` ```pycon ```` block is an interactive session, checked as a doctest: every ``>>>``
  line is run and what it prints must match the lines that follow it.

Sybil's Markdown module has no doctest parser of its own, so ``DocTestParser`` below builds one
from its Markdown fenced-block lexer and its doctest string parser. Blocks in any other language
(``sh``, ``toml``, ``text``) are shown, not run. The examples of one page share a namespace and
run in page order; ``DOCS_DIR``, the path of this directory, is in every page's namespace for the
checks a page makes on itself in an invisible code block.
"""

from __future__ import annotations

from collections.abc import Iterable
from doctest import ELLIPSIS, NORMALIZE_WHITESPACE
from pathlib import Path
from typing import Any

from sybil import Document, Region, Sybil
from sybil.evaluators.doctest import DocTestEvaluator
from sybil.parsers.abstract import DocTestStringParser
from sybil.parsers.markdown import PythonCodeBlockParser
from sybil.parsers.markdown.lexers import FencedCodeBlockLexer

OPTIONFLAGS = NORMALIZE_WHITESPACE | ELLIPSIS
DOCS_DIR = Path(__file__).parent


class DocTestParser:
    """Find ```` ```pycon ```` blocks in a Markdown page and check them as doctests."""

    def __init__(self, optionflags: int = OPTIONFLAGS) -> None:
        self.lexer = FencedCodeBlockLexer("pycon")
        self.string_parser = DocTestStringParser(DocTestEvaluator(optionflags))

    def __call__(self, document: Document) -> Iterable[Region]:
        """Yield one region per ``>>>`` example of every ``pycon`` block."""
        for block in self.lexer(document):
            source = block.lexemes["source"]
            for region in self.string_parser(source, document.path):
                region.adjust(block, source)
                yield region


def setup(namespace: dict[str, Any]) -> None:
    """Give every page's examples the path of the docs directory."""
    namespace["DOCS_DIR"] = DOCS_DIR


pytest_collect_file = Sybil(
    parsers=[PythonCodeBlockParser(doctest_optionflags=OPTIONFLAGS), DocTestParser()],
    patterns=["*.md"],
    setup=setup,
).pytest()
