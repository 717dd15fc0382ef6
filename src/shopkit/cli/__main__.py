"""``python -m shopkit.cli``: the ``shopkit`` command, where the console script is not on PATH."""

from shopkit.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
