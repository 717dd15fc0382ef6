"""Small builders for the loyalty tests: a programme from a few numbers, orders, moments."""

from __future__ import annotations

import datetime as dt
from typing import Any

from shopkit import Money, Order, OrderLine, from_dict
from shopkit.loyalty import OrderPlaced, Programme

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def day(n: float) -> dt.datetime:
    return T0 + dt.timedelta(days=n)


def gbp(amount: str) -> Money:
    return Money.of(amount, "GBP")


def version(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "effective": "2026-01-01T00:00:00+00:00",
        "window": {"type": "rolling", "days": 90},
        "grace_days": 10,
        "tiers": [
            {"name": "bronze", "threshold": "0"},
            {
                "name": "silver",
                "threshold": "100",
                "benefits": [{"type": "points_multiplier", "factor": "2"}],
            },
            {"name": "gold", "threshold": "300"},
        ],
        "earning": [{"type": "per_amount", "points": 1, "per": "1.00 GBP"}],
        "redemption": {"point_value": "0.01 GBP"},
        "expiry_days": 60,
        "return_window_days": 14,
    }
    data.update(changes)
    return data


def programme(*versions: dict[str, Any]) -> Programme:
    return from_dict(
        {"name": "test", "currency": "GBP", "versions": list(versions) or [version()]}, Programme
    )


def order(
    id: str,
    customer: str,
    at: dt.datetime,
    amount: str,
    *,
    sku: str = "A",
    quantity: int = 1,
    categories: dict[str, str] | None = None,
) -> OrderPlaced:
    unit = Money.of(amount, "GBP")
    return OrderPlaced(
        Order(id, [OrderLine(sku, quantity, unit)], at, customer=customer), categories or {}
    )
