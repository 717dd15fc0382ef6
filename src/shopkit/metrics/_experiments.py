"""Experiments: a definition as data, deterministic assignment, and the analysis of arm counts.

An ``Experiment`` names its arms and their whole-number weights, a holdout share, its primary
metric and its guardrails; it is read and written through shopkit's converter (JSON, TOML).

Assignment hashes (experiment name, unit id) with SHA-256: the same unit always gets the same
arm, with no state stored, and units spread over the arms as the weights say. The first 8
bytes of the digest decide the holdout (a unit is held out when they, read as a number below
2⁶⁴, fall below ``holdout × 2⁶⁴``), the next 8 the arm (that number modulo the total weight,
walked along the cumulative weights), so changing the holdout share does not move a unit
between arms.

``analyse`` reads what each arm saw (units, converted units, orders, revenue, discounts,
cost of goods) and reports the sample-ratio check, each arm's rates and money per unit
(exact, rounded half-up to the minor unit), and each treatment's test against the control on
the primary metric, with Holm-adjusted p-values across the treatments. Money per unit makes
margin visible: an arm that sells more by giving more away shows a higher revenue per visitor
and a lower gross margin per visitor.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Final

import attrs

from shopkit import Money, RoundingMode
from shopkit import validators as check
from shopkit.errors import ValidationError
from shopkit.metrics._guards import SampleRatioCheck, adjust_p_values, sample_ratio_check
from shopkit.metrics._stats import TestResult, two_proportion_test

__all__ = [
    "Analysis",
    "Arm",
    "ArmCounts",
    "ArmReport",
    "Experiment",
    "ExperimentCounts",
    "Metric",
    "analyse",
]

_TWO_64: Final = 1 << 64


class Metric(enum.StrEnum):
    """What an experiment measures (its primary metric, its guardrails)."""

    CONVERSION = "conversion"
    """Converted units over units (per visitor or per user, as the units are)."""
    REVENUE_PER_VISITOR = "revenue_per_visitor"
    """Revenue (after discounts) over units."""
    GROSS_MARGIN_PER_VISITOR = "gross_margin_per_visitor"
    """Revenue less the cost of goods, over units."""
    DISCOUNT_PER_VISITOR = "discount_per_visitor"
    """Discounts given, over units: what the arm gave away."""
    AVERAGE_ORDER_VALUE = "average_order_value"
    """Revenue over orders."""


def _metric(value: object) -> Metric:
    return check.enum_value(Metric, value, "primary_metric")


def _metrics(value: object) -> tuple[Metric, ...]:
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise ValidationError(
            f"{value!r} is not a list of metrics", field="guardrails", value=value
        )
    return tuple(
        check.enum_value(Metric, item, f"guardrails[{index}]") for index, item in enumerate(value)
    )


@attrs.frozen
class Arm:
    """An arm of an experiment and its share of the units.

    Attributes:
        name: The arm's name (``"control"``, ``"free-shipping-40"``).
        weight: Its whole-number weight; arms share the units in proportion to them.
    """

    name: str = attrs.field(validator=check.non_empty_str)
    weight: int = attrs.field(default=1, validator=check.positive_int)


@attrs.frozen(kw_only=True)
class Experiment:
    """An experiment: arms, holdout, the metric that decides it, and the ones it must not harm.

    Attributes:
        name: The experiment's name; it salts the assignment, so two experiments split the
            same units independently.
        arms: The arms, the first being the control; at least 2, names distinct.
        holdout: The share of units kept out of every arm (they see what the shop shows by
            default and are not analysed), from 0 to 1 exclusive.
        primary_metric: The metric that decides the experiment.
        guardrails: Metrics that must not get worse (a treatment that wins on conversion but
            loses margin per visitor is flagged).

    Examples:
        >>> from shopkit import from_dict
        >>> from shopkit.metrics import Experiment
        >>> test = from_dict(
        ...     {"name": "free-shipping", "arms": [{"name": "control"}, {"name": "40"}],
        ...      "holdout": "0.1", "primary_metric": "conversion",
        ...      "guardrails": ["gross_margin_per_visitor"]},
        ...     Experiment,
        ... )
        >>> test.assign("c-42"), test.assign("c-42") == test.assign("c-42")
        ('control', True)
    """

    name: str = attrs.field(validator=check.non_empty_str)
    arms: tuple[Arm, ...] = attrs.field(
        converter=check.as_tuple,
        validator=[
            check.non_empty(check.tuple_of(Arm)),
            check.unique_by(lambda arm: arm.name, "arm name"),
        ],
    )
    holdout: Decimal = attrs.field(
        default=Decimal(0), converter=check.decimal, validator=check.decimal_between(0, 1)
    )
    primary_metric: Metric = attrs.field(default=Metric.CONVERSION, converter=_metric)
    guardrails: tuple[Metric, ...] = attrs.field(default=(), converter=_metrics)

    def __attrs_post_init__(self) -> None:
        if len(self.arms) < 2:
            raise ValidationError(
                "an experiment needs a control and at least one treatment",
                field="arms",
                value=len(self.arms),
            )
        if self.holdout >= 1:
            raise ValidationError(
                f"{self.holdout} holds every unit out", field="holdout", value=str(self.holdout)
            )

    @property
    def control(self) -> Arm:
        """The first arm."""
        return self.arms[0]

    def assign(self, unit: str) -> str | None:
        """The arm of a unit (a visitor, a user), or ``None`` if it is in the holdout.

        Raises:
            ValidationError: ``unit`` is not a non-empty string.
        """
        if not isinstance(unit, str) or not unit.strip():
            raise ValidationError(f"{unit!r} is not a non-empty string", field="unit", value=unit)
        digest = hashlib.sha256(f"{self.name}\x00{unit}".encode()).digest()
        held = int.from_bytes(digest[:8], "big")
        if held < int(self.holdout * _TWO_64):
            return None
        total = sum(arm.weight for arm in self.arms)
        slot = int.from_bytes(digest[8:16], "big") % total
        for arm in self.arms:
            if slot < arm.weight:
                return arm.name
            slot -= arm.weight
        raise AssertionError("unreachable: the slot is below the total weight")  # pragma: no cover


def _count(instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    check.non_negative_int(instance, attribute, value)


@attrs.frozen(kw_only=True)
class ArmCounts:
    """What one arm saw over the experiment.

    Attributes:
        arm: The arm's name.
        units: Units assigned (visitors, users).
        conversions: Units that converted (placed an order), at most ``units``.
        orders: Orders placed.
        revenue: Revenue after discounts (before refunds, shipping and tax), ``None`` if
            unknown.
        discount: Discounts given, in the revenue's currency.
        cost: Cost of the goods sold, in the revenue's currency.
    """

    arm: str = attrs.field(validator=check.non_empty_str)
    units: int = attrs.field(validator=_count)
    conversions: int = attrs.field(validator=_count)
    orders: int = attrs.field(default=0, validator=_count)
    revenue: Money | None = attrs.field(default=None, validator=check.optional(check.money))
    discount: Money | None = attrs.field(default=None, validator=check.optional(check.money))
    cost: Money | None = attrs.field(default=None, validator=check.optional(check.money))

    def __attrs_post_init__(self) -> None:
        if self.conversions > self.units:
            raise ValidationError(
                f"{self.conversions} is more than the {self.units} units",
                field="conversions",
                value=self.conversions,
            )
        currencies = {m.currency for m in (self.revenue, self.discount, self.cost) if m}
        if len(currencies) > 1:
            raise ValidationError(
                f"revenue, discount and cost are in {', '.join(sorted(currencies))}",
                field="discount",
                value=sorted(currencies),
            )


def _counts(value: object) -> tuple[ArmCounts, ...]:
    return check.as_tuple(value)  # type: ignore[no-any-return]


@attrs.frozen(kw_only=True)
class ExperimentCounts:
    """An experiment and what each arm saw: the document ``shopkit ab`` reads.

    Attributes:
        experiment: The experiment.
        counts: One entry per arm.
    """

    experiment: Experiment = attrs.field(validator=check.instance_of(Experiment))
    counts: tuple[ArmCounts, ...] = attrs.field(
        converter=_counts, validator=check.non_empty(check.tuple_of(ArmCounts))
    )


def _per(amount: Money | None, count: int) -> Money | None:
    if amount is None or count == 0:
        return None
    return amount.scale(Fraction(1, count), RoundingMode.HALF_UP)


@attrs.frozen(kw_only=True)
class ArmReport:
    """One arm's figures; money per unit is exact, rounded half-up to the minor unit.

    Attributes:
        arm: The arm's name.
        units: Units assigned.
        conversion: Converted units over units, in [0, 1].
        revenue_per_visitor: Revenue over units (``None`` without revenue).
        gross_margin_per_visitor: Revenue less cost, over units (``None`` without both).
        discount_per_visitor: Discounts over units (``None`` without discounts).
        average_order_value: Revenue over orders (``None`` without revenue or orders).
        test: The primary metric's test against the control (``None`` for the control, and
            for metrics without a test from counts).
        adjusted_p_value: The test's p-value, Holm-adjusted over the treatments.
    """

    arm: str
    units: int
    conversion: float
    revenue_per_visitor: Money | None
    gross_margin_per_visitor: Money | None
    discount_per_visitor: Money | None
    average_order_value: Money | None
    test: TestResult | None = None
    adjusted_p_value: float | None = None


@attrs.frozen(kw_only=True)
class Analysis:
    """The analysis of an experiment's counts.

    Attributes:
        experiment: The experiment analysed.
        sample_ratio: The check of the units per arm against the weights; when it reports a
            mismatch, the other figures should not be trusted.
        arms: Each arm's report, in the experiment's order, the control first.
        guardrail_breaches: ``(arm, metric)`` pairs where a treatment is below the control on
            a money guardrail (revenue or gross margin per visitor, average order value) or
            above it on discount per visitor, or below on conversion.
    """

    experiment: Experiment
    sample_ratio: SampleRatioCheck
    arms: tuple[ArmReport, ...]
    guardrail_breaches: tuple[tuple[str, Metric], ...]


def _report(counts: ArmCounts) -> ArmReport:
    margin = None
    if counts.revenue is not None and counts.cost is not None:
        margin = _per(counts.revenue - counts.cost, counts.units)
    return ArmReport(
        arm=counts.arm,
        units=counts.units,
        conversion=counts.conversions / counts.units if counts.units else 0.0,
        revenue_per_visitor=_per(counts.revenue, counts.units),
        gross_margin_per_visitor=margin,
        discount_per_visitor=_per(counts.discount, counts.units),
        average_order_value=_per(counts.revenue, counts.orders),
    )


def _value(report: ArmReport, metric: Metric) -> float | Money | None:
    return report.conversion if metric is Metric.CONVERSION else getattr(report, metric.value)


def _worse(metric: Metric, control: float | Money, treatment: float | Money) -> bool:
    if metric is Metric.DISCOUNT_PER_VISITOR:
        return treatment > control  # type: ignore[operator]
    return treatment < control  # type: ignore[operator]


def analyse(
    experiment: Experiment, counts: Sequence[ArmCounts], *, alpha: float = 0.05
) -> Analysis:
    """Analyse an experiment from each arm's counts.

    The primary metric is tested when it is ``conversion`` (the two-proportion z test, from
    counts alone); money metrics need each unit's values (``welch_test``, ``ratio_test``) and
    are reported, not tested, here.

    Args:
        experiment: The experiment.
        counts: One ``ArmCounts`` per arm of the experiment, any order.
        alpha: The level of the tests' confidence intervals.

    Returns:
        The analysis.

    Raises:
        ValidationError: an arm is missing or unknown, counted twice, or the arms' money is in
            different currencies.

    Examples:
        >>> from shopkit import Money
        >>> from shopkit.metrics import Arm, ArmCounts, Experiment, analyse
        >>> gbp = lambda amount: Money.of(amount, "GBP")
        >>> test = Experiment(name="banner", arms=[Arm("control"), Arm("banner")])
        >>> result = analyse(test, [
        ...     ArmCounts(arm="control", units=1000, conversions=100, revenue=gbp("5000"),
        ...               cost=gbp("3000")),
        ...     ArmCounts(arm="banner", units=1000, conversions=130, revenue=gbp("5850"),
        ...               cost=gbp("4200")),
        ... ])
        >>> control, banner = result.arms
        >>> round(banner.test.p_value, 4), str(banner.gross_margin_per_visitor)
        (0.0355, '1.65 GBP')
        >>> result.guardrail_breaches
        ()
    """
    if not isinstance(experiment, Experiment):
        raise ValidationError(
            f"{experiment!r} is not an Experiment", field="experiment", value=None
        )
    by_name: dict[str, ArmCounts] = {}
    for index, item in enumerate(counts):
        if not isinstance(item, ArmCounts):
            raise ValidationError(
                f"{item!r} is not an ArmCounts", field=f"counts[{index}]", value=None
            )
        if item.arm in by_name:
            raise ValidationError(
                f"arm {item.arm!r} is counted twice", field=f"counts[{index}].arm", value=item.arm
            )
        if item.arm not in {arm.name for arm in experiment.arms}:
            raise ValidationError(
                f"{item.arm!r} is not an arm of {experiment.name!r}",
                field=f"counts[{index}].arm",
                value=item.arm,
            )
        by_name[item.arm] = item
    missing = [arm.name for arm in experiment.arms if arm.name not in by_name]
    if missing:
        raise ValidationError(
            f"no counts for arm {', '.join(map(repr, missing))}", field="counts", value=missing
        )
    currencies = {
        m.currency for c in by_name.values() for m in (c.revenue, c.discount, c.cost) if m
    }
    if len(currencies) > 1:
        raise ValidationError(
            f"the arms' money is in {', '.join(sorted(currencies))}",
            field="counts",
            value=sorted(currencies),
        )
    ordered = [by_name[arm.name] for arm in experiment.arms]
    srm = sample_ratio_check([c.units for c in ordered], [arm.weight for arm in experiment.arms])
    reports = [_report(c) for c in ordered]
    control = ordered[0]
    if experiment.primary_metric is Metric.CONVERSION:
        tests = [
            two_proportion_test(
                control.conversions, control.units, c.conversions, c.units, alpha=alpha
            )
            for c in ordered[1:]
        ]
        adjusted = adjust_p_values([t.p_value for t in tests], "holm")
        reports[1:] = [
            attrs.evolve(report, test=test, adjusted_p_value=p)
            for report, test, p in zip(reports[1:], tests, adjusted, strict=True)
        ]
    breaches: list[tuple[str, Metric]] = []
    for metric in experiment.guardrails:
        base = _value(reports[0], metric)
        for report in reports[1:]:
            value = _value(report, metric)
            if base is not None and value is not None and _worse(metric, base, value):
                breaches.append((report.arm, metric))
    return Analysis(
        experiment=experiment,
        sample_ratio=srm,
        arms=tuple(reports),
        guardrail_breaches=tuple(breaches),
    )
