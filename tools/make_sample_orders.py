"""Make ``src/shopkit/recommend/data/orders.csv``: a slice of Online Retail baskets for the demo.

Source: the UCI "Online Retail" data set (Chen, D., Sain, S. L., Guo, K. (2012), "Data mining
for the online retail industry: A case study of RFM model-based customer segmentation using
data mining", Journal of Database Marketing and Customer Strategy Management 19(3); UCI
Machine Learning Repository), read from ``../shared/datasets/online_retail.csv.gz`` or the
path in ``SHOPKIT_ONLINE_RETAIL``.

Rules, in order:

1. Keep the rows that ``shopkit.datasets.read_online_retail`` keeps as orders: no cancellations
   (invoice numbers starting with ``C``), quantities and prices above zero.
2. Keep only the rows whose stock code is in the sample catalogue (the core's
   ``catalogue.json``, 60 products), so that every sku of the slice has a name, a price and
   categories.
3. Keep the invoices dated from 2011-09-01 on that still have at least 2 distinct stock codes.
4. Keep at most the first 800 of them (in date order) and write their rows unchanged, in the
   data set's own layout and column order, so ``shopkit evaluate`` reads the slice as it reads
   the whole file.

Run: ``.venv/bin/python tools/make_sample_orders.py``.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import sys
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "src" / "shopkit" / "data"
TARGET = ROOT / "src" / "shopkit" / "recommend" / "data" / "orders.csv"
FROM = "2011-09-01"
MAX_INVOICES = 800


def main() -> int:
    default = ROOT.parent / "shared" / "datasets" / "online_retail.csv.gz"
    source = Path(os.environ.get("SHOPKIT_ONLINE_RETAIL", default))
    if not source.exists():
        print(f"the Online Retail data set is not at {source}; set SHOPKIT_ONLINE_RETAIL")
        return 1
    catalogue = {item["sku"] for item in json.loads((DATA / "catalogue.json").read_text())}
    text = gzip.decompress(source.read_bytes()).decode("utf-8", errors="replace")
    reader = csv.reader(io.StringIO(text))
    header = next(reader)
    invoices: dict[str, list[list[str]]] = {}
    for row in reader:
        invoice, code, _, quantity, date, price = row[:6]
        if invoice.startswith("C") or int(quantity) <= 0 or Decimal(price) <= 0:
            continue
        if code not in catalogue or date[:10] < FROM:
            continue
        invoices.setdefault(invoice, []).append(row)
    kept = [rows for rows in invoices.values() if len({row[1] for row in rows}) >= 2]
    kept = kept[:MAX_INVOICES]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for rows in kept:
        writer.writerows(rows)
    target = TARGET
    target.write_text(out.getvalue(), encoding="utf-8")
    lines = sum(len(rows) for rows in kept)
    print(f"wrote {target.relative_to(ROOT)}: {len(kept)} invoices, {lines} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
