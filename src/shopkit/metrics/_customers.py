"""Per-customer summaries of orders, as mergeable partials computed chunk by chunk.

A ``CustomerPartial`` is what one chunk of an ``OrderTable`` (and of its refunds) says about
customers: one row per (order, customer, currency) with the order's time and its total in exact
minor units, and one row per (customer, currency) of refunds. Partials merge exactly, in any
grouping and order: an order split over two chunks becomes one order again (its totals add up,
its time is the earliest seen), so the number of orders is counted once. That is why a partial
keeps the order ids rather than a count: a count of orders cannot be merged when a chunk border
cuts an order in two.

``CustomerPartial.summary()`` gives the per-customer summary (first and last order time,
number of orders, spend and refunds per currency), and ``CustomerPartial.repeat(at)`` the
repeat-purchase summary that CLV models fit on (frequency, recency and age in the sense of the
``lifetimes`` package).

Guests (no customer id) are left out. An unpriced line counts for its order but adds nothing
to the spend.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any, Self

import attrs
import numpy as np
import numpy.typing as npt

from shopkit import Money, OrderTable, read_sample
from shopkit.errors import ValidationError
from shopkit.validators import aware_datetime

__all__ = ["CustomerPartial", "CustomerSummary", "RepeatSummary", "sample_repeat_summary"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

_DAY = 86_400
_SAFE = 2.0**62  # float-ok: a bound on magnitudes, checked before an int64 sum can overflow


def _int(values: Any) -> IntArray:
    return np.asarray(values, dtype=np.int64).reshape(-1)


def _names(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


def _remap(names: Sequence[str], merged: dict[str, int], index: IntArray) -> IntArray:
    """``index`` (into ``names``, ``-1`` for none) as indices into the merged vocabulary."""
    where = np.fromiter((merged[name] for name in names), dtype=np.int64, count=len(names))
    if not len(where):
        return np.full(len(index), -1, dtype=np.int64)
    return np.where(index >= 0, where[np.maximum(index, 0)], -1)


def _vocabulary(parts: Iterable[Sequence[str]]) -> dict[str, int]:
    merged: dict[str, int] = {}
    for names in parts:
        for name in names:
            merged.setdefault(name, len(merged))
    return merged


def _check_sum(values: IntArray, what: str) -> None:
    if len(values) and float(np.abs(values).astype(np.float64).sum()) >= _SAFE:  # float-ok
        raise ValidationError(f"the sum of the {what} does not fit in 64 bits", field=what)


def _groups(keys: Sequence[IntArray]) -> tuple[IntArray, IntArray]:
    """Sort order of the rows by ``keys`` and the start of each group of equal keys."""
    order = np.lexsort(tuple(reversed(keys)))
    if not len(order):
        return order.astype(np.int64), np.zeros(0, dtype=np.int64)
    change = np.zeros(len(order), dtype=bool)
    change[0] = True
    for key in keys:
        sorted_key = key[order]
        change[1:] |= sorted_key[1:] != sorted_key[:-1]
    return order.astype(np.int64), np.flatnonzero(change).astype(np.int64)


@attrs.frozen(eq=False, kw_only=True)
class CustomerPartial:
    """What one chunk of orders says about its customers; partials merge exactly.

    Build one per chunk with ``of`` and combine them with ``merge`` (or ``+``): the result of
    ``summary`` and ``repeat`` is the same whatever the chunking and the order of the rows.

    Attributes:
        customers: The customer ids; ``customer`` and ``refund_customer`` index it.
        orders: The order ids; ``order`` indexes it.
        currencies: The ISO 4217 codes; ``currency`` and ``refund_currency`` index it.
        order: One entry per (order, customer, currency) row: the order.
        customer: The customer of each row.
        at: The order's time, in seconds since 1970-01-01 UTC (the earliest line seen).
        currency: The currency of each row, ``-1`` for an order's unpriced lines.
        total: The row's line totals, in minor units (0 for unpriced lines).
        refund_customer: One entry per (customer, currency) of refunds: the customer.
        refund_currency: The currency of each refund row.
        refunded: The refunded amount in minor units.

    Examples:
        >>> import datetime as dt
        >>> from shopkit import Money, Order, OrderLine, OrderTable
        >>> from shopkit.metrics import CustomerPartial
        >>> day = lambda d: dt.datetime(2024, 1, d, tzinfo=dt.UTC)
        >>> gbp = lambda amount: Money.of(amount, "GBP")
        >>> table = OrderTable.of([
        ...     Order("o1", [OrderLine("TEA", 2, gbp("3.50"))], day(1), customer="c1"),
        ...     Order("o2", [OrderLine("MUG", 1, gbp("6.00"))], day(5), customer="c1"),
        ... ])
        >>> summary = CustomerPartial.of(table).summary()
        >>> summary.customers, summary.n_orders.tolist(), summary.spend_of("c1")
        (('c1',), [2], {'GBP': Money.of('13.00', 'GBP')})
    """

    customers: tuple[str, ...] = attrs.field(converter=_names)
    orders: tuple[str, ...] = attrs.field(converter=_names)
    currencies: tuple[str, ...] = attrs.field(converter=_names)
    order: IntArray = attrs.field(converter=_int)
    customer: IntArray = attrs.field(converter=_int)
    at: IntArray = attrs.field(converter=_int)
    currency: IntArray = attrs.field(converter=_int)
    total: IntArray = attrs.field(converter=_int)
    refund_customer: IntArray = attrs.field(converter=_int)
    refund_currency: IntArray = attrs.field(converter=_int)
    refunded: IntArray = attrs.field(converter=_int)

    def __attrs_post_init__(self) -> None:
        n = len(self.order)
        for name in ("customer", "at", "currency", "total"):
            if len(getattr(self, name)) != n:
                raise ValidationError(
                    f"has {len(getattr(self, name))} entries, but order has {n}",
                    field=name,
                    value=len(getattr(self, name)),
                )
        m = len(self.refund_customer)
        for name in ("refund_currency", "refunded"):
            if len(getattr(self, name)) != m:
                raise ValidationError(
                    f"has {len(getattr(self, name))} entries, but refund_customer has {m}",
                    field=name,
                    value=len(getattr(self, name)),
                )

    @classmethod
    def empty(cls) -> CustomerPartial:
        """A partial of no orders: merging it with another changes nothing."""
        nothing = np.zeros(0, dtype=np.int64)
        return cls(
            customers=(), orders=(), currencies=(), order=nothing, customer=nothing,
            at=nothing, currency=nothing, total=nothing, refund_customer=nothing,
            refund_currency=nothing, refunded=nothing,
        )  # fmt: skip

    @classmethod
    def of(cls, orders: OrderTable, refunds: OrderTable | None = None) -> CustomerPartial:
        """The partial of one chunk of order lines and, optionally, of refund lines.

        Args:
            orders: Order lines (a chunk of them, or all).
            refunds: Refund lines (``RetailData.refunds`` of Online Retail: the cancelled
                units as positive quantities); their line totals are the refunded amounts.

        Returns:
            The partial: guests are left out.

        Raises:
            ValidationError: ``orders`` or ``refunds`` is not an ``OrderTable``, or a sum does
                not fit in 64 bits.
        """
        for name, table in (("orders", orders), ("refunds", refunds)):
            if table is not None and not isinstance(table, OrderTable):
                raise ValidationError(
                    f"{table!r} is not an OrderTable", field=name, value=type(table).__name__
                )
        priced = orders.unit_price >= 0
        totals = np.where(priced, orders.quantity * np.maximum(orders.unit_price, 0), 0)
        totals = totals - orders.discount
        known = orders.customer >= 0
        order, customer = orders.order[known], orders.customer[known]
        currency, at, totals = orders.currency[known], orders.at[known], totals[known]
        _check_sum(totals, "order totals")
        rows = cls._reduce_orders(order, customer, currency, at, totals)
        if refunds is None:
            refund_rows: tuple[IntArray, ...] = (np.zeros(0, dtype=np.int64),) * 3
            refund_customers: tuple[str, ...] = ()
            refund_currencies: tuple[str, ...] = ()
        else:
            back = refunds.customer >= 0
            amounts = (np.maximum(refunds.unit_price, 0) * refunds.quantity - refunds.discount)[
                back
            ]
            _check_sum(amounts, "refunds")
            refund_rows = cls._reduce_refunds(
                refunds.customer[back], refunds.currency[back], amounts
            )
            refund_customers, refund_currencies = refunds.customers, refunds.currencies
        customers = _vocabulary([orders.customers, refund_customers])
        currencies = _vocabulary([orders.currencies, refund_currencies])
        return cls(
            customers=tuple(customers),
            orders=orders.orders,
            currencies=tuple(currencies),
            order=rows[0],
            customer=_remap(orders.customers, customers, rows[1]),
            currency=_remap(orders.currencies, currencies, rows[2]),
            at=rows[3],
            total=rows[4],
            refund_customer=_remap(refund_customers, customers, refund_rows[0]),
            refund_currency=_remap(refund_currencies, currencies, refund_rows[1]),
            refunded=refund_rows[2],
        )

    @staticmethod
    def _reduce_orders(
        order: IntArray, customer: IntArray, currency: IntArray, at: IntArray, total: IntArray
    ) -> tuple[IntArray, IntArray, IntArray, IntArray, IntArray]:
        sort, starts = _groups([order, customer, currency])
        if not len(sort):
            return order, customer, currency, at, total
        first = sort[starts]
        return (
            order[first],
            customer[first],
            currency[first],
            np.minimum.reduceat(at[sort], starts),
            np.add.reduceat(total[sort], starts),
        )

    @staticmethod
    def _reduce_refunds(
        customer: IntArray, currency: IntArray, amount: IntArray
    ) -> tuple[IntArray, IntArray, IntArray]:
        sort, starts = _groups([customer, currency])
        if not len(sort):
            return customer, currency, amount
        first = sort[starts]
        return customer[first], currency[first], np.add.reduceat(amount[sort], starts)

    @classmethod
    def merge_all(cls, partials: Iterable[CustomerPartial]) -> CustomerPartial:
        """Merge any number of partials into one (none gives the empty partial).

        Raises:
            ValidationError: an item is not a ``CustomerPartial``, or a sum does not fit in
                64 bits.
        """
        parts = list(partials)
        for index, part in enumerate(parts):
            if not isinstance(part, CustomerPartial):
                raise ValidationError(
                    f"{part!r} is not a CustomerPartial", field=f"partials[{index}]", value=None
                )
        if not parts:
            return cls.empty()
        customers = _vocabulary(part.customers for part in parts)
        orders = _vocabulary(part.orders for part in parts)
        currencies = _vocabulary(part.currencies for part in parts)

        def joined(name: str, vocabulary: dict[str, int] | None, names: str) -> IntArray:
            if vocabulary is None:
                return np.concatenate([getattr(part, name) for part in parts])
            return np.concatenate(
                [_remap(getattr(part, names), vocabulary, getattr(part, name)) for part in parts]
            )

        total = joined("total", None, "")
        refunded = joined("refunded", None, "")
        _check_sum(total, "order totals")
        _check_sum(refunded, "refunds")
        rows = cls._reduce_orders(
            joined("order", orders, "orders"),
            joined("customer", customers, "customers"),
            joined("currency", currencies, "currencies"),
            joined("at", None, ""),
            total,
        )
        refund_rows = cls._reduce_refunds(
            joined("refund_customer", customers, "customers"),
            joined("refund_currency", currencies, "currencies"),
            refunded,
        )
        return cls(
            customers=tuple(customers), orders=tuple(orders), currencies=tuple(currencies),
            order=rows[0], customer=rows[1], currency=rows[2], at=rows[3], total=rows[4],
            refund_customer=refund_rows[0], refund_currency=refund_rows[1],
            refunded=refund_rows[2],
        )  # fmt: skip

    def merge(self, other: CustomerPartial) -> CustomerPartial:
        """This partial merged with ``other`` (the same as ``self + other``)."""
        return self.merge_all([self, other])

    def __add__(self, other: Self) -> Self:
        if not isinstance(other, CustomerPartial):
            return NotImplemented
        return self.merge_all([self, other])  # type: ignore[return-value]

    def _order_rows(self) -> tuple[IntArray, IntArray, IntArray]:
        """One row per (customer, order): the customer, the order, its time."""
        sort, starts = _groups([self.customer, self.order])
        if not len(sort):
            return self.customer, self.order, self.at
        first = sort[starts]
        return self.customer[first], self.order[first], np.minimum.reduceat(self.at[sort], starts)

    def summary(self) -> CustomerSummary:
        """The per-customer summary: customers and currencies sorted by name.

        Only customers with at least one order are in it; refunds of other customers are left
        out.
        """
        customer, _, at = self._order_rows()
        ids = np.unique(customer)
        rank = np.argsort(np.asarray([self.customers[i] for i in ids], dtype=object), kind="stable")
        ids = ids[rank]
        codes = sorted({self.currencies[i] for i in self.currency if i >= 0})
        position = np.full(len(self.customers), -1, dtype=np.int64)
        position[ids] = np.arange(len(ids))
        column = np.full(len(self.currencies), -1, dtype=np.int64)
        for index, code in enumerate(codes):
            column[self.currencies.index(code)] = index
        n = len(ids)
        first = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
        last = np.full(n, np.iinfo(np.int64).min, dtype=np.int64)
        np.minimum.at(first, position[customer], at)
        np.maximum.at(last, position[customer], at)
        counts = np.bincount(position[customer], minlength=n).astype(np.int64)
        spend = np.zeros((n, len(codes)), dtype=np.int64)
        priced = self.currency >= 0
        np.add.at(spend, (position[self.customer[priced]], column[self.currency[priced]]),
                  self.total[priced])  # fmt: skip
        refunded = np.zeros((n, len(codes)), dtype=np.int64)
        keep = position[self.refund_customer] >= 0
        keep &= column[self.refund_currency] >= 0
        np.add.at(
            refunded,
            (position[self.refund_customer[keep]], column[self.refund_currency[keep]]),
            self.refunded[keep],
        )
        return CustomerSummary(
            customers=tuple(self.customers[i] for i in ids),
            currencies=tuple(codes),
            first=first,
            last=last,
            n_orders=counts,
            spend=spend,
            refunded=refunded,
        )

    def repeat(
        self, at: dt.datetime, *, period: dt.timedelta = dt.timedelta(days=1),
        currency: str | None = None,
    ) -> RepeatSummary:  # fmt: skip
        """The repeat-purchase summary as of ``at``, in the sense of the ``lifetimes`` package.

        Time is cut into periods of ``period`` from 1970-01-01 UTC (days by default), and only
        orders placed before ``at`` count. For each customer:

        - ``frequency``: the number of periods with an order, less one (repeat periods);
        - ``recency``: periods from the first period with an order to the last;
        - ``T``: periods from the first period with an order to the period of ``at``;
        - ``monetary``: the mean spend of the repeat periods (the first period left out), in
          major units of ``currency`` (0 where ``frequency`` is 0). Refunds are not
          subtracted: they are not tied to a period.

        Args:
            at: The end of the observation, with a UTC offset.
            period: The length of a period, a whole number of seconds.
            currency: The currency of ``monetary``; may be left out when there is one.

        Returns:
            The summary, customers sorted by id.

        Raises:
            ValidationError: ``at`` is naive, ``period`` is not a positive whole number of
                seconds, or ``currency`` is missing (several currencies) or not in the orders.
        """
        end = int(aware_datetime(at, "at").timestamp())
        if (
            not isinstance(period, dt.timedelta)
            or period.total_seconds() < 1
            or (period % dt.timedelta(seconds=1))
        ):
            raise ValidationError(
                f"{period!r} is not a positive whole number of seconds",
                field="period",
                value=str(period),
            )
        step = int(period.total_seconds())
        codes = sorted({self.currencies[i] for i in self.currency if i >= 0})
        if currency is None:
            if len(codes) > 1:
                raise ValidationError(
                    f"the orders are in {', '.join(codes)}: name the currency of the spend",
                    field="currency",
                    value=None,
                )
            currency = codes[0] if codes else None
        elif currency not in codes:
            raise ValidationError(
                f"{currency!r} is not a currency of the orders ({', '.join(codes) or 'none'})",
                field="currency",
                value=currency,
            )
        before = self.at < end
        spent = np.where(
            (self.currency == (self.currencies.index(currency) if currency else -2)),
            self.total,
            0,
        )
        customer, when = self.customer[before], self.at[before] // step
        spent = spent[before]
        sort, starts = _groups([customer, when])
        if len(sort):
            first_rows = sort[starts]
            customer, when = customer[first_rows], when[first_rows]
            spent = np.add.reduceat(spent[sort], starts)
        ids, start, periods = np.unique(customer, return_index=True, return_counts=True)
        names = np.asarray([self.customers[i] for i in ids], dtype=object)
        rank = np.argsort(names, kind="stable")
        begin = when[start]
        finish = when[start + periods - 1]
        repeat_spend = np.add.reduceat(spent, start) - spent[start] if len(start) else spent
        frequency = periods - 1
        exponent = Money.zero(currency).exponent if currency else 0
        with np.errstate(invalid="ignore", divide="ignore"):
            monetary = np.where(
                frequency > 0,
                repeat_spend.astype(np.float64) / np.maximum(frequency, 1) / 10.0**exponent,
                0.0,
            )
        return RepeatSummary(
            customers=tuple(names[rank]),
            frequency=frequency[rank].astype(np.float64),
            recency=(finish - begin)[rank].astype(np.float64),
            T=(end // step - begin)[rank].astype(np.float64),
            monetary=monetary[rank],
            currency=currency,
        )


@attrs.frozen(eq=False, kw_only=True)
class CustomerSummary:
    """Per customer: first and last order, number of orders, spend and refunds per currency.

    Rows are customers sorted by id; money columns are exact ``int64`` minor units, one column
    per currency (sorted by code). Spend is the sum of the order line totals (after line
    discounts, before refunds).

    Attributes:
        customers: The customer ids, sorted.
        currencies: The currencies of the money columns, sorted.
        first: The time of each customer's first order, seconds since 1970-01-01 UTC.
        last: The time of the last order.
        n_orders: The number of distinct orders.
        spend: Spend in minor units, shape (customers, currencies).
        refunded: Refunds in minor units, same shape.
    """

    customers: tuple[str, ...]
    currencies: tuple[str, ...]
    first: IntArray
    last: IntArray
    n_orders: IntArray
    spend: IntArray
    refunded: IntArray

    def __len__(self) -> int:
        return len(self.customers)

    def _row(self, customer: str) -> int:
        try:
            return self.customers.index(customer)
        except ValueError:
            raise ValidationError(
                f"{customer!r} placed no order", field="customer", value=customer
            ) from None

    def spend_of(self, customer: str) -> dict[str, Money]:
        """A customer's spend per currency in which they spent anything.

        Raises:
            ValidationError: the customer placed no order.
        """
        row = self._row(customer)
        return {
            code: Money(int(self.spend[row, column]), code)
            for column, code in enumerate(self.currencies)
            if self.spend[row, column]
        }

    def net_of(self, customer: str) -> dict[str, Money]:
        """A customer's spend less refunds, per currency with a spend or refund.

        Raises:
            ValidationError: the customer placed no order.
        """
        row = self._row(customer)
        return {
            code: Money(int(self.spend[row, column] - self.refunded[row, column]), code)
            for column, code in enumerate(self.currencies)
            if self.spend[row, column] or self.refunded[row, column]
        }

    def equals(self, other: CustomerSummary) -> bool:
        """Whether both summaries hold the same customers, currencies and figures."""
        return (
            self.customers == other.customers
            and self.currencies == other.currencies
            and all(
                np.array_equal(getattr(self, name), getattr(other, name))
                for name in ("first", "last", "n_orders", "spend", "refunded")
            )
        )


@attrs.frozen(eq=False, kw_only=True)
class RepeatSummary:
    """Repeat purchases per customer, the input of the CLV models (see ``CustomerPartial``).

    Attributes:
        customers: The customer ids, sorted.
        frequency: Repeat periods (periods with an order, less one).
        recency: Periods from the first period with an order to the last.
        T: Periods from the first period with an order to the end of the observation.
        monetary: Mean spend of a repeat period, in major units (a statistic, not a price).
        currency: The currency of ``monetary``, ``None`` when no order was priced.
    """

    customers: tuple[str, ...]
    frequency: FloatArray
    recency: FloatArray
    T: FloatArray  # the name the CLV literature and lifetimes use
    monetary: FloatArray
    currency: str | None

    def __len__(self) -> int:
        return len(self.customers)


def sample_repeat_summary() -> RepeatSummary:
    """The repeat summary of the 4,334 customers of the Online Retail data, shipped as a sample.

    Days as of 2011-12-10 UTC, spend in GBP; made by ``tools/make_clv_sample.py`` with
    ``CustomerPartial.repeat`` from the UCI Online Retail data set (Chen, Sain and Guo, 2012;
    UCI Machine Learning Repository), cancellations read as refunds.

    Examples:
        >>> from shopkit.metrics import sample_repeat_summary
        >>> sample = sample_repeat_summary()
        >>> len(sample), sample.currency, sample.frequency[:3].tolist()
        (4334, 'GBP', [0.0, 6.0, 3.0])
    """
    lines = read_sample("shopkit.metrics", "customers.csv").splitlines()[1:]
    rows = [line.split(",") for line in lines if line]
    return RepeatSummary(
        customers=tuple(row[0] for row in rows),
        frequency=np.array([float(row[1]) for row in rows]),
        recency=np.array([float(row[2]) for row in rows]),
        T=np.array([float(row[3]) for row in rows]),
        monetary=np.array([float(row[4]) for row in rows]),
        currency="GBP",
    )
