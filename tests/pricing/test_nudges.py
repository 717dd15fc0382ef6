"""Nudges and not-applied reasons are data a layer above can act on, and the pricing package's
module graph has no cycle."""

from __future__ import annotations

import datetime as dt
import json

import grimp
import pytest

from shopkit import (
    Cart,
    ConfigError,
    Money,
    Product,
    ValidationError,
    from_dict,
    from_json,
    to_json,
)
from shopkit.pricing import (
    Amounts,
    Bundle,
    BundleItem,
    BuyXGetY,
    Categories,
    FreeShipping,
    MinQuantity,
    MinSubtotal,
    Nudge,
    Percentage,
    PricedCart,
    PricingOptions,
    Promotion,
    Reason,
    Skus,
    Tier,
    TieredSpend,
    price,
)
from shopkit.pricing._redemption import ClaimKey, Counter

AT = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)
LAMP = Product("LAMP", "Lamp", Money.of("35.00", "EUR"), categories=["Lighting"])
CASE = Product("CASE", "Case", Money.of("30.00", "EUR"), categories=["Cases"])
PHONE = Product("PHONE", "Phone", Money.of("500.00", "EUR"), categories=["Phones"])


def only_nudge(priced: PricedCart) -> Nudge:
    (nudge,) = priced.nudges
    return nudge


def test_a_spend_nudge_says_how_much_and_for_what() -> None:
    # Free shipping from 50.00 on a 35.00 cart: 50.00 − 35.00 = 15.00 missing.
    ship = Promotion("ship", "Free shipping", FreeShipping(Amounts.of(EUR="50.00")))
    nudge = only_nudge(price(Cart("EUR").add(LAMP), [ship], at=AT))
    assert nudge.promotion_id == "ship"
    assert nudge.missing_amount == Money.of("15.00", "EUR")
    assert nudge.missing_units is None
    assert nudge.selector is None
    assert nudge.unlocks == "free shipping"
    assert nudge.message == "add 15.00 EUR more for free shipping"


def test_a_condition_nudge_is_completed_with_the_benefit() -> None:
    # 10% off lighting from 40.00: 40.00 − 35.00 = 5.00 missing; it unlocks the benefit.
    promotion = Promotion(
        "l10",
        "Lighting 10%",
        Percentage(10, Categories(["Lighting"])),
        condition=MinSubtotal(Amounts.of(EUR="40.00")),
    )
    priced = price(Cart("EUR").add(LAMP), [promotion], at=AT)
    (refused,) = priced.not_applied
    assert refused.reason is Reason.CONDITION
    assert refused.message == "the order is 35.00 EUR, below the 40.00 EUR threshold"
    assert refused.nudge == Nudge(
        "l10", missing_amount=Money.of("5.00", "EUR"), unlocks="10% off items from Lighting"
    )


def test_a_units_nudge_names_the_selection() -> None:
    # 3 cases needed for 10% off, 1 in the cart: 2 more cases.
    promotion = Promotion(
        "c10", "Cases 10%", Percentage(10), condition=MinQuantity(Skus(["CASE"]), 3)
    )
    nudge = only_nudge(price(Cart("EUR").add(CASE), [promotion], at=AT))
    assert (nudge.missing_amount, nudge.missing_units) == (None, 2)
    assert nudge.selector == Skus(["CASE"])
    assert nudge.selector.matches(CASE)
    assert nudge.message == "add 2 more item CASE for 10% off the order"


def test_a_deal_nudge_earns_its_reward() -> None:
    # 2+1 on cases with one case: a group is 3 units, 3 − 1 = 2 more earn 1 free.
    deal = Promotion("2+1", "2+1 cases", BuyXGetY(2, 1, Categories(["Cases"])))
    nudge = only_nudge(price(Cart("EUR").add(CASE), [deal], at=AT))
    assert (nudge.missing_units, nudge.unlocks, nudge.reward) == (2, "1 free", True)
    assert nudge.message == "add 2 more items from Cases to get 1 free"


def test_a_tier_nudge_names_the_next_tier() -> None:
    # Tiers from 50.00 (5%) and 100.00 (10.00 off); 35.00 is 15.00 short of the first.
    tiers = TieredSpend(
        [
            Tier(Amounts.of(EUR="50.00"), percent=5),
            Tier(Amounts.of(EUR="100.00"), amounts=Amounts.of(EUR="10.00")),
        ]
    )
    nudge = only_nudge(price(Cart("EUR").add(LAMP), [Promotion("t", "Tiers", tiers)], at=AT))
    assert nudge.missing_amount == Money.of("15.00", "EUR")
    assert nudge.unlocks == "5% off the order"


def test_a_bundle_nudges_for_its_first_short_component() -> None:
    # Phone + 2 cases for 520.00; the cart has the phone and one case: 1 more case completes it.
    bundle = Bundle(
        [BundleItem(Categories(["Phones"])), BundleItem(Categories(["Cases"]), 2)],
        Amounts.of(EUR="520.00"),
    )
    priced = price(Cart("EUR").add(PHONE).add(CASE), [Promotion("set", "Set", bundle)], at=AT)
    (refused,) = priced.not_applied
    assert refused.reason is Reason.NO_EFFECT
    nudge = only_nudge(priced)
    assert (nudge.missing_units, nudge.selector) == (1, Categories(["Cases"]))
    # with it, 500.00 + 30.00 + 30.00 = 560.00 sells for 520.00: 40.00 off
    completed = price(Cart("EUR").add(PHONE).add(CASE, 2), [Promotion("set", "Set", bundle)], at=AT)
    assert completed.discount == Money.of("40.00", "EUR")


def test_the_json_form_keeps_a_readable_message_beside_the_fields() -> None:
    ship = Promotion("ship", "Free shipping", FreeShipping(Amounts.of(EUR="50.00")))
    priced = price(Cart("EUR").add(LAMP), [ship], at=AT)
    data = json.loads(to_json(priced))
    (refused,) = data["not_applied"]
    assert refused["reason"] == "no_effect"
    assert refused["message"] == "gives no discount to this cart"
    assert refused["nudge"] == {
        "promotion_id": "ship",
        "missing_amount": {"amount": "15.00", "currency": "EUR"},
        "unlocks": "free shipping",
        "message": "add 15.00 EUR more for free shipping",
    }
    assert from_json(to_json(priced), PricedCart) == priced


def test_windows_say_whether_not_started_or_ended() -> None:
    later = Promotion("later", "Later", Percentage(10), starts_at=AT + dt.timedelta(days=1))
    over = Promotion("over", "Over", Percentage(10), ends_at=AT)
    priced = price(Cart("EUR").add(LAMP), [later, over], at=AT)
    assert {n.promotion_id: n.reason for n in priced.not_applied} == {
        "later": Reason.NOT_STARTED,
        "over": Reason.ENDED,
    }


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (
            {"combination": "bogus"},
            "combination: 'bogus' is not one of stackable, exclusive, group, stop",
        ),
    ],
)
def test_a_bad_enum_value_names_the_field_and_the_values(
    data: dict[str, str], problem: str
) -> None:
    promotion = {"id": "x", "name": "X", "benefit": {"type": "percentage", "percent": "10"}}
    with pytest.raises(ConfigError) as info:
        from_dict(promotion | data, Promotion)
    assert str(info.value) == problem


def test_a_bad_enum_argument_names_the_field() -> None:
    with pytest.raises(ValidationError) as info:
        PricingOptions(mode="cheapest")
    assert (info.value.field, info.value.value) == ("mode", "cheapest")


def test_a_nudge_has_exactly_one_of_amount_and_units() -> None:
    with pytest.raises(ValidationError):
        Nudge("p", unlocks="x")
    with pytest.raises(ValidationError):
        Nudge("p", missing_amount=Money.of("1.00", "EUR"), missing_units=1, unlocks="x")
    with pytest.raises(ValidationError):
        Nudge("p", missing_units=1, unlocks="x")  # units need a selector


@pytest.mark.parametrize(
    ("key", "text"),
    [
        (ClaimKey.promotion("bf"), "promotion:bf"),
        (ClaimKey.customer("bf", "c-42"), "promotion:bf:customer:c-42"),
        (ClaimKey.budget("bf", "EUR"), "budget:bf:EUR"),
        (ClaimKey.code("BF7K2M"), "code:BF7K2M"),
    ],
)
def test_counter_keys_are_written_and_read_in_one_place(key: ClaimKey, text: str) -> None:
    assert str(key) == text
    assert ClaimKey.parse(text) == key


def test_an_unknown_counter_key_is_refused() -> None:
    with pytest.raises(ValidationError):
        ClaimKey.parse("bogus")
    assert ClaimKey.parse("budget:a:b:EUR") == ClaimKey(Counter.BUDGET, "a:b", "EUR")


def test_the_pricing_modules_import_each_other_without_a_cycle() -> None:
    graph = grimp.build_graph("shopkit")
    modules = sorted(m for m in graph.modules if m.startswith("shopkit.pricing."))
    for module in modules:
        for other in modules:
            if module != other and graph.direct_import_exists(importer=module, imported=other):
                assert not graph.chain_exists(importer=other, imported=module), (module, other)
