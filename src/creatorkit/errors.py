"""Errors and warnings raised by creatorkit.

Every problem with user input raises :class:`ValidationError`, which is also a
:class:`ValueError` so that generic ``except ValueError`` code keeps working. It
lists *every* problem found, not only the first, in :attr:`ValidationError.failure_cases`
and serializes to a stable JSON shape with :meth:`ValidationError.to_dict`, so that a
service can answer HTTP 422 with the whole list.

Warnings are named classes so that callers can filter them precisely; results also
carry their data-quality notes as data (``result.warnings``), so nothing depends on
Python's warning machinery.

Example:
    >>> from creatorkit.errors import ValidationError
    >>> try:
    ...     raise ValidationError("alpha: must be in (0, 1), got 2", argument="alpha")
    ... except ValueError as exc:
    ...     print(exc.argument, isinstance(exc, ValidationError))
    alpha True
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import pandas as pd

__all__ = [
    "FAILURE_COLUMNS",
    "CreatorkitDeprecationWarning",
    "CreatorkitError",
    "CreatorkitWarning",
    "DataQualityWarning",
    "DegenerateDataWarning",
    "ErrorCode",
    "LowSampleWarning",
    "MissingDependencyError",
    "PluginError",
    "ValidationError",
]

FAILURE_COLUMNS = ("column", "row", "value", "rule", "code")
"""Columns of :attr:`ValidationError.failure_cases`, in order."""


class ErrorCode(StrEnum):
    """Stable machine-readable codes of validation failures.

    The values never change meaning; new codes may be added.

    Example:
        >>> ErrorCode.NEGATIVE.value
        'negative'
    """

    MISSING_COLUMN = "missing_column"
    WRONG_TYPE = "wrong_type"
    LOSSY_ID = "lossy_id"
    MISSING_VALUE = "missing_value"
    NOT_FINITE = "not_finite"
    NEGATIVE = "negative"
    OUT_OF_RANGE = "out_of_range"
    NOT_INTEGER = "not_integer"
    INVALID_VALUE = "invalid_value"
    DUPLICATE_KEY = "duplicate_key"
    NAIVE_TIMESTAMP = "naive_timestamp"
    UNKNOWN_NAME = "unknown_name"
    DUPLICATE_NAME = "duplicate_name"
    MIXED_CURRENCY = "mixed_currency"
    MISSING_RATE = "missing_rate"
    EMPTY = "empty"
    INCONSISTENT = "inconsistent"


class CreatorkitError(Exception):
    """Base class of every exception raised on purpose by creatorkit.

    Example:
        >>> import creatorkit as ck
        >>> try:
        ...     ck.metrics.get("ctrr")
        ... except CreatorkitError as err:
        ...     print(type(err).__name__, err.argument)
        ValidationError metric
    """


class MissingDependencyError(CreatorkitError, ImportError):
    """An optional extra is not installed (``pip install 'creatorkit[plot]'`` and the like).

    Example:
        >>> issubclass(MissingDependencyError, ImportError)
        True
    """


class PluginError(CreatorkitError, ImportError):
    """A plugin published through an entry point could not be loaded (its error is the cause).

    Example:
        >>> issubclass(PluginError, ImportError)
        True
    """


class ValidationError(CreatorkitError, ValueError):
    """Invalid input: an argument, a column or a set of rows breaks a documented rule.

    Args:
        message: Human-readable description naming the argument and the problem.
        argument: Name of the offending argument (``"df"``, ``"alpha"``, ...).
        failure_cases: One row per problem with the columns of :data:`FAILURE_COLUMNS`:
            ``column`` (the column or parameter), ``row`` (the row label, or ``None``),
            ``value`` (the offending value), ``rule`` (what was expected) and ``code``
            (an :class:`ErrorCode` value).

    Example:
        >>> err = ValidationError("df: 1 problem", argument="df")
        >>> err.to_dict()["error"]
        'validation_error'
    """

    def __init__(
        self,
        message: str,
        *,
        argument: str | None = None,
        failure_cases: pd.DataFrame | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.argument = argument
        if failure_cases is None:
            failure_cases = pd.DataFrame({c: pd.Series(dtype=object) for c in FAILURE_COLUMNS})
        self.failure_cases: pd.DataFrame = failure_cases

    @property
    def codes(self) -> tuple[str, ...]:
        """The distinct error codes of the failure cases, sorted.

        Example:
            >>> import creatorkit as ck
            >>> try:
            ...     ck.metrics.get("ctrr")
            ... except ValidationError as err:
            ...     print(err.codes)
            ('unknown_name',)
        """
        return tuple(sorted({str(c) for c in self.failure_cases["code"]}))

    def to_dict(self, *, redact: bool = False) -> dict[str, Any]:
        """Serialize to a JSON-ready dictionary with stable keys.

        Args:
            redact: Leave the offending values out (of ``failures`` and ``message``), for
                a public answer that must not echo customer ids or amounts back.

        Returns:
            ``{"error", "argument", "message", "codes", "failures"}`` where
            ``failures`` is a list of ``{column, row, value, rule, code}`` records.

        Example:
            >>> import json
            >>> body = ValidationError("x", argument="a").to_dict()
            >>> json.dumps(body, allow_nan=False)  # doctest: +NORMALIZE_WHITESPACE
            '{"error": "validation_error", "argument": "a", "message": "x",
              "codes": [], "failures": []}'
        """
        from creatorkit._json import to_jsonable

        cases = self.failure_cases
        message = self.message
        if redact:
            cases = cases.assign(value=None)
            message = "\n".join(
                line.rsplit("; values [", 1)[0] if "; values [" in line else line
                for line in message.splitlines()
            )
        return {
            "error": "validation_error",
            "argument": self.argument,
            "message": message,
            "codes": list(self.codes),
            "failures": to_jsonable(cases),
        }


class CreatorkitWarning(UserWarning):
    """Base class of creatorkit's warnings.

    Example:
        One filter silences every creatorkit warning and no other:

        >>> import warnings
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     warnings.filterwarnings("ignore", category=CreatorkitWarning)
        ...     warnings.warn("likes above views", DataQualityWarning)
        ...     warnings.warn("from another library", UserWarning)
        >>> [str(w.message) for w in caught]
        ['from another library']
    """


class DataQualityWarning(CreatorkitWarning):
    """Implausible but possible data (likes above views, refunds above revenue).

    Example:
        A strict pipeline can turn it into an error:

        >>> import warnings
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("error", DataQualityWarning)
        ...     try:
        ...         warnings.warn("3 rows have likes above views", DataQualityWarning)
        ...     except DataQualityWarning as w:
        ...         print("stopped:", w)
        stopped: 3 rows have likes above views
    """


class DegenerateDataWarning(CreatorkitWarning):
    """A statistic is undefined for the data (0 / 0, zero variance); the value is NaN.

    Results also carry the case as data, in ``warnings``:

    Example:
        >>> from creatorkit.compare import proportions
        >>> res = proportions([0, 0], [100, 100])
        >>> [n.code for n in res.warnings], bool(res.table["p_value"].isna().all())
        (['degenerate', 'degenerate_lift'], True)
        >>> issubclass(DegenerateDataWarning, CreatorkitWarning)
        True
    """


class LowSampleWarning(CreatorkitWarning):
    """Too little data for the requested statistic to be reliable.

    Results also carry the case as data, in ``warnings``:

    Example:
        >>> from creatorkit.compare import means
        >>> res = means([1, 40], [2.0, 2.5], [0.0, 1.0])
        >>> [(n.code, n.count) for n in res.warnings]
        [('low_sample', 1)]
        >>> issubclass(LowSampleWarning, CreatorkitWarning)
        True
    """


class CreatorkitDeprecationWarning(CreatorkitWarning, DeprecationWarning):
    """A public name or argument will change in a future 0.x release (see CHANGELOG).

    Example:
        Tests can make every deprecated use fail:

        >>> import warnings
        >>> import creatorkit as ck
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("error", CreatorkitDeprecationWarning)
        ...     try:
        ...         ck.compare.Summary
        ...     except CreatorkitDeprecationWarning as w:
        ...         print(str(w).split(";")[0])
        creatorkit.compare.Summary is deprecated and will be removed in 0.3
    """
