"""shopkit: exact pricing, promotions, recommendations, loyalty and KPIs for online shops.

The core, imported from here, is what every part stands on: exact ``Money``, the cart
model, the catalogue, the orders and events every part reads (and their columnar form,
``OrderTable`` and ``EventTable``), the errors, the one config converter and the plugin
registry. The domain packages ``shopkit.pricing``, ``shopkit.recommend``, ``shopkit.loyalty``
and ``shopkit.metrics`` build on it and never on each other.

``import shopkit`` does not import numpy: ``OrderTable`` and ``EventTable`` load it the first
time they are used (``pip install "shopkit[data]"``), as does ``shopkit.datasets``.

Examples:
    >>> from shopkit import Cart, Money, Product
    >>> mug = Product("MUG-1", "Enamel mug", Money.of("6.50", "GBP"))
    >>> print(Cart("GBP").add(mug, 3).subtotal)
    19.50 GBP
"""

from importlib.metadata import PackageNotFoundError as _PackageNotFoundError
from importlib.metadata import version as _version
from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

from shopkit._activity import Event, EventKind, Order, OrderLine
from shopkit._allocation import allocate
from shopkit._catalogue import Catalogue
from shopkit._config import (
    DocumentLimits,
    from_dict,
    from_json,
    from_toml,
    to_dict,
    to_json,
    to_toml,
)
from shopkit._converter import converter, register_kind
from shopkit._currency import (
    currency_exponent,
    known_currencies,
    set_currency_exponent,
    validate_currency,
)
from shopkit._model import Cart, Customer, Line, Product, ShippingOption
from shopkit._money import Money
from shopkit._numbers import RoundingMode, to_decimal
from shopkit._plugins import Registry
from shopkit._samples import read_sample, sample_cart, sample_catalogue, sample_customer
from shopkit._schema import json_schema, register_json_schema
from shopkit.errors import (
    ConfigError,
    CurrencyError,
    CurrencyMismatchError,
    NotFittedError,
    PluginError,
    PrecisionError,
    QuantityError,
    ShopkitError,
    UnknownPluginError,
    ValidationError,
)

if _TYPE_CHECKING:
    from shopkit._tables import EventTable, OrderTable

_LAZY = {"EventTable": "shopkit._tables", "OrderTable": "shopkit._tables"}


def __getattr__(name: str) -> _Any:
    """Load the columnar tables (and numpy) the first time one is asked for."""
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'shopkit' has no attribute {name!r}")


__version__: str
"""The installed version of shopkit."""
try:
    __version__ = _version("shopkit")
except _PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

__all__ = [
    "Cart",
    "Catalogue",
    "ConfigError",
    "CurrencyError",
    "CurrencyMismatchError",
    "Customer",
    "DocumentLimits",
    "Event",
    "EventKind",
    "EventTable",
    "Line",
    "Money",
    "NotFittedError",
    "Order",
    "OrderLine",
    "OrderTable",
    "PluginError",
    "PrecisionError",
    "Product",
    "QuantityError",
    "Registry",
    "RoundingMode",
    "ShippingOption",
    "ShopkitError",
    "UnknownPluginError",
    "ValidationError",
    "__version__",
    "allocate",
    "converter",
    "currency_exponent",
    "from_dict",
    "from_json",
    "from_toml",
    "json_schema",
    "known_currencies",
    "read_sample",
    "register_json_schema",
    "register_kind",
    "sample_cart",
    "sample_catalogue",
    "sample_customer",
    "set_currency_exponent",
    "to_decimal",
    "to_dict",
    "to_json",
    "to_toml",
    "validate_currency",
]
