"""The plugin kinds of the pricing engine and their registries: selectors, conditions, benefits.

A *selector* says which products a promotion is about; a *condition* says whether the promotion
applies to this cart, customer and time; a *benefit* says what the customer gets. Each kind is a
frozen attrs class registered under a type name in its registry, so that a promotion is plain
data: ``{"type": "percentage", "percent": "10", "selector": {...}}``. The ``Selector`` base sits
in ``_values`` (a shortfall and the working state name one); the registries of all three are
here.
"""

from __future__ import annotations

import abc

from shopkit import Registry, RoundingMode, register_kind
from shopkit.pricing._state import CartState
from shopkit.pricing._values import Context, Level, Selector, Shortfall, Verdict

__all__ = [
    "Benefit",
    "Condition",
    "Selector",
    "benefits",
    "conditions",
    "selectors",
]


class Condition(abc.ABC):
    """Whether a promotion applies to this cart, customer and moment."""

    @abc.abstractmethod
    def check(self, context: Context) -> Verdict:
        """Return whether the condition holds in ``context``, and if not, why.

        A failing verdict carries a ``message`` a shopper can read and, where adding spend or
        units would make the condition hold, a ``Shortfall`` saying how much.
        """

    def index_keys(self) -> frozenset[tuple[str, str]] | None:
        """Return index keys one of which a cart must contain for the condition to hold.

        The keys are those of ``Selector.index_keys``. ``None`` (the default) means the
        condition does not narrow the carts by product.
        """
        return None


class Benefit(abc.ABC):
    """What the customer gets when a promotion applies."""

    level: Level = Level.LINE

    @abc.abstractmethod
    def apply(self, state: CartState, rounding: RoundingMode) -> None:
        """Apply the benefit to ``state`` (the engine's working copy of the cart).

        Line benefits call ``state.discount_open``, ``state.take_units`` and friends; order
        benefits call ``state.discount_order``; shipping benefits ``state.discount_shipping``.
        The engine has already checked the promotion's condition.
        """

    @abc.abstractmethod
    def describe(self) -> str:
        """Describe the benefit in words for messages: "10% off Accessories"."""

    def selector_of(self) -> Selector | None:
        """Return the selector of the products the benefit acts on, if it has one.

        The engine indexes a line-level promotion by it: a cart with none of those products
        never sees the promotion. The default is the benefit's ``selector`` field, if it has
        one.
        """
        selector = getattr(self, "selector", None)
        return selector if isinstance(selector, Selector) else None

    def implied_condition(self) -> Condition | None:
        """Return a condition the benefit always needs besides the promotion's own, if any."""
        return None

    def nudge(self, state: CartState) -> Shortfall | None:
        """Return what the cart lacks for the benefit to give something, if adding would help.

        Called when the benefit gave nothing. The engine completes the shortfall into the
        promotion's ``Nudge`` (with the benefit's description, unless the shortfall names what
        it unlocks).
        """
        return None


selectors: Registry[Selector] = Registry(
    "shopkit.selectors",
    Selector,
    builtins={
        "all_of": "shopkit.pricing._selectors:AllOf",
        "all_products": "shopkit.pricing._selectors:AllProducts",
        "any_of": "shopkit.pricing._selectors:AnyOf",
        "attribute": "shopkit.pricing._selectors:Attribute",
        "categories": "shopkit.pricing._selectors:Categories",
        "none_of": "shopkit.pricing._selectors:NoneOf",
        "price_range": "shopkit.pricing._selectors:PriceRange",
        "skus": "shopkit.pricing._selectors:Skus",
        "stock_range": "shopkit.pricing._selectors:StockRange",
        "tags": "shopkit.pricing._selectors:Tags",
    },
)
"""Selector kinds by type name (entry-point group ``shopkit.selectors``)."""
conditions: Registry[Condition] = Registry(
    "shopkit.conditions",
    Condition,
    builtins={
        "all_of": "shopkit.pricing._conditions:AllOfConditions",
        "any_of": "shopkit.pricing._conditions:AnyOfConditions",
        "channel": "shopkit.pricing._conditions:Channel",
        "code": "shopkit.pricing._conditions:CodeEntered",
        "customer_segment": "shopkit.pricing._conditions:CustomerSegment",
        "date_window": "shopkit.pricing._conditions:DateWindow",
        "first_order": "shopkit.pricing._conditions:FirstOrder",
        "loyalty_tier": "shopkit.pricing._conditions:LoyaltyTier",
        "min_quantity": "shopkit.pricing._conditions:MinQuantity",
        "min_subtotal": "shopkit.pricing._conditions:MinSubtotal",
        "none_of": "shopkit.pricing._conditions:NoneOfConditions",
        "region": "shopkit.pricing._conditions:Region",
        "schedule": "shopkit.pricing._conditions:Schedule",
        "stock_level": "shopkit.pricing._conditions:StockLevel",
    },
)
"""Condition kinds by type name (entry-point group ``shopkit.conditions``)."""
benefits: Registry[Benefit] = Registry(
    "shopkit.benefits",
    Benefit,
    builtins={
        "bundle": "shopkit.pricing._benefits:Bundle",
        "buy_x_get_y": "shopkit.pricing._benefits:BuyXGetY",
        "cheapest_free": "shopkit.pricing._benefits:CheapestFree",
        "fixed_off": "shopkit.pricing._benefits:FixedOff",
        "fixed_price": "shopkit.pricing._benefits:FixedPrice",
        "free_shipping": "shopkit.pricing._benefits:FreeShipping",
        "gift": "shopkit.pricing._benefits:Gift",
        "percentage": "shopkit.pricing._benefits:Percentage",
        "shipping_discount": "shopkit.pricing._benefits:ShippingDiscount",
        "tiered_spend": "shopkit.pricing._benefits:TieredSpend",
        "welcome": "shopkit.pricing._benefits:Welcome",
    },
)
"""Benefit kinds by type name (entry-point group ``shopkit.benefits``)."""

register_kind(selectors)
register_kind(conditions)
register_kind(benefits)
