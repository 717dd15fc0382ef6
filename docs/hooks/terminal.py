"""MkDocs hook: pictures of the ``shopkit`` command's output, made from the code at build time.

Each command in ``COMMANDS`` is run in a subprocess as a reader would run it in an 100-column
terminal with colours; its output is drawn as an SVG terminal window (rich's SVG export) and
added to the site as ``assets/terminal/<name>.svg``, so the pictures on the pages can never drift
from what the command prints. The SVG names its fonts (a monospace font of the reader's system)
and loads nothing from the internet.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from typing import Any

from mkdocs.structure.files import File, Files
from rich.console import Console
from rich.text import Text

try:  # rich's SVG template; a private name, so a rich without it gets the default template
    from rich._export_format import CONSOLE_SVG_FORMAT
except ImportError:  # pragma: no cover - depends on rich's version
    CONSOLE_SVG_FORMAT = None

# (file name, title, the command's arguments after `shopkit`)
COMMANDS = [
    ("shopkit-demo", "shopkit demo", ["demo"]),
]
WIDTH = 100
# rich's SVG template, without the web fonts it would fetch from a CDN: the system's monospace
OFFLINE_SVG_FORMAT = (
    None
    if CONSOLE_SVG_FORMAT is None
    else re.sub(r"@font-face \{\{.*?\}\}\n", "", CONSOLE_SVG_FORMAT, flags=re.DOTALL).replace(
        "font-family: Fira Code, monospace;",
        "font-family: 'DejaVu Sans Mono', Menlo, Consolas, monospace;",
    )
)


def _picture(title: str, arguments: list[str]) -> str:
    env = {**os.environ, "COLUMNS": str(WIDTH), "FORCE_COLOR": "1", "TERM": "xterm-256color"}
    ran = subprocess.run(
        [sys.executable, "-m", "shopkit.cli", *arguments],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=300,
    )
    with open(os.devnull, "w", encoding="utf-8") as nowhere:
        console = Console(record=True, width=WIDTH, file=nowhere, force_terminal=True)
        console.print(Text.from_ansi(ran.stdout), end="")
    if OFFLINE_SVG_FORMAT is None:  # pragma: no cover - depends on rich's version
        return console.export_svg(title=title)
    return console.export_svg(title=title, code_format=OFFLINE_SVG_FORMAT)


def on_files(files: Files, config: Any) -> Files:
    """Add the terminal pictures to the site's files."""
    for name, title, arguments in COMMANDS:
        picture = _picture(title, arguments)
        files.append(File.generated(config, f"assets/terminal/{name}.svg", content=picture))
    return files
