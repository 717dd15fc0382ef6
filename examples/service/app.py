"""A small pricing and checkout service on Starlette, built on shopkit's public API only.

Endpoints:

- ``POST /price``: a ``PriceRequest`` body ``{"cart": …, "customer": …, "codes": […],
  "at": …, "payment_method": …}`` (all but the cart optional); answers the priced cart in its
  stable JSON form (``priced_cart_json``).
- ``POST /checkout``: the same body with an ``order_id``; prices the cart, reserves its
  promotions' and codes' uses in the redemption store and commits them (a real shop commits
  after the payment succeeds). Retrying with the same order id answers the same reservation.
- ``GET /schema/{type}``: the JSON Schema of ``cart``, ``customer``, ``price`` (the request),
  ``priced`` (the answer of ``POST /price``) or ``checkout``.

Every shopkit error is answered with its own HTTP status (``error.http_status``: 422 for a bad
value, 404 for an unknown schema type, 409 when a limit ran out, 503 when the store is
unavailable) and its structured problems (``error.to_json_dict()``).

Run it with ``uvicorn --factory --app-dir examples/service app:demo_app``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import attrs
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from shopkit import Cart, Customer, ShopkitError, ValidationError, from_json, json_schema
from shopkit.errors import NotFoundError
from shopkit.pricing import (
    CodeBook,
    InMemoryRedemptionStore,
    Percentage,
    PricedCartJSON,
    PriceRequest,
    PromoCode,
    Promotion,
    RedemptionStore,
    priced_cart_json,
    reserve_checkout,
)

MAX_BODY = 1_000_000  # bytes; a larger body is refused before it is read as JSON


def _order_id(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"{value!r} is not an order id", field=attribute.name, value=value)


@attrs.frozen
class CheckoutRequest(PriceRequest):
    """What ``POST /checkout`` takes: a pricing request and the order's id."""

    order_id: str = attrs.field(kw_only=True, validator=_order_id)


SCHEMAS: dict[str, type] = {
    "cart": Cart,
    "customer": Customer,
    "price": PriceRequest,
    "priced": PricedCartJSON,
    "checkout": CheckoutRequest,
}


def _error(error: ShopkitError) -> JSONResponse:
    return JSONResponse(error.to_json_dict(), status_code=error.http_status)


async def _body(request: Request, kind: type[Any]) -> Any:
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise ShopkitError(
            f"the body is larger than {MAX_BODY:,} bytes", field="(body)", value=len(raw)
        )
    return from_json(raw, kind)


def create_app(
    promotions: Sequence[Promotion],
    store: RedemptionStore,
    *,
    codes: CodeBook | None = None,
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
) -> Starlette:
    """The service over ``promotions``, counting their limits in ``store``.

    The answers to checkouts are kept by order id, as a shop keeps its orders in its own
    database: a retried checkout gets the same reservation from ``reserve_checkout`` and the
    same total from here, even though pricing the cart again would now find the code used up.
    """
    orders: dict[str, dict[str, Any]] = {}

    async def price_endpoint(request: Request) -> Response:
        try:
            body = await _body(request, PriceRequest)
            priced = body.price(promotions, now=clock(), codes=codes, store=store)
        except ShopkitError as error:
            return _error(error)
        return JSONResponse(priced_cart_json(priced))

    async def checkout_endpoint(request: Request) -> Response:
        try:
            body = await _body(request, CheckoutRequest)
            at = body.moment(clock())
            priced = body.price(promotions, now=at, codes=codes, store=store)
            held = reserve_checkout(
                priced,
                promotions,
                store,
                order_id=body.order_id,
                at=at,
                customer=body.customer,
                codes=codes,
            )
            store.commit(body.order_id, at=at)  # here the payment would be taken first
        except ShopkitError as error:
            return _error(error)
        answer = {
            "order_id": held.order_id,
            "currency": priced.currency,
            "total": str(priced.total.amount),  # as in the JSON form of a priced cart
            "claims": [claim.key for claim in held.claims],
            "expires_at": held.expires_at.isoformat(),
        }
        earlier = orders.setdefault(held.order_id, answer)
        if earlier["claims"] == answer["claims"]:
            answer = earlier  # a retry: the total the order was placed with
        else:
            orders[held.order_id] = answer
        return JSONResponse(answer)

    async def schema_endpoint(request: Request) -> Response:
        name = request.path_params["type"]
        if name not in SCHEMAS:
            return _error(NotFoundError(f"no schema named {name!r}", field="type", value=name))
        return JSONResponse(json_schema(SCHEMAS[name]))

    return Starlette(
        routes=[
            Route("/price", price_endpoint, methods=["POST"]),
            Route("/checkout", checkout_endpoint, methods=["POST"]),
            Route("/schema/{type}", schema_endpoint, methods=["GET"]),
        ]
    )


def demo_app() -> Starlette:
    """The service with one promotion: 10 % with the single-use code WELCOME-7K2M."""
    welcome = Promotion("welcome", "10% welcome", Percentage(10), issued_codes=True)
    return create_app(
        [welcome],
        InMemoryRedemptionStore(),
        codes=CodeBook([PromoCode("WELCOME-7K2M", "welcome")]),
    )


@contextlib.contextmanager
def running(app: Starlette) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free local port in a thread; yield its base URL."""
    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="error", lifespan="off", ws="none"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the service did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
