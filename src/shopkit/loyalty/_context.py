"""The seam to pricing: a member's tier on the customer context pricing reads.

Pricing never imports loyalty: a tier discount or free shipping for members is an ordinary
promotion with a ``loyalty_tier`` condition, and it sees the tier as
``shopkit.Customer.loyalty_tier`` (plus, for conditions that read attributes, the
``loyalty_tier`` attribute and a ``loyalty-<tier>`` segment).
"""

from __future__ import annotations

import attrs

from shopkit import Customer, ValidationError
from shopkit.loyalty._status import Status

__all__ = ["customer_context"]


def customer_context(status: Status, customer: Customer | None = None) -> Customer:
    """The customer context for pricing, with the tier of ``status``.

    Args:
        status: The member's status (from ``Ledger.status``).
        customer: The context the shop already has (segments, region, …); a new one for the
            status's customer when ``None``.

    Raises:
        ValidationError: ``customer`` is another customer than the status's.

    Examples:
        >>> import datetime as dt
        >>> from shopkit.loyalty import (
        ...     Ledger, customer_context, sample_ledger_events, sample_programme)
        >>> ledger = Ledger(sample_programme(), sample_ledger_events())
        >>> at = dt.datetime(2025, 12, 31, tzinfo=dt.UTC)
        >>> context = customer_context(ledger.status("ana", at))
        >>> context.loyalty_tier, context.segments, dict(context.attributes)
        ('gold', ('loyalty-gold',), {'loyalty_tier': 'gold'})
    """
    if customer is None:
        customer = Customer(status.customer)
    if customer.id is not None and customer.id != status.customer:
        raise ValidationError(
            f"the status is {status.customer!r}'s, the customer {customer.id!r}",
            field="customer.id",
            value=customer.id,
        )
    attributes = {k: v for k, v in customer.attributes.items() if k != "loyalty_tier"}
    segments = tuple(s for s in customer.segments if not s.startswith("loyalty-"))
    if status.tier is not None:
        attributes["loyalty_tier"] = status.tier
        segments = (*segments, f"loyalty-{status.tier}")
    return attrs.evolve(
        customer, loyalty_tier=status.tier, attributes=attributes, segments=segments
    )
