"""The redemption store in an SQLite file: safe across threads and processes on one machine.

Claims and committed totals are two tables; a reservation checks and writes in one immediate
transaction, under a file lock where the platform has one, so two checkouts never both take
the last use.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from shopkit import ValidationError

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows
    fcntl = None  # type: ignore[assignment]

from shopkit.pricing._redemption import (
    Claim,
    Held,
    LimitReachedError,
    ReservationError,
    StoreError,
    _check_claims,
    _check_keys,
    _check_order_id,
    _check_window,
    _micros,
    _moment,
)

__all__ = ["SQLiteRedemptionStore"]


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
