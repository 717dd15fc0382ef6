"""How a page's examples are read as the copy button gives them."""

from __future__ import annotations

from pathlib import Path

from tests.docs.pasted import Statement, copied_blocks

PAGE = """# A page

<!-- invisible-code-block: python
hidden = 1
-->

```pycon
>>> x = 1
>>> for i in range(2):
...     x += i
>>> x
2
>>> int("a")
Traceback (most recent call last):
ValueError: invalid literal
```

```python
y = 2
```

```sh
echo not python
```

??? example "Setup"

    ```python
    z = 3
    ```
"""


def test_a_session_gives_its_statements_without_prompts_or_output(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(PAGE, encoding="utf-8")
    blocks = copied_blocks(page)
    # the invisible block and the sh block are not copied; the indented setup block is
    assert [language for language, _ in blocks] == ["pycon", "python", "python"]
    assert blocks[0][1] == [
        Statement("x = 1\n", raises=False),
        Statement("for i in range(2):\n    x += i\n", raises=False),
        Statement("x\n", raises=False, output="2\n"),
        Statement(
            'int("a")\n',
            raises=True,
            output="Traceback (most recent call last):\nValueError: invalid literal\n",
        ),
    ]
    assert blocks[1][1] == [Statement("y = 2\n", raises=False)]
    assert blocks[2][1] == [Statement("z = 3\n", raises=False)]
