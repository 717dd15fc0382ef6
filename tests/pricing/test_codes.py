"""Promo codes and limits through the engine and the checkout step, with worked numbers."""

from __future__ import annotations

import datetime as dt

import pytest

from shopkit import Cart, Customer, Money, Product, ValidationError
from shopkit.pricing import (
    Amounts,
    CheckoutError,
    CodeBook,
    CodeStatus,
    FixedOff,
    InMemoryRedemptionStore,
    MinSubtotal,
    Percentage,
    PricedCart,
    PricingOptions,
    PromoCode,
    Promotion,
    claims_for,
    generate_codes,
    normalize_code,
    price,
    reserve_checkout,
)

NOW = dt.datetime(2026, 11, 27, 12, tzinfo=dt.UTC)
LAMP = Product("LAMP", "Lamp", Money.of("40.00", "EUR"))
CART = Cart("EUR").add(LAMP)  # 40.00
ALICE = Customer("alice")
BOB = Customer("bob")


def with_codes(*codes: str) -> Cart:
    return Cart("EUR", CART.lines, codes=codes)


def status(priced: PricedCart) -> list[tuple[str, CodeStatus]]:
    return [(result.code, result.status) for result in priced.codes]


# -- generating codes ------------------------------------------------------------------------


def test_generated_codes_are_unique_unambiguous_and_prefixed() -> None:
    codes = generate_codes(500, length=8, prefix="BF-", group=4)
    assert len(set(codes)) == 500
    for code in codes:
        assert code.startswith("BF-")
        body = code[3:]
        assert len(body) == 9  # 8 characters and one dash: ABCD-EFGH
        assert body[4] == "-"
        assert not set(body.replace("-", "")) & set("01OIL")  # nothing a shopper misreads
    assert len({normalize_code(code) for code in codes}) == 500


def test_generated_codes_avoid_existing_ones() -> None:
    first = generate_codes(10, length=6)
    more = generate_codes(10, length=6, existing=first)
    assert not set(first) & set(more)


def test_too_many_short_codes_are_refused() -> None:
    # 31 symbols ** 4 = 923,521 possible; 1,000 codes would be more than 1 in 1,000 of them
    with pytest.raises(ValidationError) as caught:
        generate_codes(1_000, length=4)
    assert caught.value.field == "length"


# -- the engine and codes ------------------------------------------------------------------


TEN_OFF = Promotion("ten", "10% with a code", Percentage(10), issued_codes=True)
BOOK = CodeBook(
    [
        PromoCode("ABCD-EFGH", "ten"),  # single use
        PromoCode("MULTI-USE", "ten", max_uses=None),
        PromoCode("ALICE-ONLY", "ten", customer_id="alice"),
        PromoCode("LATER", "ten", starts_at=NOW + dt.timedelta(days=1)),
        PromoCode("OLD", "ten", ends_at=NOW),
    ]
)


def test_an_issued_code_unlocks_its_promotion_whatever_its_case_and_dashes() -> None:
    priced = price(with_codes(" abcd efgh "), [TEN_OFF], at=NOW, codes=BOOK)
    # 10 % of 40.00 = 4.00
    assert priced.total == Money.of("36.00", "EUR")
    assert status(priced) == [(" abcd efgh ", CodeStatus.APPLIED)]


def test_without_a_code_the_promotion_is_not_even_listed() -> None:
    priced = price(CART, [TEN_OFF], at=NOW, codes=BOOK)
    assert priced.total == Money.of("40.00", "EUR")
    assert priced.not_applied == ()


@pytest.mark.parametrize(
    ("code", "customer", "expected"),
    [
        ("NOPE", ALICE, CodeStatus.UNKNOWN),
        ("ALICE-ONLY", BOB, CodeStatus.BOUND_TO_OTHER_CUSTOMER),
        ("ALICE-ONLY", ALICE, CodeStatus.APPLIED),
        ("LATER", ALICE, CodeStatus.NOT_YET_ACTIVE),
        ("OLD", ALICE, CodeStatus.EXPIRED),
    ],
)
def test_each_code_failure_has_its_own_status(
    code: str, customer: Customer, expected: CodeStatus
) -> None:
    priced = price(with_codes(code), [TEN_OFF], at=NOW, customer=customer, codes=BOOK)
    assert status(priced) == [(code, expected)]
    assert priced.codes[0].message  # a sentence a shop can show
    assert (priced.total == Money.of("36.00", "EUR")) == (expected is CodeStatus.APPLIED)


def test_a_promotion_window_is_reported_on_its_code() -> None:
    ended = Promotion("old", "Old", Percentage(5), code="SUMMER", ends_at=NOW)
    coming = Promotion("new", "New", Percentage(5), code="WINTER", starts_at=NOW + dt.timedelta(1))
    priced = price(with_codes("summer", "winter"), [ended, coming], at=NOW)
    assert status(priced) == [("summer", CodeStatus.EXPIRED), ("winter", CodeStatus.NOT_YET_ACTIVE)]


def test_a_single_use_code_is_used_up_after_one_order() -> None:
    store = InMemoryRedemptionStore()
    cart = with_codes("ABCD-EFGH")
    first = price(cart, [TEN_OFF], at=NOW, customer=ALICE, codes=BOOK, store=store)
    reserve_checkout(first, [TEN_OFF], store, order_id="o-1", at=NOW, codes=BOOK)
    store.commit("o-1", at=NOW)
    second = price(cart, [TEN_OFF], at=NOW, customer=BOB, codes=BOOK, store=store)
    assert status(second) == [("ABCD-EFGH", CodeStatus.EXHAUSTED)]
    assert second.total == Money.of("40.00", "EUR")
    # a multi-use code of the same promotion still works
    third = price(with_codes("multi-use"), [TEN_OFF], at=NOW, codes=BOOK, store=store)
    assert status(third) == [("multi-use", CodeStatus.APPLIED)]


def test_two_exclusive_code_promotions_cannot_combine() -> None:
    five = Promotion(
        "five",
        "5 off",
        FixedOff(Amounts.of(EUR="5.00")),
        code="FIVE",
        combination="exclusive",
        priority=2,
    )
    ten = Promotion("tenp", "10%", Percentage(10), code="TENP", combination="exclusive")
    priced = price(with_codes("FIVE", "TENP"), [five, ten], at=NOW)
    # priority 2 wins: 40.00 − 5.00 = 35.00; the other code cannot combine with it
    assert priced.total == Money.of("35.00", "EUR")
    assert status(priced) == [("FIVE", CodeStatus.APPLIED), ("TENP", CodeStatus.CANNOT_COMBINE)]


def test_at_most_n_codes_per_order() -> None:
    a = Promotion("a", "A", FixedOff(Amounts.of(EUR="1.00")), code="AAA")
    b = Promotion("b", "B", FixedOff(Amounts.of(EUR="2.00")), code="BBB")
    options = PricingOptions(max_codes_per_order=1)
    priced = price(with_codes("AAA", "BBB", "aaa"), [a, b], at=NOW, options=options)
    # "aaa" is the same code as "AAA", counted once; "BBB" is one too many: 40.00 − 1.00
    assert status(priced) == [("AAA", CodeStatus.APPLIED), ("BBB", CodeStatus.TOO_MANY_CODES)]
    assert priced.total == Money.of("39.00", "EUR")


# -- limits ----------------------------------------------------------------------------------


def checkout(
    promotion: Promotion, store: InMemoryRedemptionStore, order: str, customer: Customer = ALICE
) -> PricedCart:
    priced = price(CART, [promotion], at=NOW, customer=customer, store=store)
    reserve_checkout(priced, [promotion], store, order_id=order, at=NOW, customer=customer)
    store.commit(order, at=NOW)
    return priced


def test_a_global_limit_is_reported_when_reached() -> None:
    store = InMemoryRedemptionStore()
    twice = Promotion("twice", "First two orders", Percentage(10), max_uses=2)
    checkout(twice, store, "o-1")
    checkout(twice, store, "o-2", BOB)
    third = price(CART, [twice], at=NOW, customer=Customer("carol"), store=store)
    assert third.not_applied[0].reason == "exhausted"
    assert third.total == Money.of("40.00", "EUR")


def test_a_per_customer_limit_holds_per_customer() -> None:
    store = InMemoryRedemptionStore()
    once = Promotion("once", "Once each", Percentage(10), max_uses_per_customer=1)
    checkout(once, store, "o-1", ALICE)
    assert price(CART, [once], at=NOW, customer=ALICE, store=store).not_applied[0].reason == (
        "exhausted_for_customer"
    )
    assert price(CART, [once], at=NOW, customer=BOB, store=store).total == Money.of("36.00", "EUR")
    # a guest cannot be counted, so cannot use it
    guest = price(CART, [once], at=NOW, store=store)
    assert guest.not_applied[0].reason == "exhausted_for_customer"


def test_a_budget_is_never_overspent() -> None:
    store = InMemoryRedemptionStore()
    budget = Promotion(
        "b", "4 off, 10.00 budget", FixedOff(Amounts.of(EUR="4.00")), budget=Amounts.of(EUR="10.00")
    )
    checkout(budget, store, "o-1")  # 4.00 spent
    checkout(budget, store, "o-2")  # 8.00 spent
    # 2.00 left, less than the 4.00 this order would take: it does not get it at all
    third = price(CART, [budget], at=NOW, customer=ALICE, store=store)
    assert third.not_applied[0].reason == "budget_spent"
    assert "2.00 EUR left" in third.not_applied[0].message
    assert store.used(["budget:b:EUR"], at=NOW) == {"budget:b:EUR": 800}


def test_a_promotion_that_gave_nothing_claims_nothing() -> None:
    store = InMemoryRedemptionStore()
    over_100 = Promotion(
        "o", "Over 100", Percentage(10), max_uses=1, condition=MinSubtotal(Amounts.of(EUR="100"))
    )
    priced = price(CART, [over_100], at=NOW, store=store)
    assert claims_for(priced, [over_100]) == ()
    reserve_checkout(priced, [over_100], store, order_id="o-1", at=NOW)
    store.commit("o-1", at=NOW)
    assert store.used(["promotion:o"], at=NOW) == {"promotion:o": 0}


def test_checkout_fails_cleanly_when_a_limit_was_reached_since_pricing() -> None:
    store = InMemoryRedemptionStore()
    last = Promotion(
        "last", "Last one", Percentage(10), max_uses=1, budget=Amounts.of(EUR="100.00")
    )
    mine = price(CART, [last], at=NOW, customer=ALICE, store=store)
    theirs = price(CART, [last], at=NOW, customer=BOB, store=store)
    reserve_checkout(theirs, [last], store, order_id="theirs", at=NOW, customer=BOB)
    with pytest.raises(CheckoutError) as caught:
        reserve_checkout(mine, [last], store, order_id="mine", at=NOW, customer=ALICE)
    assert caught.value.reason is CodeStatus.EXHAUSTED
    assert caught.value.promotion_id == "last"
    # nothing of "mine" was written: the budget holds only the other order's 4.00
    assert store.used(["budget:last:EUR", "promotion:last"], at=NOW) == {
        "budget:last:EUR": 400,
        "promotion:last": 1,
    }


def test_cancel_and_retry_are_idempotent() -> None:
    store = InMemoryRedemptionStore()
    twice = Promotion("twice", "Twice", Percentage(10), max_uses=2)
    priced = price(CART, [twice], at=NOW, store=store)
    reserve_checkout(priced, [twice], store, order_id="o-1", at=NOW)
    store.commit("o-1", at=NOW)
    store.commit("o-1", at=NOW)  # a retried commit does not count twice
    assert store.used(["promotion:twice"], at=NOW) == {"promotion:twice": 1}
    store.release("o-1")  # the order is refunded
    store.release("o-1")  # and the refund retried
    assert store.used(["promotion:twice"], at=NOW) == {"promotion:twice": 0}


def test_a_shared_code_unlocks_a_promotion_that_also_has_issued_codes() -> None:
    both = Promotion("both", "10% either way", Percentage(10), code="EVERYONE", issued_codes=True)
    book = CodeBook([PromoCode("JUST-ALICE", "both", customer_id="alice")])
    shared = price(with_codes("everyone"), [both], at=NOW, codes=book)
    issued = price(with_codes("just-alice"), [both], at=NOW, customer=ALICE, codes=book)
    # either code takes 10 % off 40.00: 36.00
    assert shared.total == issued.total == Money.of("36.00", "EUR")
    assert status(shared) == [("everyone", CodeStatus.APPLIED)]
