"""The README's example runs and prints what its comments say."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_readme_example_prints_what_it_says() -> None:
    text = README.read_text(encoding="utf-8")
    (block,) = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(block, str(README), "exec"), {})  # the README's own code
    # each print(...) line carries its output in its comment
    expected = [
        line.split("  # ", 1)[1] for line in block.splitlines() if line.startswith("print(")
    ]
    assert printed.getvalue().splitlines() == expected
