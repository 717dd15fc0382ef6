"""Redemption stores: usage limits that hold under concurrent checkouts.

A store knows nothing of promotions. It keeps *claims* on named counters, each claim made by an
order: "order 1001 takes 1 of ``code:BF-7K2M`` (limit 1)", "order 1001 takes 700.00 of
``budget:black-friday:EUR`` (limit 10,000.00)". An order's claims are reserved together or not at
all, then committed when the order is paid, or released when it is abandoned, cancelled or
refunded. A reservation that is never committed stops counting at its expiry, so a checkout that
dies between reserve and commit gives its uses back by itself.

What counts against a limit is every committed claim plus every reservation not yet expired. The
two built-in stores implement the same :class:`RedemptionStore` protocol; a Redis or PostgreSQL
store implements it the same way, and ``shopkit.testing.pricing.RedemptionStoreContract`` checks it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import attrs

from shopkit import ShopkitError, ValidationError
from shopkit import validators as check

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "Claim",
    "Held",
    "InMemoryRedemptionStore",
    "LimitReachedError",
    "RedemptionStore",
    "ReservationError",
    "SQLiteRedemptionStore",
    "StoreError",
]


class Counter(enum.StrEnum):
    """What a redemption counter counts."""

    PROMOTION = "promotion"
    """The orders that used a promotion."""
    CUSTOMER = "customer"
    """The orders of one customer that used a promotion."""
    BUDGET = "budget"
    """What a promotion has given, in one currency's minor units."""
    CODE = "code"
    """The orders that used an issued code."""


@attrs.frozen
class ClaimKey:
    """The name of a redemption counter, written and read back in one place.

    ``str(key)`` is the store's key: ``promotion:ID``, ``promotion:ID:customer:CUSTOMER``,
    ``budget:ID:CURRENCY`` or ``code:CODE``; ``ClaimKey.parse`` reads one back.

    Attributes:
        counter: What the counter counts.
        subject: The promotion id, or the normalised code for a code counter.
        detail: The customer id (customer counters) or the currency (budgets).

    Examples:
        >>> from shopkit.pricing._redemption import ClaimKey
        >>> key = ClaimKey.budget("bf", "EUR")
        >>> str(key), ClaimKey.parse(str(key)) == key
        ('budget:bf:EUR', True)
    """

    counter: Counter
    subject: str
    detail: str | None = None

    @classmethod
    def promotion(cls, promotion_id: str) -> ClaimKey:
        """The counter of a promotion's uses."""
        return cls(Counter.PROMOTION, promotion_id)

    @classmethod
    def customer(cls, promotion_id: str, customer_id: str) -> ClaimKey:
        """The counter of one customer's uses of a promotion."""
        return cls(Counter.CUSTOMER, promotion_id, customer_id)

    @classmethod
    def budget(cls, promotion_id: str, currency: str) -> ClaimKey:
        """The counter of what a promotion has given, in one currency's minor units."""
        return cls(Counter.BUDGET, promotion_id, currency)

    @classmethod
    def code(cls, normalized_code: str) -> ClaimKey:
        """The counter of an issued code's uses."""
        return cls(Counter.CODE, normalized_code)

    def __str__(self) -> str:
        if self.counter is Counter.CUSTOMER:
            return f"promotion:{self.subject}:customer:{self.detail}"
        if self.counter is Counter.BUDGET:
            return f"budget:{self.subject}:{self.detail}"
        return f"{self.counter.value}:{self.subject}"

    @classmethod
    def parse(cls, key: str) -> ClaimKey:
        """Read a key written by ``str(ClaimKey(...))``.

        Raises:
            ValidationError: the key is not one shopkit writes.
        """
        kind, _, rest = key.partition(":")
        if kind == "code" and rest:
            return cls.code(rest)
        if kind == "budget" and ":" in rest:
            promotion_id, currency = rest.rsplit(":", 1)
            return cls.budget(promotion_id, currency)
        if kind == "promotion" and rest:
            promotion_id, _, customer = rest.partition(":customer:")
            if customer:
                return cls.customer(promotion_id, customer)
            return cls.promotion(promotion_id)
        raise ValidationError(f"{key!r} is not a shopkit counter key", field="key", value=key)


class LimitReachedError(ShopkitError, RuntimeError):
    """A claim does not fit its limit: the code, promotion, customer or budget is used up.

    Attributes:
        claim: The claim that did not fit.
        used: What the counter already holds (committed and live reservations).
    """

    code = "limit_reached"
    http_status = 409

    def __init__(self, claim: Claim, used: int) -> None:
        super().__init__(
            f"{claim.key} holds {used} of {claim.limit}; {claim.amount} more does not fit",
            field=claim.key,
            value=claim.amount,
        )
        self.claim = claim
        self.used = used


class ReservationError(ShopkitError, RuntimeError):
    """A commit found no live reservation for the order (it expired, or was never made)."""

    code = "reservation"
    http_status = 409


class StoreError(ShopkitError, RuntimeError):
    """The store could not do what was asked; nothing was changed, and the call may be retried.

    Its file or server cannot be used, or a call waited longer than the store's ``timeout``.
    """

    code = "store"
    http_status = 503


def _key(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    check.non_empty_str(instance, attribute, value)
    if any(not char.isprintable() for char in str(value)):
        raise ValidationError(
            f"{value!r} holds a control character", field=attribute.name, value=value
        )


def _at_most_max_count(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if value > MAX_COUNT:
        raise ValidationError(
            f"{value} is over the largest count a store keeps ({MAX_COUNT})",
            field=attribute.name,
            value=value,
        )


@attrs.frozen
class Claim:
    """One order's claim on one counter.

    Attributes:
        key: The counter, e.g. ``"code:BF7K2M"``, ``"promotion:bf:customer:c-42"``,
            ``"budget:bf:EUR"``.
        amount: How much the order takes: 1 for a use, minor units for a budget.
        limit: The most the counter may hold, over every order.
    """

    key: str = attrs.field(validator=_key)
    amount: int = attrs.field(validator=[check.positive_int, _at_most_max_count])
    limit: int = attrs.field(validator=[check.non_negative_int, _at_most_max_count])


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)


def _micros(moment: dt.datetime, field: str) -> int:
    """The moment as whole microseconds since 1970 (UTC): exact, and comparable in SQL."""
    return (check.aware_datetime(moment, field) - _EPOCH) // _MICROSECOND


@attrs.frozen
class Held:
    """What a store holds for one order, as :meth:`RedemptionStore.held` reports it.

    Attributes:
        amounts: The amount of each counter the order claims, by key.
        expires_at: When the claims stop counting unless committed.
        committed: Whether the order is committed (its claims count for good).
        limits: The limit each claim was reserved with, by key.
    """

    amounts: dict[str, int]
    expires_at: dt.datetime
    committed: bool
    limits: dict[str, int] = attrs.field(factory=dict)
    """The limit each claim was reserved with, by key (empty from a store that keeps none)."""


MAX_COUNT = 2**63 - 1
"""The largest amount or limit a claim may have: what a 64-bit SQL integer holds."""


def _check_claims(order_id: object, claims: object) -> tuple[Claim, ...]:
    """The order id and claims checked, the claims as a tuple (a generator is read once)."""
    if not isinstance(order_id, str) or not order_id.strip():
        raise ValidationError(f"{order_id!r} is not an order id", field="order_id", value=order_id)
    if isinstance(claims, str | bytes | dict) or not isinstance(claims, Iterable):
        raise ValidationError(
            f"{claims!r} is not a sequence of claims", field="claims", value=claims
        )
    taken = tuple(claims)
    for index, claim in enumerate(taken):
        if not isinstance(claim, Claim):
            raise ValidationError(
                f"{claim!r} is not a Claim", field=f"claims[{index}]", value=claim
            )
    keys = [claim.key for claim in taken]
    if len(set(keys)) != len(keys):
        raise ValidationError("a counter is claimed twice", field="claims", value=keys)
    return taken


def _check_keys(keys: object) -> list[str]:
    """The counter keys of a ``used`` call, checked."""
    if isinstance(keys, str | bytes | dict) or not isinstance(keys, Iterable):
        raise ValidationError(f"{keys!r} is not a sequence of keys", field="keys", value=keys)
    taken = list(keys)
    for index, key in enumerate(taken):
        if not isinstance(key, str):
            raise ValidationError(f"{key!r} is not a key", field=f"keys[{index}]", value=key)
    return taken


def _moment(micros: int) -> dt.datetime:
    return _EPOCH + micros * _MICROSECOND


def _check_window(moment: int, until: int) -> None:
    if until <= moment:
        raise ValidationError(
            "the reservation would expire before it is made",
            field="expires_at",
            value=_moment(until).isoformat(),
        )


def _check_order_id(order_id: object) -> str:
    if not isinstance(order_id, str) or not order_id.strip():
        raise ValidationError(f"{order_id!r} is not an order id", field="order_id", value=order_id)
    return order_id


@runtime_checkable
class RedemptionStore(Protocol):
    """Where usage is counted. Every method is atomic; the moment ``at`` is passed in, never read.

    A store must guarantee, under any number of concurrent callers (threads or processes as
    the store promises): the claims of one ``reserve`` are all taken or none; a counter never
    holds more than a claim's limit; ``commit`` and ``release`` are idempotent.
    """

    def reserve(
        self, order_id: str, claims: Iterable[Claim], *, at: dt.datetime, expires_at: dt.datetime
    ) -> None:
        """Take every claim for ``order_id`` until ``expires_at``, or none of them.

        Reserving again for an order that holds a live reservation replaces it (a checkout that
        is priced again); reserving for a committed order is an error.

        Raises:
            LimitReachedError: a claim does not fit; nothing was taken.
            ReservationError: the order is already committed.
        """

    def commit(self, order_id: str, *, at: dt.datetime) -> None:
        """Make the order's live reservation permanent. Committing twice commits once.

        Raises:
            ReservationError: the order has no live reservation (it expired or never was).
        """

    def release(self, order_id: str) -> None:
        """Give back everything the order holds, reserved or committed.

        For an order abandoned, cancelled or refunded. Releasing twice, or an unknown order,
        does nothing.
        """

    def used(self, keys: Sequence[str], *, at: dt.datetime) -> dict[str, int]:
        """What each counter holds now: committed claims plus live reservations."""

    def held(self, order_id: str, *, at: dt.datetime) -> Held | None:
        """What the order holds at ``at``: its committed or live claims; ``None`` if nothing.

        An order never reserved, released, or whose reservation expired uncommitted holds
        nothing. ``reserve_checkout`` asks it to answer a retried checkout with the earlier
        reservation.
        """

    def purge(self, *, at: dt.datetime) -> int:
        """Delete reservations expired at ``at``; return how many orders were purged.

        Expired reservations already count for nothing; this only tidies the store.
        """


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


_SCHEMA = """
CREATE TABLE IF NOT EXISTS shopkit_claims (
    order_id   TEXT    NOT NULL,
    key        TEXT    NOT NULL,
    amount     INTEGER NOT NULL,
    committed  INTEGER NOT NULL DEFAULT 0,
    expires_at INTEGER NOT NULL,
    claim_limit INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (order_id, key)
);
CREATE INDEX IF NOT EXISTS shopkit_claims_by_key ON shopkit_claims (key, committed, expires_at);
CREATE TABLE IF NOT EXISTS shopkit_committed (
    key    TEXT    PRIMARY KEY,
    amount INTEGER NOT NULL
);
"""


class SQLiteRedemptionStore:
    """A store in an SQLite file, safe across threads and processes on one machine.

    Each call is one transaction that takes SQLite's write lock first (``BEGIN IMMEDIATE``),
    so concurrent reservations are serialised by the database itself, in WAL mode so that
    readers never wait. Open one store per process (or thread) on the same path.

    Args:
        path: The database file; created with its table if missing.
        timeout: How long a call waits for another process's transaction, in seconds.

    Examples:
        >>> import datetime as dt, tempfile, pathlib
        >>> from shopkit.pricing import Claim, SQLiteRedemptionStore
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "redemptions.sqlite"
        >>> store = SQLiteRedemptionStore(path)
        >>> now = dt.datetime(2026, 11, 27, tzinfo=dt.timezone.utc)
        >>> later = now + dt.timedelta(minutes=15)
        >>> claim = Claim("budget:bf:EUR", 70000, 1000000)
        >>> store.reserve("o-1", [claim], at=now, expires_at=later)
        >>> store.used(["budget:bf:EUR"], at=now)
        {'budget:bf:EUR': 70000}
        >>> store.close()
    """

    def __init__(self, path: str | Path, *, timeout: float = 30.0) -> None:  # float-ok: seconds
        if not isinstance(path, str | Path) or not str(path).strip():
            raise ValidationError(f"{path!r} is not a file path", field="path", value=path)
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout > 0:
            raise ValidationError(
                f"{timeout!r} is not a positive number of seconds", field="timeout", value=timeout
            )
        self.path = Path(path)
        self._local = threading.local()
        self._timeout = float(timeout)  # float-ok: seconds, not money
        with self._transaction() as connection:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    connection.execute(statement)
            columns = {row[1] for row in connection.execute("PRAGMA table_info(shopkit_claims)")}
            if "claim_limit" not in columns:  # a file made before limits were kept
                connection.execute(
                    "ALTER TABLE shopkit_claims ADD COLUMN claim_limit INTEGER NOT NULL DEFAULT 0"
                )

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        """Turn what sqlite3 and the file system raise into a :class:`StoreError`."""
        try:
            yield
        except sqlite3.Error as error:
            detail = str(error) or type(error).__name__
            if "locked" in detail or "busy" in detail:
                message = f"the database stayed locked for {self._timeout:g} s ({detail})"
            else:
                message = f"cannot use {self.path} as a redemption store: {detail}"
            raise StoreError(message, field="path", value=str(self.path)) from error
        except OSError as error:
            raise StoreError(
                f"cannot use {self.path} as a redemption store: {error.strerror or error}",
                field="path",
                value=str(self.path),
            ) from error

    def _connection(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            with self._errors():
                connection = sqlite3.connect(
                    self.path, timeout=self._timeout, isolation_level=None, check_same_thread=True
                )
                try:
                    connection.execute("PRAGMA journal_mode=WAL")
                    connection.execute("PRAGMA synchronous=NORMAL")
                except BaseException:
                    connection.close()
                    raise
            self._local.connection = connection
        return connection

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        connection = self._connection()
        with self._writer_lock(), self._errors():
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")

    @contextlib.contextmanager
    def _writer_lock(self) -> Iterator[None]:
        # Where the OS has flock, writers queue on a lock file instead of SQLite's busy handler
        # sleeping and retrying. The wait is bounded by ``timeout``, as SQLite's own is. SQLite's
        # locking stays in force underneath (and is all there is elsewhere).
        if fcntl is None:
            yield
            return
        with self._errors():
            handle = open(f"{self.path}.lock", "a+b")  # noqa: SIM115 - closed below
        try:
            deadline = time.monotonic() + self._timeout
            pause = 0.0005  # float-ok: seconds
            while True:
                try:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise StoreError(
                            f"another process held {self.path} longer than {self._timeout:g} s",
                            field="timeout",
                            value=self._timeout,
                        ) from None
                    time.sleep(pause)
                    pause = min(pause * 2, 0.02)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        finally:
            handle.close()

    @staticmethod
    def _held(connection: sqlite3.Connection, key: str, now: int, skip: str | None) -> int:
        # committed claims are kept summed per key; live reservations are few, summed here
        committed = connection.execute(
            "SELECT amount FROM shopkit_committed WHERE key = ?", (key,)
        ).fetchone()
        live = connection.execute(
            "SELECT COALESCE(SUM(amount), 0) FROM shopkit_claims "
            "WHERE key = ? AND committed = 0 AND expires_at > ? AND order_id IS NOT ?",
            (key, now, skip),
        ).fetchone()
        return (int(committed[0]) if committed else 0) + int(live[0])

    def reserve(
        self, order_id: str, claims: Iterable[Claim], *, at: dt.datetime, expires_at: dt.datetime
    ) -> None:
        """Take every claim or none (see :class:`RedemptionStore`)."""
        claims = _check_claims(order_id, claims)
        moment, until = _micros(at, "at"), _micros(expires_at, "expires_at")
        _check_window(moment, until)
        with self._transaction() as connection:
            committed = connection.execute(
                "SELECT 1 FROM shopkit_claims WHERE order_id = ? AND committed = 1 LIMIT 1",
                (order_id,),
            ).fetchone()
            if committed is not None:
                raise ReservationError(
                    f"order {order_id} is already committed", field="order_id", value=order_id
                )
            for claim in claims:
                held = self._held(connection, claim.key, moment, order_id)
                if held + claim.amount > claim.limit:
                    raise LimitReachedError(claim, held)
            connection.execute("DELETE FROM shopkit_claims WHERE order_id = ?", (order_id,))
            connection.executemany(
                "INSERT INTO shopkit_claims "
                "(order_id, key, amount, committed, expires_at, claim_limit) "
                "VALUES (?, ?, ?, 0, ?, ?)",
                [(order_id, claim.key, claim.amount, until, claim.limit) for claim in claims],
            )
            if not claims:
                # an order with no claims still has a reservation to commit
                connection.execute(
                    "INSERT INTO shopkit_claims (order_id, key, amount, committed, expires_at) "
                    "VALUES (?, '', 0, 0, ?)",
                    (order_id, until),
                )

    def commit(self, order_id: str, *, at: dt.datetime) -> None:
        """Make the live reservation permanent (see :class:`RedemptionStore`)."""
        _check_order_id(order_id)
        moment = _micros(at, "at")
        with self._transaction() as connection:
            rows = connection.execute(
                "SELECT committed, expires_at FROM shopkit_claims WHERE order_id = ?",
                (order_id,),
            ).fetchall()
            if rows and all(committed for committed, _ in rows):
                return
            if not rows or any(expires <= moment for _, expires in rows):
                raise ReservationError(
                    f"order {order_id} has no live reservation to commit",
                    field="order_id",
                    value=order_id,
                )
            connection.execute(
                "UPDATE shopkit_claims SET committed = 1 WHERE order_id = ?", (order_id,)
            )
            connection.execute(
                "INSERT INTO shopkit_committed (key, amount) "
                "SELECT key, amount FROM shopkit_claims WHERE order_id = ? AND amount > 0 "
                "ON CONFLICT (key) DO UPDATE SET amount = amount + excluded.amount",
                (order_id,),
            )

    def release(self, order_id: str) -> None:
        """Give back all the order holds (see :class:`RedemptionStore`)."""
        _check_order_id(order_id)
        with self._transaction() as connection:
            for key, amount in connection.execute(
                "SELECT key, amount FROM shopkit_claims WHERE order_id = ? AND committed = 1",
                (order_id,),
            ).fetchall():
                connection.execute(
                    "UPDATE shopkit_committed SET amount = amount - ? WHERE key = ?",
                    (amount, key),
                )
            connection.execute("DELETE FROM shopkit_claims WHERE order_id = ?", (order_id,))

    def used(self, keys: Sequence[str], *, at: dt.datetime) -> dict[str, int]:
        """What each counter holds now (see :class:`RedemptionStore`)."""
        keys = _check_keys(keys)
        moment = _micros(at, "at")
        connection = self._connection()
        with self._errors():
            return {key: self._held(connection, key, moment, None) for key in keys}

    def held(self, order_id: str, *, at: dt.datetime) -> Held | None:
        """What the order holds (see :class:`RedemptionStore`)."""
        _check_order_id(order_id)
        moment = _micros(at, "at")
        with self._errors():
            rows = (
                self._connection()
                .execute(
                    "SELECT key, amount, committed, expires_at, claim_limit FROM shopkit_claims "
                    "WHERE order_id = ? ORDER BY rowid",
                    (order_id,),
                )
                .fetchall()
            )
        if not rows:
            return None
        committed = all(row[2] for row in rows)
        expires = min(int(row[3]) for row in rows)
        if not committed and expires <= moment:
            return None
        amounts = {row[0]: int(row[1]) for row in rows if row[1] > 0}
        limits = {row[0]: int(row[4]) for row in rows if row[1] > 0}
        return Held(amounts, _moment(expires), committed, limits)

    def purge(self, *, at: dt.datetime) -> int:
        """Delete expired reservations (see :class:`RedemptionStore`)."""
        moment = _micros(at, "at")
        with self._transaction() as connection:
            dead = connection.execute(
                "SELECT DISTINCT order_id FROM shopkit_claims "
                "WHERE committed = 0 AND expires_at <= ?",
                (moment,),
            ).fetchall()
            connection.execute(
                "DELETE FROM shopkit_claims WHERE committed = 0 AND expires_at <= ?", (moment,)
            )
            return len(dead)

    def close(self) -> None:
        """Close this thread's connection (others close when their threads end)."""
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None
