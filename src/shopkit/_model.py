"""The cart model: products, lines, shipping options, carts and the customer context.

All are frozen attrs values: build a changed copy with ``attrs.evolve`` or the helper methods.
Every constructor validates and reports bad input with the field and the value.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any

import attrs

from shopkit import validators as check
from shopkit._money import Money
from shopkit.errors import CurrencyMismatchError, QuantityError, ValidationError

__all__ = ["Cart", "Customer", "Line", "Product", "ShippingOption"]

_EMPTY: Mapping[str, str] = check.ReadOnlyMapping({})


MAX_QUANTITY = 1_000_000
"""The most units of one product a cart line may hold; a larger quantity is a QuantityError."""


def _at_most_max_quantity(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if value > MAX_QUANTITY:
        raise QuantityError(
            f"{value} is more than a line may hold ({MAX_QUANTITY:,})",
            field=attribute.name,
            value=value,
        )


def _unprintable(text: str) -> str | None:
    """The first control, format (bidirectional marks included) or separator character."""
    for char in text:
        if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
            return char
    return None


def _printable(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    """Require an identifier a person can read back: no control or bidirectional characters."""
    char = _unprintable(value)
    if char is not None:
        raise ValidationError(
            f"{value!r} holds the control character U+{ord(char):04X}",
            field=attribute.name,
            value=value,
        )


def _printable_items(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    for index, item in enumerate(value):
        char = _unprintable(item)
        if char is not None:
            raise ValidationError(
                f"{item!r} holds the control character U+{ord(char):04X}",
                field=f"{attribute.name}[{index}]",
                value=item,
            )


@attrs.frozen
class Product:
    """A product as the shop sells it.

    Attributes:
        sku: The shop's unique product code.
        name: The display name.
        unit_price: The price of one unit, as the shop shows it (with or without tax, as the
            cart says).
        cost: What one unit costs the shop, if known; pricing rules can protect a margin over it.
        min_price: The lowest unit price the shop will sell at, if it has one; no discount takes
            a unit below it.
        categories: The categories the product is in, most specific last or in any order the
            shop uses; duplicates are dropped.
        tags: Free-form labels ("new", "clearance", …); duplicates are dropped.
        attributes: Named properties (``{"brand": "Acme", "colour": "red"}``), strings only.
        stock: Units in stock, if the shop tracks it.

    Examples:
        >>> from shopkit import Money, Product
        >>> mug = Product("MUG-1", "Enamel mug", Money.of("6.50", "GBP"), categories=["Kitchen"])
        >>> mug.categories
        ('Kitchen',)
    """

    sku: str = attrs.field(validator=[check.non_empty_str, _printable])
    name: str = attrs.field(validator=check.non_empty_str)
    unit_price: Money = attrs.field(validator=check.non_negative_money)
    cost: Money | None = attrs.field(
        default=None, validator=check.optional(check.non_negative_money), kw_only=True
    )
    min_price: Money | None = attrs.field(
        default=None, validator=check.optional(check.non_negative_money), kw_only=True
    )
    categories: tuple[str, ...] = attrs.field(
        default=(), converter=check.str_tuple, validator=check.name_tuple, kw_only=True
    )
    tags: tuple[str, ...] = attrs.field(
        default=(), converter=check.str_tuple, validator=check.name_tuple, kw_only=True
    )
    attributes: Mapping[str, str] = attrs.field(
        default=_EMPTY,
        converter=check.frozen_mapping,
        validator=check.str_mapping,
        hash=False,
        kw_only=True,
    )
    stock: int | None = attrs.field(
        default=None, validator=check.optional(check.non_negative_int), kw_only=True
    )

    def __attrs_post_init__(self) -> None:
        for name in ("cost", "min_price"):
            amount: Money | None = getattr(self, name)
            if amount is not None and amount.currency != self.unit_price.currency:
                raise CurrencyMismatchError(
                    f"{name} is in {amount.currency} but unit_price in {self.unit_price.currency}",
                    field=f"{name}.currency",
                    value=amount.currency,
                )


@attrs.frozen
class Line:
    """A quantity of one product in a cart.

    Attributes:
        product: The product.
        quantity: How many units; a whole number from 1 to ``MAX_QUANTITY`` (1,000,000).

    Examples:
        >>> from shopkit import Line, Money, Product
        >>> line = Line(Product("MUG-1", "Enamel mug", Money.of("6.50", "GBP")), 3)
        >>> print(line.total)
        19.50 GBP
    """

    product: Product = attrs.field(validator=check.instance_of(Product))
    quantity: int = attrs.field(validator=[check.positive_int, _at_most_max_quantity])

    @property
    def unit_price(self) -> Money:
        """The product's unit price."""
        return self.product.unit_price

    @property
    def total(self) -> Money:
        """Unit price times quantity, before any discount."""
        return self.product.unit_price * self.quantity


@attrs.frozen
class ShippingOption:
    """A way to ship the order and its price before any discount.

    Attributes:
        id: A code unique within the cart (``"standard"``, ``"express"``).
        name: The display name.
        price: The price of shipping the whole order this way.

    Examples:
        >>> from shopkit import Money, ShippingOption
        >>> ShippingOption("standard", "Standard (3-5 days)", Money.of("4.95", "GBP")).id
        'standard'
    """

    id: str = attrs.field(validator=check.non_empty_str)
    name: str = attrs.field(validator=check.non_empty_str)
    price: Money = attrs.field(validator=check.non_negative_money)


@attrs.frozen
class Cart:
    """A shopping cart: lines in one currency, shipping options, the chosen one, codes entered.

    Attributes:
        currency: The ISO 4217 code every amount in the cart is in.
        lines: The lines, in the order the shop shows them.
        shipping_options: The ways the order can be shipped; ids are unique.
        shipping_method: The id of the chosen option, or ``None`` before one is chosen.
        codes: Promo codes the customer entered, as typed.
        prices_include_tax: Whether unit prices include tax (as in the EU and UK) or not (as is
            usual in the US); pricing discounts the price as given either way.

    Examples:
        >>> from shopkit import Cart, Money, Product
        >>> mug = Product("MUG-1", "Enamel mug", Money.of("6.50", "GBP"))
        >>> cart = Cart("GBP").add(mug, 2).add(mug)
        >>> len(cart.lines), cart.lines[0].quantity, str(cart.subtotal)
        (1, 3, '19.50 GBP')
    """

    currency: str = attrs.field(validator=check.currency)
    lines: tuple[Line, ...] = attrs.field(
        default=(), converter=check.as_tuple, validator=check.tuple_of(Line)
    )
    shipping_options: tuple[ShippingOption, ...] = attrs.field(
        default=(),
        converter=check.as_tuple,
        validator=check.tuple_of(ShippingOption),
        kw_only=True,
    )
    shipping_method: str | None = attrs.field(
        default=None, validator=check.optional(check.non_empty_str), kw_only=True
    )
    codes: tuple[str, ...] = attrs.field(
        default=(),
        converter=check.str_tuple,
        validator=[check.name_tuple, _printable_items],
        kw_only=True,
    )
    prices_include_tax: bool = attrs.field(
        default=True, validator=check.instance_of(bool), kw_only=True
    )

    def __attrs_post_init__(self) -> None:
        for index, line in enumerate(self.lines):
            if line.product.unit_price.currency != self.currency:
                raise CurrencyMismatchError(
                    f"{line.product.unit_price.currency} price in a {self.currency} cart",
                    field=f"lines[{index}].product.unit_price.currency",
                    value=line.product.unit_price.currency,
                )
        products: dict[str, Product] = {}
        for index, line in enumerate(self.lines):
            known = products.setdefault(line.product.sku, line.product)
            if known != line.product:
                raise ValidationError(
                    f"SKU {line.product.sku!r} is used by two different products in the cart",
                    field=f"lines[{index}].product.sku",
                    value=line.product.sku,
                )
        seen: set[str] = set()
        for index, option in enumerate(self.shipping_options):
            if option.price.currency != self.currency:
                raise CurrencyMismatchError(
                    f"{option.price.currency} shipping price in a {self.currency} cart",
                    field=f"shipping_options[{index}].price.currency",
                    value=option.price.currency,
                )
            if option.id in seen:
                raise ValidationError(
                    f"shipping option id {option.id!r} appears twice",
                    field=f"shipping_options[{index}].id",
                    value=option.id,
                )
            seen.add(option.id)
        if self.shipping_method is not None and self.shipping_method not in seen:
            raise ValidationError(
                f"{self.shipping_method!r} is not one of the shipping options {sorted(seen)}",
                field="shipping_method",
                value=self.shipping_method,
            )

    @property
    def subtotal(self) -> Money:
        """The sum of the line totals, before discounts and shipping."""
        return Money(sum(line.total.minor for line in self.lines), self.currency)

    @property
    def item_count(self) -> int:
        """The number of units in the cart, over all lines."""
        return sum(line.quantity for line in self.lines)

    @property
    def shipping_option(self) -> ShippingOption | None:
        """The chosen shipping option, if one is chosen."""
        for option in self.shipping_options:
            if option.id == self.shipping_method:
                return option
        return None

    @property
    def shipping(self) -> Money:
        """The price of the chosen shipping option before discounts, zero if none is chosen."""
        option = self.shipping_option
        return option.price if option is not None else Money.zero(self.currency)

    def add(self, product: Product, quantity: int = 1) -> Cart:
        """Return a cart with ``quantity`` more units of ``product``.

        Units of a product already in the cart (the same product, compared by value) join its
        line; otherwise a new line is added at the end.

        Args:
            product: The product.
            quantity: How many units to add; at least 1.

        Returns:
            The new cart; this one is unchanged.
        """
        for index, line in enumerate(self.lines):
            if line.product == product:
                merged = Line(product, line.quantity + Line(product, quantity).quantity)
                return attrs.evolve(
                    self, lines=(*self.lines[:index], merged, *self.lines[index + 1 :])
                )
        return attrs.evolve(self, lines=(*self.lines, Line(product, quantity)))

    def with_code(self, code: str) -> Cart:
        """Return a cart with ``code`` entered as well (a code already entered is kept once)."""
        return attrs.evolve(self, codes=(*self.codes, code))

    def with_shipping(self, method: str | None) -> Cart:
        """Return a cart with shipping option ``method`` chosen (``None`` clears the choice)."""
        return attrs.evolve(self, shipping_method=method)


@attrs.frozen
class Customer:
    """What pricing and recommendations may know of the customer: opaque, no personal data.

    Attributes:
        id: The shop's opaque customer id, or ``None`` for a guest.
        segments: Segments the customer is in ("new", "regular", "vip", …), as the shop names
            them.
        order_count: How many orders the customer placed before this one (0 for a first order).
        loyalty_tier: The customer's loyalty tier, if any.
        region: The region the order ships to or is sold in, as the shop names it.
        channel: The sales channel ("web", "app", "store", …).
        attributes: Any further named properties the shop chooses to pass, strings only.

    Examples:
        >>> from shopkit import Customer
        >>> Customer("c-42", segments=["vip"], order_count=0).is_first_order
        True
    """

    id: str | None = attrs.field(default=None, validator=check.optional(check.non_empty_str))
    segments: tuple[str, ...] = attrs.field(
        default=(), converter=check.str_tuple, validator=check.name_tuple, kw_only=True
    )
    order_count: int = attrs.field(default=0, validator=check.non_negative_int, kw_only=True)
    loyalty_tier: str | None = attrs.field(
        default=None, validator=check.optional(check.non_empty_str), kw_only=True
    )
    region: str | None = attrs.field(
        default=None, validator=check.optional(check.non_empty_str), kw_only=True
    )
    channel: str | None = attrs.field(
        default=None, validator=check.optional(check.non_empty_str), kw_only=True
    )
    attributes: Mapping[str, str] = attrs.field(
        default=_EMPTY,
        converter=check.frozen_mapping,
        validator=check.str_mapping,
        hash=False,
        kw_only=True,
    )

    @property
    def is_first_order(self) -> bool:
        """Whether the order being placed is the customer's first."""
        return self.order_count == 0
