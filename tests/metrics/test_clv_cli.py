"""``shopkit clv``: a year of simulated orders in the Online Retail layout, fitted and ranked."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest

from shopkit.cli import main


@pytest.fixture(autouse=True)
def plain_console(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")


@pytest.fixture(scope="module")
def orders(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300 customers buying over 2011 (BG/NBD-like), one line per invoice, and one refund."""
    rng = np.random.default_rng(2)
    start = dt.datetime(2011, 1, 1)
    lines = ["InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country"]
    invoice = 500000
    for customer in range(300):
        rate, dropout = rng.gamma(1.0, 1 / 40), rng.beta(1.0, 4.0)
        day = rng.uniform(0, 200)
        price = round(float(rng.gamma(4, 2.5)), 2) + 0.5
        while day < 364:
            invoice += 1
            when = (start + dt.timedelta(days=day)).strftime("%Y-%m-%d %H:%M:%S")
            lines.append(f"{invoice},22423,CAKESTAND,1,{when},{price:.2f},{13000 + customer}.0,UK")
            if rng.random() < dropout:
                break
            day += rng.exponential(1 / rate)
    lines.append("C900000,22423,CAKESTAND,-1,2011-06-01 10:00:00,5.00,13000.0,UK")
    path = tmp_path_factory.mktemp("clv") / "orders.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_clv_prints_the_fit_and_the_most_valuable_customers(
    orders: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["clv", str(orders), "--top", "3"]) == 0
    out = capsys.readouterr().out
    assert "300 customers as of 2011-12-" in out
    assert "BG/NBD" in out
    assert "Gamma-Gamma" in out
    assert "Total predicted value of all customers: £" in out


def test_clv_json_is_ranked_by_value(orders: Path, capsys: pytest.CaptureFixture[str]) -> None:
    at = "2012-01-01T00:00:00+00:00"
    assert main(["clv", str(orders), "--format", "json", "--top", "5", "--at", at]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["at"] == at
    assert set(report["parameters"]) == {"BG/NBD", "Gamma-Gamma"}
    values = [float(row["clv"]["amount"]) for row in report["top"]]
    assert len(values) == 5
    assert values == sorted(values, reverse=True)
    assert all(0 <= row["p_alive"] <= 1 for row in report["top"])


def test_clv_writes_its_pictures(
    orders: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("matplotlib")
    folder = tmp_path / "pictures"
    assert main(["clv", str(orders), "--plot", str(folder)]) == 0
    out = capsys.readouterr().out
    assert f"wrote {folder / 'p_alive.png'}" in out
    for name in ("repeat_purchases.png", "p_alive.png"):
        assert (folder / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_clv_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["clv", str(tmp_path / "missing.csv")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("shopkit: orders: cannot read")
    # the shipped sample orders span 3.5 weeks: too short for the dropout to be estimated
    sample = Path(__file__).resolve().parents[2] / "src/shopkit/recommend/data/orders.csv"
    assert main(["clv", str(sample)]) == 1
    err = capsys.readouterr().err
    assert "the data do not fit the BG/NBD model" in err
    assert err.count("\n") == 1
