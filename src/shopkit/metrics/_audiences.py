"""Funnel audiences from events: who viewed, carted, or abandoned the checkout, as segments.

An audience is a named segment for retargeting and segment-based offers. At a moment ``now``
(the end of the window), a customer is in it when one of their sessions with an event in the
``within_days`` days before ``now`` did what its kind says:

- ``viewed``: viewed an item and neither added it to the cart nor bought it in that session;
- ``added_to_cart``: added an item to the cart and did not buy it in that session;
- ``abandoned_checkout``: started the checkout and bought nothing in that session.

A **frequency cap** keeps out a customer already targeted with the audience ``frequency_cap``
times in the ``cap_days`` before ``now``; a **cooldown** keeps out one targeted with it in the
``cooldown_days`` before ``now``. What was targeted when is the shop's history, given as data.
Guests (no customer id) are in no audience. The result maps each customer id to the names of
their audiences — what a shop passes as ``Customer.segments``, which pricing conditions and
recommendation segments read.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping, Sequence
from typing import ClassVar

import attrs
import numpy as np

from shopkit import validators as check
from shopkit.errors import ValidationError
from shopkit.metrics._inputs import Window, seconds
from shopkit.metrics._kpi import Kpi, time_range
from shopkit.metrics._summaries import Summaries

__all__ = ["Audience", "AudienceKind", "FunnelAudiences"]

DAY = 86_400


class AudienceKind(enum.StrEnum):
    """What a session did to put its customer in an audience."""

    VIEWED = "viewed"
    """Viewed an item, and neither carted nor bought it in the session."""
    ADDED_TO_CART = "added_to_cart"
    """Added an item to the cart and did not buy it in the session."""
    ABANDONED_CHECKOUT = "abandoned_checkout"
    """Started the checkout and bought nothing in the session."""


def _kind(value: object) -> AudienceKind:
    return check.enum_value(AudienceKind, value, "kind")


@attrs.frozen
class Audience:
    """A funnel audience: a segment name, what puts a customer in it, and how often to target.

    Attributes:
        name: The segment name given to its customers.
        kind: ``viewed``, ``added_to_cart`` or ``abandoned_checkout``.
        within_days: How recent the session must be (days before ``now``).
        frequency_cap: At most this many times targeted in ``cap_days``; no cap if ``None``.
        cap_days: The period of the frequency cap.
        cooldown_days: Not again within this many days of the last time (0: no cooldown).
    """

    name: str = attrs.field(validator=check.non_empty_str)
    kind: AudienceKind = attrs.field(converter=_kind)
    within_days: int = attrs.field(default=7, validator=check.positive_int)
    frequency_cap: int | None = attrs.field(
        default=None, kw_only=True, validator=check.optional(check.positive_int)
    )
    cap_days: int = attrs.field(default=30, kw_only=True, validator=check.positive_int)
    cooldown_days: int = attrs.field(default=0, kw_only=True, validator=check.non_negative_int)


def _audiences(value: Iterable[Audience]) -> tuple[Audience, ...]:
    audiences = tuple(value)
    for index, audience in enumerate(audiences):
        if not isinstance(audience, Audience):
            raise ValidationError(
                f"{audience!r} is not an Audience", field=f"audiences[{index}]", value=None
            )
    names = [audience.name for audience in audiences]
    if len(set(names)) != len(names):
        raise ValidationError("names an audience twice", field="audiences", value=names)
    return audiences


def _history(
    value: Mapping[str, Mapping[str, Sequence[dt.datetime | int]]],
) -> dict[str, dict[str, tuple[int, ...]]]:
    return {
        str(customer): {
            str(name): tuple(seconds(at, f"history[{customer!r}][{name!r}]") for at in times)
            for name, times in targeted.items()
        }
        for customer, targeted in value.items()
    }


@attrs.frozen
class FunnelAudiences(Kpi):
    """Customers in each funnel audience at the end of the window, as customer id → segments.

    Attributes:
        audiences: The audiences.
        history: For each customer and audience name, when they were targeted with it before.
    """

    name: ClassVar[str] = "audiences"
    needs: ClassVar[frozenset[str]] = frozenset({"events"})

    audiences: tuple[Audience, ...] = attrs.field(converter=_audiences)
    history: dict[str, dict[str, tuple[int, ...]]] = attrs.field(
        factory=dict, converter=_history, kw_only=True
    )

    def evaluate(self, summaries: Summaries, window: Window | None) -> dict[str, frozenset[str]]:
        """Each customer's audiences at the end of ``window`` (the data's end when ``None``)."""
        events = summaries.events()
        span = window if window is not None else time_range(events.columns["last"])
        if span is None:
            return {}
        now = span.end
        c = events.columns
        session = c["session"]
        bought_in_session = np.zeros(max(len(events.vocabularies["session"]), 1), dtype=bool)
        bought_in_session[session[c["n_purchase"] > 0]] = True
        pair = session * max(len(events.vocabularies["sku"]), 1) + c["sku"]
        carted_pairs = np.unique(pair[c["n_add_to_cart"] > 0])
        bought_pairs = np.unique(pair[c["n_purchase"] > 0])
        found: dict[str, set[str]] = {}
        names = events.vocabularies["customer"]
        for audience in self.audiences:
            recent = (c["last"] >= now - audience.within_days * DAY) & (c["first"] < now)
            recent &= c["customer"] >= 0
            if audience.kind is AudienceKind.VIEWED:
                rows = recent & (c["n_view"] > 0) & ~np.isin(pair, carted_pairs)
                rows &= ~np.isin(pair, bought_pairs)
            elif audience.kind is AudienceKind.ADDED_TO_CART:
                rows = recent & (c["n_add_to_cart"] > 0) & ~np.isin(pair, bought_pairs)
            else:
                rows = recent & (c["n_checkout_started"] > 0) & ~bought_in_session[session]
            for number in np.unique(c["customer"][rows]).tolist():
                customer = names[number]
                if self._allowed(customer, audience, now):
                    found.setdefault(customer, set()).add(audience.name)
        return {customer: frozenset(segments) for customer, segments in sorted(found.items())}

    def _allowed(self, customer: str, audience: Audience, now: int) -> bool:
        times = [t for t in self.history.get(customer, {}).get(audience.name, ()) if t < now]
        if audience.cooldown_days and any(t >= now - audience.cooldown_days * DAY for t in times):
            return False
        if audience.frequency_cap is not None:
            recent = sum(1 for t in times if t >= now - audience.cap_days * DAY)
            if recent >= audience.frequency_cap:
                return False
        return True
