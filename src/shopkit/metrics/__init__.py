"""Metrics: KPI calculators, cohorts, predictive CLV and A/B experiment analysis.

This package imports the core (``shopkit``) only, never another domain package; the
import-layer contract in ``pyproject.toml`` checks it.
"""

__all__: list[str] = []
