"""Each package's ``__all__`` is exactly its public names, and every one is documented."""

from __future__ import annotations

import importlib
import inspect
from types import ModuleType

import pytest

PACKAGES = [
    "shopkit",
    "shopkit.errors",
    "shopkit.pricing",
    "shopkit.datasets",
    "shopkit.pricing.plugin",
    "shopkit.testing.pricing",
    "shopkit.recommend",
    "shopkit.recommend.plugin",
    "shopkit.testing.recommend",
    "shopkit.loyalty",
    "shopkit.loyalty.plugin",
    "shopkit.metrics",
    "shopkit.metrics.plugin",
    "shopkit.testing",
    "shopkit.testing.strategies",
    "shopkit.validators",
    "shopkit.storefront",
    "shopkit.dask",
    "shopkit.cli",
    "shopkit.cli.demo",
    "shopkit.cli.kpi",
    "shopkit.cli.loyalty",
    "shopkit.cli.pricing",
    "shopkit.cli.recommend",
    "shopkit.cli.schema",
    "shopkit.cli.clv",
    "shopkit.cli.ab",
]


def public_names(module: ModuleType) -> set[str]:
    """Names a reader of the module would take for its API: no underscore, not a module.

    A class or function counts when it is defined in the module, below it (a package re-exports
    ``shopkit.pricing._engine``), or in a private module beside it (``shopkit._validators`` for
    ``shopkit.validators``); one imported from elsewhere only to be used is not API.
    """
    name = module.__name__
    if hasattr(module, "__path__"):
        homes: tuple[str, ...] = (f"{name}.",)
    else:
        homes = (f"{name.rpartition('.')[0]}._",)

    def own(value: object) -> bool:
        if not (inspect.isclass(value) or inspect.isfunction(value)):
            return True
        where = getattr(value, "__module__", "") or ""
        return where == name or where.startswith(homes)

    return {
        key
        for key, value in vars(module).items()
        if not key.startswith("_")
        and not inspect.ismodule(value)
        and key != "annotations"
        and getattr(value, "__module__", None) != "typing"
        and own(value)
    }


def isort_order(name: str) -> tuple[int, str]:
    """The order ruff's RUF022 keeps ``__all__`` in: CONSTANTS, then Classes, then the rest."""
    if name.isupper() or (name.upper() == name and "_" in name):
        return (0, name)
    if name[:1].isupper():
        return (1, name)
    return (2, name)


def test_the_order_is_ruffs() -> None:
    # RUF022 puts constants first, then classes, then functions, each alphabetical
    names = ["price", "Money", "DEMO_AT", "Cart", "allocate", "LOYALTY_AT", "__version__"]
    assert sorted(names, key=isort_order) == [
        "DEMO_AT", "LOYALTY_AT", "Cart", "Money", "__version__", "allocate", "price",
    ]  # fmt: skip


@pytest.mark.parametrize("name", PACKAGES)
def test_all_is_sorted_and_lists_every_public_name(name: str) -> None:
    module = importlib.import_module(name)
    exported = list(module.__all__)
    for lazy in exported:  # a name a module loads on first use (shopkit.OrderTable) is public too
        getattr(module, lazy)
    assert exported == sorted(exported, key=isort_order)
    assert set(exported) - {"__version__"} == public_names(module)


@pytest.mark.parametrize("name", PACKAGES)
def test_every_public_name_has_a_docstring(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__doc__
    for exported in module.__all__:
        value = getattr(module, exported)
        if inspect.isclass(value) or inspect.isfunction(value):
            assert inspect.getdoc(value), f"{name}.{exported} has no docstring"
            for member_name, member in vars(value).items():
                if member_name.startswith("_") or not callable(member):
                    continue
                assert inspect.getdoc(member), f"{name}.{exported}.{member_name} has no docstring"
