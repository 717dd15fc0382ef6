"""The ``shopkit`` command: demo, price, recommend, evaluate, kpi, schema, clv and ab.

It sits on top of every other layer (it may import all of them; nothing imports it). Each
command family is a module with an ``add_commands(subparsers)`` and its handler, and imports its
domain package only when the command runs: ``shopkit --help`` loads no domain, and
``shopkit price`` loads pricing but never ``shopkit.recommend``, numpy or scipy.

Output that a person reads is a table; output that a program reads (``schema``,
``--format json``) is plain JSON on standard output. Every mistake is one line on standard
error, ``shopkit: <what>: <why>``, never a traceback: an input that cannot be read or does not
fit, or output that cannot be written, exits with status 1 (quietly when the reader of a pipe
went away); a bad option value (``--at``, ``--mode``, ``--locale``) exits with status 2. A
command line of the wrong shape (an unknown command, a missing argument) prints the usage
first, as argparse does, and exits with status 2.
"""

from __future__ import annotations

import argparse
import sys
import typing

import shopkit
from shopkit.cli import _io, ab, clv, demo, kpi, loyalty, pricing, recommend, schema
from shopkit.cli.schema import SCHEMA_TYPES

if typing.TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["SCHEMA_TYPES", "main"]

_COMMAND = "COMMAND"
"""The metavar of the subcommand argument: a mistake there is answered with the usage."""


class _Parser(argparse.ArgumentParser):
    """An argument parser that raises a bad value (``ArgumentError``) instead of exiting.

    ``main`` prints it as one line; mistakes in the shape of the command line (a missing
    argument, an unknown option) still print the usage, as argparse does.
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs["exit_on_error"] = False
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="shopkit",
        description="Exact pricing, promotions, recommendations, loyalty and KPIs for shops.",
    )
    parser.add_argument("--version", action="version", version=f"shopkit {shopkit.__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar=_COMMAND)
    for family in (demo, pricing, recommend, kpi, clv, ab, loyalty, schema):
        family.add_commands(commands)
    return parser


def _say(line: str) -> None:
    """Print one line on standard error (if there is one), whatever the line holds."""
    if sys.stderr is not None:
        sys.stderr.write(f"shopkit: {' '.join(line.splitlines())}\n")
        sys.stderr.flush()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``shopkit`` command.

    Args:
        argv: The arguments after the program name; ``sys.argv[1:]`` when ``None``.

    Returns:
        The exit status: 0 on success, 1 when the input is bad or the output cannot be written
        (quietly when the reader of a pipe went away), 130 when interrupted.

    Raises:
        SystemExit: with status 2 on a usage error (after printing it), and with status 0
            after ``--help`` or ``--version``.
    """
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except argparse.ArgumentError as error:
        if error.argument_name in (None, _COMMAND):
            parser.error(error.message)
        _say(f"{error.argument_name}: {error.message}")
        raise SystemExit(2) from None
    try:
        status: int = args.run(args)
        if sys.stdout is not None:
            sys.stdout.flush()
    except BrokenPipeError:
        _io.silence_stdout()
        return 1
    except shopkit.ShopkitError as error:
        _say(str(error))
        return 1
    except OSError as error:  # writing the output failed: a full disk, say
        if error.filename is None:  # standard output: do not fail a second time at exit
            _io.silence_stdout()
        _say(f"{error.filename or 'stdout'}: {error.strerror or error}")
        return 1
    except KeyboardInterrupt:
        return 130
    return status
