"""The plugin registry: every kind of selector, condition, benefit or recommender by name.

shopkit's own kinds and third-party ones are found by one mechanism: a name bound to a
``module:Class`` reference, loaded the first time the name is asked for. shopkit's built-in
kinds are listed in code (``builtins=``), so a source checkout that was never installed knows
them; third-party kinds are entry points in a group (``shopkit.selectors``,
``shopkit.conditions``, ``shopkit.benefits``, ``shopkit.recommenders``, …) of an installed
distribution's metadata, read the first time the registry is asked for a name. An application
may also ``Registry.register`` a class at run time.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from importlib.metadata import EntryPoint, entry_points
from typing import Generic, TypeVar

from shopkit.errors import PluginError, UnknownPluginError

__all__ = ["Registry"]

T = TypeVar("T")

logger = logging.getLogger("shopkit.plugins")


class Registry(Generic[T]):
    """The kinds registered under one entry-point group, each a subclass of one base class.

    Args:
        group: The entry-point group, e.g. ``"shopkit.conditions"``.
        base: The class every kind in the group must subclass.
        builtins: Kinds known without any installed metadata, as ``name -> "module:Class"``;
            each is imported only when first asked for, like an entry point. An entry point
            of the same name cannot replace a built-in kind (it is logged and ignored).

    Examples:
        >>> import abc
        >>> from shopkit import Registry
        >>> class Greeting(abc.ABC):
        ...     @abc.abstractmethod
        ...     def text(self) -> str: ...
        >>> greetings = Registry("example.greetings", Greeting)
        >>> @greetings.register("hello")
        ... class Hello(Greeting):
        ...     def text(self) -> str:
        ...         return "hello"
        >>> greetings.get("hello")().text(), greetings.names()
        ('hello', ('hello',))
        >>> greetings.name_of(Hello)
        'hello'
    """

    def __init__(
        self, group: str, base: type[T], *, builtins: Mapping[str, str] | None = None
    ) -> None:
        self.group = group
        self.base = base
        self._builtins = {
            name: EntryPoint(name, value, group) for name, value in (builtins or {}).items()
        }
        self._classes: dict[str, type[T]] = {}
        self._names: dict[type, str] = {}
        self._pending: dict[str, EntryPoint] = {}
        self._broken: dict[str, BaseException] = {}
        self._scanned = False
        self._lock = threading.RLock()

    def _scan(self) -> None:
        with self._lock:
            if self._scanned:
                return
            for name, own in self._builtins.items():
                if name not in self._classes:
                    self._pending.setdefault(name, own)
            for entry_point in entry_points(group=self.group):
                builtin = self._builtins.get(entry_point.name)
                if builtin is not None:
                    if entry_point.value != builtin.value:
                        logger.warning(
                            "shopkit: plugin %r in group %r (%s) is ignored: the name belongs"
                            " to a built-in kind (%s)",
                            entry_point.name,
                            self.group,
                            entry_point.value,
                            builtin.value,
                        )
                    continue
                if entry_point.name not in self._classes:
                    self._pending.setdefault(entry_point.name, entry_point)
            self._scanned = True

    def _load(self, name: str) -> type[T] | None:
        entry_point = self._pending.pop(name, None)
        if entry_point is None:
            return None
        try:
            loaded = entry_point.load()
            self._add(name, loaded)
        except Exception as error:  # a broken plugin must not break the others
            logger.warning(
                "shopkit: plugin %r in group %r (%s) failed to load: %s",
                name,
                self.group,
                entry_point.value,
                error,
            )
            self._broken[name] = error
            return None
        return self._classes[name]

    def _add(self, name: str, cls: object) -> None:
        if not isinstance(cls, type) or not issubclass(cls, self.base):
            raise PluginError(
                f"{cls!r} is not a subclass of {self.base.__name__}",
                field=f"{self.group}.{name}",
                value=cls,
            )
        existing = self._classes.get(name)
        if existing is not None and existing is not cls:
            raise PluginError(
                f"type name {name!r} is already taken by {existing.__module__}."
                f"{existing.__qualname__}",
                field=f"{self.group}.{name}",
                value=name,
            )
        self._classes[name] = cls
        self._names[cls] = name

    def register(self, name: str) -> Callable[[type[T]], type[T]]:
        """Register a class under ``name`` (a class decorator).

        For a class defined in an application; a distributed plugin declares an entry point
        instead, so that it is found without being imported first.

        Args:
            name: The type name configs use (``{"type": name, ...}``).

        Returns:
            A decorator that registers the class and returns it unchanged.

        Raises:
            PluginError: the name is taken by another class, or the class is not a subclass of
                the registry's base.
        """
        if not isinstance(name, str) or not name.strip():
            raise PluginError(f"{name!r} is not a type name", field="name", value=name)

        def decorate(cls: type[T]) -> type[T]:
            with self._lock:
                self._scan()
                self._pending.pop(name, None)
                self._add(name, cls)
            return cls

        return decorate

    def get(self, name: str) -> type[T]:
        """Return the class registered under ``name``.

        Raises:
            UnknownPluginError: nothing is registered under ``name``; the error lists the
                known names.
            PluginError: a plugin is registered under ``name`` but failed to load.
        """
        if not isinstance(name, str):
            raise UnknownPluginError(
                f"{name!r} is not a type name; known: {', '.join(self.names()) or 'none'}",
                field="type",
                value=name,
                known=self.names(),
            )
        with self._lock:
            self._scan()
            if name in self._classes:
                return self._classes[name]
            loaded = self._load(name)
            if loaded is not None:
                return loaded
            if name in self._broken:
                raise PluginError(
                    f"plugin {name!r} of {self.group} failed to load: {self._broken[name]}",
                    field="type",
                    value=name,
                ) from self._broken[name]
            known = self.names()
            raise UnknownPluginError(
                f"{name!r} is not a known {self.group} type; known: {', '.join(known) or 'none'}",
                field="type",
                value=name,
                known=known,
            )

    def names(self) -> tuple[str, ...]:
        """Return every registered type name, sorted, loading the plugins not yet loaded.

        A plugin that fails to load is logged and left out.
        """
        with self._lock:
            self._scan()
            for name in list(self._pending):
                self._load(name)
            return tuple(sorted(self._classes))

    def name_of(self, cls: type) -> str:
        """Return the type name ``cls`` is registered under.

        Raises:
            UnknownPluginError: ``cls`` is not registered here.
        """
        with self._lock:
            if cls not in self._names:
                self.names()
            try:
                return self._names[cls]
            except KeyError:
                raise UnknownPluginError(
                    f"{cls.__qualname__} is not registered in {self.group}",
                    field="type",
                    value=cls.__qualname__,
                    known=tuple(sorted(self._classes)),
                ) from None

    def __contains__(self, name: object) -> bool:
        try:
            self.get(name)  # type: ignore[arg-type]
        except PluginError:
            return False
        return True

    def __repr__(self) -> str:
        return f"Registry({self.group!r}, {self.base.__name__})"
