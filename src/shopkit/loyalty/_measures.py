"""Built-in measures (what a tier counts) and windows (over which period).

``spend`` counts money on a basis the programme states: net of line discounts or gross, with
or without shipping, with or without tax, and always net of refunds (a refund takes its amount
off the order it refunds, from the moment of the refund). ``orders`` counts orders; an order
refunded in full stops counting from the refund. Windows are ``rolling`` (the last N days) and
``lifetime``.
"""

from __future__ import annotations

import enum
from typing import Any

import attrs

from shopkit import ValidationError
from shopkit import validators as check
from shopkit.loyalty._kinds import Measure, Window

__all__ = ["Basis", "Lifetime", "Orders", "Rolling", "Spend"]

_DAY = 86_400
_MAX_DAYS = 36_600  # a century: a longer window is a lifetime


class Basis(enum.StrEnum):
    """Which line amount a spend measure counts."""

    NET = "net"
    """The line totals after line discounts (what the customer paid for the goods)."""
    GROSS = "gross"
    """Quantity × unit price, before line discounts."""


def _basis(value: object) -> Basis:
    return check.enum_value(Basis, value, "discounts")


def _unknown(value: Any) -> bool:
    below = value < 0
    return bool(below.any()) if hasattr(below, "any") else bool(below)


@attrs.frozen(kw_only=True)
class Spend(Measure):
    """Money spent, in minor units of the programme's currency (type ``spend``).

    Attributes:
        discounts: ``"net"`` (after line discounts, the default) or ``"gross"`` (before).
        shipping: Whether the shipping the customer paid counts (default: no). An order whose
            shipping is not known is refused when it counts.
        tax: Whether the tax counts (default: no).

    Examples:
        >>> from shopkit.loyalty.plugin import Spend
        >>> Spend().order_value(gross=1200, net=1000, shipping=395, tax=200)
        1000
        >>> Spend(discounts="gross", shipping=True).order_value(1200, 1000, 395, 200)
        1595
    """

    unit = "minor"
    discounts: Basis = attrs.field(default=Basis.NET, converter=_basis)
    shipping: bool = attrs.field(default=False, validator=check.instance_of(bool))
    tax: bool = attrs.field(default=False, validator=check.instance_of(bool))

    def needs(self) -> tuple[str, ...]:
        """The order-level amounts this basis adds in."""
        return tuple(name for name in ("shipping", "tax") if getattr(self, name))

    def order_value(self, gross: Any, net: Any, shipping: Any, tax: Any) -> Any:
        """The lines on the basis, plus shipping and tax when they count.

        Raises:
            ValidationError: shipping or tax counts and an order does not say it.
        """
        value = net if self.discounts is Basis.NET else gross
        for name, amount in (("shipping", shipping), ("tax", tax)):
            if getattr(self, name):
                if _unknown(amount):
                    raise ValidationError(
                        f"the programme counts {name}, and an order does not say it",
                        field=f"order.{name}",
                        value=None,
                    )
                value = value + amount
        return value

    def refund_value(self, gross: Any, net: Any, shipping: Any, tax: Any, cancels: Any) -> Any:
        """What the refund returned, on the same basis."""
        return self.order_value(gross, net, shipping, tax)


@attrs.frozen(kw_only=True)
class Orders(Measure):
    """The number of orders (type ``orders``); an order refunded in full no longer counts.

    Examples:
        >>> from shopkit.loyalty.plugin import Orders
        >>> Orders().order_value(1200, 1000, -1, -1)
        1
    """

    unit = "orders"

    def order_value(self, gross: Any, net: Any, shipping: Any, tax: Any) -> Any:
        """One per order."""
        return gross * 0 + 1

    def refund_value(self, gross: Any, net: Any, shipping: Any, tax: Any, cancels: Any) -> Any:
        """One when the refund cancels what was left of the order, else nothing."""
        return cancels * 1


@attrs.frozen(kw_only=True)
class Rolling(Window):
    """The last ``days`` days up to the moment (type ``rolling``).

    An order placed at ``o`` counts until ``o + days`` (exclusive): a 365-day window on
    2026-06-01T00:00 still counts an order of 2025-06-01T00:00:01, not one of 2025-06-01T00:00.

    Attributes:
        days: The window's length in days, 1 to 36600.
    """

    days: int = attrs.field(validator=check.positive_int)

    def __attrs_post_init__(self) -> None:
        if self.days > _MAX_DAYS:
            raise ValidationError(
                f"{self.days} days is more than {_MAX_DAYS}; use a lifetime window",
                field="days",
                value=self.days,
            )

    def seconds(self) -> int | None:
        """``days`` in seconds."""
        return self.days * _DAY


@attrs.frozen(kw_only=True)
class Lifetime(Window):
    """Every order since the customer's first (type ``lifetime``)."""

    def seconds(self) -> int | None:
        """No limit."""
        return None
