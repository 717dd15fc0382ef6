"""Promo codes: the comparison rule, generating and issuing codes, and what became of each.

``normalize_code`` is the one rule by which codes are compared. ``EnteredCodes`` resolves the
codes a shopper typed, once per ``price`` call: each is normalised once, looked up in the
``CodeBook`` and the promotions, and refused with a ``CodeStatus`` where it already fails
(unknown, not yet valid, expired, bound to another customer, one too many, used up).
``code_results`` then reports what became of each code from what the engine applied and refused,
without re-deriving anything.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import secrets
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Protocol

import attrs

from shopkit import Cart, Customer, ValidationError
from shopkit import validators as check
from shopkit.pricing._promotion import PricingOptions, Promotion
from shopkit.pricing._result import AppliedPromotion, CodeResult, CodeStatus, NotApplied, Reason
from shopkit.pricing._values import check_window

__all__ = [
    "UNAMBIGUOUS_ALPHABET",
    "CodeBook",
    "EnteredCode",
    "EnteredCodes",
    "PromoCode",
    "PromotionLookup",
    "code_results",
    "generate_codes",
    "normalize_code",
]


_SEPARATORS = re.compile(r"[\s\-_]+")


def normalize_code(code: str) -> str:
    """Return a promo code as shopkit compares it: upper case, without spaces or dashes.

    Examples:
        >>> from shopkit.pricing import normalize_code
        >>> normalize_code(" welcome-10 ")
        'WELCOME10'
    """
    if not isinstance(code, str):
        raise ValidationError(f"{code!r} is not a code", field="code", value=code)
    return _SEPARATORS.sub("", code).upper()


UNAMBIGUOUS_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
"""Letters and digits a shopper cannot misread: no 0/O, 1/I/L."""


def generate_codes(
    count: int,
    *,
    length: int = 10,
    prefix: str = "",
    alphabet: str = UNAMBIGUOUS_ALPHABET,
    group: int | None = None,
    existing: Iterable[str] = (),
) -> tuple[str, ...]:
    """Generate ``count`` unique random codes with :mod:`secrets`.

    Args:
        count: How many codes.
        length: Random characters per code (the prefix is extra).
        prefix: Put before every code, e.g. ``"BF26-"``.
        alphabet: The characters drawn from; at least 2 distinct ones.
        group: Insert a dash every ``group`` characters for legibility ("ABCD-EFGH");
            dashes are ignored when a code is entered.
        existing: Codes already issued; none of them is generated again.

    Returns:
        The codes, in the order drawn.

    Raises:
        ValidationError: a bad argument, or too few possible codes for ``count`` to be drawn
            without making them guessable (at most 1 in 1,000 of the possible codes may be
            issued).

    Examples:
        >>> from shopkit.pricing import generate_codes, normalize_code
        >>> codes = generate_codes(3, length=8, prefix="BF-", group=4)
        >>> len(set(codes)), codes[0][:3], len(normalize_code(codes[0]))
        (3, 'BF-', 10)
    """
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise ValidationError(f"{count!r} is not a count", field="count", value=count)
    if isinstance(length, bool) or not isinstance(length, int) or length < 4:
        raise ValidationError(f"{length!r} is below 4 characters", field="length", value=length)
    symbols = "".join(dict.fromkeys(alphabet))
    if len(symbols) < 2 or not all(c.isalnum() and c == c.upper() for c in symbols):
        raise ValidationError(
            f"{alphabet!r} needs at least 2 distinct upper-case letters or digits",
            field="alphabet",
            value=alphabet,
        )
    if group is not None and (isinstance(group, bool) or not isinstance(group, int) or group < 1):
        raise ValidationError(f"{group!r} is not a group size", field="group", value=group)
    possible = math.pow(len(symbols), length)
    taken = {normalize_code(code) for code in existing}
    if (count + len(taken)) * 1000 > possible:
        raise ValidationError(
            f"{count} codes of {length} characters from {len(symbols)} symbols would be "
            "guessable; make them longer",
            field="length",
            value=length,
        )
    result: list[str] = []
    while len(result) < count:
        body = "".join(secrets.choice(symbols) for _ in range(length))
        shown = body
        if group:
            shown = "-".join(body[i : i + group] for i in range(0, length, group))
        code = prefix + shown
        normal = normalize_code(code)
        if normal not in taken:
            taken.add(normal)
            result.append(code)
    return tuple(result)


def check_printable(value: str, field: str) -> None:
    """Refuse a code a shopper could not type: control, format and bidirectional characters."""
    for char in value:
        if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
            raise ValidationError(
                f"{value!r} holds the control character U+{ord(char):04X}",
                field=field,
                value=value,
            )


def _printable_code(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    check_printable(value, attribute.name)


@attrs.frozen
class PromoCode:
    """A code issued for a promotion.

    Attributes:
        code: The code as printed; it is matched without case, spaces, dashes or underscores.
        promotion_id: The promotion it unlocks.
        max_uses: How many orders may use it: 1 for a single-use code, ``None`` for unlimited.
        customer_id: The only customer who may use it, if it is bound to one.
        starts_at: When it becomes valid, if later than the promotion.
        ends_at: When it stops being valid, if earlier than the promotion.
    """

    code: str = attrs.field(validator=[check.non_empty_str, _printable_code])
    promotion_id: str = attrs.field(validator=check.non_empty_str)
    max_uses: int | None = attrs.field(
        default=1, validator=check.optional(check.positive_int), kw_only=True
    )
    customer_id: str | None = attrs.field(
        default=None, validator=check.optional(check.non_empty_str), kw_only=True
    )
    starts_at: dt.datetime | None = attrs.field(
        default=None, validator=check.optional(check.aware), kw_only=True
    )
    ends_at: dt.datetime | None = attrs.field(
        default=None, validator=check.optional(check.aware), kw_only=True
    )

    def __attrs_post_init__(self) -> None:
        check_window(self.starts_at, self.ends_at)

    @property
    def normalized(self) -> str:
        """The code as compared: upper case, no spaces or dashes."""
        return normalize_code(self.code)


class CodeBook:
    """The issued codes, looked up by what a shopper types.

    Args:
        codes: The codes; no two may normalise to the same string.

    Raises:
        ValidationError: two codes clash, or an item is not a PromoCode.

    Examples:
        >>> from shopkit.pricing import CodeBook, PromoCode
        >>> book = CodeBook([PromoCode("WELCOME-7K2M", "welcome", customer_id="c-42")])
        >>> book.get(" welcome7k2m ").promotion_id
        'welcome'
    """

    def __init__(self, codes: Iterable[PromoCode] = ()) -> None:
        self._codes: dict[str, PromoCode] = {}
        for index, code in enumerate(codes):
            if not isinstance(code, PromoCode):
                raise ValidationError(
                    f"{code!r} is not a PromoCode", field=f"codes[{index}]", value=code
                )
            if code.normalized in self._codes:
                raise ValidationError(
                    f"{code.code!r} clashes with {self._codes[code.normalized].code!r}",
                    field=f"codes[{index}].code",
                    value=code.code,
                )
            self._codes[code.normalized] = code

    def get(self, entered: str) -> PromoCode | None:
        """The issued code a shopper's entry matches, if any."""
        return self._codes.get(normalize_code(entered))

    def __iter__(self) -> Iterator[PromoCode]:
        return iter(self._codes.values())

    def __len__(self) -> int:
        return len(self._codes)


# -- the codes a shopper entered -----------------------------------------------------------------


class PromotionLookup(Protocol):
    """What resolving codes needs of the promotions (a ``PromotionBook`` has it)."""

    def get(self, promotion_id: str) -> Promotion | None:
        """The promotion with this id, if there is one."""

    def shared_code_promotions(self, normalized_code: str) -> Sequence[Promotion]:
        """The promotions a shared code (normalised) unlocks."""


@attrs.frozen
class EnteredCode:
    """One code as the shopper typed it, normalised once.

    Attributes:
        typed: The code as entered (its first spelling, when it was entered twice).
        normal: The code as compared (``normalize_code``).
        issued: The issued code it matches, if the ``CodeBook`` has one (a code past
            ``max_codes_per_order`` is not looked up, so has none).
    """

    typed: str
    normal: str
    issued: PromoCode | None


_UNKNOWN = (CodeStatus.UNKNOWN, "this code is not valid")


@attrs.frozen
class EnteredCodes:
    """The codes of a cart, resolved once against the issued codes and the promotions.

    Attributes:
        entered: Each distinct code looked at, in the order first entered: at most
            ``max_codes_per_order`` of them.
        refused: The codes (normalised) already refused, with their status and message.
        unlocked: The promotions issued codes unlock: promotion id -> normalised code.
        too_many: The distinct codes after those, as typed: refused as ``too_many_codes``
            without being looked up.
        limit: The ``max_codes_per_order`` they are past.
    """

    entered: tuple[EnteredCode, ...] = ()
    refused: Mapping[str, tuple[CodeStatus, str]] = attrs.field(factory=dict)
    unlocked: Mapping[str, str] = attrs.field(factory=dict)
    too_many: tuple[str, ...] = ()
    limit: int = 0

    @classmethod
    def resolve(
        cls,
        cart: Cart,
        book: PromotionLookup,
        codes: CodeBook | None,
        customer: Customer,
        at: dt.datetime,
        options: PricingOptions,
    ) -> EnteredCodes:
        """Normalise each code once, look it up, and refuse what already fails.

        The work is bounded by ``options.max_codes_per_order`` before any lookup: only the first
        that many distinct codes are looked up in ``codes`` and ``book``; each distinct code
        after them is kept as typed, to be refused as ``too_many_codes`` (one normalisation
        and one set test each, so a cart of 50,000 codes costs 20 lookups and a linear pass,
        never a quadratic one).
        """
        if not cart.codes:
            return _NONE_ENTERED
        limit = options.max_codes_per_order
        entered: list[EnteredCode] = []
        too_many: list[str] = []
        refused: dict[str, tuple[CodeStatus, str]] = {}
        unlocked: dict[str, str] = {}
        seen: set[str] = set()
        for typed in cart.codes:
            normal = normalize_code(typed)
            if normal in seen:
                continue  # the same code typed again: its first spelling stands
            seen.add(normal)
            if len(entered) >= limit:
                too_many.append(typed)
                continue
            issued = codes.get(normal) if codes is not None else None
            entered.append(EnteredCode(typed, normal, issued))
            if issued is None:
                if not book.shared_code_promotions(normal):
                    refused[normal] = _UNKNOWN
                continue
            promotion = book.get(issued.promotion_id)
            if promotion is None or not promotion.issued_codes:
                refused[normal] = _UNKNOWN
            elif issued.starts_at is not None and at < issued.starts_at:
                refused[normal] = (
                    CodeStatus.NOT_YET_ACTIVE,
                    f"this code is valid from {issued.starts_at.isoformat()}",
                )
            elif issued.ends_at is not None and at >= issued.ends_at:
                refused[normal] = (CodeStatus.EXPIRED, "this code has expired")
            elif issued.customer_id is not None and issued.customer_id != customer.id:
                refused[normal] = (
                    CodeStatus.BOUND_TO_OTHER_CUSTOMER,
                    "this code was issued to another customer",
                )
            else:
                unlocked[promotion.id] = normal
        return cls(tuple(entered), refused, unlocked, tuple(too_many), limit)

    @property
    def counting(self) -> frozenset[str]:
        """The codes (normalised) not refused: those conditions and promotions see.

        One past ``max_codes_per_order`` is not among them: it unlocks nothing.
        """
        return frozenset(code.normal for code in self.entered if code.normal not in self.refused)

    def issued_limited(self) -> list[EnteredCode]:
        """The issued codes with a usage limit that are not refused yet."""
        return [
            code
            for code in self.entered
            if code.issued is not None
            and code.issued.max_uses is not None
            and code.normal not in self.refused
        ]

    def used_up(self, exhausted: Iterable[EnteredCode]) -> EnteredCodes:
        """The same codes with ``exhausted`` refused as used up (they unlock nothing)."""
        gone = list(exhausted)
        if not gone:
            return self
        refused = dict(self.refused)
        unlocked = dict(self.unlocked)
        for code in gone:
            refused[code.normal] = (CodeStatus.EXHAUSTED, "this code has been used up")
            if code.issued is not None:
                unlocked.pop(code.issued.promotion_id, None)
        return EnteredCodes(self.entered, refused, unlocked, self.too_many, self.limit)


_NONE_ENTERED = EnteredCodes()

_STATUS_OF = {
    Reason.NOT_STARTED: CodeStatus.NOT_YET_ACTIVE,
    Reason.ENDED: CodeStatus.EXPIRED,
    Reason.EXHAUSTED: CodeStatus.EXHAUSTED,
    Reason.EXHAUSTED_FOR_CUSTOMER: CodeStatus.EXHAUSTED_FOR_CUSTOMER,
    Reason.BUDGET_SPENT: CodeStatus.BUDGET_SPENT,
    Reason.EXCLUDED: CodeStatus.CANNOT_COMBINE,
    Reason.GROUP: CodeStatus.CANNOT_COMBINE,
    Reason.STOPPED: CodeStatus.CANNOT_COMBINE,
    Reason.NOT_CHOSEN: CodeStatus.CANNOT_COMBINE,
}


def code_results(
    codes: EnteredCodes,
    book: PromotionLookup,
    applied: Sequence[AppliedPromotion],
    not_applied: Sequence[NotApplied],
) -> tuple[CodeResult, ...]:
    """What became of each code entered, from what the engine applied and refused."""
    if not codes.entered:
        return ()
    applied_by_id = {a.promotion_id: a for a in applied}
    refused_by_id = {n.promotion_id: n for n in not_applied}
    results = []
    for code in codes.entered:
        issued = code.issued
        if code.normal in codes.refused:
            status, message = codes.refused[code.normal]
            promotion_id = issued.promotion_id if issued is not None else None
            results.append(CodeResult(code.typed, status, message, promotion_id))
            continue
        if issued is not None:
            targets = [issued.promotion_id]
        else:
            targets = [p.id for p in book.shared_code_promotions(code.normal)]
        hit = next((pid for pid in targets if pid in applied_by_id), None)
        if hit is not None:
            results.append(
                CodeResult(code.typed, CodeStatus.APPLIED, applied_by_id[hit].message, hit)
            )
            continue
        target = targets[0]
        refusal = refused_by_id.get(target)
        if refusal is None:
            status, message = CodeStatus.NOT_APPLICABLE, "it gives nothing to this cart"
        else:
            status = _STATUS_OF.get(refusal.reason, CodeStatus.NOT_APPLICABLE)
            message = refusal.message
        results.append(CodeResult(code.typed, status, message, target))
    if codes.too_many:
        limit = codes.limit
        message = f"an order can use at most {limit} code{'s' if limit > 1 else ''}"
        results += [
            CodeResult(typed, CodeStatus.TOO_MANY_CODES, message) for typed in codes.too_many
        ]
    return tuple(results)
