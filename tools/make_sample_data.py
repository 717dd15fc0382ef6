"""Regenerate the sample catalogue shipped in ``src/shopkit/data/`` from the Online Retail data.

Source: the UCI "Online Retail" data set (Chen, Sain and Guo, 2012, Journal of Database Marketing
and Customer Strategy Management 19(3)), at ``../shared/datasets/online_retail.csv.gz``.

What it keeps: the 60 stock codes bought on the most invoices, counting only sales (no
cancellations, positive quantity and price, codes that start with five digits, i.e. products, not
postage or fees); each product's price is the price it was sold at most often (ties: the lower).
Categories and tags are derived from words of the description (the data has none); attributes
carry the product's colour where the description names one. Nothing is invented beyond that.

Run from the project root:  python tools/make_sample_data.py [PATH-TO-CSV.GZ]
"""

from __future__ import annotations

import collections
import csv
import gzip
import json
import re
import sys
from decimal import Decimal
from pathlib import Path

CATEGORIES = [
    ("Christmas", ("CHRISTMAS", "XMAS")),
    ("Bags", ("BAG",)),
    ("Lighting", ("T-LIGHT", "TEALIGHT", "LANTERN", "CANDLE", "LIGHT")),
    (
        "Kitchen",
        (
            "MUG",
            "CUP",
            "TEA",
            "PLATE",
            "BOWL",
            "CAKE",
            "CAKESTAND",
            "TEACUP",
            "JAM",
            "LUNCH BOX",
            "BAKING",
            "JAR",
        ),
    ),
    ("Stationery", ("CARD", "WRAP", "PAPER", "NOTEBOOK", "PENCIL", "STICKER")),
    ("Home decor", ("HEART", "SIGN", "FRAME", "CLOCK", "DOORMAT", "CUSHION", "BUNTING")),
]
COLOURS = ("RED", "PINK", "WHITE", "BLUE", "GREEN", "BLACK", "IVORY")
# The sample cart: four best sellers; shipping options are sample configuration, not data.
CART_LINES = (("22423", 1), ("85123A", 4), ("20725", 3), ("22699", 2))
SHIPPING_OPTIONS = [
    {
        "id": "standard",
        "name": "Standard delivery (3-5 days)",
        "price": {"amount": "4.95", "currency": "GBP"},
    },
    {
        "id": "express",
        "name": "Express delivery (next day)",
        "price": {"amount": "9.95", "currency": "GBP"},
    },
]
TAGS = (("VINTAGE", "vintage"), ("RETRO", "retro"), ("REGENCY", "regency"), ("JUMBO", "jumbo"))


def main(path: Path) -> None:
    invoices: dict[str, set[str]] = collections.defaultdict(set)
    prices: dict[str, collections.Counter[Decimal]] = collections.defaultdict(collections.Counter)
    names: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            code = row["StockCode"]
            if row["InvoiceNo"].startswith("C") or not re.match(r"^\d{5}", code):
                continue
            if int(row["Quantity"]) <= 0 or Decimal(row["UnitPrice"]) <= 0:
                continue
            invoices[code].add(row["InvoiceNo"])
            prices[code][Decimal(row["UnitPrice"])] += 1
            if row["Description"].strip():
                names[code][row["Description"].strip()] += 1
    top = sorted(invoices, key=lambda code: (-len(invoices[code]), code))[:60]
    products = []
    for code in top:
        name = " ".join(names[code].most_common(1)[0][0].split()).rstrip(".")
        price = min(prices[code], key=lambda p: (-prices[code][p], p))
        words = name.upper()
        categories = [
            label
            for label, keys in CATEGORIES
            if any(re.search(rf"\b{re.escape(k)}S?\b", words) for k in keys)
        ]
        product: dict[str, object] = {
            "sku": code,
            "name": name.title(),
            "unit_price": {"amount": str(price.quantize(Decimal("0.01"))), "currency": "GBP"},
            "categories": categories or ["Gifts"],
        }
        tags = [tag for key, tag in TAGS if key in words]
        if tags:
            product["tags"] = tags
        colours = [c.lower() for c in COLOURS if re.search(rf"\b{c}\b", words)]
        if colours:
            product["attributes"] = {"colour": colours[0]}
        products.append(product)
    out = Path("src/shopkit/data")
    (out / "catalogue.json").write_text(json.dumps(products, indent=2) + "\n", encoding="utf-8")
    by_sku = {product["sku"]: product for product in products}
    cart = {
        "currency": "GBP",
        "lines": [{"product": by_sku[sku], "quantity": quantity} for sku, quantity in CART_LINES],
        "shipping_options": SHIPPING_OPTIONS,
        "shipping_method": "standard",
        "prices_include_tax": True,
    }
    (out / "cart.json").write_text(json.dumps(cart, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {len(products)} products and a cart of {len(CART_LINES)} lines to {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/datasets/online_retail.csv.gz"))
