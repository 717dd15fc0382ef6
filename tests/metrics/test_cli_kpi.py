"""``shopkit kpi``: the dashboard of an orders file as a table or JSON, a breakdown, pictures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shopkit.cli import kpi, main
from tests.metrics.test_partials import RETAIL

PLAIN = (
    "order_id,at,customer,sku,quantity,unit_price,currency,channel\n"
    "o1,2024-01-05T10:00:00+00:00,c1,MUG,2,5.00,GBP,web\n"
    "o2,2024-01-20T10:00:00+00:00,c2,TEA,1,3.00,GBP,app\n"
    "o3,2024-02-02T10:00:00+00:00,c1,TEA,1,4.00,GBP,web\n"
)


@pytest.fixture
def orders(tmp_path: Path) -> Path:
    path = tmp_path / "orders.csv"
    path.write_text(PLAIN, encoding="utf-8")
    return path


def test_the_dashboard_as_json(orders: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kpi", str(orders), "--format", "json"]) == 0
    rows = dict(json.loads(capsys.readouterr().out)["kpis"]["rows"])
    # 3 orders, 2 customers, revenue 10 + 3 + 4 = 17.00, AOV 17 / 3 = 5.666… → 5.67
    assert rows["orders"] == 3
    assert rows["customers"] == 2
    assert rows["revenue (GBP)"] == {"amount": "17.00", "currency": "GBP"}
    assert rows["aov (GBP)"] == {"amount": "5.67", "currency": "GBP"}
    assert rows["repeat purchase rate"] == 0.5  # c1 ordered twice, c2 once
    assert "net revenue (GBP)" not in rows  # a plain file has no refunds: not known


def test_a_window_and_a_breakdown(orders: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["kpi", str(orders), "--from", "2024-01-01", "--to", "2024-02-01", "--by", "channel"]
    assert main([*argv, "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert dict(out["kpis"]["rows"])["orders"] == 2  # January: o1, o2
    by = {row[0]: dict(zip(out["by"]["columns"], row, strict=True)) for row in out["by"]["rows"]}
    assert by["web"]["revenue (GBP)"] == {"amount": "10.00", "currency": "GBP"}
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "KPIs of orders.csv" in printed
    assert "by channel" in printed


def test_pictures_and_online_retail(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("matplotlib")
    path = tmp_path / "retail.csv"
    path.write_text(RETAIL, encoding="utf-8")
    assert main(["kpi", str(path), "--plot", str(tmp_path / "pictures")]) == 0
    printed = capsys.readouterr().out
    assert "net revenue" in printed  # the cancellation is a refund
    assert (tmp_path / "pictures" / "cohorts.png").read_bytes()[:4] == b"\x89PNG"
    assert (tmp_path / "pictures" / "trend.png").exists()


def test_mistakes_are_one_line(orders: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kpi", str(orders), "--from", "2024-01-01"]) == 1
    assert capsys.readouterr().err == "shopkit: --from: --from and --to go together\n"
    with pytest.raises(SystemExit) as exit_:
        main(["kpi", str(orders), "--from", "soon", "--to", "2024-02-01"])
    assert exit_.value.code == 2
    assert "is not an ISO 8601 date" in capsys.readouterr().err
    assert main(["kpi", str(orders.parent / "missing.csv")]) == 1
    assert "cannot read" in capsys.readouterr().err


def test_many_chunks_give_the_same_dashboard(
    orders: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["kpi", str(orders), "--format", "json"]) == 0
    whole = capsys.readouterr().out
    monkeypatch.setattr(kpi, "CHUNK_ROWS", 1)  # every order line its own chunk
    assert main(["kpi", str(orders), "--format", "json"]) == 0
    assert capsys.readouterr().out == whole


def test_the_dashboard_of_chosen_kpis(
    orders: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chosen = tmp_path / "kpis.json"
    chosen.write_text('[{"type": "orders"}, {"type": "aov", "per": "customer"}]', "utf-8")
    assert main(["kpi", str(orders), "--kpis", str(chosen), "--format", "json"]) == 0
    # (10 + 4) for c1 and 3 for c2: 17.00 / 2 customers = 8.50
    assert json.loads(capsys.readouterr().out)["kpis"]["rows"] == [
        ["orders", 3],
        ["aov per customer (GBP)", {"amount": "8.50", "currency": "GBP"}],
    ]
    chosen.write_text('[{"type": "aov", "per": "basket"}]', "utf-8")
    assert main(["kpi", str(orders), "--kpis", str(chosen)]) == 1
    assert "kpis[0].per: 'basket' is not one of order, customer" in capsys.readouterr().err
