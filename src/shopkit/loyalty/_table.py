"""Every customer's tier from an ``OrderTable`` at once, on numpy arrays.

``tier_table`` sums each order's lines (gross and net, in minor units), takes its shipping and
tax from ``OrderTable.per_order``, and hands the orders of every customer to the same
``TierIndex`` the ledger uses: one set of sorted arrays and prefix sums, no Python loop per
customer. Guest orders (no customer) are left out. Refunds, when given, are an ``OrderTable`` of
the units returned (as ``shopkit.datasets.RetailData.refunds``): each refund takes its amount
off the customer's spend from its own moment, and counts in the window as if placed then (the
layout does not say which order it refunds); an orders measure does not count them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

import attrs
import numpy as np
import numpy.typing as npt

from shopkit import Money, ValidationError
from shopkit import validators as check
from shopkit.loyalty._programme import Programme
from shopkit.loyalty._tiers import OrderFacts, RefundFacts, TierIndex, no_refunds

if TYPE_CHECKING:
    from shopkit import OrderTable

__all__ = ["TierTable", "tier_table"]

IntArray = npt.NDArray[np.int64]


@attrs.frozen(eq=False)
class TierTable:
    """The tier of every customer of an order table at one moment.

    Attributes:
        programme: The programme.
        at: The moment.
        customers: The customer ids (the order table's vocabulary).
        tier: The rank of the tier each customer holds (an index into ``names``), ``-1`` for
            none.
        measure: What the tier measure counts for each customer at ``at`` (minor units, or
            orders).
        names: The tier names, lowest first.
    """

    programme: Programme
    at: dt.datetime
    customers: tuple[str, ...]
    tier: IntArray
    measure: IntArray
    names: tuple[str, ...]

    @classmethod
    def concat(cls, tables: Sequence[TierTable]) -> TierTable:
        """The tables of chunks that each hold whole customers, as one (rows in order).

        A customer's tier depends on their own orders only, so the tables of chunks that
        split the customers (never one customer's orders) are the table of all of them.

        Raises:
            ValidationError: ``tables`` is empty, holds something else, mixes programmes or
                moments, or names a customer twice (their orders were split).

        Examples:
            >>> import datetime as dt
            >>> from shopkit import Money, Order, OrderLine, OrderTable
            >>> from shopkit.loyalty import TierTable, sample_programme, tier_table
            >>> at = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
            >>> pot = OrderLine("POT", 12, Money.of("50.00", "GBP"))
            >>> ana = OrderTable.of([Order("o1", [pot], at, customer="ana")])
            >>> bo = OrderTable.of([Order("o2", [pot, pot], at, customer="bo")])
            >>> programme = sample_programme()
            >>> both = TierTable.concat(
            ...     [tier_table(programme, ana, at), tier_table(programme, bo, at)]
            ... )
            >>> both.customers, both.tier_of("bo")
            (('ana', 'bo'), 'silver')
        """
        tables = list(tables)
        if not tables:
            raise ValidationError("lists no tables", field="tables", value=[])
        first = tables[0]
        for index, table in enumerate(tables):
            if not isinstance(table, TierTable):
                raise ValidationError(
                    f"{table!r} is not a TierTable", field=f"tables[{index}]", value=None
                )
            if table.programme != first.programme or table.at != first.at:
                raise ValidationError(
                    "is of another programme or moment than tables[0]",
                    field=f"tables[{index}]",
                    value=table.at.isoformat(),
                )
        customers = tuple(name for table in tables for name in table.customers)
        if len(set(customers)) != len(customers):
            counted = Counter(customers)
            twice = next(name for name in customers if counted[name] > 1)
            raise ValidationError(
                f"{twice!r} is in two tables: chunks must keep a customer's orders together",
                field="tables",
                value=twice,
            )
        return cls(
            programme=first.programme,
            at=first.at,
            customers=customers,
            tier=np.concatenate([table.tier for table in tables]).astype(np.int64),
            measure=np.concatenate([table.measure for table in tables]).astype(np.int64),
            names=first.names,
        )

    def tier_of(self, customer: str) -> str | None:
        """The tier ``customer`` holds, or ``None``.

        Raises:
            ValidationError: the customer is not in the table.
        """
        try:
            rank = int(self.tier[self.customers.index(customer)])
        except ValueError:
            raise ValidationError(
                f"{customer!r} has no order in the table", field="customer", value=customer
            ) from None
        return self.names[rank] if rank >= 0 else None

    def counts(self) -> dict[str | None, int]:
        """How many customers hold each tier (``None``: below the lowest), lowest first."""
        counted = np.bincount(self.tier + 1, minlength=len(self.names) + 1)
        result: dict[str | None, int] = {None: int(counted[0])} if counted[0] else {}
        result.update({name: int(counted[rank + 1]) for rank, name in enumerate(self.names)})
        return result

    def measure_of(self, customer: str) -> Money | int:
        """What the measure counts for ``customer`` (money, or a number of orders)."""
        return self.programme.measure_value(int(self.measure[self.customers.index(customer)]))


def _per_order(table: OrderTable, programme: Programme, what: str) -> tuple[IntArray, ...]:
    """Per order: customer, moment, gross, net, shipping, tax (orders with no row dropped)."""
    if not len(table.order):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, empty, empty, empty
    if np.any(table.unit_price < 0):
        row = int(np.flatnonzero(table.unit_price < 0)[0])
        raise ValidationError(
            f"line {row} has no unit price", field=f"{what}.unit_price[{row}]", value=-1
        )
    foreign = np.array([code != programme.currency for code in table.currencies], dtype=bool)
    wrong = np.flatnonzero(foreign[table.currency]) if foreign.any() else np.zeros(0, np.int64)
    if len(wrong):
        row = int(wrong[0])
        raise ValidationError(
            f"line {row} is in {table.currencies[int(table.currency[row])]}, the programme in "
            f"{programme.currency}",
            field=f"{what}.currency[{row}]",
            value=table.currencies[int(table.currency[row])],
        )
    order = table.order
    if np.any(order[1:] < order[:-1]):
        sort = np.argsort(order, kind="stable")
        order = order[sort]
    else:
        sort = None

    def pick(column: IntArray) -> IntArray:
        return column if sort is None else column[sort]

    starts = np.flatnonzero(np.concatenate([[True], order[1:] != order[:-1]]))
    gross_lines = pick(table.quantity) * pick(table.unit_price)
    gross = np.add.reduceat(gross_lines, starts)
    net = gross - np.add.reduceat(pick(table.discount), starts)
    ids = order[starts]
    needed = {name for version in programme.versions for name in version.measure.needs()}
    unused = np.zeros(len(ids), dtype=np.int64)  # a measure that does not count it
    shipping = table.per_order("shipping")[ids] if "shipping" in needed else unused
    tax = table.per_order("tax")[ids] if "tax" in needed else unused
    customer = pick(table.customer)[starts]
    at = pick(table.at)[starts]
    members = customer >= 0
    return (
        customer[members],
        at[members],
        gross[members],
        net[members],
        shipping[members],
        tax[members],
    )


def tier_table(
    programme: Programme,
    orders: OrderTable,
    at: dt.datetime,
    *,
    refunds: OrderTable | None = None,
) -> TierTable:
    """Every customer's tier at ``at``, from their orders (and refunds), vectorised.

    Equal to what ``Ledger.status`` gives each customer from the same orders (the tests check
    it): the measure over the window, the thresholds of the version in force, the grace period.

    Args:
        programme: The programme.
        orders: The orders, in the programme's currency.
        at: The moment (orders after it are ignored).
        refunds: The refunds, as an order table of the units returned, if any.

    Raises:
        ValidationError: a line has no price or another currency; ``at`` has no UTC offset.

    Examples:
        >>> import datetime as dt
        >>> from shopkit import Money, Order, OrderLine, OrderTable
        >>> from shopkit.loyalty import sample_programme, tier_table
        >>> at = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
        >>> pot = OrderLine("POT", 12, Money.of("50.00", "GBP"))
        >>> table = OrderTable.of([Order("o1", [pot], at, customer="ana")])
        >>> tiers = tier_table(sample_programme(), table, at)
        >>> tiers.tier_of("ana"), tiers.counts()
        ('silver', {'bronze': 0, 'silver': 1, 'gold': 0})
    """
    check.aware_datetime(at, "at")
    upto = int(at.timestamp())
    customer, moment, gross, net, shipping, tax = _per_order(orders, programme, "orders")
    kept = moment <= upto
    facts = OrderFacts(
        customer[kept], moment[kept], gross[kept], net[kept], shipping[kept], tax[kept]
    )
    refund_facts = no_refunds()
    if refunds is not None and len(refunds.order):
        numbers = {name: index for index, name in enumerate(orders.customers)}
        rc, rat, rgross, rnet, _, _ = _per_order(refunds, programme, "refunds")
        remap = np.array([numbers.get(name, -1) for name in refunds.customers], dtype=np.int64)
        rc = remap[rc] if len(rc) else rc
        keep = (rat <= upto) & (rc >= 0)
        zeros = np.zeros(int(keep.sum()), dtype=np.int64)
        refund_facts = RefundFacts(
            rc[keep],
            rat[keep],
            rat[keep],
            rgross[keep],
            rnet[keep],
            zeros,
            zeros,
            np.zeros(int(keep.sum()), dtype=bool),
        )
    index = TierIndex(programme, facts, refund_facts)
    everyone = np.arange(len(orders.customers), dtype=np.int64)
    moments = np.full(len(everyone), upto, dtype=np.int64)
    return TierTable(
        programme=programme,
        at=at,
        customers=orders.customers,
        tier=index.held(everyone, moments),
        measure=index.measure(everyone, moments),
        names=programme.tier_names,
    )
