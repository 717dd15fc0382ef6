"""The ``shopkit`` command: demo, --version, usage errors and the installed console script."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

import shopkit.storefront
from shopkit import Money, ValidationError, json_schema
from shopkit.cli import main


@pytest.fixture(autouse=True)
def plain_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """Plain text, wide enough that no table cell wraps, whatever the caller's terminal."""
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")


def run_demo(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["demo", *args]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    return captured.out


def test_demo_prints_the_sample_cart(capsys: pytest.CaptureFixture[str]) -> None:
    out = run_demo(capsys)
    # src/shopkit/data/cart.json, line by line:
    #   22423  Regency Cakestand 3 Tier          1 × £12.75 = £12.75
    #   85123A White Hanging Heart T-Light Holder 4 × £2.95 = £11.80
    #   20725  Lunch Bag Red Retrospot           3 × £1.65 = £4.95
    #   22699  Roses Regency Teacup And Saucer   2 × £2.95 = £5.90
    # subtotal 12.75 + 11.80 + 4.95 + 5.90 = £35.40; standard shipping £4.95;
    # total 35.40 + 4.95 = £40.35.
    assert "Customer c-17850: segments regular, 3 earlier orders, United Kingdom, web" in out
    for sku, name in [
        ("22423", "Regency Cakestand 3 Tier"),
        ("85123A", "White Hanging Heart T-Light Holder"),
        ("20725", "Lunch Bag Red Retrospot"),
        ("22699", "Roses Regency Teacup And Saucer"),
    ]:
        assert sku in out
        assert name in out
    for line_total in ["£12.75", "£11.80", "£4.95", "£5.90"]:
        assert line_total in out
    assert re.search(r"^Subtotal\s+£35\.40$", out, re.MULTILINE)
    assert re.search(r"^Shipping\s+£4\.95\s+\(Standard delivery \(3-5 days\)\)$", out, re.MULTILINE)
    assert re.search(r"^Total\s+£40\.35$", out, re.MULTILINE)


def test_demo_spreads_five_pounds_over_the_lines_exactly(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = run_demo(capsys)
    # 500 pence in proportion to the line totals 1275, 1180, 495, 590 (sum 3540):
    #   500 × 1275 / 3540 = 180.08…  → 180
    #   500 × 1180 / 3540 = 166.67…  → 166
    #   500 ×  495 / 3540 =  69.92…  →  69
    #   500 ×  590 / 3540 =  83.33…  →  83   (floors sum to 498)
    # The 2 pence left go to the largest remainders, .92 (20725) and .67 (85123A):
    #   180, 167, 70, 83 → £1.80, £1.67, £0.70, £0.83, which sum to £5.00.
    rows = {
        sku: share
        for sku, share in re.findall(r"│ (\w+)\s+│\s+£[\d.]+ │\s+(£[\d.]+) │", out)
        if sku in {"22423", "85123A", "20725", "22699", "sum"}
    }
    assert rows == {
        "22423": "£1.80",
        "85123A": "£1.67",
        "20725": "£0.70",
        "22699": "£0.83",
        "sum": "£5.00",
    }


def test_demo_in_another_locale(capsys: pytest.CaptureFixture[str]) -> None:
    out = run_demo(capsys, "--locale", "de_DE")
    # German: decimal comma, the symbol after a no-break space.
    assert Money.of("35.40", "GBP").format("de_DE") == "35,40\xa0£"
    assert re.search(r"^Subtotal\s+35,40\xa0£$", out, re.MULTILINE)
    assert re.search(r"^Total\s+40,35\xa0£$", out, re.MULTILINE)


def test_demo_error_is_reported_with_status_1(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_sample() -> object:
        raise ValidationError("0 is not at least 1", field="lines[0].quantity", value=0)

    monkeypatch.setattr(shopkit.storefront, "demo_story", broken_sample)
    assert main(["demo"]) == 1
    captured = capsys.readouterr()
    assert captured.err == "shopkit: lines[0].quantity: 0 is not at least 1\n"


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out == "shopkit 0.1.0\n"
    assert version("shopkit") == "0.1.0"


def test_schema_of_an_unknown_type_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["schema", "invoice"])
    assert info.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "invalid choice: 'invoice'" in captured.err


@pytest.mark.parametrize("argv", [[], ["refund"]])
def test_missing_or_unknown_command_is_a_usage_error(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    assert capsys.readouterr().err.startswith("usage: shopkit")


def console_script() -> Path:
    """The ``shopkit`` script pip installed next to this interpreter."""
    script = Path(sys.executable).parent / ("shopkit.exe" if sys.platform == "win32" else "shopkit")
    assert script.is_file(), f"no console script at {script}; is shopkit installed?"
    return script


def test_console_script_help() -> None:
    result = subprocess.run(
        [str(console_script()), "--help"], capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: shopkit")
    assert "demo" in result.stdout
    assert "schema" in result.stdout


def test_console_script_schema(tmp_path: Path) -> None:
    path = tmp_path / "money.json"
    result = subprocess.run(
        [str(console_script()), "schema", "money", "--output", str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert json.loads(path.read_text(encoding="utf-8")) == json_schema(Money)


# -- shopkit price --------------------------------------------------------------------------


def test_price_prints_the_sample_cart_priced(capsys: pytest.CaptureFixture[str]) -> None:
    data = Path(shopkit.__file__).parent / "data"
    status = main(
        [
            "price",
            str(data / "cart.json"),
            str(data.parent / "pricing" / "data" / "promotions.json"),
            "--customer",
            str(data / "customer.json"),
            "--at",
            "2026-11-27T12:00:00+00:00",
        ]
    )
    out = capsys.readouterr().out
    assert status == 0
    # 20% off the 4 T-light holders: 11.80 × 0.2 = 2.36; 3 lunch bags for the price of 2:
    # 1.65 off; second teacup at half price: 2.95 / 2 = 1.475 → 1.48 (half up).
    # 2.36 + 1.65 + 1.48 = 5.49 off 35.40 = 29.91, plus 4.95 shipping = 34.86
    assert "-£5.49" in out
    assert "£34.86" in out
    # £5 off from £50 is compared with 29.91 after line discounts: 50.00 − 29.91 = 20.09
    assert "Add 20.09 GBP more for 5.00 GBP off the order" in out


def test_price_as_json_reads_back(capsys: pytest.CaptureFixture[str]) -> None:
    from shopkit.pricing import PricedCart

    data = Path(shopkit.__file__).parent / "data"
    status = main(
        [
            "price",
            str(data / "cart.json"),
            str(data.parent / "pricing" / "data" / "promotions.json"),
            "--at",
            "2026-11-27T12:00:00+00:00",
            "--format",
            "json",
        ]
    )
    assert status == 0
    priced = shopkit.from_json(capsys.readouterr().out, PricedCart)
    # a guest (no customer given) is on a first order, so the welcome 10% applies too
    assert any(a.promotion_id == "welcome-10" for a in priced.applied)
    assert priced.total == priced.subtotal - priced.discount + priced.shipping


def test_price_with_a_missing_file_says_which(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(
        ["price", "/no/such/cart.json", "/no/such/promotions.json", "--at", "2026-11-27T00:00:00Z"]
    )
    assert status == 1
    assert "cart: cannot read /no/such/cart.json" in capsys.readouterr().err


def test_price_refuses_a_time_without_offset(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["price", "a.json", "b.json", "--at", "2026-11-27"])
    assert info.value.code == 2
    assert "has no UTC offset" in capsys.readouterr().err


def test_price_with_issued_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = Path(shopkit.__file__).parent / "data"
    cart = json.loads((data / "cart.json").read_text(encoding="utf-8"))
    cart["codes"] = ["gift-2026", "nope"]
    (tmp_path / "cart.json").write_text(json.dumps(cart), encoding="utf-8")
    promotions = [
        {
            "id": "gift",
            "name": "Gift code: 5.00 off",
            "benefit": {"type": "fixed_off", "amounts": {"GBP": "5.00"}},
            "issued_codes": True,
        }
    ]
    (tmp_path / "promotions.json").write_text(json.dumps(promotions), encoding="utf-8")
    codes = [{"code": "GIFT-2026", "promotion_id": "gift"}]
    (tmp_path / "codes.json").write_text(json.dumps(codes), encoding="utf-8")
    status = main(
        [
            "price",
            str(tmp_path / "cart.json"),
            str(tmp_path / "promotions.json"),
            "--codes",
            str(tmp_path / "codes.json"),
            "--at",
            "2026-11-27T12:00:00+00:00",
            "--format",
            "json",
        ]
    )
    assert status == 0
    priced = json.loads(capsys.readouterr().out)
    # 35.40 − 5.00 = 30.40, plus 4.95 shipping = 35.35
    assert priced["total"] == {"amount": "35.35", "currency": "GBP"}
    assert [(c["code"], c["status"]) for c in priced["codes"]] == [
        ("gift-2026", "applied"),
        ("nope", "unknown"),
    ]
