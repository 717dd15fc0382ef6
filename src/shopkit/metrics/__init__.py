"""Metrics: KPI calculators, cohorts, predictive CLV and A/B experiment analysis.

This package imports the core (``shopkit``) only, never another domain package; the
import-layer contract in ``pyproject.toml`` checks it.
"""

# KPIs, breakdowns, cohorts, effectiveness, audiences and plots (the kpi part)
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

__all__ = [
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
