"""The append-only ledger of a programme's events, and the status of a customer as of a moment.

``Ledger.append`` and ``Ledger.extend`` validate before they store: an id already used, a
refund or review of an unknown order (or of another customer's), a refund bigger than what is
left of its order, a second referral of a customer, a second birthday in a calendar year, and
a redemption or negative adjustment above the balance available at its moment are refused with
a ``ValidationError`` naming the event, and nothing is stored (``extend`` stores all or none).
Events may arrive in any order: they are evaluated by moment, kind and id.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import partial

from shopkit import ValidationError
from shopkit import validators as check
from shopkit.loyalty._compile import CompiledOrder, compile_order, compile_orders, seconds
from shopkit.loyalty._engine import Credit, History, Rules, evaluate, tier_index
from shopkit.loyalty._events import (
    Birthday,
    LedgerEvent,
    OrderPlaced,
    Referred,
    Refund,
    Review,
    SignUp,
)
from shopkit.loyalty._programme import Programme
from shopkit.loyalty._referrals import Referral, ReferralReward, ReferralTrigger
from shopkit.loyalty._status import Status
from shopkit.loyalty._summary import summaries

__all__ = ["Ledger"]

_MAX_BATCH = 10_000_000


class _State:
    """What a ledger stores; a change is undone, step by step, when it turns out invalid."""

    def __init__(self) -> None:
        self.ids: set[str] = set()
        self.events: dict[str, list[LedgerEvent]] = {}
        self.orders: dict[str, CompiledOrder] = {}
        self.order_customer: dict[str, str] = {}
        self.referrals: dict[str, Referred] = {}  # by referred customer
        self.birthdays: set[tuple[str, int]] = set()
        self.count = 0


class Ledger:
    """A programme's events, append-only, and the status of any customer as of any moment.

    Args:
        programme: The programme the events are evaluated under.
        events: Events to start with (as ``extend``).

    Raises:
        ValidationError: an event is refused (see the module docstring); nothing is stored.

    Examples:
        >>> import datetime as dt
        >>> from shopkit import Money, Order, OrderLine
        >>> from shopkit.loyalty import Ledger, OrderPlaced, sample_programme
        >>> at = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
        >>> mug = OrderLine("MUG", 2, Money.of("30.00", "GBP"))
        >>> ledger = Ledger(sample_programme())
        >>> ledger.append(OrderPlaced(Order("o1", [mug], at, customer="c1")))
        >>> status = ledger.status("c1", at)
        >>> status.tier, status.pending, status.balance
        ('bronze', 60, 0)
    """

    def __init__(self, programme: Programme, events: Iterable[LedgerEvent] = ()) -> None:
        if not isinstance(programme, Programme):
            raise ValidationError(
                f"{programme!r} is not a Programme", field="programme", value=None
            )
        self.programme = programme
        self._state = _State()
        self._histories: dict[str, History] = {}
        self._credits: dict[str, list[Credit]] = {}
        self.extend(events)

    def __len__(self) -> int:
        return self._state.count

    @property
    def customers(self) -> tuple[str, ...]:
        """Every customer with an event, sorted."""
        return tuple(sorted(self._state.events))

    def events(self) -> Iterator[LedgerEvent]:
        """Every event once, in evaluation order (moment, kind, id)."""
        seen: dict[str, LedgerEvent] = {}
        for events in self._state.events.values():
            for event in events:
                seen.setdefault(event.event_id, event)
        yield from sorted(seen.values(), key=lambda event: event.sort_key())

    def append(self, event: LedgerEvent) -> None:
        """Validate one event and store it; a refused event changes nothing.

        Raises:
            ValidationError: the event is refused; the error names it and the field.
        """
        self.extend([event])

    def extend(self, events: Iterable[LedgerEvent]) -> None:
        """Validate events and store them all, or none when one is refused.

        Raises:
            ValidationError: an event is refused; the error names it and the field.
        """
        batch = list(events)
        if len(batch) > _MAX_BATCH:
            raise ValidationError(
                f"{len(batch)} events at once is more than {_MAX_BATCH}",
                field="events",
                value=len(batch),
            )
        if not batch:
            return
        for position, event in enumerate(batch):
            if not isinstance(event, LedgerEvent):
                raise ValidationError(
                    f"{event!r} is not a ledger event", field=f"events[{position}]", value=None
                )
        # admitted in evaluation order, so a batch may hold a refund before its order
        batch.sort(key=lambda event: event.sort_key())
        state = self._state
        undo: list[Callable[[], object]] = []
        try:
            # the customers touched, in the batch's evaluation order (a dict, not a set), so
            # that a refusal always names the first of them whose balance fails
            touched: dict[str, None] = {}
            for position, event in enumerate(batch):
                touched.update(dict.fromkeys(self._admit(state, event, position, undo)))
            # referral rewards cross customers: a referrer's credits depend on the referred's
            for referred in list(touched):
                referral = state.referrals.get(referred)
                if referral is not None:
                    touched[referral.referrer] = None
            credits = _credits(self.programme, state)
            checked = {customer: _history(customer, state, credits) for customer in touched}
            _check_balances(self.programme, list(checked.values()))
        except BaseException:
            for step in reversed(undo):  # a refused change leaves nothing behind
                step()
            raise
        for customer in touched:
            self._histories.pop(customer, None)
        self._histories.update(checked)
        self._credits = credits

    def _admit(
        self, state: _State, event: LedgerEvent, position: int, undo: list[Callable[[], object]]
    ) -> set[str]:
        """Add one event to ``state`` after the checks that need no replay; log how to undo it."""
        where = f"{type(event).__name__} {event.event_id!r}"
        if event.event_id in state.ids:
            raise ValidationError(
                f"id {event.event_id!r} is already in the ledger",
                field=f"{where}.id",
                value=event.event_id,
            )
        customers = list(event.customers)
        if isinstance(event, OrderPlaced):
            if event.order.currency != self.programme.currency:
                raise ValidationError(
                    f"the order is in {event.order.currency}, the programme in "
                    f"{self.programme.currency}",
                    field=f"{where}.order.currency",
                    value=event.order.currency,
                )
            state.orders[event.order.id] = compile_order(event)
            state.order_customer[event.order.id] = customers[0]
            undo.append(partial(state.orders.pop, event.order.id))
            undo.append(partial(state.order_customer.pop, event.order.id))
        elif isinstance(event, Refund | Review):
            owner = state.order_customer.get(event.order)
            if owner is None:
                raise ValidationError(
                    f"order {event.order!r} is not in the ledger",
                    field=f"{where}.order",
                    value=event.order,
                )
            if isinstance(event, Review):
                if owner != event.customer:
                    raise ValidationError(
                        f"order {event.order!r} is not {event.customer!r}'s",
                        field=f"{where}.order",
                        value=event.order,
                    )
                if seconds(event.at) < state.orders[event.order].at:
                    raise ValidationError(
                        f"the review comes before order {event.order!r}",
                        field=f"{where}.at",
                        value=event.at.isoformat(),
                    )
            customers = [owner]
        elif isinstance(event, Referred):
            if event.referred in state.referrals:
                raise ValidationError(
                    f"{event.referred!r} was already referred by "
                    f"{state.referrals[event.referred].referrer!r}",
                    field=f"{where}.referred",
                    value=event.referred,
                )
            state.referrals[event.referred] = event
            undo.append(partial(state.referrals.pop, event.referred))
        elif isinstance(event, Birthday):
            year = (event.customer, event.at.astimezone(dt.UTC).year)
            if year in state.birthdays:
                raise ValidationError(
                    f"{event.customer!r} already has a birthday in {year[1]}",
                    field=f"{where}.at",
                    value=event.at.isoformat(),
                )
            state.birthdays.add(year)
            undo.append(partial(state.birthdays.discard, year))
        state.ids.add(event.event_id)
        undo.append(partial(state.ids.discard, event.event_id))
        for customer in customers:
            if customer not in state.events:
                state.events[customer] = []
                undo.append(partial(state.events.pop, customer))
            state.events[customer].append(event)
            undo.append(state.events[customer].pop)
        state.count += 1
        undo.append(partial(setattr, state, "count", state.count - 1))
        return set(customers)

    def history(self, customer: str) -> History:
        """One customer's compiled events (cached until the next append)."""
        found = self._histories.get(customer)
        if found is None:
            found = _history(customer, self._state, self._credits)
            self._histories[customer] = found
        return found

    def status(self, customer: str, at: dt.datetime) -> Status:
        """The customer's status as of ``at``, from the events up to ``at`` only.

        Raises:
            ValidationError: ``at`` has no UTC offset.
        """
        check.aware_datetime(at, "at")
        if not isinstance(customer, str) or not customer.strip():
            raise ValidationError(
                f"{customer!r} is not a customer id", field="customer", value=customer
            )
        return self.statuses(at, [customer])[customer]

    def statuses(
        self,
        at: dt.datetime,
        customers: Iterable[str] | None = None,
        *,
        programme: Programme | None = None,
    ) -> dict[str, Status]:
        """Every customer's (or the listed ones') status as of ``at``.

        Args:
            at: The moment.
            customers: The customers; every customer of the ledger when ``None``.
            programme: Evaluate under this programme instead of the ledger's (a what-if):
                a redemption above the balance it gives is capped, not refused.
        """
        check.aware_datetime(at, "at")
        chosen = list(self.customers if customers is None else customers)
        other = programme is not None and programme is not self.programme
        rules = self.programme if programme is None else programme
        credits = _credits(rules, self._state) if other else self._credits
        histories = [
            _history(customer, self._state, credits) if other else self.history(customer)
            for customer in chosen
        ]
        return evaluate_all(rules, histories, at, strict=False)


def _history(customer: str, state: _State, credits: Mapping[str, list[Credit]]) -> History:
    events = sorted(
        [*state.events.get(customer, ()), *credits.get(customer, ())], key=lambda e: e.sort_key()
    )
    orders = {
        event.order.id: state.orders[event.order.id]
        for event in events
        if isinstance(event, OrderPlaced)
    }
    refunds = compile_orders([event for event in events if isinstance(event, Refund)], state.orders)
    moments = tuple(
        seconds(event.order.at if isinstance(event, OrderPlaced) else event.at) for event in events
    )
    return History(customer, tuple(events), orders, tuple(refunds), moments)


def evaluate_all(
    programme: Programme,
    histories: list[History],
    at: dt.datetime,
    *,
    strict: bool,
    summarise: bool = True,
) -> dict[str, Status]:
    """The status of each history at ``at``, with one tier index for all of them."""
    upto = seconds(at)
    tiers = tier_index(programme, histories, upto)
    ranks = tiers.held(tiers.orders.customer, tiers.orders.at)
    by_order: dict[str, int] = {}
    # TierIndex sorts the orders by (customer, moment); list the ids the same way
    order_ids = []
    for number, history in enumerate(histories):
        # the orders are in evaluation order already: by moment
        order_ids.append([(number, o.at, o.id) for o in history.orders.values() if o.at <= upto])
    flat = [row for rows in order_ids for row in rows]
    for (_, _, order_id), rank in zip(flat, ranks.tolist(), strict=True):
        by_order[order_id] = rank
    if summarise:
        summary = summaries(programme, tiers, len(histories), upto)
    else:  # a balance check: the tiers at the orders matter, not the distances at the end
        summary = [(None, 0, None, None, None)] * len(histories)
    rules = Rules(programme)
    return {
        history.customer: evaluate(rules, history, at, by_order, summary[number], strict=strict)
        for number, history in enumerate(histories)
    }


def tier_ranks_at_orders(ledger: Ledger, programme: Programme, at: dt.datetime) -> dict[str, int]:
    """The tier rank each order of the ledger was placed at, under ``programme``, up to ``at``."""
    histories = [ledger.history(customer) for customer in ledger.customers]
    upto = seconds(at)
    tiers = tier_index(programme, histories, upto)
    ranks = tiers.held(tiers.orders.customer, tiers.orders.at).tolist()
    ids = [o.id for history in histories for o in history.orders.values() if o.at <= upto]
    return dict(zip(ids, ranks, strict=True))


def _check_balances(programme: Programme, histories: list[History]) -> None:
    """Replay each history to its end, refusing a debit above the balance then."""
    if not histories:
        return
    last = max((history.moments[-1] for history in histories if history.moments), default=0)
    evaluate_all(
        programme, histories, dt.datetime.fromtimestamp(last, dt.UTC), strict=True, summarise=False
    )


def _credits(programme: Programme, state: _State) -> dict[str, list[Credit]]:
    """The referral rewards every referral earns, both sides, under the version of each trigger."""
    credits: dict[str, list[Credit]] = {}
    if not any(version.referrals for version in programme.versions):
        return credits
    rewarded: dict[str, set[str]] = {}  # referrer -> referred customers that rewarded them
    triggers = []
    for referred, referral in state.referrals.items():
        start = seconds(referral.at)
        events = sorted(state.events.get(referred, ()), key=lambda event: event.sort_key())
        first_order = True
        signed = False
        ordered_before = any(
            isinstance(event, OrderPlaced) and seconds(event.order.at) < start for event in events
        )
        for event in events:
            if isinstance(event, OrderPlaced):
                when = seconds(event.order.at)
                if when >= start:
                    kinds = [ReferralTrigger.EVERY_ORDER]
                    if first_order and not ordered_before:
                        kinds.append(ReferralTrigger.FIRST_ORDER)
                    triggers.append(
                        (event.sort_key(), referral, event.order.at, event.order.id, kinds)
                    )
                first_order = False
            elif isinstance(event, SignUp) and not signed:
                signed = True
                if seconds(event.at) >= start:
                    triggers.append(
                        (event.sort_key(), referral, event.at, event.id, [ReferralTrigger.SIGN_UP])
                    )
    triggers.sort(key=lambda item: (item[0], item[1].id))
    for _, referral, moment, source, kinds in triggers:
        version = programme.version_at(moment)
        for number, rule in enumerate(version.referrals):
            if not isinstance(rule, Referral) or rule.on not in kinds:
                continue
            done = rewarded.setdefault(referral.referrer, set())
            if rule.cap is not None and referral.referred not in done and len(done) >= rule.cap:
                continue
            done.add(referral.referred)
            mine, theirs = rule.points()
            key = f"{referral.id}:{source}:{number}"
            if rule.reward in (ReferralReward.REFERRER, ReferralReward.BOTH):
                credits.setdefault(referral.referrer, []).append(
                    Credit(f"{key}:referrer", referral.referrer, moment, mine)
                )
            if rule.reward in (ReferralReward.REFERRED, ReferralReward.BOTH):
                credits.setdefault(referral.referred, []).append(
                    Credit(f"{key}:referred", referral.referred, moment, theirs)
                )
    return credits
