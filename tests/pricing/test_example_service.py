"""The example service (examples/service/app.py), tested through a real HTTP client and server."""

from __future__ import annotations

import concurrent.futures
import contextlib
import datetime as dt
import importlib.util
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import jsonschema  # type: ignore[import-untyped]  # ships no types; a dev tool
import pytest

from shopkit.pricing import (
    CodeBook,
    InMemoryRedemptionStore,
    Percentage,
    PostgresRedemptionStore,
    PromoCode,
    Promotion,
    RedemptionStore,
)

APP = Path(__file__).parent.parent.parent / "examples" / "service" / "app.py"
AT = "2026-11-27T12:00:00+00:00"
CART: dict[str, Any] = {
    "currency": "EUR",
    "lines": [
        {"product": {"sku": "LAMP", "name": "Lamp", "unit_price": "40.00 EUR"}, "quantity": 1}
    ],
    "codes": ["WELCOME-7K2M"],
}
WELCOME = Promotion("welcome", "10% welcome", Percentage(10), issued_codes=True)
CODES = CodeBook([PromoCode("WELCOME-7K2M", "welcome", max_uses=1)])


def _module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("shopkit_example_service", APP)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


SERVICE = _module()


@pytest.fixture
def serve() -> Iterator[Callable[..., httpx.Client]]:
    """Start the service on a free local port in a thread; yield a client factory."""
    with contextlib.ExitStack() as stack:

        def start(
            store: RedemptionStore, codes: CodeBook = CODES, promotions: Any = None
        ) -> httpx.Client:
            app = SERVICE.create_app(promotions or [WELCOME], store, codes=codes)
            base_url = stack.enter_context(SERVICE.running(app))
            return httpx.Client(base_url=base_url, timeout=30)

        yield start


def test_price_checkout_and_schema_happy_paths(serve: Callable[..., httpx.Client]) -> None:
    store = InMemoryRedemptionStore()
    with serve(store) as client:
        priced = client.post("/price", json={"cart": CART, "at": AT})
        assert priced.status_code == 200
        # 40.00 less 10 % = 36.00, in the stable JSON form: amounts once, the currency at the top
        assert (priced.json()["currency"], priced.json()["total"]) == ("EUR", "36.00")
        answer_schema = client.get("/schema/priced").json()
        jsonschema.Draft202012Validator(answer_schema).validate(priced.json())
        body = {"order_id": "o-1", "cart": CART, "at": AT}
        done = client.post("/checkout", json=body)
        assert done.status_code == 200
        assert done.json()["claims"] == ["code:WELCOME7K2M"]
        assert (done.json()["currency"], done.json()["total"]) == ("EUR", "36.00")
        # the client retries: the same answer, and the single-use code still counts once
        assert client.post("/checkout", json=body).json() == done.json()
        assert store.used(["code:WELCOME7K2M"], at=dt.datetime(2026, 11, 27, tzinfo=dt.UTC)) == {
            "code:WELCOME7K2M": 1
        }
        # another order now finds the code used up: priced without it, 40.00
        again = client.post("/price", json={"cart": CART, "at": AT}).json()
        assert again["total"] == "40.00"
        assert again["codes"] == [
            {
                "code": "WELCOME-7K2M",
                "status": "exhausted",
                "message": "this code has been used up",
                "promotion_id": "welcome",
            }
        ]
        schema = client.get("/schema/cart")
        assert schema.status_code == 200
        assert schema.json()["$ref"] == "#/$defs/Cart"


def test_the_request_carries_codes_payment_method_and_customer_beside_the_cart(
    serve: Callable[..., httpx.Client],
) -> None:
    with serve(InMemoryRedemptionStore()) as client:
        cart = {**CART, "codes": []}
        body = {
            "cart": cart,
            "codes": ["welcome-7k2m"],
            "customer": {"id": "c-1"},
            "payment_method": "card",
            "at": AT,
        }
        answer = client.post("/price", json=body)
        assert answer.status_code == 200, answer.text
        # the request's code is entered after the cart's (none): 40.00 less 10 % = 36.00
        assert answer.json()["total"] == "36.00"
        assert [code["code"] for code in answer.json()["codes"]] == ["welcome-7k2m"]
        schema = client.get("/schema/price").json()
        assert schema["$ref"] == "#/$defs/PriceRequest"
        jsonschema.Draft202012Validator(schema).validate(body)


def _amount(value: str) -> dict[str, Any]:
    line = {"product": {"sku": "A", "name": "x", "unit_price": value}, "quantity": 1}
    return {"cart": {"currency": "EUR", "lines": [line]}, "at": AT}


BAD_REQUESTS: list[tuple[str, str, bytes | dict[str, Any], int, list[str | int]]] = [
    ("/price", "malformed JSON", b"{", 422, []),
    ("/price", "a list", b"[]", 422, []),
    ("/price", "no cart", {"at": AT}, 422, ["cart"]),
    ("/price", "unknown key", {"cart": CART, "colour": "red"}, 422, []),
    ("/price", "1e70", _amount("1e70 EUR"), 422, ["cart", "lines", 0, "product", "unit_price"]),
    ("/price", "arabic digits", _amount("١٢٣ EUR"), 422, ["cart", "lines", 0, "product"]),
    ("/price", "three decimals", _amount("2.555 EUR"), 422, ["cart", "lines", 0, "product"]),
    ("/price", "negative", _amount("-1.00 EUR"), 422, ["cart", "lines", 0, "product"]),
    ("/price", "naive moment", {"cart": CART, "at": "2026-11-27T12:00"}, 422, ["at"]),
    ("/price", "moment a number", {"cart": CART, "at": 5}, 422, ["at"]),
    ("/price", "quantity 0", {"cart": {**CART, "lines": [{**CART["lines"][0], "quantity": 0}]}},
     422, ["cart", "lines", 0, "quantity"]),
    ("/price", "quantity 10^70",
     {"cart": {**CART, "lines": [{**CART["lines"][0], "quantity": 10**70}]}}, 422,
     ["cart", "lines", 0, "quantity"]),
    ("/price", "bidi sku", {"cart": {"currency": "EUR", "lines": [{"product": {
        "sku": "A\u202e", "name": "x", "unit_price": "1 EUR"}, "quantity": 1}]}}, 422,
     ["cart", "lines", 0, "product", "sku"]),
    ("/price", "currency lower case", {"cart": {"currency": "eur"}}, 422, ["cart", "currency"]),
    ("/price", "deep nesting", b'{"cart": ' + b'{"a": ' * 5000 + b"1" + b"}" * 5001, 422, []),
    ("/price", "customer order count", {"cart": CART, "customer": {"order_count": -1}}, 422,
     ["customer", "order_count"]),
    ("/price", "code with a control character", {"cart": {**CART, "codes": ["A\u0000"]}}, 422,
     ["cart", "codes", 0]),
    ("/price", "too large", b"[" + b"1," * 600_000 + b"1]", 400, ["(body)"]),
    ("/price", "codes a string", {"cart": CART, "codes": "WELCOME"}, 422, ["codes"]),
    ("/price", "a blank code", {"cart": CART, "codes": ["ok", " "]}, 422, ["codes", 1]),
    ("/price", "a code with a bidi mark", {"cart": CART, "codes": ["A\u202eB"]}, 422,
     ["codes", 0]),
    ("/price", "a blank payment method", {"cart": CART, "payment_method": ""}, 422,
     ["payment_method"]),
    ("/price", "customer a string", {"cart": CART, "customer": "c-1"}, 422, ["customer"]),
    ("/checkout", "no order id", {"cart": CART, "at": AT}, 422, ["order_id"]),
    ("/checkout", "order id a number", {"order_id": 7, "cart": CART, "at": AT}, 422,
     ["order_id"]),
    ("/checkout", "blank order id", {"order_id": " ", "cart": CART, "at": AT}, 422,
     ["order_id"]),
    ("/checkout", "two products one sku", {"order_id": "o", "at": AT, "cart": {
        "currency": "EUR", "lines": [CART["lines"][0], {"product": {
            "sku": "LAMP", "name": "Other", "unit_price": "1 EUR"}, "quantity": 1}]}}, 422,
     ["cart", "lines", 1, "product", "sku"]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("path", "body", "status", "loc"),
    [
        pytest.param(path, body, status, loc, id=name)
        for path, name, body, status, loc in BAD_REQUESTS
    ],
)
def test_bad_requests_get_their_status_and_structured_problems(
    serve: Callable[..., httpx.Client],
    path: str,
    body: bytes | dict[str, Any],
    status: int,
    loc: list[str | int],
) -> None:
    store = InMemoryRedemptionStore()
    with serve(store) as client:
        if isinstance(body, bytes):
            answer = client.post(path, content=body, headers={"content-type": "application/json"})
        else:
            answer = client.post(path, content=json.dumps(body))
    assert answer.status_code == status
    error = answer.json()
    assert error["status"] == status
    assert error["problems"]
    assert error["problems"][0]["loc"][: len(loc)] == loc
    assert all("input" in problem and problem["msg"] for problem in error["problems"])
    # nothing was reserved by a failed request
    moment = dt.datetime(2026, 11, 27, tzinfo=dt.UTC)
    assert store.used(["code:WELCOME7K2M"], at=moment) == {"code:WELCOME7K2M": 0}


def test_an_unknown_schema_is_404(serve: Callable[..., httpx.Client]) -> None:
    with serve(InMemoryRedemptionStore()) as client:
        answer = client.get("/schema/nothing")
    assert answer.status_code == 404
    assert answer.json()["problems"] == [
        {
            "loc": ["type"],
            "msg": "no schema named 'nothing'",
            "type": "not_found",
            "input": "nothing",
        }
    ]


def test_concurrent_checkouts_on_one_capped_code_through_http_against_postgresql(
    serve: Callable[..., httpx.Client], postgres_url: str, fresh_schema: Callable[[], str]
) -> None:
    # a shared code capped at 25 uses, 8 clients x 10 checkouts = 80 attempts: exactly 25 get it
    capped = Promotion("shared", "10% for the first 25", Percentage(10), code="BF25", max_uses=25)
    store = PostgresRedemptionStore(postgres_url, schema=fresh_schema())
    cart = {**CART, "codes": ["BF25"]}
    with serve(store, codes=CodeBook(), promotions=[capped]) as client:

        def attempts(worker: int) -> list[str]:
            totals = []
            for n in range(10):
                body = {"order_id": f"w{worker}-{n}", "cart": cart, "at": AT}
                answer = client.post("/checkout", json=body)
                assert answer.status_code in (200, 409), answer.text
                if answer.status_code == 200:
                    totals.append(answer.json()["total"])
            return totals

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            totals = [t for batch in pool.map(attempts, range(8)) for t in batch]
    # every checkout either got the 10 % (36.00) or was priced after the cap at 40.00, or was
    # refused (409) when the last use went between its pricing and its reservation
    assert totals.count("36.00") == 25
    moment = dt.datetime(2026, 11, 27, tzinfo=dt.UTC)
    assert store.used(["promotion:shared"], at=moment) == {"promotion:shared": 25}
    store.close()
