"""Customer-facing terms without a cart: what each promotion offers, when, to whom, for how long.

A shop shows offers before there is a cart: a banner, a product page, a "your offers" page, a
delivery page. ``terms`` writes a promotion's terms in plain words from its rule ("10% off items
from Kitchen, 27 Nov – 1 Dec, not with other offers, one use per customer") and says when it ends
and how long is left (``PromotionTerms``). Every word comes from ``TermsTemplates``, English by
default, which a shop replaces in whole or in part. Which promotions a customer can get now, and
a region's shipping offers, are ``_offers``'.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import attrs

from shopkit import ValidationError
from shopkit import validators as check
from shopkit.errors import UnknownPluginError
from shopkit.pricing._conditions import (
    AllOfConditions,
    AnyOfConditions,
    Channel,
    CodeEntered,
    CustomerSegment,
    DateWindow,
    FirstOrder,
    LoyaltyTier,
    MinQuantity,
    MinSubtotal,
    NoneOfConditions,
    Region,
    Schedule,
    StockLevel,
)
from shopkit.pricing._kinds import Benefit, Condition, benefits
from shopkit.pricing._promotion import Combination, Promotion
from shopkit.pricing._values import Amounts, Selector

__all__ = ["PromotionTerms", "TermsTemplates", "terms"]


def _text(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, str):
        raise ValidationError(f"{value!r} is not a text", field=attribute.name, value=value)


def _field(default: str) -> Any:
    return attrs.field(default=default, validator=_text, kw_only=True)


@attrs.frozen
class TermsTemplates:
    """The words of terms texts, as ``str.format`` templates; English by default.

    A shop replaces any of them (``attrs.evolve(TermsTemplates(), exclusive="…")``, or from
    JSON). ``benefits`` may give a template per benefit type name, formatted with the benefit's
    fields in words (``{percent}``, ``{selector}``, ``{amounts}``, …); a kind without one is
    described by its own ``describe()``.

    Attributes:
        benefits: Templates by benefit type name ("percentage": "{percent} % off {selector}").
        window: A window with a start and an end: ``{start}``, ``{end}`` (its last day).
        starting: A window with a start only.
        until: A window with an end only.
        date: The ``strftime`` format of a day in a window.
        exclusive: An exclusive promotion.
        group: A promotion exclusive within its group: ``{group}``.
        code: A promotion that needs a code: ``{code}``.
        per_customer_once: One use per customer.
        per_customer: ``{uses}`` uses per customer.
        max_uses: A promotion limited to ``{uses}`` orders in all.
        min_subtotal: A minimum spend: ``{amount}``.
        min_quantity: A minimum quantity: ``{quantity}``, ``{selector}``.
        segments: For customer segments: ``{names}``.
        first_order: On a first order.
        tiers: For loyalty tiers: ``{names}``.
        regions: In regions: ``{names}``.
        channels: On channels: ``{names}``.
        weekdays: On weekdays: ``{names}``.
        hours: Between times of day: ``{start}``, ``{end}``.
        stock: A stock condition.
        any_of: Alternatives: ``{parts}`` joined by ``or_``.
        none_of: A condition that must not hold: ``{parts}``.
        or_: What joins alternatives.
        separator: What joins the parts of a terms text.
        shipping_from: A shipping offer's threshold: ``{offer}``, ``{amount}``.
        names_separator: What joins names in a list.
    """

    benefits: Mapping[str, str] = attrs.field(
        factory=dict,
        converter=check.frozen_mapping,
        validator=check.str_mapping,
        hash=False,
        kw_only=True,
    )
    window: str = _field("{start} – {end}")
    starting: str = _field("from {start}")
    until: str = _field("until {end}")
    date: str = _field("%d %b")
    exclusive: str = _field("not with other offers")
    group: str = _field("not with other {group} offers")
    code: str = _field("with code {code}")
    per_customer_once: str = _field("one use per customer")
    per_customer: str = _field("{uses} uses per customer")
    max_uses: str = _field("for the first {uses} orders")
    min_subtotal: str = _field("on orders from {amount}")
    min_quantity: str = _field("when buying {quantity} {selector}")
    segments: str = _field("for {names} customers")
    first_order: str = _field("on a first order")
    tiers: str = _field("for {names} members")
    regions: str = _field("in {names}")
    channels: str = _field("on {names}")
    weekdays: str = _field("on {names}")
    hours: str = _field("from {start} to {end}")
    stock: str = _field("while stocks last")
    any_of: str = _field("{parts}")
    none_of: str = _field("not {parts}")
    or_: str = _field(" or ")
    separator: str = _field(", ")
    shipping_from: str = _field("{offer} on orders from {amount}")
    names_separator: str = _field(", ")


_ENGLISH = TermsTemplates()


def _words(value: object) -> str:
    if isinstance(value, Selector):
        return value.describe()
    if isinstance(value, Amounts):
        return value.describe()
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, tuple):
        return ", ".join(_words(item) for item in value)
    if value is None:
        return ""
    return str(value)


def _benefit_text(benefit: Benefit, words: TermsTemplates) -> str:
    if words.benefits:
        try:
            name = benefits.name_of(type(benefit))
        except UnknownPluginError:  # a kind not in the registry: its own words
            name = None
        template = words.benefits.get(name) if name is not None else None
        if template is not None and attrs.has(kind := type(benefit)):
            fields = {
                field.name.lstrip("_"): _words(getattr(benefit, field.name))
                for field in attrs.fields(kind)
            }
            return template.format(**fields)
    return benefit.describe()


def _names(names: Iterable[str], words: TermsTemplates) -> str:
    return words.names_separator.join(names)


def _day(moment: dt.datetime, words: TermsTemplates, zone: dt.tzinfo) -> str:
    return moment.astimezone(zone).strftime(words.date).lstrip("0")


def _window(
    starts_at: dt.datetime | None,
    ends_at: dt.datetime | None,
    words: TermsTemplates,
    zone: dt.tzinfo,
) -> str | None:
    # The end is exclusive: a window ending at midnight ends, for a reader, the day before.
    last = None if ends_at is None else _day(ends_at - dt.timedelta(microseconds=1), words, zone)
    first = None if starts_at is None else _day(starts_at, words, zone)
    if first and last:
        return words.window.format(start=first, end=last)
    if first:
        return words.starting.format(start=first)
    if last:
        return words.until.format(end=last)
    return None


def _condition_text(
    condition: Condition, currency: str | None, words: TermsTemplates, zone: dt.tzinfo
) -> str | None:
    if isinstance(condition, AllOfConditions):
        parts = [_condition_text(c, currency, words, zone) for c in condition.conditions]
        return words.separator.join(part for part in parts if part) or None
    if isinstance(condition, AnyOfConditions):
        parts = [_condition_text(c, currency, words, zone) for c in condition.conditions]
        return words.any_of.format(parts=words.or_.join(part for part in parts if part))
    if isinstance(condition, NoneOfConditions):
        parts = [_condition_text(c, currency, words, zone) for c in condition.conditions]
        return words.none_of.format(parts=words.or_.join(part for part in parts if part))
    if isinstance(condition, MinSubtotal):
        by_currency = condition.amounts.by_currency
        amount = (
            str(by_currency[currency])
            if currency is not None and currency in by_currency
            else condition.amounts.describe()
        )
        return words.min_subtotal.format(amount=amount)
    if isinstance(condition, MinQuantity):
        return words.min_quantity.format(
            quantity=condition.quantity, selector=condition.selector.describe()
        )
    if isinstance(condition, CustomerSegment):
        return words.segments.format(names=_names(condition.segments, words))
    if isinstance(condition, FirstOrder):
        return words.first_order
    if isinstance(condition, LoyaltyTier):
        return words.tiers.format(names=_names(condition.tiers, words))
    if isinstance(condition, Region):
        return words.regions.format(names=_names(condition.regions, words))
    if isinstance(condition, Channel):
        return words.channels.format(names=_names(condition.channels, words))
    if isinstance(condition, DateWindow):
        return _window(condition.starts_at, condition.ends_at, words, zone)
    if isinstance(condition, Schedule):
        said: list[str] = []
        if condition.weekdays:
            said.append(words.weekdays.format(names=_names(condition.weekdays, words)))
        if condition.from_time is not None or condition.until_time is not None:
            start = condition.from_time.strftime("%H:%M") if condition.from_time else "00:00"
            end = condition.until_time.strftime("%H:%M") if condition.until_time else "24:00"
            said.append(words.hours.format(start=start, end=end))
        return words.separator.join(said) or None
    if isinstance(condition, StockLevel):
        return words.stock
    if isinstance(condition, CodeEntered):
        return None  # never reveal a code
    return None  # a plugin condition: no words for it


@attrs.frozen
class PromotionTerms:
    """A promotion's terms as a customer reads them, and how long it runs.

    Attributes:
        promotion_id: The promotion's id.
        name: The promotion's name.
        text: The terms in plain words, from the shop's templates.
        starts_at: When it starts, if bounded.
        ends_at: When it ends (the first moment it no longer applies), if bounded.
        time_left: How long it still runs from the moment asked about, if it ends; zero once
            ended.
    """

    promotion_id: str
    name: str
    text: str
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None
    time_left: dt.timedelta | None


def _zone(timezone: str) -> dt.tzinfo:
    try:
        return zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            f"{timezone!r} is not a known time zone", field="timezone", value=timezone
        ) from None


def terms(
    promotion: Promotion,
    *,
    at: dt.datetime,
    currency: str | None = None,
    templates: TermsTemplates | None = None,
    timezone: str = "UTC",
) -> PromotionTerms:
    """Write a promotion's terms in plain words, with its end and the time left at ``at``.

    Args:
        promotion: The promotion.
        at: The moment asked about, with a UTC offset.
        currency: The currency to state amounts in; every currency given when ``None``.
        templates: The words; English when ``None``.
        timezone: The time zone the window's days are written in.

    Returns:
        The terms.

    Examples:
        >>> import datetime as dt
        >>> from shopkit.pricing import Categories, Percentage, Promotion, terms
        >>> utc = dt.timezone.utc
        >>> week = Promotion(
        ...     "k10", "Kitchen week", Percentage(10, Categories(["Kitchen"])),
        ...     starts_at=dt.datetime(2026, 11, 27, tzinfo=utc),
        ...     ends_at=dt.datetime(2026, 12, 2, tzinfo=utc),
        ...     combination="exclusive", max_uses_per_customer=1,
        ... )
        >>> shown = terms(week, at=dt.datetime(2026, 11, 30, 12, tzinfo=utc))
        >>> print(shown.text)
        10% off items from Kitchen, 27 Nov – 1 Dec, not with other offers, one use per customer
        >>> print(shown.time_left)
        1 day, 12:00:00
    """
    check.aware_datetime(at, "at")
    if not isinstance(promotion, Promotion):
        raise ValidationError(
            f"{promotion!r} is not a Promotion", field="promotion", value=promotion
        )
    words = templates if templates is not None else _ENGLISH
    zone = _zone(timezone)
    parts = [_benefit_text(promotion.benefit, words)]
    own = getattr(promotion.benefit, "threshold", None)  # a shipping benefit's own threshold
    if isinstance(own, Amounts):
        parts.append(_condition_text(MinSubtotal(own), currency, words, zone) or "")
    if promotion.condition is not None:
        parts.append(_condition_text(promotion.condition, currency, words, zone) or "")
    parts.append(_window(promotion.starts_at, promotion.ends_at, words, zone) or "")
    if promotion.combination is Combination.EXCLUSIVE:
        parts.append(words.exclusive)
    elif promotion.combination is Combination.GROUP:
        parts.append(words.group.format(group=promotion.group))
    if promotion.code is not None:
        parts.append(words.code.format(code=promotion.code))
    if promotion.max_uses_per_customer == 1:
        parts.append(words.per_customer_once)
    elif promotion.max_uses_per_customer is not None:
        parts.append(words.per_customer.format(uses=promotion.max_uses_per_customer))
    if promotion.max_uses is not None:
        parts.append(words.max_uses.format(uses=promotion.max_uses))
    left = None
    if promotion.ends_at is not None:
        left = max(dt.timedelta(0), promotion.ends_at - at)
    return PromotionTerms(
        promotion.id,
        promotion.name,
        words.separator.join(part for part in parts if part),
        promotion.starts_at,
        promotion.ends_at,
        left,
    )
