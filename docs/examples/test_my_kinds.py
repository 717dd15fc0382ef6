"""A plugin author's tests: two pricing kinds of one's own, proved by shopkit's contracts.

The file needs shopkit with its ``testing`` extra and nothing else (``pip install
"shopkit[testing]"``); run it with ``pytest``. shopkit's own suite runs it too, and its check
installs it in a fresh environment with only that extra.
"""

from __future__ import annotations

import attrs

from shopkit import Product
from shopkit.pricing.plugin import (
    Condition,
    Context,
    Selector,
    Verdict,
    conditions,
    selectors,
)
from shopkit.testing import ConditionContract, SelectorContract


@selectors.register("example_name_has")
@attrs.frozen
class NameHas(Selector):
    """Products whose name contains a word, in any case ("mug" selects "Enamel Mug").

    Attributes:
        word: The word looked for.
    """

    word: str

    def matches(self, product: Product) -> bool:
        """Whether the product's name contains the word."""
        return self.word.casefold() in product.name.casefold()

    def describe(self) -> str:
        """Say which products are selected."""
        return f"items named like {self.word!r}"


@conditions.register("example_small_basket")
@attrs.frozen
class SmallBasket(Condition):
    """Holds for a cart of at most ``units`` units: an offer for a quick first purchase.

    Nothing added to a cart makes it smaller, so a failing verdict carries no nudge.

    Attributes:
        units: The most units the cart may hold.
    """

    units: int

    def check(self, context: Context) -> Verdict:
        """Count the units in the cart."""
        count = context.cart.item_count
        if count <= self.units:
            return Verdict(True)
        return Verdict(False, f"only for carts of up to {self.units} items ({count} here)")


class TestNameHas(SelectorContract):
    def make_selector(self) -> Selector:
        return NameHas("S1")


class TestSmallBasket(ConditionContract):
    def make_condition(self) -> Condition:
        return SmallBasket(3)
