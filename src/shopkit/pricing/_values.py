"""The values pricing's parts exchange: levels, amounts, what a condition sees and answers.

Everything here is a frozen value with no behaviour beyond describing itself, so every other
pricing module may import it: ``_values`` ← ``_state`` ← ``_kinds`` ← the built-in kinds ←
the engine. ``Selector`` is here, not with the other two plugin bases in ``_kinds``, because a
shortfall names one and the working state filters by one: it is the one kind that sits below
the working state.
"""

from __future__ import annotations

import abc
import copy
import datetime as dt
import enum
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

import attrs
from cattrs.gen import make_dict_structure_fn

from shopkit import (
    Cart,
    Customer,
    Money,
    Product,
    ShopkitError,
    ValidationError,
    converter,
    register_json_schema,
    validate_currency,
)
from shopkit import validators as check

__all__ = [
    "PASS",
    "Amounts",
    "Context",
    "Level",
    "Nudge",
    "Selector",
    "Shortfall",
    "Verdict",
    "check_window",
    "currencies_of",
]


class Level(enum.StrEnum):
    """Where in the cart a benefit acts, which also fixes when it is applied."""

    LINE = "line"
    """On lines or units: applied first."""
    ORDER = "order"
    """On the order as a whole, spread over the lines: applied after every line benefit."""
    SHIPPING = "shipping"
    """On the shipping price: applied last."""


def check_window(starts_at: dt.datetime | None, ends_at: dt.datetime | None) -> None:
    """Refuse a window that ends before (or when) it starts.

    Raises:
        ValidationError: ``ends_at`` is not after ``starts_at``; the error names ``ends_at``.
    """
    if starts_at and ends_at and ends_at <= starts_at:
        raise ValidationError(
            f"ends at {ends_at.isoformat()}, not after it starts at {starts_at.isoformat()}",
            field="ends_at",
            value=ends_at.isoformat(),
        )


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
        >>> str(off.get("JPY")), off.describe()
        ('700 JPY', '5.00 EUR/700 JPY')
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

    def describe(self) -> str:
        """The amounts in words for messages, one per currency: ``"5.00 EUR/5.50 USD"``."""
        return "/".join(str(money) for money in self.by_currency.values())

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
    # Errors name what the user wrote: ``threshold.EUR``, not the Money's own ``amount`` field
    # or the Amounts' ``amounts`` one.
    by_currency = {}
    for code, amount in value.items():
        try:
            money = Money.of(amount, code)
        except ShopkitError as error:
            moved = copy.copy(error)
            moved.field = None
            raise moved.at(str(code)) from None
        if money.minor < 0:
            raise ValidationError(f"{money} is negative", field=str(code), value=str(money))
        by_currency[code] = money
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


def currencies_of(value: object) -> frozenset[str] | None:
    """The currencies a kind (a promotion, a benefit, …) has every amount in; ``None`` for any.

    Every ``Amounts`` and ``Money`` found in the value's attrs fields (at any depth, through
    tuples, lists and mappings) narrows the set: a promotion with a GBP-only threshold and a
    GBP and EUR amount off has amounts for GBP only. A kind with no amount at all prices carts
    in every currency (``None``).
    """
    found: frozenset[str] | None = None
    pending: list[object] = [value]
    seen: set[int] = set()
    while pending:
        item = pending.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, Amounts):
            here = frozenset(item.by_currency)
        elif isinstance(item, Money):
            here = frozenset((item.currency,))
        else:
            if isinstance(item, tuple | list):
                pending.extend(item)
            elif isinstance(item, Mapping):
                pending.extend(item.values())
            elif attrs.has(kind := type(item)):
                pending.extend(getattr(item, field.name) for field in attrs.fields(kind))
            continue
        found = here if found is None else found & here
    return found


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


def _one_of_amount_or_units(amount: Money | None, units: int | None, selector: object) -> None:
    if (amount is None) == (units is None):
        raise ValidationError(
            "give exactly one of the amount and the units missing", field="amount", value=amount
        )
    if amount is not None and amount.minor <= 0:
        raise ValidationError(f"{amount} is not above zero", field="amount", value=str(amount))
    if (units is None) != (selector is None):
        raise ValidationError(
            "a selector is given exactly when units are missing", field="selector", value=selector
        )


@attrs.frozen
class Shortfall:
    """What a cart lacks for a condition to hold or a benefit to give: spend or units.

    A condition's or a benefit's nudge, before the engine knows which promotion it is for: the
    engine completes it into a ``Nudge`` with the promotion's id and, unless ``unlocks`` is
    given, the benefit's description.

    Attributes:
        amount: The spend still needed, in the cart's currency, for a spend shortfall.
        units: The units still needed, for a units shortfall.
        selector: Which products those units must be (for a units shortfall only).
        unlocks: What making it up gets, when the kind knows it better than the benefit's
            description (a deal's "1 free", a tier's "5% off the order"); ``None`` lets the
            engine use the benefit's description.
        reward: Whether the units earn a deal's own reward ("to get 1 free") rather than meet a
            condition of the benefit ("for 10% off …").

    Examples:
        >>> from shopkit import Money
        >>> from shopkit.pricing.plugin import Shortfall
        >>> Shortfall.spend(Money.of("5.00", "GBP")).amount.minor
        500
    """

    amount: Money | None = attrs.field(
        default=None, validator=check.optional(check.money), kw_only=True
    )
    units: int | None = attrs.field(
        default=None, validator=check.optional(check.positive_int), kw_only=True
    )
    selector: Selector | None = attrs.field(
        default=None, validator=check.optional(check.instance_of(Selector)), kw_only=True
    )
    unlocks: str | None = attrs.field(
        default=None, validator=check.optional(check.non_empty_str), kw_only=True
    )
    reward: bool = attrs.field(default=False, validator=check.instance_of(bool), kw_only=True)

    def __attrs_post_init__(self) -> None:
        _one_of_amount_or_units(self.amount, self.units, self.selector)

    @classmethod
    def spend(cls, amount: Money, *, unlocks: str | None = None) -> Shortfall:
        """A spend shortfall: ``amount`` more in the cart's currency."""
        return cls(amount=amount, unlocks=unlocks)

    @classmethod
    def of_units(
        cls, units: int, selector: Selector, *, unlocks: str | None = None, reward: bool = False
    ) -> Shortfall:
        """A units shortfall: ``units`` more of the products ``selector`` selects."""
        return cls(units=units, selector=selector, unlocks=unlocks, reward=reward)

    def nudge(self, promotion_id: str, unlocks: str) -> Nudge:
        """The nudge for a promotion; ``unlocks`` is used unless the shortfall names its own."""
        return Nudge(
            promotion_id,
            missing_amount=self.amount,
            missing_units=self.units,
            selector=self.selector,
            unlocks=self.unlocks if self.unlocks is not None else unlocks,
            reward=self.reward,
        )


@attrs.frozen
class Nudge:
    """What would unlock a promotion that did not apply, as data a layer above can act on.

    Exactly one of ``missing_amount`` and ``missing_units`` is set. The ``message`` is derived
    from the fields; a shop that words it otherwise builds its own from them.

    Attributes:
        promotion_id: The promotion it would unlock.
        missing_amount: The spend still needed, in the cart's currency (a spend nudge).
        missing_units: The units still needed (a units nudge).
        selector: Which products those units must be, for a units nudge; ``None`` for a spend
            nudge.
        unlocks: What the shopper would get, in words: "free shipping", "1 free".
        reward: Whether the units earn a deal's own reward ("… to get 1 free") rather than meet
            a condition of the benefit ("… for 10% off items from Kitchen").

    Examples:
        >>> from shopkit import Money
        >>> from shopkit.pricing import Nudge
        >>> Nudge("ship", missing_amount=Money.of("5.00", "GBP"), unlocks="free shipping").message
        'add 5.00 GBP more for free shipping'
    """

    promotion_id: str = attrs.field(validator=check.non_empty_str)
    missing_amount: Money | None = attrs.field(
        default=None, validator=check.optional(check.money), kw_only=True
    )
    missing_units: int | None = attrs.field(
        default=None, validator=check.optional(check.positive_int), kw_only=True
    )
    selector: Selector | None = attrs.field(
        default=None, validator=check.optional(check.instance_of(Selector)), kw_only=True
    )
    unlocks: str = attrs.field(validator=check.non_empty_str, kw_only=True)
    reward: bool = attrs.field(default=False, validator=check.instance_of(bool), kw_only=True)

    def __attrs_post_init__(self) -> None:
        _one_of_amount_or_units(self.missing_amount, self.missing_units, self.selector)

    @property
    def message(self) -> str:
        """The nudge as a sentence a shop can show: "add 5.00 GBP more for free shipping"."""
        if self.missing_amount is not None:
            return f"add {self.missing_amount} more for {self.unlocks}"
        what = self.selector.describe() if self.selector is not None else "items"
        joint = "to get" if self.reward else "for"
        return f"add {self.missing_units} more {what} {joint} {self.unlocks}"


_nudge_structure: list[Callable[[Any, Any], Nudge]] = []


def _structure_nudge(value: Any, kind: Any) -> Nudge:
    # The message is derived from the fields: it is written out for readers and dropped here.
    if not _nudge_structure:
        _nudge_structure.append(
            make_dict_structure_fn(Nudge, converter, _cattrs_forbid_extra_keys=True)
        )
    if not isinstance(value, Mapping):
        raise ValidationError(f"{value!r} is not an object", value=value)
    fields = {key: item for key, item in value.items() if key != "message"}
    return _nudge_structure[0](fields, kind)


def _unstructure_nudge(nudge: Nudge) -> dict[str, Any]:
    data: dict[str, Any] = {"promotion_id": nudge.promotion_id}
    if nudge.missing_amount is not None:
        data["missing_amount"] = converter.unstructure(nudge.missing_amount)
    if nudge.missing_units is not None:
        data["missing_units"] = nudge.missing_units
    if nudge.selector is not None:
        data["selector"] = converter.unstructure(nudge.selector, unstructure_as=Selector)
    data["unlocks"] = nudge.unlocks
    if nudge.reward:
        data["reward"] = True
    data["message"] = nudge.message
    return data


converter.register_structure_hook(Nudge, _structure_nudge)
converter.register_unstructure_hook(Nudge, _unstructure_nudge)
register_json_schema(
    Nudge,
    {
        "title": "Nudge",
        "description": "What would unlock a promotion: the spend or units missing, and for what.",
        "type": "object",
        "properties": {
            "promotion_id": {"type": "string", "minLength": 1},
            "missing_amount": {"$ref": "#/$defs/Money"},
            "missing_units": {"type": "integer", "minimum": 1},
            "selector": {"$ref": "#/$defs/Selector"},
            "unlocks": {"type": "string", "minLength": 1},
            "reward": {"type": "boolean"},
            "message": {"type": "string", "description": "Derived from the other fields."},
        },
        "required": ["promotion_id", "unlocks"],
        "additionalProperties": False,
    },
    refers_to=(Money, Selector),
)


@attrs.frozen
class Verdict:
    """A condition's answer: whether it holds, why not, and what would make it hold.

    Attributes:
        ok: Whether the condition holds.
        message: Why it does not hold, in words a shopper can read; empty when it holds.
        nudge: What the cart lacks for it to hold (spend or units), if adding something would
            make it hold; the engine completes it into the promotion's ``Nudge``.
    """

    ok: bool
    message: str = ""
    nudge: Shortfall | None = None


PASS = Verdict(True)
"""The verdict of a condition that holds."""
