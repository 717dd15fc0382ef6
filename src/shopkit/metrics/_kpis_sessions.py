"""KPIs of sessions: conversion, bounce, pages, duration, abandonment, the funnel, CTR.

A session is the events sharing a session id; a window counts the sessions whose first event
is in it. A page view is a ``view`` event (a product page); a session's duration is the time
from its first event to its last (0 for a single event).

- **Conversion** per session: sessions with a purchase ÷ sessions; per user: visitors with a
  purchase ÷ visitors (a visitor is a customer id, or a guest session) — never orders ÷
  sessions.
- **Bounce rate**, GA4: sessions not engaged ÷ sessions, engaged meaning it lasted at least
  ``engaged_seconds`` (10 s), had a purchase, or had two or more page views; single-page:
  sessions of exactly one page view and no other event ÷ sessions.
- **Pages per session**: page views ÷ sessions. **Session duration**: mean duration, seconds.
- **Cart abandonment**: sessions that added to the cart (or started the checkout) without a
  purchase ÷ sessions that did.
- **Funnel** view → cart → checkout → order: a session reaches a step when it has an event of
  that step and of every step before it; step conversion is reached(k + 1) ÷ reached(k), drop-off
  one minus it.
- **CTR of impressions**: an impression is a (session, item, placement) shown as a
  recommendation or offer; CTR is impressions clicked ÷ impressions.
"""

from __future__ import annotations

import itertools
from typing import ClassVar

import attrs
import numpy as np

from shopkit import validators as check
from shopkit.metrics._inputs import Window
from shopkit.metrics._kpi import Kpi, distinct, rate, within
from shopkit.metrics._summaries import Sessions, Summaries
from shopkit.metrics._variants import AbandonmentStage, BounceDefinition, ConversionPer
from shopkit.validators import enum_value

__all__ = [
    "BounceRate",
    "CartAbandonment",
    "ClickThroughRate",
    "ConversionRate",
    "Funnel",
    "FunnelResult",
    "PagesPerSession",
    "SessionDuration",
]

FUNNEL_STEPS: tuple[tuple[str, str], ...] = (
    ("view", "n_view"),
    ("cart", "n_add_to_cart"),
    ("checkout", "n_checkout_started"),
    ("order", "n_purchase"),
)


def _sessions(summaries: Summaries, window: Window | None) -> Sessions:
    sessions = summaries.events().sessions()
    keep = within(sessions.first, window)
    if keep.all():
        return sessions
    return Sessions(
        first=sessions.first[keep],
        last=sessions.last[keep],
        visitor=sessions.visitor[keep],
        channel=sessions.channel[keep],
        region=sessions.region[keep],
        segment=sessions.segment[keep],
        counts={name: counts[keep] for name, counts in sessions.counts.items()},
    )


def _conversion_per(value: object) -> ConversionPer:
    return enum_value(ConversionPer, value, "per")


def _definition(value: object) -> BounceDefinition:
    return enum_value(BounceDefinition, value, "definition")


def _stage(value: object) -> AbandonmentStage:
    return enum_value(AbandonmentStage, value, "stage")


@attrs.frozen
class ConversionRate(Kpi):
    """Sessions with a purchase ÷ sessions, or visitors who bought ÷ visitors.

    Attributes:
        per: ``"session"`` or ``"user"``.
    """

    name: ClassVar[str] = "conversion"
    needs: ClassVar[frozenset[str]] = frozenset({"events"})

    per: ConversionPer = attrs.field(
        default=ConversionPer.SESSION, kw_only=True, converter=_conversion_per
    )

    @property
    def label(self) -> str:
        """``conversion per session`` or ``conversion per user``."""
        return f"conversion per {self.per.value}"

    def evaluate(self, summaries: Summaries, window: Window | None) -> float | None:
        """The conversion rate of the sessions starting in ``window``."""
        sessions = _sessions(summaries, window)
        bought = sessions.counts["n_purchase"] > 0
        if self.per is ConversionPer.SESSION:
            return rate(int(bought.sum()), len(sessions))
        return rate(distinct(sessions.visitor[bought]), distinct(sessions.visitor))


def _page_views(sessions: Sessions) -> np.ndarray[tuple[int], np.dtype[np.int64]]:
    return sessions.counts["n_view"]


@attrs.frozen
class BounceRate(Kpi):
    """The share of sessions that bounced, GA4's way (not engaged) or single-page.

    Attributes:
        definition: ``"engaged"`` (GA4) or ``"single_page"``.
        engaged_seconds: How long a session lasts to be engaged (GA4: 10 s).
    """

    name: ClassVar[str] = "bounce rate"
    needs: ClassVar[frozenset[str]] = frozenset({"events"})

    definition: BounceDefinition = attrs.field(
        default=BounceDefinition.ENGAGED, kw_only=True, converter=_definition
    )
    engaged_seconds: int = attrs.field(default=10, kw_only=True, validator=check.non_negative_int)

    @property
    def label(self) -> str:
        """``bounce rate`` (GA4) or ``bounce rate single page``."""
        if self.definition is BounceDefinition.ENGAGED:
            return self.name
        return f"{self.name} single page"

    def evaluate(self, summaries: Summaries, window: Window | None) -> float | None:
        """The bounce rate of the sessions starting in ``window``."""
        sessions = _sessions(summaries, window)
        views = _page_views(sessions)
        if self.definition is BounceDefinition.SINGLE_PAGE:
            total = sum(sessions.counts.values(), np.zeros(len(sessions), dtype=np.int64))
            return rate(int(((views == 1) & (total == 1)).sum()), len(sessions))
        engaged = (
            (sessions.last - sessions.first >= self.engaged_seconds)
            | (sessions.counts["n_purchase"] > 0)
            | (views >= 2)
        )
        return rate(int((~engaged).sum()), len(sessions))


@attrs.frozen
class PagesPerSession(Kpi):
    """Page views (``view`` events) ÷ sessions; not a rate: 0 or more."""

    name: ClassVar[str] = "pages per session"
    needs: ClassVar[frozenset[str]] = frozenset({"events"})

    def evaluate(self, summaries: Summaries, window: Window | None) -> float | None:
        """Pages per session for the sessions starting in ``window``."""
        sessions = _sessions(summaries, window)
        return rate(int(_page_views(sessions).sum()), len(sessions))


@attrs.frozen
class SessionDuration(Kpi):
    """The mean time from a session's first event to its last, in seconds."""

    name: ClassVar[str] = "session duration"
    needs: ClassVar[frozenset[str]] = frozenset({"events"})

    def evaluate(self, summaries: Summaries, window: Window | None) -> float | None:
        """The mean session duration (seconds) of the sessions starting in ``window``."""
        sessions = _sessions(summaries, window)
        return rate(int((sessions.last - sessions.first).sum()), len(sessions))


@attrs.frozen
class CartAbandonment(Kpi):
    """Sessions that added to the cart (or began the checkout) and bought nothing ÷ those that did.

    Attributes:
        stage: ``"cart"`` (cart abandonment) or ``"checkout"`` (checkout abandonment).
    """

    name: ClassVar[str] = "cart abandonment"
    needs: ClassVar[frozenset[str]] = frozenset({"events"})

    stage: AbandonmentStage = attrs.field(
        default=AbandonmentStage.CART, kw_only=True, converter=_stage
    )

    @property
    def label(self) -> str:
        """``cart abandonment`` or ``checkout abandonment``."""
        return f"{self.stage.value} abandonment"

    def evaluate(self, summaries: Summaries, window: Window | None) -> float | None:
        """The abandonment rate of the sessions starting in ``window``."""
        sessions = _sessions(summaries, window)
        column = "n_add_to_cart" if self.stage is AbandonmentStage.CART else "n_checkout_started"
        started = sessions.counts[column] > 0
        left = started & (sessions.counts["n_purchase"] == 0)
        return rate(int(left.sum()), int(started.sum()))


@attrs.frozen
class FunnelResult:
    """Sessions reaching each step of the funnel, with each step's conversion and drop-off.

    Attributes:
        steps: The step names, in order (``view``, ``cart``, ``checkout``, ``order``).
        sessions: How many sessions reached each step.
        conversion: For each step after the first, reached ÷ reached at the step before
            (``None`` when none reached that one).
        drop_off: One minus each conversion.
    """

    steps: tuple[str, ...]
    sessions: tuple[int, ...]
    conversion: tuple[float | None, ...]
    drop_off: tuple[float | None, ...]

    def columns(self) -> dict[str, int | float | None]:
        """The result as table columns: sessions per step, then each step's conversion."""
        result: dict[str, int | float | None] = dict(zip(self.steps, self.sessions, strict=True))
        for step, value in zip(self.steps[1:], self.conversion, strict=True):
            result[f"→{step}"] = value
        return result


@attrs.frozen
class Funnel(Kpi):
    """The view → cart → checkout → order funnel of the sessions starting in the window."""

    name: ClassVar[str] = "funnel"
    needs: ClassVar[frozenset[str]] = frozenset({"events"})

    def evaluate(self, summaries: Summaries, window: Window | None) -> FunnelResult:
        """The funnel of the sessions starting in ``window``."""
        sessions = _sessions(summaries, window)
        reached = np.ones(len(sessions), dtype=bool)
        counts = []
        for _, column in FUNNEL_STEPS:
            reached &= sessions.counts[column] > 0
            counts.append(int(reached.sum()))
        conversion = tuple(rate(after, before) for before, after in itertools.pairwise(counts))
        return FunnelResult(
            steps=tuple(step for step, _ in FUNNEL_STEPS),
            sessions=tuple(counts),
            conversion=conversion,
            drop_off=tuple(None if value is None else 1.0 - value for value in conversion),
        )


@attrs.frozen
class ClickThroughRate(Kpi):
    """Impressions clicked ÷ impressions, an impression being a (session, item, placement) shown.

    Attributes:
        placement: Count only this placement (``"cart"``, an offer slot, …); all if ``None``.
    """

    name: ClassVar[str] = "ctr"
    needs: ClassVar[frozenset[str]] = frozenset({"events"})

    placement: str | None = attrs.field(default=None, kw_only=True)

    @property
    def label(self) -> str:
        """``ctr``, or ``ctr <placement>``."""
        return self.name if self.placement is None else f"{self.name} {self.placement}"

    def evaluate(self, summaries: Summaries, window: Window | None) -> float | None:
        """The CTR of the impressions whose session starts in ``window``."""
        events = summaries.events()
        columns = events.columns
        shown = columns["n_recommendation_shown"] > 0
        if window is not None:
            sessions = events.sessions()
            starts = np.flatnonzero(
                np.concatenate(([True], columns["session"][1:] != columns["session"][:-1]))
            )
            first = np.repeat(sessions.first, np.diff(np.append(starts, len(columns["session"]))))
            shown &= within(first, window)
        if self.placement is not None:
            names = events.vocabularies["placement"]
            number = names.index(self.placement) if self.placement in names else -2
            shown &= columns["placement"] == number
        clicked = shown & (columns["n_recommendation_clicked"] > 0)
        return rate(int(clicked.sum()), int(shown.sum()))
