"""Contract tests and hypothesis strategies for pricing plugins and redemption stores.

A plugin kind proves it keeps what the engine relies on by running the contract of its family,
as every built-in kind does. Each contract is a pytest mixin: subclass it in a test module and
say how to make the kind under test::

    from shopkit.testing.pricing import BenefitContract, ConditionContract, SelectorContract

    class TestMySelector(SelectorContract):
        def make_selector(self):
            return MySelector(...)

    class TestMyCondition(ConditionContract):
        def make_condition(self):
            return MyCondition(...)

    class TestMyBenefit(BenefitContract):
        def make_benefit(self):
            return MyBenefit(...)

A Redis or PostgreSQL store proves it keeps the ``shopkit.pricing.RedemptionStore`` promises by
running the tests the built-in stores run::

    from shopkit.testing.pricing import RedemptionStoreContract, redemption_state_machine

    class TestMyStore(RedemptionStoreContract):
        def make_store(self):
            return MyStore(...)              # a new, empty store each call

    TestMyStoreStateful = redemption_state_machine(lambda: MyStore(...)).TestCase

The strategies (``carts``, ``selectors``, ``conditions``, ``benefits``, ``promotion_sets``, …)
generate carts of a small product pool (``SKUS``, ``CATEGORIES``, ``TAGS``) and promotions of
every built-in kind. This module needs pytest and hypothesis (the ``testing`` extra) and the
shopkit core, nothing else.
"""

from shopkit.testing._pricing_contracts import (
    BenefitContract,
    ConditionContract,
    SelectorContract,
    contexts,
    product_keys,
)
from shopkit.testing._pricing_stores import RedemptionStoreContract, redemption_state_machine
from shopkit.testing._pricing_strategies import (
    CATEGORIES,
    CURRENCIES,
    NOW,
    SKUS,
    TAGS,
    amounts,
    benefits,
    carts,
    conditions,
    customers,
    percents,
    products,
    promotion_sets,
    selectors,
    simple_conditions,
    simple_selectors,
    tiered,
)

__all__ = [
    "CATEGORIES",
    "CURRENCIES",
    "NOW",
    "SKUS",
    "TAGS",
    "BenefitContract",
    "ConditionContract",
    "RedemptionStoreContract",
    "SelectorContract",
    "amounts",
    "benefits",
    "carts",
    "conditions",
    "contexts",
    "customers",
    "percents",
    "product_keys",
    "products",
    "promotion_sets",
    "redemption_state_machine",
    "selectors",
    "simple_conditions",
    "simple_selectors",
    "tiered",
]
