"""Choose FrequentlyBoughtTogether's default parameters on a validation split, never on the test.

``benchmarks/recommend.py`` tests on the invoices from 2011-11-09 on. Parameters chosen by
looking at those figures would make its comparison with the peers optimistic, so the defaults
are chosen here, on the earlier data alone.

Protocol:

1. Data: the same file, read the same way (``shopkit.datasets.read_online_retail``: no
   cancellations, no non-positive quantities or prices, product codes only; one basket per
   invoice, a stock code once per basket). Everything from 2011-11-09 00:00 (UTC), the
   benchmark's test split, is dropped before anything else happens.
2. Split what is left: fit on the invoices placed before 2011-10-09 00:00 (UTC); validate on
   those from 2011-10-09 up to, not including, 2011-11-09 that have at least 2 distinct items
   known in the fit split (other items are dropped from them).
3. Tasks, seeds and metrics are the benchmark's, built by its own functions (``tasks`` and
   ``score`` of ``benchmarks/recommend.py``): task 1 hides one random item of each basket
   (seed 1) and asks for it from the rest, hit rate at 10; task 2 asks from one random item
   (seed 2) for the rest of the basket, hit rate and precision at 10.
4. Every setting of the grid below is fitted on the fit split and scored on the validation
   split. The chosen setting maximises the mean of task 1's and task 2's hit rate at 10; ties
   go to the current defaults, then to the first setting in grid order.

Grid (the parameters whose defaults the strategy sets; ``min_count`` stays 0 and
``neighbours`` ``None``, both of which switch a filter off):

* ``basket_weight``: ``inverse``, ``log``, ``none``;
* ``max_basket_size``: 50, 100, ``None`` (no limit);
* ``measure`` ``cosine`` with ``alpha`` 0.5, 0.7, 0.9 × ``beta`` 0, 0.1, 0.2 × ``beta_cart``
  0.3, 0.4, 0.5;
* and, per basket weighting and size limit, ``measure`` ``confidence`` and ``lift`` (the
  cosine's ends: α = 1 with β = 0, and α = β = 1).

That is 9 × (27 + 2) = 261 settings. The counts are made once per basket weighting and size
limit and every setting of them is fitted from those counts (``fit_counts``, which gives the
same model as ``fit``).

Printed: per setting its task 1 hit@10, task 2 hit@10 and precision@10 and the mean of the two
hit rates; then the ten best settings, where the current defaults rank, and the chosen setting.

Run: ``.venv/bin/python benchmarks/tune_recommend.py`` (about 4½ minutes on 2 cores).
"""

from __future__ import annotations

import datetime as dt
import itertools
import sys
import time
from decimal import Decimal
from typing import Any

import attrs

from recommend import CUT, data_path, score, tasks
from shopkit.datasets import read_online_retail
from shopkit.recommend import (
    BasketWeight,
    Case,
    FrequentlyBoughtTogether,
    Interactions,
    Measure,
    time_split,
)

VALIDATION_FROM = dt.datetime(2011, 10, 9, tzinfo=dt.UTC)

BASKET_WEIGHTS = (BasketWeight.INVERSE, BasketWeight.LOG, BasketWeight.NONE)
MAX_BASKET_SIZES: tuple[int | None, ...] = (50, 100, None)
ALPHAS = (Decimal("0.5"), Decimal("0.7"), Decimal("0.9"))
BETAS = (Decimal("0"), Decimal("0.1"), Decimal("0.2"))
BETAS_CART = (Decimal("0.3"), Decimal("0.4"), Decimal("0.5"))
OTHER_MEASURES = (Measure.CONFIDENCE, Measure.LIFT)
TUNED = ("measure", "alpha", "beta", "beta_cart", "basket_weight", "max_basket_size")

Setting = dict[str, Any]
Figures = tuple[float, float, float]


def grid() -> list[Setting]:
    """Every setting, in grid order (see the module docstring)."""
    settings: list[Setting] = []
    for weight, size in itertools.product(BASKET_WEIGHTS, MAX_BASKET_SIZES):
        base: Setting = {"basket_weight": weight, "max_basket_size": size}
        for alpha, beta, beta_cart in itertools.product(ALPHAS, BETAS, BETAS_CART):
            settings.append(
                {
                    **base,
                    "measure": Measure.COSINE,
                    "alpha": alpha,
                    "beta": beta,
                    "beta_cart": beta_cart,
                }
            )
        for measure in OTHER_MEASURES:
            settings.append({**base, "measure": measure})
    return settings


def defaults() -> Setting:
    """The tuned parameters as FrequentlyBoughtTogether sets them by default."""
    model = FrequentlyBoughtTogether()
    return {name: getattr(model, name) for name in TUNED}


def same(setting: Setting, reference: Setting) -> bool:
    """Whether ``setting`` builds the same model as ``reference`` (unset parameters default)."""
    model = attrs.evolve(FrequentlyBoughtTogether(), **setting)
    return all(getattr(model, name) == reference[name] for name in TUNED)


def label(setting: Setting) -> str:
    parts = [f"{setting['basket_weight']!s:<7}", f"max {setting['max_basket_size']!s:<4}"]
    if setting["measure"] is Measure.COSINE:
        parts.append(
            f"cosine α {setting['alpha']} β {setting['beta']} β_cart {setting['beta_cart']}"
        )
    else:
        parts.append(str(setting["measure"]))
    return "  ".join(parts)


def evaluate(model: FrequentlyBoughtTogether, task1: list[Case], task2: list[Case]) -> Figures:
    hit1, _ = score([model.recommend_skus(case.request) for case in task1], task1)
    hit2, prec2 = score([model.recommend_skus(case.request) for case in task2], task2)
    return hit1, hit2, prec2


def main() -> int:
    path = data_path()
    if not path.exists():
        print(f"the Online Retail data set is not at {path}; set SHOPKIT_ONLINE_RETAIL")
        return 1
    start = time.perf_counter()
    before_test, _ = time_split(Interactions.from_tables(read_online_retail(path).orders), CUT)
    fit, validation = time_split(before_test, VALIDATION_FROM)
    known, task1, task2 = tasks(fit, validation)
    print(
        f"fit: {fit.n_baskets} baskets before {VALIDATION_FROM:%Y-%m-%d}, {len(known)} items; "
        f"validation: {len(task1)} baskets from {VALIDATION_FROM:%Y-%m-%d} to before "
        f"{CUT:%Y-%m-%d} with at least 2 known items (the test split, from {CUT:%Y-%m-%d}, "
        "is not used)\n"
    )
    current = defaults()
    settings = grid()
    if not any(same(setting, current) for setting in settings):
        print("the current defaults are not in the grid")
        return 1
    header = f"{'setting':<52} {'task1 hit@10':>12} {'task2 hit@10':>12} {'task2 prec@10':>13} "
    header += f"{'mean hit':>8}"
    print(header)
    print("-" * len(header))
    results: list[tuple[Setting, Figures]] = []
    counts_key: tuple[object, object] | None = None
    for setting in settings:
        model = attrs.evolve(FrequentlyBoughtTogether(), **setting)
        key = (setting["basket_weight"], setting["max_basket_size"])
        if key != counts_key:
            counts = model.counts(fit)
            counts_key = key
        model.fit_counts(counts)
        figures = evaluate(model, task1, task2)
        results.append((setting, figures))
        hit1, hit2, prec2 = figures
        print(
            f"{label(setting):<52} {hit1:>12.3f} {hit2:>12.3f} {prec2:>13.3f} "
            f"{(hit1 + hit2) / 2:>8.4f}"
        )

    def rank_key(item: tuple[int, tuple[Setting, Figures]]) -> tuple[float, bool, int]:
        order, (setting, (hit1, hit2, _)) = item
        # rounded, so that equal hit counts tie whatever the floating-point sums' last bits
        return (-round((hit1 + hit2) / 2, 9), not same(setting, current), order)

    ranked = [item for _, item in sorted(enumerate(results), key=rank_key)]
    print("\nbest ten by the mean of task 1 and task 2 hit@10:")
    for place, (setting, (hit1, hit2, prec2)) in enumerate(ranked[:10], start=1):
        print(
            f"{place:>3}. {label(setting):<52} {hit1:.3f} {hit2:.3f} {prec2:.3f} "
            f"{(hit1 + hit2) / 2:.4f}"
        )
    place = next(n for n, (setting, _) in enumerate(ranked, start=1) if same(setting, current))
    hit1, hit2, prec2 = ranked[place - 1][1]
    print(
        f"\ncurrent defaults ({label(current)}): rank {place} of {len(ranked)}, "
        f"{hit1:.3f} {hit2:.3f} {prec2:.3f} {(hit1 + hit2) / 2:.4f}"
    )
    chosen = ranked[0][0]
    verdict = "the current defaults" if same(chosen, current) else "differs from the defaults"
    print(f"chosen: {label(chosen)} ({verdict})")
    print(f"{len(results)} settings in {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
