"""How well what shopkit does works: cross-sell, recommendations and promotions.

All of these are KPIs like the others (``partial``, ``merge``, ``result``), read from the
(order, sku) and (session, sku, placement) summaries. A cross-sell matrix is plain data: each
main sku with its add-on skus (``{"MUG": ["TEA", "SPOON"]}``).

- **Attach rate** of a pair (main, add-on): orders with both ÷ orders with the main; overall:
  orders with a main and at least one of its add-ons ÷ orders with a main. With promotion
  windows for a pair, its rate is given separately for the orders placed in a window (with)
  and outside (without): a pair that attaches as well without is one that sells by itself.
- **Revenue from recommended items**: the line totals of items a customer bought within
  ``attribution_days`` after a recommendation of that item they clicked (timed by the first
  recommendation event of the item in that session); guests' orders cannot be attributed.
- **Add-to-cart rate of recommendations**: impressions (session, item, placement shown) whose
  item was added to the cart in the same session ÷ impressions. The CTR is ``ClickThroughRate``.
- **AOV dynamics**: AOV per period and its change on the period before (``aov_dynamics``).
- **Promotions**: the discount cost (Σ line discounts), the gross margin before and after the
  discounts given unit costs, the share of the margin given away (discount ÷ margin before, a
  ratio that exceeds 1 when a discount sells below cost), and the incremental revenue of a
  treated group against a control: R_t − n_t × R_c ÷ n_c, per assigned customer.
- **Recommendation feedback**: for each pair of a curated matrix, the impressions of the add-on
  in sessions that viewed, carted or bought the main, with clicks and dismissals; acceptance is
  clicked ÷ shown; a pair is weak when shown at least ``min_shown`` times with an acceptance
  below ``weak_below``, or never shown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import ClassVar

import attrs
import numpy as np

from shopkit import Money, OrderTable, RoundingMode
from shopkit import validators as check
from shopkit._numbers import round_fraction
from shopkit.errors import ValidationError
from shopkit.metrics._breakdown import Breakdown
from shopkit.metrics._inputs import ShopData, Window
from shopkit.metrics._kpi import Kpi, exact_sum, money_sums, rate, within
from shopkit.metrics._kpis_orders import AverageOrderValue, placed
from shopkit.metrics._partials import IntArray
from shopkit.metrics._summaries import OrderItems, Summaries
from shopkit.metrics._table import Cell, KpiTable

__all__ = [
    "AttachRate",
    "IncrementalRevenue",
    "PromotionCost",
    "PromotionCostResult",
    "RecommendationAddToCartRate",
    "RecommendationFeedback",
    "RecommendedRevenue",
    "aov_dynamics",
]

DAY = 86_400


def _matrix(value: Mapping[str, Sequence[str]]) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, Mapping):
        raise ValidationError(
            "is not a mapping of main sku to add-on skus", field="matrix", value=value
        )
    result = {}
    for main, addons in value.items():
        if isinstance(addons, str) or not all(isinstance(a, str) and a for a in addons):
            raise ValidationError("is not a list of skus", field=f"matrix[{main!r}]", value=addons)
        result[str(main)] = tuple(addons)
    return result


def _windows(
    value: Mapping[tuple[str, str], Sequence[Window]],
) -> dict[tuple[str, str], tuple[Window, ...]]:
    return {tuple(pair): tuple(windows) for pair, windows in value.items()}  # type: ignore[misc]


def _orders_with(
    items: OrderItems, sku: str, mask: np.ndarray[tuple[int], np.dtype[np.bool_]]
) -> set[int]:
    names = items.vocabularies["sku"]
    if sku not in names:
        return set()
    rows = (items.columns["sku"] == names.index(sku)) & mask
    return set(items.columns["order"][rows].tolist())


@attrs.frozen
class AttachRate(Kpi):
    """Cross-sell attach rates of a matrix's pairs, with and without a promotion on them.

    The value is a ``KpiTable``: one row per pair (``main → add-on``) with the orders with the
    main, those that attached the add-on and the rate, then the same for the orders placed in
    the pair's promotion windows and outside them; the first row, ``all``, is the overall rate.

    Attributes:
        matrix: Each main sku's add-on skus.
        promoted: For a pair ``(main, add-on)``, the windows in which a promotion was on it.
    """

    name: ClassVar[str] = "attach rate"
    needs: ClassVar[frozenset[str]] = frozenset({"items"})

    matrix: dict[str, tuple[str, ...]] = attrs.field(converter=_matrix)
    promoted: dict[tuple[str, str], tuple[Window, ...]] = attrs.field(
        factory=dict, converter=_windows, kw_only=True
    )

    def evaluate(self, summaries: Summaries, window: Window | None) -> KpiTable:
        """The attach rates of the orders placed in ``window``."""
        items = summaries.items()
        at = items.columns["at"]
        mask = within(at, window)
        order_at: dict[int, int] = dict(
            zip(items.columns["order"].tolist(), at.tolist(), strict=True)
        )
        records: list[tuple[Cell, dict[str, Cell]]] = []
        with_main: set[int] = set()
        attached_any: set[int] = set()
        for main, addons in self.matrix.items():
            mains = _orders_with(items, main, mask)
            with_main |= mains
            for addon in addons:
                both = mains & _orders_with(items, addon, mask)
                attached_any |= both
                row: dict[str, Cell] = {
                    "orders": len(mains),
                    "attached": len(both),
                    "rate": rate(len(both), len(mains)),
                }
                windows = self.promoted.get((main, addon), ())
                if windows:
                    during = {
                        o for o in mains if any(w.start <= order_at[o] < w.end for w in windows)
                    }
                    outside = mains - during
                    row["rate with promotion"] = rate(len(during & both), len(during))
                    row["rate without"] = rate(len(outside & both), len(outside))
                records.append((f"{main} → {addon}", row))
        overall: dict[str, Cell] = {
            "orders": len(with_main),
            "attached": len(attached_any),
            "rate": rate(len(attached_any), len(with_main)),
        }
        return KpiTable.of("pair", [("all", overall), *records])


@attrs.frozen
class RecommendedRevenue(Kpi):
    """Revenue of items bought within ``attribution_days`` after clicking their recommendation.

    Attributes:
        attribution_days: How long after the recommendation a purchase is credited to it.
    """

    name: ClassVar[str] = "recommended revenue"
    needs: ClassVar[frozenset[str]] = frozenset({"items", "events"})

    attribution_days: int = attrs.field(default=7, kw_only=True, validator=check.positive_int)

    def evaluate(self, summaries: Summaries, window: Window | None) -> dict[str, Money]:
        """Attributed revenue per currency of the orders placed in ``window``."""
        items = summaries.items()
        events = summaries.events()
        ev = events.columns
        clicked = (ev["n_recommendation_clicked"] > 0) & (ev["customer"] >= 0)
        clicks: dict[tuple[str, str], list[int]] = {}
        for customer, sku, first in zip(
            ev["customer"][clicked].tolist(),
            ev["sku"][clicked].tolist(),
            ev["first"][clicked].tolist(),
            strict=True,
        ):
            key = (events.vocabularies["customer"][customer], events.vocabularies["sku"][sku])
            clicks.setdefault(key, []).append(first)
        column = items.columns
        mask = within(column["at"], window) & (column["customer"] >= 0)
        credited = np.zeros(len(items), dtype=bool)
        horizon = self.attribution_days * DAY
        for row in np.flatnonzero(mask).tolist():
            key = (
                items.vocabularies["customer"][int(column["customer"][row])],
                items.vocabularies["sku"][int(column["sku"][row])],
            )
            at = int(column["at"][row])
            credited[row] = any(0 <= at - t <= horizon for t in clicks.get(key, ()))
        net = column["gross"] - column["discount"]
        return money_sums(
            net[credited], column["currency"][credited], items.vocabularies["currency"]
        )


@attrs.frozen
class RecommendationAddToCartRate(Kpi):
    """Recommendation impressions whose item was added to the cart in the session ÷ impressions."""

    name: ClassVar[str] = "recommendation add-to-cart rate"
    needs: ClassVar[frozenset[str]] = frozenset({"events"})

    def evaluate(self, summaries: Summaries, window: Window | None) -> float | None:
        """The rate for impressions whose first event is in ``window``."""
        events = summaries.events()
        c = events.columns
        width = max(len(events.vocabularies["sku"]), 1)
        pair = c["session"] * width + c["sku"]
        shown = (c["n_recommendation_shown"] > 0) & within(c["first"], window)
        carted = np.unique(pair[c["n_add_to_cart"] > 0])
        hit = shown & np.isin(pair, carted)
        return rate(int(hit.sum()), int(shown.sum()))


@attrs.frozen
class PromotionCostResult:
    """What the discounts of a window cost, per currency.

    Attributes:
        discount: Σ line discounts.
        margin_before: Σ (quantity × unit price − quantity × unit cost) of the discounted lines.
        margin_after: ``margin_before`` less the discounts.
        given_away: discount ÷ margin before (above 1 when discounts sell below cost; ``None``
            without margin).
    """

    discount: dict[str, Money]
    margin_before: dict[str, Money]
    margin_after: dict[str, Money]
    given_away: dict[str, float | None]

    def columns(self) -> dict[str, Cell]:
        """As table columns, per currency."""
        result: dict[str, Cell] = {}
        for code, amount in self.discount.items():
            result[f"discount ({code})"] = amount
            result[f"margin given away ({code})"] = self.given_away.get(code)
        return result


def _costs(value: Mapping[str, Money]) -> dict[str, Money]:
    for sku, cost in value.items():
        if not isinstance(cost, Money) or cost.minor < 0:
            raise ValidationError(
                "is not a non-negative Money", field=f"costs[{sku!r}]", value=cost
            )
    return dict(value)


@attrs.frozen
class PromotionCost(Kpi):
    """The discount cost of the orders placed in the window and the margin it gave away.

    Attributes:
        costs: Each sku's unit cost; discounted lines of skus not in it are left out of the
            margins (not of the discount).
    """

    name: ClassVar[str] = "promotion cost"
    needs: ClassVar[frozenset[str]] = frozenset({"items"})

    costs: dict[str, Money] = attrs.field(factory=dict, converter=_costs)

    def evaluate(self, summaries: Summaries, window: Window | None) -> PromotionCostResult:
        """The discount cost and margins in ``window``."""
        items = summaries.items()
        c = items.columns
        mask = within(c["at"], window) & (c["discount"] > 0)
        codes = items.vocabularies["currency"]
        discount = money_sums(c["discount"][mask], c["currency"][mask], codes)
        skus = items.vocabularies["sku"]
        unit = np.array(
            [self.costs[sku].minor if sku in self.costs else -1 for sku in skus], dtype=np.int64
        )
        cost_currency = [self.costs[sku].currency if sku in self.costs else "" for sku in skus]
        known = mask & (unit[c["sku"]] >= 0) if len(skus) else mask
        for row in np.flatnonzero(known).tolist():
            sku = int(c["sku"][row])
            if cost_currency[sku] != codes[int(c["currency"][row])]:
                raise ValidationError(
                    f"the cost of {skus[sku]!r} is in {cost_currency[sku]}, "
                    f"sold in {codes[int(c['currency'][row])]}",
                    field=f"costs[{skus[sku]!r}]",
                    value=cost_currency[sku],
                )
        margin = c["gross"] - c["units"] * (unit[c["sku"]] if len(skus) else 0)
        before = money_sums(margin[known], c["currency"][known], codes)
        known_discount = money_sums(c["discount"][known], c["currency"][known], codes)
        after = {code: before[code] - known_discount[code] for code in before}
        given = {
            code: rate(known_discount[code].minor, before[code].minor)
            if before[code].minor > 0
            else None
            for code in before
        }
        return PromotionCostResult(discount, before, after, given)


def _assignment(value: Mapping[str, str]) -> dict[str, str]:
    for customer, arm in value.items():
        if arm not in ("treatment", "control"):
            raise ValidationError(
                f"{arm!r} is not treatment or control",
                field=f"assignment[{customer!r}]",
                value=arm,
            )
    return dict(value)


@attrs.frozen
class IncrementalRevenue(Kpi):
    """The revenue a treated group earned beyond a control's: R_t − n_t × R_c ÷ n_c.

    Revenue is that of each group's customers' orders placed in the window; n counts the
    customers assigned, whether they ordered or not. Rounded half-even; ``None`` without control.

    Attributes:
        assignment: Each customer's group, ``"treatment"`` or ``"control"``.
    """

    name: ClassVar[str] = "incremental revenue"
    needs: ClassVar[frozenset[str]] = frozenset({"orders"})

    assignment: dict[str, str] = attrs.field(converter=_assignment)

    def evaluate(self, summaries: Summaries, window: Window | None) -> dict[str, Money | None]:
        """Incremental revenue per currency in ``window``."""
        orders = summaries.orders()
        mask = placed(orders, window) & (orders.columns["customer"] >= 0)
        names = orders.vocabularies["customer"]
        arm = np.array([self.assignment.get(name, "") for name in names] or [""], dtype=object)
        group = arm[np.maximum(orders.columns["customer"], 0)]
        n_t = sum(1 for value in self.assignment.values() if value == "treatment")
        n_c = len(self.assignment) - n_t
        codes = orders.vocabularies["currency"]
        result: dict[str, Money | None] = {}
        net = orders.net()
        for index, code in enumerate(codes):
            mine = mask & (orders.columns["currency"] == index)
            treated = exact_sum(net[mine & (group == "treatment")])
            control = exact_sum(net[mine & (group == "control")])
            if n_c == 0:
                result[code] = None
                continue
            expected = Fraction(control * n_t, n_c)
            result[code] = Money(treated - round_fraction(expected, RoundingMode.HALF_EVEN), code)
        return result


def _pair_rows(events: Summaries) -> tuple[dict[int, set[int]], IntArray]:
    """Each session's context skus (viewed, carted or bought), and the row session numbers."""
    summary = events.events()
    c = summary.columns
    context = (c["placement"] < 0) & (
        (c["n_view"] > 0) | (c["n_add_to_cart"] > 0) | (c["n_purchase"] > 0)
    )
    sessions: dict[int, set[int]] = {}
    for session, sku in zip(
        c["session"][context].tolist(), c["sku"][context].tolist(), strict=True
    ):
        sessions.setdefault(session, set()).add(sku)
    return sessions, c["session"]


@attrs.frozen
class RecommendationFeedback(Kpi):
    """Acceptance of each curated pair from shown / clicked / dismissed events; its weak pairs.

    The value is a ``KpiTable``, one row per pair of the matrix: impressions of the add-on in
    sessions with the main (``shown``), ``clicked``, ``dismissed``, ``acceptance`` (clicked ÷
    shown), ``dismissal`` and ``weak`` (``"weak"``, ``"never shown"`` or ``""``).

    Attributes:
        matrix: Each main sku's add-on skus.
        min_shown: Impressions a pair needs before it can be judged weak.
        weak_below: The acceptance under which a pair is weak.
    """

    name: ClassVar[str] = "recommendation feedback"
    needs: ClassVar[frozenset[str]] = frozenset({"events"})

    matrix: dict[str, tuple[str, ...]] = attrs.field(converter=_matrix)
    min_shown: int = attrs.field(default=20, kw_only=True, validator=check.positive_int)
    weak_below: Decimal = attrs.field(
        default=Decimal("0.05"),
        kw_only=True,
        converter=check.decimal,
        validator=check.decimal_between(0, 1),
    )

    def evaluate(self, summaries: Summaries, window: Window | None) -> KpiTable:
        """The feedback on the impressions whose first event is in ``window``."""
        summary = summaries.events()
        c = summary.columns
        sessions, _ = _pair_rows(summaries)
        skus = summary.vocabularies["sku"]
        number = {sku: index for index, sku in enumerate(skus)}
        shown_rows = (c["placement"] >= 0) & (c["n_recommendation_shown"] > 0)
        shown_rows &= within(c["first"], window)
        records: list[tuple[Cell, dict[str, Cell]]] = []
        for main, addons in self.matrix.items():
            for addon in addons:
                counts = [0, 0, 0]
                if main in number and addon in number:
                    rows = np.flatnonzero(shown_rows & (c["sku"] == number[addon]))
                    for row in rows.tolist():
                        if number[main] in sessions.get(int(c["session"][row]), ()):
                            counts[0] += 1
                            counts[1] += int(c["n_recommendation_clicked"][row] > 0)
                            counts[2] += int(c["n_recommendation_dismissed"][row] > 0)
                shown, clicked, dismissed = counts
                acceptance = rate(clicked, shown)
                weak = "never shown" if shown == 0 else ""
                if shown >= self.min_shown and acceptance is not None:
                    weak = "weak" if Fraction(acceptance) < Fraction(self.weak_below) else ""
                records.append(
                    (
                        f"{main} → {addon}",
                        {
                            "shown": shown,
                            "clicked": clicked,
                            "dismissed": dismissed,
                            "acceptance": acceptance,
                            "dismissal": rate(dismissed, shown),
                            "weak": weak,
                        },
                    )
                )
        return KpiTable.of("pair", records)


def aov_dynamics(
    data: ShopData | OrderTable, period: str = "month", *, window: Window | None = None
) -> KpiTable:
    """AOV per period, with its change on the period before (``(now − before) ÷ before``).

    Examples:
        >>> import datetime as dt
        >>> from shopkit import Money, Order, OrderLine, OrderTable
        >>> from shopkit.metrics import aov_dynamics
        >>> at = dt.datetime(2024, 1, 15, tzinfo=dt.UTC)
        >>> line = lambda amount: [OrderLine("MUG", 1, Money.of(amount, "GBP"))]
        >>> orders = OrderTable.of([Order("o1", line("10"), at),
        ...                         Order("o2", line("12"), at + dt.timedelta(days=31))])
        >>> print(aov_dynamics(orders, "month"))
        month    aov (GBP)  aov change (GBP)
        2024-01  10.00 GBP  —
        2024-02  12.00 GBP  0.2000
    """
    table = Breakdown([AverageOrderValue()], period).compute(ShopData.wrap(data), window)
    records: list[tuple[Cell, dict[str, Cell]]] = []
    before: dict[str, Money] = {}
    for row in table.records():
        label = row.pop(period)
        values: dict[str, Cell] = {}
        for column, value in row.items():
            code = column[column.index("(") + 1 : -1]
            values[column] = value
            previous = before.get(code)
            change: Cell = None
            if isinstance(value, Money) and previous is not None and previous.minor:
                change = (value.minor - previous.minor) / previous.minor
            values[f"aov change ({code})"] = change
            if isinstance(value, Money):
                before[code] = value
        records.append((label, values))
    return KpiTable.of(period, records)
