"""The contracts of the three pricing plugin kinds (see ``shopkit.testing.pricing``)."""

from __future__ import annotations

import abc
import copy
import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shopkit import Cart, Line, Money, Product, from_json, to_json
from shopkit.pricing import Nudge, Percentage, Promotion, normalize_code, price
from shopkit.pricing.plugin import Benefit, Condition, Context, Selector, Shortfall, Verdict
from shopkit.testing._pricing_strategies import CURRENCIES, NOW, carts, customers, products

__all__ = [
    "BenefitContract",
    "ConditionContract",
    "SelectorContract",
    "contexts",
    "product_keys",
]

# Each subclass runs the same test with its own kind; hypothesis sees one method called from
# many classes, which is the point of a contract mixin.
_PER_SUBCLASS = [HealthCheck.differing_executors]


def product_keys(product: Product) -> frozenset[tuple[str, str]]:
    """The index keys a product is filed under: its sku, categories and tags."""
    return frozenset(
        [("sku", product.sku)]
        + [("category", category) for category in product.categories]
        + [("tag", tag) for tag in product.tags]
    )


@st.composite
def contexts(
    draw: st.DrawFn, currencies: tuple[str, ...] = CURRENCIES, codes: tuple[str, ...] = ()
) -> Context:
    """What a condition sees, generated.

    A cart and a customer, a moment within three days of ``NOW``, the codes entered
    (normalised), and a threshold amount from zero to the cart's subtotal.
    """
    cart = draw(carts(currencies, codes))
    at = NOW + dt.timedelta(hours=draw(st.integers(-72, 72)))
    threshold = draw(st.integers(0, cart.subtotal.minor))
    entered = frozenset(normalize_code(code) for code in cart.codes)
    return Context(cart, draw(customers), at, entered, Money(threshold, cart.currency))


class SelectorContract(abc.ABC):
    """Mixin of pytest tests every selector must pass; define ``make_selector``.

    It checks what the engine relies on: ``matches`` is deterministic and changes nothing; the
    index keys are never narrower than ``matches`` (a selected product always has one of them,
    or the engine would never show it the promotion); it reads back from JSON unchanged; it
    describes itself in words.
    """

    currencies: tuple[str, ...] = CURRENCIES

    @abc.abstractmethod
    def make_selector(self) -> Selector:
        """Return the selector under test."""

    @settings(max_examples=30, deadline=None, suppress_health_check=_PER_SUBCLASS)
    @given(data=st.data())
    def test_matches_is_deterministic_and_changes_nothing(self, data: st.DataObject) -> None:
        """The same answer twice; neither the selector nor the product changes."""
        selector = self.make_selector()
        before = copy.deepcopy(selector)
        product = data.draw(products(data.draw(st.sampled_from(self.currencies))))
        kept = copy.deepcopy(product)
        assert selector.matches(product) == selector.matches(product)
        assert selector == before
        assert product == kept

    @settings(max_examples=30, deadline=None, suppress_health_check=_PER_SUBCLASS)
    @given(data=st.data())
    def test_index_keys_are_never_narrower_than_matches(self, data: st.DataObject) -> None:
        """A product the selector selects has one of its index keys, if it has keys."""
        selector = self.make_selector()
        keys = selector.index_keys()
        product = data.draw(products(data.draw(st.sampled_from(self.currencies))))
        if keys is not None and selector.matches(product):
            assert keys & product_keys(product)

    def test_survives_json(self) -> None:
        """Invariant 8: the selector reads back from its JSON form unchanged."""
        selector = self.make_selector()
        assert from_json(to_json(selector), Selector) == selector

    def test_describes_itself(self) -> None:
        """The description is words a message can use."""
        text = self.make_selector().describe()
        assert isinstance(text, str)
        assert text.strip()


def _with_spend(context: Context, amount: Money) -> Context:
    return Context(
        context.cart,
        context.customer,
        context.at,
        context.codes,
        context.threshold_amount + amount,
    )


def _with_units(context: Context, product: Product, units: int) -> Context:
    cart = context.cart
    grown = Cart(
        cart.currency,
        (*cart.lines, Line(product, units)),
        shipping_options=cart.shipping_options,
        shipping_method=cart.shipping_method,
        codes=cart.codes,
    )
    added = Money(product.unit_price.minor * units, cart.currency)
    return Context(
        grown, context.customer, context.at, context.codes, context.threshold_amount + added
    )


class ConditionContract(abc.ABC):
    """Mixin of pytest tests every condition must pass; define ``make_condition``.

    It checks what the engine relies on: ``check`` is deterministic and changes nothing; a cart
    the condition holds for has a product under one of its index keys (if it has keys); it
    reads back from JSON unchanged; a failing verdict says why in words, and a passing one
    carries no nudge; a nudge is a ``Shortfall`` with a positive amount or units, and it is
    honest: adding the spend (or the units of a selected product) it names makes up that
    shortfall, so the verdict holds or asks for something else.
    """

    currencies: tuple[str, ...] = CURRENCIES
    codes: tuple[str, ...] = ("SAVE10", "save-10", "VIP")

    @abc.abstractmethod
    def make_condition(self) -> Condition:
        """Return the condition under test."""

    def _contexts(self) -> st.SearchStrategy[Context]:
        return contexts(self.currencies, self.codes)

    @settings(max_examples=30, deadline=None, suppress_health_check=_PER_SUBCLASS)
    @given(data=st.data())
    def test_check_is_deterministic_and_changes_nothing(self, data: st.DataObject) -> None:
        """The same verdict twice; neither the condition nor the context changes."""
        condition = self.make_condition()
        before = copy.deepcopy(condition)
        context = data.draw(self._contexts())
        kept = copy.deepcopy(context)
        assert condition.check(context) == condition.check(context)
        assert condition == before
        assert context == kept

    @settings(max_examples=30, deadline=None, suppress_health_check=_PER_SUBCLASS)
    @given(data=st.data())
    def test_index_keys_are_never_narrower_than_check(self, data: st.DataObject) -> None:
        """When it holds, the cart has a product under one of its index keys."""
        condition = self.make_condition()
        keys = condition.index_keys()
        context = data.draw(self._contexts())
        if keys is not None and condition.check(context).ok:
            assert any(keys & product_keys(line.product) for line in context.cart.lines)

    def test_survives_json(self) -> None:
        """Invariant 8: the condition reads back from its JSON form unchanged."""
        condition = self.make_condition()
        assert from_json(to_json(condition), Condition) == condition

    @settings(max_examples=30, deadline=None, suppress_health_check=_PER_SUBCLASS)
    @given(data=st.data())
    def test_verdicts_are_readable_and_nudges_structured(self, data: st.DataObject) -> None:
        """A failing verdict has a message; a nudge is a Shortfall; a pass has no nudge."""
        verdict = self.make_condition().check(data.draw(self._contexts()))
        assert isinstance(verdict, Verdict)
        if verdict.ok:
            assert verdict.nudge is None
            return
        assert isinstance(verdict.message, str)
        assert verdict.message.strip()
        assert verdict.nudge is None or isinstance(verdict.nudge, Shortfall)

    @settings(max_examples=30, deadline=None, suppress_health_check=_PER_SUBCLASS)
    @given(data=st.data())
    def test_nudges_are_honest(self, data: st.DataObject) -> None:
        """Adding what a nudge names makes up that shortfall."""
        condition = self.make_condition()
        context = data.draw(self._contexts())
        verdict = condition.check(context)
        nudge = verdict.nudge
        if verdict.ok or nudge is None:
            return  # nothing to check: no nudge given
        if nudge.amount is not None:
            assert nudge.amount.currency == context.cart.currency
            assert nudge.amount.minor > 0
            after = condition.check(_with_spend(context, nudge.amount))
            assert after.ok or after.nudge is None or after.nudge.amount is None
            return
        assert nudge.units is not None
        assert nudge.units > 0
        assert nudge.selector is not None
        selector = nudge.selector
        pool = [line.product for line in context.cart.lines]
        in_cart = {product.sku: product for product in pool}
        drawn = [data.draw(products(context.cart.currency)) for _ in range(5)]
        # a cart holds one product per SKU: a drawn product may not clash with one in it
        pool += [p for p in drawn if in_cart.get(p.sku, p) == p]
        fitting = [product for product in pool if selector.matches(product)]
        if not fitting:
            return  # it cannot be checked here: no product the nudge asks for was drawn
        after = condition.check(_with_units(context, fitting[0], nudge.units))
        assert after.ok or after.nudge != nudge


class BenefitContract(abc.ABC):
    """Mixin of pytest tests every benefit must pass; define ``make_benefit``.

    The benefit is priced alone and next to a 10 % order discount, over generated carts in EUR,
    JPY and KWD (override ``currencies`` if it has amounts for others only): totals are never
    negative and add up, a unit is consumed once at most, the result is the same twice and for
    the lines in any order, the promotion reads back from JSON, and every nudge it gives is a
    structured ``Nudge`` for its promotion.
    """

    currencies: tuple[str, ...] = CURRENCIES

    @abc.abstractmethod
    def make_benefit(self) -> Benefit:
        """Return the benefit under test (with amounts for ``currencies``)."""

    def _promotions(self) -> list[Promotion]:
        return [
            Promotion("under-test", "Under test", self.make_benefit(), priority=1),
            Promotion("ten", "10% off", Percentage(10)),
        ]

    @settings(max_examples=40, deadline=None, suppress_health_check=_PER_SUBCLASS)
    @given(data=st.data())
    def test_totals_never_negative_and_add_up(self, data: st.DataObject) -> None:
        """Invariants 1 and 2: no negative total, no discount past its amount, exact sums."""
        cart = data.draw(carts(self.currencies))
        for promotions in (self._promotions()[:1], self._promotions()):
            result = price(cart, promotions, at=NOW)
            for line in result.lines:
                assert 0 <= line.discount.minor <= line.subtotal.minor
                assert sum(a.amount.minor for a in line.adjustments) == line.discount.minor
                assert line.total == line.subtotal - line.discount
            assert 0 <= result.shipping_discount.minor <= result.shipping_price.minor
            assert result.discount.minor == sum(line.discount.minor for line in result.lines)
            assert result.total == result.subtotal - result.discount + result.shipping
            for line in result.lines:  # a unit is consumed once at most
                assert sum(a.units for a in line.adjustments) <= line.line.quantity

    @settings(max_examples=30, deadline=None, suppress_health_check=_PER_SUBCLASS)
    @given(data=st.data())
    def test_pure_and_independent_of_line_order(self, data: st.DataObject) -> None:
        """Invariants 3 and 4: the same result twice, and for the lines in reverse order."""
        cart = data.draw(carts(self.currencies))
        promotions = self._promotions()
        first = price(cart, promotions, at=NOW)
        assert price(cart, promotions, at=NOW) == first
        reversed_cart = Cart(
            cart.currency,
            tuple(reversed(cart.lines)),
            shipping_options=cart.shipping_options,
            shipping_method=cart.shipping_method,
        )
        other = price(reversed_cart, promotions, at=NOW)
        assert (other.total, other.discount, other.shipping) == (
            first.total,
            first.discount,
            first.shipping,
        )

    @settings(max_examples=30, deadline=None, suppress_health_check=_PER_SUBCLASS)
    @given(data=st.data())
    def test_nudges_are_structured(self, data: st.DataObject) -> None:
        """A nudge names its promotion, what is missing (amount or units) and what it unlocks."""
        cart = data.draw(carts(self.currencies))
        for nudge in price(cart, self._promotions()[:1], at=NOW).nudges:
            assert isinstance(nudge, Nudge)
            assert nudge.promotion_id == "under-test"
            assert (nudge.missing_amount is None) != (nudge.missing_units is None)
            if nudge.missing_amount is not None:
                assert nudge.missing_amount.currency == cart.currency
            assert nudge.unlocks.strip()
            assert nudge.message.startswith("add ")

    def test_survives_json(self) -> None:
        """Invariant 8: the promotion reads back from its JSON form unchanged."""
        promotion = self._promotions()[0]
        assert from_json(to_json(promotion), Promotion) == promotion
