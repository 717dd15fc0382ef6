"""The import-layer contract covers every core module (so a new one cannot slip past it)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import shopkit

DOMAINS = {"shopkit.pricing", "shopkit.recommend", "shopkit.loyalty", "shopkit.metrics"}


def contracts() -> list[dict[str, Any]]:
    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    config = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    result: list[dict[str, Any]] = config["tool"]["importlinter"]["contracts"]
    return result


def test_the_domain_packages_are_declared_independent() -> None:
    (independence,) = [c for c in contracts() if c["type"] == "independence"]
    assert set(independence["modules"]) == DOMAINS


def test_every_core_module_is_forbidden_the_domains_and_the_cli() -> None:
    (forbidden,) = [c for c in contracts() if c["type"] == "forbidden"]
    package = Path(shopkit.__file__).parent
    core = {
        f"shopkit.{path.stem}"
        for path in package.glob("*.py")
        if path.stem not in {"__init__", "cli", "__main__"}
    }
    assert core == set(forbidden["source_modules"])
    assert set(forbidden["forbidden_modules"]) == DOMAINS | {"shopkit.cli"}
