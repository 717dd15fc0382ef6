"""Popularity: best sellers overall, per customer segment or per region, optionally time-decayed.

Without decay a ``Popular`` is fitted from ``PopularityCounts``: whole-number purchase counts
per item, overall, per region and per segment, which chunks of baskets add up to exactly
(``a + b``), so the counting can run per chunk, on one machine or on many.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Self

import attrs
import numpy as np
import numpy.typing as npt

from shopkit import Catalogue, EventKind, ValidationError
from shopkit import validators as check
from shopkit.recommend._base import FloatArray, Recommender, Scores
from shopkit.recommend._interactions import Interactions
from shopkit.recommend._request import Resolved

__all__ = ["Popular", "PopularBy", "PopularityCounts"]

IntArray = npt.NDArray[np.int64]

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


def _grid(names: tuple[str, ...], groups: IntArray, items: IntArray, n: int) -> IntArray:
    """Purchases per (group, item) as a ``len(names)`` × ``n`` array (rows of no group left out)."""
    known = groups >= 0
    flat = np.bincount(groups[known] * n + items[known], minlength=len(names) * n)
    return flat.astype(np.int64).reshape(len(names), n)


def _widened(
    counts: IntArray, where: IntArray, rows: IntArray | None, shape: tuple[int, ...]
) -> IntArray:
    result = np.zeros(shape, dtype=np.int64)
    if rows is None:
        result[where] = counts
    else:
        result[np.ix_(rows, where)] = counts
    return result


@attrs.frozen(eq=False)
class PopularityCounts:
    """Purchases of each item, overall, per region and per segment; counts of chunks add up.

    A basket's item counts once (as ``Interactions`` holds it once), so chunks must keep their
    baskets whole; their counts are whole numbers and add up exactly, whatever the chunking.
    ``Popular.fit_counts`` fits from them.

    Attributes:
        items: The skus; the columns index them.
        overall: Purchases of each item.
        regions: The region names; the rows of ``by_region`` index them.
        by_region: Purchases per (region, item).
        segments: The segment names; the rows of ``by_segment`` index them.
        by_segment: Purchases per (segment, item).

    Examples:
        >>> import datetime as dt
        >>> from shopkit import Order
        >>> from shopkit.recommend import Interactions, PopularityCounts
        >>> at = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
        >>> first = Interactions.from_orders([Order("1", ["tea", "mug"], at, region="UK")])
        >>> second = Interactions.from_orders([Order("2", ["tea"], at, region="FR")])
        >>> both = PopularityCounts.of(first) + PopularityCounts.of(second)
        >>> both.items, both.overall.tolist(), both.regions, both.by_region.tolist()
        (('tea', 'mug'), [2, 1], ('UK', 'FR'), [[1, 1], [1, 0]])
    """

    items: tuple[str, ...]
    overall: IntArray
    regions: tuple[str, ...]
    by_region: IntArray
    segments: tuple[str, ...]
    by_segment: IntArray

    @classmethod
    def of(cls, interactions: Interactions) -> Self:
        """Count the purchases in ``interactions``.

        Raises:
            ValidationError: ``interactions`` is not an ``Interactions``.
        """
        if not isinstance(interactions, Interactions):
            raise ValidationError(
                f"{interactions!r} is not an Interactions", field="interactions", value=None
            )
        n = len(interactions.items)
        mask = interactions.kind == int(EventKind.PURCHASE)
        items = interactions.item[mask]
        return cls(
            tuple(interactions.items),
            np.bincount(items, minlength=n).astype(np.int64),
            tuple(interactions.regions),
            _grid(interactions.regions, interactions.region[mask], items, n),
            tuple(interactions.segments),
            _grid(interactions.segments, interactions.segment[mask], items, n),
        )

    def __add__(self, other: Self) -> Self:
        if not isinstance(other, PopularityCounts):
            return NotImplemented
        names: dict[str, tuple[str, ...]] = {}
        for field in ("items", "regions", "segments"):
            merged = dict.fromkeys(getattr(self, field))
            merged.update(dict.fromkeys(getattr(other, field)))
            names[field] = tuple(merged)
        position = {field: {name: i for i, name in enumerate(names[field])} for field in names}

        def where(part: PopularityCounts, field: str) -> IntArray:
            found = position[field]
            values = getattr(part, field)
            return np.fromiter((found[name] for name in values), dtype=np.int64, count=len(values))

        n = len(names["items"])
        total: dict[str, IntArray] = {}
        for part in (self, other):
            columns = where(part, "items")
            for field, grid in (
                ("overall", None),
                ("by_region", "regions"),
                ("by_segment", "segments"),
            ):
                rows = None if grid is None else where(part, grid)
                shape = (n,) if grid is None else (len(names[grid]), n)
                widened = _widened(getattr(part, field), columns, rows, shape)
                total[field] = total[field] + widened if field in total else widened
        return type(self)(
            names["items"], total["overall"], names["regions"], total["by_region"],
            names["segments"], total["by_segment"],
        )  # fmt: skip


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
        if self.half_life_days is None:
            self._fit_from(PopularityCounts.of(interactions))
            return
        n = len(self.items_)
        mask = interactions.kind == int(EventKind.PURCHASE)
        items = interactions.item[mask]
        times = interactions.time[mask]
        age_days = (int(times.max()) - times) / _DAY if len(items) else np.zeros(0)
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

    def counts(self, interactions: Interactions) -> PopularityCounts:
        """Count ``interactions`` the way this strategy does (for fitting from chunks)."""
        return PopularityCounts.of(interactions)

    def fit_counts(self, counts: PopularityCounts, *, catalogue: Catalogue | None = None) -> Self:
        """Fit from counts already made, e.g. per chunk with ``counts`` and added up.

        Raises:
            ValidationError: ``counts`` is not a ``PopularityCounts``, or the strategy decays
                (``half_life_days``: the weights depend on the newest basket of all chunks).
        """
        if not isinstance(counts, PopularityCounts):
            raise ValidationError(
                f"{counts!r} is not a PopularityCounts", field="counts", value=None
            )
        if self.half_life_days is not None:
            raise ValidationError(
                "a decaying popularity is fitted on interactions, not on counts",
                field="half_life_days",
                value=str(self.half_life_days),
            )
        self._fit_vocabulary(counts.items, catalogue)
        self._fit_histories(Interactions((), [], [], [], []))
        self._fit_from(counts)
        return self

    def _fit_from(self, counts: PopularityCounts) -> None:
        n = len(self.items_)
        self.overall_ = np.zeros(n)
        self.overall_[: len(counts.items)] = counts.overall
        if self.by is PopularBy.GLOBAL:
            names: tuple[str, ...] = ()
            grid = np.zeros((0, len(counts.items)), dtype=np.int64)
        elif self.by is PopularBy.REGION:
            names, grid = counts.regions, counts.by_region
        else:
            names, grid = counts.segments, counts.by_segment
        self.groups_ = {name: index for index, name in enumerate(names)}
        self.by_group_ = np.zeros((len(names), n))
        self.by_group_[:, : len(counts.items)] = grid

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
