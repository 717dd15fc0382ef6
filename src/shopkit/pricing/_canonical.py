"""The cart in canonical form: lines of one product merged and sorted, then a fresh working copy.

``canonical`` merges and sorts the lines, so the result depends neither on the order of the
lines nor on how units are split over lines; ``fresh_state`` makes each merged line a
``LineState`` in whole minor units, nothing discounted yet.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import attrs

from shopkit import Cart, Product
from shopkit.pricing._line_state import fresh_line
from shopkit.pricing._state import CartState
from shopkit.pricing._values import Context

__all__ = ["CanonicalLine", "canonical", "fresh_state"]


@attrs.frozen
class CanonicalLine:
    """The lines of one product, merged.

    Attributes:
        product: The product.
        quantity: The units of all its lines.
        sources: Each line it merges, as (index of the line as given, its quantity).
    """

    product: Product
    quantity: int
    sources: tuple[tuple[int, int], ...]


_CANONICAL_SETTERS = tuple(
    getattr(CanonicalLine, field.name).__set__ for field in attrs.fields(CanonicalLine)
)


def _canonical_line(
    product: Product, quantity: int, sources: tuple[tuple[int, int], ...]
) -> CanonicalLine:
    """``CanonicalLine(product, quantity, sources)``, its slots set directly (no validators).

    Equal to what the frozen class's ``__init__`` builds, at a third of the cost: ``price``
    makes one per cart line.
    """
    made = object.__new__(CanonicalLine)
    set_product, set_quantity, set_sources = _CANONICAL_SETTERS
    set_product(made, product)
    set_quantity(made, quantity)
    set_sources(made, sources)
    return made


def _full_key(product: Product) -> tuple[object, ...]:
    # Two lines can share a sku and a price and still differ (a cost, a floor or a stock level
    # given on one only): they stay apart, in an order fixed by every field, so the canonical
    # form (and with it every tie-break) does not depend on the order of the lines.
    return (
        product.sku,
        product.unit_price.minor,
        product.name,
        product.categories,
        product.tags,
        tuple(product.attributes.items()),
        product.cost.minor if product.cost else -1,
        product.min_price.minor if product.min_price else -1,
        -1 if product.stock is None else product.stock,
    )


def canonical(cart: Cart) -> tuple[CanonicalLine, ...]:
    """The cart's lines merged by product and sorted by sku and price (then every field)."""
    lines = cart.lines
    skus = [line.product.sku for line in lines]
    if len(set(skus)) == len(lines):
        # every sku once (the usual cart): nothing to merge, and the sku alone orders them
        order = sorted(range(len(lines)), key=skus.__getitem__)
        return tuple(
            [
                _canonical_line(
                    lines[index].product, lines[index].quantity, ((index, lines[index].quantity),)
                )
                for index in order
            ]
        )
    merged: dict[Product, list[tuple[int, int]]] = {}
    for index, line in enumerate(cart.lines):
        merged.setdefault(line.product, []).append((index, line.quantity))
    # Sort by sku and price; only products that tie on both need the full key.
    items = sorted(merged.items(), key=lambda item: (item[0].sku, item[0].unit_price.minor))
    if any(
        (a.sku, a.unit_price.minor) == (b.sku, b.unit_price.minor)
        for (a, _), (b, _) in itertools.pairwise(items)
    ):
        items.sort(key=lambda item: _full_key(item[0]))
    return tuple(
        _canonical_line(product, sum(q for _, q in sources), tuple(sources))
        for product, sources in items
    )


def fresh_state(lines: Sequence[CanonicalLine], cart: Cart, context: Context) -> CartState:
    """A working copy of the canonical lines, nothing discounted yet."""
    states = []
    for index, item in enumerate(lines):
        product = item.product
        floor = product.min_price.minor if product.min_price else 0
        states.append(fresh_line(index, product, item.quantity, floor))
    return CartState(cart.currency, states, cart.shipping_method, context, cart.shipping.minor)


# -- one pass of the engine ----------------------------------------------------------------------
