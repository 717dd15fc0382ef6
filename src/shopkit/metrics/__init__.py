"""Metrics: KPI calculators, cohorts, predictive CLV and A/B experiment analysis.

This package imports the core (``shopkit``) only, never another domain package; the
import-layer contract in ``pyproject.toml`` checks it.
"""

# -- customers, segments, predictive CLV and experiments (the clv part) -------------------------
from shopkit.metrics._clv import BgNbd, ConvergenceError, GammaGamma, MbgNbd, clv, to_money
from shopkit.metrics._clv_plots import plot_p_alive, plot_repeat_purchases
from shopkit.metrics._customers import (
    CustomerPartial,
    CustomerSummary,
    RepeatSummary,
    sample_repeat_summary,
)
from shopkit.metrics._experiments import (
    Analysis,
    Arm,
    ArmCounts,
    ArmReport,
    Experiment,
    ExperimentCounts,
    Metric,
    analyse,
)
from shopkit.metrics._experiments_plots import plot_effects, plot_sequential
from shopkit.metrics._rfm import RfmRules, Segment, rfm_segments, with_segments
from shopkit.metrics._stats import (
    RatioTest,
    SampleRatioCheck,
    SequentialTest,
    TestResult,
    adjust_p_values,
    cuped,
    minimum_detectable_effect,
    power_two_proportions,
    ratio_test,
    sample_ratio_check,
    sample_size_two_proportions,
    sequential_two_proportions,
    two_proportion_test,
    welch_test,
)

# -- end of the clv part's imports --------------------------------------------------------------

__all__: list[str] = []

# -- the clv part's names -----------------------------------------------------------------------
__all__ += [
    "Analysis",
    "Arm",
    "ArmCounts",
    "ArmReport",
    "BgNbd",
    "ConvergenceError",
    "CustomerPartial",
    "CustomerSummary",
    "Experiment",
    "ExperimentCounts",
    "GammaGamma",
    "MbgNbd",
    "Metric",
    "RatioTest",
    "RepeatSummary",
    "RfmRules",
    "SampleRatioCheck",
    "Segment",
    "SequentialTest",
    "TestResult",
    "adjust_p_values",
    "analyse",
    "clv",
    "cuped",
    "minimum_detectable_effect",
    "plot_effects",
    "plot_p_alive",
    "plot_repeat_purchases",
    "plot_sequential",
    "power_two_proportions",
    "ratio_test",
    "rfm_segments",
    "sample_ratio_check",
    "sample_repeat_summary",
    "sample_size_two_proportions",
    "sequential_two_proportions",
    "to_money",
    "two_proportion_test",
    "welch_test",
    "with_segments",
]
# -- end of the clv part's names ----------------------------------------------------------------

__all__.sort()
