"""Instructions per ``price()`` call, counted by valgrind's callgrind: stable on a busy machine.

Wall times on a shared machine move by 3-4x with the load; the number of instructions one call
executes does not. This script runs itself twice under ``valgrind --tool=callgrind`` with the
setup of ``benchmarks/pricing.py`` (same seed, same carts, same promotions): once building the
setup and pricing nothing, once building it and pricing ``CALLS`` times, and prints the
difference divided by ``CALLS``: the instructions one call costs, setup and interpreter start
excluded. Hash randomisation is fixed (``PYTHONHASHSEED=0``) so both runs take the same paths.

Cases:

- ``small``: the 20-line cart at 1,000 promotions (the issue's 0.2 ms goal);
- ``large``: the 200-line cart at 1,000 promotions (the issue's 5 ms goal);
- ``best8``: best-for-customer over 8 stackable promotions (256 valid combinations);
- ``small-read`` and ``large-read``: ``small`` and ``large`` with every priced line read
  (``price`` builds the lines when they are first read).

Run it with ``.venv/bin/python benchmarks/pricing_callgrind.py [case ...]`` (all cases when
none is named); it needs ``valgrind`` on the path. Each case takes a minute or two, as
valgrind runs Python about 50 times slower. To turn instructions into a time, multiply by the
ratio time / instructions of a run on a quiet machine (see the report of the round that
measured it): the ratio of two counts is what carries over between machines and loads.
"""

from __future__ import annotations

import functools
import os
import random
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
CALLS = {"small": 20, "large": 3, "best8": 2, "small-read": 20, "large-read": 3}


def _setup(case: str) -> Callable[[], object]:
    """The call to count, built as ``benchmarks/pricing.py`` builds it."""
    if case.endswith("-read"):
        call = _setup(case.removesuffix("-read"))
        return lambda: call().lines  # type: ignore[attr-defined]
    sys.path.insert(0, str(HERE))
    import attrs

    import pricing as bench  # benchmarks/pricing.py
    from shopkit.pricing import PricingOptions, PromotionBook, price

    rng = random.Random(20261127)
    products = bench.catalogue(rng, 10_000)
    small = bench.cart_of(products, rng, 20)
    large = bench.cart_of(products, rng, 200)
    matching = bench.matching_promotions(small)
    others = bench.other_promotions(rng, 990)  # the first 990 of the benchmark's 10,000
    if case == "small":
        book = PromotionBook(matching + others)
        return functools.partial(price, small, book, at=bench.AT)
    if case == "large":
        book = PromotionBook(bench.matching_promotions(large) + others)
        return functools.partial(price, large, book, at=bench.AT)
    if case == "best8":
        pool = (matching * 2)[:8]
        stackable = [attrs.evolve(p, id=f"{p.id}-{i}") for i, p in enumerate(pool)]
        options = PricingOptions(mode="best_for_customer", best_search_limit=8)
        return functools.partial(price, small, stackable, at=bench.AT, options=options)
    raise SystemExit(f"unknown case {case!r}; one of {', '.join(CALLS)}")


def _child(case: str, calls: int) -> None:
    action = _setup(case)
    action()  # warm: first-call imports and caches are not counted
    for _ in range(calls):
        action()


def _instructions(case: str, calls: int) -> int:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "callgrind.out"
        done = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={out}",
                sys.executable,
                __file__,
                "--child",
                case,
                str(calls),
            ],
            env={**os.environ, "PYTHONHASHSEED": "0"},
            capture_output=True,
            text=True,
            check=True,
        )
    found = re.search(r"Collected : (\d+)", done.stderr)
    if found is None:
        raise SystemExit(f"no instruction count in valgrind's output:\n{done.stderr}")
    return int(found.group(1))


def main(cases: list[str]) -> None:
    print("instructions per price() call (callgrind; setup and start-up subtracted)")
    for case in cases or list(CALLS):
        calls = CALLS[case]
        base = _instructions(case, 0)
        loaded = _instructions(case, calls)
        per_call = (loaded - base) / calls
        print(f"{case:>6}: {per_call:>14,.0f} instructions per call ({calls} calls counted)")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _child(sys.argv[2], int(sys.argv[3]))
    else:
        main(sys.argv[1:])
