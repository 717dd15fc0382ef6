"""A customer's events turned into the plain integers the evaluation works on.

An order becomes its moment in seconds, its lines (sku, category, quantity, net and gross in
minor units) and its shipping and tax; a refund becomes the units it returns per line and the
amounts they were sold for — a line's refunded amount is ``total × returned ÷ quantity``
rounded down cumulatively, so refunding a line in several parts takes back exactly its total.
This is also where a refund bigger than what is left of its order is refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from shopkit import ValidationError
from shopkit.loyalty._events import LedgerEvent, OrderPlaced, Refund

__all__ = ["CompiledOrder", "CompiledRefund", "compile_orders", "seconds"]


def seconds(moment: dt.datetime) -> int:
    """A moment as whole seconds since 1970-01-01 UTC (as ``OrderTable.at``)."""
    return int(moment.timestamp())


class CompiledOrder(NamedTuple):
    """An order as integers."""

    id: str
    at: int
    skus: tuple[str, ...]
    categories: tuple[str | None, ...]
    quantities: tuple[int, ...]
    nets: tuple[int, ...]
    grosses: tuple[int, ...]
    gross: int
    net: int
    shipping: int
    tax: int


class CompiledRefund(NamedTuple):
    """A refund as integers: per line of its order, the returned units before and after."""

    id: str
    order: str
    order_at: int
    at: int
    before: tuple[int, ...]
    after: tuple[int, ...]
    gross: int
    net: int
    shipping: int
    tax: int
    cancels: bool


def compile_order(event: OrderPlaced) -> CompiledOrder:
    """The integers of an order event."""
    order = event.order
    quantities, nets, grosses = [], [], []
    for line in order.lines:
        assert line.unit_price is not None
        assert line.discount is not None
        quantities.append(line.quantity)
        grosses.append(line.unit_price.minor * line.quantity)
        nets.append(grosses[-1] - line.discount.minor)
    return CompiledOrder(
        order.id,
        seconds(order.at),
        tuple(line.sku for line in order.lines),
        tuple(event.categories.get(line.sku) for line in order.lines),
        tuple(quantities),
        tuple(nets),
        tuple(grosses),
        sum(grosses),
        sum(nets),
        -1 if order.shipping is None else order.shipping.minor,
        -1 if order.tax is None else order.tax.minor,
    )


def compile_orders(
    events: Iterable[LedgerEvent], orders: Mapping[str, CompiledOrder]
) -> list[CompiledRefund]:
    """Compile the refunds among ``events`` (in evaluation order) against their orders.

    Raises:
        ValidationError: a refund names an unknown order, comes before it, names a sku not on
            it, or returns more units than are left; the field names the refund.
    """
    returned: dict[str, list[int]] = {}
    refunds = []
    for event in events:
        if not isinstance(event, Refund):
            continue
        where = f"refund {event.id!r}"
        order = orders.get(event.order)
        if order is None:
            raise ValidationError(
                f"order {event.order!r} is not in the ledger",
                field=f"{where}.order",
                value=event.order,
            )
        at = seconds(event.at)
        if at < order.at:
            raise ValidationError(
                f"the refund comes before order {order.id!r} was placed",
                field=f"{where}.at",
                value=event.at.isoformat(),
            )
        before = tuple(returned.setdefault(order.id, [0] * len(order.skus)))
        after = list(before)
        if not event.lines:
            if before == order.quantities:
                raise ValidationError(
                    f"order {order.id!r} is already refunded in full",
                    field=f"{where}.order",
                    value=order.id,
                )
            after = list(order.quantities)
        for index, line in enumerate(event.lines):
            want = line.quantity
            for position, sku in enumerate(order.skus):
                if sku != line.sku or want == 0:
                    continue
                take = min(want, order.quantities[position] - after[position])
                after[position] += take
                want -= take
            if want:
                bought = sum(
                    q for s, q in zip(order.skus, order.quantities, strict=True) if s == line.sku
                )
                raise ValidationError(
                    f"{line.quantity} units of {line.sku!r} is more than is left of the "
                    f"{bought} on order {order.id!r}",
                    field=f"{where}.lines[{index}].quantity",
                    value=line.quantity,
                )
        returned[order.id] = after
        cancels = tuple(after) == order.quantities
        gross = net = 0
        for position, quantity in enumerate(order.quantities):
            if after[position] == before[position]:
                continue
            gross += _share(order.grosses[position], after[position], before[position], quantity)
            net += _share(order.nets[position], after[position], before[position], quantity)
        whole = not event.lines
        refunds.append(
            CompiledRefund(
                event.id,
                order.id,
                order.at,
                at,
                before,
                tuple(after),
                gross,
                net,
                max(order.shipping, 0) if whole else 0,
                max(order.tax, 0) if whole else 0,
                cancels,
            )
        )
    return refunds


def _share(total: int, after: int, before: int, quantity: int) -> int:
    """What units ``before..after`` of a line of ``quantity`` units take of its ``total``."""
    return total * after // quantity - total * before // quantity
