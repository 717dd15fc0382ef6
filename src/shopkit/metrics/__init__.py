"""Metrics: KPI calculators, cohorts, predictive CLV and A/B experiment analysis.

This package imports the core (``shopkit``) only, never another domain package; the
import-layer contract in ``pyproject.toml`` checks it.
"""

# -- customers, segments, predictive CLV and experiments (the clv part) -------------------------
from shopkit.metrics._clv import BgNbd, ConvergenceError, GammaGamma, MbgNbd, clv, to_money
from shopkit.metrics._customers import CustomerPartial, CustomerSummary, RepeatSummary

# -- end of the clv part's imports --------------------------------------------------------------

__all__: list[str] = []

# -- the clv part's names -----------------------------------------------------------------------
__all__ += [
    "BgNbd",
    "ConvergenceError",
    "CustomerPartial",
    "CustomerSummary",
    "GammaGamma",
    "MbgNbd",
    "RepeatSummary",
    "clv",
    "to_money",
]
# -- end of the clv part's names ----------------------------------------------------------------

__all__.sort()
