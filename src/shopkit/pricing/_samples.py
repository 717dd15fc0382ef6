"""Sample promotions for the sample catalogue (``shopkit/pricing/data/promotions.json``)."""

from __future__ import annotations

import functools
from importlib.resources import files

from shopkit import from_json
from shopkit.pricing._promotion import Promotion

__all__ = ["sample_promotions"]


@functools.cache
def sample_promotions() -> tuple[Promotion, ...]:
    """Return the sample promotions that go with ``shopkit.sample_catalogue()``.

    Examples:
        >>> from shopkit.pricing import sample_promotions
        >>> [promotion.id for promotion in sample_promotions()][:3]
        ['black-friday-lighting', 'bags-3-for-2', 'kitchen-10']
    """
    text = files("shopkit.pricing").joinpath("data", "promotions.json").read_text(encoding="utf-8")
    return from_json(text, tuple[Promotion, ...])
