"""Upsell reasons that state the gain, and service add-ons priced as a share, worked by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shopkit import Catalogue, Money, Product, ValidationError
from shopkit.recommend import CrossSell, CrossSellRule, Gain, Interactions, Request, Upsell, gains

EMPTY = Interactions((), [], [], [], [])


def phone(sku: str, price: str, **attributes: str) -> Product:
    return Product(
        sku, f"Phone {sku}", Money.of(price, "EUR"), categories=["Phones"], attributes=attributes
    )


SMALL = phone("128", "299.00", storage="128 GB", battery="4000 mAh", warranty="1 year")
LARGE = phone("256", "329.00", storage="256 GB", battery="4500 mAh", warranty="2 years")
PLAIN = phone("X", "330.00")
WARRANTY = Product("CARE", "Extended warranty", Money.of("0", "EUR"), categories=["Services"])
SETUP = Product("SETUP", "Set-up at home", Money.of("0", "EUR"), categories=["Services"])


def test_gains_compare_numbers_with_the_same_unit() -> None:
    # in the order of the main product's attributes (a product keeps them sorted by name):
    # battery 4500 − 4000 = 500 mAh, storage 256 − 128 = 128 GB; warranty "1 year" against
    # "2 years" has different units, so it is not compared
    assert gains(SMALL, LARGE) == (
        Gain("battery", Decimal("500"), "mAh"),
        Gain("storage", Decimal("128"), "GB"),
    )
    assert [str(gain) for gain in gains(SMALL, LARGE)] == [
        "500 mAh more battery",
        "128 GB more storage",
    ]
    assert gains(LARGE, SMALL) == ()  # nothing grows the other way
    assert gains(SMALL, LARGE, ["battery"]) == (Gain("battery", Decimal("500"), "mAh"),)
    assert str(Gain("cores", Decimal("2.50"), "")) == "2.5 more cores"


def test_an_upsell_reason_states_the_gain_and_the_price_step() -> None:
    model = Upsell().fit(EMPTY, catalogue=Catalogue([SMALL, LARGE, PLAIN]))
    got = model.recommend(Request(cart=["128"]))
    # both are 10 % to 100 % dearer than 299.00; equally popular (never bought), so the closer
    # price first: 256 at 329.00 (30.00 more), then X at 330.00
    assert [(r.sku, r.reason, r.because) for r in got] == [
        ("256", "500 mAh more battery and 128 GB more storage for 30.00 EUR more", "128"),
        ("X", "A step up from Phone 128", "128"),  # no attributes to compare
    ]
    only_storage = Upsell(compare=["storage"]).fit(EMPTY, catalogue=Catalogue([SMALL, LARGE]))
    (first,) = only_storage.recommend(Request(cart=["128"]))
    assert first.reason == "128 GB more storage for 30.00 EUR more"


def test_service_add_ons_are_priced_as_a_share_of_the_main_product() -> None:
    rules = [
        CrossSellRule(category="Phones", add_ons=["CARE"], share="0.1"),
        CrossSellRule(sku="256", add_ons=["SETUP"], share="0.05", reason="We set it up for you"),
    ]
    catalogue = Catalogue([SMALL, LARGE, WARRANTY, SETUP])
    model = CrossSell(rules=rules).fit(EMPTY, catalogue=catalogue)
    got = model.recommend(Request(cart=["256"]))
    # the rule for the product itself first (weight 2): set-up 5 % of 329.00 = 16.45; the
    # warranty 10 % of 329.00 = 32.90; each shown with the phone
    assert [(r.sku, r.price, r.because, r.reason) for r in got] == [
        ("SETUP", Money.of("16.45", "EUR"), "256", "We set it up for you"),
        ("CARE", Money.of("32.90", "EUR"), "256", "Extended warranty for Phone 256: 32.90 EUR"),
    ]
    # 10 % of 299.00 is 29.90; no phone in the cart, no service
    (care,) = model.recommend(Request(cart=["128"]))
    assert care.price == Money.of("29.90", "EUR")
    assert model.recommend(Request(cart=["CARE"])) == []
    # rounded half up to a cent: 10 % of 299.95 is 29.995 → 30.00
    dear = Catalogue([phone("P", "299.95"), WARRANTY])
    priced = CrossSell(rules=rules[:1]).fit(EMPTY, catalogue=dear)
    assert priced.recommend(Request(cart=["P"]))[0].price == Money.of("30.00", "EUR")
    # the add-on rule still holds: at most max_share of the main price. 10 % > 5 %: dropped
    strict = CrossSell(rules=rules[:1], max_share="0.05").fit(EMPTY, catalogue=catalogue)
    assert strict.recommend(Request(cart=["256"])) == []
    # an ordinary add-on carries no price of its own
    plain = CrossSell(rules=[CrossSellRule(sku="256", add_ons=["128"])], max_share="1")
    assert plain.fit(EMPTY, catalogue=catalogue).recommend(Request(cart=["256"]))[0].price is None


def test_a_bad_share_names_the_field() -> None:
    with pytest.raises(ValidationError) as caught:
        CrossSellRule(sku="256", add_ons=["CARE"], share="-0.1")
    assert caught.value.field == "share"
