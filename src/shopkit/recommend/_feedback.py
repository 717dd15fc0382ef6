"""The feedback loop: what customers did with recommendations, fed back into the next list.

The core records ``recommendation_shown``, ``recommendation_clicked`` and
``recommendation_dismissed`` events (``shopkit.EventKind``); ``Interactions`` carries them.
``Feedback`` wraps any strategy and applies three rules to its scores before the top k:

* an item a customer dismissed is not shown to that customer again for ``dismiss_days``;
* an item shown to a customer who never clicked it loses a share of its score per showing
  (``ignored_decay`` per showing since their last click on it, within ``ignored_days``);
* a placement has a minimum score (``min_scores``, else ``min_score``): a list returns fewer
  than k items rather than pad itself with weak ones — the seeds' advice not to push random
  goods to raise the average check.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, Self

import attrs
import numpy as np
import numpy.typing as npt

from shopkit import EventKind, Money, ValidationError
from shopkit import validators as check
from shopkit.recommend._base import FloatArray, IntArray, Recommender, Scores
from shopkit.recommend._blend import _Composite
from shopkit.recommend._history import DAY
from shopkit.recommend._interactions import Interactions
from shopkit.recommend._request import Resolved

__all__ = ["Feedback"]

_KINDS = (
    EventKind.RECOMMENDATION_SHOWN,
    EventKind.RECOMMENDATION_CLICKED,
    EventKind.RECOMMENDATION_DISMISSED,
)


def _min_scores(value: Mapping[str, Any]) -> dict[str, Decimal]:
    if not isinstance(value, Mapping):
        raise ValidationError(
            f"{value!r} is not a mapping of placements to scores", field="min_scores", value=value
        )
    result = {}
    for name, score in value.items():
        if not isinstance(name, str) or not name.strip():
            raise ValidationError(
                f"{name!r} is not a placement name", field="min_scores", value=name
            )
        number = check.decimal(score)
        if not isinstance(number, Decimal) or not number.is_finite() or number < 0:
            raise ValidationError(
                f"{score!r} is not a decimal score of at least 0",
                field=f"min_scores.{name}",
                value=score,
            )
        result[name] = number
    return result


_AT_LEAST_0 = check.non_negative_decimal()


@attrs.define(kw_only=True)
class Feedback(_Composite):
    """A strategy whose lists follow what each customer did with earlier recommendations.

    Fitting fits ``strategy`` and reads the shown, clicked and dismissed events of known
    customers from the interactions; ``learn_feedback`` reads newer events without fitting
    ``strategy`` again. The request's ``at`` (by default the newest event fitted) is the
    moment the windows end at; events after it are not yet known and count for nothing.

    For a customer, an item and the request's moment ``at``:

    * hidden (score 0) if they dismissed it at a time ``t`` with ``at − dismiss_days < t ≤ at``;
    * otherwise its score is multiplied by ``ignored_decay ** n``, ``n`` the number of times
      it was shown to them in the ``ignored_days`` before ``at`` and after their last click on
      it (all showings in that window if they never clicked it);
    * then a score below the placement's minimum (``min_scores[placement]``, else
      ``min_score``) is dropped; the minimum applies to ``strategy``'s own scores, so choose
      it on that scale (a ``Blend`` scales each member's best item to 1).

    Guests and customers without feedback get ``strategy``'s list, cut at the minimum.

    Attributes:
        strategy: The strategy whose scores are adjusted.
        dismiss_days: How long a dismissed item stays hidden, in days (default 30).
        ignored_decay: The factor per showing without a click (default 0.7; 1 switches the
            decay off).
        ignored_days: How far back showings count, in days (default 30).
        min_scores: The minimum score per placement name.
        min_score: The minimum for any other placement (default 0: no minimum).

    Examples:
        >>> import datetime as dt
        >>> from shopkit import Customer, Event, Order
        >>> from shopkit.recommend import Feedback, Interactions, Popular, Request
        >>> at = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
        >>> orders = [Order(str(n), ["tea", "mug", "jam"][: 3 - n % 3], at) for n in range(6)]
        >>> dismissed = Event("recommendation_dismissed", "tea", at, "s1", customer="ann")
        >>> model = Feedback(strategy=Popular(), min_score="3").fit(
        ...     Interactions.from_orders(orders, [dismissed])
        ... )
        >>> [r.sku for r in model.recommend(Request(customer=Customer("ann")))]
        ['mug']
        >>> [r.sku for r in model.recommend(Request(customer=Customer("bob")))]
        ['tea', 'mug']
        >>> later = at + dt.timedelta(days=31)
        >>> [r.sku for r in model.recommend(Request(customer=Customer("ann"), at=later))]
        ['tea', 'mug']
    """

    strategy: Recommender = attrs.field(validator=check.instance_of(Recommender))
    dismiss_days: Decimal = attrs.field(
        default=Decimal("30"), converter=check.decimal, validator=_AT_LEAST_0
    )
    ignored_decay: Decimal = attrs.field(
        default=Decimal("0.7"), converter=check.decimal, validator=check.decimal_between(0, 1)
    )
    ignored_days: Decimal = attrs.field(
        default=Decimal("30"), converter=check.decimal, validator=_AT_LEAST_0
    )
    min_scores: Mapping[str, Decimal] = attrs.field(factory=dict, converter=_min_scores)
    min_score: Decimal = attrs.field(
        default=Decimal("0"), converter=check.decimal, validator=_AT_LEAST_0
    )
    strategies: tuple[Recommender, ...] = attrs.field(init=False, repr=False, eq=False)

    events_: dict[str, npt.NDArray[Any]] = attrs.field(init=False, repr=False, eq=False)
    feedback_customers_: dict[str, int] = attrs.field(init=False, repr=False, eq=False)
    reference_: int = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        self.strategies = (self.strategy,)

    def fit_model(self, interactions: Interactions) -> None:
        super().fit_model(interactions)
        self._learn(interactions)

    def learn_feedback(self, interactions: Interactions) -> Self:
        """Read the feedback events of ``interactions`` in place of those fitted before.

        ``strategy`` is not fitted again; items the model does not know are ignored.

        Raises:
            NotFittedError: the model was not fitted.
            ValidationError: ``interactions`` is not an ``Interactions``.
        """
        self._check_fitted()
        if not isinstance(interactions, Interactions):
            raise ValidationError(
                f"{interactions!r} is not an Interactions", field="interactions", value=None
            )
        self._learn(interactions)
        return self

    def _learn(self, interactions: Interactions) -> None:
        mask = np.isin(interactions.kind, [int(kind) for kind in _KINDS])
        mask &= interactions.customer >= 0
        where = np.fromiter(
            (self.index_.get(sku, -1) for sku in interactions.items),
            dtype=np.int64,
            count=len(interactions.items),
        )
        rows = np.flatnonzero(mask)
        rows = rows[where[interactions.item[rows]] >= 0] if len(where) else rows[:0]
        customer = interactions.customer[rows]
        order = np.lexsort((interactions.time[rows], where[interactions.item[rows]], customer))
        rows, customer = rows[order], customer[order]
        used, renumbered = np.unique(customer, return_inverse=True)
        self.feedback_customers_ = {
            interactions.customers[c]: number for number, c in enumerate(used.tolist())
        }
        self.events_ = {
            "customer": renumbered.astype(np.int64),
            "item": where[interactions.item[rows]],
            "kind": interactions.kind[rows],
            "time": interactions.time[rows],
        }
        times = interactions.time
        self.reference_ = int(times.max()) if len(times) else 0

    def state(self) -> dict[str, npt.NDArray[Any]]:
        return {
            **super().state(),
            **{f"events.{key}": value for key, value in self.events_.items()},
            "feedback_customers_": np.array(list(self.feedback_customers_), dtype=str),
            "reference_": np.array(self.reference_, dtype=np.int64),
        }

    def restore(self, arrays: Mapping[str, npt.NDArray[Any]]) -> None:
        super().restore(arrays)
        self.events_ = {
            key: arrays[f"events.{key}"] for key in ("customer", "item", "kind", "time")
        }
        names = arrays["feedback_customers_"].tolist()
        self.feedback_customers_ = {str(name): number for number, name in enumerate(names)}
        self.reference_ = int(arrays["reference_"])

    def _factors(self, resolved: Resolved) -> tuple[IntArray, FloatArray]:
        """The items whose score the customer's feedback changes, and the factor for each."""
        customer = resolved.request.customer
        number = -1
        if customer is not None and customer.id is not None:
            number = self.feedback_customers_.get(customer.id, -1)
        if number < 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        start, end = np.searchsorted(self.events_["customer"], [number, number + 1]).tolist()
        at = (
            self.reference_ if resolved.request.at is None else int(resolved.request.at.timestamp())
        )
        item = self.events_["item"][start:end]
        kind = self.events_["kind"][start:end]
        time = self.events_["time"][start:end]
        known = time <= at  # events after the request's moment have not happened yet
        item, kind, time = item[known], kind[known], time[known]
        items = np.unique(item)
        factors = np.ones(len(items))
        position = np.searchsorted(items, item)
        dismissed = (kind == int(EventKind.RECOMMENDATION_DISMISSED)) & (
            time > at - float(self.dismiss_days) * DAY
        )
        factors[position[dismissed]] = 0.0
        last_click = np.full(len(items), np.iinfo(np.int64).min, dtype=np.int64)
        clicks = kind == int(EventKind.RECOMMENDATION_CLICKED)
        np.maximum.at(last_click, position[clicks], time[clicks])
        shown = (
            (kind == int(EventKind.RECOMMENDATION_SHOWN))
            & (time > at - float(self.ignored_days) * DAY)
            & (time > last_click[position])
        )
        ignored = np.bincount(position[shown], minlength=len(items))
        factors *= float(self.ignored_decay) ** ignored
        return items.astype(np.int64), factors

    def _minimum(self, resolved: Resolved) -> float:
        placement = resolved.request.placement
        low = self.min_scores.get(placement, self.min_score) if placement else self.min_score
        return float(low)

    def _adjust(self, scores: FloatArray, resolved: Resolved) -> FloatArray:
        items, factors = self._factors(resolved)
        adjusted = scores.copy()
        adjusted[items] *= factors
        adjusted[adjusted < self._minimum(resolved)] = 0.0
        return adjusted

    def score(self, resolved: Resolved) -> Scores:
        scored = self.strategy.score(resolved)
        return Scores(self._adjust(scored.scores, resolved), scored.origin, scored.strategies)

    def score_many(self, resolved: Sequence[Resolved]) -> FloatArray:
        scores = self.strategy.score_many(resolved)
        for row, one in enumerate(resolved):
            scores[row] = self._adjust(scores[row], one)
        return scores

    def _explained(
        self, items: Any, resolved: Resolved, scored: Scores | None = None
    ) -> list[tuple[str, str | None, str, Money | None]]:
        return self.strategy._explained(items, resolved)
