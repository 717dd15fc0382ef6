"""Choose how many neighbours frequently bought together keeps, on the basket validation split.

Pruning each item's row to its best K partners at fit time makes requests and batches faster;
too small a K loses partners a cart needs. K is chosen here on the validation split of
``benchmarks/tune_recommend.py`` (fit on the invoices before 2011-10-09, validate on those up
to 2011-11-09, the benchmark's test invoices dropped first), with the same tasks, seeds and
metrics: for K in 25, 50, 100, 200, 400 and no pruning, task 1's and task 2's hit rate at 10
and their mean, and the time to answer all validation carts of task 1 in one batch. The chosen
K is the smallest whose mean hit rate is at least 98 % of the unpruned model's: pruning is a
trade of a little quality for speed, and 2 % is the price this script accepts.

Run: ``.venv/bin/python benchmarks/recommend_tune_neighbours.py`` (about a minute).
"""

from __future__ import annotations

import sys
import time

from tune_recommend import VALIDATION_FROM, evaluate

from recommend import CUT, data_path, tasks
from shopkit.datasets import read_online_retail
from shopkit.recommend import FrequentlyBoughtTogether, Interactions, time_split

CHOICES: tuple[int | None, ...] = (25, 50, 100, 200, 400, None)


def main() -> int:
    path = data_path()
    if not path.exists():
        print(f"the Online Retail data set is not at {path}; set SHOPKIT_ONLINE_RETAIL")
        return 1
    before_test, _ = time_split(Interactions.from_tables(read_online_retail(path).orders), CUT)
    fit, validation = time_split(before_test, VALIDATION_FROM)
    _, task1, task2 = tasks(fit, validation)
    means: dict[int | None, float] = {}
    for keep in CHOICES:
        model = FrequentlyBoughtTogether(neighbours=keep).fit(fit)
        hit1, hit2, prec2 = evaluate(model, task1, task2)
        start = time.perf_counter()
        model.recommend_batch([case.request for case in task1])
        rate = len(task1) / (time.perf_counter() - start)
        means[keep] = (hit1 + hit2) / 2
        print(
            f"neighbours {keep!s:>4}: task1 hit@10 {hit1:.4f}  task2 hit@10 {hit2:.4f}  "
            f"precision@10 {prec2:.4f}  mean hit {means[keep]:.4f}  batch {rate:,.0f} carts/s"
        )
    chosen = next(k for k in CHOICES if means[k] >= 0.98 * means[None])
    print(f"chosen: neighbours {chosen}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
