"""One call of ``price`` at work: a ``Session`` screens the candidates and applies promotions.

``Session.open`` fixes what one call needs once (the canonical form, the subtotal, the order
budget, what conditions see before any discount); ``screen`` sorts the candidates into
eligible and refused (window, limits, condition before discounts); ``apply`` prices one
combination on a fresh working copy, level by level, each promotion cut by its caps before it
is committed (``CartState``); ``choose`` picks the combination as the options' mode says
(``_choose``). ``price`` (``_engine``) drives it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from fractions import Fraction
from typing import cast

import attrs

from shopkit import Cart, Customer, Money, ShopkitError
from shopkit._numbers import RoundingMode, round_fraction
from shopkit.pricing._benefits import (
    Bundle,
    BuyXGetY,
    CheapestFree,
    FixedOff,
    FixedPrice,
    FreeShipping,
    Gift,
    Percentage,
    ShippingDiscount,
    TieredSpend,
    Welcome,
)
from shopkit.pricing._book import PromotionBook, by_priority
from shopkit.pricing._canonical import CanonicalLine, canonical, fresh_state
from shopkit.pricing._choose import Choice, choose_best, choose_by_priority
from shopkit.pricing._kinds import Benefit
from shopkit.pricing._line_state import LineState
from shopkit.pricing._outcome import Commit, Outcome
from shopkit.pricing._promotion import Mode, PricingOptions, Promotion, ThresholdBasis
from shopkit.pricing._redemption import ClaimKey
from shopkit.pricing._result import (
    NotApplied,
    Reason,
    applied_promotion,
)
from shopkit.pricing._state import CartState
from shopkit.pricing._values import PASS, Context, Level, Shortfall, Verdict

__all__ = ["Refusal", "Screened", "Session"]

_LEVELS = (Level.LINE, Level.ORDER, Level.SHIPPING)


def _splits_uncapped(benefit: Benefit) -> bool:
    """Whether the benefit is a built-in one that spreads an order discount and caps nothing.

    Such a benefit reads nothing of the lines back after splitting its discount, so the parts
    may be committed as they are split (``CartState.commit_directly``) when the promotion has
    no cap either. A percentage with its own ``max_discount`` caps what it split: not it.
    """
    kind = type(benefit)
    if kind is Percentage:
        return cast(Percentage, benefit).max_discount is None
    return kind is FixedOff or kind is TieredSpend or kind is Welcome


# The built-in benefits: they read the lines only through the state's methods, which make any
# waiting split first (``CartState.settle``); a plugin's benefit gets them made before it runs.
_BUILT_IN = frozenset(
    {
        Bundle,
        BuyXGetY,
        CheapestFree,
        FixedOff,
        FixedPrice,
        FreeShipping,
        Gift,
        Percentage,
        ShippingDiscount,
        TieredSpend,
        Welcome,
    }
)


def _margin_floor(percent: Fraction) -> Callable[[LineState], int]:
    def floor(line: LineState) -> int:
        cost = line.product.cost
        if cost is None:
            return 0
        return round_fraction(Fraction(cost.minor) * (1 + percent / 100), RoundingMode.UP)

    return floor


@attrs.frozen
class Refusal:
    """Why screening refused a promotion, before its message is final.

    Attributes:
        promotion: The promotion.
        reason: Why.
        message: Why, in words.
        shortfall: What the cart lacks, for a condition that would hold with more.
        order_step: Whether it is an order or shipping promotion refused on its condition:
            its message is then the one at the order step, once the threshold after line
            discounts is known.
    """

    promotion: Promotion
    reason: Reason
    message: str
    shortfall: Shortfall | None = None
    order_step: bool = False


@attrs.frozen
class Screened:
    """The candidates, screened once.

    Attributes:
        eligible: The promotions that may be chosen, by priority then id.
        refused: The promotions refused, in the same order, with why.
    """

    eligible: tuple[Promotion, ...]
    refused: tuple[Refusal, ...]


def _budget(options: PricingOptions, currency: str, subtotal: int) -> int | None:
    limits = []
    if options.max_total_discount is not None:
        limits.append(options.max_total_discount.get(currency, "max_total_discount").minor)
    if options.max_total_discount_percent is not None:
        limits.append(
            round_fraction(
                Fraction(subtotal) * Fraction(options.max_total_discount_percent) / 100,
                RoundingMode.DOWN,
            )
        )
    return min(limits) if limits else None


@attrs.frozen
class Session:
    """Everything fixed for one call of ``price``, built once by ``Session.open``.

    Attributes:
        cart: The cart.
        book: The promotions.
        customer: The customer context.
        at: The moment of pricing.
        options: The engine's rules.
        lines: The cart in canonical form.
        codes: The codes entered that count, normalised.
        unlocked: The ids of the promotions issued codes unlock.
        usage: What the limited promotions have used, when a store was read.
        subtotal: The cart's subtotal before discounts, in minor units.
        budget: The most all promotions together may take off the items, if capped.
        before: What conditions see before any discount.
    """

    cart: Cart
    book: PromotionBook
    customer: Customer
    at: dt.datetime
    options: PricingOptions
    lines: tuple[CanonicalLine, ...]
    codes: frozenset[str]
    unlocked: frozenset[str]
    usage: Mapping[str, int] | None
    subtotal: int
    budget: int | None
    before: Context

    @classmethod
    def open(
        cls,
        cart: Cart,
        book: PromotionBook,
        customer: Customer,
        at: dt.datetime,
        options: PricingOptions,
        *,
        lines: tuple[CanonicalLine, ...] | None = None,
        codes: frozenset[str] = frozenset(),
        unlocked: frozenset[str] = frozenset(),
        usage: Mapping[str, int] | None = None,
    ) -> Session:
        """Open a session: the canonical form, the subtotal and the budget, computed once."""
        subtotal = sum(line.product.unit_price.minor * line.quantity for line in cart.lines)
        before = Context(cart, customer, at, codes, Money._trusted(subtotal, cart.currency))
        return cls(
            cart,
            book,
            customer,
            at,
            options,
            canonical(cart) if lines is None else lines,
            codes,
            unlocked,
            usage,
            subtotal,
            _budget(options, cart.currency, subtotal),
            before,
        )

    def money(self, minor: int) -> Money:
        """An amount in the cart's currency."""
        return Money._trusted(minor, self.cart.currency)

    def context(self, threshold: int) -> Context:
        """What conditions see when spend thresholds compare with ``threshold``."""
        if threshold == self.subtotal:
            return self.before
        return Context(self.cart, self.customer, self.at, self.codes, self.money(threshold))

    # -- screening -----------------------------------------------------------------------------

    def verdict(self, promotion: Promotion, context: Context) -> Verdict:
        """The promotion's conditions (its benefit's implied one first) in ``context``."""
        implied = promotion.benefit.implied_condition()
        condition = promotion.condition
        if implied is None and condition is None:  # most promotions: nothing to check
            return PASS
        for each in (implied, condition):
            if each is None:
                continue
            try:
                verdict = each.check(context)
            except ShopkitError as error:
                raise error.at(f"promotions[{promotion.id}].condition") from None
            if not verdict.ok:
                return verdict
        return PASS

    def hidden(self, promotion: Promotion) -> bool:
        """Whether the promotion needs a code the shopper did not enter (it is not reported)."""
        if not promotion.needs_code:
            return False
        if promotion.id in self.unlocked:
            return False
        code = self.book.code_of(promotion)
        return code is None or code not in self.codes

    def screen(self, candidates: Iterable[Promotion]) -> Screened:
        """Screen the candidates: the window, the limits and the condition before discounts."""
        eligible: list[Promotion] = []
        refused: list[Refusal] = []
        for promotion in candidates:
            if self.hidden(promotion):
                continue
            refusal = self._refusal(promotion)
            if refusal is None:
                eligible.append(promotion)
            else:
                refused.append(refusal)
        return Screened(tuple(eligible), tuple(refused))

    def _refusal(self, promotion: Promotion) -> Refusal | None:
        currency = self.cart.currency
        if not self.book.has_amounts_for(promotion, currency):
            # A multi-currency shop prices every cart against one list: a promotion priced
            # for other currencies is not for this cart, and the rest is priced as usual.
            return Refusal(promotion, Reason.NO_AMOUNT, f"no amount for {currency}")
        if promotion.starts_at is not None and self.at < promotion.starts_at:
            return Refusal(
                promotion, Reason.NOT_STARTED, f"starts at {promotion.starts_at.isoformat()}"
            )
        if promotion.ends_at is not None and self.at >= promotion.ends_at:
            return Refusal(promotion, Reason.ENDED, f"ended at {promotion.ends_at.isoformat()}")
        if promotion.limited and self.usage is not None:
            refused = self._limit_refusal(promotion, self.usage)
            if refused is not None:
                return refused
        verdict = self.verdict(promotion, self.before)
        if verdict.ok:
            return None
        return Refusal(
            promotion,
            Reason.CONDITION,
            verdict.message,
            verdict.nudge,
            order_step=promotion.benefit.level is not Level.LINE,
        )

    def _limit_refusal(self, promotion: Promotion, usage: Mapping[str, int]) -> Refusal | None:
        uses = usage.get(str(ClaimKey.promotion(promotion.id)), 0)
        if promotion.max_uses is not None and uses >= promotion.max_uses:
            return Refusal(promotion, Reason.EXHAUSTED, "has been used up")
        if promotion.max_uses_per_customer is not None:
            if self.customer.id is None:
                return Refusal(
                    promotion,
                    Reason.EXHAUSTED_FOR_CUSTOMER,
                    "is limited per customer, so it needs a signed-in customer",
                )
            key = str(ClaimKey.customer(promotion.id, self.customer.id))
            if usage.get(key, 0) >= promotion.max_uses_per_customer:
                return Refusal(
                    promotion,
                    Reason.EXHAUSTED_FOR_CUSTOMER,
                    "has been used as often as one customer may",
                )
        if promotion.budget is not None:
            limit = promotion.budget.get(self.cart.currency, "budget").minor
            if usage.get(str(ClaimKey.budget(promotion.id, self.cart.currency)), 0) >= limit:
                return Refusal(promotion, Reason.BUDGET_SPENT, "its budget is spent")
        return None

    def refused_on(self, promotion: Promotion, verdict: Verdict) -> NotApplied:
        """A promotion refused on its condition, with the nudge completed for it."""
        nudge = verdict.nudge
        return NotApplied(
            promotion.id,
            promotion.name,
            Reason.CONDITION,
            verdict.message,
            None if nudge is None else nudge.nudge(promotion.id, promotion.benefit.describe()),
        )

    def explain(self, refusal: Refusal, threshold: int | None) -> NotApplied:
        """The refusal as reported; an order-step one speaks of ``threshold`` if it fails there."""
        promotion = refusal.promotion
        if refusal.order_step and threshold is not None and threshold != self.subtotal:
            answer = self.verdict(promotion, self.context(threshold))
            if not answer.ok:
                return self.refused_on(promotion, answer)
        if refusal.reason is Reason.CONDITION:
            return self.refused_on(promotion, Verdict(False, refusal.message, refusal.shortfall))
        return NotApplied(promotion.id, promotion.name, refusal.reason, refusal.message)

    # -- applying ------------------------------------------------------------------------------

    def apply(self, chosen: Sequence[Promotion]) -> Outcome:
        """Apply the chosen promotions to a fresh copy of the cart, level by level."""
        outcome = self.apply_lazily(chosen)
        outcome.state.settle()
        return outcome

    def apply_lazily(self, chosen: Sequence[Promotion]) -> Outcome:
        """``apply``, leaving order discounts that wait to be split (``CartState.settle``).

        The outcome's total, saving and applied promotions are final; its lines are once
        ``Outcome.adjustments`` (or ``CartState.settle``) is called. ``price`` uses it: the
        lines of the priced cart are built when first read.
        """
        state = fresh_state(self.lines, self.cart, self.before)
        outcome = Outcome(state)
        by_level: dict[Level, list[tuple[Promotion, Level]]] = {level: [] for level in _LEVELS}
        for promotion in sorted(chosen, key=by_priority):
            level = promotion.benefit.level
            by_level[level].append((promotion, level))
        items_discount = 0
        basis = self.options.threshold_basis
        running = basis is ThresholdBasis.AFTER_EARLIER_ORDER_DISCOUNTS
        for level in _LEVELS:
            promotions = by_level[level]
            if level is Level.ORDER:
                # Order and shipping promotions compare their thresholds with the subtotal
                # after line discounts (or before any, as the options say): fixed here, once,
                # so an order discount does not move the bar for the shipping promotions;
                # with the running rule, each is checked again as it comes (below).
                threshold = self.subtotal if basis is ThresholdBasis.SUBTOTAL else state.total
                state.context = self.context(threshold)
                outcome.threshold = threshold
            for promotion, level_of in promotions:
                if level is not Level.LINE:
                    if running and state.total != state.context.threshold_amount.minor:
                        state.context = self.context(state.total)
                    verdict = self.verdict(promotion, state.context)
                    if not verdict.ok:
                        outcome.not_applied.append(self.refused_on(promotion, verdict))
                        continue
                given = self._apply_one(promotion, level_of, state, outcome, items_discount)
                if level is not Level.SHIPPING:
                    items_discount += given
        return outcome

    def _apply_one(
        self,
        promotion: Promotion,
        level: Level,
        state: CartState,
        outcome: Outcome,
        items_discount: int,
    ) -> int:
        """Apply one promotion with its caps; record it; return what it gave (minor units)."""
        benefit = promotion.benefit
        if promotion.min_margin_percent is not None:
            state.floor_margin = _margin_floor(Fraction(promotion.min_margin_percent))
        elif state.floor_margin is not None:
            state.floor_margin = None
        kind = type(benefit)
        if (
            _splits_uncapped(benefit)
            and promotion.max_discount is None
            and self.budget is None
            and (promotion.budget is None or self.usage is None)
        ):
            # no cap can cut what it gives: its order discount is committed as it is split
            state.commit_directly()
        elif kind not in _BUILT_IN:
            state.settle()  # a plugin may read the lines' fields: the splits are made first
        try:
            benefit.apply(state, self.options.rounding)
            limit = None
            if promotion.max_discount is not None:
                limit = promotion.max_discount.get(state.currency, "max_discount").minor
            if self.budget is not None and level is not Level.SHIPPING:
                left = max(0, self.budget - items_discount)
                limit = left if limit is None else min(limit, left)
        except ShopkitError as error:
            state.discard()
            raise error.at(f"promotions[{promotion.id}].benefit") from None
        if promotion.budget is not None and self.usage is not None:
            budget = promotion.budget.get(state.currency, "budget").minor
            used = self.usage.get(str(ClaimKey.budget(promotion.id, state.currency)), 0)
            left = budget - used
            if state.pending_total() > left:
                state.discard()
                outcome.not_applied.append(
                    NotApplied(
                        promotion.id,
                        promotion.name,
                        Reason.BUDGET_SPENT,
                        f"its budget has {self.money(max(0, left))} left, less than this "
                        "order's discount",
                    )
                )
                return 0
        if limit is not None and state.pending_total() > limit:
            if state.pending_gifts:
                state.discard()
                outcome.not_applied.append(
                    NotApplied(
                        promotion.id,
                        promotion.name,
                        Reason.NO_EFFECT,
                        "the order's discount limit is reached",
                    )
                )
                return 0
            state.cap_pending(limit)
        gifts = bool(state.pending_gifts)
        by_line, shipping = state.commit()
        given = state.committed + shipping
        if given == 0 and not gifts:
            capped = limit == 0
            shortfall = None if capped else benefit.nudge(state)
            outcome.not_applied.append(
                NotApplied(
                    promotion.id,
                    promotion.name,
                    Reason.NO_EFFECT,
                    "the order's discount limit is reached"
                    if capped
                    else "gives no discount to this cart",
                    None
                    if shortfall is None
                    else shortfall.nudge(promotion.id, benefit.describe()),
                )
            )
            return 0
        # A shipping promotion's share of the lines is reported as an order-level adjustment:
        # an adjustment is on a line, and shipping is not one.
        if by_line or state.committed:
            outcome.commits.append(
                Commit(promotion.id, level if level is not Level.SHIPPING else Level.ORDER, by_line)
            )
        outcome.shipping_discount += shipping
        outcome.discount += state.committed
        saving = self.money(given)
        outcome.applied.append(
            applied_promotion(
                promotion.id,
                promotion.name,
                level,
                saving,
                f"{promotion.name}: you save {saving}",
            )
        )
        return given - shipping

    def choose(self, eligible: Sequence[Promotion]) -> Choice:
        """Choose among the eligible promotions as the options' mode says, and apply them."""
        if self.options.mode is Mode.BEST_FOR_CUSTOMER:
            return choose_best(
                eligible, self.apply_lazily, self.options.best_search_limit, self.money
            )
        return choose_by_priority(eligible, self.apply_lazily)
