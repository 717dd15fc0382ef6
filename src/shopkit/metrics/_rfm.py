"""RFM segments: new, regular, VIP, at risk and lost, from recency, frequency and spend.

The thresholds are data (``RfmRules``, read through shopkit's converter); the segments come
out as customer id → segment names, which is what the other parts read: pricing conditions
and recommendation segments see them as ``Customer.segments`` (``with_segments`` adds them to
a customer context).

Each customer with an order gets exactly one of the recency segments, judged on the days
since their last and first order as of the moment ``at``:

- ``lost``: the last order is more than ``lost_days`` old;
- ``at_risk``: more than ``at_risk_days`` old (and not lost);
- ``new``: otherwise, when the first order is at most ``new_days`` old;
- ``regular``: otherwise (active, and no longer new).

``vip`` is added on top, whatever the recency, when the customer placed at least
``vip_orders`` orders or spent, net of refunds, at least one of the ``vip_spend`` amounts in
its currency: a VIP who is at risk is the customer a win-back offer is for.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping

import attrs
import numpy as np

from shopkit import Customer, Money
from shopkit import validators as check
from shopkit.errors import ValidationError
from shopkit.metrics._customers import CustomerSummary

__all__ = ["RfmRules", "Segment", "rfm_segments", "with_segments"]

_DAY = 86_400


class Segment(enum.StrEnum):
    """The names of the RFM segments, as ``Customer.segments`` holds them."""

    NEW = "new"
    """Active, and the first order is recent."""
    REGULAR = "regular"
    """Active, no longer new."""
    VIP = "vip"
    """Many orders or a high spend (with any recency)."""
    AT_RISK = "at_risk"
    """No order for a while."""
    LOST = "lost"
    """No order for long."""


def _spend_tuple(value: object) -> tuple[Money, ...]:
    return check.as_tuple(value)  # type: ignore[no-any-return]


@attrs.frozen(kw_only=True)
class RfmRules:
    """The thresholds of the RFM segments (see the module docstring for the rules).

    Attributes:
        new_days: A customer whose first order is at most this many days old is new.
        at_risk_days: A customer whose last order is older than this is at risk.
        lost_days: A customer whose last order is older than this is lost; more than
            ``at_risk_days``.
        vip_orders: At least this many orders make a VIP.
        vip_spend: Net spend that makes a VIP, at most one amount per currency.

    Examples:
        >>> from shopkit import from_dict
        >>> from shopkit.metrics import RfmRules
        >>> rules = from_dict({"at_risk_days": 60, "vip_spend": ["500.00 GBP"]}, RfmRules)
        >>> rules.at_risk_days, rules.lost_days, [str(m) for m in rules.vip_spend]
        (60, 180, ['500.00 GBP'])
    """

    new_days: int = attrs.field(default=30, validator=check.positive_int)
    at_risk_days: int = attrs.field(default=90, validator=check.positive_int)
    lost_days: int = attrs.field(default=180, validator=check.positive_int)
    vip_orders: int = attrs.field(default=10, validator=check.positive_int)
    vip_spend: tuple[Money, ...] = attrs.field(
        default=(),
        converter=_spend_tuple,
        validator=[
            check.tuple_of(Money),
            check.unique_by(lambda money: money.currency, "currency"),
        ],
    )

    def __attrs_post_init__(self) -> None:
        if self.lost_days <= self.at_risk_days:
            raise ValidationError(
                f"{self.lost_days} is not more than at_risk_days ({self.at_risk_days})",
                field="lost_days",
                value=self.lost_days,
            )
        for index, money in enumerate(self.vip_spend):
            if money.minor <= 0:
                raise ValidationError(
                    f"{money} is not positive", field=f"vip_spend[{index}]", value=str(money)
                )


def rfm_segments(
    summary: CustomerSummary, at: dt.datetime, rules: RfmRules | None = None
) -> dict[str, tuple[str, ...]]:
    """Each customer's RFM segments as of ``at``: one recency segment, and ``vip`` or not.

    Args:
        summary: The per-customer summary (``CustomerPartial.summary()``).
        at: The moment the segments are for, with a UTC offset; orders after it are not
            expected in ``summary`` (a customer whose first order is later is left out).
        rules: The thresholds (the defaults of ``RfmRules`` when ``None``).

    Returns:
        Customer id → segment names, in the order recency, then ``vip``; customers sorted.

    Raises:
        ValidationError: ``summary`` or ``rules`` is of the wrong type, or ``at`` is naive.

    Examples:
        >>> import datetime as dt
        >>> from shopkit import Money, Order, OrderLine, OrderTable
        >>> from shopkit.metrics import CustomerPartial, RfmRules, rfm_segments
        >>> day = lambda d: dt.datetime(2024, 1, 1, tzinfo=dt.UTC) + dt.timedelta(days=d)
        >>> line = OrderLine("TEA", 1, Money.of("600", "GBP"))
        >>> orders = OrderTable.of([
        ...     Order("o1", [line], day(0), customer="old"),
        ...     Order("o2", [line], day(150), customer="big"),
        ...     Order("o3", [line], day(195), customer="fresh"),
        ... ])
        >>> rules = RfmRules(vip_spend=[Money.of("500", "GBP")])
        >>> rfm_segments(CustomerPartial.of(orders).summary(), day(200), rules)
        {'big': ('regular', 'vip'), 'fresh': ('new', 'vip'), 'old': ('lost', 'vip')}
    """
    if not isinstance(summary, CustomerSummary):
        raise ValidationError(f"{summary!r} is not a CustomerSummary", field="summary", value=None)
    rules = RfmRules() if rules is None else rules
    if not isinstance(rules, RfmRules):
        raise ValidationError(f"{rules!r} is not RfmRules", field="rules", value=None)
    now = int(check.aware_datetime(at, "at").timestamp())
    since_last = now - summary.last
    since_first = now - summary.first
    recency = np.where(
        since_last > rules.lost_days * _DAY,
        3,
        np.where(
            since_last > rules.at_risk_days * _DAY,
            2,
            np.where(since_first <= rules.new_days * _DAY, 0, 1),
        ),
    )
    vip = summary.n_orders >= rules.vip_orders
    net = summary.spend - summary.refunded
    for money in rules.vip_spend:
        if money.currency in summary.currencies:
            column = summary.currencies.index(money.currency)
            vip |= net[:, column] >= money.minor
    names = (Segment.NEW.value, Segment.REGULAR.value, Segment.AT_RISK.value, Segment.LOST.value)
    result: dict[str, tuple[str, ...]] = {}
    for index, customer in enumerate(summary.customers):
        if since_first[index] < 0:
            continue
        found = (names[int(recency[index])],)
        result[customer] = (*found, Segment.VIP.value) if vip[index] else found
    return result


def with_segments(customer: Customer, segments: Mapping[str, tuple[str, ...]]) -> Customer:
    """The customer context with its RFM segments added (kept after the ones it has).

    A guest, or a customer without an entry, is returned unchanged.

    Raises:
        ValidationError: ``customer`` is not a ``Customer``.

    Examples:
        >>> from shopkit import Customer
        >>> from shopkit.metrics import with_segments
        >>> with_segments(Customer("c1", segments=["staff"]), {"c1": ("regular", "vip")}).segments
        ('staff', 'regular', 'vip')
    """
    if not isinstance(customer, Customer):
        raise ValidationError(f"{customer!r} is not a Customer", field="customer", value=None)
    found = segments.get(customer.id, ()) if customer.id is not None else ()
    if not found:
        return customer
    return attrs.evolve(customer, segments=(*customer.segments, *found))
