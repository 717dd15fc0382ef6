"""The registry of KPI kinds: a KPI in a config is named by its type name (``{"type": "aov"}``).

The built-in KPIs are registered here, and third-party ones are found through the entry-point
group ``shopkit.kpis``, as every other kind is. A KPI whose fields are not plain data (a fitted
model, promotion windows keyed by pairs, an audience history) is built in code, not read from a
config: ``PredictedChurn``, ``AttachRate`` and ``FunnelAudiences`` are not registered.
"""

from __future__ import annotations

from shopkit import Registry, register_kind
from shopkit.metrics._kpi import Kpi

__all__ = ["kpis"]

_ORDERS = "shopkit.metrics._kpis_orders"
_SESSIONS = "shopkit.metrics._kpis_sessions"
_RETENTION = "shopkit.metrics._kpis_retention"
_MARKETING = "shopkit.metrics._kpis_marketing"
_SERVICE = "shopkit.metrics._kpis_service"
_EFFECT = "shopkit.metrics._effectiveness"

kpis: Registry[Kpi] = Registry(
    "shopkit.kpis",
    Kpi,
    builtins={
        "aov": f"{_ORDERS}:AverageOrderValue",
        "bounce_rate": f"{_SESSIONS}:BounceRate",
        "cac": f"{_MARKETING}:CustomerAcquisitionCost",
        "cart_abandonment": f"{_SESSIONS}:CartAbandonment",
        "ces": f"{_SERVICE}:CustomerEffortScore",
        "churn": f"{_RETENTION}:Churn",
        "cohorts": "shopkit.metrics._cohorts:CohortRetention",
        "conversion": f"{_SESSIONS}:ConversionRate",
        "csat": f"{_SERVICE}:CustomerSatisfaction",
        "ctr": f"{_SESSIONS}:ClickThroughRate",
        "customers": "shopkit.metrics._dashboard:CustomerCount",
        "delivery_time": f"{_SERVICE}:DeliveryTime",
        "first_contact_resolution": f"{_SERVICE}:FirstContactResolution",
        "funnel": f"{_SESSIONS}:Funnel",
        "gmv": f"{_ORDERS}:GrossMerchandiseValue",
        "incremental_revenue": f"{_EFFECT}:IncrementalRevenue",
        "ltv_to_cac": f"{_MARKETING}:LtvToCac",
        "nps": f"{_SERVICE}:NetPromoterScore",
        "on_time_delivery": f"{_SERVICE}:OnTimeDelivery",
        "orders": "shopkit.metrics._dashboard:OrderCount",
        "pages_per_session": f"{_SESSIONS}:PagesPerSession",
        "payback_period": f"{_MARKETING}:PaybackPeriod",
        "promotion_cost": f"{_EFFECT}:PromotionCost",
        "recommendation_add_to_cart_rate": f"{_EFFECT}:RecommendationAddToCartRate",
        "recommendation_feedback": f"{_EFFECT}:RecommendationFeedback",
        "recommended_revenue": f"{_EFFECT}:RecommendedRevenue",
        "refund_rate": f"{_ORDERS}:RefundRate",
        "repeat_purchase_rate": f"{_ORDERS}:RepeatPurchaseRate",
        "retention": f"{_RETENTION}:Retention",
        "revenue": f"{_ORDERS}:Revenue",
        "revenue_per_visitor": f"{_ORDERS}:RevenuePerVisitor",
        "roi": f"{_MARKETING}:ReturnOnInvestment",
        "session_duration": f"{_SESSIONS}:SessionDuration",
    },
)
"""KPI kinds by type name (entry-point group ``shopkit.kpis``)."""

register_kind(kpis)
