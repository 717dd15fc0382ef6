"""Every user mistake is one line on stderr, ``shopkit: <what>: <why>``, and a non-zero exit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from shopkit import Money, from_json, sample_cart, to_toml
from shopkit.cli import main
from shopkit.pricing import PricedCart

DATA = Path(__file__).resolve().parents[2] / "src" / "shopkit" / "data"
CART = str(DATA / "cart.json")
PROMOTIONS = str(DATA.parent / "pricing" / "data" / "promotions.json")
AT = "2026-11-27T12:00:00+00:00"


@pytest.fixture(autouse=True)
def plain_console(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")


def failing(capsys: pytest.CaptureFixture[str], argv: list[str], status: int = 1) -> str:
    """Run ``main(argv)``: expect ``status``, no output, and return the one line on stderr."""
    if status == 2:
        with pytest.raises(SystemExit) as info:
            main(argv)
        assert info.value.code == 2
    else:
        assert main(argv) == status
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1, captured.err
    assert captured.err.endswith("\n")
    return captured.err.removesuffix("\n")


# -- files -------------------------------------------------------------------------------------


def test_a_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "cart.json"
    line = failing(capsys, ["price", str(missing), PROMOTIONS, "--at", AT])
    assert line == f"shopkit: cart: cannot read {missing}: No such file or directory"


def test_a_directory_given_as_a_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    line = failing(capsys, ["price", CART, str(tmp_path), "--at", AT])
    assert line == f"shopkit: promotions: cannot read {tmp_path}: Is a directory"


@pytest.mark.skipif(
    sys.platform == "win32" or os.geteuid() == 0,
    reason="root reads a file whatever its permissions, so chmod 000 cannot make it unreadable",
)
def test_an_unreadable_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    locked = tmp_path / "customer.json"
    locked.write_text("{}", encoding="utf-8")
    locked.chmod(0)
    line = failing(capsys, ["price", CART, PROMOTIONS, "--customer", str(locked), "--at", AT])
    assert line == f"shopkit: customer: cannot read {locked}: Permission denied"


def test_a_file_that_is_not_utf8(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    latin1 = tmp_path / "cart.json"
    latin1.write_bytes('{"currency": "GBP", "note": "£"}'.encode("latin-1"))
    # '{"currency": "GBP", "note": "' is 29 bytes; the pound sign is 0xa3 in Latin-1
    line = failing(capsys, ["price", str(latin1), PROMOTIONS, "--at", AT])
    assert line == f"shopkit: cart: cannot read {latin1}: not UTF-8 text (byte 0xa3 at offset 29)"


def test_malformed_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    broken = tmp_path / "promotions.json"
    broken.write_text('[{"id": "x",\n  "name": }]', encoding="utf-8")
    line = failing(capsys, ["price", CART, str(broken), "--at", AT])
    assert line == "shopkit: promotions: malformed JSON at line 2 column 11: Expecting value"


def test_malformed_toml(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    broken = tmp_path / "cart.toml"
    broken.write_text('currency = "GBP"\nlines = [', encoding="utf-8")
    line = failing(capsys, ["price", str(broken), PROMOTIONS, "--at", AT])
    assert line.startswith("shopkit: cart: malformed TOML: ")


def test_a_document_that_does_not_fit_names_the_input_and_the_path(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    promotions = tmp_path / "promotions.json"
    promotions.write_text(
        json.dumps([{"id": "x", "name": "X", "benefit": {"type": "percentage", "percent": "120"}}]),
        encoding="utf-8",
    )
    line = failing(capsys, ["price", CART, str(promotions), "--at", AT])
    assert line == "shopkit: promotions[0].benefit.percent: 120 is not between 0 and 100"


def test_several_problems_are_still_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    cart = tmp_path / "cart.json"
    cart.write_text('{"currency": "GBP", "lines": 3, "colour": "red"}', encoding="utf-8")
    line = failing(capsys, ["price", str(cart), PROMOTIONS, "--at", AT])
    assert line == "shopkit: cart.lines: 3 is not a list; cart: unknown keys ['colour']"


def test_a_cart_in_toml_is_read_like_json(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    cart = tmp_path / "cart.toml"
    cart.write_text(to_toml(sample_cart()), encoding="utf-8")
    assert main(["price", str(cart), PROMOTIONS, "--at", AT, "--format", "json"]) == 0
    priced = from_json(capsys.readouterr().out, PricedCart)
    # the sample cart as a guest: the same 35.40 as from cart.json
    assert priced.subtotal == Money.of("35.40", "GBP")


def test_an_output_file_that_cannot_be_written(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    line = failing(capsys, ["schema", "money", "--output", str(tmp_path)])
    assert line == f"shopkit: output: cannot write {tmp_path}: Is a directory"


def test_orders_that_cannot_be_read_are_named_orders(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    line = failing(capsys, ["evaluate", str(tmp_path)])
    assert line == f"shopkit: orders: cannot read {tmp_path}: Is a directory"


# -- options -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "why"),
    [
        ("2026-11-27", "'2026-11-27' has no UTC offset (add +00:00 or Z)"),
        ("yesterday", "'yesterday' is not an ISO 8601 date-time"),
    ],
)
def test_a_bad_moment(capsys: pytest.CaptureFixture[str], at: str, why: str) -> None:
    line = failing(capsys, ["price", CART, PROMOTIONS, "--at", at], status=2)
    assert line == f"shopkit: --at: {why}"


def test_a_bad_mode_lists_the_modes(capsys: pytest.CaptureFixture[str]) -> None:
    line = failing(capsys, ["price", CART, PROMOTIONS, "--mode", "cheapest"], status=2)
    assert line == "shopkit: --mode: 'cheapest' is not one of priority, best_for_customer"


def test_the_help_of_price_names_every_mode(capsys: pytest.CaptureFixture[str]) -> None:
    from shopkit.pricing import Mode

    with pytest.raises(SystemExit):
        main(["price", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert all(mode.value in help_text for mode in Mode)


def test_a_bad_locale(capsys: pytest.CaptureFixture[str]) -> None:
    line = failing(capsys, ["demo", "--locale", "xx_YY"], status=2)
    assert line == "shopkit: --locale: 'xx_YY' is not a known CLDR locale"


def test_an_unknown_schema_type(capsys: pytest.CaptureFixture[str]) -> None:
    line = failing(capsys, ["schema", "invoice"], status=2)
    assert line.startswith("shopkit: type: invalid choice: 'invoice'")


# -- output ------------------------------------------------------------------------------------


def shopkit(*args: str) -> list[str]:
    """The command line of a fresh ``shopkit`` process."""
    return [sys.executable, "-m", "shopkit.cli", *args]


@pytest.mark.parametrize(
    "argv",
    [["schema", "promotions"], ["price", CART, PROMOTIONS, "--at", AT]],
    ids=["json", "table"],
)
def test_a_broken_pipe_exits_quietly(argv: list[str]) -> None:
    # `shopkit … | head -c 10`, where head has gone before shopkit writes: the write end of a
    # pipe whose read end is closed fails every write with EPIPE.
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = subprocess.run(
            shopkit(*argv), stdout=write_end, stderr=subprocess.PIPE,
            text=True, check=False, timeout=120,
        )  # fmt: skip
    finally:
        os.close(write_end)
    assert (result.returncode, result.stderr) == (1, "")


def test_a_reader_that_stops_early_sees_no_error() -> None:
    # whether shopkit has written everything before head leaves is a race: either way, quiet
    script = '"$0" -m shopkit.cli schema promotions | head -c 10'
    result = subprocess.run(
        ["bash", "-c", script, sys.executable],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert result.stdout == '{\n  "$sche'
    assert result.stderr == ""


def test_a_closed_stdout() -> None:
    result = subprocess.run(
        ["sh", "-c", '"$0" -m shopkit.cli schema money >&-', sys.executable],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr == "shopkit: stdout: is closed, so there is nowhere to write to\n"


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
def test_a_full_disk() -> None:
    with Path("/dev/full").open("w") as full:
        result = subprocess.run(
            shopkit("schema", "money"), stdout=full, stderr=subprocess.PIPE,
            text=True, check=False, timeout=120,
        )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr == "shopkit: stdout: No space left on device\n"
