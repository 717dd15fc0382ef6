"""``shopkit loyalty status``, ``tiers`` and ``what-if`` on the shipped samples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shopkit.cli import main

SRC = Path(__file__).resolve().parents[2] / "src" / "shopkit"
PROGRAMME = str(SRC / "loyalty" / "data" / "programme.json")
LEDGER = str(SRC / "loyalty" / "data" / "ledger.json")
ORDERS = str(SRC / "recommend" / "data" / "orders.csv")


@pytest.fixture(autouse=True)
def plain_console(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(list(args)) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    return captured.out


def test_status_shows_the_tier_and_what_it_takes(capsys: pytest.CaptureFixture[str]) -> None:
    out = run(
        capsys,
        "loyalty",
        "status",
        PROGRAMME,
        LEDGER,
        "--customer",
        "ana",
        "--at",
        "2025-12-31T00:00:00+00:00",
    )
    # gold with 1840.00 counted; March 2026 takes her to 1490.00, 10.00 short, with the
    # downgrade after 30 days' grace on 14 April (docs/loyalty/tiers.md works it out)
    assert "tier gold (£1,840.00 counted)" in out
    assert "keep: spend 10.00 GBP more by 2026-04-14 for gold" in out
    assert "points: 2179 available, 225 pending" in out
    data = json.loads(
        run(
            capsys,
            "loyalty",
            "status",
            PROGRAMME,
            LEDGER,
            "--customer",
            "ben",
            "--at",
            "2025-12-31T00:00:00+00:00",
            "--format",
            "json",
        )
    )
    # ben: 400.00 counted after his refund, 100.00 short of silver
    assert data["tier"] == "bronze"
    assert data["next_tier"]["amount"] == {"amount": "100.00", "currency": "GBP"}


def test_tiers_prints_the_distribution(capsys: pytest.CaptureFixture[str]) -> None:
    out = run(capsys, "loyalty", "tiers", PROGRAMME, ORDERS)
    assert "Tiers of 647 customers" in out
    assert "bronze │       610 │ 94.3%" in out
    data = json.loads(run(capsys, "loyalty", "tiers", PROGRAMME, ORDERS, "--format", "json"))
    assert data["tiers"] == {"bronze": 610, "silver": 30, "gold": 7}


def test_what_if_against_itself_shows_no_move(capsys: pytest.CaptureFixture[str]) -> None:
    out = run(
        capsys,
        "loyalty",
        "what-if",
        PROGRAMME,
        PROGRAMME,
        LEDGER,
        "--at",
        "2025-12-31T00:00:00+00:00",
    )
    assert "0 customers move tier" in out
    assert "4,724 → 4,724" in out  # the points earned by all three members, unchanged


def test_a_bad_ledger_is_one_line_naming_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "ledger.json"
    bad.write_text(
        '[{"type": "refund", "id": "r", "order": "nope", "at": "2025-01-01T00:00:00+00:00"}]'
    )
    assert (
        main(
            [
                "loyalty",
                "status",
                PROGRAMME,
                str(bad),
                "--customer",
                "c",
                "--at",
                "2025-12-31T00:00:00+00:00",
            ]
        )
        == 1
    )
    err = capsys.readouterr().err
    assert err == "shopkit: ledger.Refund 'r'.order: order 'nope' is not in the ledger\n"
