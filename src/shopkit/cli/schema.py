"""``shopkit schema``: the JSON Schema of a config type, to validate payloads with.

The types are listed by name with a loader each, so the parser (which offers the names) imports
no domain package, and ``shopkit schema cart`` never loads ``shopkit.recommend``.
"""

from __future__ import annotations

import argparse
import collections.abc
import importlib
from typing import Any, Final

from shopkit.cli import _io

__all__ = ["SCHEMA_TYPES", "add_commands"]


_DEFAULT_REF_TEMPLATE: Final = "#/$defs/{name}"
"""Where ``shopkit schema`` points references by default: the schema's own ``$defs``."""

_OPENAPI_REF_TEMPLATE: Final = "#/components/schemas/{name}"
"""The reference template of an OpenAPI document, for ``--ref-template``."""

_TYPES: Final = {
    "cart": ("shopkit:Cart", "one"),
    "catalogue": ("shopkit:Product", "tuple"),
    "customer": ("shopkit:Customer", "one"),
    "money": ("shopkit:Money", "one"),
    "price-request": ("shopkit.pricing:PriceRequest", "one"),
    "priced-cart": ("shopkit.pricing:PricedCart", "one"),
    "priced-cart-json": ("shopkit.pricing:PricedCartJSON", "one"),
    "product": ("shopkit:Product", "one"),
    "promo-codes": ("shopkit.pricing:PromoCode", "list"),
    "promotion": ("shopkit.pricing:Promotion", "one"),
    "promotions": ("shopkit.pricing:Promotion", "list"),
    "recommend-request": ("shopkit.recommend:Request", "one"),
    "recommender": ("shopkit.recommend:Recommender", "one"),
    "recommenders": ("shopkit.recommend:Recommender", "list"),
    "shipping-option": ("shopkit:ShippingOption", "one"),
}
"""Each name's type, as ``"module:Class"`` (as built-in plugin kinds are listed), and its shape:
the class itself, a ``list`` of it (a JSON array) or a ``tuple`` of it (also a JSON array)."""


def _load(reference: str, shape: str) -> Any:
    module, _, name = reference.partition(":")
    cls = getattr(importlib.import_module(module), name)
    if shape == "list":
        return list[cls]  # type: ignore[valid-type]
    if shape == "tuple":
        return tuple[cls, ...]  # type: ignore[valid-type]
    return cls


class _Loaded(collections.abc.Mapping[str, Any]):
    """A read-only mapping of names to types, each imported when it is first looked up."""

    def __init__(self, types: collections.abc.Mapping[str, tuple[str, str]]) -> None:
        self._types = dict(types)
        self._loaded: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self._loaded:
            self._loaded[name] = _load(*self._types[name])
        return self._loaded[name]

    def __iter__(self) -> collections.abc.Iterator[str]:
        return iter(self._types)

    def __len__(self) -> int:
        return len(self._types)


SCHEMA_TYPES: Final[collections.abc.Mapping[str, Any]] = _Loaded(_TYPES)
"""The config types ``shopkit schema`` exports, by the name given on the command line.

Listing the names imports nothing; looking one up imports the package that defines its type.
"""


def add_commands(subparsers: Any) -> None:
    """Add the ``schema`` command to the ``shopkit`` parser's subparsers."""
    schema = subparsers.add_parser(
        "schema", help="print the JSON Schema of a config type, to validate payloads with"
    )
    schema.add_argument("type", choices=sorted(SCHEMA_TYPES), help="the config type")
    schema.add_argument("-o", "--output", help="write to this file instead of stdout")
    schema.add_argument(
        "--ref-template",
        type=_io.option(_ref_template),
        default=_DEFAULT_REF_TEMPLATE,
        metavar="TEMPLATE",
        help=(
            "how a reference to a definition is written, {name} standing for its name; "
            f"for OpenAPI: {_OPENAPI_REF_TEMPLATE} (default {_DEFAULT_REF_TEMPLATE})"
        ),
    )
    schema.set_defaults(run=_run)


def _ref_template(value: str) -> str:
    from shopkit import Money, json_schema

    json_schema(Money, ref_template=value)  # json_schema's own check of the template
    return value


def _run(args: argparse.Namespace) -> int:
    from shopkit import json_schema

    schema = json_schema(SCHEMA_TYPES[args.type], ref_template=args.ref_template)
    _io.write_json(schema, args.output)
    return 0
