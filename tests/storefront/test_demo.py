"""The demo's story as data: the sample cart priced, an exact split, cross-sell and upsell."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest

from shopkit import Money, ValidationError
from shopkit.storefront import DEMO_AT, LOYALTY_AT, DemoStory, demo_story


@pytest.fixture(scope="module")
def story() -> DemoStory:
    return demo_story()


def gbp(amount: str) -> Money:
    return Money.of(amount, "GBP")


def test_the_story_prices_the_sample_cart_on_black_friday(story: DemoStory) -> None:
    # src/shopkit/data/cart.json: 22423 1 × 12.75, 85123A 4 × 2.95, 20725 3 × 1.65,
    # 22699 2 × 2.95: subtotal 12.75 + 11.80 + 4.95 + 5.90 = 35.40.
    # promotions.json on 2026-11-27 for the regular customer c-17850:
    #   black-friday-lighting: 20% of the T-light holders' 11.80 = 2.36
    #   bags-3-for-2: the third lunch bag free = 1.65
    #   teacups-pair: the second teacup at half price, 2.95 / 2 = 1.475 → 1.48 (half up)
    # discount 2.36 + 1.65 + 1.48 = 5.49; shipping 4.95 (29.91 is below the 40.00 of free
    # delivery); total 35.40 − 5.49 + 4.95 = 34.86.
    assert story.at == DEMO_AT == dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)
    assert story.customer.id == "c-17850"
    assert len(story.promotions) == 9
    priced = story.priced
    assert (priced.subtotal, priced.discount, priced.shipping, priced.total) == (
        gbp("35.40"),
        gbp("5.49"),
        gbp("4.95"),
        gbp("34.86"),
    )
    assert [a.promotion_id for a in priced.applied] == [
        "black-friday-lighting",
        "bags-3-for-2",
        "teacups-pair",
    ]


def test_the_story_splits_five_pounds_over_the_lines_exactly(story: DemoStory) -> None:
    # 500 pence over the line totals 1275, 1180, 495, 590 (sum 3540): the floors of
    # 180.08, 166.67, 69.92, 83.33 sum to 498; the 2 pence left go to the largest
    # remainders, .92 (20725) and .67 (85123A): 180, 167, 70, 83.
    assert story.voucher == gbp("5.00")
    assert story.shares == (gbp("1.80"), gbp("1.67"), gbp("0.70"), gbp("0.83"))


def test_the_story_recommends_cross_sell_and_upsell_with_reasons(story: DemoStory) -> None:
    # orders_recommenders.json at checkout: curated add-ons first, at most half the main
    # product's price. The cake stand (12.75) brings the cake cases 21212 and 21977 (0.55);
    # its third add-on, teacup 22699, is in the cart already. The T-light holder (Lighting)
    # brings 22178 and 84946 (1.25 ≤ 2.95 / 2). The lunch bag's (1.65) add-ons cost 0.85,
    # over 1.65 / 2 = 0.825, so they are left out; frequently bought together fills the
    # fifth place with the green teacup 22697.
    assert story.orders == 800
    cross_sell = [(s.recommendation.sku, s.recommendation.strategy) for s in story.cross_sell]
    assert cross_sell == [
        ("21212", "cross_sell"),
        ("21977", "cross_sell"),
        ("22178", "cross_sell"),
        ("84946", "cross_sell"),
        ("22697", "frequently_bought_together"),
    ]
    first = story.cross_sell[0]
    assert first.recommendation.reason == "Bake and serve: cases and cups for your cake stand"
    assert first.product is not None
    assert (first.product.name, first.product.unit_price) == (
        "Pack Of 72 Retrospot Cake Cases",
        gbp("0.55"),
    )
    # product page: upsell between 10% and 150% dearer in the same category. The lunch bag
    # (1.65) steps up to the jumbo bags at 2.08 (26% dearer); the T-light holder (2.95,
    # Home decor) to the bunting at 4.95 (68% dearer).
    upsell = [(s.recommendation.sku, s.recommendation.reason) for s in story.upsell]
    assert upsell == [
        ("85099B", "A step up from Lunch Bag Red Retrospot"),
        ("23203", "A step up from Lunch Bag Red Retrospot"),
        ("23298", "A step up from White Hanging Heart T-Light Holder"),
    ]


def test_the_story_offers_items_that_unlock_the_nudged_promotions(story: DemoStory) -> None:
    # The priced cart is 29.91 GBP after line discounts (34.86 with 4.95 shipping): 20.09 short
    # of "£5 off from £50" and 10.09 short of free delivery from £40. Two items per nudge, in
    # the demo recommender's order, each confirmed by pricing again. For free delivery, 3 cake
    # tins (23245, 4.95, Kitchen: no discount on Black Friday) add 14.85: 44.76 of items, so
    # shipping is free and the total is 44.76, 9.90 more than 34.86. Teacups (22697, 2.95) need
    # 5, not ceil(10.09 / 2.95) = 4: "second one half price" takes part of what they add.
    assert [(o.nudge.promotion_id, o.product.sku, o.quantity) for o in story.offers] == [
        ("five-off-50", "23245", 5),
        ("five-off-50", "22423", 2),
        ("free-delivery-40", "22697", 5),
        ("free-delivery-40", "23245", 3),
    ]
    tins = story.offers[3]
    assert (tins.saving, tins.total, tins.extra) == (gbp("4.95"), gbp("44.76"), gbp("9.90"))
    assert all(offer.recommendation is not None for offer in story.offers)


def test_the_story_shows_currencies_with_zero_two_and_three_decimals(story: DemoStory) -> None:
    assert [(str(m.amount), m.currency) for m in story.currencies] == [
        ("1999", "JPY"),
        ("19.99", "USD"),
        ("1.999", "KWD"),
    ]


def test_the_story_is_a_frozen_value(story: DemoStory) -> None:
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        story.orders = 0  # type: ignore[misc]


def test_a_week_earlier_the_kitchen_offer_runs_instead_of_black_friday() -> None:
    # On 2026-11-18 kitchen-10 runs (until 2026-11-20) and black-friday-lighting has not begun:
    #   kitchen-10: 10% of the cake stand's 12.75 = 1.275 → 1.28 (half up); of the teacups'
    #     5.90 = 0.59
    #   bags-3-for-2: 1.65, as on Black Friday
    #   teacups-pair: half of one teacup at its discounted price, (5.90 − 0.59) / 2 / 2 =
    #     1.3275 → 1.33
    # discount 1.28 + 0.59 + 1.65 + 1.33 = 4.85; total 35.40 − 4.85 + 4.95 = 35.50.
    story = demo_story(at=dt.datetime(2026, 11, 18, 12, 0, tzinfo=dt.UTC))
    priced = story.priced
    assert [a.promotion_id for a in priced.applied] == [
        "bags-3-for-2",
        "kitchen-10",
        "teacups-pair",
    ]
    assert (priced.discount, priced.total) == (gbp("4.85"), gbp("35.50"))


def test_a_moment_without_offset_is_refused() -> None:
    with pytest.raises(ValidationError) as info:
        demo_story(at=dt.datetime(2026, 11, 27, 12, 0))  # naive on purpose
    assert info.value.field == "at"


def test_the_story_reads_the_loyalty_members_at_the_end_of_their_year(story: DemoStory) -> None:
    assert story.loyalty_at == LOYALTY_AT
    ana, ben, cy = story.members
    # Ana's available lots (docs/loyalty/tiers.md works her year out): 60 + 250 + 150 + 200 +
    # 375 + 112 + 312 + 450 + 120 + 150 = 2,179 points; her December order's 225 still wait
    # for its 30-day return window
    assert (ana.customer, ana.tier, ana.balance, ana.pending) == ("ana", "gold", 2179, 225)
    assert ana.next_tier is None  # gold is the top tier
    assert ana.keep is not None
    assert ana.keep.tier == "gold"
    for member in (ben, cy):
        assert member.tier == "bronze"
        assert member.next_tier is not None
        assert member.next_tier.tier == "silver"
    assert ben.next_tier is not None
    assert str(ben.next_tier.amount) == "100.00 GBP"


def test_the_story_sums_up_the_sample_orders_kpis(story: DemoStory) -> None:
    values = {str(row[0]): row[1] for row in story.kpis.rows}
    assert values["orders"] == story.orders == 800
    gmv = values["gmv (GBP)"]
    assert isinstance(gmv, Money)
    # AOV per order is the GMV over the orders, rounded half up: 135,722.82 / 800 = 169.6535
    assert str(gmv) == "135722.82 GBP"
    assert str(values["aov (GBP)"]) == "169.65 GBP"
    rate = values["repeat purchase rate"]
    assert isinstance(rate, float)
    assert 0.0 <= rate <= 1.0
