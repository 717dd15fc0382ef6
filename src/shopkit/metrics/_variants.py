"""The variants a KPI's definition can take, where the field disagrees, as enums.

A KPI's field takes the enum member or its string (``per="customer"``); anything else is a
``ValidationError`` naming the field and listing the choices.
"""

from __future__ import annotations

import enum

__all__ = [
    "AbandonmentStage",
    "AveragePer",
    "BounceDefinition",
    "ConversionPer",
    "Newcomers",
    "Period",
    "RefundBasis",
]


class AveragePer(enum.StrEnum):
    """What an average order value is per."""

    ORDER = "order"
    """Per order: revenue ÷ orders."""
    CUSTOMER = "customer"
    """Per distinct customer: revenue of customers' orders ÷ customers (guests left out)."""


class ConversionPer(enum.StrEnum):
    """What a conversion rate is per."""

    SESSION = "session"
    """Sessions with a purchase ÷ sessions."""
    USER = "user"
    """Visitors with a purchase ÷ visitors; a visitor is a customer id, or a guest session."""


class RefundBasis(enum.StrEnum):
    """Which date puts a refund in a window."""

    ORDER_DATE = "order_date"
    """The date of the order refunded."""
    REFUND_DATE = "refund_date"
    """The date of the refund."""


class BounceDefinition(enum.StrEnum):
    """What makes a session a bounce."""

    ENGAGED = "engaged"
    """GA4: a session that is not engaged (engaged: lasted at least ``engaged_seconds``, had a
    purchase, or had at least two page views)."""
    SINGLE_PAGE = "single_page"
    """Universal Analytics: one page view and no other event."""


class AbandonmentStage(enum.StrEnum):
    """Where an abandonment is counted from."""

    CART = "cart"
    """Sessions that added to the cart."""
    CHECKOUT = "checkout"
    """Sessions that started the checkout."""


class Newcomers(enum.StrEnum):
    """What retention's N (customers new in the period) counts."""

    GAINED = "gained"
    """Customers active at the end who were not active at the start (first-time buyers and
    returning lapsed ones), so E − N is exactly those kept and retention + churn = 1."""
    FIRST_ORDER = "first_order"
    """Customers whose first order is in the period (the textbook N); lapsed customers who come
    back then count as retained, so retention can exceed 1 − churn."""


class Period(enum.StrEnum):
    """A calendar period, in UTC."""

    DAY = "day"
    """A calendar day."""
    WEEK = "week"
    """An ISO week, from Monday."""
    MONTH = "month"
    """A calendar month."""
