from __future__ import annotations

from collections.abc import Iterator

import pytest
from babel.numbers import get_currency_precision

from shopkit import (
    CurrencyError,
    Money,
    ValidationError,
    currency_exponent,
    known_currencies,
    set_currency_exponent,
)


@pytest.fixture
def iqd_as_iso() -> Iterator[None]:
    set_currency_exponent("IQD", 3)
    yield
    set_currency_exponent("IQD", None)


def test_cldr_is_the_source_of_exponents() -> None:
    # Without overrides every exponent is CLDR's, through babel: no table of shopkit's own.
    assert all(
        currency_exponent(code) == get_currency_precision(code) for code in known_currencies()
    )
    # JPY 0, USD 2, KWD 3; IQD 0 where ISO 4217 says 3
    assert [currency_exponent(c) for c in ("JPY", "USD", "KWD", "IQD")] == [0, 2, 3, 0]


def test_an_override_follows_iso_for_one_currency(iqd_as_iso: None) -> None:
    assert currency_exponent("IQD") == 3
    # 1.250 IQD is 1250 minor units (fils) once IQD has 3 decimals
    amount = Money.of("1.250", "IQD")
    assert amount.minor == 1250
    assert str(amount) == "1.250 IQD"
    assert amount.format("en_US") == "IQD1.250"
    # other currencies keep CLDR's exponent
    assert currency_exponent("ALL") == get_currency_precision("ALL")


def test_removing_the_override_goes_back_to_cldr() -> None:
    cldr = currency_exponent("ALL")
    set_currency_exponent("ALL", 2)
    assert Money.of("10.50", "ALL").minor == 1050  # 10.50 with 2 decimals is 1050 qindarka
    set_currency_exponent("ALL", None)
    assert currency_exponent("ALL") == cldr
    set_currency_exponent("ALL", None)  # removing twice is harmless
    assert currency_exponent("ALL") == cldr


@pytest.mark.parametrize("exponent", [-1, 5, 2.0, "2", True])
def test_a_bad_exponent_is_refused_and_changes_nothing(exponent: object) -> None:
    with pytest.raises(ValidationError) as caught:
        set_currency_exponent("IQD", exponent)  # type: ignore[arg-type]
    assert caught.value.field == "exponent"
    assert caught.value.value == exponent
    assert currency_exponent("IQD") == 0


def test_an_unknown_currency_cannot_be_overridden() -> None:
    with pytest.raises(CurrencyError) as caught:
        set_currency_exponent("XYZ", 2)
    assert caught.value.value == "XYZ"
