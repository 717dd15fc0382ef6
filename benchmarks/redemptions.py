"""Reserve + commit per second for the in-memory, SQLite and PostgreSQL redemption stores.

Each checkout is one order's worth of claims: a use of a single-use code, a use of the
promotion (capped), the customer's use (capped at 1) and the discount against a budget; each
is committed right after, as a paid order would be. The limits are set high enough that no claim
is refused, so every pair does the full work. With 8 processes every checkout claims the same
promotion and budget counters, so the processes queue on them: the figure is what one hot
promotion can take.

- in memory: one store, 1 thread, or 8 threads (it is a single-process store);
- SQLite: processes sharing one database file in WAL mode, serialised by its write lock;
- PostgreSQL: processes with a connection each, to a throw-away server this script starts on a
  unix socket (``shopkit.testing._postgres``; or ``SHOPKIT_POSTGRES_URL``), with durability off
  (fsync and synchronous commit) like the test suite's server: a production server with them on
  is slower per commit.

Run it with ``.venv/bin/python benchmarks/redemptions.py`` after ``make check``. No peer is
printed: the shop frameworks we compare with keep their counters in their own databases, behind
their own web stacks; the ratios printed are between shopkit's own stores.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from rich.progress import Progress

from shopkit.pricing import (
    Claim,
    InMemoryRedemptionStore,
    PostgresRedemptionStore,
    RedemptionStore,
    SQLiteRedemptionStore,
)
from shopkit.testing._postgres import PostgresUnavailableError, temporary_postgres

NOW = dt.datetime(2026, 11, 27, 12, tzinfo=dt.UTC)
HOLD = dt.timedelta(minutes=15)
PER_WORKER = 1_000


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


def _worker(opener: Callable[[], RedemptionStore], index: int) -> None:
    store = opener()
    checkouts(store, index, PER_WORKER)
    close = getattr(store, "close", None)
    if close is not None:
        close()


def process_rate(opener: Callable[[], RedemptionStore], processes: int) -> float:
    close = getattr(opener(), "close", None)  # creates the tables before the clock starts
    if close is not None:
        close()
    context = multiprocessing.get_context("fork")
    start = time.perf_counter()
    jobs = [context.Process(target=_worker, args=(opener, i)) for i in range(processes)]
    for job in jobs:
        job.start()
    for job in jobs:
        job.join()
        if job.exitcode != 0:
            sys.exit(f"a worker failed with exit code {job.exitcode}")
    return processes * PER_WORKER / (time.perf_counter() - start)


def memory_rate(threads: int) -> float:
    store = InMemoryRedemptionStore()
    start = time.perf_counter()
    workers = [
        threading.Thread(target=checkouts, args=(store, i, PER_WORKER)) for i in range(threads)
    ]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    return threads * PER_WORKER / (time.perf_counter() - start)


def _sqlite(path: str) -> Callable[[], RedemptionStore]:
    return lambda: SQLiteRedemptionStore(path)


def _postgres(url: str, schema: str) -> Callable[[], RedemptionStore]:
    return lambda: PostgresRedemptionStore(url, schema=schema)


def main() -> None:
    print("shopkit redemption store benchmark: reserve + commit of a 4-claim checkout")
    print(f"{PER_WORKER:,} checkouts per process (or thread)")
    results: dict[str, float] = {}
    with Progress(transient=True) as progress:
        task = progress.add_task("measuring", total=6)
        for workers in (1, 8):
            results[f"in memory, {workers} thread{'s' if workers > 1 else ''}"] = memory_rate(
                workers
            )
            progress.advance(task)
        folder = Path(tempfile.mkdtemp())
        for workers in (1, 8):
            path = str(folder / f"bench-{workers}.sqlite")
            label = f"SQLite, {workers} process{'es' if workers > 1 else ''}"
            results[label] = process_rate(_sqlite(path), workers)
            progress.advance(task)
        try:
            with temporary_postgres() as url:
                for workers in (1, 8):
                    label = f"PostgreSQL, {workers} process{'es' if workers > 1 else ''}"
                    results[label] = process_rate(_postgres(url, f"bench_{workers}"), workers)
                    progress.advance(task)
        except PostgresUnavailableError as error:
            print(f"PostgreSQL skipped: {error}")
    for label, rate in results.items():
        print(f"{label}: {rate:,.0f} per second")
    for workers in (1, 8):
        plural = "es" if workers > 1 else ""
        sqlite = results[f"SQLite, {workers} process{plural}"]
        postgres = results.get(f"PostgreSQL, {workers} process{plural}")
        if postgres is not None:
            print(f"PostgreSQL / SQLite, {workers} process{plural}: {postgres / sqlite:.2f}")


if __name__ == "__main__":
    main()
