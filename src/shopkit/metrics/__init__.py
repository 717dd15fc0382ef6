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
from shopkit.metrics._guards import (
    SampleRatioCheck,
    SequentialTest,
    adjust_p_values,
    sample_ratio_check,
    sequential_two_proportions,
)
from shopkit.metrics._planning import (
    minimum_detectable_effect,
    power_two_proportions,
    sample_size_two_proportions,
)
from shopkit.metrics._rfm import RfmRules, Segment, rfm_segments, with_segments
from shopkit.metrics._stats import (
    RatioTest,
    TestResult,
    cuped,
    ratio_test,
    two_proportion_test,
    welch_test,
)

# -- end of the clv part's imports --------------------------------------------------------------

# -- KPIs, breakdowns, cohorts, effectiveness, audiences and their pictures (the kpi part) -----
# isort: split
from shopkit.metrics import _kinds as _kinds  # registers the KPI kinds with the converter
from shopkit.metrics._audiences import Audience, AudienceKind, FunnelAudiences
from shopkit.metrics._breakdown import Breakdown, BreakdownPartial, breakdown, periods
from shopkit.metrics._cohorts import CohortRetention, CohortTable
from shopkit.metrics._dashboard import (
    CustomerCount,
    Dashboard,
    DashboardPartial,
    OrderCount,
)
from shopkit.metrics._effectiveness import (
    AttachRate,
    IncrementalRevenue,
    PromotionCost,
    PromotionCostResult,
    RecommendationAddToCartRate,
    RecommendationFeedback,
    RecommendedRevenue,
    aov_dynamics,
)
from shopkit.metrics._inputs import (
    Deliveries,
    Refunds,
    ShopData,
    Spend,
    Survey,
    SurveyScale,
    Tickets,
    Window,
)
from shopkit.metrics._kpi import Kpi, KpiPartial
from shopkit.metrics._kpis_marketing import (
    CustomerAcquisitionCost,
    LtvToCac,
    PaybackPeriod,
    ReturnOnInvestment,
)
from shopkit.metrics._kpis_orders import (
    AverageOrderValue,
    GrossMerchandiseValue,
    RefundRate,
    RepeatPurchaseRate,
    Revenue,
    RevenuePerVisitor,
)
from shopkit.metrics._kpis_retention import AliveModel, Churn, PredictedChurn, Retention
from shopkit.metrics._kpis_service import (
    CustomerEffortScore,
    CustomerSatisfaction,
    DeliveryTime,
    FirstContactResolution,
    NetPromoterScore,
    OnTimeDelivery,
)
from shopkit.metrics._kpis_sessions import (
    BounceRate,
    CartAbandonment,
    ClickThroughRate,
    ConversionRate,
    Funnel,
    FunnelResult,
    PagesPerSession,
    SessionDuration,
)
from shopkit.metrics._loaders import load_orders
from shopkit.metrics._plots import plot_cohorts, plot_funnel, plot_trend
from shopkit.metrics._table import KpiTable, format_cell
from shopkit.metrics._variants import (
    AbandonmentStage,
    AveragePer,
    BounceDefinition,
    ConversionPer,
    Newcomers,
    Period,
    RefundBasis,
)

# -- end of the kpi part's imports --------------------------------------------------------------

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

# -- the kpi part's names -----------------------------------------------------------------------
__all__ += [
    "AbandonmentStage",
    "AliveModel",
    "AttachRate",
    "Audience",
    "AudienceKind",
    "AverageOrderValue",
    "AveragePer",
    "BounceDefinition",
    "BounceRate",
    "Breakdown",
    "BreakdownPartial",
    "CartAbandonment",
    "Churn",
    "ClickThroughRate",
    "CohortRetention",
    "CohortTable",
    "ConversionPer",
    "ConversionRate",
    "CustomerAcquisitionCost",
    "CustomerCount",
    "CustomerEffortScore",
    "CustomerSatisfaction",
    "Dashboard",
    "DashboardPartial",
    "Deliveries",
    "DeliveryTime",
    "FirstContactResolution",
    "Funnel",
    "FunnelAudiences",
    "FunnelResult",
    "GrossMerchandiseValue",
    "IncrementalRevenue",
    "Kpi",
    "KpiPartial",
    "KpiTable",
    "LtvToCac",
    "NetPromoterScore",
    "Newcomers",
    "OnTimeDelivery",
    "OrderCount",
    "PagesPerSession",
    "PaybackPeriod",
    "Period",
    "PredictedChurn",
    "PromotionCost",
    "PromotionCostResult",
    "RecommendationAddToCartRate",
    "RecommendationFeedback",
    "RecommendedRevenue",
    "RefundBasis",
    "RefundRate",
    "Refunds",
    "RepeatPurchaseRate",
    "Retention",
    "ReturnOnInvestment",
    "Revenue",
    "RevenuePerVisitor",
    "SessionDuration",
    "ShopData",
    "Spend",
    "Survey",
    "SurveyScale",
    "Tickets",
    "Window",
    "aov_dynamics",
    "breakdown",
    "format_cell",
    "load_orders",
    "periods",
    "plot_cohorts",
    "plot_funnel",
    "plot_trend",
]
# -- end of the kpi part's names ----------------------------------------------------------------

__all__.sort()
