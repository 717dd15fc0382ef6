"""Strategies made of strategies: a weighted blend, a fallback chain, and routing by placement."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from shopkit import Money, ValidationError
from shopkit import validators as check
from shopkit.recommend._base import Recommender, Scores
from shopkit.recommend._interactions import Interactions
from shopkit.recommend._request import Resolved

__all__ = ["Blend", "Fallback", "Placements"]


_STRATEGIES = check.non_empty(check.tuple_of(Recommender), "lists no strategies")


def _routes(value: Mapping[str, Recommender]) -> dict[str, Recommender]:
    if not isinstance(value, Mapping):
        raise ValidationError(
            f"{value!r} is not a mapping of placements to strategies", field="routes", value=value
        )
    return dict(value)


def _normalised(scores: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    top = float(scores.max()) if len(scores) else 0.0
    return scores / top if top > 0 else scores


class _Composite(Recommender):
    """Shared by strategies that hold other strategies in ``strategies``."""

    strategies: tuple[Recommender, ...]

    def fit_model(self, interactions: Interactions) -> None:
        for member in self.strategies:
            member.fit(interactions, catalogue=self.catalogue_)

    def state(self) -> dict[str, npt.NDArray[Any]]:
        return {
            f"{number}.{key}": value
            for number, member in enumerate(self.strategies)
            for key, value in member._all_state().items()
        }

    def restore(self, arrays: Mapping[str, npt.NDArray[Any]]) -> None:
        for number, member in enumerate(self.strategies):
            prefix = f"{number}."
            member._restore_all(
                {k.removeprefix(prefix): v for k, v in arrays.items() if k.startswith(prefix)},
                self.catalogue_,
            )

    def _explained(
        self, items: Any, resolved: Resolved, scored: Scores | None = None
    ) -> list[tuple[str, str | None, str, Money | None]]:
        return super()._explained(items, resolved, scored or self.score(resolved))

    def set_catalogue(self, catalogue: Any) -> None:
        """Use ``catalogue`` for filters and reasons, here and in every member."""
        super().set_catalogue(catalogue)
        for member in getattr(self, "strategies", ()):
            if member.is_fitted:
                member.set_catalogue(catalogue)


@attrs.define(kw_only=True)
class Blend(_Composite):
    """A weighted sum of strategies' scores, each first scaled so its best item scores 1.

    An item's reason is that of the strategy that gave it the largest weighted share.

    Attributes:
        strategies: The strategies to blend.
        weights: One weight per strategy (default: all 1).

    Examples:
        >>> import datetime as dt
        >>> from shopkit import Order
        >>> from shopkit.recommend import Blend, FrequentlyBoughtTogether, Interactions
        >>> from shopkit.recommend import Popular, Request
        >>> at = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
        >>> orders = [Order("1", ["a", "b"], at), Order("2", ["c"], at), Order("3", ["c"], at)]
        >>> blend = Blend(strategies=[FrequentlyBoughtTogether(), Popular()], weights=["2", "1"])
        >>> model = blend.fit(Interactions.from_orders(orders))
        >>> [r.sku for r in model.recommend(Request(cart=["a"]))]
        ['b', 'c']
    """

    strategies: tuple[Recommender, ...] = attrs.field(
        converter=check.as_tuple, validator=_STRATEGIES
    )
    weights: tuple[Decimal, ...] | None = attrs.field(default=None, converter=check.decimal_tuple)

    def __attrs_post_init__(self) -> None:
        if self.weights is None:
            return
        if len(self.weights) != len(self.strategies):
            raise ValidationError(
                f"has {len(self.weights)} weights for {len(self.strategies)} strategies",
                field="weights",
                value=len(self.weights),
            )
        for index, weight in enumerate(self.weights):
            if not isinstance(weight, Decimal) or not weight.is_finite() or weight < 0:
                raise ValidationError(
                    f"{weight!r} is not a decimal weight of at least 0",
                    field=f"weights[{index}]",
                    value=weight,
                )

    def score(self, resolved: Resolved) -> Scores:
        weights = self.weights or (Decimal(1),) * len(self.strategies)
        parts = []
        for member, weight in zip(self.strategies, weights, strict=True):
            scored = member.score(resolved)
            parts.append(_normalised(np.maximum(scored.scores, 0.0)) * float(weight))
        stacked = np.vstack(parts)
        return Scores(stacked.sum(axis=0), stacked.argmax(axis=0), self.strategies)


@attrs.define(kw_only=True)
class Fallback(_Composite):
    """A chain for cold start: the first strategy's items, then the next one's, and so on.

    Every item the first strategy scores ranks above every item only a later one scores; later
    strategies fill the list up to k (a new customer, an unknown item, a sparse category).

    Attributes:
        strategies: The chain, first choice first.

    Examples:
        >>> import datetime as dt
        >>> from shopkit.recommend import Fallback, FrequentlyBoughtTogether, Interactions
        >>> from shopkit import Order
        >>> from shopkit.recommend import Popular, Request
        >>> at = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
        >>> orders = [Order("1", ["a", "b"], at), Order("2", ["c"], at), Order("3", ["c"], at)]
        >>> chain = Fallback(strategies=[FrequentlyBoughtTogether(), Popular()])
        >>> model = chain.fit(Interactions.from_orders(orders))
        >>> [(r.sku, r.strategy) for r in model.recommend(Request(cart=["new item"], k=2))]
        [('c', 'popular'), ('a', 'popular')]
    """

    strategies: tuple[Recommender, ...] = attrs.field(
        converter=check.as_tuple, validator=_STRATEGIES
    )

    def score(self, resolved: Resolved) -> Scores:
        n = len(self.items_)
        total = np.zeros(n)
        origin = np.zeros(n, dtype=np.int64)
        tiers = len(self.strategies)
        for number, member in enumerate(self.strategies):
            scored = _normalised(np.maximum(member.score(resolved).scores, 0.0))
            fresh = (scored > 0) & (total == 0)
            total[fresh] = (tiers - number) + scored[fresh] / 2
            origin[fresh] = number
        return Scores(total, origin, self.strategies)


@attrs.define(kw_only=True)
class Placements(_Composite):
    """Which strategy serves which placement: upsell on a product page, add-ons at checkout.

    The request's ``placement`` picks the strategy; an unknown or missing placement gets
    ``default``.

    Attributes:
        routes: The strategy for each placement name.
        default: The strategy for any other placement.

    Examples:
        >>> import datetime as dt
        >>> from shopkit import Order
        >>> from shopkit.recommend import FrequentlyBoughtTogether, Interactions
        >>> from shopkit.recommend import Placements, Popular, Request
        >>> at = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
        >>> orders = [Order("1", ["a", "b"], at), Order("2", ["c"], at), Order("3", ["c"], at)]
        >>> shop = Placements(routes={"cart": FrequentlyBoughtTogether()}, default=Popular())
        >>> model = shop.fit(Interactions.from_orders(orders))
        >>> [r.sku for r in model.recommend(Request(cart=["a"], placement="cart"))]
        ['b']
        >>> [r.sku for r in model.recommend(Request(cart=["a"], placement="product"))]
        ['c', 'b']
    """

    routes: Mapping[str, Recommender] = attrs.field(converter=_routes)
    default: Recommender = attrs.field(validator=check.instance_of(Recommender))
    strategies: tuple[Recommender, ...] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        for name, strategy in self.routes.items():
            if not isinstance(name, str) or not name.strip():
                raise ValidationError(
                    f"{name!r} is not a placement name", field="routes", value=name
                )
            if not isinstance(strategy, Recommender):
                raise ValidationError(
                    f"{strategy!r} is not a strategy", field=f"routes.{name}", value=strategy
                )
        self.strategies = (*self.routes.values(), self.default)

    def score(self, resolved: Resolved) -> Scores:
        names = list(self.routes)
        placement = resolved.request.placement
        number = names.index(placement) if placement in names else len(names)
        scored = self.strategies[number].score(resolved)
        return Scores(scored.scores, np.full(len(scored.scores), number), self.strategies)
