"""The sample programme and ledger shipped in ``shopkit/loyalty/data`` (for the docs and demo)."""

from __future__ import annotations

from importlib import resources

from shopkit import from_json
from shopkit.loyalty._events import LedgerEvent
from shopkit.loyalty._programme import Programme

__all__ = ["sample_ledger_events", "sample_programme"]


def _text(name: str) -> str:
    return resources.files("shopkit.loyalty").joinpath("data", name).read_text("utf-8")


def sample_programme() -> Programme:
    """The sample bronze / silver / gold programme (``data/programme.json``).

    Examples:
        >>> from shopkit.loyalty import sample_programme
        >>> sample_programme().tier_names
        ('bronze', 'silver', 'gold')
    """
    return from_json(_text("programme.json"), Programme)


def sample_ledger_events() -> list[LedgerEvent]:
    """The sample ledger's events (``data/ledger.json``): a year of three customers.

    Examples:
        >>> from shopkit.loyalty import sample_ledger_events
        >>> len(sample_ledger_events()) > 10
        True
    """
    return from_json(_text("ledger.json"), list[LedgerEvent])
