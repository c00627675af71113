"""The command line as a user runs it: ``python -m creatorkit score | explain`` in a subprocess.

Expected values come from the library called in-process on the same tables (the CSV round
trip must not change a score or a rank), from hand-computed cases, and from the exact
one-line error shape ``creatorkit: error: <argument>: <detail>`` with exit status 2.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import creatorkit as ck
from creatorkit import __main__ as cli
from creatorkit._cli import Progress

SEED, N = 0, 200


def run(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONWARNINGS": "error"}
    return subprocess.run(
        [sys.executable, "-m", "creatorkit", *argv],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )


def one_error(done: subprocess.CompletedProcess[str]) -> str:
    """The single error line (exit 2, nothing else on stderr, no traceback)."""
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("creatorkit: error: ")
    assert "Traceback" not in done.stderr
    return lines[0].removeprefix("creatorkit: error: ")


def in_process_error(cwd: Path, *argv: str) -> str:
    """The same check as :func:`one_error`, calling ``main`` in this process (faster)."""
    out, err = io.StringIO(), io.StringIO()
    here = os.getcwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli.main(list(argv))
    finally:
        os.chdir(here)
    return one_error(subprocess.CompletedProcess(argv, code, out.getvalue(), err.getvalue()))


@pytest.fixture(scope="module")
def data() -> ck.datasets.Dataset:
    return ck.datasets.synthetic(seed=SEED, n_creators=N, n_events=1_000)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory, data: ck.datasets.Dataset) -> Path:
    where = tmp_path_factory.mktemp("cli")
    data.creators.to_csv(where / "creators.csv", index=False)
    data.content.to_csv(where / "content.csv", index=False)
    data.orders.to_csv(where / "orders.csv", index=False)
    data.reviews.to_csv(where / "reviews.csv", index=False)
    half = len(data.content) // 2
    data.content.iloc[:half].to_csv(where / "content_a.csv", index=False)
    data.content.iloc[half:].to_csv(where / "content_b.csv", index=False)
    return where


def in_process(data: ck.datasets.Dataset, as_of: object) -> ck.scoring.ScoreResult:
    tables = {"creators": data.creators, "content": data.content, "orders": data.orders}
    return ck.Scorecard.preset("beauty/sales").score(tables, as_of=as_of)


def test_score_csv_in_ranked_csv_out_equals_the_library(folder: Path, data) -> None:
    done = run(
        "score", "creators.csv", "content.csv", "orders.csv", "--preset", "beauty/sales",
        "--out", "ranked.csv", cwd=folder,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    times = [data.orders[c].max() for c in ("ordered_at", "refunded_at", "settled_at")]
    latest = max([*times, data.content["published_at"].max(), data.creators["snapshot_at"].max()])
    assert latest > data.as_of  # the synthetic orders run past its snapshot (refunds settle late)
    assert f"as of {latest.isoformat()} (the latest timestamp in the data)" in done.stdout
    ranked = pd.read_csv(folder / "ranked.csv", dtype={"creator_id": str, "reason": str})
    want = in_process(data, latest)
    scored = ranked[ranked["status"] == "scored"]
    expected = want.table.sort_values("rank")
    assert scored["creator_id"].tolist() == expected["creator_id"].tolist()
    assert scored["rank"].astype(int).tolist() == list(range(1, len(expected) + 1))
    np.testing.assert_allclose(scored["score"], expected["score"], rtol=0, atol=1e-12)
    for c in want.criteria:
        np.testing.assert_allclose(
            scored[f"contribution_{c}"], expected[f"contribution_{c}"], rtol=0, atol=1e-12
        )
    gone = ranked[ranked["status"] == "excluded"]
    assert gone["rank"].isna().all()
    assert gone["score"].isna().all()
    assert sorted(gone["creator_id"]) == sorted(want.exclusions["creator_id"].unique())
    first = want.exclusions.groupby("creator_id")["reason"].agg("; ".join)
    assert gone.set_index("creator_id")["reason"].to_dict() == first.to_dict()
    assert len(ranked) == N  # every creator once: ranked or excluded with its reasons
    assert f"wrote {N:,} rows ({len(expected):,} ranked)" in done.stdout


def test_a_bare_as_of_date_is_the_end_of_that_day(folder: Path, data) -> None:
    done = run(
        "score", "creators.csv", "content.csv", "orders.csv", "--preset", "beauty/sales@1",
        "--as-of", "2026-05-31", "--out", "may.csv", cwd=folder,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "as of 2026-05-31T23:59:59.999999+00:00 (the end of 2026-05-31)" in done.stdout
    want = in_process(data, "2026-05-31T23:59:59.999999+00:00").table.sort_values("rank")
    got = pd.read_csv(folder / "may.csv", dtype={"creator_id": str})
    got = got[got["status"] == "scored"]
    assert got["creator_id"].tolist() == want["creator_id"].tolist()
    np.testing.assert_allclose(got["score"], want["score"], rtol=0, atol=1e-12)


def test_content_split_over_two_files_scores_the_same(folder: Path, data) -> None:
    whole = run("score", "creators.csv", "content.csv", "--preset", "beauty/sales",
                "--out", "whole.csv", cwd=folder)  # fmt: skip
    split = run("score", "creators.csv", "content_a.csv", "content_b.csv",
                "--preset", "beauty/sales", "--out", "split.csv", cwd=folder)  # fmt: skip
    assert whole.returncode == split.returncode == 0, whole.stderr + split.stderr
    assert (folder / "whole.csv").read_text() == (folder / "split.csv").read_text()
    twice = ("score", "creators.csv", "content.csv", "content_a.csv", "--preset", "beauty/sales")
    assert "appears in more than one of" in in_process_error(folder, *twice)


def test_stdout_summary_without_out(folder: Path, data) -> None:
    done = run("score", "creators.csv", "content.csv", "--preset", "beauty/sales", cwd=folder)
    assert done.returncode == 0, done.stderr
    best = in_process(data, data.as_of).top(3)["creator_id"].tolist()
    lines = done.stdout.splitlines()
    assert "  creators.csv: creators, 200 rows" in lines
    top = lines[lines.index("top 10:") + 2 :]
    assert [line.split()[1] for line in top[:3]] == best
    assert "excluded " in done.stdout
    assert "category in [beauty]" in done.stdout


def test_explain_prints_the_library_sentences_and_table(folder: Path, data) -> None:
    res = in_process(data, data.as_of)
    best = res.top(1)["creator_id"].iloc[0]
    done = run("explain", "creators.csv", "content.csv", "orders.csv",
               "--preset", "beauty/sales", "--creator", best, cwd=folder)  # fmt: skip
    assert done.returncode == 0, done.stderr
    why = res.explain(best)
    lines = done.stdout.splitlines()
    assert lines[1 : 1 + len(why.sentences)] == list(why.sentences)
    assert why.sentences[0].startswith(f"{best} scores ")
    assert all(c in done.stdout for c in res.criteria)
    gone = res.exclusions["creator_id"].iloc[0]
    out = run("explain", "creators.csv", "content.csv", "orders.csv",
              "--preset", "beauty/sales", "--creator", gone, cwd=folder)  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert f"{gone} is excluded: " in out.stdout


def test_help_lists_examples_and_the_as_of_default(folder: Path) -> None:
    done = run("score", "--help", cwd=folder)
    assert done.returncode == 0
    assert "examples:" in done.stdout
    assert "creatorkit score creators.csv content.csv --preset beauty/sales" in done.stdout
    assert "defaults to the latest timestamp in the data (never the clock)" in done.stdout
    top = run("--help", cwd=folder)
    assert "explain" in top.stdout
    assert "examples:" in top.stdout


BAD = [
    (["score", "creators.csv", "content.csv"], "--preset/--spec: one of them is required"),
    (["score", "creators.csv", "content.csv", "--preset", "beuaty/sales"],
     "--preset: 'beuaty/sales' is not a preset. Did you mean 'beauty/sales'?"),
    (["score", "creators.csv", "content.csv", "--preset", "beauty/sales", "--top", "ten"],
     "--top: invalid float value: 'ten'"),
    (["score", "nope.csv", "--preset", "beauty/sales"], "nope.csv: no such file"),
    (["score", "creators.csv", "reviews.csv", "--preset", "beauty/sales"],
     "reviews.csv: is a reviews table; score reads creators, content"),
    (["score", "creators.csv", "content.csv", "--preset", "beauty/sales", "--out", "r.txt"],
     "--out: must end in .csv, .parquet or .xlsx, got 'r.txt'"),
    (["score", "creators.csv", "content.csv", "--preset", "beauty/sales", "--as-of",
      "2026-06-01T00:00"], "--as-of: must be a timezone-aware timestamp"),
    (["score", "creators.csv", "content.csv", "--preset", "beauty/sales", "--as-of",
      "2026-13-01"], "--as-of: '2026-13-01' is not a date (month must be in 1..12"),
    (["score", "creators.csv", "content.csv", "--preset", "beauty/sales", "--as-of",
      "2026-02-30"], "--as-of: '2026-02-30' is not a date"),
    (["score", "creators.csv", "--preset", "beauty/sales"],
     "FILE: criterion 'cvr' is computed from a content table; none of "
     "[creators.csv (creators)] is one"),
    (["score", "creators.csv", "content.csv", "--spec", "missing.json"],
     "--spec: no such file: 'missing.json'"),
    (["explain", "creators.csv", "content.csv", "--preset", "beauty/sales", "--creator",
      "c00001"], "--creator: 'c00001' is neither scored nor excluded. Did you mean 'c000001'?"),
    (["scor", "creators.csv"], "command: invalid choice: 'scor'"),
    (["score", "creators.csv", "content.csv", "--preset", "beauty/sales", "--bogus"],
     "--bogus: unrecognized argument"),
]  # fmt: skip


@pytest.mark.parametrize(("argv", "expected"), BAD[:4])
def test_bad_arguments_in_a_subprocess_are_one_line_exit_2(folder: Path, argv, expected) -> None:
    assert one_error(run(*argv, cwd=folder)).startswith(expected)


@pytest.mark.parametrize(("argv", "expected"), BAD[4:])
def test_bad_arguments_are_one_line_exit_2(folder: Path, argv, expected, capsys, monkeypatch):
    monkeypatch.chdir(folder)
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "Traceback" not in err
    assert err.startswith(f"creatorkit: error: {expected}")


def test_unknown_and_empty_files_say_what_was_found_and_expected(tmp_path: Path) -> None:
    (tmp_path / "mystery.csv").write_text("colour,size\nred,3\n")
    (tmp_path / "empty.csv").write_text("")
    message = one_error(run("score", "mystery.csv", "--preset", "beauty/sales", cwd=tmp_path))
    assert message.startswith("mystery.csv: its columns ['colour', 'size'] match no table; ")
    assert "expected a creators table (creator_id, ...), content (content_id)" in message
    empty = in_process_error(tmp_path, "score", "empty.csv", "--preset", "beauty/sales")
    assert empty == "empty.csv: is empty: no header and no rows"


def test_bad_values_name_the_file_column_and_line(folder: Path, data, tmp_path: Path) -> None:
    content = data.content.copy()
    content.loc[4, "views"] = -3  # line 6 of the file: header, then rows 0..4
    content.to_csv(tmp_path / "bad.csv", index=False)
    data.creators.to_csv(tmp_path / "creators.csv", index=False)
    message = one_error(run("score", "creators.csv", "bad.csv", "--preset", "beauty/sales",
                            cwd=tmp_path))  # fmt: skip
    assert message.startswith("bad.csv: column 'views': ")
    assert "rows [6] (1 rows); values [-3]" in message
    naive = data.content.assign(published_at=data.content["published_at"].dt.tz_localize(None))
    naive.to_csv(tmp_path / "naive.csv", index=False)
    message = in_process_error(tmp_path, "score", "creators.csv", "naive.csv", "--preset",
                               "beauty/sales")  # fmt: skip
    assert message.startswith("naive.csv: column 'published_at': naive timestamps")
    localized = run("score", "creators.csv", "naive.csv", "--preset", "beauty/sales",
                    "--tz", "UTC", cwd=tmp_path)  # fmt: skip
    assert localized.returncode == 0, localized.stderr


VIDEO_HEADER = "Creator username,Video name,Video ID,Video post date,GMV,Affiliate orders,VV"


def test_a_tiktok_shop_video_export_is_scored_directly(tmp_path: Path) -> None:
    """Three creators, one video each: GPM = 1000 × GMV / views, ranked by percentile."""
    rows = [
        "mai,Routine,7394017712830002221,2026/05/01 08:00:00,$20.00,2,1000",  # GPM 20
        "bo,Haul,7394017712830002222,2026/05/02 09:00:00,$90.00,3,3000",  # GPM 30
        "cy,Review,7394017712830002223,2026/05/03 10:00:00,$10.00,1,2000",  # GPM 5
    ]
    (tmp_path / "videos.csv").write_text("\n".join([VIDEO_HEADER, *rows]) + "\n")
    spec = ck.Scorecard([ck.Criterion(name="gpm")], id="gpm-only")
    (tmp_path / "spec.json").write_text(spec.to_json())
    naive = run("score", "videos.csv", "--spec", "spec.json", cwd=tmp_path)
    assert "give --tz" in one_error(naive)
    done = run("score", "videos.csv", "--spec", "spec.json", "--tz", "America/Los_Angeles",
               "--out", "ranked.csv", cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "videos.csv: content, export tiktok_shop.video_performance, 3 rows" in done.stdout
    assert "no creators table: 3 creators" in done.stdout
    assert "as of 2026-05-03T17:00:00+00:00" in done.stdout  # 10:00 in Los Angeles, as UTC
    ranked = pd.read_csv(tmp_path / "ranked.csv")
    assert ranked["creator_id"].tolist() == ["bo", "mai", "cy"]
    np.testing.assert_allclose(ranked["gpm"], [30.0, 20.0, 5.0])
    np.testing.assert_allclose(ranked["score"], [100.0, 200 / 3, 100 / 3])
    preset = ("score", "videos.csv", "--preset", "beauty/sales", "--tz", "UTC")
    assert in_process_error(tmp_path, *preset) == (
        "FILE: the scorecard's gates read ['category', 'followers'] of a creators table, and no"
        " creators table was given (add one: creator_id, country, category, followers, ...)"
    )


@pytest.mark.parametrize("suffix", [".parquet", ".xlsx"])
def test_parquet_and_excel_out(folder: Path, data, suffix: str) -> None:
    module = {".parquet": "pyarrow", ".xlsx": "openpyxl"}[suffix]
    done = run("score", "creators.csv", "content.csv", "--preset", "beauty/sales",
               "--out", f"ranked{suffix}", cwd=folder)  # fmt: skip
    if importlib.util.find_spec(module) is None:
        assert f"needs {module}: pip install" in one_error(done)
        return
    assert done.returncode == 0, done.stderr
    read = pd.read_parquet if suffix == ".parquet" else pd.read_excel
    got = read(folder / f"ranked{suffix}")
    expected = in_process(data, data.as_of).table.sort_values("rank")
    scored = got[got["status"] == "scored"]
    assert scored["creator_id"].astype(str).tolist() == expected["creator_id"].tolist()
    np.testing.assert_allclose(scored["score"], expected["score"], rtol=0, atol=1e-9)


def test_spec_file_and_excel_input(folder: Path, data, tmp_path: Path) -> None:
    if importlib.util.find_spec("openpyxl") is None:
        pytest.skip("openpyxl not installed")
    card = ck.Scorecard([ck.Criterion(name="followers")], id="reach", version=3)
    (tmp_path / "spec.json").write_text(card.to_json())
    creators = data.creators.assign(snapshot_at=data.creators["snapshot_at"].astype(str))
    creators.to_excel(tmp_path / "creators.xlsx", index=False)  # Excel has no time zones
    done = run("score", "creators.xlsx", "--spec", "spec.json", "--out", "r.csv", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "with reach@3 as of" in done.stdout
    got = pd.read_csv(tmp_path / "r.csv", dtype={"creator_id": str})
    want = card.score(data.creators, as_of=data.as_of).table.sort_values("rank")
    assert got["creator_id"].tolist() == want["creator_id"].tolist()
    lossy = pd.DataFrame({"creator_id": [2.0, 7394017712830001234.0], "followers": [1, 2]})
    lossy.to_excel(tmp_path / "lossy.xlsx", index=False)
    assert in_process_error(tmp_path, "score", "lossy.xlsx", "--spec", "spec.json") == (
        "lossy.xlsx: column 'creator_id': ids stored as numbers lose their last digits in Excel"
        " (line 3: 7394017712830001152); store them as text"
    )
    (tmp_path / "broken.json").write_text("{not json")
    message = in_process_error(tmp_path, "score", "creators.xlsx", "--spec", "broken.json")
    assert message.startswith("--spec: ")


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_long_runs_on_a_terminal(folder: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(folder)
    argv = ["score", "creators.csv", "content.csv", "--preset", "beauty/sales", "--out", "p.csv"]
    tty = Tty()
    monkeypatch.setattr(sys, "stderr", tty)
    assert cli.main(argv) == 0
    assert tty.getvalue() == ""  # a short run: no bar even on a terminal
    monkeypatch.setattr(Progress, "LONG", 0)
    assert cli.main(argv) == 0
    drawn = tty.getvalue().split("\r")
    labels = [part.split("] ")[1].strip() for part in drawn if part.startswith("creatorkit [")]
    assert labels == ["1/4 reading creators.csv", "2/4 reading content.csv", "3/4 scoring",
                      "4/4 writing p.csv"]  # fmt: skip
    assert drawn[-1] == ""  # cleared before the summary
    plain = io.StringIO()
    monkeypatch.setattr(sys, "stderr", plain)
    assert cli.main(argv) == 0
    assert plain.getvalue() == ""  # never when standard error is not a terminal
    assert "wrote" in capsys.readouterr().out


def test_one_line_shape_of_library_errors() -> None:
    from creatorkit._cli import one_line

    err = ValueError("df: 3 problems\n  - df['a']: bad [x]\n  - df['b']: bad\n  - c")
    assert one_line(err) == "column 'a': bad [x] (and 2 more problems)"
    assert json.loads(json.dumps(one_line(ValueError("plain")))) == "plain"


def test_top_share_per_market_by_hand(tmp_path: Path) -> None:
    """TH keeps ceil(0.5 × 2) = 1 creator, VN ceil(0.5 × 3) = 2, best first (ties by id)."""
    creators = pd.DataFrame({
        "creator_id": ["a", "b", "c", "d", "e"], "country": ["TH", "TH", "VN", "VN", "VN"],
        "gmv": [4.0, 3.0, 2.0, 1.0, 5.0],
    })  # fmt: skip
    creators.to_csv(tmp_path / "creators.csv", index=False)
    (tmp_path / "spec.json").write_text(ck.Scorecard([ck.Criterion(name="gmv")]).to_json())
    argv = ["score", "creators.csv", "--spec", "spec.json"]
    assert "the files have no timestamps" in in_process_error(tmp_path, *argv)
    argv += ["--as-of", "2026-06-30"]
    done = run(*argv, "--top", "0.5", "--by", "market", "--out", "top.csv", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "top 50% per market: 3 creators in 2 groups" in done.stdout
    top = pd.read_csv(tmp_path / "top.csv")
    assert top[["market", "creator_id", "group_rank"]].values.tolist() == [
        ["TH", "a", 1], ["VN", "e", 1], ["VN", "c", 2],
    ]  # fmt: skip
    assert top["top_count"].tolist() == [1, 2, 2]
    grouped = run(*argv, "--by", "country", "--out", "all.csv", cwd=tmp_path)
    assert grouped.returncode == 0, grouped.stderr
    ranks = pd.read_csv(tmp_path / "all.csv")
    assert ranks[["creator_id", "rank", "country", "group_rank"]].values.tolist() == [
        ["e", 1, "VN", 1], ["a", 2, "TH", 1], ["b", 3, "TH", 2], ["c", 4, "VN", 2],
        ["d", 5, "VN", 3],
    ]  # fmt: skip
    gated = ck.Scorecard([ck.Criterion(name="gmv")], gates=[ck.Gate.min_data("gmv", 100.0)])
    (tmp_path / "gated.json").write_text(gated.to_json())
    empty = run("score", "creators.csv", "--spec", "gated.json", "--as-of", "2026-06-30",
                "--top", "0.5", "--out", "empty.csv", cwd=tmp_path)  # fmt: skip
    assert empty.returncode == 0, empty.stderr
    assert "top 50% per country: 0 creators in 0 groups" in empty.stdout
    assert "wrote 0 rows (in the top share)" in empty.stdout  # an empty list, not an error
    bad = in_process_error(tmp_path, *argv, "--top", "0")
    assert bad.startswith("--top: must be in (0.0, 1.0]")
    assert in_process_error(tmp_path, *argv, "--top", "0.1", "--by", "contry") == (
        "--by: 'contry' is not a column of the creators table. Did you mean 'country'?"
    )


def test_top_share_equals_the_library(folder: Path, data) -> None:
    done = run("score", "creators.csv", "content.csv", "--preset", "beauty/sales",
               "--top", "0.3", "--out", "top.csv", cwd=folder)  # fmt: skip
    assert done.returncode == 0, done.stderr
    res = ck.Scorecard.preset("beauty/sales").score(
        {"creators": data.creators, "content": data.content}, as_of=data.as_of
    )
    want = ck.scoring.top_share(res, 0.3, groups=data.creators).table
    got = pd.read_csv(folder / "top.csv", dtype={"creator_id": str})
    assert got[["country", "creator_id"]].values.tolist() == (
        want[["country", "creator_id"]].values.tolist()
    )
    np.testing.assert_allclose(got["score"], want["score"], rtol=0, atol=1e-12)


def test_money_in_several_currencies_needs_currency_and_fx_rates(folder: Path, data) -> None:
    data.fx_rates.to_csv(folder / "fx.csv", index=False)
    card = ck.Scorecard([ck.Criterion(name="net_gmv")], id="net")
    (folder / "net.json").write_text(card.to_json())
    argv = ["score", "creators.csv", "orders.csv", "fx.csv", "--spec", "net.json"]
    mixed = in_process_error(folder, *argv)
    assert mixed.startswith("FILE: net_gmv is money in several currencies")
    assert mixed.endswith("on the command line: --currency CODE and an fx-rates file (date, "
                          "currency, rate)")  # fmt: skip
    done = run(*argv, "--currency", "USD", "--as-of", "2026-06-30", "--out", "net.csv", cwd=folder)
    assert done.returncode == 0, done.stderr
    assert "fx.csv: fx_rates, " in done.stdout
    tables = {"creators": data.creators, "orders": data.orders, "fx_rates": data.fx_rates}
    usd = attrs_evolve(card, currency="USD")
    want = usd.score(tables, as_of="2026-06-30T23:59:59.999999+00:00").table.sort_values("rank")
    got = pd.read_csv(folder / "net.csv", dtype={"creator_id": str})
    got = got[got["status"] == "scored"]
    assert got["creator_id"].tolist() == want["creator_id"].tolist()
    np.testing.assert_allclose(got["net_gmv"], want["net_gmv"], rtol=1e-12)


def attrs_evolve(card: ck.Scorecard, **changes: object) -> ck.Scorecard:
    import attrs

    return attrs.evolve(card, **changes)


def test_a_bug_is_still_one_line_with_status_3(monkeypatch, capsys) -> None:
    from creatorkit import _cli_score

    def broken(args: object) -> int:
        raise KeyError("refunds")

    monkeypatch.setattr(_cli_score, "score", broken)
    assert cli.main(["score", "x.csv", "--preset", "beauty/sales"]) == 3
    err = capsys.readouterr().err
    assert err == (
        "creatorkit: internal error: KeyError: 'refunds' (a bug: please report the command)\n"
    )


def test_the_creatorkit_script_is_the_same_command(folder: Path) -> None:
    script = Path(sys.executable).with_name("creatorkit")
    if not script.exists():
        pytest.skip("the creatorkit script is not installed next to this interpreter")
    done = subprocess.run(
        [str(script), "score", "nope.csv", "--preset", "beauty/sales"],
        capture_output=True, text=True, cwd=folder, timeout=120,
    )  # fmt: skip
    assert one_error(done) == "nope.csv: no such file"


def test_parquet_input(folder: Path, data, tmp_path: Path) -> None:
    if importlib.util.find_spec("pyarrow") is None:
        (tmp_path / "creators.parquet").write_bytes(b"PAR1")
        (tmp_path / "s.json").write_text(ck.Scorecard([ck.Criterion(name="followers")]).to_json())
        message = in_process_error(tmp_path, "score", "creators.parquet", "--spec", "s.json")
        assert message.endswith("reading parquet needs pyarrow: pip install pyarrow")
        return
    data.creators.to_parquet(tmp_path / "creators.parquet")
    data.content.to_parquet(tmp_path / "content.parquet")
    done = run("score", "creators.parquet", "content.parquet", "--preset", "beauty/sales",
               "--out", "r.csv", cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    want = in_process(data, data.as_of).table.sort_values("rank")  # no orders: same as_of
    got = pd.read_csv(tmp_path / "r.csv", dtype={"creator_id": str})
    got = got[got["status"] == "scored"]
    assert got["creator_id"].tolist() == want["creator_id"].tolist()
    np.testing.assert_allclose(got["score"], want["score"], rtol=0, atol=1e-12)


ids = st.text(alphabet="0123456789", min_size=1, max_size=19)


@settings(
    deadline=None, max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    table=st.lists(
        st.tuples(ids, st.floats(0, 1e6, allow_nan=False), st.integers(0, 10**9)),
        min_size=1, max_size=12, unique_by=lambda row: row[0],
    )
)  # fmt: skip
def test_ids_and_scores_survive_the_csv_round_trip(table, tmp_path: Path) -> None:
    """Digit ids (leading zeros, 19 digits) stay text; scores equal the library's."""
    frame = pd.DataFrame(table, columns=["creator_id", "gpm", "followers"])
    where = Path(tempfile.mkdtemp(dir=tmp_path))  # one folder per example
    frame.to_csv(where / "creators.csv", index=False)
    card = ck.Scorecard([ck.Criterion(name="gpm", weight=2), ck.Criterion(name="followers")])
    (where / "spec.json").write_text(card.to_json())
    out, err = io.StringIO(), io.StringIO()
    argv = ["score", str(where / "creators.csv"), "--spec", str(where / "spec.json"),
            "--as-of", "2026-06-30", "--out", str(where / "r.csv")]  # fmt: skip
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        assert cli.main(argv) == 0, err.getvalue()
    got = pd.read_csv(where / "r.csv", dtype={"creator_id": str})
    want = card.score(frame, as_of="2026-06-30T23:59:59.999999Z").table.sort_values("rank")
    assert got["creator_id"].tolist() == want["creator_id"].tolist()
    np.testing.assert_allclose(got["score"], want["score"], rtol=0, atol=1e-9)


def test_an_excluded_creators_reasons_are_joined_in_the_gates_order():
    from creatorkit._cli_score import ranked
    from creatorkit.scoring import Criterion, Gate, Scorecard

    table = pd.DataFrame(
        {
            "creator_id": ["b", "a", "c", "d"],
            "gpm": [1.0, 3.0, 2.0, 4.0],
            "followers": [10, 50_000, 30, 40_000],
            "country": ["TH", "VN", "ID", "TH"],
        }
    )
    gates = [Gate.followers(20_000), Gate.market(["TH", "VN"])]
    res = Scorecard([Criterion(name="gpm")], gates=gates).score(table, as_of="2026-06-30T00:00:00Z")
    out = ranked(res).set_index("creator_id")
    assert out.loc["c", "reason"] == "followers >= 20000; market in [TH, VN]"
    assert out.loc["b", "reason"] == "followers >= 20000"
    assert out.loc[["d", "a"], "rank"].tolist() == [1, 2]
    assert ranked(res)["creator_id"].tolist() == ["d", "a", "b", "c"]  # excluded: by id


texts = st.one_of(st.none(), st.sampled_from(["", "a", 'say "hi"', "x,y", "two\nlines", "ü"]))
floats = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 92.0, 1e-4, 9.99e-5, 1e9, 999_999_999.5, 1e16, 5e-324]),
)


@settings(deadline=None, max_examples=60)
@given(
    rows=st.lists(
        st.tuples(floats, st.integers(-(2**62), 2**62), st.booleans(), texts,
                  st.one_of(st.none(), st.booleans())),
        min_size=1, max_size=30,
    )
)  # fmt: skip
def test_the_fast_csv_writer_writes_what_pandas_writes(rows) -> None:
    pytest.importorskip("pyarrow")  # without it, pandas writes every file
    from creatorkit._cli import csv_text

    x, i, b, s, o = map(list, zip(*rows, strict=True))
    frame = pd.DataFrame({
        "x": np.array(x, dtype=float), "i": np.array(i, dtype=np.int64), "b": b,
        "s": pd.array(s, dtype="str"), "o": pd.Series(o, dtype=object),
        "rank": pd.array([None if k % 3 == 0 else k for k in range(len(rows))], dtype="Int64"),
    })  # fmt: skip
    assert csv_text(frame) == frame.to_csv(index=False)


def test_the_fast_csv_writer_leaves_other_frames_to_pandas() -> None:
    from creatorkit._cli import csv_text

    stamps = pd.DataFrame({"a": [1], "t": pd.to_datetime(["2026-01-01T00:00:00Z"])})
    assert csv_text(stamps) is None
    assert csv_text(pd.DataFrame({"a": ["x\ry"], "b": [1]})) is None
    assert csv_text(pd.DataFrame({"a": [1.5]})) is None  # one column: pandas' own quoting
    assert csv_text(pd.DataFrame({"a": [1, 2], "b": pd.Series(["x", 2], dtype=object)})) is None


@pytest.mark.parametrize(
    "body",
    [
        "1,c1,2026-06-01T10:00:00+07:00,video,100\n2,c2,2026-06-02T10:00:00+07:00,live,\n",
        "1,c1,2026-06-01T10:00:00+07:00,video,100\n2,c2,2026-06-02T10:00:00+00:00,live,7\n",
        "1,c1,2026-06-01 10:00:00,video,1.5\n2,,2026-06-02 10:00:00,live,7\n",
        "1,c1,2026-06-01T10:00:00Z,video, 12\n2,c2,2026-06-02T10:00:00Z,live,7\n",
        "1,c1,,video,True\n2,c2,2026-06-02T10:00:00Z,live,False\n",
        '1,c1,2026-06-01T10:00:00Z,"a\nb",3\n2,c2,2026-06-02T10:00:00Z,live,\n',
        "007,c1,2026-06-01T10:00:00Z,video,\n008,c2,2026-06-02T10:00:00Z,live,\n",
        # one shape and offset (Arrow parses the times), and its near misses (pandas does)
        "1,c1,2026-06-01 10:00:00+07:00,video,1\n2,c2,2026-06-02 23:59:59+07:00,live,2\n",
        "1,c1,2026-06-01T10:00:00-05:30,video,1\n2,c2,,live,2\n3,c3,2024-02-29T00:00:00-05:30,live,3\n",
        "1,c1,2026-06-01T10:00:00,video,1\n2,c2,2026-06-02T11:00:00,live,2\n",
        "1,c1,2026-06-01 10:00:00+00:00,video,1\n2,c2,2026-02-30 10:00:00+00:00,live,2\n",
        "1,c1,2026-06-01 10:00:00+00:00,video,1\n2,c2,2026-06-01 24:00:00+00:00,live,2\n",
        "1,c1,2026-06-01 10:00:00+00:00,video,1\n2,c2,2026-06-01T10:00:00+00:00,live,2\n",
        "1,c1,2026-06-01 10:00:00.5+00:00,video,1\n2,c2,2026-06-01 10:00:01.25+00:00,live,2\n",
        "1,c1,2026-06-01 10:00:00+07:00,video,1\n2,c2,2026-06-01 10:00:00+0700,live,2\n",
        "1,c1,2026-06-01 10:00:00+00:00,video,1\n2,c2,2026-6-01 10:00:00+00:00,live,2\n",
    ],
)
def test_the_arrow_csv_reader_reads_what_pandas_reads(tmp_path: Path, body: str) -> None:
    from creatorkit import models
    from creatorkit._cli_read import _columns, _load, _text_columns, _times

    path = tmp_path / "c.csv"
    path.write_text("content_id,creator_id,published_at,content_type,views\n" + body)
    columns = _columns(path)
    got = _load(path, columns, models.Content)
    want = pd.read_csv(
        path, dtype=_text_columns(columns, models.Content), keep_default_na=False,
        parse_dates=_times(columns, models.Content), date_format="ISO8601", na_values=[""],
        encoding="utf-8-sig",
    )  # fmt: skip
    want.index = pd.RangeIndex(2, len(want) + 2)
    pd.testing.assert_frame_equal(got, want)
