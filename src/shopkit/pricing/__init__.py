"""Pricing: the promotions engine.

Promotions are data: a ``Promotion`` joins a *benefit* (what the customer gets), an
optional *condition* (when), a priority and a combination policy. ``price`` applies them to
a cart at a given moment and returns a ``PricedCart`` whose every amount is exact and
explained; ``display_prices`` gives catalogue prices and badges without a cart.

This package imports the core (``shopkit``) only, never another domain package.

Examples:
    >>> import datetime as dt
    >>> from shopkit import Cart, Money, Product
    >>> from shopkit.pricing import Amounts, FreeShipping, Promotion, price
    >>> free = Promotion("ship", "Free shipping", FreeShipping(Amounts.of(GBP="40.00")))
    >>> cart = Cart("GBP").add(Product("A", "Lamp", Money.of("35.00", "GBP")))
    >>> priced = price(cart, [free], at=dt.datetime(2026, 11, 23, tzinfo=dt.timezone.utc))
    >>> priced.nudges
    ('add 5.00 GBP more for free shipping',)
"""

from shopkit.pricing._base import (
    Amounts,
    Benefit,
    Condition,
    Context,
    Level,
    Selector,
    Verdict,
    benefits,
    conditions,
    selectors,
)
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
    Tier,
    TieredSpend,
    Welcome,
)
from shopkit.pricing._checkout import CheckoutError, Reservation, claims_for, reserve_checkout
from shopkit.pricing._codes import CodeBook, PromoCode, generate_codes
from shopkit.pricing._conditions import (
    All,
    Any,
    Channel,
    CodeEntered,
    CustomerSegment,
    DateWindow,
    FirstOrder,
    LoyaltyTier,
    MinQuantity,
    MinSubtotal,
    Not,
    Region,
    Schedule,
    StockLevel,
    normalize_code,
)
from shopkit.pricing._display import DisplayPrice, display_prices
from shopkit.pricing._engine import PromotionBook, price
from shopkit.pricing._promotion import (
    Combination,
    Mode,
    PricingOptions,
    Promotion,
    ThresholdBasis,
)
from shopkit.pricing._redemption import (
    Claim,
    InMemoryRedemptionStore,
    LimitReachedError,
    RedemptionStore,
    ReservationError,
    SQLiteRedemptionStore,
)
from shopkit.pricing._result import (
    Adjustment,
    AppliedPromotion,
    CodeResult,
    CodeStatus,
    NotApplied,
    PricedCart,
    PricedLine,
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
from shopkit.pricing._state import CartState, LineState, Unit

__all__ = [
    "Adjustment",
    "All",
    "AllOf",
    "AllProducts",
    "Amounts",
    "Any",
    "AnyOf",
    "AppliedPromotion",
    "Attribute",
    "Benefit",
    "Bundle",
    "BundleItem",
    "BuyXGetY",
    "CartState",
    "Categories",
    "Channel",
    "CheapestFree",
    "CheckoutError",
    "Claim",
    "CodeBook",
    "CodeEntered",
    "CodeResult",
    "CodeStatus",
    "Combination",
    "Condition",
    "Context",
    "CustomerSegment",
    "DateWindow",
    "DisplayPrice",
    "FirstOrder",
    "FixedOff",
    "FixedPrice",
    "FreeShipping",
    "Gift",
    "InMemoryRedemptionStore",
    "Level",
    "LimitReachedError",
    "LineState",
    "LoyaltyTier",
    "MinQuantity",
    "MinSubtotal",
    "Mode",
    "NoneOf",
    "Not",
    "NotApplied",
    "Per",
    "Percentage",
    "Pick",
    "PriceRange",
    "PricedCart",
    "PricedLine",
    "PricingOptions",
    "PromoCode",
    "Promotion",
    "PromotionBook",
    "RedemptionStore",
    "Region",
    "Reservation",
    "ReservationError",
    "SQLiteRedemptionStore",
    "Schedule",
    "Selector",
    "ShippingBasis",
    "Skus",
    "StockLevel",
    "StockRange",
    "Tags",
    "ThresholdBasis",
    "Tier",
    "TieredSpend",
    "Unit",
    "Verdict",
    "Welcome",
    "benefits",
    "claims_for",
    "conditions",
    "display_prices",
    "generate_codes",
    "normalize_code",
    "price",
    "reserve_checkout",
    "sample_promotions",
    "selectors",
]
