"""Metrics: KPI calculators, cohorts, predictive CLV and A/B experiment analysis.

This package imports the core (``shopkit``) only, never another domain package; the
import-layer contract in ``pyproject.toml`` checks it.
"""

# KPIs, breakdowns, cohorts, effectiveness, audiences and plots (the kpi part)
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
    "AverageOrderValue",
    "AveragePer",
    "BounceDefinition",
    "BounceRate",
    "CartAbandonment",
    "Churn",
    "ClickThroughRate",
    "ConversionPer",
    "ConversionRate",
    "CustomerAcquisitionCost",
    "CustomerEffortScore",
    "CustomerSatisfaction",
    "Deliveries",
    "DeliveryTime",
    "FirstContactResolution",
    "Funnel",
    "FunnelResult",
    "GrossMerchandiseValue",
    "Kpi",
    "KpiPartial",
    "LtvToCac",
    "NetPromoterScore",
    "Newcomers",
    "OnTimeDelivery",
    "PagesPerSession",
    "PaybackPeriod",
    "Period",
    "PredictedChurn",
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
]
