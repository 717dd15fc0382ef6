"""Throw bad input at every public entry point and the CLI, and count what happens.

Each case is one distinct bad input at one entry point: amounts, quantities, SKUs, codes,
moments, documents (JSON, TOML, plain data), claims and order ids for the redemption stores,
checkout arguments, saved models that were tampered with, what a service reads and writes
(``PriceRequest``, the JSON form of a priced cart, schema templates), and command lines. Each
outcome is one of:

- A: a shopkit error naming the field and the value (every problem of a ``ConfigError`` has a
  location and an input);
- B: a shopkit error without a field or a value;
- C: any other exception, or a traceback from the CLI;
- D: accepted silently;
- E: the call failed, but something stored (a store's counters, a registry) changed.

It prints one line, ``N inputs: A clean errors naming field and value, B errors without field or
value, C other exceptions or tracebacks, D silently accepted, E state changed after failure``,
and with ``--verbose`` every case that is not A. ``tests/test_bad_input_script.py`` runs it and
requires B = C = D = E = 0.

Run it with ``.venv/bin/python benchmarks/bad_input.py``.
"""

# mypy: disable-error-code="misc"
# (each case binds its bad value in a lambda's default argument, whose type mypy cannot infer)

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np

from shopkit import (
    Cart,
    ConfigError,
    Customer,
    DocumentLimits,
    Line,
    Money,
    Product,
    ShippingOption,
    ShopkitError,
    allocate,
    from_dict,
    from_json,
    from_toml,
    json_schema,
    to_decimal,
)
from shopkit.cli import main as cli_main
from shopkit.pricing import (
    Claim,
    CodeBook,
    FixedOff,
    InMemoryRedemptionStore,
    Percentage,
    PricedCartJSON,
    PriceRequest,
    PricingOptions,
    PromoCode,
    Promotion,
    SQLiteRedemptionStore,
    generate_codes,
    normalize_code,
    price,
    priced_cart_json,
    reserve_checkout,
)
from shopkit.recommend import Popular, Request, load_model, sample_interactions, save_model

NOW = dt.datetime(2026, 11, 27, 12, tzinfo=dt.UTC)
HOLD = dt.timedelta(minutes=15)
LAMP = Product("LAMP", "Lamp", Money.of("40.00", "EUR"))
CART = Cart("EUR").add(LAMP)
TEN = Promotion("ten", "10% off", Percentage(10), max_uses=5)


@dataclass(frozen=True)
class Case:
    """One bad input: a call, and optionally a snapshot of what it must not change."""

    name: str
    call: Callable[[], object]
    state: Callable[[], object] | None = None
    expect: str = ""  # for CLI cases: text the error line must hold (the field or the value)


def _clean(error: ShopkitError) -> bool:
    problems = error.problems
    if isinstance(error, ConfigError) and len(problems) > 1:
        return all(p["loc"] for p in problems)
    return bool(error.field) and error.value_given


def classify(case: Case) -> str:
    """The outcome letter of one case (see the module docstring)."""
    before = case.state() if case.state is not None else None
    try:
        case.call()
    except ShopkitError as error:
        outcome = "A" if _clean(error) else "B"
    except Exception:
        outcome = "C"
    else:
        outcome = "D"
    if case.state is not None and outcome != "D" and case.state() != before:
        return "E"
    return outcome


# -- the cases -----------------------------------------------------------------------------------

BAD_AMOUNTS: list[Any] = [
    "1e70", "-1e70", "1E18", "١٢٣", "１２３", "१२३", "1_000", "12.5.1", "--1", "0x10", "NaN",
    "Infinity", "-inf", "", "   ", "1,50", "€10", "ten", 1.5, True, None, [], {},
    Decimal("NaN"), Decimal("1e70"), "1.999", 10**70, "9" * 200,
]  # fmt: skip
BAD_QUANTITIES: list[Any] = [0, -1, 10**70, 1_000_001, 2.5, "3", True, None, Decimal("2")]
BAD_SKUS: list[Any] = ["", "  ", "A\x00", "A\u202eB", "\u2066A", "A\u200bB", "A\nB", 42, None]
BAD_CODES: list[Any] = ["WELCOME\u202e", "WEL\x00COME", "\u200fX", "", "  ", 7]
BAD_MOMENTS: list[Any] = [
    "2026-11-27T12:00:00+00:00", dt.datetime(2026, 11, 27, 12), 1764244800, None,
    dt.date(2026, 11, 27),
]  # fmt: skip


def _amount_cases() -> Iterator[Case]:
    for value in BAD_AMOUNTS:
        yield Case(f"Money.of({value!r:.40})", lambda v=value: Money.of(v, "EUR"))
        if isinstance(value, str) and value != "1.999":  # a fine decimal; too precise for EUR
            yield Case(f"to_decimal({value!r:.40})", lambda v=value: to_decimal(v))
            yield Case(
                f"from_dict Product unit_price {value!r:.40}",
                lambda v=value: from_dict(
                    {"sku": "A", "name": "x", "unit_price": {"amount": v, "currency": "EUR"}},
                    Product,
                ),
            )
    for currency in ["EURO", "", "eur", "XXX1", 5]:
        yield Case(f"Money.of currency {currency!r}", lambda c=currency: Money.of("1", c))
    yield Case("Money(10**70)", lambda: Money(10**70, "EUR"))
    yield Case("Money(1.5)", lambda: Money(1.5, "EUR"))  # type: ignore[arg-type]
    yield Case(
        "from_json amount 1e70", lambda: from_json('{"amount": 1e70, "currency": "EUR"}', Money)
    )
    yield Case(
        "from_json amount -2.555", lambda: from_json('{"amount": -2.555, "currency": "EUR"}', Money)
    )
    yield Case("ShippingOption negative", lambda: ShippingOption("s", "S", Money.of("-1", "EUR")))


def _quantity_cases() -> Iterator[Case]:
    for value in BAD_QUANTITIES:
        yield Case(f"Line quantity {value!r}", lambda v=value: Line(LAMP, v))
        yield Case(f"Cart.add quantity {value!r}", lambda v=value: CART.add(LAMP, v))
    yield Case("Cart.add past the bound", lambda: CART.add(LAMP, 1_000_000))


def _identifier_cases() -> Iterator[Case]:
    for sku in BAD_SKUS:
        yield Case(f"Product sku {sku!r}", lambda s=sku: Product(s, "x", Money.of("1", "EUR")))
    for code in BAD_CODES:
        yield Case(f"Cart codes {code!r}", lambda c=code: Cart("EUR", codes=["OK", c]))
        yield Case(f"PromoCode {code!r}", lambda c=code: PromoCode(c, "ten"))
    yield Case("normalize_code(None)", lambda: normalize_code(None))  # type: ignore[arg-type]
    yield Case(
        "two products one sku",
        lambda: CART.add(Product("LAMP", "Other lamp", Money.of("1", "EUR"))),
    )
    yield Case(
        "duplicate promotion ids",
        lambda: price(CART, [TEN, Promotion("ten", "again", Percentage(5))], at=NOW),
    )
    yield Case("CodeBook clash", lambda: CodeBook([PromoCode("A-1", "p"), PromoCode("a1", "q")]))
    yield Case("CodeBook item", lambda: CodeBook(["A-1"]))  # type: ignore[list-item]
    yield Case("Customer id blank", lambda: Customer(" "))
    yield Case("Customer order_count", lambda: Customer("c", order_count=-1))
    yield Case("generate_codes count", lambda: generate_codes(-1))
    yield Case("generate_codes length", lambda: generate_codes(10**6, length=4))
    yield Case("Promotion percent 150", lambda: Promotion("p", "x", Percentage(150)))
    yield Case("Promotion blank id", lambda: Promotion("", "x", Percentage(10)))
    yield Case("PricingOptions max codes", lambda: PricingOptions(max_codes_per_order=0))
    yield Case("allocate weights", lambda: allocate(Money.of("1", "EUR"), []))
    yield Case("allocate float weight", lambda: allocate(Money.of("1", "EUR"), [0.5, 0.5]))  # type: ignore[list-item]


def _moment_cases() -> Iterator[Case]:
    for moment in BAD_MOMENTS:
        yield Case(f"price at={moment!r}", lambda m=moment: price(CART, [TEN], at=m))
        store = InMemoryRedemptionStore()
        yield Case(
            f"store.reserve at={moment!r}",
            lambda m=moment, s=store: s.reserve(
                "o-1", [Claim("code:A", 1, 1)], at=m, expires_at=NOW + HOLD
            ),
            state=lambda s=store: s.used(["code:A"], at=NOW),
        )
        yield Case(f"store.used at={moment!r}", lambda m=moment, s=store: s.used(["code:A"], at=m))
        yield Case(
            f"reserve_checkout at={moment!r}",
            lambda m=moment, s=store: reserve_checkout(
                price(CART, [TEN], at=NOW), [TEN], s, order_id="o-1", at=m
            ),
            state=lambda s=store: s.used(["promotion:ten"], at=NOW),
        )


def _store_cases() -> Iterator[Case]:
    folder = Path(tempfile.mkdtemp(prefix="shopkit-bad-input-"))
    stores: list[tuple[str, Any]] = [
        ("memory", InMemoryRedemptionStore()),
        ("sqlite", SQLiteRedemptionStore(folder / "store.sqlite")),
    ]
    for label, store in stores:
        store.reserve("held", [Claim("code:A", 1, 3)], at=NOW, expires_at=NOW + HOLD)

        def state(s: Any = store) -> object:
            return s.used(["code:A", "code:B"], at=NOW), s.held("held", at=NOW)

        bad_claims: list[tuple[str, Any]] = [
            ("a dict", [{"key": "code:A", "amount": 1, "limit": 1}]),
            ("a string", "code:A"),
            ("a claim then a dict", [Claim("code:B", 1, 1), {"key": "x"}]),
            ("twice one key", [Claim("code:B", 1, 5), Claim("code:B", 1, 5)]),
            ("None", None),
            ("an int", 3),
        ]
        for name, claims in bad_claims:
            yield Case(
                f"{label}.reserve claims {name}",
                lambda s=store, c=claims: s.reserve("o-2", c, at=NOW, expires_at=NOW + HOLD),
                state=state,
            )
        for order in ["", "  ", None, 12, {"id": 1}]:
            yield Case(
                f"{label}.reserve order {order!r}",
                lambda s=store, o=order: s.reserve(
                    o, [Claim("code:B", 1, 1)], at=NOW, expires_at=NOW + HOLD
                ),
                state=state,
            )
            yield Case(
                f"{label}.commit order {order!r}",
                lambda s=store, o=order: s.commit(o, at=NOW),
                state=state,
            )
            yield Case(
                f"{label}.release order {order!r}",
                lambda s=store, o=order: s.release(o),
                state=state,
            )
        yield Case(
            f"{label}.reserve expiring before it is made",
            lambda s=store: s.reserve("o-3", [Claim("code:B", 1, 1)], at=NOW, expires_at=NOW),
            state=state,
        )
        yield Case(
            f"{label}.reserve over the limit",
            lambda s=store: s.reserve(
                "o-4", [Claim("code:B", 1, 9), Claim("code:A", 5, 3)], at=NOW, expires_at=NOW + HOLD
            ),
            state=state,
        )
        yield Case(
            f"{label}.commit of nothing", lambda s=store: s.commit("nobody", at=NOW), state=state
        )
        yield Case(f"{label}.used keys a string", lambda s=store: s.used("code:A", at=NOW))
        yield Case(f"{label}.used keys of ints", lambda s=store: s.used([1, 2], at=NOW))
    for claim_args in [("", 1, 1), ("code:A", 0, 1), ("code:A", 1, -1), ("code:A", 2**63, 2**64)]:
        yield Case(f"Claim{claim_args}", lambda a=claim_args: Claim(*a))
    yield Case("Claim key with a control character", lambda: Claim("code:\x00", 1, 1))
    yield Case("SQLite missing folder", lambda: SQLiteRedemptionStore(folder / "no" / "s.sqlite"))
    (folder / "text.sqlite").write_text("not a database\n" * 100)
    yield Case("SQLite not a database", lambda: SQLiteRedemptionStore(folder / "text.sqlite"))
    yield Case("SQLite a folder", lambda: SQLiteRedemptionStore(folder))
    yield Case("SQLite in /proc", lambda: SQLiteRedemptionStore("/proc/shopkit.sqlite"))
    yield Case("SQLite timeout", lambda: SQLiteRedemptionStore(folder / "t.sqlite", timeout=-1))


def _checkout_cases() -> Iterator[Case]:
    store = InMemoryRedemptionStore()
    priced = price(CART, [TEN], at=NOW, store=store)

    def state() -> object:
        return store.used(["promotion:ten"], at=NOW)

    arguments: list[tuple[str, dict[str, Any]]] = [
        ("order_id blank", {"order_id": ""}),
        ("order_id dict", {"order_id": {"id": 1}}),
        ("order_id control", {"order_id": "o\x00"}),
        ("hold zero", {"hold": dt.timedelta(0)}),
        ("hold seconds", {"hold": 900}),
        ("customer string", {"customer": "alice"}),
        ("codes list", {"codes": ["A"]}),
    ]
    for name, extra in arguments:
        call = {"order_id": "o-1", "at": NOW, **extra}
        yield Case(
            f"reserve_checkout {name}",
            lambda c=call: reserve_checkout(priced, [TEN], store, **c),
            state=state,
        )
    yield Case(
        "reserve_checkout priced is a cart",
        lambda: reserve_checkout(CART, [TEN], store, order_id="o-1", at=NOW),  # type: ignore[arg-type]
        state=state,
    )


def _document_cases() -> Iterator[Case]:
    product = {"sku": "A", "name": "x", "unit_price": "1.00 EUR"}
    documents: list[tuple[str, str | bytes, Any]] = [
        ("malformed JSON", "{", Cart),
        ("a list for a cart", "[]", Cart),
        ("unknown key", json.dumps({"currency": "EUR", "colour": "red"}), Cart),
        ("currency a number", json.dumps({"currency": 5}), Cart),
        ("NaN constant", '{"amount": NaN, "currency": "EUR"}', Money),
        ("deep conditions", '{"a": ' * 10_000 + "1" + "}" * 10_000, dict),
        ("quantity a string", json.dumps({"product": product, "quantity": "3"}), Line),
        ("quantity 2.5", '{"product": ' + json.dumps(product) + ', "quantity": 2.5}', Line),
        ("quantity 1e70", '{"product": ' + json.dumps(product) + ', "quantity": 1e70}', Line),
        ("promotion unknown type", json.dumps({"id": "p", "name": "x", "benefit": {"type": "x"}}),
         Promotion),
        ("promotion no benefit", json.dumps({"id": "p", "name": "x"}), Promotion),
        ("promotion percent -5", json.dumps(
            {"id": "p", "name": "x", "benefit": {"type": "percentage", "percent": "-5"}}),
         Promotion),
        ("two bad lines", json.dumps({"currency": "EUR", "lines": [
            {"product": {**product, "unit_price": "2.555 EUR"}, "quantity": 1},
            {"product": product, "quantity": 0}]}), Cart),
        ("a bidi SKU in JSON", json.dumps({**product, "sku": "A\u202e"}), Product),
        ("bytes not UTF-8", b"\xff\xfe{", Cart),
    ]  # fmt: skip
    for name, text, kind in documents:
        yield Case(f"from_json {name}", lambda t=text, k=kind: from_json(t, k))
    yield Case(
        "from_json too long",
        lambda: from_json("[" + "1," * 2000 + "1]", list, limits=DocumentLimits(max_bytes=100)),
    )
    many = [product] * 2_000
    yield Case(
        "from_dict too many items",
        lambda: from_dict(many, list[Product], limits=DocumentLimits(max_items=1_000)),
    )
    nested: Any = 1
    for _ in range(5_000):
        nested = [nested]
    yield Case("from_dict nested 5,000 deep", lambda: from_dict(nested, list))
    yield Case("from_dict limits wrong", lambda: from_dict({}, dict, limits=5))  # type: ignore[arg-type]
    yield Case("from_toml malformed", lambda: from_toml("currency = ", Cart))
    yield Case("from_toml bytes", lambda: from_toml(b"currency = 'EUR'", Cart))  # type: ignore[arg-type]
    yield Case("from_toml deep", lambda: from_toml("a = " + "[" * 5000 + "]" * 5000, dict))
    yield Case("from_toml unknown key", lambda: from_toml("currency = 'EUR'\nx = 1", Cart))


def _registry_cases() -> Iterator[Case]:
    from shopkit.pricing.plugin import benefits

    def state() -> object:
        return benefits.names()

    yield Case("register a taken name", lambda: benefits.register("percentage")(FixedOff), state)
    yield Case("register a non-class", lambda: benefits.register("not-a-class")(len), state)  # type: ignore[arg-type]
    yield Case("register a blank name", lambda: benefits.register(" "), state)
    yield Case("lookup unknown kind", lambda: benefits.get("no-such-kind"))


def _model_cases() -> Iterator[Case]:
    folder = Path(tempfile.mkdtemp(prefix="shopkit-bad-model-"))
    model = Popular().fit(sample_interactions())
    good = folder / "model.npz"
    save_model(model, good)
    with np.load(good, allow_pickle=False) as data:
        arrays = {key: data[key] for key in data.files}
    meta = json.loads(str(arrays["meta"]))

    def tampered(name: str, change: Callable[[dict[str, Any]], None]) -> Path:
        copy = dict(arrays)
        change(copy)
        path = folder / f"{name}.npz"
        np.savez(path, **copy)
        return path

    variants = {
        "meta not JSON": tampered("a", lambda a: a.__setitem__("meta", np.array("{oops"))),
        "meta a list": tampered("b", lambda a: a.__setitem__("meta", np.array("[1, 2]"))),
        "no config": tampered(
            "c",
            lambda a: a.__setitem__(
                "meta", np.array(json.dumps({k: v for k, v in meta.items() if k != "config"}))
            ),
        ),
        "an array missing": tampered("d", lambda a: a.pop(next(k for k in list(a) if k != "meta"))),
        "wrong format": tampered(
            "e", lambda a: a.__setitem__("meta", np.array(json.dumps({**meta, "format": "x/9"})))
        ),
        "no meta": tampered("f", lambda a: a.pop("meta")),
    }
    for name, path in variants.items():
        yield Case(f"load_model {name}", lambda p=path: load_model(p))
    (folder / "zip.npz").write_bytes(b"PK\x03\x04 broken")
    yield Case("load_model broken zip", lambda: load_model(folder / "zip.npz"))
    yield Case("load_model missing", lambda: load_model(folder / "missing.npz"))
    np.save(folder / "plain.npy", np.arange(3))
    yield Case("load_model a plain .npy array", lambda: load_model(folder / "plain.npy"))
    with zipfile.ZipFile(folder / "empty.npz", "w"):
        pass
    yield Case("load_model empty archive", lambda: load_model(folder / "empty.npz"))
    yield Case("Request k=0", lambda: Request(cart=["A"], k=0))
    yield Case("Request k huge float", lambda: Request(cart=["A"], k=2.5))  # type: ignore[arg-type]
    yield Case("recommend a dict", lambda: model.recommend({"cart": ["A"]}))  # type: ignore[arg-type]


def _service_cases() -> Iterator[Case]:
    """What a service reads (``PriceRequest``) and writes (the JSON form, its schema)."""
    cart = {"currency": "EUR"}
    bodies: list[tuple[str, Any]] = [
        ("no cart", {"codes": []}),
        ("cart a list", {"cart": []}),
        ("codes a string", {"cart": cart, "codes": "WELCOME"}),
        ("a blank code", {"cart": cart, "codes": ["ok", " "]}),
        ("a code with a bidi mark", {"cart": cart, "codes": ["A\u202eB"]}),
        ("a code with a NUL", {"cart": cart, "codes": ["A\x00"]}),
        ("a code a number", {"cart": cart, "codes": [7]}),
        ("payment method blank", {"cart": cart, "payment_method": ""}),
        ("payment method a number", {"cart": cart, "payment_method": 5}),
        ("moment naive", {"cart": cart, "at": "2026-11-27T12:00"}),
        ("moment a number", {"cart": cart, "at": 1764244800}),
        ("customer a string", {"cart": cart, "customer": "c-1"}),
        ("unknown key", {"cart": cart, "colour": "red"}),
        ("cart currency lower case", {"cart": {"currency": "eur"}}),
    ]
    for name, body in bodies:
        yield Case(
            f"PriceRequest from_json {name}",
            lambda b=body: from_json(json.dumps(b), PriceRequest),
        )
    built: list[tuple[str, Callable[[], object]]] = [
        ("cart a dict", lambda: PriceRequest({"currency": "EUR"})),  # type: ignore[arg-type]
        ("customer a string", lambda: PriceRequest(CART, customer="c-1")),  # type: ignore[arg-type]
        ("codes a string", lambda: PriceRequest(CART, codes="WELCOME")),
        ("codes with a control character", lambda: PriceRequest(CART, codes=["ok", "A\x07"])),
        ("at naive", lambda: PriceRequest(CART, at=dt.datetime(2026, 11, 27))),
        ("at a string", lambda: PriceRequest(CART, at="2026-11-27")),  # type: ignore[arg-type]
        ("payment method blank", lambda: PriceRequest(CART, payment_method=" ")),
    ]
    for name, call in built:
        yield Case(f"PriceRequest {name}", call)
    request = PriceRequest(CART)
    yield Case("PriceRequest.price without a moment", lambda: request.price([TEN]))
    yield Case(
        "PriceRequest.price now naive",
        lambda: request.price([TEN], now=dt.datetime(2026, 11, 27)),
    )
    yield Case("PriceRequest.price now a string", lambda: request.price([TEN], now="today"))  # type: ignore[arg-type]
    yield Case("PriceRequest.price promotions a string", lambda: request.price("ten", now=NOW))  # type: ignore[arg-type]
    yield Case("priced_cart_json of a cart", lambda: priced_cart_json(CART))  # type: ignore[arg-type]
    yield Case("priced_cart_json of None", lambda: priced_cart_json(None))  # type: ignore[arg-type]
    answer = priced_cart_json(price(CART, [TEN], at=NOW))
    forms: list[tuple[str, Any]] = [
        ("version 2", {**answer, "version": 2}),
        ("total 1e70", {**answer, "total": "1e70"}),
        ("no total", {k: v for k, v in answer.items() if k != "total"}),
        ("lines an object", {**answer, "lines": {}}),
    ]
    for name, form in forms:
        yield Case(
            f"PricedCartJSON from_json {name}",
            lambda f=form: from_json(json.dumps(f), PricedCartJSON),
        )
    for template in ["#/components/schemas/", "#/{name}/{kind}", "{name}{", ""]:
        yield Case(
            f"json_schema ref_template {template!r}",
            lambda t=template: json_schema(Cart, ref_template=t),
        )
    yield Case(
        "PricingOptions max codes None",
        lambda: PricingOptions(max_codes_per_order=None),  # type: ignore[arg-type]
    )
    yield Case(
        "PricingOptions max codes 2.5",
        lambda: PricingOptions(max_codes_per_order=2.5),  # type: ignore[arg-type]
    )


def _cli(*argv: str) -> Callable[[], object]:
    def run() -> object:
        err, out = io.StringIO(), io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            try:
                status = cli_main(list(argv))
            except SystemExit as stop:
                status = stop.code if isinstance(stop.code, int) else 2
        text = err.getvalue()
        if "Traceback" in text:
            raise RuntimeError(text)
        if status == 0:
            return status
        raise _CliError(text.strip(), status)

    return run


class _CliError(ShopkitError):
    """A CLI run that failed cleanly: status 1 or 2 and one error line."""

    def __init__(self, text: str, status: int) -> None:
        super().__init__(text, field="cli", value=status)
        self.text = text


def _cli_cases(folder: Path) -> Iterator[Case]:
    def write(name: str, text: str) -> str:
        path = folder / name
        path.write_text(text, encoding="utf-8")
        return str(path)

    good_cart = write(
        "cart.json",
        json.dumps(
            {
                "currency": "EUR",
                "lines": [
                    {"product": {"sku": "A", "name": "x", "unit_price": "1.00 EUR"}, "quantity": 1}
                ],
            }
        ),
    )
    promos = write("promos.json", "[]")
    cases: list[tuple[str, list[str], str]] = [
        ("price 1e70", [write("c1.json", json.dumps({"currency": "EUR", "lines": [{"product": {
            "sku": "A", "name": "x", "unit_price": "1e70 EUR"}, "quantity": 1}]})), promos],
         "amount"),
        ("price arabic digits", [write("c2.json", json.dumps({"currency": "EUR", "lines": [
            {"product": {"sku": "A", "name": "x", "unit_price": "١٢٣ EUR"}, "quantity": 1}]})),
            promos], "unit_price"),
        ("price deep JSON", [write("c3.json", '{"a": ' * 5000 + "1" + "}" * 5000), promos],
         "nested"),
        ("price missing cart file", [str(folder / "none.json"), promos], "none.json"),
        ("price cart is a folder", [str(folder), promos], str(folder.name)),
        ("price malformed promotions", [good_cart, write("p1.json", "[{")], "JSON"),
        ("price promotions an object", [good_cart, write("p2.json", "{}")], "promotions"),
        ("price bad --at", [good_cart, promos, "--at", "yesterday"], "yesterday"),
        ("price naive --at", [good_cart, promos, "--at", "2026-11-27T12:00"], "2026-11-27T12:00"),
        ("price bad --mode", [good_cart, promos, "--mode", "cheapest"], "cheapest"),
        ("price bad --locale", [good_cart, promos, "--locale", "xx_YY_ZZ"], "xx_YY_ZZ"),
        ("price bad --customer", [good_cart, promos, "--customer",
                                  write("cu.json", '{"order_count": -1}')], "order_count"),
        ("price bad --codes", [good_cart, promos, "--codes", write("co.json", '[{"code": ""}]')],
         "code"),
        ("price a bidi SKU", [write("c4.json", json.dumps({"currency": "EUR", "lines": [
            {"product": {"sku": "A\u202e", "name": "x", "unit_price": "1 EUR"}, "quantity": 1}]})),
            promos], "sku"),
        ("price quantity 10^70", [write("c5.json", json.dumps({"currency": "EUR", "lines": [
            {"product": {"sku": "A", "name": "x", "unit_price": "1 EUR"}, "quantity": 10**70}]})),
            promos], "quantity"),
        ("price TOML malformed", [write("c6.toml", "currency = "), promos], "TOML"),
        ("schema unknown type", ["schema", "nothing"], "nothing"),
        ("schema template without {name}", ["schema", "cart", "--ref-template", "#/x/"],
         "ref-template"),
        ("schema template with another field", ["schema", "price-request", "--ref-template",
                                                "#/{name}/{kind}"], "{kind}"),
        ("schema template empty", ["schema", "priced-cart-json", "--ref-template", ""],
         "ref-template"),
    ]  # fmt: skip
    for name, argv, expect in cases:
        full = argv if argv[0] == "schema" else ["price", *argv]
        yield Case(f"cli {name}", _cli(*full), expect=expect)


def cases() -> list[Case]:
    """Every case, each a distinct bad input."""
    folder = Path(tempfile.mkdtemp(prefix="shopkit-bad-cli-"))
    found = [
        *_amount_cases(),
        *_quantity_cases(),
        *_identifier_cases(),
        *_moment_cases(),
        *_store_cases(),
        *_checkout_cases(),
        *_document_cases(),
        *_registry_cases(),
        *_model_cases(),
        *_service_cases(),
        *_cli_cases(folder),
    ]
    names = [case.name for case in found]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise AssertionError(f"cases named twice: {duplicates}")
    return found


def run(verbose: bool = False) -> dict[str, int]:
    """Classify every case; return the count of each outcome (``N``, ``A`` … ``E``)."""
    counts = dict.fromkeys("ABCDE", 0)
    every = cases()
    for case in every:
        outcome = classify(case)
        if case.expect and outcome == "A":
            try:
                case.call()
            except _CliError as error:
                if case.expect not in error.text:
                    outcome = "B"
        counts[outcome] += 1
        if verbose and outcome != "A":
            print(f"  {outcome}  {case.name}", file=sys.stderr)
    return {"N": len(every), **counts}


def summary(counts: dict[str, int]) -> str:
    """The one line the script prints."""
    return (
        f"{counts['N']} inputs: {counts['A']} clean errors naming field and value, "
        f"{counts['B']} errors without field or value, {counts['C']} other exceptions or "
        f"tracebacks, {counts['D']} silently accepted, {counts['E']} state changed after failure"
    )


def main() -> None:
    print(summary(run(verbose="--verbose" in sys.argv)))


if __name__ == "__main__":
    main()
