"""Every built-in benefit passes the contract shipped for plugin benefits."""

from __future__ import annotations

from decimal import Decimal

from shopkit import Money, Product
from shopkit.pricing import (
    Amounts,
    Benefit,
    Bundle,
    BundleItem,
    BuyXGetY,
    Categories,
    CheapestFree,
    FixedOff,
    FixedPrice,
    FreeShipping,
    Gift,
    Percentage,
    Tags,
    Tier,
    TieredSpend,
    Welcome,
)
from shopkit.pricing.testing import BenefitContract


def each(**amounts: str) -> Amounts:
    return Amounts.of(**amounts)


class TestPercentage(BenefitContract):
    def make_benefit(self) -> Benefit:
        return Percentage(
            Decimal("12.5"), Categories(["Kitchen"]), each(EUR="20", JPY="2000", KWD="5")
        )


class TestFixedOffPerUnit(BenefitContract):
    def make_benefit(self) -> Benefit:
        return FixedOff(each(EUR="3.00", JPY="300", KWD="0.500"), "unit", Tags(["sale"]))


class TestFixedOffPerOrder(BenefitContract):
    def make_benefit(self) -> Benefit:
        return FixedOff(each(EUR="50.00", JPY="5000", KWD="10"))


class TestFixedPrice(BenefitContract):
    def make_benefit(self) -> Benefit:
        return FixedPrice(each(EUR="9.99", JPY="999", KWD="1.999"), Categories(["Phones"]))


class TestBundle(BenefitContract):
    def make_benefit(self) -> Benefit:
        items = [BundleItem(Categories(["Phones"])), BundleItem(Categories(["Accessories"]), 2)]
        return Bundle(items, each(EUR="499", JPY="49900", KWD="99"))


class TestBuyXGetY(BenefitContract):
    def make_benefit(self) -> Benefit:
        return BuyXGetY(2, 1, Categories(["Kitchen"]), percent=50, discounted="most_expensive")


class TestCheapestFree(BenefitContract):
    def make_benefit(self) -> Benefit:
        return CheapestFree(Categories(["Accessories", "Kitchen"]), 3, repeat=True)


class TestTieredSpend(BenefitContract):
    def make_benefit(self) -> Benefit:
        return TieredSpend(
            [
                Tier(each(EUR="100", JPY="10000", KWD="20"), percent=5),
                Tier(
                    each(EUR="500", JPY="50000", KWD="100"),
                    amounts=each(EUR="50", JPY="5000", KWD="10"),
                ),
            ]
        )


class TestFreeShipping(BenefitContract):
    def make_benefit(self) -> Benefit:
        return FreeShipping(each(EUR="50", JPY="5000", KWD="10"))


class TestGift(BenefitContract):
    currencies = ("EUR",)

    def make_benefit(self) -> Benefit:
        return Gift(Product("TOTE", "Tote bag", Money.of("4.00", "EUR")))


class TestWelcome(BenefitContract):
    def make_benefit(self) -> Benefit:
        return Welcome(percent=10)


def test_every_built_in_benefit_runs_the_contract() -> None:
    # one contract class above per benefit kind shopkit registers
    from shopkit.pricing import benefits

    tested = {
        benefits.name_of(type(cls().make_benefit()))
        for cls in BenefitContract.__subclasses__()
        if cls.__module__ == __name__  # not the docs' example plugin, if its page ran first
    }
    assert tested == set(benefits.names()) - {
        name
        for name in benefits.names()
        if not benefits.get(name).__module__.startswith("shopkit.")
    }
