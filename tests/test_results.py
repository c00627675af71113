import datetime as dt
import json

import attrs
import numpy as np
import pandas as pd
import pytest

from creatorkit.results import SCHEMA_VERSION, MethodCard, Note, TableResult
from creatorkit.testing import check_result


def _toy() -> TableResult:
    table = pd.DataFrame(
        {
            "<script>alert(1)</script>": ["<b>x</b>", "y"],
            "value": [1.5, np.nan],
            "inf": [np.inf, -np.inf],
            "count": np.array([1, 2], dtype=np.int64),
            "when": pd.to_datetime(["2026-01-01 10:00", None]).tz_localize("Asia/Bangkok"),
            "flag": [True, False],
        }
    )
    card = MethodCard.create("toy.compute", alpha=0.05, window=pd.Timedelta("7D"), ci=None)
    return TableResult(
        table=table,
        method=card,
        warnings=[Note(code="zero_denominator", message="<i>1 group</i>", count=1)],
    )


def test_generic_contract_holds_for_toy_result():
    check_result(_toy())


def test_to_dict_nan_times_and_schema():
    data = json.loads(json.dumps(_toy().to_dict(), allow_nan=False))
    assert data["schema_version"] == SCHEMA_VERSION
    assert data["kind"] == "TableResult"
    rows = data["table"]
    assert rows[0]["value"] == 1.5
    assert rows[1]["value"] is None
    assert rows[0]["inf"] is None
    assert rows[0]["count"] == 1
    assert rows[0]["when"] == "2026-01-01T10:00:00+07:00"
    assert rows[1]["when"] is None
    assert rows[0]["flag"] is True
    assert data["method"]["parameters"] == {"alpha": 0.05, "ci": None, "window": "P7DT0H0M0S"}
    assert data["warnings"] == [
        {"code": "zero_denominator", "message": "<i>1 group</i>", "count": 1, "subject": None}
    ]


def test_html_escapes_names_values_and_notes():
    text = _toy()._repr_html_()
    assert "<script>" not in text
    assert "&lt;script&gt;" in text
    assert "<b>x</b>" not in text
    assert "<i>1 group</i>" not in text


def test_result_is_frozen_and_to_frame_copies():
    res = _toy()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        res.method = MethodCard.create("other")  # type: ignore[misc]
    frame = res.to_frame()
    frame.iloc[0, 1] = 99.0
    assert res.table.iloc[0, 1] == 1.5


def test_method_card_hash_depends_on_parameters():
    a = MethodCard.create("m", x=1)
    assert a.spec_hash == MethodCard.create("m", x=1).spec_hash
    assert a.spec_hash != MethodCard.create("m", x=2).spec_hash
    assert a.version


def test_json_of_dates_and_sets():
    from creatorkit._json import to_jsonable

    assert to_jsonable(dt.date(2026, 1, 2)) == "2026-01-02"
    assert to_jsonable({3, 1}) == [1, 3]
    assert to_jsonable(pd.NaT) is None
    assert to_jsonable(np.float32("nan")) is None


def test_results_and_summaries_pickle_for_workers():
    import pickle

    import creatorkit as ck

    rows = pd.DataFrame({"creator_id": ["a", "a", "b"], "views": [10, 20, 30], "likes": [1, 2, 3]})
    summary = ck.metrics.summarize(rows, "like_rate", by="creator_id", moments=True)
    again = pickle.loads(pickle.dumps(summary))
    pd.testing.assert_frame_equal(again.table, summary.table)
    assert again.identity() == summary.identity()
    assert (again + summary).table["like_rate__n"].tolist() == [4, 2]
    result = ck.metrics.compute(rows, "like_rate", by="creator_id", ci="auto")
    copy = pickle.loads(pickle.dumps(result))
    assert copy.to_dict() == result.to_dict()
    with pytest.raises((TypeError, AttributeError)):
        copy.method.parameters["by"] = ["x"]  # type: ignore[index]
