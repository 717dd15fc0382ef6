"""Splitting an amount over parts exactly: largest remainder, optional caps, no unit lost.

``allocate`` checks its input and works on ``Money``; ``split_minor`` is its whole-number core,
for callers that have checked theirs (the pricing engine splits order discounts with it).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from shopkit._money import Money
from shopkit._numbers import _CONTEXT, to_decimal
from shopkit.errors import ShopkitError, ValidationError

__all__ = ["allocate", "split_minor"]


def allocate(
    total: Money,
    weights: Sequence[int | Decimal | Money],
    *,
    caps: Sequence[Money] | None = None,
    keys: Sequence[Any] | None = None,
) -> tuple[Money, ...]:
    """Split ``total`` over parts in proportion to ``weights`` so the parts sum exactly to it.

    Each part first gets its exact share rounded toward zero; the minor units left over go one
    each to the parts with the largest remainders (the largest remainder method). Remainders that
    tie are ordered by ``keys`` (the smallest key first), or by position when no keys are given,
    so the result is deterministic and, with keys, does not depend on the order of the parts.
    A part of weight zero gets nothing.

    With ``caps``, no part exceeds its cap: a part whose share would reach its cap gets the cap
    and the rest is spread over the others in proportion to their weights, again exactly.

    A negative total is spread as its absolute value and every part negated.

    Args:
        total: The amount to spread.
        weights: One non-negative weight per part (whole numbers, decimals or amounts, e.g. line
            totals); at least one must be positive unless ``total`` is zero.
        caps: Optional upper limits, one per part, in the total's currency.
        keys: Optional tie-break keys, one per part, all mutually comparable.

    Returns:
        One amount per part, in input order, summing exactly to ``total``.

    Raises:
        ValidationError: no parts, a negative weight, all weights zero, lengths that differ, a
            negative cap, or caps of the weighted parts that cannot hold the total.
        CurrencyMismatchError: a cap or amount weight in another currency.

    Examples:
        >>> from shopkit import Money, allocate
        >>> [str(part) for part in allocate(Money.of("10.00", "USD"), [1, 1, 1])]
        ['3.34 USD', '3.33 USD', '3.33 USD']
        >>> caps = [Money.of("1.00", "USD"), Money.of("50", "USD"), Money.of("50", "USD")]
        >>> [str(part) for part in allocate(Money.of("10.00", "USD"), [1, 1, 1], caps=caps)]
        ['1.00 USD', '4.50 USD', '4.50 USD']
    """
    count = len(weights)
    if count == 0:
        raise ValidationError("no parts to allocate over", field="weights", value=[])
    exact = _integer_weights(weights, total)
    if keys is not None and len(keys) != count:
        raise ValidationError(
            f"{len(keys)} keys for {count} weights", field="keys", value=len(keys)
        )
    remaining = abs(total.minor)
    active = [index for index in range(count) if exact[index] > 0]
    if remaining and not active:
        raise ValidationError(
            "all weights are zero, so there is nothing to allocate in proportion to",
            field="weights",
            value=[str(weight) for weight in weights],
        )
    limits = None
    if caps is not None:
        limits = _limits(total, caps, count)
        room = sum(limits[index] for index in active)
        if room < remaining:
            raise ValidationError(
                f"{abs(total)} does not fit under the caps of the weighted parts, which sum to "
                f"{Money(room, total.currency)}",
                field="caps",
                value=str(total),
            )
    parts = split_minor(remaining, exact, limits, keys)
    sign = -1 if total.minor < 0 else 1
    return tuple(Money._trusted(sign * part, total.currency) for part in parts)


def split_minor(
    remaining: int,
    weights: Sequence[int],
    limits: Sequence[int] | None = None,
    keys: Sequence[Any] | None = None,
) -> list[int]:
    """The whole-number core of :func:`allocate`, for callers that have checked their input.

    Args:
        remaining: A non-negative number of minor units to split.
        weights: Non-negative whole weights, at least one positive unless ``remaining`` is 0.
        limits: Optional caps per part, summing (over positive weights) to at least
            ``remaining``.
        keys: Optional tie-break keys.

    Returns:
        The parts, summing to ``remaining``.
    """
    count = len(weights)
    parts = [0] * count
    active = [index for index in range(count) if weights[index] > 0]
    if limits is not None:
        # Water-filling: a part whose exact share reaches its cap is fixed at the cap and the
        # rest is shared again among the others, until no share reaches a cap. The share of
        # part i is remaining × w_i / W; comparing remaining × w_i with cap_i × W keeps it in
        # whole numbers.
        while remaining and active:
            weight_sum = sum(weights[index] for index in active)
            capped = {
                index
                for index in active
                if remaining * weights[index] >= limits[index] * weight_sum
            }
            if not capped:
                break
            for index in capped:
                parts[index] = limits[index]
                remaining -= limits[index]
            active = [index for index in active if index not in capped]
    if remaining and active:
        # Shares remaining × w_i / W as whole quotients and remainders over the same W, so
        # the largest remainders are compared exactly, without fractions.
        weight_sum = sum(weights[index] for index in active)
        remainders = {}
        given = 0
        for index in active:
            quotient, remainders[index] = divmod(remaining * weights[index], weight_sum)
            parts[index] += quotient
            given += quotient
        leftover = remaining - given
        if leftover:
            order = sorted(
                active,
                key=lambda index: (
                    -remainders[index],
                    keys[index] if keys is not None else index,
                ),
            )
            for index in order[:leftover]:
                parts[index] += 1
    return parts


def _limits(total: Money, caps: Sequence[Money], count: int) -> list[int]:
    if len(caps) != count:
        raise ValidationError(
            f"{len(caps)} caps for {count} weights", field="caps", value=len(caps)
        )
    limits = []
    for index, cap in enumerate(caps):
        try:
            total._same(cap, "allocate over")
        except ShopkitError as error:
            raise error.at(f"caps[{index}]") from None
        if cap.minor < 0:
            raise ValidationError(f"cap {cap} is negative", field=f"caps[{index}]", value=str(cap))
        limits.append(cap.minor)
    return limits


def _integer_weights(weights: Sequence[int | Decimal | Money], total: Money) -> list[int]:
    """The weights as whole numbers in the same proportions (decimals scaled by a power of 10)."""
    values: list[int | Decimal] = []
    for index, weight in enumerate(weights):
        field = f"weights[{index}]"
        value: int | Decimal
        if isinstance(weight, Money):
            try:
                total._same(weight, "allocate over")
            except ShopkitError as error:
                raise error.at(field) from None
            value = weight.minor
        elif isinstance(weight, int) and not isinstance(weight, bool):
            value = weight
        else:
            value = to_decimal(weight, field)
        if value < 0:
            raise ValidationError(f"weight {weight} is negative", field=field, value=str(weight))
        values.append(value)
    places = max((-int(v.as_tuple().exponent) for v in values if isinstance(v, Decimal)), default=0)
    if places <= 0:
        return [int(value) for value in values]
    return [int(_CONTEXT.scaleb(Decimal(value), places)) for value in values]
