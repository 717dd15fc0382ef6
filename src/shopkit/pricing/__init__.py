"""Pricing: the promotions engine.

Promotions are data: a ``Promotion`` joins a *benefit* (what the customer gets), an
optional *condition* (when), a priority and a combination policy. ``price`` applies them to
a cart at a given moment and returns a ``PricedCart`` whose every amount is exact and
explained; ``display_prices`` gives catalogue prices and badges without a cart (and
``display_price_table`` the same for a whole ``ProductTable`` at once, as numpy arrays). A promotion
that did not apply says why (a ``Reason``) and, where adding something would unlock it, how
much (a ``Nudge``: the spend or units missing and what they unlock, as data).

This module is what a shop calls. What a plugin author needs to write a new kind (the base
classes, the working state, the registries) is in ``shopkit.pricing.plugin``. This package
imports the core (``shopkit``) only, never another domain package.

Examples:
    >>> import datetime as dt
    >>> from shopkit import Cart, Money, Product
    >>> from shopkit.pricing import Amounts, FreeShipping, Promotion, price
    >>> free = Promotion("ship", "Free shipping", FreeShipping(Amounts.of(GBP="40.00")))
    >>> cart = Cart("GBP").add(Product("A", "Lamp", Money.of("35.00", "GBP")))
    >>> priced = price(cart, [free], at=dt.datetime(2026, 11, 23, tzinfo=dt.timezone.utc))
    >>> (nudge,) = priced.nudges
    >>> nudge.message, str(nudge.missing_amount), nudge.unlocks
    ('add 5.00 GBP more for free shipping', '5.00 GBP', 'free shipping')
"""

from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

from shopkit.pricing._benefits import (
    Bundle,
    BundleItem,
    BuyXGetY,
    CheapestFree,
    FixedOff,
    FixedPrice,
    FreeShipping,
    Gift,
    Per,
    Percentage,
    Pick,
    ShippingBasis,
    ShippingDiscount,
    Tier,
    TieredSpend,
    Welcome,
)
from shopkit.pricing._book import PromotionBook
from shopkit.pricing._checkout import CheckoutError, Reservation, claims_for, reserve_checkout
from shopkit.pricing._codes import CodeBook, PromoCode, generate_codes, normalize_code
from shopkit.pricing._conditions import (
    AllOfConditions,
    AnyOfConditions,
    Channel,
    CodeEntered,
    CustomerSegment,
    DateWindow,
    FirstOrder,
    LoyaltyTier,
    MinQuantity,
    MinSubtotal,
    NoneOfConditions,
    Region,
    Schedule,
    StockLevel,
)
from shopkit.pricing._display import DisplayPrice, display_prices
from shopkit.pricing._engine import price
from shopkit.pricing._fees import Fee
from shopkit.pricing._memory_store import InMemoryRedemptionStore
from shopkit.pricing._offers import ShippingOffer, available_promotions, shipping_offers
from shopkit.pricing._postgres import PostgresRedemptionStore
from shopkit.pricing._priced_json import (
    AdjustmentJSON,
    AppliedPromotionJSON,
    CodeResultJSON,
    FeeChargeJSON,
    NotAppliedJSON,
    NudgeJSON,
    PricedCartJSON,
    PricedLineJSON,
    UnitPriceJSON,
    priced_cart_json,
)
from shopkit.pricing._promotion import (
    Combination,
    Mode,
    PricingOptions,
    Promotion,
    ThresholdBasis,
)
from shopkit.pricing._redemption import (
    Claim,
    Held,
    LimitReachedError,
    RedemptionStore,
    ReservationError,
    StoreError,
)
from shopkit.pricing._refunds import Refund, refund
from shopkit.pricing._request import PriceRequest
from shopkit.pricing._result import (
    Adjustment,
    AppliedPromotion,
    CodeResult,
    CodeStatus,
    FeeCharge,
    FeeStatus,
    NotApplied,
    PricedCart,
    PricedLine,
    Reason,
    UnitPrice,
)
from shopkit.pricing._samples import sample_promotions
from shopkit.pricing._selectors import (
    AllOf,
    AllProducts,
    AnyOf,
    Attribute,
    Categories,
    NoneOf,
    PriceRange,
    Skus,
    StockRange,
    Tags,
)
from shopkit.pricing._sqlite_store import SQLiteRedemptionStore
from shopkit.pricing._terms import PromotionTerms, TermsTemplates, terms
from shopkit.pricing._values import Amounts, Nudge

if _TYPE_CHECKING:
    from shopkit.pricing._display_arrays import DisplayPriceTable, display_price_table
    from shopkit.pricing._product_table import ProductTable

# The array forms need numpy (the data extra): loaded the first time one is asked for.
_LAZY = {
    "DisplayPriceTable": "shopkit.pricing._display_arrays",
    "ProductTable": "shopkit.pricing._product_table",
    "display_price_table": "shopkit.pricing._display_arrays",
}


def __getattr__(name: str) -> _Any:
    """Load the array forms (and numpy) the first time one is asked for."""
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'shopkit.pricing' has no attribute {name!r}")


__all__ = [
    "Adjustment",
    "AdjustmentJSON",
    "AllOf",
    "AllOfConditions",
    "AllProducts",
    "Amounts",
    "AnyOf",
    "AnyOfConditions",
    "AppliedPromotion",
    "AppliedPromotionJSON",
    "Attribute",
    "Bundle",
    "BundleItem",
    "BuyXGetY",
    "Categories",
    "Channel",
    "CheapestFree",
    "CheckoutError",
    "Claim",
    "CodeBook",
    "CodeEntered",
    "CodeResult",
    "CodeResultJSON",
    "CodeStatus",
    "Combination",
    "CustomerSegment",
    "DateWindow",
    "DisplayPrice",
    "DisplayPriceTable",
    "Fee",
    "FeeCharge",
    "FeeChargeJSON",
    "FeeStatus",
    "FirstOrder",
    "FixedOff",
    "FixedPrice",
    "FreeShipping",
    "Gift",
    "Held",
    "InMemoryRedemptionStore",
    "LimitReachedError",
    "LoyaltyTier",
    "MinQuantity",
    "MinSubtotal",
    "Mode",
    "NoneOf",
    "NoneOfConditions",
    "NotApplied",
    "NotAppliedJSON",
    "Nudge",
    "NudgeJSON",
    "Per",
    "Percentage",
    "Pick",
    "PostgresRedemptionStore",
    "PriceRange",
    "PriceRequest",
    "PricedCart",
    "PricedCartJSON",
    "PricedLine",
    "PricedLineJSON",
    "PricingOptions",
    "ProductTable",
    "PromoCode",
    "Promotion",
    "PromotionBook",
    "PromotionTerms",
    "Reason",
    "RedemptionStore",
    "Refund",
    "Region",
    "Reservation",
    "ReservationError",
    "SQLiteRedemptionStore",
    "Schedule",
    "ShippingBasis",
    "ShippingDiscount",
    "ShippingOffer",
    "Skus",
    "StockLevel",
    "StockRange",
    "StoreError",
    "Tags",
    "TermsTemplates",
    "ThresholdBasis",
    "Tier",
    "TieredSpend",
    "UnitPrice",
    "UnitPriceJSON",
    "Welcome",
    "available_promotions",
    "claims_for",
    "display_price_table",
    "display_prices",
    "generate_codes",
    "normalize_code",
    "price",
    "priced_cart_json",
    "refund",
    "reserve_checkout",
    "sample_promotions",
    "shipping_offers",
    "terms",
]
