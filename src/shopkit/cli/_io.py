"""What the ``shopkit`` command reads and writes: files into config types, options, JSON out.

Every failure here is a ``ShopkitError`` that names the input (``cart``, ``--at``, ``stdout``)
and says why, so that ``main`` prints it as one line. This module imports the core only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, TypeVar

from shopkit import ConfigError, Money, ShopkitError, ValidationError, from_json, from_toml, to_dict

T = TypeVar("T")

__all__ = [
    "locale",
    "moment",
    "option",
    "read",
    "silence_stdout",
    "stdout",
    "write_json",
]


def read(path: str, kind: type[T] | Any, what: str) -> Any:
    """Read a config object of type ``kind`` from a JSON file, or a TOML one (``.toml``).

    Args:
        path: The file, as given on the command line.
        kind: The type to read (``Cart``, ``list[Promotion]``, …).
        what: The input's name in messages (``"cart"``, ``"promotions"``).

    Returns:
        The object.

    Raises:
        ValidationError: the file cannot be read: missing, a directory, not readable, not
            UTF-8 text. The error names ``what`` and the path.
        ConfigError: the text is malformed or does not fit ``kind``; every problem's path is
            placed under ``what`` (``cart.lines[0].quantity``).
    """
    try:
        text = Path(path).read_bytes().decode("utf-8")
    except OSError as error:
        raise ValidationError(
            f"cannot read {path}: {error.strerror or error}", field=what, value=path
        ) from None
    except UnicodeDecodeError as error:
        raise ValidationError(
            f"cannot read {path}: not UTF-8 text (byte 0x{error.object[error.start]:02x} "
            f"at offset {error.start})",
            field=what,
            value=path,
        ) from None
    try:
        if Path(path).suffix.lower() == ".toml":
            return from_toml(text, kind)
        return from_json(text, kind)
    except ConfigError as error:
        raise _under(error, what) from None


def _under(error: ConfigError, what: str) -> ConfigError:
    """``error`` with every problem's path placed under the input's name."""

    def place(problem: str) -> str:
        field, _, message = problem.partition(": ")
        if field == "(document)":
            return f"{what}: {message}"
        separator = "" if field.startswith("[") else "."
        return f"{what}{separator}{field}: {message}"

    problems = tuple(place(problem) for problem in error.errors)
    if len(problems) == 1:
        field, _, message = problems[0].partition(": ")
        return ConfigError(message, field=field, value=error.value, errors=problems)
    return ConfigError("; ".join(problems), value=error.value, errors=problems)


def option(convert: Callable[[str], T]) -> Callable[[str], T]:
    """Turn a converter that raises ``ShopkitError`` into an argparse ``type=``.

    argparse reports an ``ArgumentTypeError`` with the option's name; ``main`` prints it as one
    line (``shopkit: --at: …``) and exits with status 2, as for any usage error.
    """

    def parse(value: str) -> T:
        try:
            return convert(value)
        except ShopkitError as error:
            raise argparse.ArgumentTypeError(error.message) from None

    parse.__name__ = convert.__name__.lstrip("_")
    return parse


def _moment(value: str) -> dt.datetime:
    try:
        at = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"{value!r} is not an ISO 8601 date-time", value=value) from None
    if at.tzinfo is None:
        raise ValidationError(f"{value!r} has no UTC offset (add +00:00 or Z)", value=value)
    return at


def _locale(value: str) -> str:
    Money.zero("EUR").format(value)
    return value


moment = option(_moment)
"""argparse ``type=`` for a moment: ISO 8601 with a UTC offset (``2026-11-27T12:00:00Z``)."""

locale = option(_locale)
"""argparse ``type=`` for a CLDR locale that amounts can be formatted in (``en_GB``)."""


def stdout() -> IO[str]:
    """Return standard output.

    Raises:
        ShopkitError: standard output is closed (the command was started with it closed).
    """
    if sys.stdout is None:
        raise ShopkitError("is closed, so there is nowhere to write to", field="stdout")
    return sys.stdout


def write_json(value: Any, path: str | None = None) -> None:
    """Write a config object (or plain data) as indented JSON, to ``path`` or standard output.

    The one JSON writer of every command: the text is what ``shopkit.to_json`` writes, so
    ``from_json`` reads it back.

    Args:
        value: A config object, a list of them, or plain data such as a JSON Schema.
        path: The file to write (``--output``); standard output when ``None``.

    Raises:
        ValidationError: the file cannot be written; the error names ``output`` and the path.
        ShopkitError: standard output is closed.
    """
    text = json.dumps(to_dict(value), indent=2, ensure_ascii=False) + "\n"
    if path is None:
        stdout().write(text)
        return
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as error:
        raise ValidationError(
            f"cannot write {path}: {error.strerror or error}", field="output", value=path
        ) from None


def silence_stdout() -> None:
    """Point standard output at the null device, after the reader of a pipe went away.

    This is the Python documentation's advice on ``SIGPIPE``: what is left in the buffer is
    then flushed into nothing at exit, instead of failing a second time.
    """
    if sys.stdout is None:
        return
    try:
        descriptor = sys.stdout.fileno()
    except (OSError, ValueError):  # not a real file (a test's capture): nothing to redirect
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, descriptor)
    os.close(devnull)
