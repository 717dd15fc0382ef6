"""The one interface: config through the converter, plugins, fitting, saving and loading."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shopkit import (
    Catalogue,
    ConfigError,
    Customer,
    NotFittedError,
    UnknownPluginError,
    ValidationError,
    from_json,
    json_schema,
    sample_catalogue,
    to_json,
)
from shopkit.recommend import (
    Blend,
    CrossSell,
    CrossSellRule,
    Fallback,
    Filters,
    FrequentlyBoughtTogether,
    Interactions,
    Placements,
    Popular,
    Recommender,
    Request,
    Upsell,
    load_model,
    save_model,
)
from shopkit.recommend.plugin import recommenders


def test_every_built_in_strategy_is_a_registered_plugin() -> None:
    assert set(recommenders.names()) >= {
        "blend",
        "cross_sell",
        "fallback",
        "frequently_bought_together",
        "placements",
        "popular",
        "purchase_history",
        "upsell",
        "viewed_items",
    }
    assert recommenders.get("popular") is Popular


def test_a_strategy_config_is_its_fields_and_survives_json() -> None:
    chain = Placements(
        routes={
            "checkout": CrossSell(rules=[CrossSellRule(category="Kitchen", add_ons=["22699"])]),
            "product": Upsell(),
        },
        default=Fallback(
            strategies=[
                Blend(strategies=[FrequentlyBoughtTogether(measure="lift"), Popular()]),
                Popular(by="region"),
            ]
        ),
    )
    text = to_json(chain)
    data = json.loads(text)
    assert data["type"] == "placements"
    assert data["routes"]["product"] == {"type": "upsell"}
    assert data["default"]["strategies"][0]["strategies"][0] == {
        "type": "frequently_bought_together",
        "measure": "lift",
    }
    assert from_json(text, Recommender) == chain


def test_an_unknown_strategy_type_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError, match=r"'magic' is not a known shopkit\.recommenders type"):
        from_json('{"type": "magic"}', Recommender)
    with pytest.raises(UnknownPluginError):
        recommenders.get("magic")


def test_a_bad_parameter_in_a_config_names_its_path() -> None:
    with pytest.raises(ConfigError) as caught:
        from_json(
            '{"type": "blend", "strategies": [{"type": "popular", "by": "city"}]}', Recommender
        )
    assert caught.value.field == "strategies[0].by"
    with pytest.raises(ConfigError) as caught:
        from_json('{"type": "popular", "colour": "red"}', Recommender)
    assert "unknown keys ['colour']" in str(caught.value)


def test_the_json_schema_of_strategies() -> None:
    schema = json_schema(Recommender)
    kinds = {
        choice["properties"]["type"]["const"] for choice in schema["$defs"]["Recommender"]["oneOf"]
    }
    assert kinds == set(recommenders.names())


def test_using_a_model_before_fit_is_an_error() -> None:
    with pytest.raises(NotFittedError, match="this Popular is not fitted yet") as caught:
        Popular().recommend(Request())
    assert isinstance(caught.value, AttributeError)
    with pytest.raises(NotFittedError):
        save_model(Popular(), "never.npz")
    assert not Popular().is_fitted


def test_bad_requests_and_inputs_are_named(four_orders: Interactions) -> None:
    model = Popular().fit(four_orders)
    with pytest.raises(ValidationError) as caught:
        model.recommend(["A"])  # type: ignore[arg-type]
    assert caught.value.field == "request"
    with pytest.raises(ValidationError) as caught:
        Request(k=0)
    assert caught.value.field == "k"
    with pytest.raises(ValidationError) as caught:
        Request(cart="A")
    assert caught.value.field == "cart"
    with pytest.raises(ValidationError) as caught:
        Filters(max_price_ratio="-1")
    assert caught.value.field == "max_price_ratio"
    with pytest.raises(ValidationError) as caught:
        Popular().fit([1, 2])  # type: ignore[arg-type]
    assert caught.value.field == "interactions"
    with pytest.raises(ValidationError) as caught:
        Popular().fit(four_orders, catalogue=[])  # type: ignore[arg-type]
    assert caught.value.field == "catalogue"
    with pytest.raises(ValidationError, match="sku '22423' appears twice"):
        Catalogue([*sample_catalogue(), sample_catalogue()[2]])


def test_a_request_from_json(four_orders: Interactions) -> None:
    request = from_json(
        '{"cart": ["A"], "k": 2, "customer": {"id": "ann"},'
        ' "filters": {"exclude_bought": true, "max_price_ratio": "0.5"}}',
        Request,
    )
    assert request.filters.max_price_ratio is not None
    assert request.customer == Customer("ann")
    assert from_json(to_json(request), Request) == request


def test_filters_are_applied_before_the_cut(four_orders: Interactions) -> None:
    model = Popular().fit(four_orders)  # A 3, B 3, C 2, D 1
    # without filters the top 2 would be A and B; both are filtered, and C and D fill the list
    got = model.recommend(Request(k=2, filters=Filters(excluded_skus=["A", "B"])))
    assert [r.sku for r in got] == ["C", "D"]
    # ann bought A, B, C and D: nothing left
    bought = Request(customer=Customer("ann"), filters=Filters(exclude_bought=True))
    assert model.recommend(bought) == []


def test_stock_category_and_price_filters() -> None:
    catalogue = Catalogue(sample_catalogue())
    data = Interactions((), [], [], [], [])
    model = Popular().fit(data, catalogue=catalogue)
    assert model.recommend(Request()) == []  # nothing sold: popularity has no candidates
    upsell = Upsell(max_step="3").fit(data, catalogue=catalogue)
    cart = Request(cart=["22423"], k=60)  # Regency Cakestand, 12.75, Kitchen
    everything = upsell.recommend(cart)
    cheap = upsell.recommend(Request(cart=["22423"], k=60, filters=Filters(max_price_ratio="1.5")))
    # the cake stand is 12.75: at most 1.5 × 12.75 = 19.125 passes
    assert all(catalogue.get(r.sku).unit_price.minor * 1000 <= 1275 * 1500 for r in cheap)  # type: ignore[union-attr]
    assert len(cheap) <= len(everything)


def test_save_and_load_round_trip(tmp_path: Path, four_orders: Interactions) -> None:
    catalogue = Catalogue(sample_catalogue())
    model = Fallback(strategies=[FrequentlyBoughtTogether(), Popular(by="region")])
    model.fit(four_orders, catalogue=catalogue)
    path = tmp_path / "model.npz"
    save_model(model, path)
    loaded = load_model(path)
    assert loaded == model  # the same parameters
    for request in (Request(cart=["A"]), Request(customer=Customer("ann", region="FR"))):
        assert loaded.recommend(request) == model.recommend(request)
    assert loaded.catalogue_ == catalogue


def test_load_refuses_what_is_not_a_model(tmp_path: Path) -> None:
    path = tmp_path / "junk.npz"
    path.write_bytes(b"not a zip")
    with pytest.raises(ConfigError, match="cannot read a saved model") as caught:
        load_model(path)
    assert caught.value.field == "path"
    with pytest.raises(ConfigError):
        load_model(tmp_path / "missing.npz")
