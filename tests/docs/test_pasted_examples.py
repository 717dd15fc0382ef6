"""Every page's examples run when pasted, in the order shown, into a fresh interpreter.

Sybil (docs/conftest.py) checks each example's output inside the test process; this checks what a
reader gets from the copy buttons: each page's shown blocks, prompts and output removed, as the
site's copy button gives them (``pasted.copied_blocks`` and ``pasted.clipboard_text``), run in a
new process started in an empty directory, so nothing from another page, the test suite or the
repository leaks in. A session (a ``pycon`` block) is pasted into Python's classic interactive
prompt line by line (``code.InteractiveConsole``), the strictest place to paste it; a ``python``
block is a program or a module, run as a whole as a file or a notebook cell runs it (the classic
prompt cannot take blank lines inside a class body). Each statement must print what the page
shows under it; a statement the page shows raising must raise, and no other may.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from doctest import ELLIPSIS, NORMALIZE_WHITESPACE, OutputChecker
from pathlib import Path

import pytest

from tests.docs.pasted import Statement, clipboard_text, copied_blocks

DOCS = Path(__file__).resolve().parents[2] / "docs"
PAGES = sorted(
    page
    for page in DOCS.rglob("*.md")
    if "examples" not in page.parts and any(statements for _, statements in copied_blocks(page))
)

# Runs in the fresh interpreter. It reads {"blocks": [[language, text, [lines of each
# statement]]]} on stdin, pastes each session's text into an interactive console line by line
# and runs each program whole, and writes one record per statement: what it printed, whether it
# raised, and whether the prompt still waited for input after it.
RUNNER = r"""
import code, contextlib, io, json, sys

class Console(code.InteractiveConsole):
    raised = False
    def showtraceback(self):
        self.raised = True
        super().showtraceback()
    def showsyntaxerror(self, filename=None, **kwargs):
        self.raised = True
        super().showsyntaxerror(filename, **kwargs)

console = Console({"__name__": "__main__"})
records = []
for language, text, sizes in json.load(sys.stdin)["blocks"]:
    if language == "python":
        out, err = io.StringIO(), io.StringIO()
        console.raised = False
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            console.runcode(compile(text, "<pasted program>", "exec"))
        records.append({"output": out.getvalue(), "raised": console.raised,
                        "waiting": False, "error": err.getvalue()[-2000:]})
        continue
    lines = text.splitlines()
    position = 0
    for size in sizes:
        out, err = io.StringIO(), io.StringIO()
        console.raised = False
        waiting = False
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            for line in lines[position:position + size]:
                waiting = console.push(line)
            position += size
            if position < len(lines) and lines[position] == "":
                waiting = console.push("")  # the empty line that ends a statement of lines
                position += 1
        records.append({"output": out.getvalue(), "raised": console.raised,
                        "waiting": waiting, "error": err.getvalue()[-2000:]})
print(json.dumps(records))
"""
CHECKER = OutputChecker()


@contextlib.contextmanager
def _postgres() -> Iterator[dict[str, str]]:
    """A PostgreSQL server for the page that uses one, as its reader has one."""
    from shopkit.testing._postgres import PostgresUnavailableError, shared_postgres

    if "SHOPKIT_POSTGRES_URL" in os.environ:
        yield {}
        return
    try:
        yield {"SHOPKIT_POSTGRES_URL": shared_postgres()}
    except PostgresUnavailableError as error:
        if os.environ.get("CI"):
            raise
        pytest.skip(str(error))


@contextlib.contextmanager
def _service() -> Iterator[dict[str, str]]:
    """The example service running, as the page asks its reader to start it."""
    path = DOCS.parent / "examples" / "service" / "app.py"
    spec = importlib.util.spec_from_file_location("pasted_service_app", path)
    assert spec is not None
    assert spec.loader is not None
    app = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = app
    spec.loader.exec_module(app)
    with app.running(app.demo_app()) as url:
        yield {"SHOPKIT_SERVICE_URL": url}


# What a page tells its reader to have running before pasting its examples.
RUNNING = {"pricing/postgres.md": _postgres, "service.md": _service}


def test_the_docs_have_pages_with_examples() -> None:
    # a glob that finds nothing would make the test below vacuous
    assert len(PAGES) >= 40
    assert DOCS / "pricing" / "benefits" / "percentage.md" in PAGES


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(DOCS)))
def test_a_page_runs_as_pasted(page: Path, tmp_path: Path) -> None:
    blocks = copied_blocks(page)
    statements: list[Statement] = [statement for _, block in blocks for statement in block]
    payload = {
        "blocks": [
            [
                language,
                clipboard_text(block),
                [statement.source.count("\n") for statement in block],
            ]
            for language, block in blocks
        ]
    }
    running = RUNNING.get(str(page.relative_to(DOCS)), contextlib.nullcontext)
    with running() as environment:
        ran = subprocess.run(
            [sys.executable, "-c", RUNNER],
            input=json.dumps(payload),
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=120,
            check=False,
            env={**os.environ, **(environment or {})},
        )
    assert ran.returncode == 0, ran.stderr
    records = json.loads(ran.stdout)
    assert len(records) == len(statements)
    for statement, record in zip(statements, records, strict=True):
        shown = f"pasted:\n{statement.source}\n{record['error']}"
        assert not record["waiting"], f"the prompt still waits for more input after\n{shown}"
        assert record["raised"] == statement.raises, shown
        if not statement.raises and statement.output:
            assert CHECKER.check_output(
                statement.output, record["output"], ELLIPSIS | NORMALIZE_WHITESPACE
            ), f"{shown}\nthe page shows:\n{statement.output}\nit printed:\n{record['output']}"
