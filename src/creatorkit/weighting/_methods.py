"""The weight-method registry: objective and judgement methods, each with its family."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

from creatorkit._validation import fail
from creatorkit.errors import ErrorCode
from creatorkit.registry import Registry
from creatorkit.weighting import _ahp, _judgement, _objective

FAMILIES = ("objective", "judgement")


@attrs.frozen(kw_only=True)
class WeightMethod:
    """A registered weight method.

    Attributes:
        name: Registry name.
        function: Objective: ``function(matrix, benefit=None) -> WeightResult``; judgement:
            ``function(given) -> WeightResult`` where ``given`` is what a person gives.
        family: ``"objective"`` or ``"judgement"``.
        example: For a judgement method, a valid input (used by the conformance check).

    Example:
        >>> entropy = weight_methods.get("entropy")
        >>> res = entropy.function([[120.0, 0.05], [80.0, 0.09], [100.0, 0.07]])
        >>> entropy.family, res.weights.round(3).tolist()
        ('objective', [0.327, 0.673])
        >>> manual = weight_methods.get("manual")
        >>> manual.family, manual.example, manual.function(manual.example).weights.tolist()
        ('judgement', [2, 1, 1], [0.5, 0.25, 0.25])
    """

    name: str
    function: Callable[..., Any]
    family: str
    example: Any = None


def _check_entry(name: str, obj: Any) -> None:
    if not isinstance(obj, WeightMethod):
        rule = f"{name!r} must be a WeightMethod, got {type(obj).__name__}"
        fail("weight method", rule, ErrorCode.WRONG_TYPE, value=type(obj).__name__)
    if obj.name != name:
        rule = f"registered as {name!r} but the weight method is named {obj.name!r}"
        fail("weight method", rule, ErrorCode.INCONSISTENT, value=obj.name)
    if obj.family not in FAMILIES:
        rule = f"family must be one of {list(FAMILIES)}"
        fail("weight method", rule, ErrorCode.INVALID_VALUE, value=obj.family)
    if obj.family == "judgement" and obj.example is None:
        rule = "a judgement method needs an example input (for its conformance check)"
        fail("weight method", rule, ErrorCode.INVALID_VALUE, value=name)


weight_methods: Registry[WeightMethod] = Registry("weight method", check=_check_entry)
"""The weight-method registry (thread-safe, freezable)."""

for _method in (
    WeightMethod(name="entropy", function=_objective.entropy, family="objective"),
    WeightMethod(name="critic", function=_objective.critic, family="objective"),
    WeightMethod(name="std", function=_objective.std, family="objective"),
    WeightMethod(name="manual", function=_judgement.manual, family="judgement", example=[2, 1, 1]),
    WeightMethod(name="equal", function=_judgement.equal, family="judgement", example=3),
    WeightMethod(name="roc", function=_judgement.roc, family="judgement", example=[1, 3, 2]),
    WeightMethod(
        name="rank_sum", function=_judgement.rank_sum, family="judgement", example=[1, 3, 2]
    ),
    WeightMethod(
        name="ahp",
        function=_ahp.ahp,
        family="judgement",
        example=[[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]],
    ),
):
    weight_methods.register(_method.name, _method)
