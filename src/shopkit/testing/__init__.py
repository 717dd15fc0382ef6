"""shopkit.testing: hypothesis strategies and contract tests shipped for plugin authors.

Install with the ``testing`` extra (``pip install "shopkit[testing]"``, which brings pytest and
hypothesis). A plugin author proves a new kind behaves by running the contract that shopkit's own
built-in kinds pass; the contracts are pytest mixins, importable from here or from their module:

- ``shopkit.testing.strategies``: hypothesis strategies for money, products, carts and customers;
- ``shopkit.testing.pricing``: ``SelectorContract``, ``ConditionContract``, ``BenefitContract``,
  ``RedemptionStoreContract`` and ``redemption_state_machine``, and strategies for promotions;
- ``shopkit.testing.recommend``: ``RecommenderContract`` and strategies for requests (it needs
  ``shopkit[recommend]``, since a recommender needs numpy).

Loyalty rules and metric calculators get their contracts here, beside these, as those parts land.
Importing this package loads no contract module; each loads on first use, so a pricing plugin's
tests never import numpy. Nothing in shopkit imports this package (an import-linter contract
checks it); it imports the parts it tests.

Examples:
    >>> from shopkit.testing import BenefitContract
    >>> from shopkit.testing.pricing import BenefitContract as same
    >>> BenefitContract is same
    True
"""

from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

if _TYPE_CHECKING:  # the names as mypy sees them; at run time each loads on first use
    from shopkit.testing.pricing import (
        BenefitContract,
        ConditionContract,
        RedemptionStoreContract,
        SelectorContract,
        redemption_state_machine,
    )
    from shopkit.testing.recommend import RecommenderContract

_LAZY = {
    "BenefitContract": "shopkit.testing.pricing",
    "ConditionContract": "shopkit.testing.pricing",
    "RecommenderContract": "shopkit.testing.recommend",
    "RedemptionStoreContract": "shopkit.testing.pricing",
    "SelectorContract": "shopkit.testing.pricing",
    "redemption_state_machine": "shopkit.testing.pricing",
}


def __getattr__(name: str) -> _Any:
    """Load a contract's module the first time the contract is asked for."""
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'shopkit.testing' has no attribute {name!r}")


__all__ = [
    "BenefitContract",
    "ConditionContract",
    "RecommenderContract",
    "RedemptionStoreContract",
    "SelectorContract",
    "redemption_state_machine",
]
