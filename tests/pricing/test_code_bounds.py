"""The work entered codes cause is bounded by ``max_codes_per_order`` before any lookup.

A cart of 50,000 codes used to take minutes; these tests count the work (lookups and
normalisations), not the time, so they hold on a loaded machine.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

import shopkit.pricing._codes as codes_module
from shopkit import Cart, Customer, Money, Product, ValidationError, from_json
from shopkit.pricing import (
    CodeBook,
    CodeStatus,
    Percentage,
    PricingOptions,
    PromoCode,
    Promotion,
    PromotionBook,
    price,
)
from shopkit.pricing._codes import EnteredCodes

NOW = dt.datetime(2026, 11, 27, 12, tzinfo=dt.UTC)
LAMP = Product("LAMP", "Lamp", Money.of("40.00", "EUR"))


class CountingCodeBook(CodeBook):
    """A code book that counts how often it is asked."""

    def __init__(self, codes: list[PromoCode]) -> None:
        super().__init__(codes)
        self.asked = 0

    def get(self, entered: str) -> PromoCode | None:
        self.asked += 1
        return super().get(entered)


class CountingBook(PromotionBook):
    """A promotion book that counts the shared-code lookups."""

    asked = 0

    def shared_code_promotions(self, normalized_code: str) -> list[Promotion]:
        self.asked += 1
        return super().shared_code_promotions(normalized_code)


def test_the_default_limit_is_20_and_a_shop_can_raise_it() -> None:
    assert PricingOptions().max_codes_per_order == 20
    assert PricingOptions(max_codes_per_order=500).max_codes_per_order == 500
    assert from_json('{"max_codes_per_order": 50}', PricingOptions).max_codes_per_order == 50
    with pytest.raises(ValidationError) as caught:
        PricingOptions(max_codes_per_order=None)  # type: ignore[arg-type]
    assert (caught.value.field, caught.value.value) == ("max_codes_per_order", None)


def test_50000_codes_cost_20_lookups_and_one_normalisation_each(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = 0
    normalize = codes_module.normalize_code

    def counting(code: str) -> str:
        nonlocal calls
        calls += 1
        return normalize(code)

    monkeypatch.setattr(codes_module, "normalize_code", counting)
    typed = [f"c-{i:05d}" for i in range(50_000)]
    cart = Cart("EUR", codes=typed).add(LAMP)
    # the second code is a shared one: 10 % off
    book = CountingBook([Promotion("ten", "10%", Percentage(10), code="C00001")])
    issued = CountingCodeBook([PromoCode("C-00000", "ten")])
    calls = 0
    priced = price(cart, book, at=NOW, codes=issued)
    # the first 20 distinct codes are looked up once each in the code book; the 19 that are
    # not issued are looked up among the shared codes, and the one that unlocks a promotion
    # once more for its result (19 + 1 = 20); none of the other 49,980 is looked up
    assert issued.asked == 20
    assert book.asked == 20
    # one normalisation per code typed, and one more inside each of the 20 code-book lookups
    assert calls == 50_000 + 20
    assert len(priced.codes) == 50_000
    statuses = [result.status for result in priced.codes]
    assert statuses[1] == CodeStatus.APPLIED
    assert statuses.count(CodeStatus.TOO_MANY_CODES) == 49_980
    assert set(statuses[20:]) == {CodeStatus.TOO_MANY_CODES}
    assert priced.codes[20].message == "an order can use at most 20 codes"
    assert priced.codes[20].promotion_id is None  # not looked up, so not known
    # "C-00000" is issued but its promotion takes no issued codes: unknown; 40.00 - 10 % = 36.00
    assert statuses[0] == CodeStatus.UNKNOWN
    assert priced.total == Money.of("36.00", "EUR")


def test_what_is_resolved_holds_at_most_the_limit_of_codes() -> None:
    cart = Cart("EUR", codes=[f"c-{i:05d}" for i in range(50_000)]).add(LAMP)
    options = PricingOptions(max_codes_per_order=5)
    entered = EnteredCodes.resolve(cart, PromotionBook([]), None, Customer(), NOW, options)
    # 5 codes looked at, resolved and held as objects; the other 49,995 kept as typed only
    assert len(entered.entered) == 5
    assert len(entered.refused) == 5  # each of the 5 is unknown
    assert entered.too_many[:2] == ("c-00005", "c-00006")
    assert len(entered.too_many) == 49_995
    assert entered.counting == frozenset()


def test_a_code_typed_twice_past_the_limit_counts_once() -> None:
    # "aaa" is "AAA" again (its first spelling stands); "BBB" and "b-b-b" are one code, too many
    cart = Cart("EUR", codes=["AAA", "aaa", "BBB", "b-b-b"]).add(LAMP)
    a = Promotion("a", "A", Percentage(5), code="AAA")
    priced = price(cart, [a], at=NOW, options=PricingOptions(max_codes_per_order=1))
    assert [(r.code, r.status) for r in priced.codes] == [
        ("AAA", CodeStatus.APPLIED),
        ("BBB", CodeStatus.TOO_MANY_CODES),
    ]
    assert priced.codes[1].message == "an order can use at most 1 code"
    assert priced.total == Money.of("38.00", "EUR")  # 40.00 - 5 %


@given(
    typed=st.lists(st.sampled_from(["a", "A", "b", "b-", "c", "d", "e", "f", "g"]), max_size=12),
    limit=st.integers(1, 6),
)
def test_exactly_the_first_limit_distinct_codes_are_looked_up(typed: list[str], limit: int) -> None:
    cart = Cart("EUR", codes=typed).add(LAMP)
    issued = CountingCodeBook([])
    options = PricingOptions(max_codes_per_order=limit)
    priced = price(cart, [], at=NOW, codes=issued, options=options)
    distinct = list(dict.fromkeys(code.replace("-", "").upper() for code in typed))
    assert [result.code.replace("-", "").upper() for result in priced.codes] == distinct
    assert issued.asked == min(limit, len(distinct))
    for index, result in enumerate(priced.codes):
        expected = CodeStatus.TOO_MANY_CODES if index >= limit else CodeStatus.UNKNOWN
        assert result.status == expected
