"""What a plugin author needs to write a selector, condition or benefit for the pricing engine.

A shop prices carts with ``shopkit.pricing``; a new kind of selector, condition or benefit is
written against this module: the three base classes and their registries, the ``Context`` a
condition sees and the ``Verdict`` it answers with, the ``Shortfall`` a condition or benefit
gives when adding spend or units would help (the engine completes it into the promotion's
``shopkit.pricing.Nudge``), and the working state a benefit records its changes on
(``CartState``, ``LineState``, ``Unit``). ``docs/pricing/plugins.md`` walks through a plugin of
each kind, and ``shopkit.testing.pricing`` ships the contracts every built-in kind passes.

Examples:
    >>> import attrs
    >>> from shopkit.pricing.plugin import Condition, Context, Verdict
    >>> @attrs.frozen
    ... class Always(Condition):
    ...     "Holds for every cart."
    ...     def check(self, context: Context) -> Verdict:
    ...         return Verdict(True)
    >>> Always().index_keys() is None
    True
"""

from shopkit.pricing._codes import normalize_code
from shopkit.pricing._kinds import Benefit, Condition, benefits, conditions, selectors
from shopkit.pricing._line_state import LineState, Unit
from shopkit.pricing._state import CartState
from shopkit.pricing._values import Context, Level, Selector, Shortfall, Verdict

__all__ = [
    "Benefit",
    "CartState",
    "Condition",
    "Context",
    "Level",
    "LineState",
    "Selector",
    "Shortfall",
    "Unit",
    "Verdict",
    "benefits",
    "conditions",
    "normalize_code",
    "selectors",
]
