"""``shopkit ab``: an experiment's counts in, the analysis out (table and JSON)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shopkit.cli import main

COUNTS = {
    "experiment": {
        "name": "checkout-banner",
        "arms": [{"name": "control", "weight": 2}, {"name": "banner"}, {"name": "banner-10"}],
        "primary_metric": "conversion",
        "guardrails": ["gross_margin_per_visitor", "discount_per_visitor"],
    },
    "counts": [
        {"arm": "control", "units": 2000, "conversions": 200, "orders": 210,
         "revenue": "10500.00 GBP", "discount": "0.00 GBP", "cost": "6300.00 GBP"},
        {"arm": "banner", "units": 1000, "conversions": 115, "orders": 120,
         "revenue": "5880.00 GBP", "discount": "120.00 GBP", "cost": "3600.00 GBP"},
        {"arm": "banner-10", "units": 1000, "conversions": 140, "orders": 150,
         "revenue": "6750.00 GBP", "discount": "750.00 GBP", "cost": "4500.00 GBP"},
    ],
}  # fmt: skip


@pytest.fixture(autouse=True)
def plain_console(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")


@pytest.fixture
def counts(tmp_path: Path) -> Path:
    path = tmp_path / "counts.json"
    path.write_text(json.dumps(COUNTS), encoding="utf-8")
    return path


def test_ab_prints_the_analysis(counts: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ab", str(counts)]) == 0
    out = capsys.readouterr().out
    # 2000 / 1000 / 1000 against 2:1:1: χ² = 0
    assert "χ² = 0.000, p = 1 against the weights 2:1:1 — ok" in out
    # banner-10: 0.14 against 0.10, z = 0.04/√(0.12·0.88·(1/2000 + 1/1000)) = 0.04/0.012586 = 3.178
    # with the pooled rate of the two arms: (200 + 140)/3000 = 0.113333,
    # se = √(0.113333·0.886667·0.0015) = 0.012278, z = 3.258
    assert "3.258" in out
    assert "£2.25" in out  # margin per visitor of banner-10: (6750 − 4500)/1000
    assert (
        "Guardrail breached: 'banner-10' is worse than the control on discount_per_visitor" in out
    )


def test_ab_json(counts: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ab", str(counts), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    arms = report["analysis"]["arms"]
    assert [arm["arm"] for arm in arms] == ["control", "banner", "banner-10"]
    assert arms[2]["gross_margin_per_visitor"] == {"amount": "2.25", "currency": "GBP"}
    assert 0.1 < report["minimum_detectable_rate"] < 0.2


def test_ab_errors_name_the_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = json.loads(json.dumps(COUNTS))
    bad["counts"][1]["conversions"] = 5000
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad), encoding="utf-8")
    assert main(["ab", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("shopkit: counts.counts[1].conversions:")
    assert err.count("\n") == 1


def test_ab_draws_the_effects(
    counts: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("matplotlib")
    folder = tmp_path / "pictures"
    assert main(["ab", str(counts), "--plot", str(folder)]) == 0
    assert f"wrote {folder / 'effects.png'}" in capsys.readouterr().out
    assert (folder / "effects.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_ab_reads_toml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "counts.toml"
    path.write_text(
        """
[experiment]
name = "banner"
arms = [{ name = "control" }, { name = "banner" }]

[[counts]]
arm = "control"
units = 1000
conversions = 100

[[counts]]
arm = "banner"
units = 1000
conversions = 130
""",
        encoding="utf-8",
    )
    assert main(["ab", str(path)]) == 0
    # 100/1000 against 130/1000: z = 0.03/√(0.115·0.885·0.002) = 2.103, p = 0.0355
    out = capsys.readouterr().out
    assert "2.103" in out
    assert "0.03549" in out
