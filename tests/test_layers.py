"""The import-layer contracts cover every module (so a new one cannot slip past them)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import shopkit

DOMAINS = {"shopkit.pricing", "shopkit.recommend", "shopkit.loyalty", "shopkit.metrics"}
ABOVE = {"shopkit.storefront", "shopkit.dask", "shopkit.testing", "shopkit.cli"}
PACKAGE = Path(shopkit.__file__).parent


def contracts() -> list[dict[str, Any]]:
    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    config = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    result: list[dict[str, Any]] = config["tool"]["importlinter"]["contracts"]
    return result


def forbidden(source: str) -> dict[str, Any]:
    """The one forbidden contract that lists ``source`` among its source modules."""
    (found,) = [
        c for c in contracts() if c["type"] == "forbidden" and source in c["source_modules"]
    ]
    return found


def subpackages() -> set[str]:
    return {f"shopkit.{path.parent.name}" for path in PACKAGE.glob("*/__init__.py")}


def test_the_domain_packages_are_declared_independent() -> None:
    (independence,) = [c for c in contracts() if c["type"] == "independence"]
    assert set(independence["modules"]) == DOMAINS


def test_the_layers_go_cli_storefront_domains() -> None:
    (layers,) = [c for c in contracts() if c["type"] == "layers"]
    top, middle, bottom = layers["layers"]
    assert top == "shopkit.cli"
    # the storefront and the Dask adapter: independent siblings above the domains
    assert {name.strip() for name in middle.split("|")} == {"shopkit.storefront", "shopkit.dask"}
    # "|" makes the domains independent siblings within their layer
    assert {name.strip() for name in bottom.split("|")} == DOMAINS


def test_every_core_module_is_forbidden_the_domains_and_every_layer_above() -> None:
    core_contract = forbidden("shopkit._money")
    core = {
        f"shopkit.{path.stem}"
        for path in PACKAGE.glob("*.py")
        if path.stem not in {"__init__", "__main__"}
    }
    assert core == set(core_contract["source_modules"])
    assert set(core_contract["forbidden_modules"]) == DOMAINS | ABOVE


def test_no_package_of_shopkit_may_import_the_testing_kit() -> None:
    testing = forbidden("shopkit.cli")
    assert testing["forbidden_modules"] == ["shopkit.testing"]
    # every package but the kit itself; the core modules are covered by the core's contract
    assert set(testing["source_modules"]) == subpackages() - {"shopkit.testing"}
    assert subpackages() >= DOMAINS | ABOVE


def test_the_architecture_page_names_every_private_module() -> None:
    # docs/architecture.md lists each package's modules by job: a module split or added
    # without a line there would leave the page behind the code.
    page = (Path(__file__).resolve().parents[1] / "docs" / "architecture.md").read_text("utf-8")
    modules = sorted(
        path.relative_to(PACKAGE).as_posix()
        for path in PACKAGE.rglob("_*.py")
        if not path.name.startswith("__")
    )
    assert modules  # the package's private modules were found
    missing = [module for module in modules if f"`{Path(module).stem}`" not in page]
    assert missing == []
