"""Item-neighbourhood strategies: frequently bought together, purchase history, viewed items.

Each scores a candidate by summing an item-to-item measure over the request's *anchors*, each
weighted: a cart item counts once, a bought item by how often and how recently it was bought
(a recency-weighted count), a viewed item by how recently it was viewed. The machinery they
share (fit, scoring one request or many, reasons) is ``_item_item._ItemItem``; ``neighbours``
prunes each item's row to its best K entries at fit time.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, ClassVar

import attrs
import numpy as np
import numpy.typing as npt

from shopkit import EventKind, ValidationError
from shopkit import validators as check
from shopkit.recommend._base import FloatArray, IntArray
from shopkit.recommend._history import PurchaseSummary
from shopkit.recommend._interactions import Interactions
from shopkit.recommend._item_item import AT_LEAST_0, UNIT, _ItemItem
from shopkit.recommend._request import Resolved

__all__ = ["FrequentlyBoughtTogether", "PurchaseHistory", "ViewedItems"]


@attrs.define(kw_only=True)
class FrequentlyBoughtTogether(_ItemItem):
    """Items often bought in the same basket as the cart's items ("often bought with …").

    A candidate's score is the sum, over the cart's items a, of the measure of a → candidate;
    the cart item with the largest share is named in the reason. Counts are per basket.

    Attributes:
        measure: ``cosine`` (default), ``lift``, ``confidence`` or ``count``.
        alpha: The cosine's exponent on the cart item's count (default 0.7): how much a
            rare cart item's partners weigh against a common one's.
        beta: The cosine's exponent on the candidate's count for a request with one item
            (default 0): how much a best seller is held back (0 ranks as confidence does,
            0.5 as the cosine).
        beta_cart: The same exponent for a request with two or more items (default 0.5): a
            best seller collects votes from many cart items, so it is held back more. The
            defaults were chosen on a validation split of the Online Retail data (the month
            before the benchmark's test split) by ``benchmarks/tune_recommend.py``.
        basket_weight: How much a basket counts by its size: ``inverse`` (default), ``log``
            or ``none`` (plain counts, as support, confidence and lift are defined).
        min_count: Pairs seen in fewer (weighted) baskets are ignored.
        max_basket_size: Baskets with more distinct items are left out (default 100):
            wholesale orders that pair everything with everything.
        neighbours: How many best partners each item keeps at fit time, ranked as a request
            with several items ranks them (with the cosine, the score × c_b^-β_cart);
            ``None`` (default) keeps all. Pruning only removes entries, so it never adds a
            candidate.
        self_weight: How much an item's link to itself counts (default 0: a cart item is not
            its own partner).

    Examples:
        >>> import datetime as dt
        >>> from shopkit import Order
        >>> from shopkit.recommend import FrequentlyBoughtTogether, Interactions, Request
        >>> at = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
        >>> orders = [Order("1", ["phone", "case"], at), Order("2", ["phone", "case", "glass"], at)]
        >>> model = FrequentlyBoughtTogether().fit(Interactions.from_orders(orders))
        >>> [(r.sku, r.reason) for r in model.recommend(Request(cart=["phone"]))]
        [('case', 'Often bought with phone'), ('glass', 'Often bought with phone')]
    """

    # Tuned for baskets on a validation split (benchmarks/tune_recommend.py); purchase history
    # and viewed items keep the shared defaults, which that tuning did not look at.
    beta: Decimal = attrs.field(default=Decimal("0"), converter=check.decimal, validator=UNIT)
    beta_cart: Decimal = attrs.field(
        default=Decimal("0.5"), converter=check.decimal, validator=UNIT
    )

    def _distinct_anchors(self, resolved: Resolved) -> tuple[IntArray, FloatArray | None]:
        # the cart's distinct items, each weighing 1 (what ``anchors`` gives, found faster)
        cart = resolved.cart
        if len(cart) < 2:
            return cart, None
        return np.array(sorted(set(cart.tolist())), dtype=np.int64), None

    def _anchor_lists(self, resolved: Resolved) -> tuple[list[int], list[float] | None]:
        return sorted(set(resolved.cart.tolist())), None

    def _raw_anchors(self, resolved: Resolved) -> tuple[IntArray, FloatArray | None]:
        return resolved.cart, None

    def _sentence(self, name: str) -> str:
        return f"Often bought with {name}"


@attrs.define(kw_only=True)
class PurchaseHistory(_ItemItem):
    """Items close to what the customer bought, each bought item weighed by how often and when.

    Items count as close when the same customers buy both, over all their orders. The
    customer's history is what the fitted data holds for ``request.customer.id`` plus
    ``request.history``; a bought item is an anchor with the weight ``Σ 0.5^(age/half-life)``
    over the days it was bought (ages at the newest purchase of the fitted data), so an item
    bought every month outweighs one bought once a year ago. An item passed in
    ``request.history`` adds 1. With ``self_weight`` above 0 each bought item is also a
    candidate itself (a repeat purchase), scored through its link to itself; exclude repeats
    with ``Filters(exclude_bought=True)``.

    The defaults of ``alpha``, ``beta``, ``beta_cart``, ``half_life_days`` and ``neighbours``
    were chosen on a validation split of Online Retail (the month before the next-order
    benchmark's test cut) by ``benchmarks/recommend_tune_next_order.py``.

    Attributes:
        measure: The association measure (see ``FrequentlyBoughtTogether``).
        alpha: The cosine's exponent on the history item's count (default 0.1).
        beta: The cosine's exponent on the candidate's count, for one history item (default
            0.55: a customer's taste shows in the less common items they share with others).
        beta_cart: The same, for two or more history items (default 0.55).
        basket_weight: How much a customer counts by the number of items they bought.
        min_count: Pairs bought by fewer (weighted) customers are ignored.
        max_basket_size: Customers with more distinct items are left out (default: none).
        neighbours: How many closest items each item keeps; ``None`` keeps all.
        self_weight: How much an item's link to itself counts (default 1).
        half_life_days: The half-life of a purchase's weight in days (default 30); ``None``
            counts every purchase day as 1 (frequency without recency).

    Examples:
        >>> import datetime as dt
        >>> from shopkit import Customer, Order
        >>> from shopkit.recommend import Interactions, PurchaseHistory, Request
        >>> day = lambda d: dt.datetime(2024, 1, d, tzinfo=dt.UTC)
        >>> orders = [
        ...     Order("1", ["tea", "mug"], day(1), customer="ann"),
        ...     Order("2", ["tea", "biscuits"], day(2), customer="bob"),
        ...     Order("3", ["tea"], day(3), customer="ann"),
        ... ]
        >>> model = PurchaseHistory().fit(Interactions.from_orders(orders))
        >>> [r.sku for r in model.recommend(Request(customer=Customer("ann"), k=3))]
        ['tea', 'mug', 'biscuits']
    """

    # chosen on the next-order validation split (benchmarks/recommend_tune_next_order.py)
    alpha: Decimal = attrs.field(default=Decimal("0.1"), converter=check.decimal, validator=UNIT)
    beta: Decimal = attrs.field(default=Decimal("0.55"), converter=check.decimal, validator=UNIT)
    beta_cart: Decimal = attrs.field(
        default=Decimal("0.55"), converter=check.decimal, validator=UNIT
    )
    max_basket_size: int | None = attrs.field(
        default=None, validator=check.optional(check.positive_int)
    )
    self_weight: Decimal = attrs.field(
        default=Decimal("1"), converter=check.decimal, validator=AT_LEAST_0
    )
    half_life_days: Decimal | None = attrs.field(
        default=Decimal("30"),
        converter=check.decimal,
        validator=check.optional(check.positive_decimal(what="number of days")),
    )

    by: ClassVar[str] = "customer"

    history_weight_: FloatArray = attrs.field(init=False, repr=False, eq=False)

    def fit_model(self, interactions: Interactions) -> None:
        super().fit_model(interactions)
        self._fit_weights(interactions)

    def _fit_weights(self, interactions: Interactions) -> None:
        half_life = None if self.half_life_days is None else float(self.half_life_days)
        summary = PurchaseSummary.of(interactions, len(self.items_), half_life)
        self.history_weight_ = summary.weight

    def state(self) -> dict[str, npt.NDArray[Any]]:
        return {**super().state(), "history_weight_": self.history_weight_}

    def restore(self, arrays: Mapping[str, npt.NDArray[Any]]) -> None:
        super().restore(arrays)
        self.history_weight_ = arrays["history_weight_"]

    def anchors(self, resolved: Resolved) -> tuple[IntArray, FloatArray]:
        passed = len(resolved.history)
        if resolved.customer < 0:
            return resolved.history, np.ones(passed)
        start = int(self.history_indptr_[resolved.customer])
        end = int(self.history_indptr_[resolved.customer + 1])
        fitted = self.history_weight_[start:end]
        passed -= end - start  # Resolved.history: the request's items, then the fitted ones
        return resolved.history, np.concatenate([np.ones(passed), fitted]) if passed else fitted

    def _sentence(self, name: str) -> str:
        return f"Because you bought {name}"

    def _own_sentence(self) -> str:
        return "You bought this before"


@attrs.define(kw_only=True)
class ViewedItems(_ItemItem):
    """Items close to what the customer just viewed, each viewed item weighed by how recently.

    Items count as close when they are viewed, carted or bought in the same session or order.
    The viewed list is most recent first: the item at position p (from 0) weighs
    ``recency ** p``, and an item viewed twice adds both weights.

    Attributes:
        measure: The association measure (see ``FrequentlyBoughtTogether``).
        alpha: The cosine's exponent on the viewed item's count.
        beta: The cosine's exponent on the candidate's count, for one viewed item.
        beta_cart: The same, for two or more viewed items.
        basket_weight: How much a session counts by its number of items.
        min_count: Pairs met in fewer (weighted) sessions are ignored.
        max_basket_size: Sessions with more distinct items are left out.
        neighbours: How many closest items each item keeps; ``None`` keeps all.
        self_weight: How much a viewed item's link to itself counts (default 0).
        recency: The weight factor per position down the viewed list (default 0.8; 1 weighs
            every view the same).
    """

    recency: Decimal = attrs.field(
        default=Decimal("0.8"), converter=check.decimal, validator=check.decimal_between(0, 1)
    )

    # what a customer does with an item in a session; refunds and recommendation feedback
    # (shown, clicked, dismissed) are not co-views
    kinds: ClassVar[tuple[EventKind, ...]] = (
        EventKind.PURCHASE,
        EventKind.VIEW,
        EventKind.ADD_TO_CART,
        EventKind.CHECKOUT_STARTED,
    )

    def __attrs_post_init__(self) -> None:
        if self.recency <= 0:
            raise ValidationError(
                f"{self.recency} is not above 0", field="recency", value=self.recency
            )

    def anchors(self, resolved: Resolved) -> tuple[IntArray, FloatArray]:
        viewed = resolved.viewed
        return viewed, float(self.recency) ** np.arange(len(viewed), dtype=np.float64)

    def _sentence(self, name: str) -> str:
        return f"Because you viewed {name}"

    def _own_sentence(self) -> str:
        return "You looked at this"
