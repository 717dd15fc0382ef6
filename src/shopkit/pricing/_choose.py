"""Choosing among eligible promotions: by priority, or the best combination for the customer.

Both take the engine's ``apply`` (chosen promotions -> ``Outcome``) as an argument, so this
module knows how to choose without knowing how to apply, and both return the ``Outcome`` of
what they chose: a combination priced while choosing is never priced again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import attrs

from shopkit import Money
from shopkit.pricing._book import by_priority
from shopkit.pricing._outcome import Outcome
from shopkit.pricing._promotion import Combination, Promotion
from shopkit.pricing._result import NotApplied, Reason

__all__ = [
    "Apply",
    "Choice",
    "choose_best",
    "choose_by_priority",
    "pick_by_priority",
    "valid_combinations",
]

Apply = Callable[[Sequence[Promotion]], Outcome]
"""The engine's step that applies chosen promotions to a fresh copy of the cart."""


@attrs.frozen
class Choice:
    """What was chosen, what was not and why, and the outcome of applying the choice.

    Attributes:
        chosen: The promotions chosen.
        refused: The eligible promotions not chosen (excluded, group, stopped, no effect,
            not chosen), with why.
        outcome: The outcome of applying ``chosen``.
        text: In best-for-customer mode, which combination was chosen and why.
    """

    chosen: tuple[Promotion, ...]
    refused: tuple[NotApplied, ...]
    outcome: Outcome
    text: str | None = None


def _no(promotion: Promotion, reason: Reason, message: str) -> NotApplied:
    return NotApplied(promotion.id, promotion.name, reason, message)


def pick_by_priority(
    eligible: Sequence[Promotion], apply: Apply, idle: frozenset[str] = frozenset()
) -> tuple[list[Promotion], list[NotApplied], Outcome | None]:
    """Pick by priority; ``idle`` promotions gave nothing, so they stop nothing.

    Nor do they hold their group's place. An exclusive promotion is tried alone first: one that
    gives nothing does not exclude the others. When it is picked, the outcome of its trial is
    returned too (it is the whole choice).
    """
    chosen: list[Promotion] = []
    refused: list[NotApplied] = []
    groups: dict[str, Promotion] = {}
    alone: tuple[Promotion, Outcome] | None = None
    stop: Promotion | None = None
    for promotion in eligible:
        if alone is not None:
            refused.append(_no(promotion, Reason.EXCLUDED, f"{alone[0].name} applies alone"))
        elif stop is not None:
            refused.append(
                _no(promotion, Reason.STOPPED, f"no promotion after {stop.name} is considered")
            )
        elif promotion.combination is Combination.EXCLUSIVE:
            blocking = [p for p in chosen if p.id not in idle]
            if blocking:
                names = ", ".join(p.name for p in blocking)
                refused.append(
                    _no(
                        promotion,
                        Reason.EXCLUDED,
                        f"applies only alone, and {names} already applies",
                    )
                )
                continue
            trial = apply([promotion])
            if trial.applied:
                # the idle ones picked before it gave nothing; it applies alone
                refused += [
                    _no(p, Reason.EXCLUDED, f"{promotion.name} applies alone") for p in chosen
                ]
                chosen = [promotion]
                alone = (promotion, trial)
            else:
                refused.append(_no(promotion, Reason.NO_EFFECT, "gives no discount to this cart"))
        elif promotion.combination is Combination.GROUP:
            group = str(promotion.group)
            if group in groups:
                refused.append(
                    _no(
                        promotion,
                        Reason.GROUP,
                        f"only one promotion of group {group!r} applies: {groups[group].name}",
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
    return chosen, refused, None if alone is None else alone[1]


def choose_by_priority(eligible: Sequence[Promotion], apply: Apply) -> Choice:
    """Choose by priority, and apply the choice.

    A promotion that gives nothing (its threshold is not met after line discounts, say) must
    not keep an exclusive one out, hold its group's place, or (a stop promotion) stop the
    others: while some promotion was refused, choose again without the effect of those that
    gave nothing, until none is idle. So a refusal names only promotions that applied.
    """
    idle: frozenset[str] = frozenset()
    while True:
        chosen, refused, tried = pick_by_priority(eligible, apply, idle)
        outcome = tried if tried is not None else apply(chosen)
        if not refused:
            return Choice(tuple(chosen), (), outcome)
        given = {applied.promotion_id for applied in outcome.applied}
        more = {p.id for p in chosen if p.id not in given and p.id not in idle}
        if not more:
            return Choice(tuple(chosen), tuple(refused), outcome)
        idle |= more


def valid_combinations(eligible: Sequence[Promotion]) -> Iterator[list[Promotion]]:
    """Every valid combination of the eligible promotions (given by priority), and no other.

    The empty one; each exclusive promotion alone; and the combinations of the others built
    by priority, never two of one group, and nothing after a stop promotion. So 2^k subsets
    are never generated to be filtered afterwards: with 12 stackable promotions 4,096
    combinations are made, with 12 exclusive ones 13.
    """
    yield []
    others: list[Promotion] = []
    for promotion in eligible:
        if promotion.combination is Combination.EXCLUSIVE:
            yield [promotion]
        else:
            others.append(promotion)

    def extend(
        start: int, current: list[Promotion], groups: frozenset[str]
    ) -> Iterator[list[Promotion]]:
        for index in range(start, len(others)):
            promotion = others[index]
            group = promotion.group
            if promotion.combination is Combination.GROUP and group in groups:
                continue
            combination = [*current, promotion]
            yield combination
            if promotion.combination is Combination.STOP:
                continue  # nothing of lower priority follows a stop promotion
            taken = groups | {group} if group is not None else groups
            yield from extend(index + 1, combination, taken)

    yield from extend(0, [], frozenset())


def choose_best(
    eligible: Sequence[Promotion],
    apply: Apply,
    search_limit: int,
    money: Callable[[int], Money],
) -> Choice:
    """Choose the combination that gives the customer the most, gifts at their price.

    What a combination gives is everything it takes off the items and shipping, a gift
    counted at its price (a gift leaves the total as it is, and still gives the customer
    something). Ties go to the lower total (money before goods), then to fewer promotions,
    then by ids. Up to ``search_limit`` eligible promotions, every valid combination is priced
    (``valid_combinations``); above it, each exclusive promotion alone is compared with the
    priority choice of the others.
    """
    if len(eligible) <= search_limit:
        options = list(valid_combinations(eligible))
        how = f"all {len(options)} valid combinations of the {len(eligible)} eligible promotions"
        beaten = "no valid combination with it gives more"
    else:
        by_priority_choice, _, _ = pick_by_priority(
            [p for p in eligible if p.combination is not Combination.EXCLUSIVE], apply
        )
        options = [by_priority_choice] + [
            [p] for p in eligible if p.combination is Combination.EXCLUSIVE
        ]
        how = (
            f"{len(options)} alternatives (each exclusive promotion alone, and the others by "
            f"priority), as {len(eligible)} eligible promotions exceed the search limit of "
            f"{search_limit}"
        )
        beaten = "no alternative tried gives more"
    best: tuple[tuple[int, int, int, tuple[str, ...]], list[Promotion], Outcome] | None = None
    for subset in options:
        outcome = apply(subset)
        key = (-outcome.saving, outcome.total, len(subset), tuple(sorted(p.id for p in subset)))
        if best is None or key < best[0]:
            best = (key, subset, outcome)
    assert best is not None  # the empty combination is always valid
    _, chosen, outcome = best
    chosen_ids = {p.id for p in chosen}
    names = ", ".join(p.name for p in sorted(chosen, key=by_priority)) or "no promotion"
    gets = f"{money(outcome.saving)} in all (gifts at their price)"
    refused = tuple(
        _no(p, Reason.NOT_CHOSEN, f"not chosen: {names} gives the customer {gets}; {beaten}")
        for p in eligible
        if p.id not in chosen_ids
    )
    text = (
        f"best for the customer: {names}, giving {gets}, total {money(outcome.total)}, out of {how}"
    )
    return Choice(tuple(chosen), refused, outcome, text)
