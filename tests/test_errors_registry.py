import contextlib
import json
import threading
import time

import pandas as pd
import pytest

import creatorkit as ck
from creatorkit._validation import Problems, check_choice, check_columns, check_frame, check_number
from creatorkit.errors import (
    FAILURE_COLUMNS,
    CreatorkitDeprecationWarning,
    CreatorkitError,
    DegenerateDataWarning,
    ErrorCode,
    LowSampleWarning,
    ValidationError,
)
from creatorkit.registry import Registry


def test_validation_error_is_value_error_and_creatorkit_error():
    err = ValidationError("x", argument="a")
    assert isinstance(err, ValueError)
    assert isinstance(err, CreatorkitError)
    assert list(err.failure_cases.columns) == list(FAILURE_COLUMNS)


def test_warning_classes():
    assert issubclass(CreatorkitDeprecationWarning, DeprecationWarning)
    assert issubclass(DegenerateDataWarning, UserWarning)
    assert issubclass(LowSampleWarning, UserWarning)


def test_problems_lists_every_problem_with_rows_and_codes():
    df = pd.DataFrame({"views": [1, -2, -3], "likes": [0, 1, 2]}, index=["a", "b", "c"])
    problems = Problems("df")
    mask = (df["views"] < 0).to_numpy()
    problems.add_mask("views", mask, df.index, df["views"], "must be >= 0", ErrorCode.NEGATIVE)
    problems.add("score", "required column is missing", ErrorCode.MISSING_COLUMN)
    with pytest.raises(ValidationError) as info:
        problems.raise_if_any()
    err = info.value
    assert err.argument == "df"
    assert err.failure_cases["row"].tolist() == ["b", "c", None]
    assert err.failure_cases["value"].tolist() == [-2, -3, None]
    assert err.codes == ("missing_column", "negative")
    assert "df: 2 problems" in str(err)
    assert "rows ['b', 'c'] (2 rows)" in str(err)
    payload = json.loads(json.dumps(err.to_dict(), allow_nan=False))
    assert payload["failures"][0] == {
        "column": "views",
        "row": "b",
        "value": -2,
        "rule": "must be >= 0",
        "code": "negative",
    }


def test_empty_problems_do_not_raise():
    Problems("x").raise_if_any()


@pytest.mark.parametrize(
    ("kwargs", "value", "code"),
    [
        ({"low": 0, "high": 1, "low_open": True, "high_open": True}, 1.0, "out_of_range"),
        ({}, float("nan"), "not_finite"),
        ({}, "0.5", "wrong_type"),
        ({}, True, "wrong_type"),
        ({"integer": True}, 2.5, "not_integer"),
    ],
)
def test_check_number_rejects(kwargs, value, code):
    with pytest.raises(ValidationError) as info:
        check_number("alpha", value, **kwargs)
    assert info.value.codes == (code,)
    assert info.value.argument == "alpha"


def test_check_number_accepts():
    assert check_number("alpha", 0.05, low=0, high=1, low_open=True, high_open=True) == 0.05


def test_check_choice_suggests():
    with pytest.raises(ValidationError, match="Did you mean 'wilson'"):
        check_choice("ci", "wilsn", ["wilson", "jeffreys"])


def test_check_frame_and_columns():
    with pytest.raises(ValidationError, match="must be a pandas DataFrame"):
        check_frame("df", [1, 2])
    with pytest.raises(ValidationError, match="at least one row"):
        check_frame("df", pd.DataFrame({"a": []}))
    with pytest.raises(ValidationError) as info:
        check_columns("df", pd.DataFrame({"viewz": [1]}), ["views", "likes"])
    assert info.value.failure_cases["column"].tolist() == ["views", "likes"]
    assert "Did you mean 'viewz'" in str(info.value)


def test_registry_register_get_replace_and_unknown():
    reg: Registry[int] = Registry("thing")
    reg.register("alpha", 1)
    with pytest.raises(ValidationError, match="already a registered thing"):
        reg.register("alpha", 2)
    reg.register("alpha", 3, replace=True)
    assert reg.get("alpha") == 3
    assert "alpha" in reg
    assert len(reg) == 1
    with pytest.raises(ValidationError, match="Did you mean 'alpha'"):
        reg.get("alpah")
    reg.unregister("alpha")
    assert reg.names() == ()


def test_registry_decorator():
    reg: Registry[object] = Registry("rule")

    @reg.decorator("double")
    def double(x: int) -> int:
        return 2 * x

    assert reg.get("double") is double


def _race(reg: Registry[int], threads: int = 8) -> int:
    """How many threads, released at once, manage to register one and the same name."""
    barrier = threading.Barrier(threads)
    wins: list[int] = []

    def work(i: int) -> None:
        barrier.wait()
        try:
            reg.register("same", i)
            wins.append(i)
        except ValidationError:
            pass

    pool = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return len(wins)


def _slow_check(name: str, obj: object) -> None:
    time.sleep(0.01)  # widens the window between "is it there?" and "put it there"


def test_registry_is_thread_safe():
    assert _race(Registry("n", check=_slow_check)) == 1
    # the same race with the lock replaced by a no-op lets several threads in: this test
    # fails when the registry loses its lock
    unlocked: Registry[int] = Registry("n", check=_slow_check)
    unlocked._lock = contextlib.nullcontext()  # type: ignore[assignment]
    assert _race(unlocked) > 1


def test_registry_concurrent_distinct_names():
    reg: Registry[int] = Registry("n")

    def work(start: int) -> None:
        for i in range(start, start + 200):
            reg.register(f"k{i}", i)
            assert reg.get(f"k{i}") == i

    pool = [threading.Thread(target=work, args=(k * 200,)) for k in range(8)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    assert len(reg) == 1600


def test_registry_freeze_refuses_changes_but_reads():
    reg: Registry[int] = Registry("thing")
    reg.register("a", 1)
    reg.freeze()
    assert reg.frozen
    with pytest.raises(ValidationError, match="frozen"):
        reg.register("b", 2)
    with pytest.raises(ValidationError, match="frozen"):
        reg.unregister("a")
    with pytest.raises(ValidationError, match="frozen"):
        reg.load_entry_points("creatorkit.none")
    assert reg.get("a") == 1


def test_registry_check_refuses_objects():
    with pytest.raises(ValidationError, match="must be a Metric"):
        ck.metrics.registry.register("ctr2", object())  # type: ignore[arg-type]
    metric = ck.metrics.Metric(name="other", numerator="likes", denominator="views")
    with pytest.raises(ValidationError, match="named 'other'"):
        ck.metrics.registry.register("not_other", metric)


def test_to_dict_redacts_values_and_serializes_numpy_times():
    import numpy as np

    problems = Problems("df")
    problems.add(
        "customer_id", "must be unique", ErrorCode.DUPLICATE_KEY, rows=[3], values=["C-00123"]
    )
    problems.add(
        "window", "must be positive", ErrorCode.OUT_OF_RANGE, values=[np.timedelta64(-5, "s")]
    )
    err = problems.error()
    public = err.to_dict(redact=True)
    assert "C-00123" not in json.dumps(public)
    assert [f["value"] for f in public["failures"]] == [None, None]
    want = pd.Timedelta(-5, unit="s").isoformat()
    assert json.loads(json.dumps(err.to_dict()))["failures"][1]["value"] == want


def test_missing_extra_is_an_import_error():
    from creatorkit.errors import MissingDependencyError

    assert issubclass(MissingDependencyError, ImportError)
    assert issubclass(MissingDependencyError, ck.errors.CreatorkitError)


def test_did_you_mean_ignores_case_and_counts_swaps_once():
    from creatorkit._validation import did_you_mean

    names = ck.metrics.registry.names()
    assert did_you_mean("crt", names) == " Did you mean 'ctr'?"
    assert did_you_mean("GPM", names) == " Did you mean 'gpm'?"
    assert did_you_mean("conversion_rate", names) == ""
