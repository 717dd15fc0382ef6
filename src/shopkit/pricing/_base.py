"""The three plugin kinds of the pricing engine: selectors, conditions and benefits.

A *selector* says which products a promotion is about; a *condition* says whether the promotion
applies to this cart, customer and time; a *benefit* says what the customer gets. Each kind is a
frozen attrs class registered under a type name in its entry-point group, so that a promotion
is plain data: ``{"type": "percentage", "percent": "10", "selector": {...}}``.
"""

from __future__ import annotations

import abc
import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING

import attrs

from shopkit import (
    Cart,
    Customer,
    Money,
    Product,
    Registry,
    RoundingMode,
    ShopkitError,
    ValidationError,
    converter,
    register_json_schema,
    register_kind,
    validate_currency,
)

if TYPE_CHECKING:
    from shopkit.pricing._state import CartState

__all__ = [
    "Amounts",
    "Benefit",
    "Condition",
    "Context",
    "Level",
    "Selector",
    "Verdict",
    "benefits",
    "conditions",
    "selectors",
]


class Level(enum.StrEnum):
    """Where in the cart a benefit acts, which also fixes when it is applied."""

    LINE = "line"
    """On lines or units: applied first."""
    ORDER = "order"
    """On the order as a whole, spread over the lines: applied after every line benefit."""
    SHIPPING = "shipping"
    """On the shipping price: applied last."""


@attrs.frozen
class Verdict:
    """A condition's answer: whether it holds, why not, and what would make it hold.

    Attributes:
        ok: Whether the condition holds.
        reason: Why it does not hold, in words a shopper can read; empty when it holds.
        nudge: What the shopper could do to make it hold ("add 5.00 GBP more"), if anything.
    """

    ok: bool
    reason: str = ""
    nudge: str | None = None


PASS = Verdict(True)


@attrs.frozen
class Context:
    """What a condition may look at when the engine asks it.

    Attributes:
        cart: The cart being priced.
        customer: The customer context.
        at: The moment of pricing (never read from the clock).
        codes: The promo codes entered, normalised (upper case, no spaces or dashes).
        threshold_amount: The amount spend thresholds compare with at this step: the subtotal
            before discounts for line-level promotions; after line discounts (or before, as the
            engine's options say) for order-level and shipping promotions.
    """

    cart: Cart
    customer: Customer
    at: dt.datetime
    codes: frozenset[str]
    threshold_amount: Money


def _amount_map(value: Mapping[str, Money] | Iterable[Money]) -> Mapping[str, Money]:
    if isinstance(value, Mapping):
        return dict(value)
    return {money.currency: money for money in value}


@attrs.frozen
class Amounts:
    """An amount given per currency, as a shop with several currencies sets prices.

    In JSON it is an object from currency code to amount: ``{"EUR": "5.00", "USD": "5.50"}``.

    Attributes:
        by_currency: The amount for each currency; each key is the amount's own currency.

    Examples:
        >>> from shopkit import Money
        >>> from shopkit.pricing import Amounts
        >>> off = Amounts.of(EUR="5.00", JPY="700")
        >>> str(off.get("JPY"))
        '700 JPY'
    """

    by_currency: Mapping[str, Money] = attrs.field(converter=_amount_map, hash=False)

    def __attrs_post_init__(self) -> None:
        if not self.by_currency:
            raise ValidationError("no amount is given for any currency", field="amounts", value={})
        for code, money in self.by_currency.items():
            validate_currency(code, f"amounts.{code}")
            if not isinstance(money, Money):
                raise ValidationError(
                    f"{money!r} is not an amount", field=f"amounts.{code}", value=money
                )
            if money.currency != code:
                raise ValidationError(
                    f"the {code} amount is in {money.currency}",
                    field=f"amounts.{code}",
                    value=str(money),
                )
            if money.minor < 0:
                raise ValidationError(
                    f"{money} is negative", field=f"amounts.{code}", value=str(money)
                )

    @classmethod
    def of(cls, **amounts: str | int | Decimal) -> Amounts:
        """Build from keyword arguments: ``Amounts.of(EUR="5.00", USD="5.50")``."""
        return cls({code: Money.of(value, code) for code, value in amounts.items()})

    def get(self, currency: str, field: str = "amounts") -> Money:
        """Return the amount for ``currency``.

        Raises:
            ValidationError: no amount is given for that currency; the error names the
                currencies that have one.
        """
        try:
            return self.by_currency[currency]
        except KeyError:
            raise ValidationError(
                f"no amount for {currency} (amounts are given for "
                f"{', '.join(sorted(self.by_currency))})",
                field=field,
                value=currency,
            ) from None

    def __hash__(self) -> int:
        return hash(tuple(sorted((code, money.minor) for code, money in self.by_currency.items())))


def _structure_amounts(value: object, _: object) -> Amounts:
    if isinstance(value, Amounts):
        return value
    if not isinstance(value, Mapping) or not value:
        raise ValidationError(
            f"{value!r} is not an object of amounts by currency like {{'EUR': '5.00'}}",
            value=value,
        )
    by_currency = {}
    for code, amount in value.items():
        try:
            by_currency[code] = Money.of(amount, code)
        except ShopkitError as error:
            raise ShopkitError.at(error, str(code)) from None
    return Amounts(by_currency)


converter.register_structure_hook(Amounts, _structure_amounts)
converter.register_unstructure_hook(
    Amounts, lambda amounts: {code: str(m.amount) for code, m in amounts.by_currency.items()}
)
register_json_schema(
    Amounts,
    {
        "description": "An amount per currency: {'EUR': '5.00', 'USD': '5.50'}.",
        "type": "object",
        "patternProperties": {"^[A-Z]{3}$": {"$ref": "#/$defs/Decimal"}},
        "additionalProperties": False,
        "minProperties": 1,
    },
    refers_to=(Decimal,),
)


class Selector(abc.ABC):
    """Which products a promotion is about: by sku, category, tag, attribute or price."""

    @abc.abstractmethod
    def matches(self, product: Product) -> bool:
        """Return whether ``product`` is selected."""

    @abc.abstractmethod
    def describe(self) -> str:
        """Describe the selection in words for messages: "items from Accessories"."""

    def index_keys(self) -> frozenset[tuple[str, str]] | None:
        """Return keys under which a product must appear to be selected, for indexing.

        A product can only match if it has at least one of these keys (``("sku", X)``,
        ``("category", C)``, ``("tag", T)``). ``None`` means the selector cannot be narrowed
        this way and must be checked against every product.
        """
        return None


class Condition(abc.ABC):
    """Whether a promotion applies to this cart, customer and moment."""

    @abc.abstractmethod
    def check(self, context: Context) -> Verdict:
        """Return whether the condition holds in ``context``, and if not, why."""

    def selector_keys(self) -> frozenset[tuple[str, str]] | None:
        """Return index keys one of which a cart must contain for the condition to hold.

        ``None`` (the default) means the condition does not narrow the carts by product.
        """
        return None

    def applies_to_product(self, product: Product, context: Context) -> Verdict:
        """Whether the condition can hold for ``product`` on its own, for display prices.

        The default evaluates the condition on ``context`` (a cart of one unit of the
        product).
        """
        return self.check(context)


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
        never sees the promotion.
        """
        return None

    def implied_condition(self) -> Condition | None:
        """Return a condition the benefit always needs besides the promotion's own, if any."""
        return None

    def nudge(self, state: CartState) -> str | None:
        """Return what the shopper could add for the benefit to give something, if anything.

        A whole phrase a shop can show: "add 5.00 GBP more for free shipping".
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
        "all": "shopkit.pricing._conditions:All",
        "any": "shopkit.pricing._conditions:Any",
        "channel": "shopkit.pricing._conditions:Channel",
        "code": "shopkit.pricing._conditions:CodeEntered",
        "customer_segment": "shopkit.pricing._conditions:CustomerSegment",
        "date_window": "shopkit.pricing._conditions:DateWindow",
        "first_order": "shopkit.pricing._conditions:FirstOrder",
        "loyalty_tier": "shopkit.pricing._conditions:LoyaltyTier",
        "min_quantity": "shopkit.pricing._conditions:MinQuantity",
        "min_subtotal": "shopkit.pricing._conditions:MinSubtotal",
        "not": "shopkit.pricing._conditions:Not",
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
        "tiered_spend": "shopkit.pricing._benefits:TieredSpend",
        "welcome": "shopkit.pricing._benefits:Welcome",
    },
)
"""Benefit kinds by type name (entry-point group ``shopkit.benefits``)."""

register_kind(selectors)
register_kind(conditions)
register_kind(benefits)
