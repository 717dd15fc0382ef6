"""Whom to tell what, as of a moment: the deterministic list of notices a shop sends.

Four kinds: points expiring within N days, a downgrade due within N days (the end of a grace
period), a tier reached within the look-back, a badge earned within the look-back. A notice
has a ``key`` (the expiry date, the tier, the badge) so that one already sent within the
cooldown is not listed again; the list is sorted by customer, kind and key.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable

import attrs

from shopkit import ValidationError
from shopkit import validators as check
from shopkit.loyalty._ledger import Ledger

__all__ = ["Notice", "NoticeKind", "triggers"]


class NoticeKind(enum.StrEnum):
    """What a notice is about."""

    POINTS_EXPIRING = "points_expiring"
    """Points expire within the horizon."""
    DOWNGRADE_PENDING = "downgrade_pending"
    """The tier is lost within the horizon unless the customer orders."""
    TIER_REACHED = "tier_reached"
    """A higher tier was reached within the look-back."""
    BADGE_EARNED = "badge_earned"
    """A badge was earned within the look-back."""


def _kind(value: object) -> NoticeKind:
    return check.enum_value(NoticeKind, value, "kind")


@attrs.frozen(kw_only=True)
class Notice:
    """One thing to tell one customer.

    Attributes:
        customer: Whom.
        kind: What about.
        key: Which one (the expiry date, the tier, the badge): with ``customer`` and ``kind``
            it identifies the message for the cooldown.
        at: When it was listed (or sent).
        points: The points concerned (expiring), else 0.
        when: The moment concerned (the first expiry, the downgrade, the tier or badge reached).
    """

    customer: str = attrs.field(validator=check.non_empty_str)
    kind: NoticeKind = attrs.field(converter=_kind)
    key: str = attrs.field(validator=check.non_empty_str)
    at: dt.datetime = attrs.field(validator=check.aware)
    points: int = attrs.field(default=0, validator=check.non_negative_int)
    when: dt.datetime | None = attrs.field(default=None, validator=check.optional(check.aware))


def triggers(
    ledger: Ledger,
    at: dt.datetime,
    *,
    horizon_days: int = 30,
    lookback_days: int = 7,
    sent: Iterable[Notice] = (),
    cooldown_days: int = 30,
) -> list[Notice]:
    """The notices due at ``at``, leaving out those sent within the cooldown.

    Args:
        ledger: The ledger.
        at: The moment.
        horizon_days: How far ahead expiring points and downgrades are announced.
        lookback_days: How far back a tier reached or a badge earned is announced.
        sent: Notices already sent (``Notice.at`` when they were sent).
        cooldown_days: A notice with the same customer, kind and key sent within this many
            days before ``at`` is not listed again.

    Raises:
        ValidationError: a negative number of days, or ``at`` without a UTC offset.

    Examples:
        >>> import datetime as dt
        >>> from shopkit.loyalty import Ledger, sample_ledger_events, sample_programme, triggers
        >>> ledger = Ledger(sample_programme(), sample_ledger_events())
        >>> at = dt.datetime(2025, 9, 20, tzinfo=dt.UTC)
        >>> [(n.customer, n.kind.value, n.key) for n in triggers(ledger, at)]
        [('ana', 'tier_reached', 'gold')]
    """
    check.aware_datetime(at, "at")
    for name, days in (
        ("horizon_days", horizon_days),
        ("lookback_days", lookback_days),
        ("cooldown_days", cooldown_days),
    ):
        if isinstance(days, bool) or not isinstance(days, int) or days < 0:
            raise ValidationError(f"{days!r} is not a whole number of days", field=name, value=days)
    horizon = at + dt.timedelta(days=horizon_days)
    since = at - dt.timedelta(days=lookback_days)
    recent = {
        (notice.customer, notice.kind, notice.key)
        for notice in sent
        if at - dt.timedelta(days=cooldown_days) < notice.at <= at
    }
    now = ledger.statuses(at)
    before = ledger.statuses(since)
    ranks = {name: rank for rank, name in enumerate(ledger.programme.tier_names)}
    found: list[Notice] = []
    for customer in sorted(now):
        status = now[customer]
        expiring = [
            lot
            for lot in (*status.lots, *status.pending_lots)
            if lot.expires_at is not None and lot.expires_at <= horizon
        ]
        if expiring:
            first = min(lot.expires_at for lot in expiring if lot.expires_at is not None)
            found.append(
                Notice(
                    customer=customer,
                    kind=NoticeKind.POINTS_EXPIRING,
                    key=first.date().isoformat(),
                    at=at,
                    points=sum(lot.points for lot in expiring),
                    when=first,
                )
            )
        if status.downgrade_at is not None and status.downgrade_at <= horizon and status.tier:
            found.append(
                Notice(
                    customer=customer,
                    kind=NoticeKind.DOWNGRADE_PENDING,
                    key=status.tier,
                    at=at,
                    when=status.downgrade_at,
                )
            )
        old = before[customer].tier
        if status.tier is not None and old is not None and ranks[status.tier] > ranks[old]:
            found.append(
                Notice(customer=customer, kind=NoticeKind.TIER_REACHED, key=status.tier, at=at)
            )
        for badge in status.badges:
            if since < badge.earned_at <= at:
                found.append(
                    Notice(
                        customer=customer,
                        kind=NoticeKind.BADGE_EARNED,
                        key=badge.name,
                        at=at,
                        when=badge.earned_at,
                    )
                )
    return [
        notice
        for notice in sorted(found, key=lambda n: (n.customer, n.kind.value, n.key))
        if (notice.customer, notice.kind, notice.key) not in recent
    ]
