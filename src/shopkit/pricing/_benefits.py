"""Built-in benefits: what the customer gets when a promotion applies.

One module per kind of what they act on (``_line_benefits``: items, and the whole order for a
percentage or an amount off without a selector; ``_deals``: deals that consume units;
``_order_benefits``: tiered spend, welcome, gift; ``_shipping_benefits``), gathered here: the
registry and the package import them from this module.
"""

from __future__ import annotations

from shopkit.pricing._deals import Bundle, BundleItem, BuyXGetY, CheapestFree
from shopkit.pricing._line_benefits import (
    FixedOff,
    FixedPrice,
    Per,
    Percentage,
    Pick,
)
from shopkit.pricing._order_benefits import Gift, Tier, TieredSpend, Welcome
from shopkit.pricing._shipping_benefits import FreeShipping, ShippingBasis, ShippingDiscount

__all__ = [
    "Bundle",
    "BundleItem",
    "BuyXGetY",
    "CheapestFree",
    "FixedOff",
    "FixedPrice",
    "FreeShipping",
    "Gift",
    "Per",
    "Percentage",
    "Pick",
    "ShippingBasis",
    "ShippingDiscount",
    "Tier",
    "TieredSpend",
    "Welcome",
]
