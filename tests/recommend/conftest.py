"""Fixtures of the recommend tests: a small hand-made order book and the real data set."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from shopkit import Order
from shopkit.datasets import RetailData, read_online_retail
from shopkit.recommend import Interactions

ROOT = Path(__file__).resolve().parents[2]
AT = dt.datetime(2024, 3, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def four_orders() -> Interactions:
    """Four baskets worked by hand in the tests: A B C / A B / A D / B C."""
    return Interactions.from_orders(
        [
            Order("o1", ["A", "B", "C"], AT, customer="ann", region="UK", segment="vip"),
            Order("o2", ["A", "B"], AT + dt.timedelta(days=1), customer="bob", region="UK"),
            Order("o3", ["A", "D"], AT + dt.timedelta(days=2), customer="ann", region="FR"),
            Order("o4", ["B", "C"], AT + dt.timedelta(days=3), region="FR", segment="vip"),
        ]
    )


def online_retail_path() -> Path:
    default = ROOT.parent / "shared" / "datasets" / "online_retail.csv.gz"
    return Path(os.environ.get("SHOPKIT_ONLINE_RETAIL", default))


@pytest.fixture(scope="session")
def online_retail() -> RetailData:
    """The UCI Online Retail data set, read once per test session."""
    path = online_retail_path()
    if not path.exists():
        pytest.skip(
            f"the Online Retail data set is not at {path}; set SHOPKIT_ONLINE_RETAIL to run "
            "the tests on real data"
        )
    return read_online_retail(path)
