"""Redemption stores: the contract, the state machine, and concurrent processes."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import signal
from pathlib import Path

import pytest

from shopkit.pricing import (
    Claim,
    InMemoryRedemptionStore,
    LimitReachedError,
    SQLiteRedemptionStore,
)
from shopkit.testing.pricing import RedemptionStoreContract, redemption_state_machine

T0 = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)
HOLD = dt.timedelta(minutes=15)


class TestInMemoryStore(RedemptionStoreContract):
    def make_store(self) -> InMemoryRedemptionStore:
        return InMemoryRedemptionStore()


class TestSQLiteStore(RedemptionStoreContract):
    @pytest.fixture(autouse=True)
    def _folder(self, tmp_path: Path) -> None:
        self.folder = tmp_path
        self.made = 0

    def make_store(self) -> SQLiteRedemptionStore:
        self.made += 1
        return SQLiteRedemptionStore(self.folder / f"store-{self.made}.sqlite")


TestInMemoryStateful = redemption_state_machine(InMemoryRedemptionStore).TestCase


def _sqlite_store() -> SQLiteRedemptionStore:
    import tempfile

    return SQLiteRedemptionStore(Path(tempfile.mkdtemp()) / "machine.sqlite")


TestSQLiteStateful = redemption_state_machine(_sqlite_store).TestCase
TestSQLiteStateful.settings = TestInMemoryStateful.settings = __import__("hypothesis").settings(
    max_examples=60, stateful_step_count=30, deadline=None
)


# -- concurrency: 8 processes x 200 attempts, 20 times over ----------------------------------


def _attempts(path: str, worker: int, claims: list[tuple[str, int, int]]) -> int:
    """One process: 200 checkouts, each reserve then commit; return how many committed."""
    store = SQLiteRedemptionStore(path)
    committed = 0
    for attempt in range(200):
        order = f"w{worker}-{attempt}"
        key, amount, limit = claims[attempt % len(claims)]
        try:
            store.reserve(order, [Claim(key, amount, limit)], at=T0, expires_at=T0 + HOLD)
        except LimitReachedError:
            continue
        store.commit(order, at=T0)
        committed += 1
    store.close()
    return committed


def _run(path: Path, claims_per_worker: list[list[tuple[str, int, int]]]) -> int:
    context = multiprocessing.get_context("fork")
    with context.Pool(8) as pool:
        results = pool.starmap(_attempts, [(str(path), w, claims_per_worker[w]) for w in range(8)])
    return sum(results)


@pytest.mark.parametrize("round_", range(20))
def test_a_code_capped_at_100_is_redeemed_exactly_100_times(tmp_path: Path, round_: int) -> None:
    path = tmp_path / "store.sqlite"
    SQLiteRedemptionStore(path).close()
    # 8 processes x 200 attempts = 1,600 attempts on one code capped at 100
    committed = _run(path, [[("code:BF100", 1, 100)]] * 8)
    assert committed == 100
    assert SQLiteRedemptionStore(path).used(["code:BF100"], at=T0) == {"code:BF100": 100}


@pytest.mark.parametrize("round_", range(20))
def test_one_use_per_customer_for_50_customers(tmp_path: Path, round_: int) -> None:
    path = tmp_path / "store.sqlite"
    SQLiteRedemptionStore(path).close()
    # every process cycles through the same 50 customers; each may use the promotion once
    claims = [(f"promotion:welcome:customer:c{n}", 1, 1) for n in range(50)]
    committed = _run(path, [claims] * 8)
    assert committed == 50
    used = SQLiteRedemptionStore(path).used([key for key, _, _ in claims], at=T0)
    assert set(used.values()) == {1}


@pytest.mark.parametrize("round_", range(20))
def test_a_budget_of_10000_with_700_discounts_never_goes_over(tmp_path: Path, round_: int) -> None:
    path = tmp_path / "store.sqlite"
    SQLiteRedemptionStore(path).close()
    # 10,000.00 = 1,000,000 cents; 700.00 = 70,000 cents: 14 discounts fit (980,000), a 15th
    # would make 1,050,000
    committed = _run(path, [[("budget:bf:EUR", 70_000, 1_000_000)]] * 8)
    assert committed == 14
    used = SQLiteRedemptionStore(path).used(["budget:bf:EUR"], at=T0)
    assert used == {"budget:bf:EUR": 980_000}


def _reserve_then_die(path: str) -> None:
    store = SQLiteRedemptionStore(path)
    store.reserve("dying", [Claim("code:ONE", 1, 1)], at=T0, expires_at=T0 + HOLD)
    os.kill(os.getpid(), signal.SIGKILL)


def test_a_process_killed_between_reserve_and_commit_commits_nothing(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    SQLiteRedemptionStore(path).close()
    process = multiprocessing.get_context("fork").Process(
        target=_reserve_then_die, args=(str(path),)
    )
    process.start()
    process.join()
    assert process.exitcode == -signal.SIGKILL
    store = SQLiteRedemptionStore(path)
    # before its expiry the reservation still holds the single use ...
    assert store.used(["code:ONE"], at=T0 + HOLD - dt.timedelta(seconds=1)) == {"code:ONE": 1}
    with pytest.raises(LimitReachedError):
        store.reserve("other", [Claim("code:ONE", 1, 1)], at=T0, expires_at=T0 + HOLD)
    # ... and at its expiry it is released: another order can take the use, and nothing was
    # ever committed for the killed one
    assert store.used(["code:ONE"], at=T0 + HOLD) == {"code:ONE": 0}
    store.reserve("other", [Claim("code:ONE", 1, 1)], at=T0 + HOLD, expires_at=T0 + 2 * HOLD)
    store.commit("other", at=T0 + HOLD)
    assert store.purge(at=T0 + HOLD) == 1  # the dead order's reservation
