"""Promo codes: generating them, issuing them to promotions, and looking them up."""

from __future__ import annotations

import datetime as dt
import math
import secrets
from collections.abc import Iterable, Iterator

import attrs

from shopkit import ValidationError
from shopkit import validators as check
from shopkit.pricing._conditions import _aware, check_window, normalize_code

__all__ = ["UNAMBIGUOUS_ALPHABET", "CodeBook", "PromoCode", "generate_codes"]

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

    code: str = attrs.field(validator=check.non_empty_str)
    promotion_id: str = attrs.field(validator=check.non_empty_str)
    max_uses: int | None = attrs.field(
        default=1, validator=check.optional(check.positive_int), kw_only=True
    )
    customer_id: str | None = attrs.field(
        default=None, validator=check.optional(check.non_empty_str), kw_only=True
    )
    starts_at: dt.datetime | None = attrs.field(default=None, validator=_aware, kw_only=True)
    ends_at: dt.datetime | None = attrs.field(default=None, validator=_aware, kw_only=True)

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
                raise ValidationError(f"{code!r} is not a PromoCode", field=f"codes[{index}]")
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
