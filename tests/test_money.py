"""Money: parsing, arithmetic, rounding, formatting and exact allocation."""

from __future__ import annotations

import random
from collections.abc import Callable
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from shopkit import (
    CurrencyMismatchError,
    Money,
    PrecisionError,
    RoundingMode,
    ValidationError,
    allocate,
    currency_exponent,
    from_json,
    known_currencies,
    to_json,
)

from .strategies import CURRENCIES, currencies, money

# -- exponents and parsing ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "exponent"),
    [("JPY", 0), ("KRW", 0), ("USD", 2), ("EUR", 2), ("GBP", 2), ("KWD", 3), ("BHD", 3)],
)
def test_exponents_come_from_iso_4217(code: str, exponent: int) -> None:
    assert currency_exponent(code) == exponent


def test_every_known_currency_has_an_exponent() -> None:
    # over 150 active ISO 4217 codes exist; CLDR also knows historic ones
    assert len(known_currencies()) > 150
    assert all(0 <= currency_exponent(code) <= 4 for code in known_currencies())


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [
        ("29.99", "USD", 2999),  # 29.99 × 100
        (Decimal("29.99"), "EUR", 2999),
        (30, "GBP", 3000),  # a whole number of pounds: 30 × 100
        ("1999", "JPY", 1999),  # yen have no minor unit: exponent 0
        ("100.00", "JPY", 100),  # trailing zeros are exact, so accepted
        ("1.5", "KWD", 1500),  # 1.5 × 1000 fils
        ("0.001", "KWD", 1),
        ("-4.20", "USD", -420),
        (" 7.5 ", "USD", 750),  # surrounding spaces are ignored
    ],
)
def test_of_parses_exactly(amount: str | int | Decimal, currency: str, minor: int) -> None:
    assert Money.of(amount, currency) == Money(minor, currency)


@pytest.mark.parametrize(
    ("amount", "currency"), [("1.999", "USD"), ("1.5", "JPY"), ("0.0001", "KWD")]
)
def test_more_decimals_than_the_currency_has_is_an_error(amount: str, currency: str) -> None:
    with pytest.raises(PrecisionError) as caught:
        Money.of(amount, currency)
    assert caught.value.field == "amount"
    assert caught.value.value == amount


def test_float_is_refused() -> None:
    with pytest.raises(ValidationError, match="float"):
        Money.of(0.1, "USD")  # type: ignore[arg-type]


def test_amount_and_str() -> None:
    price = Money(123456, "KWD")
    assert price.amount == Decimal("123.456")
    assert str(price) == "123.456 KWD"
    assert str(Money(5, "USD")) == "0.05 USD"  # always the currency's number of decimals
    assert repr(Money(-5, "JPY")) == "Money.of('-5', 'JPY')"


@given(st.integers(-(10**22) + 1, 10**22 - 1), st.sampled_from(["JPY", "USD", "KWD", "CLF", "IQD"]))
def test_str_is_the_decimal_amount_and_the_code(minor: int, currency: str) -> None:
    # str is built from the digits; it must print what the Decimal amount prints
    money = Money(minor, currency)
    assert str(money) == f"{money.amount} {currency}"


def test_str_of_small_and_negative_amounts() -> None:
    # 5 cents: "0.05"; −5 cents: "-0.05"; 1 fils of KWD (3 decimals): "0.001"; −1,234 yen
    assert str(Money(5, "USD")) == "0.05 USD"
    assert str(Money(-5, "USD")) == "-0.05 USD"
    assert str(Money(1, "KWD")) == "0.001 KWD"
    assert str(Money(-1234, "JPY")) == "-1234 JPY"
    assert str(Money(0, "EUR")) == "0.00 EUR"


# -- arithmetic and comparison --------------------------------------------------------------


def test_arithmetic_is_exact() -> None:
    # 0.10 + 0.20 = 0.30 exactly, where floats give 0.30000000000000004
    assert Money.of("0.10", "USD") + Money.of("0.20", "USD") == Money.of("0.30", "USD")
    # 19.99 × 3 − 5.00 = 59.97 − 5.00 = 54.97
    assert Money.of("19.99", "USD") * 3 - Money.of("5", "USD") == Money(5497, "USD")
    assert 2 * Money.of("1.25", "EUR") == Money(250, "EUR")
    assert -Money(5, "USD") == Money(-5, "USD")
    assert abs(Money(-5, "USD")) == Money(5, "USD")
    assert Money.zero("KWD").is_zero()
    assert Money(-1, "USD").is_negative()


def test_comparison_within_a_currency() -> None:
    low, high = Money.of("2.99", "GBP"), Money.of("3.00", "GBP")
    assert low < high <= high
    assert high > low >= low
    assert sorted([high, low]) == [low, high]


def test_multiplying_by_a_fraction_needs_scale() -> None:
    # A programming error, as Python's own types raise TypeError for a wrong operand type.
    with pytest.raises(TypeError, match="scale"):
        Money(100, "USD") * Decimal("1.5")  # type: ignore[operator]


@given(currencies, currencies, st.integers(-(10**9), 10**9), st.integers(-(10**9), 10**9))
def test_no_operation_mixes_currencies_silently(first: str, second: str, a: int, b: int) -> None:
    assume(first != second)
    left, right = Money(a, first), Money(b, second)
    operations: list[Callable[[], object]] = [
        lambda: left + right,
        lambda: left - right,
        lambda: left < right,
        lambda: left <= right,
        lambda: left > right,
        lambda: left >= right,
        lambda: allocate(left, [right]),
        lambda: allocate(left, [1], caps=[right]),
    ]
    for operation in operations:
        with pytest.raises(CurrencyMismatchError) as caught:
            operation()
        assert caught.value.field is not None
        assert caught.value.field.endswith("currency")
    assert left != right  # equality across currencies is simply False, never an error


@given(money(), money())
def test_addition_and_subtraction_invert(first: Money, second: Money) -> None:
    second = Money(second.minor, first.currency)
    assert first + second - second == first
    assert (first + second).minor == first.minor + second.minor


# -- rounding -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minor", "factor", "mode", "expected"),
    [
        (25, "0.5", RoundingMode.HALF_UP, 13),  # 12.5 → 13
        (25, "0.5", RoundingMode.HALF_EVEN, 12),  # 12.5 → 12, the even neighbour
        (27, "0.5", RoundingMode.HALF_EVEN, 14),  # 13.5 → 14, the even neighbour
        (-25, "0.5", RoundingMode.HALF_UP, -13),  # −12.5 → −13, away from zero
        (-25, "0.5", RoundingMode.HALF_EVEN, -12),
        (129, "0.1", RoundingMode.DOWN, 12),  # 12.9 → 12, toward zero
        (-129, "0.1", RoundingMode.DOWN, -12),
        (121, "0.1", RoundingMode.UP, 13),  # 12.1 → 13, away from zero
        (-121, "0.1", RoundingMode.UP, -13),
        (1999, "0.15", RoundingMode.HALF_UP, 300),  # 299.85 → 300
        (1000, "0.333", RoundingMode.HALF_UP, 333),  # 333.0 exactly
    ],
)
def test_scale_rounds_with_the_named_rule(
    minor: int, factor: str, mode: RoundingMode, expected: int
) -> None:
    assert Money(minor, "USD").scale(factor, mode) == Money(expected, "USD")


def test_percent() -> None:
    # 15 % of 19.99 = 2.9985 → 3.00 half-up
    assert Money.of("19.99", "USD").percent(15) == Money.of("3.00", "USD")
    # 10 % of 1,995 JPY = 199.5 → 200 half-up, 200 half-even (199 is odd)
    assert Money(1995, "JPY").percent(10) == Money(200, "JPY")
    assert Money(1995, "JPY").percent(10, RoundingMode.HALF_EVEN) == Money(200, "JPY")
    # 10 % of 1,985 JPY = 198.5 → 199 half-up, 198 half-even
    assert Money(1985, "JPY").percent(10) == Money(199, "JPY")
    assert Money(1985, "JPY").percent(10, RoundingMode.HALF_EVEN) == Money(198, "JPY")


_DECIMAL_MODES = {
    RoundingMode.HALF_UP: ROUND_HALF_UP,
    RoundingMode.HALF_EVEN: ROUND_HALF_EVEN,
    RoundingMode.DOWN: ROUND_DOWN,
    RoundingMode.UP: ROUND_UP,
}


@given(
    money(),
    st.decimals(min_value=-1000, max_value=1000, places=4, allow_nan=False),
    st.sampled_from(list(RoundingMode)),
)
def test_scale_agrees_with_decimal_quantize(
    amount: Money, factor: Decimal, mode: RoundingMode
) -> None:
    exact = Decimal(amount.minor) * factor  # exact: at most 13 + 8 digits
    expected = int(exact.quantize(Decimal(1), rounding=_DECIMAL_MODES[mode]))
    scaled = amount.scale(factor, mode)
    assert scaled.minor == expected
    assert abs(Fraction(scaled.minor) - Fraction(exact)) < 1  # never off by a whole unit


# -- formatting and round trips -------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "shown"),
    [
        ("1234.5", "EUR", "de_DE", "1.234,50\xa0€"),
        ("1234.5", "EUR", "en_IE", "€1,234.50"),
        ("1234", "JPY", "ja_JP", "￥1,234"),
        ("1.234", "KWD", "en_US", "KWD1.234"),  # CLDR writes no space here
        ("19.99", "USD", "en_US", "$19.99"),
    ],
)
def test_format_is_locale_aware(amount: str, currency: str, locale: str, shown: str) -> None:
    assert Money.of(amount, currency).format(locale) == shown


@given(money())
def test_parse_and_str_round_trip(amount: Money) -> None:
    assert Money.parse(str(amount)) == amount
    assert Money.of(amount.amount, amount.currency) == amount
    assert Money.of(str(amount.amount), amount.currency) == amount
    assert from_json(to_json(amount), Money) == amount


@given(money())
def test_amount_has_exactly_the_currency_decimals(amount: Money) -> None:
    exponent = amount.amount.as_tuple().exponent
    assert exponent == -currency_exponent(amount.currency)


@given(money(), st.sampled_from(["en_US", "de_DE", "ja_JP", "fr_FR", "ar_KW"]))
def test_format_never_loses_digits(amount: Money, locale: str) -> None:
    shown = amount.format(locale)
    digits = "".join(character for character in shown if character.isdigit())
    # the display keeps every significant digit of the minor units (grouping aside)
    assert digits.lstrip("0") == str(abs(amount.minor)).lstrip("0") or amount.minor == 0


# -- allocation -----------------------------------------------------------------------------


def test_allocate_three_equal_parts() -> None:
    # 10.00 / 3 = 3.333…: floors 3.33 × 3 = 9.99, the leftover cent goes to the first part
    # (all remainders tie at 0.333…, so position breaks the tie)
    parts = allocate(Money.of("10.00", "USD"), [1, 1, 1])
    assert [part.minor for part in parts] == [334, 333, 333]


def test_allocate_tie_break_by_key() -> None:
    # the same split, but the key "a" of the third part is smallest, so it gets the cent
    parts = allocate(Money.of("10.00", "USD"), [1, 1, 1], keys=["c", "b", "a"])
    assert [part.minor for part in parts] == [333, 333, 334]


def test_allocate_by_line_totals() -> None:
    # 5.00 over 12.75, 11.80, 4.95, 5.90 (sum 35.40): exact shares 1.8008…, 1.6666…, 0.6991…,
    # 0.8333…; floors 180 + 166 + 69 + 83 = 498, two cents left go to the largest remainders
    # (0.9915… of the third, 0.6666… of the second)
    weights = [Money.of(a, "GBP") for a in ("12.75", "11.80", "4.95", "5.90")]
    parts = allocate(Money.of("5.00", "GBP"), weights)
    assert [part.minor for part in parts] == [180, 167, 70, 83]


def test_allocate_with_caps_water_fills() -> None:
    # 10.00 over three equal weights, the first capped at 1.00: it takes 1.00, and the
    # other two share the 9.00 left: 4.50 each
    caps = [Money.of("1.00", "USD"), Money.of("50", "USD"), Money.of("50", "USD")]
    parts = allocate(Money.of("10.00", "USD"), [1, 1, 1], caps=caps)
    assert [part.minor for part in parts] == [100, 450, 450]


def test_allocate_caps_exactly_full() -> None:
    # 6 JPY over caps 1, 2, 3 with weights 3, 2, 1: every part is filled to its cap
    caps = [Money(1, "JPY"), Money(2, "JPY"), Money(3, "JPY")]
    parts = allocate(Money(6, "JPY"), [3, 2, 1], caps=caps)
    assert [part.minor for part in parts] == [1, 2, 3]


def test_allocate_zero_weight_gets_nothing() -> None:
    parts = allocate(Money(7, "JPY"), [1, 0, 1])
    # 3.5 each for the weighted parts; the tie goes to the first
    assert [part.minor for part in parts] == [4, 0, 3]


def test_allocate_negative_total() -> None:
    # −10.00 is spread as 10.00 (334, 333, 333), then negated
    parts = allocate(Money.of("-10.00", "USD"), [1, 1, 1])
    assert [part.minor for part in parts] == [-334, -333, -333]


def test_allocate_zero_total() -> None:
    assert allocate(Money.zero("EUR"), [0, 0]) == (Money.zero("EUR"), Money.zero("EUR"))


weights = st.lists(st.integers(0, 10**6), min_size=1, max_size=12).filter(any)


@given(money(min_minor=-(10**9), max_minor=10**9), weights)
def test_allocation_sums_exactly_and_each_part_is_within_one_unit(
    total: Money, parts_weights: list[int]
) -> None:
    parts = allocate(total, parts_weights)
    assert sum(part.minor for part in parts) == total.minor
    weight_sum = sum(parts_weights)
    for part, weight in zip(parts, parts_weights, strict=True):
        exact_share = Fraction(total.minor * weight, weight_sum)
        assert abs(part.minor - exact_share) < 1
        assert part.currency == total.currency


@given(money(min_minor=0, max_minor=10**7), weights, st.randoms(use_true_random=False))
def test_allocation_is_independent_of_input_order_given_keys(
    total: Money, parts_weights: list[int], shuffler: random.Random
) -> None:
    keys = list(range(len(parts_weights)))
    parts = allocate(total, parts_weights, keys=keys)
    order = list(range(len(parts_weights)))
    shuffler.shuffle(order)
    shuffled = allocate(total, [parts_weights[i] for i in order], keys=[keys[i] for i in order])
    assert {keys[i]: part for i, part in zip(order, shuffled, strict=True)} == dict(
        zip(keys, parts, strict=True)
    )
    assert allocate(total, parts_weights, keys=keys) == parts  # deterministic


@st.composite
def capped_allocations(draw: st.DrawFn) -> tuple[Money, list[int], list[Money]]:
    currency = draw(st.sampled_from(CURRENCIES))
    count = draw(st.integers(1, 10))
    parts_weights = draw(st.lists(st.integers(1, 10**5), min_size=count, max_size=count))
    caps = draw(st.lists(st.integers(0, 10**6), min_size=count, max_size=count))
    total = draw(st.integers(0, sum(caps)))
    return Money(total, currency), parts_weights, [Money(cap, currency) for cap in caps]


@given(capped_allocations())
def test_capped_allocation_sums_exactly_and_respects_every_cap(
    case: tuple[Money, list[int], list[Money]],
) -> None:
    total, parts_weights, caps = case
    parts = allocate(total, parts_weights, caps=caps)
    assert sum(part.minor for part in parts) == total.minor
    for part, cap in zip(parts, caps, strict=True):
        assert 0 <= part.minor <= cap.minor


@given(capped_allocations())
@example(  # a part reaching its cap by rounding alone: 5 JPY, weights 5 and 1s, caps 4, 0s, 1s
    (
        Money(5, "JPY"),
        [5, 1, 1, 1, 1, 1, 1, 1, 1],
        [Money(c, "JPY") for c in (4, 0, 0, 0, 1, 1, 1, 1, 1)],
    )
)
def test_capped_allocation_shares_what_is_left_in_proportion(
    case: tuple[Money, list[int], list[Money]],
) -> None:
    total, parts_weights, caps = case
    parts = allocate(total, parts_weights, caps=caps)
    # Water-filling means one fill level t for all parts: a part below its cap is w × t, within
    # one minor unit (rounding), and a part at its cap is one the level reached, give or take
    # the same unit. So some t must satisfy, for every part i:
    #   below its cap:  part_i - 1 < w_i × t < part_i + 1
    #   at its cap:     w_i × t > cap_i - 1
    # (The level is not simply "what the capped parts left over, shared": a part can reach its
    # cap by the rounding step alone, as 5 JPY over weights 5, 1, 1, 1, 1 with caps of 1 shows.)
    low, high = Fraction(-(10**18)), Fraction(10**18)
    for part, weight, cap in zip(parts, parts_weights, caps, strict=True):
        if part.minor < cap.minor:
            low = max(low, Fraction(part.minor - 1, weight))
            high = min(high, Fraction(part.minor + 1, weight))
        else:
            low = max(low, Fraction(cap.minor - 1, weight))
    assert low < high


@given(money(min_minor=1, max_minor=10**6))
def test_allocation_over_decimal_weights(total: Money) -> None:
    parts = allocate(total, [Decimal("0.5"), Decimal("0.25"), Decimal("0.25")])
    assert sum(part.minor for part in parts) == total.minor
    assert parts[1].minor + parts[2].minor in {total.minor // 2, total.minor - total.minor // 2}
