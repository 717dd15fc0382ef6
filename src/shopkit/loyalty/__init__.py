"""Loyalty: tiers, the points ledger, expiry, referrals and badges.

This package imports the core (``shopkit``) only, never another domain package; the
import-layer contract in ``pyproject.toml`` checks it.
"""

__all__: list[str] = []
