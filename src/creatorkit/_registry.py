"""A small thread-safe name → object registry shared by metrics, normalizers, weights and rules."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar, overload

from creatorkit._validation import did_you_mean, fail
from creatorkit.errors import ErrorCode

T = TypeVar("T")


class Registry(Generic[T]):
    """Thread-safe mapping of names to objects of one kind.

    Registering a name twice raises unless ``replace=True``; looking up an unknown name
    raises :class:`~creatorkit.errors.ValidationError` with a did-you-mean hint. Reads
    take a snapshot, so a lookup never sees a half-finished registration.

    Args:
        kind: What the registry holds, used in messages (``"metric"``, ``"rule"``).

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

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._items: dict[str, T] = {}
        self._lock = threading.Lock()

    def register(self, name: str, obj: T, *, replace: bool = False) -> T:
        """Add ``obj`` under ``name`` and return it.

        Args:
            name: Registry key; a non-empty string.
            obj: The object to register.
            replace: Overwrite an existing entry instead of raising.

        Returns:
            ``obj`` unchanged, so that ``register`` can end a decorator.

        Raises:
            ValidationError: ``name`` is empty or already registered and not ``replace``.
        """
        if not isinstance(name, str) or not name:
            fail(self.kind, "name must be a non-empty string", ErrorCode.WRONG_TYPE, value=name)
        with self._lock:
            if name in self._items and not replace:
                rule = f"{name!r} is already a registered {self.kind}; pass replace=True"
                fail(self.kind, rule, ErrorCode.DUPLICATE_NAME, value=name)
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
        """Remove ``name`` (raises for unknown names)."""
        self.get(name)
        with self._lock:
            self._items = {k: v for k, v in self._items.items() if k != name}

    def get(self, name: str) -> T:
        """Return the object registered under ``name``.

        Raises:
            ValidationError: ``name`` is not registered (the message suggests a close name).
        """
        items = self._items
        if not isinstance(name, str) or name not in items:
            rule = f"{name!r} is not a registered {self.kind}.{did_you_mean(str(name), items)}"
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
