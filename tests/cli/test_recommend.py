"""``shopkit recommend``, ``shopkit evaluate`` and the demo's recommendations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shopkit.cli import main

ORDERS = (
    Path(__file__).resolve().parents[2] / "src" / "shopkit" / "recommend" / "data" / "orders.csv"
)


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


def test_the_demo_shows_cross_sell_and_upsell_with_reasons(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = run(capsys, "demo")
    assert "Cross-sell at checkout" in out
    # the curated rule for the cake stand (12.75): cake cases at 0.55 are within half its price
    assert "21212" in out
    assert "Bake and serve: cases and cups for your cake stand" in out
    assert "Upsell on the product pages" in out
    # the lunch bag (1.65) steps up to a jumbo bag (2.08), 26 % dearer, in Bags
    assert "A step up from Lunch Bag Red Retrospot" in out


def test_recommend_saves_and_loads_a_model(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    model = tmp_path / "model.npz"
    table = run(capsys, "recommend", "--sku", "22423", "-k", "3", "--save", str(model))
    assert "Recommendations for 22423" in table
    assert "Bake and serve" not in table  # no placement: the default chain
    out = run(capsys, "recommend", "--model", str(model), "--sku", "22423", "--format", "json")
    found = json.loads(out)
    assert len(found) == 5
    assert found[0]["because"] == "22423"
    assert found[0]["reason"] == "Often bought with Regency Cakestand 3 Tier"
    checkout = json.loads(
        run(capsys, "recommend", "--model", str(model), "--sku", "22423",
            "--placement", "checkout", "--format", "json")
    )  # fmt: skip
    assert [item["sku"] for item in checkout[:3]] == ["21212", "21977", "22699"]


def test_recommend_for_a_cart_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    cart = Path(__file__).resolve().parents[2] / "src" / "shopkit" / "data" / "cart.json"
    out = json.loads(run(capsys, "recommend", str(cart), "--format", "json", "-k", "4"))
    assert len(out) == 4
    in_cart = {"22423", "85123A", "20725", "22699"}
    assert not in_cart & {item["sku"] for item in out}


def test_evaluate_prints_a_table_per_strategy(capsys: pytest.CaptureFixture[str]) -> None:
    out = run(capsys, "evaluate", str(ORDERS), "--split", "2011-09-20T00:00:00+00:00")
    for name in ("popular", "frequently_bought_together", "fallback"):
        assert f"{name} (fitted in" in out
    assert out.count("complete the cart") == 3
    assert out.count("bought together") >= 3
    assert "Hit@10" in out


def test_evaluate_with_strategies_from_json(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    strategies = tmp_path / "strategies.json"
    strategies.write_text('[{"type": "popular", "by": "region"}]')
    out = run(capsys, "evaluate", str(ORDERS), "--strategies", str(strategies), "-k", "5")
    assert "popular (fitted in" in out
    assert "Hit@5" in out


def test_bad_input_is_reported(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('[{"type": "magic"}]')
    assert main(["evaluate", str(ORDERS), "--strategies", str(bad)]) == 1
    assert "'magic' is not a known shopkit.recommenders type" in capsys.readouterr().err
    assert main(["recommend", "--model", str(tmp_path / "none.npz"), "--sku", "A"]) == 1
    assert "cannot read a saved model" in capsys.readouterr().err
    assert main(["evaluate", str(tmp_path / "none.csv")]) == 1
    assert "cannot read" in capsys.readouterr().err
    assert main(["evaluate", str(ORDERS), "--test-share", "1.5"]) == 1
    assert "test_share: 1.5 is not between 0 and 1" in capsys.readouterr().err


def test_evaluate_tests_on_the_latest_tenth_of_the_baskets_by_default(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    popular = tmp_path / "popular.json"
    popular.write_text('[{"type": "popular"}]', encoding="utf-8")
    # orders.csv has 800 invoices; sorted by their dates, 800 × (1 − 0.1) = 720 come before the
    # split, which is the date of the 721st: 2011-09-22 14:42 (the 720th is at 14:29).
    out = run(capsys, "evaluate", str(ORDERS), "--strategies", str(popular), "-k", "3")
    assert "Train: 720 baskets before 2011-09-22T14:42:00+00:00; test: 80 later baskets" in out


def test_the_default_strategies_of_evaluate_are_data() -> None:
    from shopkit import from_dict
    from shopkit.cli.recommend import EVALUATE_STRATEGIES
    from shopkit.recommend import Fallback, FrequentlyBoughtTogether, Popular, Recommender

    strategies = from_dict(list(EVALUATE_STRATEGIES), list[Recommender])
    assert strategies == [
        Popular(),
        FrequentlyBoughtTogether(),
        Fallback(strategies=[FrequentlyBoughtTogether(), Popular()]),
    ]
