"""A command imports only what it needs: no domain for ``--help``, no recommend for ``price``.

Each case runs in a fresh interpreter, so that nothing imported by other tests hides an import.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[2] / "src" / "shopkit" / "data"
AT = "2026-11-27T12:00:00+00:00"
HEAVY = ["numpy", "scipy", "shopkit.recommend"]
WATCHED = [*HEAVY, "rich", "shopkit.pricing", "shopkit.storefront"]

PROGRAM = """
import contextlib, io, json, sys
from shopkit.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    try:
        status = main(json.loads(sys.argv[1]))
    except SystemExit as exit:
        status = exit.code
loaded = [name for name in json.loads(sys.argv[2]) if name in sys.modules]
print(json.dumps({"status": status, "loaded": loaded}))
"""


def loaded_after(argv: list[str]) -> tuple[int, set[str]]:
    """Run ``main(argv)`` in a fresh interpreter; its status and which watched modules it loaded."""
    result = subprocess.run(
        [sys.executable, "-c", PROGRAM, json.dumps(argv), json.dumps(WATCHED)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    report = json.loads(result.stdout)
    return report["status"], set(report["loaded"])


def test_help_loads_no_domain_and_not_rich() -> None:
    status, loaded = loaded_after(["--help"])
    assert status == 0
    assert loaded == set()


@pytest.mark.parametrize("output", ["table", "json"])
def test_price_loads_pricing_and_never_recommend(output: str) -> None:
    promotions = DATA.parent / "pricing" / "data" / "promotions.json"
    argv = ["price", str(DATA / "cart.json"), str(promotions), "--at", AT]
    status, loaded = loaded_after([*argv, "--format", output])
    assert status == 0
    assert "shopkit.pricing" in loaded  # the check sees what a command does import
    assert not loaded & {*HEAVY, "shopkit.storefront"}


@pytest.mark.parametrize("name", ["cart", "promotions", "priced-cart", "money"])
def test_schema_of_a_core_or_pricing_type_never_loads_recommend(name: str) -> None:
    status, loaded = loaded_after(["schema", name])
    assert status == 0
    assert not loaded & set(HEAVY)


def test_schema_of_a_recommend_type_loads_recommend() -> None:
    # the control case: the same check does see shopkit.recommend when a command needs it
    status, loaded = loaded_after(["schema", "recommender"])
    assert status == 0
    assert "shopkit.recommend" in loaded
