"""Checkout retries, and store failures that are shopkit errors changing nothing."""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import stat
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shopkit import Cart, Customer, Money, Product, ValidationError
from shopkit.pricing import (
    Claim,
    InMemoryRedemptionStore,
    Percentage,
    Promotion,
    Reservation,
    ReservationError,
    SQLiteRedemptionStore,
    StoreError,
    price,
    reserve_checkout,
)

NOW = dt.datetime(2026, 11, 27, 12, tzinfo=dt.UTC)
HOLD = dt.timedelta(minutes=15)
LAMP = Product("LAMP", "Lamp", Money.of("40.00", "EUR"))
CART = Cart("EUR").add(LAMP)  # 40.00
ALICE = Customer("alice")
TWICE = Promotion("twice", "10% for the first two orders", Percentage(10), max_uses=2)


def test_a_retried_checkout_returns_the_earlier_reservation() -> None:
    store = InMemoryRedemptionStore()
    priced = price(CART, [TWICE], at=NOW, customer=ALICE, store=store)
    first = reserve_checkout(priced, [TWICE], store, order_id="o-1", at=NOW, customer=ALICE)
    # the client timed out and sends the same checkout 5 minutes later: same reservation,
    # expiry included (12:15, not 12:20), and the promotion still holds 1 use, not 2
    later = NOW + dt.timedelta(minutes=5)
    again = reserve_checkout(priced, [TWICE], store, order_id="o-1", at=later, customer=ALICE)
    assert again == first
    assert again.expires_at == dt.datetime(2026, 11, 27, 12, 15, tzinfo=dt.UTC)
    assert store.used(["promotion:twice"], at=later) == {"promotion:twice": 1}
    store.commit("o-1", at=later)
    # and once committed, retrying still answers with it instead of raising
    done = reserve_checkout(priced, [TWICE], store, order_id="o-1", at=later, customer=ALICE)
    assert done == first
    assert store.used(["promotion:twice"], at=later) == {"promotion:twice": 1}


def test_a_committed_order_checked_out_with_other_claims_is_refused() -> None:
    store = InMemoryRedemptionStore()
    priced = price(CART, [TWICE], at=NOW, customer=ALICE, store=store)
    reserve_checkout(priced, [TWICE], store, order_id="o-1", at=NOW, customer=ALICE)
    store.commit("o-1", at=NOW)
    plain = price(CART, [], at=NOW, customer=ALICE, store=store)  # no promotion: no claims
    with pytest.raises(ReservationError) as caught:
        reserve_checkout(plain, [], store, order_id="o-1", at=NOW, customer=ALICE)
    assert (caught.value.field, caught.value.value) == ("order_id", "o-1")


def test_a_live_order_priced_again_is_replaced() -> None:
    store = InMemoryRedemptionStore()
    priced = price(CART, [TWICE], at=NOW, customer=ALICE, store=store)
    reserve_checkout(priced, [TWICE], store, order_id="o-1", at=NOW, customer=ALICE)
    plain = price(CART, [], at=NOW, customer=ALICE, store=store)
    again = reserve_checkout(plain, [], store, order_id="o-1", at=NOW, customer=ALICE)
    assert again == Reservation("o-1", (), NOW + HOLD)
    assert store.used(["promotion:twice"], at=NOW) == {"promotion:twice": 0}


@settings(max_examples=25, deadline=None)
@given(retries=st.integers(1, 6), minutes=st.lists(st.integers(0, 14), min_size=6, max_size=6))
def test_any_number_of_retries_within_the_hold_counts_once(
    retries: int, minutes: list[int]
) -> None:
    store = InMemoryRedemptionStore()
    priced = price(CART, [TWICE], at=NOW, customer=ALICE, store=store)
    first = reserve_checkout(priced, [TWICE], store, order_id="o-1", at=NOW, customer=ALICE)
    for n in range(retries):
        moment = NOW + dt.timedelta(minutes=minutes[n])
        again = reserve_checkout(priced, [TWICE], store, order_id="o-1", at=moment, customer=ALICE)
        assert again == first
        assert store.used(["promotion:twice"], at=moment) == {"promotion:twice": 1}


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"order_id": ""}, "order_id"),
        ({"order_id": {"id": 1}}, "order_id"),
        ({"order_id": "o-1\x00"}, "order_id"),
        ({"at": "2026-11-27T12:00:00+00:00"}, "at"),
        ({"at": dt.datetime(2026, 11, 27, 12)}, "at"),  # naive
        ({"hold": dt.timedelta(0)}, "hold"),
        ({"hold": 900}, "hold"),
        ({"customer": "alice"}, "customer"),
        ({"codes": ["WELCOME"]}, "codes"),
    ],
)
def test_bad_checkout_arguments_name_their_field_and_reserve_nothing(
    arguments: dict[str, object], field: str
) -> None:
    store = InMemoryRedemptionStore()
    priced = price(CART, [TWICE], at=NOW, customer=ALICE, store=store)
    call: dict[str, object] = {"order_id": "o-1", "at": NOW, "customer": ALICE, **arguments}
    with pytest.raises(ValidationError) as caught:
        reserve_checkout(priced, [TWICE], store, **call)  # type: ignore[arg-type]
    assert caught.value.field == field
    assert store.used(["promotion:twice"], at=NOW) == {"promotion:twice": 0}


# -- the SQLite store's file problems are StoreErrors -----------------------------------------


def test_a_missing_folder_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "no-such-folder" / "store.sqlite"
    with pytest.raises(StoreError) as caught:
        SQLiteRedemptionStore(path)
    assert (caught.value.field, caught.value.value) == ("path", str(path))


def test_a_file_that_is_not_sqlite_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    path.write_bytes(b"this is a text file, not a database\n" * 200)
    with pytest.raises(StoreError) as caught:
        SQLiteRedemptionStore(path)
    assert caught.value.field == "path"
    assert path.read_bytes().startswith(b"this is a text file")  # left as it was


def test_a_corrupted_database_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    store = SQLiteRedemptionStore(path)
    store.reserve("o-1", [Claim("code:A", 1, 1)], at=NOW, expires_at=NOW + HOLD)
    store.close()
    for side in ("-wal", "-shm"):
        Path(f"{path}{side}").unlink(missing_ok=True)
    data = bytearray(path.read_bytes())
    data[100:] = b"\xff" * (len(data) - 100)  # the header survives, every page is garbage
    path.write_bytes(bytes(data))
    with pytest.raises(StoreError) as caught:
        SQLiteRedemptionStore(path).used(["code:A"], at=NOW)
    assert caught.value.field == "path"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only files anyway")
def test_a_read_only_database_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    SQLiteRedemptionStore(path).close()
    path.chmod(stat.S_IRUSR)
    tmp_path.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        with pytest.raises(StoreError):
            SQLiteRedemptionStore(path).reserve(
                "o-1", [Claim("code:A", 1, 1)], at=NOW, expires_at=NOW + HOLD
            )
    finally:
        tmp_path.chmod(stat.S_IRWXU)


def test_a_read_only_file_system_is_a_store_error() -> None:
    # /proc takes no new files, not even from root
    with pytest.raises(StoreError) as caught:
        SQLiteRedemptionStore("/proc/shopkit-redemptions.sqlite")
    assert caught.value.field == "path"


def test_a_path_that_is_a_folder_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError) as caught:
        SQLiteRedemptionStore(tmp_path)
    assert caught.value.value == str(tmp_path)


def test_a_held_writer_lock_times_out_with_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    SQLiteRedemptionStore(path).close()
    store = SQLiteRedemptionStore(path, timeout=0.2)
    with open(f"{path}.lock", "a+b") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)  # another process's checkout, stuck
        with pytest.raises(StoreError) as caught:
            store.reserve("o-1", [Claim("code:A", 1, 1)], at=NOW, expires_at=NOW + HOLD)
        assert (caught.value.field, caught.value.value) == ("timeout", 0.2)
    # once the lock is free the same store works, and the failed call left nothing behind
    assert store.used(["code:A"], at=NOW) == {"code:A": 0}
    store.reserve("o-1", [Claim("code:A", 1, 1)], at=NOW, expires_at=NOW + HOLD)
    assert store.used(["code:A"], at=NOW) == {"code:A": 1}


def test_a_locked_database_is_a_store_error(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "store.sqlite"
    SQLiteRedemptionStore(path).close()
    store = SQLiteRedemptionStore(path, timeout=0.2)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")  # a tool outside shopkit holds the database
    try:
        with pytest.raises(StoreError) as caught:
            store.reserve("o-1", [Claim("code:A", 1, 1)], at=NOW, expires_at=NOW + HOLD)
        assert "locked" in caught.value.message
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert store.used(["code:A"], at=NOW) == {"code:A": 0}


@pytest.mark.parametrize("timeout", [0, -1, "30", True, float("nan")])
def test_a_bad_timeout_is_refused(tmp_path: Path, timeout: object) -> None:
    with pytest.raises(ValidationError) as caught:
        SQLiteRedemptionStore(tmp_path / "s.sqlite", timeout=timeout)  # type: ignore[arg-type]
    assert caught.value.field == "timeout"


def test_a_retry_priced_again_after_its_own_use_returns_the_earlier_reservation() -> None:
    from shopkit.pricing import CodeBook, PromoCode

    welcome = Promotion("welcome", "10% welcome", Percentage(10), issued_codes=True)
    book = CodeBook([PromoCode("WELCOME-7K2M", "welcome", max_uses=1)])
    store = InMemoryRedemptionStore()
    cart = CART.with_code("WELCOME-7K2M")
    first_price = price(cart, [welcome], at=NOW, codes=book, store=store)
    first = reserve_checkout(first_price, [welcome], store, order_id="o-1", at=NOW, codes=book)
    store.commit("o-1", at=NOW)
    # priced again for the retry, the code shows as used up (by o-1 itself): no claims now
    again_price = price(cart, [welcome], at=NOW, codes=book, store=store)
    assert str(again_price.total) == "40.00 EUR"
    again = reserve_checkout(again_price, [welcome], store, order_id="o-1", at=NOW, codes=book)
    assert again == first
    assert [claim.key for claim in again.claims] == ["code:WELCOME7K2M"]
    assert store.used(["code:WELCOME7K2M"], at=NOW) == {"code:WELCOME7K2M": 1}
