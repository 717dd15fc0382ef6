"""Data for the shopkit.dask tests: an Online Retail slice and generated orders, as frames."""

from __future__ import annotations

import gzip
import itertools
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
import pytest

from shopkit.dask import order_frame

ROOT = Path(__file__).resolve().parents[2]
RETAIL_LINES = 25_000  # rows of the file: 24,330 order lines, 897 orders of 607 customers
START = 1_704_067_200  # 2024-01-01 00:00 UTC
DAY = 86_400


def generated_orders(n_orders: int, seed: int) -> pd.DataFrame:
    """Orders over 2024 by 300 customers (and guests), in GBP and JPY, on two channels.

    Each order has 1 to 5 lines of 40 skus; a tenth of the lines carry a discount (at most
    the line's total), a third of the orders a shipping amount on their first line. Every
    order's lines share its customer, channel, region, segment, currency and time.
    """
    rng = np.random.default_rng(seed)
    lines = rng.integers(1, 6, n_orders)
    order = np.repeat(np.arange(n_orders), lines)
    n = len(order)
    first = np.concatenate([[True], order[1:] != order[:-1]])
    customer = rng.integers(-60, 300, n_orders)  # below 0: a guest
    jpy = rng.random(n_orders) < 0.1
    quantity = rng.integers(1, 4, n)
    price = np.where(jpy[order], rng.integers(100, 5000, n), rng.integers(50, 9000, n))
    discount = np.where(rng.random(n) < 0.1, rng.integers(0, 100, n), 0)
    shipping = np.where(first & (rng.random(n_orders) < 0.3)[order], 395, 0)
    segments = np.array(["new", "regular", "vip", None], dtype=object)
    return pd.DataFrame(
        {
            "order": pd.Series([f"g{i:06d}" for i in order], dtype="str"),
            "sku": pd.Series([f"SKU-{i:02d}" for i in rng.integers(0, 40, n)], dtype="str"),
            "quantity": quantity,
            "unit_price": price,
            "currency": pd.Series(np.where(jpy[order], "JPY", "GBP"), dtype="str"),
            "at": START + np.sort(rng.integers(0, 365 * DAY, n_orders))[order],
            "discount": np.minimum(discount, quantity * price),
            "customer": pd.Series(
                [f"c{c:03d}" if c >= 0 else None for c in customer[order]], dtype="str"
            ),
            "channel": pd.Series(np.where(rng.random(n_orders) < 0.6, "web", "app")[order]),
            "region": pd.Series(np.array(["UK", "FR", "DE"])[rng.integers(0, 3, n_orders)][order]),
            "segment": pd.Series(segments[rng.integers(0, 4, n_orders)][order], dtype="str"),
            "shipping": shipping,
            "tax": np.full(n, -1),
        }
    )


def generated_events(n_sessions: int, seed: int) -> pd.DataFrame:
    """Sessions of 1 to 8 events (views, carts, checkouts, purchases) in 2024; a third logged in."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 9, n_sessions)
    session = np.repeat(np.arange(n_sessions), sizes)
    n = len(session)
    start = START + rng.integers(0, 365 * DAY, n_sessions)
    customer = np.where(rng.random(n_sessions) < 1 / 3, rng.integers(0, 300, n_sessions), -1)
    return pd.DataFrame(
        {
            "kind": rng.choice([0, 1, 1, 1, 2, 2, 3], n),
            "sku": pd.Series([f"SKU-{i:02d}" for i in rng.integers(0, 40, n)], dtype="str"),
            "at": start[session] + rng.integers(0, 1_800, n),
            "session": pd.Series([f"s{i:05d}" for i in session], dtype="str"),
            "customer": pd.Series(
                [f"c{c:03d}" if c >= 0 else None for c in customer[session]], dtype="str"
            ),
            "channel": pd.Series(np.where(rng.random(n_sessions) < 0.6, "web", "app")[session]),
        }
    )


@pytest.fixture(scope="session")
def events() -> pd.DataFrame:
    """1,000 generated sessions (about 4,500 events)."""
    return generated_events(1_000, seed=15)


@pytest.fixture(scope="session")
def generated() -> pd.DataFrame:
    """2,000 generated orders (about 6,000 lines)."""
    return generated_orders(2_000, seed=15)


def generated_refunds(orders: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Refunds of about a tenth of the priced orders, 1 to 14 days later; a fifth name no order.

    Each is 1 minor unit up to the order's line total (less discounts), in its currency.
    """
    rng = np.random.default_rng(seed)
    lines = orders.assign(total=orders["quantity"] * orders["unit_price"] - orders["discount"])
    per_order = lines.groupby("order", sort=False).agg(
        total=("total", "sum"), currency=("currency", "first"), at=("at", "first")
    )
    per_order = per_order[per_order["total"] > 0]
    chosen = per_order[rng.random(len(per_order)) < 0.1]
    n = len(chosen)
    named = rng.random(n) >= 0.2
    return pd.DataFrame(
        {
            "order": pd.Series(np.where(named, chosen.index.to_numpy(), None), dtype="str"),
            "amount": rng.integers(1, chosen["total"].to_numpy() + 1),
            "currency": pd.Series(chosen["currency"].to_numpy(), dtype="str"),
            "at": chosen["at"].to_numpy() + rng.integers(1, 15, n) * DAY,
        }
    )


@pytest.fixture(scope="session")
def refunds(generated: pd.DataFrame) -> pd.DataFrame:
    """Refunds of the generated orders (about 200)."""
    return generated_refunds(generated, seed=15)


@pytest.fixture(scope="session")
def retail(retail_data: Any) -> pd.DataFrame:
    """The first order lines of the UCI Online Retail data set (Chen, Sain and Guo, 2012)."""
    return order_frame(retail_data.orders)


@pytest.fixture(scope="session")
def retail_refund_lines(retail_data: Any) -> pd.DataFrame:
    """The cancelled units of the same rows, as order lines with positive quantities."""
    return order_frame(retail_data.refunds)


@pytest.fixture(scope="session")
def retail_data(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The file's first ``RETAIL_LINES`` rows (2010-12-01 to 2010-12-10), read with
    ``read_online_retail``: its orders, and its cancellations as refunds.
    """
    default = ROOT.parent / "shared" / "datasets" / "online_retail.csv.gz"
    path = Path(os.environ.get("SHOPKIT_ONLINE_RETAIL", default))
    if not path.exists():
        pytest.skip(f"the Online Retail data set is not at {path}; set SHOPKIT_ONLINE_RETAIL")
    from shopkit.datasets import read_online_retail

    with gzip.open(path, "rt", encoding="utf-8", newline="") as file:
        head = "".join(itertools.islice(file, RETAIL_LINES + 1))  # the header and the rows
    part = tmp_path_factory.mktemp("retail") / "head.csv"
    part.write_text(head, encoding="utf-8", newline="")
    return read_online_retail(part)
