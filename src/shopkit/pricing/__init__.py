"""Pricing: the promotions engine (selectors, conditions, benefits, stacking, codes, limits).

This package imports the core (:mod:`shopkit`) only, never another domain package; the
import-layer contract in ``pyproject.toml`` checks it. Its engine lands with the pricing issue.
"""

__all__: list[str] = []
