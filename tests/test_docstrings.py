"""Every public function, class and method carries a runnable doctest example (Google style).

Public means: a function or a class in the ``__all__`` of a public module (no ``_`` in its
dotted path below ``creatorkit``), or a public method, classmethod, staticmethod or property
defined in the body of a class in such an ``__all__``. An example is a ``>>>`` line in the
docstring (a class's own docstring: one inherited from a base does not count);
``pytest --doctest-modules`` runs them.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

import creatorkit

# Public names allowed to lack an example while their file is being written: none now.
PENDING: frozenset[str] = frozenset()

# Properties that merely return a stored field may be exempt when listed here, each with
# the reason. Empty: every such property got a one-line example instead.
STORED_FIELDS: frozenset[str] = frozenset()


def _has_example(obj: object) -> bool:
    return ">>>" in (inspect.getdoc(obj) or "")


def _class_has_example(cls: type) -> bool:
    """Whether the class's own docstring has one (``inspect.getdoc`` would inherit a base's)."""
    return ">>>" in (vars(cls).get("__doc__") or "")


def missing_examples(package: ModuleType) -> list[str]:
    """Dotted names of the public functions, classes and methods of ``package`` lacking one."""
    missing: list[str] = []
    seen: set[int] = set()
    prefix = package.__name__ + "."
    for info in pkgutil.walk_packages(package.__path__, prefix):
        if any(part.startswith("_") for part in info.name[len(prefix) :].split(".")):
            continue
        module = importlib.import_module(info.name)
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            if inspect.isfunction(obj) and not _has_example(obj):
                missing.append(f"{info.name}.{name}")
            elif inspect.isclass(obj):
                if not _class_has_example(obj):
                    missing.append(f"{info.name}.{name}")
                for key, value in vars(obj).items():
                    func = value.fget if isinstance(value, property) else value
                    public = not key.startswith("_")
                    callable_ = inspect.isfunction(func) or isinstance(
                        value, classmethod | staticmethod
                    )
                    if public and callable_ and not _has_example(getattr(obj, key)):
                        missing.append(f"{info.name}.{name}.{key}")
    return missing


@pytest.fixture(scope="module")
def missing() -> list[str]:
    return missing_examples(creatorkit)


def test_every_public_callable_has_an_example(missing: list[str]) -> None:
    lacking = [name for name in missing if name not in PENDING | STORED_FIELDS]
    assert not lacking, (
        "public functions/classes/methods without a runnable example (add an 'Example:' "
        "section with >>> lines to the docstring):\n  " + "\n  ".join(lacking)
    )


def test_allowlists_are_not_stale(missing: list[str]) -> None:
    stale = sorted((PENDING | STORED_FIELDS) - set(missing))
    assert not stale, (
        "these have an example now (or no longer exist): remove them from PENDING / "
        "STORED_FIELDS in tests/test_docstrings.py:\n  " + "\n  ".join(stale)
    )


def test_allowlists_are_disjoint() -> None:
    assert not PENDING & STORED_FIELDS


_FAKE = '''
"""A module of the fake package."""

__all__ = ["documented", "bare", "words_only", "Thing", "bare", "Bare", "Heir"]


def documented():
    """Has one.

    Example:
        >>> documented()
    """


def bare():
    """Has none."""


def words_only():
    """Example: mentions the word but runs nothing."""


def _private():
    """Not public."""


class Thing:
    """A class whose docstring examples do not cover its methods.

    >>> Thing()
    """

    def method(self):
        """None here."""

    def shown(self):
        """>>> Thing().shown()"""

    @property
    def prop(self):
        """A property without one."""

    @classmethod
    def make(cls):
        """A classmethod without one."""

    @staticmethod
    def helper():
        """A staticmethod without one."""

    def _hidden(self):
        """Private."""

    size = 3


class Bare:
    """A class without an example of its own."""


class Heir(Thing):
    pass
'''


def test_the_check_finds_what_lacks_an_example(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "fakepkg_docex"
    (root / "_private").mkdir(parents=True)
    (root / "__init__.py").write_text('"""Fake."""\n')
    (root / "mod.py").write_text(textwrap.dedent(_FAKE))
    (root / "_private" / "__init__.py").write_text('__all__ = ["f"]\n\ndef f():\n    """No."""\n')
    (root / "_hidden.py").write_text('__all__ = ["g"]\n\ndef g():\n    """No."""\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        package = importlib.import_module("fakepkg_docex")
        assert missing_examples(package) == [
            "fakepkg_docex.mod.bare",
            "fakepkg_docex.mod.words_only",
            "fakepkg_docex.mod.Thing.method",
            "fakepkg_docex.mod.Thing.prop",
            "fakepkg_docex.mod.Thing.make",
            "fakepkg_docex.mod.Thing.helper",
            "fakepkg_docex.mod.Bare",
            "fakepkg_docex.mod.Heir",
        ]
    finally:
        for name in [n for n in sys.modules if n.split(".")[0] == "fakepkg_docex"]:
            del sys.modules[name]
