"""Loyalty: tiers over a rolling window, points in lots with expiry, referrals and badges.

A programme is data (``Programme``, read from JSON with ``shopkit.from_json``): versions in
force from their dates, each with tiers (thresholds on a measure over a window, benefits, a
grace period), earning and redemption rules, expiry, referral and badge rules. A ``Ledger``
records what customers did — orders, refunds, reviews, referrals, sign-ups, birthdays,
adjustments, redemptions — validating every event, and gives a customer's ``Status`` as of any
moment; ``LedgerTable`` replays a whole ledger at once, on numpy arrays, into a ``StatusTable``.
``tier_table`` computes every customer's tier from an ``OrderTable`` at once, on numpy arrays.
``what_if`` replays a changed programme over the same ledger; ``triggers`` lists whom to
tell what; ``analytics`` sums a programme up.

Needs numpy (``pip install "shopkit[loyalty]"``). This package imports the core (``shopkit``)
only, never another domain package; a member's tier reaches pricing as
``shopkit.Customer.loyalty_tier`` (see ``customer_context``), and points are redeemed on a
priced cart in ``shopkit.storefront``. Rule kinds and their registries are in
``shopkit.loyalty.plugin``.

Examples:
    >>> import datetime as dt
    >>> from shopkit.loyalty import Ledger, sample_ledger_events, sample_programme
    >>> ledger = Ledger(sample_programme(), sample_ledger_events())
    >>> status = ledger.status("ana", dt.datetime(2025, 12, 31, tzinfo=dt.UTC))
    >>> status.tier
    'gold'
"""

from shopkit.loyalty._analytics import (
    Analytics,
    TierMove,
    TierTotals,
    WhatIf,
    analytics,
    what_if,
)
from shopkit.loyalty._columns import LedgerColumns
from shopkit.loyalty._context import customer_context
from shopkit.loyalty._earning import Redemption
from shopkit.loyalty._events import (
    Adjustment,
    Birthday,
    LedgerEvent,
    OrderPlaced,
    Redeemed,
    Referred,
    Refund,
    RefundLine,
    Review,
    SignUp,
)
from shopkit.loyalty._ledger import Ledger
from shopkit.loyalty._programme import Programme, ProgrammeVersion, Tier
from shopkit.loyalty._replay import LedgerTable, StatusTable
from shopkit.loyalty._samples import sample_ledger_events, sample_programme
from shopkit.loyalty._status import Badge, Distance, Lot, Status
from shopkit.loyalty._table import TierTable, tier_table
from shopkit.loyalty._triggers import Notice, NoticeKind, triggers

__all__ = [
    "Adjustment",
    "Analytics",
    "Badge",
    "Birthday",
    "Distance",
    "Ledger",
    "LedgerColumns",
    "LedgerEvent",
    "LedgerTable",
    "Lot",
    "Notice",
    "NoticeKind",
    "OrderPlaced",
    "Programme",
    "ProgrammeVersion",
    "Redeemed",
    "Redemption",
    "Referred",
    "Refund",
    "RefundLine",
    "Review",
    "SignUp",
    "Status",
    "StatusTable",
    "Tier",
    "TierMove",
    "TierTable",
    "TierTotals",
    "WhatIf",
    "analytics",
    "customer_context",
    "sample_ledger_events",
    "sample_programme",
    "tier_table",
    "triggers",
    "what_if",
]
