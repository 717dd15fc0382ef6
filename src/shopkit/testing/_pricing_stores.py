"""The redemption-store contract: concrete cases, and a state machine against a simple model."""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from shopkit import ValidationError
from shopkit.pricing import Claim, LimitReachedError, RedemptionStore, ReservationError
from shopkit.testing._pricing_strategies import NOW

__all__ = ["RedemptionStoreContract", "redemption_state_machine"]

MINUTE = dt.timedelta(minutes=1)


class RedemptionStoreContract(abc.ABC):
    """Mixin of pytest tests every redemption store must pass; define ``make_store``."""

    @abc.abstractmethod
    def make_store(self) -> RedemptionStore:
        """Return a new, empty store."""

    def test_reserve_and_commit_count_once(self) -> None:
        """A committed order counts once, however often it is committed."""
        store = self.make_store()
        store.reserve("o-1", [Claim("code:A", 1, 5)], at=NOW, expires_at=NOW + MINUTE)
        store.commit("o-1", at=NOW)
        store.commit("o-1", at=NOW)
        assert store.used(["code:A"], at=NOW + 60 * MINUTE) == {"code:A": 1}

    def test_all_or_nothing(self) -> None:
        """When one claim does not fit, none of the order's claims is taken."""
        store = self.make_store()
        store.reserve("o-1", [Claim("code:A", 1, 1)], at=NOW, expires_at=NOW + MINUTE)
        claims = [Claim("budget:B", 500, 1000), Claim("code:A", 1, 1)]
        with pytest.raises(LimitReachedError) as caught:
            store.reserve("o-2", claims, at=NOW, expires_at=NOW + MINUTE)
        assert caught.value.claim.key == "code:A"
        assert caught.value.used == 1
        assert store.used(["budget:B", "code:A"], at=NOW) == {"budget:B": 0, "code:A": 1}

    def test_limits_hold_for_amounts(self) -> None:
        """A budget takes amounts up to its limit, and not one minor unit more."""
        store = self.make_store()
        until = NOW + MINUTE
        store.reserve("o-1", [Claim("budget:B", 700, 1000)], at=NOW, expires_at=until)
        store.reserve("o-2", [Claim("budget:B", 300, 1000)], at=NOW, expires_at=until)
        with pytest.raises(LimitReachedError):
            store.reserve("o-3", [Claim("budget:B", 1, 1000)], at=NOW, expires_at=until)
        assert store.used(["budget:B"], at=NOW) == {"budget:B": 1000}

    def test_expired_reservation_stops_counting(self) -> None:
        """A reservation never committed gives its claims back at its expiry."""
        store = self.make_store()
        store.reserve("o-1", [Claim("code:A", 1, 1)], at=NOW, expires_at=NOW + MINUTE)
        assert store.used(["code:A"], at=NOW + MINUTE) == {"code:A": 0}
        store.reserve("o-2", [Claim("code:A", 1, 1)], at=NOW + MINUTE, expires_at=NOW + 2 * MINUTE)
        with pytest.raises(ReservationError):
            store.commit("o-1", at=NOW + MINUTE)
        assert store.purge(at=NOW + 3 * MINUTE) == 2

    def test_release_is_idempotent_and_gives_back_commits(self) -> None:
        """Releasing a committed order (a refund) gives its uses back, once."""
        store = self.make_store()
        store.reserve("o-1", [Claim("code:A", 1, 1)], at=NOW, expires_at=NOW + MINUTE)
        store.commit("o-1", at=NOW)
        store.release("o-1")
        store.release("o-1")
        store.release("never-reserved")
        assert store.used(["code:A"], at=NOW) == {"code:A": 0}

    def test_reserving_again_replaces_the_reservation(self) -> None:
        """An order priced again holds only its new claims, never its old and new ones."""
        store = self.make_store()
        until = NOW + MINUTE
        store.reserve("o-1", [Claim("budget:B", 600, 1000)], at=NOW, expires_at=until)
        store.reserve("o-1", [Claim("budget:B", 900, 1000)], at=NOW, expires_at=until)
        assert store.used(["budget:B"], at=NOW) == {"budget:B": 900}
        store.commit("o-1", at=NOW)
        with pytest.raises(ReservationError):
            store.reserve("o-1", [Claim("budget:B", 1, 1000)], at=NOW, expires_at=until)

    def test_order_without_claims(self) -> None:
        """An order whose promotions claim nothing reserves and commits all the same."""
        store = self.make_store()
        store.reserve("o-1", [], at=NOW, expires_at=NOW + MINUTE)
        store.commit("o-1", at=NOW)

    def test_held_reports_what_the_order_holds(self) -> None:
        """``held`` gives an order's claims while live or committed, and nothing otherwise."""
        store = self.make_store()
        until = NOW + MINUTE
        claims = [Claim("code:A", 1, 5), Claim("budget:B", 250, 1000)]
        store.reserve("o-1", claims, at=NOW, expires_at=until)
        held = store.held("o-1", at=NOW)
        assert held is not None
        assert (held.amounts, held.expires_at, held.committed) == (
            {"code:A": 1, "budget:B": 250},
            until,
            False,
        )
        assert store.held("o-1", at=until) is None  # expired uncommitted: holds nothing
        assert store.held("never-reserved", at=NOW) is None
        store.commit("o-1", at=NOW)
        committed = store.held("o-1", at=NOW + 60 * MINUTE)
        assert committed is not None
        assert committed.committed
        store.release("o-1")
        assert store.held("o-1", at=NOW) is None

    def test_claims_given_as_a_generator_are_all_taken(self) -> None:
        """A generator of claims is read once, and every claim in it is reserved."""
        store = self.make_store()
        claims = (Claim(key, 1, 1) for key in ("code:A", "code:B"))
        store.reserve("o-1", claims, at=NOW, expires_at=NOW + MINUTE)
        assert store.used(["code:A", "code:B"], at=NOW) == {"code:A": 1, "code:B": 1}

    def test_bad_arguments_are_refused_and_change_nothing(self) -> None:
        """A claim that is not a Claim, or an expiry not after ``at``, is a ValidationError."""
        store = self.make_store()
        bad_claims: list[Any] = [{"key": "code:A", "amount": 1, "limit": 1}]
        with pytest.raises(ValidationError) as caught:
            store.reserve("o-1", bad_claims, at=NOW, expires_at=NOW + MINUTE)
        assert caught.value.field == "claims[0]"
        with pytest.raises(ValidationError) as caught:
            store.reserve("o-1", [Claim("code:A", 1, 1)], at=NOW, expires_at=NOW)
        assert caught.value.field == "expires_at"
        with pytest.raises(ValidationError) as caught:
            store.used(["code:A"], at="2026-11-27T12:00:00+00:00")  # type: ignore[arg-type]
        assert caught.value.field == "at"
        assert store.used(["code:A"], at=NOW) == {"code:A": 0}
        assert store.held("o-1", at=NOW) is None


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
            self.now = NOW
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
                self.store.reserve(order, claims, at=self.now, expires_at=expires)
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
                self.store.commit(order, at=self.now)
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
            assert self.store.purge(at=self.now) == len(dead)
            for order in dead:
                del self.orders[order]

        def teardown(self) -> None:
            close = getattr(self.store, "close", None)
            if callable(close):
                close()

        @invariant()
        def counts_match_the_model_and_stay_within_limits(self) -> None:
            used = self.store.used(list(keys), at=self.now)
            for key in keys:
                assert used[key] == self.held(key)
                assert used[key] <= limits[key]

    return RedemptionMachine
