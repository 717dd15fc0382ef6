"""JSON, TOML and dicts in and out through shopkit's one cattrs converter (``_converter``).

Every config type (carts, products, customers, promotions, strategies, programmes, …) is loaded
and dumped here, so that the rules are the same everywhere:

- numbers on a money path are exact: JSON and TOML numbers with a fraction are read as
  ``Decimal``, never float, and amounts are written as strings;
- unknown keys are an error, not silently dropped;
- a wrong type is an error, not coerced (``"3"`` is not a quantity, ``2.5`` is not an int);
- a kind of a plugin group is named by a ``type`` key: ``{"type": "percentage", ...}``;
- every problem in a document is reported, each as ``path: message``.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs
import tomli_w
from cattrs.errors import BaseValidationError, ForbiddenExtraKeysError

from shopkit._converter import _KINDS, T, converter
from shopkit.errors import ConfigError, Problem, ShopkitError, ValidationError, location

__all__ = [
    "DocumentLimits",
    "from_dict",
    "from_json",
    "from_toml",
    "to_dict",
    "to_json",
    "to_toml",
]


def _positive(instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValidationError(
            f"{value!r} is not a positive whole number", field=attribute.name, value=value
        )


@attrs.frozen
class DocumentLimits:
    """How large a document ``from_dict``, ``from_json`` and ``from_toml`` read.

    A document past a limit is refused with a ``ConfigError`` before any of it is built, so a
    hostile or broken request fails fast instead of exhausting the stack or the memory. The
    defaults hold any real shop's configuration with room to spare; a caller with a larger one
    passes its own: ``from_json(text, list[Promotion], limits=DocumentLimits(max_items=10**7))``.

    Attributes:
        max_depth: The deepest nesting of objects and lists (the document itself is level 1;
            each ``all_of`` condition adds two levels: its object and its list). Default 64.
        max_items: The most entries in all of the document's objects and lists together.
            Default 1,000,000 (about 50,000 promotions).
        max_bytes: The longest JSON or TOML text, in bytes (characters for ``str``).
            Default 32 MiB.

    Examples:
        >>> from shopkit import ConfigError, DocumentLimits, from_json
        >>> deep = "[" * 100 + "]" * 100
        >>> try:
        ...     from_json(deep, list)
        ... except ConfigError as error:
        ...     print(error.message)
        nested deeper than 64 levels
        >>> len(from_json(deep, list, limits=DocumentLimits(max_depth=100)))
        1
    """

    max_depth: int = attrs.field(default=64, validator=_positive)
    max_items: int = attrs.field(default=1_000_000, validator=_positive)
    max_bytes: int = attrs.field(default=32 * 2**20, validator=_positive)


_DEFAULT_LIMITS = DocumentLimits()


def _check_size(data: Any, limits: DocumentLimits) -> None:
    """Refuse a document deeper or larger than the limits; a loop, so no recursion at all."""
    stack: list[tuple[Any, str, int]] = [(data, "", 1)]
    count = 0
    while stack:
        value, path, depth = stack.pop()
        if isinstance(value, Mapping):
            children: Any = value.items()
        elif isinstance(value, list | tuple):
            children = enumerate(value)
        else:
            continue
        if depth > limits.max_depth:
            raise _limit_error(path, f"nested deeper than {limits.max_depth} levels", depth)
        count += len(value)
        if count > limits.max_items:
            raise _limit_error(
                path, f"the document holds more than {limits.max_items:,} items", count
            )
        for key, child in children:
            if isinstance(child, Mapping | list | tuple):
                where = (
                    f"{path}[{key}]"
                    if isinstance(key, int)
                    else (f"{path}.{key}" if path else str(key))
                )
                stack.append((child, where, depth + 1))


def _limit_error(path: str, message: str, value: int) -> ConfigError:
    where = path or "(document)"
    return ConfigError(message, field=where, value=value, errors=(f"{where}: {message}",))


def _limits(limits: object) -> DocumentLimits:
    if limits is None:
        return _DEFAULT_LIMITS
    if not isinstance(limits, DocumentLimits):
        raise ValidationError(f"{limits!r} is not DocumentLimits", field="limits", value=limits)
    return limits


def _check_length(text: object, limits: DocumentLimits) -> None:
    if isinstance(text, str | bytes | bytearray) and len(text) > limits.max_bytes:
        raise _limit_error("", f"the text is longer than {limits.max_bytes:,} bytes", len(text))


def _problems(error: BaseException, path: str) -> Iterator[tuple[str, str, str, Any]]:
    """Each problem inside a (possibly nested) structuring error.

    As ``(path, message, type, input)``; the input is ``_UNKNOWN`` where the error does not
    carry it (``from_dict`` then takes it from the document at the path).
    """

    def join(name: object) -> str:
        if isinstance(name, int):
            return f"{path}[{name}]"
        return f"{path}.{name}" if path else str(name)

    if isinstance(error, BaseValidationError):
        grouped = getattr(error, "group_exceptions", None)
        if grouped is not None:
            with_notes, without_notes = grouped()
            for inner, note in with_notes:
                name = getattr(note, "name", None)
                index = getattr(note, "index", None)
                yield from _problems(inner, join(name if name is not None else index))
            for inner in without_notes:
                yield from _problems(inner, path)
        else:
            for inner in error.exceptions:
                yield from _problems(inner, path)
    elif isinstance(error, ConfigError) and len(error.problems) > 1:
        for problem in error.problems:
            where = _path_of(problem["loc"])
            yield join(where) if where else path, problem["msg"], problem["type"], problem["input"]
    elif isinstance(error, ShopkitError):
        where = join(error.field) if error.field else path
        yield where, error.message, error.code, error.value
    elif isinstance(error, ForbiddenExtraKeysError):
        extra = sorted(error.extra_fields)
        yield path, f"unknown keys {extra}", "unknown_keys", extra
    elif isinstance(error, KeyError):
        yield path, "required field is missing", "missing", _UNKNOWN
    else:
        yield path, str(error), "config", _UNKNOWN


_UNKNOWN: Any = object()


def _path_of(loc: Sequence[str | int]) -> str:
    text = ""
    for step in loc:
        text = f"{text}[{step}]" if isinstance(step, int) else (f"{text}.{step}" if text else step)
    return text


def _at(data: Any, path: str) -> Any:
    """The value at a dotted path of the document, or the document where the path ends early."""
    value = data
    for step in location(path):
        try:
            value = value[step]
        except (KeyError, IndexError, TypeError):
            return value
    return value


def from_dict(data: Any, cls: type[T], *, limits: DocumentLimits | None = None) -> T:
    """Build a config object of type ``cls`` from plain data (dicts, lists, strings, numbers).

    Args:
        data: The plain data, e.g. parsed JSON.
        cls: The type to build.
        limits: How deep and large the data may be (``DocumentLimits()`` by default).

    Returns:
        The object.

    Raises:
        ConfigError: the data does not fit; its ``errors`` list every problem with its path.

    Examples:
        >>> from shopkit import ConfigError, Product, from_dict
        >>> try:
        ...     from_dict({"sku": "A", "name": "Mug", "unit_price": "-1.00 GBP"}, Product)
        ... except ConfigError as error:
        ...     print(error)
        unit_price: -1.00 GBP is negative
    """
    _check_size(data, _limits(limits))
    try:
        return converter.structure(data, cls)
    except RecursionError:
        raise _limit_error("", "nested too deeply to read", 0) from None
    except (TypeError, AttributeError) as error:
        # cattrs checks the shape of nested values (and reports them with their path) but
        # not of the document itself: a list where an object belongs fails here.
        raise ConfigError(
            f"{_article(type(data).__name__)} does not fit "
            f"{_article(getattr(cls, '__name__', str(cls)))}",
            field="(document)",
            value=data,
            errors=(
                f"(document): {_article(type(data).__name__)} does not fit "
                f"{_article(getattr(cls, '__name__', str(cls)))}",
            ),
        ) from error
    except (BaseValidationError, ShopkitError) as error:
        found = [
            (where, message, kind, _at(data, where) if given is _UNKNOWN else given)
            for where, message, kind, given in _problems(error, "")
        ]
        problems = [
            Problem(loc=location(where), msg=message, type=kind, input=given)
            for where, message, kind, given in found
        ]
        lines = tuple(f"{where or '(document)'}: {message}" for where, message, _, _ in found)
        if len(found) == 1:
            where, message, _, given = found[0]
            raise ConfigError(
                message, field=where or "(document)", value=given, errors=lines, problems=problems
            ) from error
        raise ConfigError(
            "; ".join(lines), field=None, value=data, errors=lines, problems=problems
        ) from error


def _article(noun: str) -> str:
    return f"an {noun}" if noun[:1].lower() in "aeiou" else f"a {noun}"


def to_dict(value: Any) -> Any:
    """Turn a config object into plain data that ``from_dict`` reads back unchanged.

    A kind of a plugin group is written with its ``type`` key.

    Args:
        value: A config object (or a list of them).

    Returns:
        Dicts, lists, strings, numbers and booleans; amounts and decimals as strings.
    """
    for base, registry in _KINDS.items():
        if isinstance(value, base) and type(value) is not base:
            return converter.unstructure(value, unstructure_as=registry.base)
    return converter.unstructure(value)


def from_json(text: str | bytes, cls: type[T], *, limits: DocumentLimits | None = None) -> T:
    """Read a config object from JSON; numbers with a fraction are read as ``Decimal``.

    ``limits`` bounds the text's length, nesting and number of items (``DocumentLimits``).

    Raises:
        ConfigError: the text is not JSON, is past a limit, or the data does not fit ``cls``.

    Examples:
        >>> from shopkit import Money, from_json
        >>> from_json('{"amount": 19.99, "currency": "EUR"}', Money)
        Money.of('19.99', 'EUR')
    """
    bounds = _limits(limits)
    _check_length(text, bounds)
    try:
        data = json.loads(text, parse_float=Decimal, parse_constant=_no_constant)
    except RecursionError:
        raise _limit_error("", f"nested deeper than {bounds.max_depth} levels", 0) from None
    except json.JSONDecodeError as error:
        raise ConfigError(
            f"malformed JSON at line {error.lineno} column {error.colno}: {error.msg}",
            field="(document)",
            value=error.doc[max(0, error.pos - 20) : error.pos + 20],
        ) from None
    except ValueError as error:  # NaN or Infinity, or bytes that are not UTF-8
        shown = text[:40] if isinstance(text, str) else bytes(text[:40])
        raise ConfigError(str(error), field="(document)", value=shown) from None
    return from_dict(data, cls, limits=bounds)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number shopkit accepts")


def to_json(value: Any, *, indent: int | None = 2) -> str:
    """Write a config object as JSON that ``from_json`` reads back unchanged.

    Examples:
        >>> from shopkit import Money, to_json
        >>> to_json(Money.of("19.99", "EUR"), indent=None)
        '{"amount": "19.99", "currency": "EUR"}'
    """
    return json.dumps(to_dict(value), indent=indent, ensure_ascii=False)


def from_toml(text: str, cls: type[T], *, limits: DocumentLimits | None = None) -> T:
    """Read a config object from a TOML document; fractions are read as ``Decimal``.

    ``limits`` bounds the text's length, nesting and number of items (``DocumentLimits``).

    Raises:
        ConfigError: the text is not TOML, is past a limit, or the data does not fit ``cls``.
    """
    bounds = _limits(limits)
    _check_length(text, bounds)
    if not isinstance(text, str):
        raise ConfigError(
            f"a {type(text).__name__} is not TOML text", field="(document)", value=repr(text)[:80]
        )
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except RecursionError:
        raise _limit_error("", f"nested deeper than {bounds.max_depth} levels", 0) from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"malformed TOML: {error}", field="(document)", value=text[:80]) from None
    return from_dict(data, cls, limits=bounds)


def to_toml(value: Any) -> str:
    """Write a config object as a TOML document that ``from_toml`` reads back unchanged.

    TOML has no null: fields that are ``None`` are left out, as they are by default.

    Raises:
        ConfigError: the object is not written as a table (TOML's top level is one).
    """
    data = to_dict(value)
    if not isinstance(data, dict):
        raise ConfigError(
            f"TOML needs a table at the top, and a {type(value).__name__} is not written as one",
            field="(document)",
            value=type(value).__name__,
        )
    return tomli_w.dumps(_without_none(data))


def _without_none(data: Any) -> Any:
    if isinstance(data, dict):
        return {key: _without_none(item) for key, item in data.items() if item is not None}
    if isinstance(data, list):
        return [_without_none(item) for item in data]
    return data
