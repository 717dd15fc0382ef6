"""What a reader gets from a docs page's copy buttons, and running it as a fresh interpreter would.

The site's copy button (``docs/javascripts/copy.js``) copies a ``pycon`` block without its
``>>>`` / ``...`` prompts and without the output lines, and a ``python`` block as it stands.
``copied_blocks`` gives the same text from a page's Markdown source; invisible code blocks (the
page's own checks, in HTML comments) are not shown, so they are not copied either.
"""

from __future__ import annotations

import re
from pathlib import Path

import attrs

FENCE = re.compile(
    r"^(?P<indent>[ \t]*)```(?P<lang>[\w-]*)[^\n]*\n(?P<body>.*?)^(?P=indent)```[ \t]*$",
    re.DOTALL | re.MULTILINE,
)
INVISIBLE = re.compile(r"<!--\s*invisible-code-block:.*?-->", re.DOTALL)


@attrs.frozen
class Statement:
    """One pasted statement: its source, and whether the page shows it raising."""

    source: str
    raises: bool


def _dedent(body: str, indent: str) -> str:
    return "".join(line[len(indent) :] if line.startswith(indent) else line
                   for line in body.splitlines(keepends=True))  # fmt: skip


def copied_blocks(page: Path) -> list[tuple[str, list[Statement]]]:
    """The page's shown ``python`` and ``pycon`` blocks, as the copy button gives them.

    Each block is (language, statements): a ``python`` block is one statement; a ``pycon``
    block is one statement per ``>>>`` prompt (with its ``...`` lines), marked as raising when
    the output the page shows under it is a traceback.
    """
    text = INVISIBLE.sub("", page.read_text(encoding="utf-8"))
    blocks: list[tuple[str, list[Statement]]] = []
    for match in FENCE.finditer(text):
        lang = match["lang"]
        body = _dedent(match["body"], match["indent"])
        if lang == "python":
            if body.lstrip().startswith(">>>"):
                blocks.append((lang, _session(body)))
            else:
                blocks.append((lang, [Statement(body, raises=False)]))
        elif lang == "pycon":
            blocks.append((lang, _session(body)))
    return blocks


def _session(body: str) -> list[Statement]:
    statements: list[Statement] = []
    source: list[str] = []
    output: list[str] = []

    def close() -> None:
        if source:
            raises = bool(output) and output[0].startswith("Traceback")
            statements.append(Statement("\n".join(source) + "\n", raises))

    for line in body.splitlines():
        if line.startswith(">>>"):
            close()
            source, output = [line[4:]], []
        elif line.startswith("...") and source and not output:
            source.append(line[4:])
        elif source:
            output.append(line)
    close()
    return statements
