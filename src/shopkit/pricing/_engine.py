"""The engine: price(cart, promotions, at=...) -> PricedCart.

The rules, in the order the engine follows them (docs/pricing/stacking.md explains each):

1. The cart is put in canonical form: lines of the same product are merged and sorted by sku,
   so the result does not depend on the order of the lines or on how units are split over
   lines. Results are mapped back to the lines as given at the end.
2. Candidates come from the ``PromotionBook`` index: a promotion about products the cart
   does not have is never looked at.
3. Each candidate is screened: active at ``at``, its code entered (a code promotion whose code
   was not entered is not reported at all, so codes do not leak), its condition held on the
   cart before discounts.
4. The screened promotions are chosen by priority (or, in best-for-customer mode, the
   combination with the lowest total is searched for), respecting exclusive, group and stop.
5. The chosen ones are applied line level first, then order level, then shipping; within a
   level by priority, then id. Order and shipping promotions see spend thresholds after line
   discounts (configurable). Caps and price floors cut each promotion before it is committed.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from fractions import Fraction

import attrs

from shopkit import (
    Cart,
    Customer,
    Line,
    Money,
    Product,
    ShopkitError,
    ValidationError,
)
from shopkit._money import RoundingMode, round_fraction, split_minor
from shopkit.pricing._base import Context, Level, Verdict
from shopkit.pricing._codes import CodeBook, PromoCode
from shopkit.pricing._conditions import CodeEntered, normalize_code
from shopkit.pricing._promotion import (
    Combination,
    Mode,
    PricingOptions,
    Promotion,
    ThresholdBasis,
)
from shopkit.pricing._redemption import (
    RedemptionStore,
    budget_key,
    code_key,
    customer_key,
    promotion_key,
)
from shopkit.pricing._result import (
    Adjustment,
    AppliedPromotion,
    CodeResult,
    CodeStatus,
    NotApplied,
    PricedCart,
    PricedLine,
)
from shopkit.pricing._state import CartState, LineState

__all__ = ["PromotionBook", "price"]

_LEVELS = (Level.LINE, Level.ORDER, Level.SHIPPING)
_GUEST = Customer()
_DEFAULTS = PricingOptions()


def _index_keys(promotion: Promotion) -> frozenset[tuple[str, str]] | None:
    benefit = promotion.benefit
    if benefit.level is Level.LINE:
        selector = benefit.selector_of()
        if selector is not None:
            keys = selector.index_keys()
            if keys is not None:
                return keys
    if promotion.condition is not None:
        return promotion.condition.selector_keys()
    return None


def _condition_codes(condition: object) -> set[str]:
    """The codes a condition tree asks for (``code`` conditions, inside all / any / not)."""
    if isinstance(condition, CodeEntered):
        return {normalize_code(condition.code)}
    found: set[str] = set()
    for inner in getattr(condition, "conditions", ()):
        found |= _condition_codes(inner)
    inner_one = getattr(condition, "condition", None)
    if inner_one is not None:
        found |= _condition_codes(inner_one)
    return found


def _product_keys(product: Product) -> list[tuple[str, str]]:
    keys = [("sku", product.sku)]
    keys += [("category", category) for category in product.categories]
    keys += [("tag", tag) for tag in product.tags]
    return keys


def _order(promotion: Promotion) -> tuple[int, str]:
    return (-promotion.priority, promotion.id)


class PromotionBook:
    """Promotions indexed by the products they are about: build once, price many carts.

    A line-level promotion is filed under the skus, categories or tags its selector names
    (and a promotion with a product condition under the condition's), and a promotion that
    needs a code under its code; only promotions that cannot be narrowed so are looked at for
    every cart. Pricing a cart then costs about the
    same with 100 promotions as with 10,000.

    Args:
        promotions: The promotions; ids must be unique.

    Raises:
        ValidationError: two promotions share an id, or an item is not a Promotion.

    Examples:
        >>> from shopkit.pricing import Percentage, PromotionBook, Promotion, Skus
        >>> book = PromotionBook([Promotion("p1", "10% off mugs", Percentage(10, Skus(["MUG"])))])
        >>> len(book)
        1
    """

    def __init__(self, promotions: Iterable[Promotion]) -> None:
        self.promotions: tuple[Promotion, ...] = tuple(promotions)
        self._by_key: dict[tuple[str, str], list[Promotion]] = defaultdict(list)
        self._always: list[Promotion] = []
        self._by_id: dict[str, Promotion] = {}
        self._by_condition_code: dict[str, list[Promotion]] = defaultdict(list)
        seen: set[str] = set()
        for index, promotion in enumerate(self.promotions):
            if not isinstance(promotion, Promotion):
                raise ValidationError(
                    f"{promotion!r} is not a Promotion",
                    field=f"promotions[{index}]",
                    value=promotion,
                )
            if promotion.id in seen:
                raise ValidationError(
                    f"promotion id {promotion.id!r} appears twice",
                    field=f"promotions[{index}].id",
                    value=promotion.id,
                )
            seen.add(promotion.id)
            self._by_id[promotion.id] = promotion
            for code in _condition_codes(promotion.condition):
                self._by_condition_code[code].append(promotion)
            keys = _index_keys(promotion)
            if promotion.needs_code:
                # Only a cart with a code entered can use it: file it under its shared code,
                # if it has one; an issued code reaches it by id, through the code book.
                if promotion.code is not None:
                    self._by_key[("code", normalize_code(promotion.code))].append(promotion)
            elif keys is None:
                self._always.append(promotion)
            else:
                for key in keys:
                    self._by_key[key].append(promotion)

    def __len__(self) -> int:
        return len(self.promotions)

    def get(self, promotion_id: str) -> Promotion | None:
        """The promotion with this id, if the book has it."""
        return self._by_id.get(promotion_id)

    def shared_code_promotions(self, normalized_code: str) -> list[Promotion]:
        """The promotions a shared code (normalised) unlocks, as ``code`` or in a condition."""
        return [
            *self._by_key.get(("code", normalized_code), ()),
            *self._by_condition_code.get(normalized_code, ()),
        ]

    def candidates(
        self,
        products: Iterable[Product],
        codes: Iterable[str] = (),
        unlocked: Iterable[str] = (),
    ) -> list[Promotion]:
        """The promotions that may concern a cart of these products and entered codes.

        Args:
            products: The cart's products.
            codes: The codes entered, normalised (see ``normalize_code``).
            unlocked: Ids of promotions an issued code unlocks.

        Returns:
            The candidates, by priority (highest first), then id.
        """
        found: dict[str, Promotion] = {p.id: p for p in self._always}
        for promotion_id in unlocked:
            if promotion_id in self._by_id:
                found[promotion_id] = self._by_id[promotion_id]
        by_key = self._by_key
        for code in codes:
            for promotion in by_key.get(("code", code), ()):
                found[promotion.id] = promotion
        for product in products:
            for key in _product_keys(product):
                for promotion in by_key.get(key, ()):
                    found[promotion.id] = promotion
        return sorted(found.values(), key=_order)


@attrs.frozen
class _Canonical:
    product: Product
    quantity: int
    sources: tuple[tuple[int, int], ...]  # (index of the line as given, its quantity)


def _canonical(cart: Cart) -> list[_Canonical]:
    merged: dict[Product, list[tuple[int, int]]] = {}
    for index, line in enumerate(cart.lines):
        merged.setdefault(line.product, []).append((index, line.quantity))

    def key(product: Product) -> tuple[object, ...]:
        return (
            product.sku,
            product.unit_price.minor,
            product.name,
            product.categories,
            product.tags,
            tuple(product.attributes.items()),
            product.cost.minor if product.cost else -1,
            product.min_price.minor if product.min_price else -1,
            -1 if product.stock is None else product.stock,
        )

    # Sort by sku and price; only products that tie on both need the full key.
    items = sorted(merged.items(), key=lambda item: (item[0].sku, item[0].unit_price.minor))
    if any(
        (a.sku, a.unit_price.minor) == (b.sku, b.unit_price.minor)
        for (a, _), (b, _) in itertools.pairwise(items)
    ):
        items.sort(key=lambda item: key(item[0]))
    return [
        _Canonical(product, sum(q for _, q in sources), tuple(sources))
        for product, sources in items
    ]


def _margin_floor(percent: Fraction) -> Callable[[LineState], int]:
    def floor(line: LineState) -> int:
        cost = line.product.cost
        if cost is None:
            return 0
        return round_fraction(Fraction(cost.minor) * (1 + percent / 100), RoundingMode.UP)

    return floor


@attrs.define
class _Outcome:
    state: CartState
    applied: list[AppliedPromotion]
    not_applied: list[NotApplied]
    adjustments: dict[int, list[tuple[str, Level, int, int]]]  # id, level, discount, units
    shipping_discount: int
    threshold: int | None = None  # what order-level thresholds were compared with

    @property
    def total(self) -> int:
        return self.state.total + self.state.shipping


class _Run:
    """Everything fixed for one call of ``price``."""

    def __init__(
        self,
        cart: Cart,
        customer: Customer,
        at: dt.datetime,
        options: PricingOptions,
        unlocked: frozenset[str] = frozenset(),
        usage: dict[str, int] | None = None,
    ) -> None:
        self.unlocked = unlocked
        self.usage = usage
        self.cart = cart
        self.customer = customer
        self.at = at
        self.options = options
        self.canonical = _canonical(cart)
        self.codes = frozenset(normalize_code(code) for code in cart.codes)
        self.subtotal = Money._trusted(
            sum(line.product.unit_price.minor * line.quantity for line in cart.lines),
            cart.currency,
        )

    def money(self, minor: int) -> Money:
        return Money._trusted(minor, self.cart.currency)

    @functools.cached_property
    def before_discounts(self) -> Context:
        return self.context(self.subtotal.minor)

    def context(self, threshold: int) -> Context:
        return Context(self.cart, self.customer, self.at, self.codes, self.money(threshold))

    def fresh_state(self) -> CartState:
        lines = [
            LineState(
                index=index,
                product=item.product,
                quantity=item.quantity,
                amount=item.product.unit_price.minor * item.quantity,
                open_units=item.quantity,
                open_amount=item.product.unit_price.minor * item.quantity,
                floor_unit=item.product.min_price.minor if item.product.min_price else 0,
            )
            for index, item in enumerate(self.canonical)
        ]
        return CartState(
            currency=self.cart.currency,
            lines=lines,
            shipping_price=self.cart.shipping.minor,
            shipping_method=self.cart.shipping_method,
            context=self.before_discounts,
            shipping=self.cart.shipping.minor,
        )

    def verdict(self, promotion: Promotion, context: Context) -> Verdict:
        for condition in (promotion.benefit.implied_condition(), promotion.condition):
            if condition is None:
                continue
            try:
                verdict = condition.check(context)
            except ShopkitError as error:
                raise error.at(f"promotions[{promotion.id}].condition") from None
            if not verdict.ok:
                return verdict
        return Verdict(True)

    def screen(self, promotion: Promotion) -> NotApplied | bool | None:
        """``True`` when eligible, ``None`` when hidden, else the reason it is not."""
        if promotion.needs_code and not (
            promotion.id in self.unlocked
            or (promotion.code is not None and normalize_code(promotion.code) in self.codes)
        ):
            return None
        if promotion.starts_at is not None and self.at < promotion.starts_at:
            return NotApplied(
                promotion.id,
                promotion.name,
                f"starts at {promotion.starts_at.isoformat()}",
                "inactive",
            )
        if promotion.ends_at is not None and self.at >= promotion.ends_at:
            return NotApplied(
                promotion.id,
                promotion.name,
                f"ended at {promotion.ends_at.isoformat()}",
                "inactive",
            )
        if promotion.limited:
            refused = self.limit_refusal(promotion)
            if refused is not None:
                return refused
        verdict = self.verdict(promotion, self.before_discounts)
        if not verdict.ok:
            return self.refusal(promotion, verdict)
        return True

    def limit_refusal(self, promotion: Promotion) -> NotApplied | None:
        """Why a limited promotion cannot apply any more, if it cannot (with a store)."""
        if self.usage is None:
            return None
        uses = self.usage.get(promotion_key(promotion.id), 0)
        if promotion.max_uses is not None and uses >= promotion.max_uses:
            return NotApplied(promotion.id, promotion.name, "has been used up", "exhausted")
        if promotion.max_uses_per_customer is not None:
            if self.customer.id is None:
                return NotApplied(
                    promotion.id,
                    promotion.name,
                    "is limited per customer, so it needs a signed-in customer",
                    "exhausted_for_customer",
                )
            key = customer_key(promotion.id, self.customer.id)
            if self.usage.get(key, 0) >= promotion.max_uses_per_customer:
                return NotApplied(
                    promotion.id,
                    promotion.name,
                    "has been used as often as one customer may",
                    "exhausted_for_customer",
                )
        if promotion.budget is not None:
            limit = promotion.budget.get(self.cart.currency, "budget").minor
            if self.usage.get(budget_key(promotion.id, self.cart.currency), 0) >= limit:
                return NotApplied(
                    promotion.id, promotion.name, "its budget is spent", "budget_spent"
                )
        return None

    def refusal(self, promotion: Promotion, verdict: Verdict) -> NotApplied:
        nudge = f"{verdict.nudge} for {promotion.benefit.describe()}" if verdict.nudge else None
        return NotApplied(promotion.id, promotion.name, verdict.reason, "condition", nudge)

    def apply(self, chosen: Sequence[Promotion]) -> _Outcome:
        state = self.fresh_state()
        outcome = _Outcome(state, [], [], defaultdict(list), 0)
        ordered = sorted(chosen, key=_order)
        budget = self._budget()
        items_discount = 0
        for level in _LEVELS:
            if level is Level.ORDER:
                # Order and shipping promotions compare their thresholds with the subtotal
                # after line discounts (or before any, as the options say): fixed here, once,
                # so an order discount does not move the bar for the shipping promotions.
                basis = self.options.threshold_basis
                threshold = (
                    state.total
                    if basis is ThresholdBasis.AFTER_LINE_DISCOUNTS
                    else self.subtotal.minor
                )
                state.context = self.context(threshold)
                outcome.threshold = threshold
            for promotion in ordered:
                if promotion.benefit.level is not level:
                    continue
                if level is not Level.LINE:
                    verdict = self.verdict(promotion, state.context)
                    if not verdict.ok:
                        outcome.not_applied.append(self.refusal(promotion, verdict))
                        continue
                given = self._apply_one(promotion, state, outcome, budget, items_discount)
                if level is not Level.SHIPPING:
                    items_discount += given
        return outcome

    def _budget(self) -> int | None:
        limits = []
        options = self.options
        if options.max_total_discount is not None:
            limits.append(
                options.max_total_discount.get(self.cart.currency, "max_total_discount").minor
            )
        if options.max_total_discount_percent is not None:
            limits.append(
                round_fraction(
                    Fraction(self.subtotal.minor)
                    * Fraction(options.max_total_discount_percent)
                    / 100,
                    RoundingMode.DOWN,
                )
            )
        return min(limits) if limits else None

    def _apply_one(
        self,
        promotion: Promotion,
        state: CartState,
        outcome: _Outcome,
        budget: int | None,
        items_discount: int,
    ) -> int:
        benefit = promotion.benefit
        if promotion.min_margin_percent is not None:
            state.floor_margin = _margin_floor(Fraction(promotion.min_margin_percent))
        else:
            state.floor_margin = None
        try:
            benefit.apply(state, self.options.rounding)
            limits = []
            if promotion.max_discount is not None:
                limits.append(promotion.max_discount.get(state.currency, "max_discount").minor)
            if budget is not None and benefit.level is not Level.SHIPPING:
                limits.append(max(0, budget - items_discount))
        except ShopkitError as error:
            state.discard()
            raise error.at(f"promotions[{promotion.id}].benefit") from None
        if promotion.budget is not None and self.usage is not None:
            limit = promotion.budget.get(state.currency, "budget").minor
            left = limit - self.usage.get(budget_key(promotion.id, state.currency), 0)
            if state.pending_total() > left:
                state.discard()
                outcome.not_applied.append(
                    NotApplied(
                        promotion.id,
                        promotion.name,
                        f"its budget has {self.money(max(0, left))} left, less than this "
                        "order's discount",
                        "budget_spent",
                    )
                )
                return 0
        if limits and state.pending_total() > min(limits):
            if state.pending_gifts:
                state.discard()
                outcome.not_applied.append(
                    NotApplied(
                        promotion.id,
                        promotion.name,
                        "the order's discount limit is reached",
                        "no_effect",
                    )
                )
                return 0
            state.cap_pending(min(limits))
        gifts = list(state.pending_gifts)
        by_line, shipping = state.commit()
        given = sum(discount for _, discount, _ in by_line) + shipping
        if given == 0 and not gifts:
            capped = bool(limits) and min(limits) == 0
            outcome.not_applied.append(
                NotApplied(
                    promotion.id,
                    promotion.name,
                    "the order's discount limit is reached"
                    if capped
                    else "gives no discount to this cart",
                    "no_effect",
                    None if capped else benefit.nudge(state),
                )
            )
            return 0
        level = benefit.level if benefit.level is not Level.SHIPPING else Level.ORDER
        for index, discount, units in by_line:
            outcome.adjustments[index].append((promotion.id, level, discount, units))
        outcome.shipping_discount += shipping
        saving = self.money(given)
        outcome.applied.append(
            AppliedPromotion(
                promotion.id,
                promotion.name,
                benefit.level,
                saving,
                f"{promotion.name}: you save {saving}",
            )
        )
        return given - shipping

    # -- choosing ------------------------------------------------------------------------------

    def choose_by_priority(
        self, eligible: Sequence[Promotion], idle: frozenset[str] = frozenset()
    ) -> tuple[list[Promotion], list[NotApplied]]:
        """Choose by priority; ``idle`` promotions gave nothing, so they stop nothing.

        Nor do they hold their group's place.
        """
        chosen: list[Promotion] = []
        refused: list[NotApplied] = []
        groups: dict[str, Promotion] = {}
        alone: Promotion | None = None
        stop: Promotion | None = None
        for promotion in eligible:
            if alone is not None:
                refused.append(
                    NotApplied(
                        promotion.id, promotion.name, f"{alone.name} applies alone", "excluded"
                    )
                )
            elif stop is not None:
                refused.append(
                    NotApplied(
                        promotion.id,
                        promotion.name,
                        f"no promotion after {stop.name} is considered",
                        "stopped",
                    )
                )
            elif promotion.combination is Combination.EXCLUSIVE:
                if chosen:
                    names = ", ".join(p.name for p in chosen)
                    refused.append(
                        NotApplied(
                            promotion.id,
                            promotion.name,
                            f"applies only alone, and {names} already applies",
                            "excluded",
                        )
                    )
                elif self.apply([promotion]).applied:
                    chosen.append(promotion)
                    alone = promotion
                else:
                    refused.append(
                        NotApplied(
                            promotion.id,
                            promotion.name,
                            "gives no discount to this cart",
                            "no_effect",
                        )
                    )
            elif promotion.combination is Combination.GROUP:
                group = str(promotion.group)
                if group in groups:
                    refused.append(
                        NotApplied(
                            promotion.id,
                            promotion.name,
                            f"only one promotion of group {group!r} applies: {groups[group].name}",
                            "group",
                        )
                    )
                elif promotion.id in idle:
                    chosen.append(promotion)  # gives nothing: reported with its own reason
                else:
                    groups[group] = promotion
                    chosen.append(promotion)
            else:
                chosen.append(promotion)
                if promotion.combination is Combination.STOP and promotion.id not in idle:
                    stop = promotion
        return chosen, refused

    def choose_best(
        self, eligible: Sequence[Promotion]
    ) -> tuple[list[Promotion], list[NotApplied], str]:
        if len(eligible) <= self.options.best_search_limit:
            options = list(self._valid_subsets(eligible))
            how = (
                f"all {len(options)} valid combinations of the {len(eligible)} eligible promotions"
            )
        else:
            by_priority, _ = self.choose_by_priority(
                [p for p in eligible if p.combination is not Combination.EXCLUSIVE]
            )
            options = [by_priority] + [
                [p] for p in eligible if p.combination is Combination.EXCLUSIVE
            ]
            how = (
                f"{len(options)} alternatives (each exclusive promotion alone, and the others by "
                f"priority), as {len(eligible)} eligible promotions exceed the search limit of "
                f"{self.options.best_search_limit}"
            )
        scored = []
        for subset in options:
            outcome = self.apply(subset)
            scored.append((outcome.total, len(subset), tuple(sorted(p.id for p in subset)), subset))
        total, _, _, best = min(scored, key=lambda item: item[:3])
        chosen_ids = {p.id for p in best}
        names = ", ".join(p.name for p in sorted(best, key=_order)) or "no promotion"
        refused = [
            NotApplied(
                p.id,
                p.name,
                f"not chosen: {names} gives the customer a lower total",
                "not_chosen",
            )
            for p in eligible
            if p.id not in chosen_ids
        ]
        choice = f"best for the customer: {names}, total {self.money(total)}, out of {how}"
        return best, refused, choice

    @staticmethod
    def _valid_subsets(eligible: Sequence[Promotion]) -> Iterable[list[Promotion]]:
        for size in range(len(eligible) + 1):
            for subset in itertools.combinations(eligible, size):
                exclusive = [p for p in subset if p.combination is Combination.EXCLUSIVE]
                if exclusive and len(subset) > 1:
                    continue
                groups = [p.group for p in subset if p.combination is Combination.GROUP]
                if len(groups) != len(set(groups)):
                    continue
                # a stop promotion ends consideration: nothing of lower priority follows it
                stops = [p for p in subset if p.combination is Combination.STOP]
                if stops and _order(subset[-1]) > _order(min(stops, key=_order)):
                    continue
                yield list(subset)


def price(
    cart: Cart,
    promotions: PromotionBook | Iterable[Promotion],
    *,
    at: dt.datetime,
    customer: Customer | None = None,
    options: PricingOptions | None = None,
    codes: CodeBook | None = None,
    store: RedemptionStore | None = None,
) -> PricedCart:
    """Price a cart: apply the promotions and explain every one of them.

    Pure: the same cart, promotions, customer, time, options and store contents give the same
    result, and nothing passed in is changed. The store, if given, is read once (what the
    limited promotions and codes have used) and never written: reserving happens at checkout
    (``reserve_checkout``).

    Args:
        cart: The cart.
        promotions: The promotions, best as a ``PromotionBook`` built once and reused.
        at: The moment to price at, with a UTC offset (the engine never reads the clock).
        customer: The customer context; a guest with no earlier order when ``None``.
        options: The engine's rules; the defaults when ``None``.
        codes: The codes issued for promotions with ``issued_codes``; shared codes
            (``Promotion.code``) need no book.
        store: Where usage is counted; without one, usage limits and single-use codes are not
            checked here (the checkout step, which needs a store, still enforces them).

    Returns:
        The priced cart.

    Raises:
        ValidationError: bad arguments, or a promotion without an amount in the cart's
            currency (the error names the promotion and the field).

    Examples:
        >>> import datetime as dt
        >>> from shopkit import Cart, Money, Product
        >>> from shopkit.pricing import Categories, Percentage, Promotion, price
        >>> mug = Product("MUG", "Mug", Money.of("8.00", "EUR"), categories=["Kitchen"])
        >>> promotion = Promotion("k10", "Kitchen week", Percentage(10, Categories(["Kitchen"])))
        >>> now = dt.datetime(2026, 11, 27, 12, tzinfo=dt.timezone.utc)
        >>> priced = price(Cart("EUR").add(mug, 2), [promotion], at=now)
        >>> print(priced.total, "|", priced.applied[0].message)
        14.40 EUR | Kitchen week: you save 1.60 EUR
    """
    if not isinstance(cart, Cart):
        raise ValidationError(f"{cart!r} is not a Cart", field="cart", value=cart)
    if not isinstance(at, dt.datetime) or at.tzinfo is None:
        raise ValidationError(
            f"{at!r} is not a date-time with a UTC offset", field="at", value=str(at)
        )
    if customer is None:
        customer = _GUEST
    elif not isinstance(customer, Customer):
        raise ValidationError(f"{customer!r} is not a Customer", field="customer", value=customer)
    options = options if options is not None else _DEFAULTS
    book = promotions if isinstance(promotions, PromotionBook) else PromotionBook(promotions)
    entered, verdicts, unlocked = _resolve_codes(cart, book, codes, customer, at, options)
    run = _Run(cart, customer, at, options, frozenset(unlocked))
    # only the codes not refused already count (one past max_codes_per_order unlocks nothing)
    run.codes = frozenset(normal for normal, _ in entered if normal not in verdicts)
    candidates = book.candidates(
        (item.product for item in run.canonical), run.codes, unlocked.keys()
    )
    if store is not None:
        keys = _usage_keys(candidates, customer, cart.currency)
        keys += [code_key(normal) for normal, issued in entered if issued is not None]
        run.usage = store.used(keys, now=at) if keys else {}
        for normal, issued in entered:
            if issued is None or issued.max_uses is None or normal in verdicts:
                continue
            if run.usage.get(code_key(normal), 0) >= issued.max_uses:
                verdicts[normal] = (CodeStatus.EXHAUSTED, "this code has been used up")
                unlocked.pop(issued.promotion_id, None)
        run.unlocked = frozenset(unlocked)
    eligible: list[Promotion] = []
    refused: list[NotApplied] = []
    deferred: list[tuple[int, Promotion]] = []
    for promotion in candidates:
        verdict = run.screen(promotion)
        if verdict is True:
            eligible.append(promotion)
        elif isinstance(verdict, NotApplied):
            if verdict.code == "condition" and promotion.benefit.level is not Level.LINE:
                # It fails before discounts, so it fails after them too; but its reason and
                # nudge must speak of the amount it is really compared with, known below.
                deferred.append((len(refused), promotion))
            refused.append(verdict)
    choice = None
    if options.mode is Mode.BEST_FOR_CUSTOMER:
        chosen, blocked, choice = run.choose_best(eligible)
        outcome = run.apply(chosen)
    else:
        # A group member that gives nothing (its threshold is not met after line discounts,
        # say) must not hold its group's place, nor a stop promotion that gives nothing stop
        # the others: choose again without their effect until none is idle.
        idle: frozenset[str] = frozenset()
        while True:
            chosen, blocked = run.choose_by_priority(eligible, idle)
            outcome = run.apply(chosen)
            given = {applied.promotion_id for applied in outcome.applied}
            more = {
                p.id
                for p in chosen
                if p.combination in (Combination.GROUP, Combination.STOP)
                and p.id not in given
                and p.id not in idle
            }
            if not more:
                break
            idle |= more
    if deferred and outcome.threshold is not None and outcome.threshold != run.subtotal.minor:
        context = run.context(outcome.threshold)
        for position, promotion in deferred:
            answer = run.verdict(promotion, context)
            if not answer.ok:
                refused[position] = run.refusal(promotion, answer)
    results = _code_results(cart, book, entered, verdicts, unlocked, outcome, refused + blocked)
    return _result(run, outcome, refused + blocked, choice, results)


def _usage_keys(candidates: Sequence[Promotion], customer: Customer, currency: str) -> list[str]:
    keys = []
    for promotion in candidates:
        if promotion.max_uses is not None:
            keys.append(promotion_key(promotion.id))
        if promotion.max_uses_per_customer is not None and customer.id is not None:
            keys.append(customer_key(promotion.id, customer.id))
        if promotion.budget is not None:
            keys.append(budget_key(promotion.id, currency))
    return keys


def _resolve_codes(
    cart: Cart,
    book: PromotionBook,
    codes: CodeBook | None,
    customer: Customer,
    at: dt.datetime,
    options: PricingOptions,
) -> tuple[list[tuple[str, PromoCode | None]], dict[str, tuple[CodeStatus, str]], dict[str, str]]:
    """Resolve the codes entered.

    Returns the codes entered (normalised, each once), those already refused, and the
    promotions issued codes unlock (promotion id -> normalised code).
    """
    entered: list[tuple[str, PromoCode | None]] = []
    verdicts: dict[str, tuple[CodeStatus, str]] = {}
    unlocked: dict[str, str] = {}
    for typed in cart.codes:
        normal = normalize_code(typed)
        if any(normal == seen for seen, _ in entered):
            continue
        issued = codes.get(normal) if codes is not None else None
        entered.append((normal, issued))
        limit = options.max_codes_per_order
        if limit is not None and len(entered) > limit:
            verdicts[normal] = (
                CodeStatus.TOO_MANY_CODES,
                f"an order can use at most {limit} code{'s' if limit > 1 else ''}",
            )
            continue
        if issued is None:
            if not book.shared_code_promotions(normal):
                verdicts[normal] = (CodeStatus.UNKNOWN, "this code is not valid")
            continue
        promotion = book.get(issued.promotion_id)
        if promotion is None or not promotion.issued_codes:
            verdicts[normal] = (CodeStatus.UNKNOWN, "this code is not valid")
        elif issued.starts_at is not None and at < issued.starts_at:
            verdicts[normal] = (
                CodeStatus.NOT_YET_ACTIVE,
                f"this code is valid from {issued.starts_at.isoformat()}",
            )
        elif issued.ends_at is not None and at >= issued.ends_at:
            verdicts[normal] = (CodeStatus.EXPIRED, "this code has expired")
        elif issued.customer_id is not None and issued.customer_id != customer.id:
            verdicts[normal] = (
                CodeStatus.BOUND_TO_OTHER_CUSTOMER,
                "this code was issued to another customer",
            )
        else:
            unlocked[promotion.id] = normal
    return entered, verdicts, unlocked


_NOT_APPLIED_STATUS = {
    "exhausted": CodeStatus.EXHAUSTED,
    "exhausted_for_customer": CodeStatus.EXHAUSTED_FOR_CUSTOMER,
    "budget_spent": CodeStatus.BUDGET_SPENT,
    "excluded": CodeStatus.CANNOT_COMBINE,
    "group": CodeStatus.CANNOT_COMBINE,
    "stopped": CodeStatus.CANNOT_COMBINE,
    "not_chosen": CodeStatus.CANNOT_COMBINE,
}


def _code_results(
    cart: Cart,
    book: PromotionBook,
    entered: list[tuple[str, PromoCode | None]],
    verdicts: dict[str, tuple[CodeStatus, str]],
    unlocked: dict[str, str],
    outcome: _Outcome,
    refused: list[NotApplied],
) -> tuple[CodeResult, ...]:
    typed = {normalize_code(code): code for code in reversed(cart.codes)}
    applied = {a.promotion_id: a for a in outcome.applied}
    not_applied = {n.promotion_id: n for n in [*refused, *outcome.not_applied]}
    results = []
    for normal, issued in entered:
        shown = typed[normal]
        if normal in verdicts:
            status, message = verdicts[normal]
            promotion_id = issued.promotion_id if issued is not None else None
            results.append(CodeResult(shown, status, message, promotion_id))
            continue
        if issued is not None:
            targets = [issued.promotion_id]
        else:
            targets = [p.id for p in book.shared_code_promotions(normal)]
        hit = next((pid for pid in targets if pid in applied), None)
        if hit is not None:
            results.append(CodeResult(shown, CodeStatus.APPLIED, applied[hit].message, hit))
            continue
        target = targets[0]
        reason = not_applied.get(target)
        promotion = book.get(target)
        if reason is None:
            status, message = CodeStatus.NOT_APPLICABLE, "it gives nothing to this cart"
        elif reason.code == "inactive":
            late = (
                promotion is not None
                and promotion.starts_at is not None
                and (outcome.state.context.at < promotion.starts_at)
            )
            status = CodeStatus.NOT_YET_ACTIVE if late else CodeStatus.EXPIRED
            message = reason.reason
        else:
            status = _NOT_APPLIED_STATUS.get(reason.code, CodeStatus.NOT_APPLICABLE)
            message = reason.reason
        results.append(CodeResult(shown, status, message, target))
    return tuple(results)


def _result(
    run: _Run,
    outcome: _Outcome,
    refused: list[NotApplied],
    choice: str | None,
    codes: tuple[CodeResult, ...] = (),
) -> PricedCart:
    cart = run.cart
    currency = cart.currency
    trusted = Money._trusted

    def money(minor: int) -> Money:
        return trusted(minor, currency)

    # Each line as given gets (adjustments, discount in minor units).
    per_source: dict[int, tuple[tuple[Adjustment, ...], int]] = {}
    for index, item in enumerate(run.canonical):
        raw = outcome.adjustments.get(index, ())
        if len(item.sources) == 1:
            made = [
                Adjustment(pid, level, trusted(amount, currency), units)
                for pid, level, amount, units in raw
            ]
            per_source[item.sources[0][0]] = (tuple(made), sum([a[2] for a in raw]))
            continue
        # Lines of one product were priced together: split each adjustment back over them
        # by quantity, exactly, no line past its own subtotal.
        quantities = [q for _, q in item.sources]
        keys = [source for source, _ in item.sources]
        room = [q * item.product.unit_price.minor for q in quantities]
        units_left = list(quantities)
        split: dict[int, list[Adjustment]] = {source: [] for source in keys}
        for pid, level, amount, units in raw:
            parts = split_minor(amount, quantities, room, keys)
            for position, source in enumerate(keys):
                part = parts[position]
                room[position] -= part
                take = min(units, units_left[position])
                units_left[position] -= take
                units -= take
                if part or take:
                    split[source].append(Adjustment(pid, level, money(part), take))
        for source, found in split.items():
            per_source[source] = (tuple(found), sum(a.amount.minor for a in found))
    lines = []
    empty: tuple[tuple[Adjustment, ...], int] = ((), 0)
    for index, line in enumerate(cart.lines):
        adjustments, taken = per_source.get(index, empty)
        base = line.product.unit_price.minor * line.quantity
        lines.append(PricedLine(line, money(base), adjustments, money(taken), money(base - taken)))
    for state_line in outcome.state.lines[len(run.canonical) :]:
        gift_base = money(state_line.base)
        adjustments = tuple(
            Adjustment(promotion_id, level, money(discount), units)
            for promotion_id, level, discount, units in outcome.adjustments.get(
                state_line.index, ()
            )
        )
        gift_discount = money(sum(a.amount.minor for a in adjustments))
        lines.append(
            PricedLine(
                Line(state_line.product, state_line.quantity),
                gift_base,
                adjustments,
                gift_discount,
                gift_base - gift_discount,
                gift=True,
            )
        )
    subtotal = money(sum(line.subtotal.minor for line in lines))
    discount = money(sum(line.discount.minor for line in lines))
    shipping_price = cart.shipping
    shipping_discount = money(outcome.shipping_discount)
    shipping = shipping_price - shipping_discount
    return PricedCart(
        currency=cart.currency,
        lines=tuple(lines),
        subtotal=subtotal,
        discount=discount,
        shipping_price=shipping_price,
        shipping_discount=shipping_discount,
        shipping=shipping,
        total=subtotal - discount + shipping,
        applied=tuple(outcome.applied),
        not_applied=tuple(refused + outcome.not_applied),
        choice=choice,
        at=run.at,
        prices_include_tax=cart.prices_include_tax,
        codes=codes,
    )
