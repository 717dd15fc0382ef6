"""The KPI dashboard and the co-occurrence fit over partitioned Parquet: one process, then Dask.

Protocol (issue "Beyond one machine"):

1. Data: ``--orders`` generated orders (10,000,000 by default) in ``--files`` Parquet files (one
   row group each, whole orders per file) in a temporary directory (``--dir`` to choose one;
   removed afterwards unless ``--keep``). An order has 1 to 5 lines (3 on average) of 5,000
   skus drawn with a Zipf-like skew, one of 200,000 customers (a fifth of the orders are
   guests'), two channels, three regions, GBP prices in pence, a discount on a tenth of the
   lines; times spread over 2024. Seed 15.
2. Single process: the files are read one at a time (``pandas.read_parquet``), each is turned
   into an ``OrderTable`` (``shopkit.dask.order_table``) and its partial is computed
   (``Dashboard.partial``; ``FrequentlyBoughtTogether.counts``); the partials are merged eight
   at a time as they come, as the Dask path merges them. Only one file's rows are ever in
   memory, with the partials merged so far. Each computation runs in a fresh child process, so
   its peak memory (maximum resident set) is its own.
3. Dask: ``distributed.LocalCluster(n_workers=2, threads_per_worker=1)`` and
   ``dask.dataframe.read_parquet`` (one partition per file); ``shopkit.dask.compute(Dashboard(),
   orders)`` and ``shopkit.dask.fit(FrequentlyBoughtTogether(), orders, whole="order")`` (each
   file holds whole orders: no shuffle). Each computation gets a fresh cluster, whose workers'
   peak memory is read afterwards.
4. Both paths must give the same result: the dashboards' tables are compared, and the fitted
   models' learned arrays.

Printed: progress as it goes; then for each computation both wall times, their ratio
(single process / Dask: above 1, Dask is faster) and the peak memory of the single process and
of each worker. The machine has 2 cores, shared: wall times are noisy.

Run: ``.venv/bin/python benchmarks/scale.py`` (about an hour at 10 M orders here), or
``--orders 1000000`` for a quick run. Needs the ``dask`` extra.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import multiprocessing
import resource
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

START = 1_704_067_200  # 2024-01-01 00:00 UTC
YEAR = 366 * 86_400
N_SKUS = 5_000
N_CUSTOMERS = 200_000
SEED = 15


def generate(first: int, count: int, seed: int) -> Any:
    """Orders ``first`` to ``first + count - 1`` as a pandas frame of their lines."""
    import pandas as pd  # type: ignore[import-untyped]

    rng = np.random.default_rng([seed, first])
    lines = rng.integers(1, 6, count)
    order = np.repeat(np.arange(first, first + count), lines)
    n = len(order)
    local = order - first
    sku = np.minimum(rng.zipf(1.3, n) - 1, N_SKUS - 1)  # a few best sellers, a long tail
    customer = rng.integers(-N_CUSTOMERS // 4, N_CUSTOMERS, count)  # below 0: a guest
    quantity = rng.integers(1, 4, n)
    price = rng.integers(50, 9_000, n)
    discount = np.where(rng.random(n) < 0.1, np.minimum(rng.integers(0, 200, n), price), 0)
    at = START + np.sort(rng.integers(0, YEAR, count))
    return pd.DataFrame(
        {
            "order": pd.Series(order).map("o{:08d}".format).astype("str"),
            "sku": pd.Series(sku).map("SKU-{:04d}".format).astype("str"),
            "quantity": quantity,
            "unit_price": price,
            "currency": "GBP",
            "at": at[local],
            "discount": discount,
            "customer": pd.Series(np.where(customer >= 0, customer, -1)[local])
            .map(lambda c: f"c{c:06d}" if c >= 0 else None)
            .astype("str"),
            "channel": np.where(rng.random(count) < 0.6, "web", "app")[local],
            "region": np.array(["UK", "FR", "DE"])[rng.integers(0, 3, count)][local],
        }
    )


def write(directory: Path, orders: int, files: int) -> list[Path]:
    paths = []
    per_file = -(-orders // files)
    started = time.perf_counter()
    for index, first in enumerate(range(0, orders, per_file)):
        frame = generate(first, min(per_file, orders - first), SEED)
        path = directory / f"part-{index:04d}.parquet"
        frame.to_parquet(path, index=False, row_group_size=len(frame))
        paths.append(path)
        print(
            f"  wrote {path.name}: {len(frame):,} lines "
            f"({index + 1}/{files}, {time.perf_counter() - started:.0f} s)",
            flush=True,
        )
    return paths


def tree(parts: Iterator[Any], merge: Callable[[list[Any]], Any], fan_in: int = 8) -> Any:
    """Merge partials as they come, ``fan_in`` at a time at every level (as the Dask path)."""
    levels: list[list[Any]] = []
    for part in parts:
        carry = part
        for level in levels:
            level.append(carry)
            if len(level) < fan_in:
                break
            carry = merge(level[:])
            level.clear()
        else:
            levels.append([carry])
    rest = [part for level in reversed(levels) for part in level]
    return rest[0] if len(rest) == 1 else merge(rest)


def _progress(paths: list[Path], what: str) -> Iterator[Any]:
    import pandas as pd

    started = time.perf_counter()
    for index, path in enumerate(paths):
        yield pd.read_parquet(path)
        if (index + 1) % max(1, len(paths) // 10) == 0 or index + 1 == len(paths):
            print(
                f"    {what}: {index + 1}/{len(paths)} files "
                f"({time.perf_counter() - started:.0f} s)",
                flush=True,
            )


def single_dashboard(paths: list[Path]) -> tuple[float, int, Any]:
    from shopkit.dask import order_table
    from shopkit.metrics import Dashboard

    dashboard = Dashboard()
    started = time.perf_counter()
    parts = (dashboard.partial(order_table(frame)) for frame in _progress(paths, "dashboard"))
    table = tree(parts, dashboard.merge).result()
    seconds = time.perf_counter() - started
    return seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, table


def single_cooccurrence(paths: list[Path]) -> tuple[float, int, Any]:
    from shopkit.dask import order_table
    from shopkit.recommend import FrequentlyBoughtTogether, Interactions

    model = FrequentlyBoughtTogether()
    started = time.perf_counter()
    parts = (
        model.counts(Interactions.from_tables(order_table(frame)))
        for frame in _progress(paths, "co-occurrence")
    )
    counts = tree(parts, lambda batch: sum(batch[1:], batch[0]))
    fitted = FrequentlyBoughtTogether().fit_counts(counts)
    seconds = time.perf_counter() - started
    state = {"items_": fitted.items_, **fitted.state()}
    return seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, state


def in_child(function: Callable[[list[Path]], Any], paths: list[Path]) -> Any:
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=context) as pool:
        return pool.submit(function, paths).result()


def _worker_peak() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _warm() -> None:
    """Import what the tasks run, so that the timing is of the work, not of the imports."""
    import shopkit.dask
    import shopkit.metrics
    import shopkit.recommend  # noqa: F401


class Ticker:
    """Print the elapsed time every ``every`` seconds while a computation runs."""

    def __init__(self, what: str, every: float = 30.0) -> None:
        self.what, self.every = what, every
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        started = time.perf_counter()
        while not self.done.wait(self.every):
            print(f"    {self.what}: {time.perf_counter() - started:.0f} s …", flush=True)

    def __enter__(self) -> Ticker:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.done.set()
        self.thread.join()


def on_dask(directory: Path) -> dict[str, tuple[float, list[int], Any]]:
    import dask.dataframe as dd
    from distributed import Client, LocalCluster

    import shopkit.dask as sd
    from shopkit.metrics import Dashboard
    from shopkit.recommend import FrequentlyBoughtTogether

    results = {}
    jobs: dict[str, Callable[[Any], Any]] = {
        "dashboard": lambda orders: sd.compute(Dashboard(), orders),
        "co-occurrence": lambda orders: _state(
            sd.fit(FrequentlyBoughtTogether(), orders, whole="order")
        ),
    }
    for name, job in jobs.items():  # a fresh cluster each: the workers' peaks are the job's
        with (
            LocalCluster(  # type: ignore[no-untyped-call]
                n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
            ) as cluster,
            Client(cluster) as client,  # type: ignore[no-untyped-call]
        ):
            client.run(_warm)
            orders = dd.read_parquet(str(directory), split_row_groups=False)
            print(f"  {name}: {orders.npartitions} partitions, 2 workers", flush=True)
            with Ticker(f"dask {name}"):
                started = time.perf_counter()
                value = job(orders)
                seconds = time.perf_counter() - started
            peaks = sorted(client.run(_worker_peak).values())
            results[name] = (seconds, peaks, value)
            print(f"  dask {name}: {seconds:.1f} s", flush=True)
    return results


def _state(model: Any) -> dict[str, Any]:
    return {"items_": model.items_, **model.state()}


def same(a: Any, b: Any) -> bool:
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[key], b[key]) for key in a)
    if isinstance(a, np.ndarray):
        return bool(np.array_equal(a, b))
    return bool(a == b)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=10_000_000)
    parser.add_argument("--files", type=int, default=40)
    parser.add_argument("--dir", type=Path, default=None, help="where to write the Parquet files")
    parser.add_argument("--keep", action="store_true", help="keep the files afterwards")
    args = parser.parse_args(argv)
    directory = args.dir or Path(tempfile.mkdtemp(prefix="shopkit-scale-"))
    directory.mkdir(parents=True, exist_ok=True)
    try:
        print(f"generating {args.orders:,} orders in {args.files} files under {directory}")
        paths = write(directory, args.orders, args.files)
        size = sum(path.stat().st_size for path in paths)
        print(f"  {size / 2**20:,.0f} MiB of Parquet")
        print("single process (one file at a time):")
        single = {}
        for name, function in (
            ("dashboard", single_dashboard),
            ("co-occurrence", single_cooccurrence),
        ):
            seconds, peak, value = in_child(function, paths)
            single[name] = (seconds, peak, value)
            print(f"  single {name}: {seconds:.1f} s, peak {peak / 2**20:.2f} GiB", flush=True)
        print("dask:")
        distributed = on_dask(directory)
        print()
        print(f"{args.orders:,} orders, {args.files} files")
        for name in single:
            one, one_peak, one_value = single[name]
            many, peaks, many_value = distributed[name]
            workers = ", ".join(f"{peak / 2**20:.2f}" for peak in peaks)
            print(
                f"{name:14s} single process {one:8.1f} s (peak {one_peak / 2**20:.2f} GiB)   "
                f"dask 2 workers {many:8.1f} s (peak per worker {workers} GiB)   "
                f"ratio {one / many:.2f}   same result: {same(one_value, many_value)}"
            )
    finally:
        if not args.keep:
            shutil.rmtree(directory, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
