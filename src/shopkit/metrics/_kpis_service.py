"""Service KPIs: NPS, CSAT, customer effort, first-contact resolution and delivery.

A window counts the answers given, the tickets opened and the parcels shipped in it.

- **NPS** = (promoters, 9–10, − detractors, 0–6) ÷ answers: a score in [−1, 1] (× 100 for the
  usual −100…100).
- **CSAT** = answers of ``satisfied_from`` (4) or more on the 1–5 scale ÷ answers.
- **CES** = the mean answer on the 1–7 scale (higher is easier): a score in [1, 7].
- **First-contact resolution** = resolved tickets that took one contact ÷ resolved tickets.
- **On-time delivery** = parcels delivered by their promised time ÷ parcels delivered.
- **Delivery time** = the mean time from shipping to delivery of the parcels delivered,
  in seconds.
"""

from __future__ import annotations

from typing import ClassVar

import attrs

from shopkit import validators as check
from shopkit.metrics._inputs import SurveyScale, Window
from shopkit.metrics._kpi import Kpi, exact_sum, rate, within
from shopkit.metrics._partials import IntArray
from shopkit.metrics._summaries import DeliverySummary, Summaries, SurveySummary, TicketSummary

__all__ = [
    "CustomerEffortScore",
    "CustomerSatisfaction",
    "DeliveryTime",
    "FirstContactResolution",
    "NetPromoterScore",
    "OnTimeDelivery",
]


def _answers(
    summaries: Summaries, scale: SurveyScale, window: Window | None
) -> tuple[IntArray, IntArray]:
    """The scores and their counts of one survey's answers given in ``window``."""
    surveys: SurveySummary = summaries.get("surveys")  # type: ignore[assignment]
    columns = surveys.columns
    mask = (columns["scale"] == list(SurveyScale).index(scale)) & within(columns["at"], window)
    return columns["score"][mask], columns["count"][mask]


@attrs.frozen
class NetPromoterScore(Kpi):
    """NPS: (promoters − detractors) ÷ answers, in [−1, 1]; promoters 9–10, detractors 0–6."""

    name: ClassVar[str] = "nps"
    needs: ClassVar[frozenset[str]] = frozenset({"surveys"})

    def evaluate(self, summaries: Summaries, window: Window | None) -> float | None:
        """NPS of the answers given in ``window``."""
        score, count = _answers(summaries, SurveyScale.NPS, window)
        promoters = int(count[score >= 9].sum())
        detractors = int(count[score <= 6].sum())
        return rate(promoters - detractors, int(count.sum()))


@attrs.frozen
class CustomerSatisfaction(Kpi):
    """CSAT: answers of ``satisfied_from`` or more (on 1–5) ÷ answers.

    Attributes:
        satisfied_from: The lowest satisfied answer (default 4: "satisfied" and "very").
    """

    name: ClassVar[str] = "csat"
    needs: ClassVar[frozenset[str]] = frozenset({"surveys"})

    satisfied_from: int = attrs.field(default=4, kw_only=True, validator=check.positive_int)

    def evaluate(self, summaries: Summaries, window: Window | None) -> float | None:
        """CSAT of the answers given in ``window``."""
        score, count = _answers(summaries, SurveyScale.CSAT, window)
        return rate(int(count[score >= self.satisfied_from].sum()), int(count.sum()))


@attrs.frozen
class CustomerEffortScore(Kpi):
    """CES: the mean answer on the 1–7 scale, higher meaning easier; in [1, 7]."""

    name: ClassVar[str] = "ces"
    needs: ClassVar[frozenset[str]] = frozenset({"surveys"})

    def evaluate(self, summaries: Summaries, window: Window | None) -> float | None:
        """CES of the answers given in ``window``."""
        score, count = _answers(summaries, SurveyScale.CES, window)
        return rate(exact_sum(score * count), int(count.sum()))


@attrs.frozen
class FirstContactResolution(Kpi):
    """Resolved tickets that took a single contact ÷ resolved tickets (opened in the window)."""

    name: ClassVar[str] = "first contact resolution"
    needs: ClassVar[frozenset[str]] = frozenset({"tickets"})

    def evaluate(self, summaries: Summaries, window: Window | None) -> float | None:
        """First-contact resolution of the tickets opened in ``window``."""
        tickets: TicketSummary = summaries.get("tickets")  # type: ignore[assignment]
        columns = tickets.columns
        resolved = within(columns["at"], window) & (columns["resolved"] == 1)
        once = resolved & (columns["contacts"] == 1)
        return rate(int(columns["count"][once].sum()), int(columns["count"][resolved].sum()))


def _delivered(
    summaries: Summaries, window: Window | None
) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    deliveries: DeliverySummary = summaries.get("deliveries")  # type: ignore[assignment]
    columns = deliveries.columns
    mask = within(columns["shipped"], window) & (columns["delivered"] >= 0)
    return (
        columns["shipped"][mask],
        columns["promised"][mask],
        columns["delivered"][mask],
        columns["count"][mask],
    )


@attrs.frozen
class OnTimeDelivery(Kpi):
    """Parcels delivered by their promised time ÷ parcels delivered (shipped in the window)."""

    name: ClassVar[str] = "on-time delivery"
    needs: ClassVar[frozenset[str]] = frozenset({"deliveries"})

    def evaluate(self, summaries: Summaries, window: Window | None) -> float | None:
        """The on-time rate of the parcels shipped in ``window`` and delivered."""
        _, promised, delivered, count = _delivered(summaries, window)
        return rate(int(count[delivered <= promised].sum()), int(count.sum()))


@attrs.frozen
class DeliveryTime(Kpi):
    """The mean seconds from shipping to delivery of the parcels delivered."""

    name: ClassVar[str] = "delivery time"
    needs: ClassVar[frozenset[str]] = frozenset({"deliveries"})

    def evaluate(self, summaries: Summaries, window: Window | None) -> float | None:
        """The mean delivery time (seconds) of the parcels shipped in ``window``."""
        shipped, _, delivered, count = _delivered(summaries, window)
        return rate(exact_sum((delivered - shipped) * count), int(count.sum()))
