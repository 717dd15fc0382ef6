"""A pricing request: the one body a service reads and validates to price a cart.

``price`` takes the cart, the customer, the moment and the payment method from the caller, and
the promotions, options, issued codes, store and fees from the shop. ``PriceRequest`` holds the
caller's half as one attrs value, so a service reads a request with ``from_json`` (every
problem reported with its path), publishes its ``json_schema``, and prices it with the shop's
half: ``request.price(promotions, now=clock())``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import attrs

from shopkit import Cart, Customer, ValidationError
from shopkit import validators as check
from shopkit.pricing._book import PromotionBook
from shopkit.pricing._codes import CodeBook, check_printable
from shopkit.pricing._engine import price
from shopkit.pricing._fees import Fee
from shopkit.pricing._promotion import PricingOptions, Promotion
from shopkit.pricing._redemption import RedemptionStore
from shopkit.pricing._result import PricedCart

__all__ = ["PriceRequest"]


def _printable_codes(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    for index, code in enumerate(value):
        check_printable(code, f"{attribute.name}[{index}]")


@attrs.frozen
class PriceRequest:
    """What a client sends to have a cart priced: the cart, who buys, the codes, the moment.

    Read it from a request body with ``from_json(body, PriceRequest)``; its schema is
    ``json_schema(PriceRequest)`` (``shopkit schema price-request``). Only ``cart`` is
    required. The shop's half of pricing (promotions, options, issued codes, the redemption
    store, fees) is never in a request: it is passed to :meth:`price`.

    Attributes:
        cart: The cart, with any codes already entered in it.
        customer: Who is buying; a guest with no earlier order when ``None``.
        codes: Codes entered besides the cart's own (a code box on the checkout page); they
            count after the cart's codes, a code entered twice counts once, and
            ``PricingOptions.max_codes_per_order`` bounds them all.
        at: The moment to price at, with a UTC offset; when ``None``, the moment the service
            passes as ``now`` (its clock).
        payment_method: How the order will be paid ("card", "cod"), for payment-method fees.

    Examples:
        >>> from shopkit import from_json
        >>> from shopkit.pricing import Percentage, Promotion, PriceRequest
        >>> request = from_json('''{"cart": {"currency": "EUR", "lines": [{"product":
        ...     {"sku": "LAMP", "name": "Lamp", "unit_price": "40.00 EUR"}, "quantity": 1}]},
        ...     "codes": ["welcome-10"], "at": "2026-11-27T12:00:00+00:00"}''', PriceRequest)
        >>> welcome = Promotion("w10", "Welcome", Percentage(10), code="WELCOME10")
        >>> print(request.price([welcome]).total)
        36.00 EUR
    """

    cart: Cart = attrs.field(validator=check.instance_of(Cart))
    customer: Customer | None = attrs.field(
        default=None, validator=check.optional(check.instance_of(Customer)), kw_only=True
    )
    codes: tuple[str, ...] = attrs.field(
        default=(),
        converter=check.str_tuple,
        validator=[check.name_tuple, _printable_codes],
        kw_only=True,
    )
    at: dt.datetime | None = attrs.field(
        default=None, validator=check.optional(check.aware), kw_only=True
    )
    payment_method: str | None = attrs.field(
        default=None, validator=check.optional(check.non_empty_str), kw_only=True
    )

    @property
    def full_cart(self) -> Cart:
        """The cart with the request's ``codes`` entered after its own."""
        if not self.codes:
            return self.cart
        return attrs.evolve(self.cart, codes=(*self.cart.codes, *self.codes))

    def moment(self, now: dt.datetime | None = None) -> dt.datetime:
        """The moment to price at: the request's own, else ``now``.

        Raises:
            ValidationError: the request names no moment and ``now`` is not given (field
                ``at``), or ``now`` has no UTC offset (field ``now``).
        """
        if self.at is not None:
            return self.at
        if now is None:
            raise ValidationError(
                "the request names no moment and no 'now' was given", field="at", value=None
            )
        check.aware_datetime(now, "now")
        return now

    def price(
        self,
        promotions: PromotionBook | Iterable[Promotion],
        *,
        now: dt.datetime | None = None,
        options: PricingOptions | None = None,
        codes: CodeBook | None = None,
        store: RedemptionStore | None = None,
        fees: Sequence[Fee] = (),
    ) -> PricedCart:
        """Price the request with the shop's promotions: ``price`` with both halves.

        Args:
            promotions: The shop's promotions, best as a ``PromotionBook`` built once.
            now: The moment to price at when the request names none (the service's clock;
                the engine never reads one).
            options: The engine's rules; the defaults when ``None``.
            codes: The issued codes, for promotions with ``issued_codes``.
            store: Where usage is counted (only read while pricing).
            fees: The shop's fees.

        Returns:
            The priced cart; ``priced_cart_json`` gives its stable JSON form.

        Raises:
            ValidationError: as ``price`` does, or no moment at all (field ``at``).
        """
        return price(
            self.full_cart,
            promotions,
            at=self.moment(now),
            customer=self.customer,
            options=options,
            codes=codes,
            store=store,
            fees=fees,
            payment_method=self.payment_method,
        )
