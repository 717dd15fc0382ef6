"""How many reservations per second the SQLite redemption store takes, from 1 and 4 processes.

Each reservation is one checkout's worth of claims: a use of a single-use code, a use of the
promotion (capped), the customer's use (capped at 1) and the discount against a budget; each
is committed right after, as a paid order would be. Processes share one database file in WAL
mode; every call is its own ``BEGIN IMMEDIATE`` transaction, so they are serialised by SQLite.

Prints reserve+commit pairs per second with 1 and 4 processes (and the in-memory store's rate
with 1 thread, for scale). The limits are set high enough that no claim is refused, so every
pair does the full work.

Run it with ``.venv/bin/python benchmarks/redemptions.py`` after ``make check``. No peer is
printed: the shop frameworks we compare with keep their counters in their own databases, behind
their own web stacks.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import tempfile
import time
from pathlib import Path

from shopkit.pricing import Claim, InMemoryRedemptionStore, RedemptionStore, SQLiteRedemptionStore

NOW = dt.datetime(2026, 11, 27, 12, tzinfo=dt.UTC)
HOLD = dt.timedelta(minutes=15)
PER_PROCESS = 2_000


def checkouts(store: RedemptionStore, worker: int, count: int) -> None:
    for n in range(count):
        order = f"w{worker}-{n}"
        claims = [
            Claim(f"code:W{worker}N{n}", 1, 1),
            Claim("promotion:black-friday", 1, 10_000_000),
            Claim(f"promotion:black-friday:customer:w{worker}-{n}", 1, 1),
            Claim("budget:black-friday:EUR", 1_000, 10**12),
        ]
        store.reserve(order, claims, at=NOW, expires_at=NOW + HOLD)
        store.commit(order, at=NOW)


def worker(path: str, index: int) -> None:
    store = SQLiteRedemptionStore(path)
    checkouts(store, index, PER_PROCESS)
    store.close()


def sqlite_rate(processes: int) -> float:
    path = Path(tempfile.mkdtemp()) / "bench.sqlite"
    SQLiteRedemptionStore(path).close()
    context = multiprocessing.get_context("fork")
    start = time.perf_counter()
    jobs = [context.Process(target=worker, args=(str(path), i)) for i in range(processes)]
    for job in jobs:
        job.start()
    for job in jobs:
        job.join()
    elapsed = time.perf_counter() - start
    return processes * PER_PROCESS / elapsed


def main() -> None:
    print("shopkit redemption store benchmark: reserve + commit of a 4-claim checkout")
    for processes in (1, 4):
        rate = sqlite_rate(processes)
        print(f"SQLite, {processes} process{'es' if processes > 1 else ''}: {rate:,.0f} per second")
    store = InMemoryRedemptionStore()
    start = time.perf_counter()
    checkouts(store, 0, 500)
    rate = 500 / (time.perf_counter() - start)
    print(f"in memory, 1 thread (500 orders held): {rate:,.0f} per second")


if __name__ == "__main__":
    main()
