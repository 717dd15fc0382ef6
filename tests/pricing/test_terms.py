"""Customer-facing terms without a cart (issue 12): texts, end times, offers, low stock."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest

from shopkit import Customer, Money, Product, ValidationError, from_json, to_json
from shopkit.pricing import (
    AllOfConditions,
    Amounts,
    Categories,
    CodeEntered,
    CustomerSegment,
    FixedOff,
    FreeShipping,
    MinSubtotal,
    Percentage,
    Promotion,
    Region,
    ShippingDiscount,
    TermsTemplates,
    Welcome,
    available_promotions,
    display_prices,
    shipping_offers,
    terms,
)

UTC = dt.UTC
START = dt.datetime(2026, 11, 27, tzinfo=UTC)
END = dt.datetime(2026, 12, 2, tzinfo=UTC)  # exclusive: the last day is 1 Dec
NOW = dt.datetime(2026, 11, 30, 12, tzinfo=UTC)

KITCHEN = Promotion(
    "k10",
    "Kitchen week",
    Percentage(10, Categories(["Kitchenware"])),
    starts_at=START,
    ends_at=END,
    combination="exclusive",
    max_uses_per_customer=1,
)


def test_terms_text_from_the_rule_with_end_and_time_left():
    # The example: 10% off kitchenware, 27 Nov – 1 Dec (ends 2 Dec 00:00, exclusive),
    # not with other offers, one use per customer. At 30 Nov 12:00, 1 day 12 hours are left.
    shown = terms(KITCHEN, at=NOW)
    assert shown.text == (
        "10% off items from Kitchenware, 27 Nov – 1 Dec, not with other offers, "
        "one use per customer"
    )
    assert shown.ends_at == END
    assert shown.time_left == dt.timedelta(days=1, hours=12)
    # once ended, no time is left
    assert terms(KITCHEN, at=END + dt.timedelta(days=3)).time_left == dt.timedelta(0)


def test_terms_with_conditions_in_the_cart_currency():
    promo = Promotion(
        "vip5",
        "VIP 5 off",
        FixedOff(Amounts.of(EUR="5.00", GBP="4.50")),
        condition=MinSubtotal(Amounts.of(EUR="50.00", GBP="45.00")),
        group="vip",
        combination="group",
        max_uses=100,
    )
    # The benefit says its amounts as it describes itself; the threshold is stated in the
    # currency asked for; a group promotion is "not with other vip offers".
    assert terms(promo, at=NOW, currency="GBP").text == (
        "5.00 EUR/4.50 GBP off the order, on orders from 45.00 GBP, not with other vip "
        "offers, for the first 100 orders"
    )


def test_the_shop_replaces_the_words():
    # German words for every part the kitchen promotion uses, and a template for percentages.
    german = TermsTemplates(
        benefits={"percentage": "{percent} % Rabatt auf {selector}"},
        window="{start} bis {end}",
        date="%d.%m.",
        exclusive="nicht mit anderen Angeboten kombinierbar",
        per_customer_once="einmal pro Kunde",
    )
    assert terms(KITCHEN, at=NOW, templates=german).text == (
        "10 % Rabatt auf items from Kitchenware, 27.11. bis 1.12., "
        "nicht mit anderen Angeboten kombinierbar, einmal pro Kunde"
    )
    # the templates are data: they survive JSON
    assert from_json(to_json(german), TermsTemplates) == german
    assert attrs.evolve(german, separator="; ").separator == "; "


def test_the_promotions_available_to_a_customer_now():
    # Now (30 Nov): the kitchen week (running, everyone), VIP 5 off from 50 (a VIP: yes; the
    # 50.00 needs a cart, so it is written into the terms), a code promotion (never listed:
    # codes do not leak), a UK-only one (an EU customer: no), a welcome discount (a returning
    # customer: no), one that starts in December (not yet).
    vip = Promotion(
        "vip5",
        "VIP 5 off",
        FixedOff(Amounts.of(EUR="5.00")),
        condition=AllOfConditions([CustomerSegment(["vip"]), MinSubtotal(Amounts.of(EUR="50.00"))]),
    )
    coded = Promotion("code", "Code", Percentage(20), code="SECRET")
    in_code = Promotion("code2", "Code 2", Percentage(20), condition=CodeEntered("HIDDEN"))
    uk = Promotion("uk", "UK only", Percentage(5), condition=Region(["UK"]))
    hello = Promotion("hello", "Welcome", Welcome(percent=10))
    later = Promotion("xmas", "Xmas", Percentage(15), starts_at=END)
    customer = Customer("c-1", segments=["vip"], order_count=3, region="EU")
    listed = available_promotions(
        [KITCHEN, vip, coded, in_code, uk, hello, later], at=NOW, currency="EUR", customer=customer
    )
    assert [(t.promotion_id, t.text) for t in listed] == [
        (
            "k10",
            "10% off items from Kitchenware, 27 Nov – 1 Dec, not with other offers, "
            "one use per customer",
        ),
        ("vip5", "5.00 EUR off the order, for vip customers, on orders from 50.00 EUR"),
    ]
    # a guest in the UK on a first order: the welcome discount, the kitchen week and the UK
    # one (by priority, all 0, then id); not the VIP one
    guest = available_promotions(
        [KITCHEN, vip, uk, hello], at=NOW, currency="EUR", customer=Customer(region="UK")
    )
    assert [t.promotion_id for t in guest] == ["hello", "k10", "uk"]


def test_shipping_offers_for_a_region():
    # UK: free standard shipping from 40.00 GBP, and delivery for 1.00 GBP from 20.00 GBP (a
    # min_subtotal condition); an EU-only offer is not shown; lowest threshold first.
    free = Promotion(
        "free", "Free UK shipping", FreeShipping(Amounts.of(GBP="40.00"), methods=["standard"])
    )
    cheap = Promotion(
        "one",
        "Delivery for 1",
        ShippingDiscount(price=Amounts.of(GBP="1.00")),
        condition=MinSubtotal(Amounts.of(GBP="20.00")),
    )
    eu = Promotion(
        "eu", "EU shipping", FreeShipping(Amounts.of(GBP="10.00")), condition=Region(["EU"])
    )
    ten = Promotion("ten", "10% off", Percentage(10))
    offers = shipping_offers([free, cheap, eu, ten], at=NOW, currency="GBP", region="UK")
    assert [(o.promotion_id, o.threshold, o.methods, o.text) for o in offers] == [
        ("one", Money.of("20.00", "GBP"), (), "delivery for 1.00 GBP on orders from 20.00 GBP"),
        (
            "free",
            Money.of("40.00", "GBP"),
            ("standard",),
            "free shipping (standard) on orders from 40.00 GBP",
        ),
    ]
    # in EUR, none of them has an amount
    assert shipping_offers([free, cheap, eu], at=NOW, currency="EUR", region="UK") == ()


def test_low_stock_flag_in_display_prices():
    # At most 3 in stock is low: stock 2 → low; 10 → not; unknown stock → not.
    def product(sku: str, stock: int | None) -> Product:
        return Product(sku, sku, Money.of("5.00", "EUR"), stock=stock)

    shown = display_prices(
        [product("A", 2), product("B", 10), product("C", None)], [], at=NOW, low_stock_at=3
    )
    assert [p.low_stock for p in shown] == [True, False, False]
    assert not any(p.low_stock for p in display_prices([product("A", 2)], [], at=NOW))
    with pytest.raises(ValidationError) as caught:
        display_prices([product("A", 2)], [], at=NOW, low_stock_at=-1)
    assert caught.value.field == "low_stock_at"


def test_bad_arguments():
    with pytest.raises(ValidationError) as caught:
        terms(KITCHEN, at=NOW, timezone="Mars/Olympus")
    assert caught.value.field == "timezone"
    with pytest.raises(ValidationError) as caught:
        terms(KITCHEN, at=dt.datetime(2026, 1, 1))
    assert caught.value.field == "at"
