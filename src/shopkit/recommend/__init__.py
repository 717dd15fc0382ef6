"""Recommendations: cross-sell and upsell strategies behind one interface, and their evaluation.

This package imports the core (``shopkit``) only, never another domain package; the
import-layer contract in ``pyproject.toml`` checks it. Its strategies land with the
recommendations issue.
"""

__all__: list[str] = []
