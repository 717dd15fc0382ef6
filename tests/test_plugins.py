"""The plugin registry: names, errors, entry-point discovery and tagged unions in configs."""

from __future__ import annotations

import importlib
import logging
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from decimal import Decimal
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import attrs
import pytest

from shopkit import (
    ConfigError,
    Money,
    PluginError,
    Registry,
    ShopkitError,
    UnknownPluginError,
    from_dict,
    from_json,
    from_toml,
    register_kind,
    to_dict,
    to_json,
    to_toml,
)

# Registry basics


class Greeting:
    """The base of a small plugin group of this module's own."""

    def text(self) -> str:
        """The greeting."""
        raise NotImplementedError


class Hello(Greeting):
    def text(self) -> str:
        return "hello"


class Hi(Greeting):
    def text(self) -> str:
        return "hi"


class NotAGreeting:
    pass


@pytest.fixture
def greetings() -> Registry[Greeting]:
    registry = Registry("shopkit.tests.greetings", Greeting)
    registry.register("hi")(Hi)
    registry.register("hello")(Hello)
    return registry


def test_register_get_names_name_of(greetings: Registry[Greeting]) -> None:
    assert greetings.get("hello") is Hello
    assert greetings.get("hi")().text() == "hi"
    # Sorted, not in registration order (hi was registered first).
    assert greetings.names() == ("hello", "hi")
    assert greetings.name_of(Hello) == "hello"
    assert greetings.name_of(Hi) == "hi"
    assert greetings.group == "shopkit.tests.greetings"
    assert greetings.base is Greeting
    assert repr(greetings) == "Registry('shopkit.tests.greetings', Greeting)"


def test_register_returns_the_class_unchanged() -> None:
    registry = Registry("shopkit.tests.decorated", Greeting)

    @registry.register("howdy")
    class Howdy(Greeting):
        def text(self) -> str:
            return "howdy"

    assert Howdy().text() == "howdy"
    assert registry.get("howdy") is Howdy


def test_contains(greetings: Registry[Greeting]) -> None:
    assert "hello" in greetings
    assert "bonjour" not in greetings
    assert 5 not in greetings


def test_registering_the_same_class_again_is_harmless(greetings: Registry[Greeting]) -> None:
    greetings.register("hello")(Hello)
    assert greetings.names() == ("hello", "hi")


def test_duplicate_name_is_a_plugin_error(greetings: Registry[Greeting]) -> None:
    with pytest.raises(PluginError) as info:
        greetings.register("hello")(Hi)
    error = info.value
    assert error.field == "shopkit.tests.greetings.hello"
    assert error.value == "hello"
    assert "already taken by tests.test_plugins.Hello" in str(error)
    # Nothing changed: the name still means Hello, and Hi keeps its own name.
    assert greetings.get("hello") is Hello
    assert greetings.name_of(Hi) == "hi"


def test_non_subclass_is_a_plugin_error(greetings: Registry[Greeting]) -> None:
    with pytest.raises(PluginError) as info:
        greetings.register("nope")(NotAGreeting)  # type: ignore[arg-type]
    assert "is not a subclass of Greeting" in str(info.value)
    assert info.value.field == "shopkit.tests.greetings.nope"
    assert "nope" not in greetings.names()


@pytest.mark.parametrize("name", ["", "   ", 5])
def test_bad_type_name_is_a_plugin_error(greetings: Registry[Greeting], name: Any) -> None:
    with pytest.raises(PluginError) as info:
        greetings.register(name)
    assert info.value.field == "name"
    assert info.value.value == name


def test_unknown_name_lists_the_known_ones(greetings: Registry[Greeting]) -> None:
    with pytest.raises(UnknownPluginError) as info:
        greetings.get("bonjour")
    error = info.value
    assert isinstance(error, PluginError)
    assert isinstance(error, LookupError)
    assert isinstance(error, ShopkitError)
    assert error.known == ("hello", "hi")
    assert error.field == "type"
    assert error.value == "bonjour"
    assert error.code == "unknown_plugin"
    assert str(error) == (
        "type: 'bonjour' is not a known shopkit.tests.greetings type; known: hello, hi"
    )


def test_unknown_name_in_an_empty_registry() -> None:
    registry = Registry("shopkit.tests.empty", Greeting)
    with pytest.raises(UnknownPluginError) as info:
        registry.get("hello")
    assert info.value.known == ()
    assert str(info.value).endswith("known: none")


def test_name_of_an_unregistered_class(greetings: Registry[Greeting]) -> None:
    class Hey(Greeting):
        def text(self) -> str:
            return "hey"

    with pytest.raises(UnknownPluginError) as info:
        greetings.name_of(Hey)
    assert info.value.known == ("hello", "hi")
    assert "is not registered in shopkit.tests.greetings" in str(info.value)


# Discovery through a real installed distribution

GROUP = "shopkit.test_kinds"

BASE_MODULE = '''\
"""The base class of the shopkit.test_kinds group (written by tests/test_plugins.py)."""

import abc


class Kind(abc.ABC):
    @abc.abstractmethod
    def greet(self, name: str) -> str: ...
'''

PLUGIN_MODULE = '''\
"""A third-party plugin package (written by tests/test_plugins.py)."""

from shopkit_demo_base import Kind


class Greeting(Kind):
    def greet(self, name: str) -> str:
        return f"Hello, {name}!"


class Impostor:
    """Not a Kind."""
'''

METADATA = """\
Metadata-Version: 2.1
Name: shopkit-demo-plugin
Version: 0.1
Summary: A plugin distribution made up by the shopkit tests.
"""

ENTRY_POINTS = f"""\
[{GROUP}]
greeting = shopkit_demo_plugin:Greeting
broken = shopkit_demo_missing:Nothing
impostor = shopkit_demo_plugin:Impostor
"""

DEMO_MODULES = ("shopkit_demo_base", "shopkit_demo_plugin", "shopkit_demo_missing")


@pytest.fixture
def demo_distribution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[type[Any]]:
    """Install a plugin distribution into a fresh sys.path entry; yield its base class."""
    (tmp_path / "shopkit_demo_base.py").write_text(BASE_MODULE, encoding="utf-8")
    package = tmp_path / "shopkit_demo_plugin"
    package.mkdir()
    (package / "__init__.py").write_text(PLUGIN_MODULE, encoding="utf-8")
    dist_info = tmp_path / "shopkit_demo_plugin-0.1.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(METADATA, encoding="utf-8")
    (dist_info / "entry_points.txt").write_text(ENTRY_POINTS, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        yield importlib.import_module("shopkit_demo_base").Kind
    finally:
        for name in DEMO_MODULES:
            sys.modules.pop(name, None)


def test_the_distribution_is_installed(demo_distribution: type[Any]) -> None:
    # The stdlib itself sees the entry points, so the registry is tested against the real thing.
    found = {entry.name: entry.value for entry in entry_points(group=GROUP)}
    assert found == {
        "greeting": "shopkit_demo_plugin:Greeting",
        "broken": "shopkit_demo_missing:Nothing",
        "impostor": "shopkit_demo_plugin:Impostor",
    }


def test_plugin_is_found_by_name(demo_distribution: type[Any]) -> None:
    registry = Registry(GROUP, demo_distribution)
    cls = registry.get("greeting")
    assert cls.__module__ == "shopkit_demo_plugin"
    assert issubclass(cls, demo_distribution)
    assert cls().greet("Ada") == "Hello, Ada!"
    assert registry.name_of(cls) == "greeting"
    assert "greeting" in registry


def test_broken_plugins_are_logged_and_left_out(
    demo_distribution: type[Any], caplog: pytest.LogCaptureFixture
) -> None:
    registry = Registry(GROUP, demo_distribution)
    with caplog.at_level(logging.WARNING, logger="shopkit.plugins"):
        names = registry.names()
    assert names == ("greeting",)
    logged = {record.getMessage() for record in caplog.records if record.name == "shopkit.plugins"}
    assert len(logged) == 2
    broken = next(message for message in logged if "'broken'" in message)
    assert "shopkit_demo_missing:Nothing" in broken
    assert "No module named 'shopkit_demo_missing'" in broken
    impostor = next(message for message in logged if "'impostor'" in message)
    assert "is not a subclass of Kind" in impostor
    assert all(record.levelno == logging.WARNING for record in caplog.records)


def test_getting_a_broken_plugin_is_a_plugin_error(
    demo_distribution: type[Any], caplog: pytest.LogCaptureFixture
) -> None:
    registry = Registry(GROUP, demo_distribution)
    with (
        caplog.at_level(logging.WARNING, logger="shopkit.plugins"),
        pytest.raises(PluginError) as info,
    ):
        registry.get("broken")
    error = info.value
    # It is registered, so not "unknown": it failed, and the error says why.
    assert not isinstance(error, UnknownPluginError)
    assert error.field == "type"
    assert error.value == "broken"
    assert "failed to load" in str(error)
    assert "No module named 'shopkit_demo_missing'" in str(error)
    assert isinstance(error.__cause__, ModuleNotFoundError)
    # Asking again gives the same answer, and the good plugin still works.
    with pytest.raises(PluginError, match="failed to load"):
        registry.get("broken")
    assert "broken" not in registry
    assert registry.get("greeting")().greet("Bo") == "Hello, Bo!"


def test_getting_an_impostor_is_a_plugin_error(demo_distribution: type[Any]) -> None:
    registry = Registry(GROUP, demo_distribution)
    with pytest.raises(PluginError, match="is not a subclass of Kind"):
        registry.get("impostor")


def test_unknown_name_lists_only_the_plugins_that_load(demo_distribution: type[Any]) -> None:
    registry = Registry(GROUP, demo_distribution)
    with pytest.raises(UnknownPluginError) as info:
        registry.get("farewell")
    assert info.value.known == ("greeting",)
    assert str(info.value).endswith("known: greeting")


def test_a_registry_of_another_group_does_not_see_them(demo_distribution: type[Any]) -> None:
    assert Registry("shopkit.tests.other_kinds", demo_distribution).names() == ()


# Tagged unions in configs


class Benefit:
    """The base of this module's benefit kinds."""


BENEFITS: Registry[Benefit] = Registry("shopkit.tests.benefits", Benefit)
register_kind(BENEFITS)


@BENEFITS.register("percent_off")
@attrs.frozen
class PercentOff(Benefit):
    """A percentage off."""

    percent: Decimal


@BENEFITS.register("amount_off")
@attrs.frozen
class AmountOff(Benefit):
    """A fixed amount off."""

    amount: Money
    per_unit: bool = False


@attrs.frozen
class Promotion:
    """A config type with fields of the plugin base type."""

    name: str
    benefit: Benefit
    extras: tuple[Benefit, ...] = ()


PROMOTION = Promotion(
    "Summer",
    PercentOff(Decimal("12.5")),
    extras=(AmountOff(Money.of("5.00", "EUR"), per_unit=True),),
)


def test_kind_is_written_with_its_type() -> None:
    assert to_dict(PercentOff(Decimal("15"))) == {"type": "percent_off", "percent": "15"}
    assert to_dict(PROMOTION) == {
        "name": "Summer",
        "benefit": {"type": "percent_off", "percent": "12.5"},
        "extras": [
            {
                "type": "amount_off",
                "amount": {"amount": "5.00", "currency": "EUR"},
                "per_unit": True,
            }
        ],
    }


def test_tagged_union_json_round_trip() -> None:
    assert from_json(to_json(PROMOTION), Promotion) == PROMOTION
    assert from_json(to_json(PercentOff(Decimal("15"))), Benefit) == PercentOff(Decimal("15"))


def test_tagged_union_toml_round_trip() -> None:
    assert from_toml(to_toml(PROMOTION), Promotion) == PROMOTION


def test_tagged_union_read_from_hand_written_json() -> None:
    text = '{"name": "Spring", "benefit": {"type": "percent_off", "percent": 7.5}}'
    promotion = from_json(text, Promotion)
    # 7.5 is a JSON number read as Decimal("7.5"), not a float.
    assert promotion.benefit == PercentOff(Decimal("7.5"))
    assert promotion.extras == ()


def test_missing_type_key() -> None:
    with pytest.raises(ConfigError) as info:
        from_dict({"name": "x", "benefit": {"percent": "10"}}, Promotion)
    assert info.value.errors == (
        "benefit.type: the 'type' key is missing; known types: amount_off, percent_off",
    )
    assert info.value.field == "benefit.type"


def test_unknown_type_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError) as info:
        from_dict(
            {"name": "x", "extras": [{"type": "bogus"}], "benefit": {"type": "bogus"}}, Promotion
        )
    message = "'bogus' is not a known shopkit.tests.benefits type; known: amount_off, percent_off"
    assert info.value.errors == (f"benefit.type: {message}", f"extras[0].type: {message}")


def test_unknown_type_at_the_top() -> None:
    with pytest.raises(ConfigError) as info:
        from_json('{"type": "bogus"}', Benefit)
    assert info.value.field == "type"
    assert info.value.message == (
        "'bogus' is not a known shopkit.tests.benefits type; known: amount_off, percent_off"
    )


def test_fields_of_a_kind_are_checked_too() -> None:
    with pytest.raises(ConfigError) as info:
        from_dict(
            {"name": "x", "benefit": {"type": "amount_off", "amount": "5 EUR", "colour": "red"}},
            Promotion,
        )
    assert info.value.errors == ("benefit: unknown keys ['colour']",)


@pytest.mark.parametrize(
    "name", [["percent_off"], {"name": "percent_off"}, 5, None], ids=["list", "dict", "int", "null"]
)
def test_a_type_that_is_not_a_string_is_a_config_error(name: object) -> None:
    # An unhashable type name must not escape as a bare TypeError from the registry lookup.
    with pytest.raises(ConfigError) as info:
        from_dict({"type": name, "percent": "10"}, Benefit)
    assert info.value.field == "type"


def test_builtin_kinds_are_known_without_installed_metadata() -> None:
    # A source checkout that was never installed has no entry points at all; simulate it by
    # making importlib.metadata find none before shopkit is imported, in a fresh interpreter.
    script = textwrap.dedent(
        """
        import importlib.metadata as metadata
        metadata.entry_points = lambda **_: metadata.EntryPoints(())
        from shopkit.pricing.plugin import benefits, conditions, selectors
        from shopkit.recommend.plugin import recommenders
        for registry in (selectors, conditions, benefits, recommenders):
            print(registry.group, len(registry.names()))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    counts = dict(line.split() for line in done.stdout.splitlines())
    # 10 selectors, 14 conditions, 11 benefits, 11 recommenders (docs/concepts/plugins.md)
    assert counts == {
        "shopkit.selectors": "10",
        "shopkit.conditions": "14",
        "shopkit.benefits": "11",
        "shopkit.recommenders": "11",
    }
