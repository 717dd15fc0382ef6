"""A redemption store in PostgreSQL, for limits shared by every machine of a shop.

The store keeps three tables in a schema of its own (``shopkit`` unless told otherwise), so it
can live in the shop's own database without touching the shop's tables:

```text
redemption_orders    order_id text PK, committed boolean, expires_at bigint (µs since 1970 UTC)
redemption_claims    (order_id, key) PK, order_id -> redemption_orders ON DELETE CASCADE,
                     amount bigint > 0, and the order's committed and expires_at again, so
                     that the live reservations of a key are found by an index of their own
redemption_counters  key text PK, committed bigint: the sum of the committed claims on the key
```

Every call is one transaction at PostgreSQL's default isolation (read committed). A
reservation locks its order's row, then the rows of the counters it claims in key order
(``SELECT … ORDER BY key FOR UPDATE``); a commit or release of a committed order locks the same
counter rows the same way. Two checkouts on one counter therefore take turns, the second seeing
what the first committed, and checkouts on different counters never wait for each other. The
rare deadlock PostgreSQL detects (two transactions creating the same new counters) is retried.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import threading
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from shopkit import ShopkitError, ValidationError
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

if TYPE_CHECKING:
    import psycopg

__all__ = ["PostgresRedemptionStore"]

_SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_RETRIES = 5
_VERSION = "shopkit redemption store, version 1"

_DDL = """
CREATE SCHEMA IF NOT EXISTS {schema};
CREATE TABLE IF NOT EXISTS {schema}.redemption_orders (
    order_id   text    PRIMARY KEY,
    committed  boolean NOT NULL DEFAULT false,
    expires_at bigint  NOT NULL
);
CREATE INDEX IF NOT EXISTS redemption_orders_live
    ON {schema}.redemption_orders (expires_at) WHERE NOT committed;
CREATE TABLE IF NOT EXISTS {schema}.redemption_claims (
    order_id   text    NOT NULL REFERENCES {schema}.redemption_orders ON DELETE CASCADE,
    key        text    NOT NULL,
    amount     bigint  NOT NULL CHECK (amount > 0),
    committed  boolean NOT NULL DEFAULT false,
    expires_at bigint  NOT NULL,
    claim_limit bigint NOT NULL,
    PRIMARY KEY (order_id, key)
);
CREATE INDEX IF NOT EXISTS redemption_claims_live
    ON {schema}.redemption_claims (key, expires_at) WHERE NOT committed;
CREATE TABLE IF NOT EXISTS {schema}.redemption_counters (
    key       text   PRIMARY KEY,
    committed bigint NOT NULL DEFAULT 0
);

CREATE OR REPLACE FUNCTION {schema}.redemption_reserve(
    p_order text, p_keys text[], p_amounts bigint[], p_limits bigint[], p_at bigint,
    p_until bigint
) RETURNS void LANGUAGE plpgsql AS $body$
DECLARE
    v_committed boolean;
    v_key text;
    v_held bigint;
BEGIN
    -- refused on committed uses alone, without waiting for a lock: a used-up code stays cheap
    SELECT o.committed INTO v_committed
        FROM {schema}.redemption_orders o WHERE o.order_id = p_order;
    IF NOT coalesce(v_committed, false) THEN
        SELECT k.key, n.committed INTO v_key, v_held
            FROM unnest(p_keys, p_amounts, p_limits) WITH ORDINALITY AS k(key, amount, lim, pos)
            JOIN {schema}.redemption_counters n ON n.key = k.key
            WHERE n.committed + k.amount > k.lim ORDER BY k.pos LIMIT 1;
        IF v_key IS NOT NULL THEN
            RAISE EXCEPTION USING ERRCODE = 'SK001', MESSAGE = 'limit', DETAIL = v_key,
                HINT = v_held::text;
        END IF;
    END IF;
    INSERT INTO {schema}.redemption_orders (order_id, expires_at) VALUES (p_order, p_until)
        ON CONFLICT (order_id) DO NOTHING;
    SELECT o.committed INTO v_committed
        FROM {schema}.redemption_orders o WHERE o.order_id = p_order FOR UPDATE;
    IF v_committed THEN
        RAISE EXCEPTION USING ERRCODE = 'SK002', MESSAGE = 'committed';
    END IF;
    -- the counters, created and then locked in key order: checkouts on one counter queue
    INSERT INTO {schema}.redemption_counters (key)
        SELECT k FROM unnest(p_keys) AS k ORDER BY k ON CONFLICT (key) DO NOTHING;
    PERFORM 1 FROM {schema}.redemption_counters n
        WHERE n.key = ANY(p_keys) ORDER BY n.key FOR UPDATE;
    SELECT k.key, n.committed + coalesce(l.live, 0) INTO v_key, v_held
        FROM unnest(p_keys, p_amounts, p_limits) WITH ORDINALITY AS k(key, amount, lim, pos)
        JOIN {schema}.redemption_counters n ON n.key = k.key
        LEFT JOIN (
            SELECT c.key, sum(c.amount)::bigint AS live
            FROM {schema}.redemption_claims c
            WHERE c.key = ANY(p_keys) AND NOT c.committed AND c.expires_at > p_at
                AND c.order_id <> p_order
            GROUP BY c.key
        ) l ON l.key = k.key
        WHERE n.committed + coalesce(l.live, 0) + k.amount > k.lim ORDER BY k.pos LIMIT 1;
    IF v_key IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'SK001', MESSAGE = 'limit', DETAIL = v_key,
            HINT = v_held::text;
    END IF;
    DELETE FROM {schema}.redemption_claims c WHERE c.order_id = p_order;
    UPDATE {schema}.redemption_orders o SET expires_at = p_until WHERE o.order_id = p_order;
    INSERT INTO {schema}.redemption_claims (order_id, key, amount, expires_at, claim_limit)
        SELECT p_order, k.key, k.amount, p_until, k.lim
        FROM unnest(p_keys, p_amounts, p_limits) AS k(key, amount, lim);
END
$body$;

CREATE OR REPLACE FUNCTION {schema}.redemption_commit(p_order text, p_at bigint)
RETURNS void LANGUAGE plpgsql AS $body$
DECLARE
    v_committed boolean;
    v_expires bigint;
BEGIN
    SELECT o.committed, o.expires_at INTO v_committed, v_expires
        FROM {schema}.redemption_orders o WHERE o.order_id = p_order FOR UPDATE;
    IF v_committed THEN
        RETURN;
    END IF;
    IF NOT FOUND OR v_expires <= p_at THEN
        RAISE EXCEPTION USING ERRCODE = 'SK003', MESSAGE = 'no reservation';
    END IF;
    PERFORM 1 FROM {schema}.redemption_counters n WHERE n.key IN (
        SELECT c.key FROM {schema}.redemption_claims c WHERE c.order_id = p_order
    ) ORDER BY n.key FOR UPDATE;
    UPDATE {schema}.redemption_counters n SET committed = n.committed + c.amount
        FROM {schema}.redemption_claims c WHERE c.order_id = p_order AND c.key = n.key;
    UPDATE {schema}.redemption_claims c SET committed = true WHERE c.order_id = p_order;
    UPDATE {schema}.redemption_orders o SET committed = true WHERE o.order_id = p_order;
END
$body$;

CREATE OR REPLACE FUNCTION {schema}.redemption_release(p_order text)
RETURNS void LANGUAGE plpgsql AS $body$
DECLARE
    v_committed boolean;
BEGIN
    SELECT o.committed INTO v_committed
        FROM {schema}.redemption_orders o WHERE o.order_id = p_order FOR UPDATE;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF v_committed THEN
        PERFORM 1 FROM {schema}.redemption_counters n WHERE n.key IN (
            SELECT c.key FROM {schema}.redemption_claims c WHERE c.order_id = p_order
        ) ORDER BY n.key FOR UPDATE;
        UPDATE {schema}.redemption_counters n SET committed = n.committed - c.amount
            FROM {schema}.redemption_claims c WHERE c.order_id = p_order AND c.key = n.key;
    END IF;
    DELETE FROM {schema}.redemption_orders o WHERE o.order_id = p_order;
END
$body$;
"""


def _import_psycopg() -> Any:
    try:
        import psycopg
    except ImportError as error:  # pragma: no cover - the dev install has it
        raise ShopkitError(
            "PostgresRedemptionStore needs psycopg: pip install 'shopkit[postgres]'",
            field="psycopg",
            value="not installed",
        ) from error
    return psycopg


class PostgresRedemptionStore:
    """A store in PostgreSQL, safe across threads, processes and machines.

    Each thread opens its own connection when it first calls the store; a process forked
    from one that used the store opens new ones (a connection is never shared across a fork).
    Create the tables once with the first store (``CREATE … IF NOT EXISTS``: every later store
    finds them), or give the database role only the rights on the schema and create them by a
    migration from the statements in ``PostgresRedemptionStore.DDL``.

    Args:
        conninfo: A libpq connection string or URL, e.g.
            ``"postgresql://shop@db.internal/shop"`` or ``"host=/run/postgresql dbname=shop"``.
        schema: The PostgreSQL schema the tables live in; created if missing. Lower-case
            letters, digits and ``_``.
        timeout: How long a call waits for a connection or for another checkout's locks, in
            seconds; past it the call fails with :class:`StoreError` and changes nothing.

    Raises:
        ValidationError: a bad schema name or timeout.
        StoreError: the server cannot be reached or refused the tables.

    Examples:
        Against the shop's own server (the docs page "Running shopkit in a service" runs this
        against a real one)::

            store = PostgresRedemptionStore("postgresql://shop@db.internal/shop")
            store.reserve("o-1", [Claim("code:WELCOME", 1, 1)], at=now, expires_at=later)
            store.commit("o-1", at=now)
            store.used(["code:WELCOME"], at=now)  # {'code:WELCOME': 1}
    """

    DDL = _DDL
    """The statements that create the tables and functions, ``{schema}`` standing for the schema.

    The first store on a schema runs them, then marks the orders table with a comment naming
    the version (``shopkit redemption store, version 1``); later stores find the mark and run
    nothing.
    """

    def __init__(
        self,
        conninfo: str,
        *,
        schema: str = "shopkit",
        timeout: float = 30.0,  # float-ok: seconds
    ) -> None:
        if not isinstance(conninfo, str) or not conninfo.strip():
            raise ValidationError(
                f"{conninfo!r} is not a connection string", field="conninfo", value=conninfo
            )
        if not isinstance(schema, str) or not _SCHEMA_NAME.fullmatch(schema):
            raise ValidationError(
                f"{schema!r} is not a schema name (lower-case letters, digits and _)",
                field="schema",
                value=schema,
            )
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout > 0:
            raise ValidationError(
                f"{timeout!r} is not a positive number of seconds", field="timeout", value=timeout
            )
        self._psycopg = _import_psycopg()
        self.conninfo = conninfo
        self.schema = schema
        self._timeout = float(timeout)  # float-ok: seconds, not money
        self._local = threading.local()
        self._opened: list[tuple[int, psycopg.Connection[Any]]] = []
        self._opened_lock = threading.Lock()
        self._used = (
            f"SELECT k.key, coalesce(n.committed, 0) + coalesce(("
            f"SELECT sum(c.amount) FROM {schema}.redemption_claims c "
            "WHERE c.key = k.key AND NOT c.committed AND c.expires_at > %s), 0) "
            f"FROM unnest(%s::text[]) AS k(key) "
            f"LEFT JOIN {schema}.redemption_counters n ON n.key = k.key"
        )
        marker = f"SELECT obj_description(to_regclass('{schema}.redemption_orders'), 'pg_class')"
        if self._call(marker, ())[0][0] != _VERSION:
            # one creator at a time (CREATE … IF NOT EXISTS is not safe against itself); the
            # stores opened later find the version mark and change nothing
            self._call(
                "SELECT pg_advisory_xact_lock(hashtext(%s))",
                (f"shopkit:{schema}",),
                then=_DDL.format(schema=schema)
                + f"COMMENT ON TABLE {schema}.redemption_orders IS '{_VERSION}';",
            )

    # -- connections and transactions ---------------------------------------------------------

    def _connection(self) -> psycopg.Connection[Any]:
        connection: psycopg.Connection[Any] | None = getattr(self._local, "connection", None)
        if connection is not None and getattr(self._local, "pid", None) != os.getpid():
            # inherited through fork: it belongs to the parent; leave it untouched (closing it
            # would end the parent's session) and open this process's own
            _INHERITED.append(connection)
            connection = None
        if connection is None or connection.closed:
            psycopg = self._psycopg
            milliseconds = max(1, round(self._timeout * 1000))
            try:
                connection = psycopg.connect(
                    self.conninfo,
                    autocommit=True,
                    connect_timeout=max(1, round(self._timeout)),
                )
                connection.execute(
                    "SELECT set_config('lock_timeout', %s, false), "
                    "set_config('statement_timeout', %s, false)",
                    (f"{milliseconds}ms", f"{milliseconds * 4}ms"),
                )
            except psycopg.Error as error:
                raise StoreError(
                    f"cannot connect to PostgreSQL: {_first_line(error)}",
                    field="conninfo",
                    value=_without_password(self.conninfo),
                ) from error
            self._local.connection = connection
            self._local.pid = os.getpid()
            with self._opened_lock:
                self._opened.append((os.getpid(), connection))
        return connection

    def _call(
        self, query: str, arguments: Sequence[object], *, then: str | None = None
    ) -> list[tuple[Any, ...]]:
        """Run one statement and return its rows.

        ``then`` (statements without arguments) runs after it in the same transaction. A
        deadlock is retried; a driver error becomes a :class:`StoreError`, and a refusal the
        store's functions raise a ``_Refused``.
        """
        psycopg = self._psycopg
        errors = psycopg.errors
        for attempt in range(_RETRIES):
            connection = self._connection()
            try:
                if then is None:
                    return connection.execute(query, arguments).fetchall()
                with connection.transaction():
                    rows = connection.execute(query, arguments).fetchall()
                    connection.execute(then)
                    return rows
            except (errors.DeadlockDetected, errors.SerializationFailure) as error:
                if attempt == _RETRIES - 1:
                    raise StoreError(
                        f"PostgreSQL kept aborting the transaction: {_first_line(error)}",
                        field="store",
                        value=self.schema,
                    ) from error
            except (errors.LockNotAvailable, errors.QueryCanceled) as error:
                raise StoreError(
                    f"another checkout held the counters longer than {self._timeout:g} s",
                    field="timeout",
                    value=self._timeout,
                ) from error
            except psycopg.Error as error:
                state = getattr(error, "sqlstate", None)
                if isinstance(state, str) and state.startswith("SK"):
                    raise _Refused(
                        state, error.diag.message_detail or "", error.diag.message_hint or "0"
                    ) from None
                if connection.closed or connection.broken:
                    self._local.connection = None
                raise StoreError(
                    f"PostgreSQL failed: {_first_line(error)}", field="store", value=self.schema
                ) from error
        raise AssertionError("unreachable")  # pragma: no cover

    # -- the protocol ---------------------------------------------------------------------------

    def reserve(
        self, order_id: str, claims: Iterable[Claim], *, at: dt.datetime, expires_at: dt.datetime
    ) -> None:
        """Take every claim or none (see :class:`RedemptionStore`)."""
        taken = _check_claims(order_id, claims)
        moment, until = _micros(at, "at"), _micros(expires_at, "expires_at")
        _check_window(moment, until)
        by_key = {claim.key: claim for claim in taken}
        arguments = (
            order_id,
            [c.key for c in taken],
            [c.amount for c in taken],
            [c.limit for c in taken],
            moment,
            until,
        )
        try:
            self._call(
                f"SELECT {self.schema}.redemption_reserve(%s, %s, %s, %s, %s, %s)", arguments
            )
        except _Refused as refusal:
            if refusal.state == "SK002":
                raise ReservationError(
                    f"order {order_id} is already committed", field="order_id", value=order_id
                ) from None
            raise LimitReachedError(by_key[refusal.detail], int(refusal.hint)) from None

    def commit(self, order_id: str, *, at: dt.datetime) -> None:
        """Make the live reservation permanent (see :class:`RedemptionStore`)."""
        _check_order_id(order_id)
        moment = _micros(at, "at")
        try:
            self._call(f"SELECT {self.schema}.redemption_commit(%s, %s)", (order_id, moment))
        except _Refused:
            raise ReservationError(
                f"order {order_id} has no live reservation to commit",
                field="order_id",
                value=order_id,
            ) from None

    def release(self, order_id: str) -> None:
        """Give back all the order holds (see :class:`RedemptionStore`)."""
        _check_order_id(order_id)
        self._call(f"SELECT {self.schema}.redemption_release(%s)", (order_id,))

    def used(self, keys: Sequence[str], *, at: dt.datetime) -> dict[str, int]:
        """What each counter holds now (see :class:`RedemptionStore`)."""
        wanted = _check_keys(keys)
        moment = _micros(at, "at")
        rows = self._call(self._used, (moment, wanted))
        held = {key: int(amount) for key, amount in rows}
        return {key: held.get(key, 0) for key in wanted}

    def held(self, order_id: str, *, at: dt.datetime) -> Held | None:
        """What the order holds (see :class:`RedemptionStore`)."""
        _check_order_id(order_id)
        moment = _micros(at, "at")
        rows = self._call(
            f"SELECT o.committed, o.expires_at, c.key, c.amount, c.claim_limit "
            f"FROM {self.schema}.redemption_orders o "
            f"LEFT JOIN {self.schema}.redemption_claims c ON c.order_id = o.order_id "
            "WHERE o.order_id = %s",
            (order_id,),
        )
        if not rows:
            return None
        committed, expires = bool(rows[0][0]), int(rows[0][1])
        if not committed and expires <= moment:
            return None
        amounts = {row[2]: int(row[3]) for row in rows if row[2] is not None}
        limits = {row[2]: int(row[4]) for row in rows if row[2] is not None}
        return Held(amounts, _moment(expires), committed, limits)

    def purge(self, *, at: dt.datetime) -> int:
        """Delete expired reservations (see :class:`RedemptionStore`)."""
        moment = _micros(at, "at")
        rows = self._call(
            f"WITH gone AS (DELETE FROM {self.schema}.redemption_orders "
            "WHERE NOT committed AND expires_at <= %s RETURNING 1) SELECT count(*) FROM gone",
            (moment,),
        )
        return int(rows[0][0])

    def close(self) -> None:
        """Close every connection this process opened for the store, in any thread.

        Call it when no thread uses the store any more; the store can be used again after it
        (it reconnects).
        """
        with self._opened_lock:
            opened, self._opened = self._opened, []
        for pid, connection in opened:
            if pid == os.getpid():
                connection.close()
            else:
                _INHERITED.append(connection)
        self._local = threading.local()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.close()


class _Refused(Exception):  # noqa: N818 - not an error: the store said no
    """A refusal raised by the store's SQL functions.

    ``SK001`` a limit, ``SK002`` a committed order, ``SK003`` no reservation to commit.
    """

    def __init__(self, state: str, detail: str, hint: str) -> None:
        super().__init__(state)
        self.state, self.detail, self.hint = state, detail, hint


_INHERITED: list[object] = []  # connections a forked child must neither use nor close


def _first_line(error: BaseException) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def _without_password(conninfo: str) -> str:
    conninfo = re.sub(r"(password\s*=\s*)\S+", r"\1***", conninfo)
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", conninfo)
