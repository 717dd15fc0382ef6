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
    "shopkit.pricing.plugin",
    "shopkit.testing.pricing",
    "shopkit.recommend",
    "shopkit.loyalty",
    "shopkit.metrics",
]


def public_names(module: ModuleType) -> set[str]:
    """Names a reader of the module would take for its API: no underscore, not a module."""
    return {
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and not inspect.ismodule(value)
        and name != "annotations"
        and getattr(value, "__module__", None) != "typing"
    }


@pytest.mark.parametrize("name", PACKAGES)
def test_all_is_sorted_and_lists_every_public_name(name: str) -> None:
    module = importlib.import_module(name)
    exported = list(module.__all__)
    assert exported == sorted(exported)
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
