"""The engine's fast paths (issue 12, "Speed") give what the plain paths give.

``price`` builds the priced lines when they are first read, commits an uncapped built-in order
discount as it splits it, and leaves such a split waiting until a line is read
(``CartState.settle``). Every number in an assertion is worked out in the comment above it.
"""

from __future__ import annotations

from unittest import mock

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shopkit import Cart, Customer, RoundingMode, from_json, to_json
from shopkit._allocation import split_minor
from shopkit.pricing import (
    BuyXGetY,
    FixedOff,
    Mode,
    Percentage,
    PricedCart,
    PricingOptions,
    Promotion,
    Skus,
    UnitPrice,
    _session,
    price,
)
from shopkit.pricing._book import as_book
from shopkit.pricing._line_state import LineState, fresh_line, spread
from shopkit.pricing._session import Session
from shopkit.pricing.plugin import Benefit, CartState, Level
from shopkit.testing.pricing import NOW, customers, promotion_sets

from ..strategies import shop_carts
from .test_scenarios import cart, eur, item, off


def three_lines() -> Cart:
    # A 3 × 10.00 = 30.00, B 1 × 5.00, C 2 × 2.50 = 5.00: 40.00, in sku order A, B, C.
    return cart((item("A", "10.00"), 3), (item("B", "5.00"), 1), (item("C", "2.50"), 2))


def line_totals(priced: PricedCart) -> list[str]:
    return [str(line.total.amount) for line in priced.lines]


def adjustments(priced: PricedCart) -> list[list[tuple[str, str]]]:
    return [
        [(a.promotion_id, str(a.amount.amount)) for a in line.adjustments] for line in priced.lines
    ]


TEN = Promotion("p10", "10% off", Percentage(10), priority=1)
ONE = Promotion("f1", "1.00 off", FixedOff(off(EUR="1.00")))


def test_two_waiting_order_splits_give_the_splits_made_at_once():
    # 10% of 40.00 = 4.00, by 30 : 5 : 5 -> 3.00, 0.50, 0.50; the lines are then 27.00, 4.50,
    # 4.50 (36.00). 1.00 by 2700 : 450 : 450 (of 3600): 75, 12.5, 12.5 -> 75, 12, 12 and one
    # cent left, the remainders of B and C tie (1800 each), the earlier line gets it: 75, 13, 12.
    # Lines 27.00 − 0.75 = 26.25, 4.50 − 0.13 = 4.37, 4.50 − 0.12 = 4.38; total 35.00.
    priced = price(three_lines(), [TEN, ONE], at=NOW)
    assert (priced.discount, priced.total) == (eur("5.00"), eur("35.00"))  # before any line
    assert line_totals(priced) == ["26.25", "4.37", "4.38"]
    assert adjustments(priced) == [
        [("p10", "3.00"), ("f1", "0.75")],
        [("p10", "0.50"), ("f1", "0.13")],
        [("p10", "0.50"), ("f1", "0.12")],
    ]
    # A's 26.25 over 3 alike units: 8.75 each; C's 4.38 over 2: 2.19 each
    assert priced.lines[0].unit_prices == (UnitPrice(eur("8.75"), 3),)
    assert priced.lines[2].unit_prices == (UnitPrice(eur("2.19"), 2),)


def test_lines_built_on_read_compare_dump_and_load_like_eager_ones():
    # The same cart priced twice: one read at once, one never read before comparing; both equal
    # the cart loaded back from its JSON.
    first = price(three_lines(), [TEN, ONE], at=NOW)
    second = price(three_lines(), [TEN, ONE], at=NOW)
    assert len(first.lines) == 3
    assert second == first
    assert from_json(to_json(second), PricedCart) == first
    assert hash(attrs.evolve(second)) == hash(first)


def test_a_waiting_split_over_consumed_units_spills_onto_them():
    # M 3 × 4.00: buy 2 get 1 free takes 4.00 off and consumes all three (M at 8.00, none open).
    # N 1 × 8.00. 50% of 16.00 = 8.00 by 800 : 800 -> 4.00 each. M's 4.00 falls on consumed
    # units (0.00, 4.00, 4.00): spread in proportion, 0.00, 2.00, 2.00. M 4.00, N 4.00.
    deal = Promotion("b2g1", "2+1", BuyXGetY(2, 1, Skus(["M"])), priority=1)
    half = Promotion("half", "Half off", Percentage(50))
    priced = price(cart((item("M", "4.00"), 3), (item("N", "8.00"), 1)), [deal, half], at=NOW)
    assert priced.total == eur("8.00") + priced.shipping
    assert line_totals(priced) == ["4.00", "4.00"]
    assert priced.lines[0].unit_prices == (UnitPrice(eur("2.00"), 2), UnitPrice(eur("0.00"), 1))


def test_an_order_percentage_with_its_own_cap_is_capped_as_before():
    # 10% of 40.00 = 4.00 split 3.00, 0.50, 0.50, capped to 2.50 in proportion: 250 × 300/400 =
    # 187.5, 250 × 50/400 = 31.25 twice -> 187, 31, 31 and one cent to the largest remainder
    # (A's): 1.88, 0.31, 0.31. Lines 28.12, 4.69, 4.69; total 37.50.
    capped = Promotion("c10", "10% up to 2.50", Percentage(10, max_discount=off(EUR="2.50")))
    priced = price(three_lines(), [capped], at=NOW)
    assert priced.total == eur("37.50")
    assert line_totals(priced) == ["28.12", "4.69", "4.69"]


@attrs.frozen
class DearestLineOff(Benefit):
    """1.00 off the dearest line, as it stands when the benefit runs (reads the lines' fields)."""

    seen: list[int] = attrs.field(factory=list, eq=False)
    level = Level.ORDER

    def apply(self, state: CartState, rounding: RoundingMode) -> None:
        """Record the lines' amounts, then take 1.00 off the dearest."""
        self.seen.extend(line.amount for line in state.lines)
        dearest = max(state.lines, key=lambda line: line.amount)
        state.discount_order(100, [dearest])

    def describe(self) -> str:
        """Say what it does."""
        return "1.00 off the dearest line"


def test_a_plugin_benefit_reads_the_lines_after_the_waiting_split():
    # 10% first (priority 1): 27.00, 4.50, 4.50. The plugin reads those amounts and takes 1.00
    # off A: 26.00, 4.50, 4.50; total 35.00.
    benefit = DearestLineOff()
    plugin = Promotion("dear", "Dearest line", benefit)
    priced = price(three_lines(), [TEN, plugin], at=NOW)
    assert benefit.seen == [2700, 450, 450]
    assert line_totals(priced) == ["26.00", "4.50", "4.50"]


def test_session_apply_returns_settled_lines():
    # Session.apply (the display path reads the lines' amounts): the splits are made, 26.25,
    # 4.37, 4.38 as above.
    the_cart = three_lines()
    session = Session.open(the_cart, as_book([TEN, ONE]), Customer(), NOW, PricingOptions())
    outcome = session.apply([TEN, ONE])
    assert [line.amount for line in outcome.state.lines] == [2625, 437, 438]


fast = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@fast
@given(shop_carts(), promotion_sets(), customers, st.sampled_from(list(Mode)))
def test_the_fast_paths_price_as_the_plain_ones(the_cart, promotions, customer, mode):
    # With the fast paths turned off (no order discount committed as it is split, none left
    # waiting), every order discount goes through the pending changes and the commit. The
    # priced carts are equal in every field: lines, adjustments, unit prices, reasons, words.
    options = PricingOptions(mode=mode)
    fast_cart = price(the_cart, promotions, at=NOW, customer=customer, options=options)
    with mock.patch.object(_session, "_splits_uncapped", return_value=False):
        plain_cart = price(the_cart, promotions, at=NOW, customer=customer, options=options)
    assert fast_cart == plain_cart


@fast
@given(shop_carts(), promotion_sets(), customers)
def test_waiting_splits_settle_to_what_applying_at_once_gives(the_cart, promotions, customer):
    book = as_book(promotions)
    session = Session.open(the_cart, book, customer, NOW, PricingOptions())
    chosen = session.screen(book.candidates(line.product for line in the_cart.lines)).eligible
    settled = session.apply(chosen)
    waiting = session.apply_lazily(chosen)
    assert (waiting.total, waiting.saving) == (settled.total, settled.saving)
    assert waiting.applied == settled.applied
    assert waiting.adjustments() == settled.adjustments()
    assert [line.amount for line in waiting.state.lines] == [
        line.amount for line in settled.state.lines
    ]


@given(
    st.lists(st.integers(0, 10**6), min_size=1, max_size=8).filter(any),
    st.data(),
)
def test_spread_is_the_largest_remainder_split(weights: list[int], data: st.DataObject) -> None:
    # ``spread`` (the loop a bundle runs once per set) gives what ``split_minor`` gives with
    # each part capped by its weight: largest remainder, ties to the earlier part.
    total = sum(weights)
    amount = data.draw(st.integers(0, total - 1))
    assert spread(amount, weights, total) == split_minor(amount, weights, weights)


def test_spread_by_hand() -> None:
    # 2 by 1 : 1 : 1 (of 3): 0.67 each -> 0, 0, 0 and remainders 2, 2, 2: the two extra units
    # go to the first two parts -> 1, 1, 0. 1 by 3 : 1 (of 4): 0.75, 0.25 -> 0, 0 and one
    # extra unit to the larger remainder (3) -> 1, 0.
    assert spread(2, [1, 1, 1], 3) == [1, 1, 0]
    assert spread(1, [3, 1], 4) == [1, 0]


@given(shop_carts())
def test_a_fresh_line_is_the_line_the_class_builds(shop_cart: Cart) -> None:
    # ``fresh_line`` sets the slots itself; every field equals what ``LineState(...)`` sets.
    for index, line in enumerate(shop_cart.lines):
        product, quantity = line.product, line.quantity
        base = product.unit_price.minor * quantity
        floor = product.min_price.minor if product.min_price else 0
        made = fresh_line(index, product, quantity, floor)
        assert made == LineState(index, product, quantity, base, quantity, base, floor)
        assert attrs.asdict(made, recurse=False) == attrs.asdict(
            LineState(index, product, quantity, base, quantity, base, floor), recurse=False
        )
