"""Redemption stores: the contract, the state machine, and concurrent processes.

Each store is checked the same way: the shipped contract, the hypothesis state machine against
a simple model, 8 processes racing on one capped code, on per-customer caps and on a budget (20
rounds each, ending with exactly the cap used), and a process killed between reserve and commit.
The PostgreSQL store runs against a real server (``conftest.py`` says which).
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import signal
import tempfile
from collections.abc import Callable
from pathlib import Path

import hypothesis
import pytest
from hypothesis.stateful import run_state_machine_as_test

from shopkit.pricing import (
    Claim,
    InMemoryRedemptionStore,
    LimitReachedError,
    PostgresRedemptionStore,
    RedemptionStore,
    SQLiteRedemptionStore,
)
from shopkit.testing.pricing import RedemptionStoreContract, redemption_state_machine

T0 = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)
HOLD = dt.timedelta(minutes=15)
MACHINE_SETTINGS = hypothesis.settings(max_examples=60, stateful_step_count=30, deadline=None)


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


class TestPostgresStore(RedemptionStoreContract):
    @pytest.fixture(autouse=True)
    def _server(self, postgres_url: str, fresh_schema: Callable[[], str]) -> None:
        self.url = postgres_url
        self.schema = fresh_schema

    def make_store(self) -> PostgresRedemptionStore:
        return PostgresRedemptionStore(self.url, schema=self.schema())


TestInMemoryStateful = redemption_state_machine(InMemoryRedemptionStore).TestCase


def _sqlite_store() -> SQLiteRedemptionStore:
    return SQLiteRedemptionStore(Path(tempfile.mkdtemp()) / "machine.sqlite")


TestSQLiteStateful = redemption_state_machine(_sqlite_store).TestCase
TestSQLiteStateful.settings = TestInMemoryStateful.settings = MACHINE_SETTINGS


def test_postgres_store_against_the_model(
    postgres_url: str, fresh_schema: Callable[[], str]
) -> None:
    machine = redemption_state_machine(
        lambda: PostgresRedemptionStore(postgres_url, schema=fresh_schema())
    )
    run_state_machine_as_test(machine, settings=MACHINE_SETTINGS)


# -- concurrency: 8 processes x 200 attempts, 20 times over ----------------------------------

# a store is named by its kind and where it lives: ("sqlite", path) or ("postgres", url|schema)
Where = tuple[str, str]


def _open(where: Where) -> RedemptionStore:
    kind, location = where
    if kind == "sqlite":
        return SQLiteRedemptionStore(location)
    url, _, schema = location.rpartition("|")
    return PostgresRedemptionStore(url, schema=schema)


def _close(store: RedemptionStore) -> None:
    assert isinstance(store, SQLiteRedemptionStore | PostgresRedemptionStore)
    store.close()


@pytest.fixture(params=["sqlite", "postgres"])
def where(request: pytest.FixtureRequest, tmp_path: Path) -> Where:
    """A new, empty store of each persistent kind, created once before the processes start."""
    if request.param == "sqlite":
        place: Where = ("sqlite", str(tmp_path / "store.sqlite"))
    else:
        url = request.getfixturevalue("postgres_url")
        schema = request.getfixturevalue("fresh_schema")()
        place = ("postgres", f"{url}|{schema}")
    _close(_open(place))
    return place


def _attempts(where: Where, worker: int, claims: list[tuple[str, int, int]]) -> int:
    """One process: 200 checkouts, each reserve then commit; return how many committed."""
    store = _open(where)
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
    _close(store)
    return committed


def _run(where: Where, claims_per_worker: list[list[tuple[str, int, int]]]) -> int:
    context = multiprocessing.get_context("fork")
    with context.Pool(8) as pool:
        results = pool.starmap(_attempts, [(where, w, claims_per_worker[w]) for w in range(8)])
    return sum(results)


def _used(where: Where, keys: list[str]) -> dict[str, int]:
    store = _open(where)
    try:
        return store.used(keys, at=T0)
    finally:
        _close(store)


@pytest.mark.parametrize("round_", range(20))
def test_a_code_capped_at_100_is_redeemed_exactly_100_times(where: Where, round_: int) -> None:
    # 8 processes x 200 attempts = 1,600 attempts on one code capped at 100
    committed = _run(where, [[("code:BF100", 1, 100)]] * 8)
    assert committed == 100
    assert _used(where, ["code:BF100"]) == {"code:BF100": 100}


@pytest.mark.parametrize("round_", range(20))
def test_one_use_per_customer_for_50_customers(where: Where, round_: int) -> None:
    # every process cycles through the same 50 customers; each may use the promotion once
    claims = [(f"promotion:welcome:customer:c{n}", 1, 1) for n in range(50)]
    committed = _run(where, [claims] * 8)
    assert committed == 50
    used = _used(where, [key for key, _, _ in claims])
    assert set(used.values()) == {1}


@pytest.mark.parametrize("round_", range(20))
def test_a_budget_of_10000_with_700_discounts_never_goes_over(where: Where, round_: int) -> None:
    # 10,000.00 = 1,000,000 cents; 700.00 = 70,000 cents: 14 discounts fit (980,000), a 15th
    # would make 1,050,000
    committed = _run(where, [[("budget:bf:EUR", 70_000, 1_000_000)]] * 8)
    assert committed == 14
    assert _used(where, ["budget:bf:EUR"]) == {"budget:bf:EUR": 980_000}


def _reserve_then_die(where: Where) -> None:
    store = _open(where)
    store.reserve("dying", [Claim("code:ONE", 1, 1)], at=T0, expires_at=T0 + HOLD)
    os.kill(os.getpid(), signal.SIGKILL)


def test_a_process_killed_between_reserve_and_commit_commits_nothing(where: Where) -> None:
    process = multiprocessing.get_context("fork").Process(target=_reserve_then_die, args=(where,))
    process.start()
    process.join()
    assert process.exitcode == -signal.SIGKILL
    store = _open(where)
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
    _close(store)
