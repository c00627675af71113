"""The one registry type: a thread-safe, freezable name → object mapping.

Metrics (``creatorkit.metrics.registry``) and, as they arrive, normalizers, weight
methods, aggregators, rules and ingest sources each live in a :class:`Registry`. Plugins
published by other packages are found through entry points, only when
:meth:`Registry.load_entry_points` is called — never on import.

Example:
    >>> from creatorkit.registry import Registry
    >>> units: Registry[float] = Registry("unit")
    >>> units.register("dozen", 12.0)
    12.0
    >>> units.freeze()
    >>> units.register("gross", 144.0)
    Traceback (most recent call last):
    ...
    creatorkit.errors.ValidationError: unit: 1 problem
      - the unit registry is frozen; nothing can be registered or removed ...
"""

from __future__ import annotations

import importlib.metadata
import threading
from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar, overload

from creatorkit._validation import did_you_mean, fail
from creatorkit.errors import ErrorCode, PluginError

T = TypeVar("T")
_LISTED = 30  # a registry of at most this many names lists them when none is close


class Registry(Generic[T]):
    """Thread-safe mapping of names to objects of one kind.

    Registering a name twice raises unless ``replace=True``; looking up an unknown name
    raises :class:`~creatorkit.errors.ValidationError` with a did-you-mean hint. A
    registration (check, validation, insertion) happens under one lock, so two threads
    registering one name never both succeed; reads take a snapshot, so a lookup never sees
    a half-finished registration. :meth:`freeze` makes the registry read-only.

    Args:
        kind: What the registry holds, used in messages (``"metric"``, ``"rule"``).
        check: Called as ``check(name, obj)`` before an object is added; raises to refuse
            it (the metric registry checks that the object is a ``Metric`` of that name).

    Example:
        >>> reg: Registry[int] = Registry("number")
        >>> reg.register("one", 1)
        1
        >>> reg.get("one")
        1
        >>> reg.get("onee")
        Traceback (most recent call last):
        ...
        creatorkit.errors.ValidationError: number: 1 problem
          - 'onee' is not a registered number. Did you mean 'one'? [unknown_name]; got 'onee'
    """

    def __init__(self, kind: str, *, check: Callable[[str, Any], None] | None = None) -> None:
        if not isinstance(kind, str) or not kind:
            fail("kind", "must be a non-empty string", ErrorCode.WRONG_TYPE, value=kind)
        if check is not None and not callable(check):
            fail("check", "must be a function (name, obj) or None", ErrorCode.WRONG_TYPE)
        self.kind = kind
        self._check = check
        self._items: dict[str, T] = {}
        self._lock = threading.RLock()
        self._frozen = False

    @property
    def frozen(self) -> bool:
        """Whether :meth:`freeze` was called."""
        return self._frozen

    def freeze(self) -> None:
        """Refuse every later registration and removal (lookups keep working)."""
        with self._lock:
            self._frozen = True

    def _refuse_if_frozen(self, name: object) -> None:
        if self._frozen:
            rule = f"the {self.kind} registry is frozen; nothing can be registered or removed"
            fail(self.kind, rule, ErrorCode.INVALID_VALUE, value=name)

    def register(self, name: str, obj: T, *, replace: bool = False) -> T:
        """Add ``obj`` under ``name`` and return it.

        Args:
            name: Registry key; a non-empty string.
            obj: The object to register.
            replace: Overwrite an existing entry instead of raising.

        Returns:
            ``obj`` unchanged, so that ``register`` can end a decorator.

        Raises:
            ValidationError: ``name`` is empty or already registered and not ``replace``,
                the registry is frozen, or ``check`` refuses the object.
        """
        if not isinstance(name, str) or not name:
            fail(self.kind, "name must be a non-empty string", ErrorCode.WRONG_TYPE, value=name)
        with self._lock:
            self._refuse_if_frozen(name)
            if name in self._items and not replace:
                rule = f"{name!r} is already a registered {self.kind}; pass replace=True"
                fail(self.kind, rule, ErrorCode.DUPLICATE_NAME, value=name)
            if self._check is not None:
                self._check(name, obj)
            self._items = {**self._items, name: obj}
        return obj

    @overload
    def decorator(self, name: str) -> Callable[[T], T]: ...

    @overload
    def decorator(self, name: str, *, replace: bool) -> Callable[[T], T]: ...

    def decorator(self, name: str, *, replace: bool = False) -> Callable[[T], T]:
        """Return a decorator that registers the decorated object under ``name``."""

        def wrap(obj: T) -> T:
            return self.register(name, obj, replace=replace)

        return wrap

    def unregister(self, name: str) -> None:
        """Remove ``name`` (raises for unknown names and when frozen)."""
        with self._lock:
            self._refuse_if_frozen(name)
            self.get(name)
            self._items = {k: v for k, v in self._items.items() if k != name}

    def load_entry_points(self, group: str, *, replace: bool = False) -> tuple[str, ...]:
        """Register the objects that installed packages publish under entry-point ``group``.

        Each entry point's name is the registry name; its object is registered as it is
        (``check`` applies). Nothing is discovered unless this is called.

        Args:
            group: Entry-point group, e.g. ``"creatorkit.metrics"``.
            replace: Let a plugin replace an existing entry of the same name.

        Returns:
            The names registered, in entry-point order.

        Raises:
            ValidationError: An entry point cannot be loaded, or its object is refused.

        Example:
            >>> Registry("widget").load_entry_points("creatorkit.no_such_group")
            ()
        """
        if not isinstance(group, str) or not group:
            fail("group", "must be a non-empty entry-point group name", ErrorCode.WRONG_TYPE)
        self._refuse_if_frozen(group)
        found = importlib.metadata.entry_points(group=group)
        loaded = []
        for point in sorted(found, key=lambda p: p.name):
            try:
                obj = point.load()
            except (ImportError, AttributeError, SyntaxError) as exc:  # a broken plugin
                raise PluginError(
                    f"entry point {point.name!r} ({point.value}) of {group!r} failed to load: "
                    f"{type(exc).__name__}: {exc}"
                ) from exc
            loaded.append((point.name, obj))
        with self._lock:  # all or nothing
            self._refuse_if_frozen(group)
            items = dict(self._items)
            for name, obj in loaded:
                if name in items and not replace:
                    rule = f"entry point {name!r} of {group!r} is already a registered {self.kind}"
                    fail(self.kind, rule, ErrorCode.DUPLICATE_NAME, value=name)
                if self._check is not None:
                    self._check(name, obj)
                items[name] = obj
            self._items = items
        return tuple(name for name, _ in loaded)

    def get(self, name: str) -> T:
        """Return the object registered under ``name``.

        Raises:
            ValidationError: ``name`` is not registered (the message suggests a close name).
        """
        items = self._items
        if not isinstance(name, str) or name not in items:
            hint = did_you_mean(str(name), items)
            if not hint and 0 < len(items) <= _LISTED:
                hint = f" Registered: {', '.join(items)}."
            rule = f"{name!r} is not a registered {self.kind}.{hint}"
            fail(self.kind, rule, ErrorCode.UNKNOWN_NAME, value=name)
        return items[name]

    def names(self) -> tuple[str, ...]:
        """Registered names in registration order."""
        return tuple(self._items)

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(tuple(self._items))

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"Registry({self.kind!r}, {len(self)} entries)"
