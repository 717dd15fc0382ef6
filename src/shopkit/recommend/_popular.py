"""Popularity: best sellers overall, per customer segment or per region, optionally time-decayed."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from shopkit import EventKind
from shopkit import validators as check
from shopkit.recommend._base import FloatArray, Recommender, Scores
from shopkit.recommend._interactions import Interactions
from shopkit.recommend._request import Resolved

__all__ = ["Popular", "PopularBy"]

_DAY = 86_400


class PopularBy(enum.StrEnum):
    """Whose purchases make an item popular."""

    GLOBAL = "global"
    """Everyone's."""
    SEGMENT = "segment"
    """Those of customers in the request's segment (its first segment the data knows)."""
    REGION = "region"
    """Those in the request's region."""


def _by(value: Any) -> PopularBy:
    # a named converter: mypy's attrs plugin reads its type (it cannot read enum_of's)
    return check.enum_value(PopularBy, value, "by")


@attrs.define(kw_only=True)
class Popular(Recommender):
    """The items bought in the most baskets, overall, per segment or per region.

    With ``half_life_days`` a basket's weight halves for every that many days it is older than
    the newest basket in the data (the clock is never read), so recent best sellers rise. A
    request whose segment or region the data does not know gets the overall list: popularity
    is the cold-start answer for a new customer or an unknown item.

    Attributes:
        by: ``global`` (default), ``segment`` or ``region``.
        half_life_days: The half-life of a basket's weight in days; ``None`` (default) for no
            decay.

    Examples:
        >>> import datetime as dt
        >>> from shopkit import Customer, Order
        >>> from shopkit.recommend import Interactions, Popular, Request
        >>> at = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
        >>> orders = [
        ...     Order("1", ["tea", "mug"], at, region="UK"),
        ...     Order("2", ["tea"], at, region="UK"),
        ...     Order("3", ["wine"], at, region="FR"),
        ... ]
        >>> model = Popular(by="region").fit(Interactions.from_orders(orders))
        >>> [(r.sku, r.reason) for r in model.recommend(Request(customer=Customer(region="FR")))]
        [('wine', 'Popular in FR')]
    """

    by: PopularBy = attrs.field(default=PopularBy.GLOBAL, converter=_by)
    half_life_days: Decimal | None = attrs.field(
        default=None,
        converter=check.decimal,
        validator=check.optional(check.positive_decimal(what="number of days")),
    )

    overall_: FloatArray = attrs.field(init=False, repr=False, eq=False)
    groups_: dict[str, int] = attrs.field(init=False, repr=False, eq=False)
    by_group_: FloatArray = attrs.field(init=False, repr=False, eq=False)

    def fit_model(self, interactions: Interactions) -> None:
        n = len(self.items_)
        mask = interactions.kind == int(EventKind.PURCHASE)
        items = interactions.item[mask]
        weights = np.ones(len(items))
        if self.half_life_days is not None and len(items):
            times = interactions.time[mask]
            age_days = (int(times.max()) - times) / _DAY
            weights = 0.5 ** (age_days / float(self.half_life_days))
        self.overall_ = np.bincount(items, weights=weights, minlength=n).astype(np.float64)
        if self.by is PopularBy.GLOBAL:
            names: tuple[str, ...] = ()
            groups = np.zeros(0, dtype=np.int64)
        elif self.by is PopularBy.REGION:
            names, groups = interactions.regions, interactions.region[mask]
        else:
            names, groups = interactions.segments, interactions.segment[mask]
        self.groups_ = {name: index for index, name in enumerate(names)}
        known = groups >= 0
        flat = np.bincount(
            groups[known] * n + items[known], weights=weights[known], minlength=len(names) * n
        )
        self.by_group_ = flat.reshape(len(names), n).astype(np.float64)

    def _group(self, resolved: Resolved) -> tuple[int, str | None]:
        customer = resolved.request.customer
        if customer is None or self.by is PopularBy.GLOBAL:
            return -1, None
        names = customer.segments if self.by is PopularBy.SEGMENT else (customer.region,)
        for name in names:
            if name is not None and name in self.groups_:
                return self.groups_[name], name
        return -1, None

    def score(self, resolved: Resolved) -> Scores:
        group, _ = self._group(resolved)
        scores = self.by_group_[group] if group >= 0 else self.overall_
        return Scores.of(scores.copy(), self)

    def explain(self, items: Any, resolved: Resolved) -> list[tuple[str, str | None]]:
        _, name = self._group(resolved)
        if name is None:
            text = "Trending now" if self.half_life_days is not None else "A best seller"
        elif self.by is PopularBy.REGION:
            text = f"Popular in {name}"
        else:
            text = f"Popular with {name} customers"
        return [(text, None) for _ in items]

    def state(self) -> dict[str, npt.NDArray[Any]]:
        return {
            "overall_": self.overall_,
            "groups_": np.array(list(self.groups_), dtype=str),
            "by_group_": self.by_group_,
        }

    def restore(self, arrays: Mapping[str, npt.NDArray[Any]]) -> None:
        self.overall_ = arrays["overall_"]
        self.groups_ = {str(name): i for i, name in enumerate(arrays["groups_"].tolist())}
        self.by_group_ = arrays["by_group_"].reshape(len(self.groups_), len(self.items_))
