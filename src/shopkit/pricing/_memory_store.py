"""The redemption store in memory: one process, its counts gone when it ends.

For tests, for a single-process shop, and as the reference the other stores are checked
against (``shopkit.testing.pricing.RedemptionStoreContract``).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable, Sequence

import attrs

from shopkit.pricing._redemption import (
    Claim,
    Held,
    LimitReachedError,
    ReservationError,
    _check_claims,
    _check_keys,
    _check_order_id,
    _check_window,
    _micros,
    _moment,
)

__all__ = ["InMemoryRedemptionStore"]


@attrs.define
class _Order:
    claims: dict[str, int]
    expires_at: int
    committed: bool = False
    limits: dict[str, int] = attrs.field(factory=dict)


class InMemoryRedemptionStore:
    """A thread-safe store in this process's memory, for tests and single-process services.

    Examples:
        >>> import datetime as dt
        >>> from shopkit.pricing import Claim, InMemoryRedemptionStore
        >>> store = InMemoryRedemptionStore()
        >>> now = dt.datetime(2026, 11, 27, tzinfo=dt.timezone.utc)
        >>> later = now + dt.timedelta(minutes=15)
        >>> store.reserve("o-1", [Claim("code:WELCOME", 1, 1)], at=now, expires_at=later)
        >>> store.commit("o-1", at=now)
        >>> store.used(["code:WELCOME"], at=now)
        {'code:WELCOME': 1}
    """

    def __init__(self) -> None:
        self._orders: dict[str, _Order] = {}
        self._committed: dict[str, int] = {}  # per key, the sum of committed claims
        self._live: dict[str, set[str]] = {}  # per key, the orders reserving it, uncommitted
        self._lock = threading.Lock()

    def _held(self, key: str, now: int, skip: str | None = None) -> int:
        live = sum(
            self._orders[order_id].claims[key]
            for order_id in self._live.get(key, ())
            if order_id != skip and self._orders[order_id].expires_at > now
        )
        held = self._committed.get(key, 0) + live
        if skip is not None:
            own = self._orders.get(skip)
            if own is not None and own.committed:
                held -= own.claims.get(key, 0)
        return held

    def _forget(self, order_id: str) -> None:
        order = self._orders.pop(order_id, None)
        if order is None:
            return
        for key, amount in order.claims.items():
            if order.committed:
                self._committed[key] -= amount
            else:
                self._live[key].discard(order_id)

    def reserve(
        self, order_id: str, claims: Iterable[Claim], *, at: dt.datetime, expires_at: dt.datetime
    ) -> None:
        """Take every claim or none (see :class:`RedemptionStore`)."""
        claims = _check_claims(order_id, claims)
        moment, until = _micros(at, "at"), _micros(expires_at, "expires_at")
        _check_window(moment, until)
        with self._lock:
            existing = self._orders.get(order_id)
            if existing is not None and existing.committed:
                raise ReservationError(
                    f"order {order_id} is already committed", field="order_id", value=order_id
                )
            for claim in claims:
                held = self._held(claim.key, moment, skip=order_id)
                if held + claim.amount > claim.limit:
                    raise LimitReachedError(claim, held)
            self._forget(order_id)
            self._orders[order_id] = _Order(
                {c.key: c.amount for c in claims}, until, limits={c.key: c.limit for c in claims}
            )
            for claim in claims:
                self._live.setdefault(claim.key, set()).add(order_id)

    def commit(self, order_id: str, *, at: dt.datetime) -> None:
        """Make the live reservation permanent (see :class:`RedemptionStore`)."""
        _check_order_id(order_id)
        moment = _micros(at, "at")
        with self._lock:
            order = self._orders.get(order_id)
            if order is not None and order.committed:
                return
            if order is None or order.expires_at <= moment:
                raise ReservationError(
                    f"order {order_id} has no live reservation to commit",
                    field="order_id",
                    value=order_id,
                )
            order.committed = True
            for key, amount in order.claims.items():
                self._live[key].discard(order_id)
                self._committed[key] = self._committed.get(key, 0) + amount

    def release(self, order_id: str) -> None:
        """Give back all the order holds (see :class:`RedemptionStore`)."""
        _check_order_id(order_id)
        with self._lock:
            self._forget(order_id)

    def used(self, keys: Sequence[str], *, at: dt.datetime) -> dict[str, int]:
        """What each counter holds now (see :class:`RedemptionStore`)."""
        keys = _check_keys(keys)
        moment = _micros(at, "at")
        with self._lock:
            return {key: self._held(key, moment) for key in keys}

    def held(self, order_id: str, *, at: dt.datetime) -> Held | None:
        """What the order holds (see :class:`RedemptionStore`)."""
        _check_order_id(order_id)
        moment = _micros(at, "at")
        with self._lock:
            order = self._orders.get(order_id)
            if order is None or not (order.committed or order.expires_at > moment):
                return None
            return Held(
                dict(order.claims), _moment(order.expires_at), order.committed, dict(order.limits)
            )

    def purge(self, *, at: dt.datetime) -> int:
        """Delete expired reservations (see :class:`RedemptionStore`)."""
        moment = _micros(at, "at")
        with self._lock:
            dead = [
                order_id
                for order_id, order in self._orders.items()
                if not order.committed and order.expires_at <= moment
            ]
            for order_id in dead:
                self._forget(order_id)
            return len(dead)
