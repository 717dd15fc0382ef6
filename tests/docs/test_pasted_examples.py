"""Every page's examples run when pasted, in the order shown, into a fresh interpreter.

Sybil (docs/conftest.py) checks each example's output inside the test process; this checks what a
reader gets from the copy buttons: each page's shown blocks, prompts and output removed
(``pasted.copied_blocks``), run one statement after another in a new Python process started in an
empty directory, so nothing from another page, the test suite or the repository leaks in. A
statement the page shows raising must raise; no other may.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.docs.pasted import copied_blocks

DOCS = Path(__file__).resolve().parents[2] / "docs"
PAGES = sorted(
    page
    for page in DOCS.rglob("*.md")
    if "examples" not in page.parts and any(statements for _, statements in copied_blocks(page))
)

# Runs in the fresh interpreter: the page's statements arrive on stdin as JSON.
RUNNER = r"""
import json, sys
statements = json.load(sys.stdin)
namespace = {"__name__": "__main__"}
for number, (source, raises) in enumerate(statements):
    try:
        mode = "single" if source.count("\n") <= 1 else "exec"
        exec(compile(source, f"<pasted statement {number}>", mode), namespace)
    except BaseException as error:
        if raises:
            continue
        print(f"statement {number} raised {type(error).__name__}: {error}\n{source}")
        sys.exit(1)
    if raises:
        print(f"statement {number} is shown raising but ran\n{source}")
        sys.exit(1)
"""


def test_the_docs_have_pages_with_examples() -> None:
    # a glob that finds nothing would make the test below vacuous
    assert len(PAGES) >= 40
    assert DOCS / "pricing" / "benefits" / "percentage.md" in PAGES


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(DOCS)))
def test_a_page_runs_as_pasted(page: Path, tmp_path: Path) -> None:
    statements = [
        (statement.source, statement.raises)
        for _, block in copied_blocks(page)
        for statement in block
    ]
    ran = subprocess.run(
        [sys.executable, "-c", RUNNER],
        input=json.dumps(statements),
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
