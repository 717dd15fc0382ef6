"""Write ``src/shopkit/metrics/data/customers.csv``, the repeat summary the CLV docs fit on.

Every customer of the UCI Online Retail data set (Chen, Sain and Guo, 2012; UCI Machine
Learning Repository) with an order, as ``shopkit.datasets.read_online_retail`` reads it
(cancellations are refunds, not orders), summarised by ``CustomerPartial.repeat`` in days as of
2011-12-10 00:00 UTC, the day after the last invoice: frequency (repeat days with an order),
recency and T in days, and the mean spend of a repeat day in GBP, to the penny. Customer ids
are the data set's own.

Run: ``.venv/bin/python tools/make_clv_sample.py [path/to/online_retail.csv.gz]`` (default:
``../shared/datasets/online_retail.csv.gz``).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from shopkit.datasets import read_online_retail
from shopkit.metrics import CustomerPartial

ROOT = Path(__file__).resolve().parents[1]
AT = dt.datetime(2011, 12, 10, tzinfo=dt.UTC)


def main() -> None:
    default = ROOT.parent / "shared" / "datasets" / "online_retail.csv.gz"
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else default
    data = read_online_retail(source)
    summary = CustomerPartial.of(data.orders, data.refunds).repeat(AT)
    lines = ["customer,frequency,recency,T,monetary"]
    for row in zip(
        summary.customers,
        summary.frequency,
        summary.recency,
        summary.T,
        summary.monetary,
        strict=True,
    ):
        customer, frequency, recency, age, monetary = row
        lines.append(f"{customer},{int(frequency)},{int(recency)},{int(age)},{monetary:.2f}")
    target = ROOT / "src" / "shopkit" / "metrics" / "data" / "customers.csv"
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines) - 1} customers to {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
