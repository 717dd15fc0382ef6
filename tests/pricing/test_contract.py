"""Every built-in selector, condition and benefit passes the contract shipped for plugins."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from shopkit import Money, Product, Registry
from shopkit.pricing import (
    AllOf,
    AllOfConditions,
    AllProducts,
    Amounts,
    AnyOf,
    AnyOfConditions,
    Attribute,
    Bundle,
    BundleItem,
    BuyXGetY,
    Categories,
    Channel,
    CheapestFree,
    CodeEntered,
    CustomerSegment,
    DateWindow,
    FirstOrder,
    FixedOff,
    FixedPrice,
    FreeShipping,
    Gift,
    LoyaltyTier,
    MinQuantity,
    MinSubtotal,
    NoneOf,
    NoneOfConditions,
    Percentage,
    PriceRange,
    Region,
    Schedule,
    ShippingDiscount,
    Skus,
    StockLevel,
    StockRange,
    Tags,
    Tier,
    TieredSpend,
    Welcome,
)
from shopkit.pricing.plugin import Benefit, Condition, Selector
from shopkit.pricing.plugin import benefits as benefit_kinds
from shopkit.pricing.plugin import conditions as condition_kinds
from shopkit.pricing.plugin import selectors as selector_kinds
from shopkit.testing.pricing import NOW, BenefitContract, ConditionContract, SelectorContract


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


class TestShippingDiscount(BenefitContract):
    def make_benefit(self) -> Benefit:
        return ShippingDiscount(price=each(EUR="1", JPY="100", KWD="0.5"))


class TestGift(BenefitContract):
    currencies = ("EUR",)

    def make_benefit(self) -> Benefit:
        return Gift(Product("TOTE", "Tote bag", Money.of("4.00", "EUR")))


class TestWelcome(BenefitContract):
    def make_benefit(self) -> Benefit:
        return Welcome(percent=10)


# -- selectors ---------------------------------------------------------------------------------


class TestAllProducts(SelectorContract):
    def make_selector(self) -> Selector:
        return AllProducts()


class TestSkus(SelectorContract):
    def make_selector(self) -> Selector:
        return Skus(["S1", "S3"])


class TestCategories(SelectorContract):
    def make_selector(self) -> Selector:
        return Categories(["Kitchen"])


class TestTags(SelectorContract):
    def make_selector(self) -> Selector:
        return Tags(["sale", "new"])


class TestAttribute(SelectorContract):
    def make_selector(self) -> Selector:
        return Attribute("colour", ["red"])


class TestPriceRange(SelectorContract):
    def make_selector(self) -> Selector:
        return PriceRange(min=each(EUR="10", JPY="1000", KWD="3"), max=each(EUR="900"))


class TestStockRange(SelectorContract):
    def make_selector(self) -> Selector:
        return StockRange(min_stock=3, max_stock=12)


class TestAnyOf(SelectorContract):
    def make_selector(self) -> Selector:
        return AnyOf([Skus(["S2"]), Tags(["sale"])])


class TestAllOf(SelectorContract):
    def make_selector(self) -> Selector:
        return AllOf([Categories(["Phones", "Kitchen"]), Attribute("colour", ["blue"])])


class TestNoneOf(SelectorContract):
    def make_selector(self) -> Selector:
        return NoneOf([Categories(["Accessories"])])


# -- conditions --------------------------------------------------------------------------------


class TestMinSubtotal(ConditionContract):
    def make_condition(self) -> Condition:
        return MinSubtotal(each(EUR="250", JPY="25000", KWD="80"))


class TestMinQuantity(ConditionContract):
    def make_condition(self) -> Condition:
        return MinQuantity(Categories(["Kitchen"]), 4)


class TestCustomerSegment(ConditionContract):
    def make_condition(self) -> Condition:
        return CustomerSegment(["vip"])


class TestFirstOrder(ConditionContract):
    def make_condition(self) -> Condition:
        return FirstOrder()


class TestLoyaltyTier(ConditionContract):
    def make_condition(self) -> Condition:
        return LoyaltyTier(["gold"])


class TestRegion(ConditionContract):
    def make_condition(self) -> Condition:
        return Region(["EU"])


class TestChannel(ConditionContract):
    def make_condition(self) -> Condition:
        return Channel(["app"])


class TestDateWindow(ConditionContract):
    def make_condition(self) -> Condition:
        return DateWindow(starts_at=NOW - dt.timedelta(days=1), ends_at=NOW + dt.timedelta(days=1))


class TestSchedule(ConditionContract):
    def make_condition(self) -> Condition:
        return Schedule(weekdays=["fri", "sat"], from_time="09:00", until_time="18:00")


class TestCodeEntered(ConditionContract):
    def make_condition(self) -> Condition:
        return CodeEntered("save-10")


class TestStockLevel(ConditionContract):
    def make_condition(self) -> Condition:
        return StockLevel(Tags(["sale"]), min_stock=5)


class TestAllOfConditions(ConditionContract):
    def make_condition(self) -> Condition:
        return AllOfConditions([MinQuantity(Skus(["S1"]), 2), CustomerSegment(["vip"])])


class TestAnyOfConditions(ConditionContract):
    def make_condition(self) -> Condition:
        return AnyOfConditions(
            [MinSubtotal(each(EUR="400", JPY="40000", KWD="120")), MinQuantity(Tags(["new"]), 3)]
        )


class TestNoneOfConditions(ConditionContract):
    def make_condition(self) -> Condition:
        return NoneOfConditions([Region(["UK"]), Channel(["app"])])


def kinds_tested(contract: type[Any], registry: Registry[Any], make: str) -> set[str]:
    # one contract class above per kind; not the docs' example plugins, if their page ran first
    classes: list[type] = [c for c in contract.__subclasses__() if c.__module__ == __name__]
    return {registry.name_of(type(getattr(cls(), make)())) for cls in classes}


def built_in(registry: Registry[Any]) -> set[str]:
    return {
        name for name in registry.names() if registry.get(name).__module__.startswith("shopkit.")
    }


def test_every_built_in_kind_runs_its_contract() -> None:
    assert kinds_tested(BenefitContract, benefit_kinds, "make_benefit") == built_in(benefit_kinds)
    assert kinds_tested(ConditionContract, condition_kinds, "make_condition") == built_in(
        condition_kinds
    )
    assert kinds_tested(SelectorContract, selector_kinds, "make_selector") == built_in(
        selector_kinds
    )
