"""What a shop asks and gets: requests, their business filters, recommendations.

And ``Resolved``, a request resolved against a fitted model's vocabulary: what a strategy's
``score`` is given.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from shopkit import Cart, Customer, Money, ValidationError
from shopkit import validators as check

__all__ = ["Filters", "Recommendation", "Request", "Resolved", "make_recommendation"]

IntArray = npt.NDArray[np.int64]


@attrs.frozen(kw_only=True)
class Filters:
    """Business rules a recommended item must pass, applied before the top k is cut.

    Price ratios compare a candidate's unit price with the priciest cart item whose price the
    catalogue knows (or, if there is none, the priciest such viewed item), exactly, in integer
    minor units; a candidate without a known price in that currency fails a price rule, and so
    does every candidate when no cart or viewed item has a known price.

    Attributes:
        exclude_cart: Leave out items already in the cart.
        exclude_viewed: Leave out items the request says were viewed.
        exclude_bought: Leave out items the customer bought before (in the fitted data, or in
            the request's ``history``).
        in_stock: Leave out items whose catalogue stock is 0 (untracked stock passes).
        max_price_ratio: A candidate costs at most this share of the main item's price
            (``Decimal("0.3")`` for add-ons under 30 %).
        min_price_ratio: A candidate costs at least this share of the main item's price
            (``Decimal("1.1")`` for an upsell at least 10 % dearer).
        excluded_categories: Leave out items in any of these catalogue categories.
        excluded_skus: Leave out these items.

    Examples:
        >>> from decimal import Decimal
        >>> from shopkit.recommend import Filters
        >>> Filters(in_stock=True, max_price_ratio=Decimal("0.5")).max_price_ratio
        Decimal('0.5')
    """

    exclude_cart: bool = attrs.field(default=True, validator=check.instance_of(bool))
    exclude_viewed: bool = attrs.field(default=False, validator=check.instance_of(bool))
    exclude_bought: bool = attrs.field(default=False, validator=check.instance_of(bool))
    in_stock: bool = attrs.field(default=False, validator=check.instance_of(bool))
    max_price_ratio: Decimal | None = attrs.field(
        default=None,
        converter=check.decimal,
        validator=check.optional(check.positive_decimal(what="decimal ratio")),
    )
    min_price_ratio: Decimal | None = attrs.field(
        default=None,
        converter=check.decimal,
        validator=check.optional(check.positive_decimal(what="decimal ratio")),
    )
    excluded_categories: tuple[str, ...] = attrs.field(
        default=(), converter=check.str_tuple, validator=check.name_tuple
    )
    excluded_skus: tuple[str, ...] = attrs.field(
        default=(), converter=check.str_tuple, validator=check.name_tuple
    )


@attrs.frozen(kw_only=True)
class Request:
    """What a shop asks for: the context of one placement.

    Attributes:
        cart: The skus in the cart (or the product on a product page), in cart order.
        viewed: Recently viewed skus, most recent first.
        customer: The customer context (id, segments, region), if known.
        history: Skus the customer bought before that the shop passes itself (added to what the
            fitted data knows of the customer).
        k: How many items to return at most; exactly ``k`` whenever that many candidates pass
            the filters.
        filters: The business filters.
        placement: Where the list is shown (``"product"``, ``"cart"``, ``"checkout"``,
            ``"post_purchase"``); a ``placements`` strategy chooses its chain by it.
        at: The moment the list is asked for, with a UTC offset: buy again measures how long
            ago an item was bought from it, and feedback windows (a dismissed item hidden for
            N days) end by it. ``None`` means the newest event of the fitted data; the clock
            is never read.

    Examples:
        >>> from shopkit.recommend import Request
        >>> Request(cart=["22423", "85123A"], k=5).cart
        ('22423', '85123A')
    """

    cart: tuple[str, ...] = attrs.field(
        default=(), converter=check.str_tuple, validator=check.name_tuple
    )
    viewed: tuple[str, ...] = attrs.field(
        default=(), converter=check.str_tuple, validator=check.name_tuple
    )
    customer: Customer | None = attrs.field(
        default=None, validator=check.optional(check.instance_of(Customer))
    )
    history: tuple[str, ...] = attrs.field(
        default=(), converter=check.str_tuple, validator=check.name_tuple
    )
    k: int = attrs.field(default=10, validator=check.positive_int)
    filters: Filters = attrs.field(factory=Filters, validator=check.instance_of(Filters))
    placement: str | None = attrs.field(default=None, validator=check.optional(check.non_empty_str))
    at: dt.datetime | None = attrs.field(default=None, validator=check.optional(check.aware))

    @classmethod
    def from_cart(cls, cart: Cart, **rest: Any) -> Request:
        """A request for ``cart``: its lines' skus, in cart order, and the other fields given.

        Args:
            cart: The shopping cart.
            **rest: Any other field of ``Request`` (``customer``, ``k``, ``placement``, …);
                ``cart`` itself is taken from the cart.

        Returns:
            The request.

        Raises:
            ValidationError: ``cart`` is not a ``Cart``, or a field in ``rest`` is bad.

        Examples:
            >>> from shopkit import sample_cart
            >>> from shopkit.recommend import Request
            >>> Request.from_cart(sample_cart(), k=3, placement="checkout").cart
            ('22423', '85123A', '20725', '22699')
        """
        if not isinstance(cart, Cart):
            raise ValidationError(f"{cart!r} is not a Cart", field="cart", value=None)
        if "cart" in rest:
            raise ValidationError(
                "give the cart once: it is taken from the Cart", field="cart", value=None
            )
        return cls(cart=[line.product.sku for line in cart.lines], **rest)


@attrs.frozen
class Recommendation:
    """One recommended item, with what a shop can show about why.

    Attributes:
        sku: The recommended item.
        score: The strategy's score (higher is better; comparable within one list only).
        strategy: The type name of the strategy that produced it.
        reason: A sentence a shop can show: "Often bought with Regency Cakestand 3 Tier".
        because: The cart, viewed or bought item that triggered it, if one did.
        price: What the item costs when bought with ``because``, where that differs from its
            catalogue price (a service add-on priced as a share of the main product).
    """

    sku: str
    score: float
    strategy: str
    reason: str
    because: str | None = None
    price: Money | None = None


_SETTERS = tuple(
    getattr(Recommendation, field.name).__set__ for field in attrs.fields(Recommendation)
)


def make_recommendation(
    sku: str,
    score: float,  # float-ok: a ranking score, not money
    strategy: str,
    reason: str,
    because: str | None,
    price: Money | None,
) -> Recommendation:
    """``Recommendation(sku, score, strategy, reason, because, price)``, built faster.

    The class has no converters or validators, so its slots are set directly (the frozen
    class's ``__init__`` goes through ``object.__setattr__`` once per field); the result is
    equal to the one ``Recommendation(...)`` builds. ``recommend`` builds k of them per call.
    """
    made = object.__new__(Recommendation)
    set_sku, set_score, set_strategy, set_reason, set_because, set_price = _SETTERS
    set_sku(made, sku)
    set_score(made, score)
    set_strategy(made, strategy)
    set_reason(made, reason)
    set_because(made, because)
    set_price(made, price)
    return made


@attrs.frozen(eq=False)
class Resolved:
    """A request resolved against a fitted model's vocabulary: what ``score`` is given.

    Items are indices into the model's ``items_``; skus the model does not know are left out.
    ``Recommender.resolve`` builds it.

    Attributes:
        request: The request as the shop made it.
        cart: The known cart items, in cart order.
        viewed: The known viewed items, most recent first.
        history: The items the customer bought before: the request's ``history``, then what
            the fitted data holds for the customer.
        customer: The customer's index into the fitted customers, ``-1`` if unknown.
    """

    request: Request
    cart: IntArray
    viewed: IntArray
    history: IntArray
    customer: int
