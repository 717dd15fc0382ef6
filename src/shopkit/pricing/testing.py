"""Contract tests for pricing plugins and redemption stores, to run against any implementation.

A plugin benefit proves it keeps the engine's invariants by running ``BenefitContract``, as
every built-in benefit does::

    from shopkit.pricing.testing import BenefitContract

    class TestMyBenefit(BenefitContract):
        def make_benefit(self):
            return MyBenefit(...)

A Redis or PostgreSQL store proves it keeps the :class:`~shopkit.pricing.RedemptionStore`
promises by running the same tests the built-in stores run. Both need pytest and hypothesis::

    from shopkit.pricing.testing import RedemptionStoreContract, redemption_state_machine

    class TestMyStore(RedemptionStoreContract):
        def make_store(self):
            return MyStore(...)              # a new, empty store each call

    TestMyStoreStateful = redemption_state_machine(lambda: MyStore(...)).TestCase

``RedemptionStoreContract`` checks each promise with a concrete case; the state machine runs
random interleavings of reserve, commit, release, expiry and purge and compares every count with
a simple model.
"""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from shopkit import Cart, Line, Money, Product, ShippingOption, from_json, to_json
from shopkit.pricing._base import Benefit
from shopkit.pricing._engine import price
from shopkit.pricing._promotion import Promotion
from shopkit.pricing._redemption import (
    Claim,
    LimitReachedError,
    RedemptionStore,
    ReservationError,
)

__all__ = [
    "CATEGORIES",
    "SKUS",
    "TAGS",
    "BenefitContract",
    "RedemptionStoreContract",
    "carts",
    "redemption_state_machine",
]

T0 = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)


SKUS = ("S1", "S2", "S3", "S4", "S5")
"""The skus generated products have: few, so that selectors and carts meet often."""
CATEGORIES = ("Phones", "Accessories", "Kitchen")
"""The categories generated products are in; a benefit under test may select them."""
TAGS = ("sale", "new")
"""The tags generated products carry."""


@st.composite
def carts(
    draw: st.DrawFn,
    currencies: tuple[str, ...] = ("EUR", "JPY", "KWD"),
    codes: tuple[str, ...] = (),
) -> Cart:
    """Carts of up to six lines of products with ``SKUS``, ``CATEGORIES`` and ``TAGS``.

    Some products have a cost, a minimum price, a stock level or a colour attribute; a
    "standard" or "express" shipping option is chosen or not; up to two of ``codes`` are entered.
    """
    currency = draw(st.sampled_from(currencies))

    @st.composite
    def products(draw: st.DrawFn) -> Product:
        price_minor = draw(st.integers(0, 200_000))
        cost = draw(st.none() | st.integers(0, price_minor))
        floor = draw(st.none() | st.integers(0, price_minor))
        sku = draw(st.sampled_from(SKUS))
        return Product(
            sku,
            f"Product {sku}",
            Money(price_minor, currency),
            cost=None if cost is None else Money(cost, currency),
            min_price=None if floor is None else Money(floor, currency),
            categories=draw(st.lists(st.sampled_from(CATEGORIES), max_size=2)),
            tags=draw(st.lists(st.sampled_from(TAGS), max_size=2)),
            attributes=draw(st.dictionaries(st.just("colour"), st.sampled_from(["red", "blue"]))),
            stock=draw(st.none() | st.integers(0, 20)),
        )

    lines = draw(st.lists(st.builds(Line, products(), st.integers(1, 6)), max_size=6))
    options = [
        ShippingOption("standard", "Standard", Money(draw(st.integers(0, 2_000)), currency)),
        ShippingOption("express", "Express", Money(draw(st.integers(0, 5_000)), currency)),
    ]
    method = draw(st.sampled_from([None, "standard", "express"]))
    entered = draw(st.lists(st.sampled_from(codes), max_size=2)) if codes else []
    return Cart(currency, lines, shipping_options=options, shipping_method=method, codes=entered)


_PER_SUBCLASS = [HealthCheck.differing_executors]


class BenefitContract(abc.ABC):
    """Mixin of pytest tests every benefit must pass; define ``make_benefit``.

    The benefit is priced alone and next to a 10 % order discount, over generated carts in EUR,
    JPY and KWD (override ``currencies`` if it has amounts for others only).
    """

    currencies: tuple[str, ...] = ("EUR", "JPY", "KWD")

    @abc.abstractmethod
    def make_benefit(self) -> Benefit:
        """Return the benefit under test (with amounts for ``currencies``)."""

    def _promotions(self) -> list[Promotion]:
        from shopkit.pricing._benefits import Percentage

        return [
            Promotion("under-test", "Under test", self.make_benefit(), priority=1),
            Promotion("ten", "10% off", Percentage(10)),
        ]

    # Each subclass runs the same test with its own benefit; hypothesis sees one method called
    # from many classes, which is the point of a contract mixin.
    @settings(max_examples=40, deadline=None, suppress_health_check=_PER_SUBCLASS)
    @given(data=st.data())
    def test_totals_never_negative_and_add_up(self, data: st.DataObject) -> None:
        """Invariants 1 and 2: no negative total, no discount past its amount, exact sums."""
        cart = data.draw(carts(self.currencies))
        for promotions in (self._promotions()[:1], self._promotions()):
            result = price(cart, promotions, at=T0)
            for line in result.lines:
                assert 0 <= line.discount.minor <= line.subtotal.minor
                assert sum(a.amount.minor for a in line.adjustments) == line.discount.minor
                assert line.total == line.subtotal - line.discount
            assert 0 <= result.shipping_discount.minor <= result.shipping_price.minor
            assert result.discount.minor == sum(line.discount.minor for line in result.lines)
            assert result.total == result.subtotal - result.discount + result.shipping
            for line in result.lines:  # a unit is consumed once at most
                assert sum(a.units for a in line.adjustments) <= line.line.quantity

    @settings(max_examples=30, deadline=None, suppress_health_check=_PER_SUBCLASS)
    @given(data=st.data())
    def test_pure_and_independent_of_line_order(self, data: st.DataObject) -> None:
        """Invariants 3 and 4: the same result twice, and for the lines in reverse order."""
        cart = data.draw(carts(self.currencies))
        promotions = self._promotions()
        first = price(cart, promotions, at=T0)
        assert price(cart, promotions, at=T0) == first
        reversed_cart = Cart(
            cart.currency,
            tuple(reversed(cart.lines)),
            shipping_options=cart.shipping_options,
            shipping_method=cart.shipping_method,
        )
        other = price(reversed_cart, promotions, at=T0)
        assert (other.total, other.discount, other.shipping) == (
            first.total,
            first.discount,
            first.shipping,
        )

    def test_survives_json(self) -> None:
        """Invariant 8: the promotion reads back from its JSON form unchanged."""
        promotion = self._promotions()[0]
        assert from_json(to_json(promotion), Promotion) == promotion


class RedemptionStoreContract(abc.ABC):
    """Mixin of pytest tests every redemption store must pass; define ``make_store``."""

    @abc.abstractmethod
    def make_store(self) -> RedemptionStore:
        """Return a new, empty store."""

    def test_reserve_and_commit_count_once(self) -> None:
        """A committed order counts once, however often it is committed."""
        store = self.make_store()
        store.reserve("o-1", [Claim("code:A", 1, 5)], now=T0, expires_at=T0 + MINUTE)
        store.commit("o-1", now=T0)
        store.commit("o-1", now=T0)
        assert store.used(["code:A"], now=T0 + 60 * MINUTE) == {"code:A": 1}

    def test_all_or_nothing(self) -> None:
        """When one claim does not fit, none of the order's claims is taken."""
        store = self.make_store()
        store.reserve("o-1", [Claim("code:A", 1, 1)], now=T0, expires_at=T0 + MINUTE)
        claims = [Claim("budget:B", 500, 1000), Claim("code:A", 1, 1)]
        with pytest.raises(LimitReachedError) as caught:
            store.reserve("o-2", claims, now=T0, expires_at=T0 + MINUTE)
        assert caught.value.claim.key == "code:A"
        assert caught.value.used == 1
        assert store.used(["budget:B", "code:A"], now=T0) == {"budget:B": 0, "code:A": 1}

    def test_limits_hold_for_amounts(self) -> None:
        """A budget takes amounts up to its limit, and not one minor unit more."""
        store = self.make_store()
        until = T0 + MINUTE
        store.reserve("o-1", [Claim("budget:B", 700, 1000)], now=T0, expires_at=until)
        store.reserve("o-2", [Claim("budget:B", 300, 1000)], now=T0, expires_at=until)
        with pytest.raises(LimitReachedError):
            store.reserve("o-3", [Claim("budget:B", 1, 1000)], now=T0, expires_at=until)
        assert store.used(["budget:B"], now=T0) == {"budget:B": 1000}

    def test_expired_reservation_stops_counting(self) -> None:
        """A reservation never committed gives its claims back at its expiry."""
        store = self.make_store()
        store.reserve("o-1", [Claim("code:A", 1, 1)], now=T0, expires_at=T0 + MINUTE)
        assert store.used(["code:A"], now=T0 + MINUTE) == {"code:A": 0}
        store.reserve("o-2", [Claim("code:A", 1, 1)], now=T0 + MINUTE, expires_at=T0 + 2 * MINUTE)
        with pytest.raises(ReservationError):
            store.commit("o-1", now=T0 + MINUTE)
        assert store.purge(now=T0 + 3 * MINUTE) == 2

    def test_release_is_idempotent_and_gives_back_commits(self) -> None:
        """Releasing a committed order (a refund) gives its uses back, once."""
        store = self.make_store()
        store.reserve("o-1", [Claim("code:A", 1, 1)], now=T0, expires_at=T0 + MINUTE)
        store.commit("o-1", now=T0)
        store.release("o-1")
        store.release("o-1")
        store.release("never-reserved")
        assert store.used(["code:A"], now=T0) == {"code:A": 0}

    def test_reserving_again_replaces_the_reservation(self) -> None:
        """An order priced again holds only its new claims, never its old and new ones."""
        store = self.make_store()
        until = T0 + MINUTE
        store.reserve("o-1", [Claim("budget:B", 600, 1000)], now=T0, expires_at=until)
        store.reserve("o-1", [Claim("budget:B", 900, 1000)], now=T0, expires_at=until)
        assert store.used(["budget:B"], now=T0) == {"budget:B": 900}
        store.commit("o-1", now=T0)
        with pytest.raises(ReservationError):
            store.reserve("o-1", [Claim("budget:B", 1, 1000)], now=T0, expires_at=until)

    def test_order_without_claims(self) -> None:
        """An order whose promotions claim nothing reserves and commits all the same."""
        store = self.make_store()
        store.reserve("o-1", [], now=T0, expires_at=T0 + MINUTE)
        store.commit("o-1", now=T0)


def redemption_state_machine(make_store: Callable[[], RedemptionStore]) -> type[Any]:
    """Build a hypothesis state machine that checks a store against a simple model.

    Random interleavings of reserve, commit, release (cancel and refund), time passing and
    purge; after every step, what each counter holds equals the model's count, and never
    exceeds its limit.

    Args:
        make_store: Returns a new, empty store.

    Returns:
        The machine class; its ``TestCase`` attribute is a test case pytest collects.
    """
    keys = ("code:A", "promotion:P", "budget:B")
    limits = {"code:A": 3, "promotion:P": 5, "budget:B": 2_000}

    class RedemptionMachine(RuleBasedStateMachine):
        """Store and model side by side."""

        def __init__(self) -> None:
            super().__init__()
            self.store = make_store()
            self.now = T0
            # model: order -> (claims by key, expires_at, committed)
            self.orders: dict[str, tuple[dict[str, int], dt.datetime, bool]] = {}

        def held(self, key: str) -> int:
            return sum(
                claims.get(key, 0)
                for claims, expires, committed in self.orders.values()
                if committed or expires > self.now
            )

        @rule(
            order=st.sampled_from([f"o-{n}" for n in range(6)]),
            picks=st.lists(st.sampled_from(keys), unique=True, max_size=3),
            budget=st.integers(1, 900),
            hold=st.integers(1, 5),
        )
        def reserve(self, order: str, picks: list[str], budget: int, hold: int) -> None:
            claims = [Claim(k, budget if k == "budget:B" else 1, limits[k]) for k in picks]
            expires = self.now + hold * MINUTE
            existing = self.orders.get(order)
            committed = existing is not None and existing[2]
            own = existing[0] if existing and (committed or existing[1] > self.now) else {}
            fits = all(self.held(c.key) - own.get(c.key, 0) + c.amount <= c.limit for c in claims)
            try:
                self.store.reserve(order, claims, now=self.now, expires_at=expires)
            except ReservationError:
                assert committed
                return
            except LimitReachedError:
                assert not committed
                assert not fits
                return
            assert not committed
            assert fits
            self.orders[order] = ({c.key: c.amount for c in claims}, expires, False)

        @rule(order=st.sampled_from([f"o-{n}" for n in range(6)]))
        def commit(self, order: str) -> None:
            existing = self.orders.get(order)
            live = existing is not None and (existing[2] or existing[1] > self.now)
            try:
                self.store.commit(order, now=self.now)
            except ReservationError:
                assert not live
                return
            assert live
            assert existing is not None
            self.orders[order] = (existing[0], existing[1], True)

        @rule(order=st.sampled_from([f"o-{n}" for n in range(6)]))
        def release(self, order: str) -> None:
            self.store.release(order)
            self.orders.pop(order, None)

        @rule(minutes=st.integers(1, 4))
        def time_passes(self, minutes: int) -> None:
            self.now += minutes * MINUTE

        @rule()
        def purge(self) -> None:
            dead = [
                order
                for order, (_, expires, committed) in self.orders.items()
                if not committed and expires <= self.now
            ]
            assert self.store.purge(now=self.now) == len(dead)
            for order in dead:
                del self.orders[order]

        @invariant()
        def counts_match_the_model_and_stay_within_limits(self) -> None:
            used = self.store.used(list(keys), now=self.now)
            for key in keys:
                assert used[key] == self.held(key)
                assert used[key] <= limits[key]

    return RedemptionMachine
