import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import creatorkit

ROOT = Path(__file__).resolve().parents[1]


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys\nprint('\\n'.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    )
    return set(out.stdout.split())


def test_import_loads_only_numpy_pandas_attrs():
    loaded = _modules_after("import creatorkit")
    assert {"numpy", "pandas", "attrs", "creatorkit"} <= loaded
    heavy = {m for m in loaded if m.split(".")[0] in {"scipy", "matplotlib", "dask", "statsmodels"}}
    assert heavy == set()


def test_all_names_exist_and_are_sorted():
    assert creatorkit.__all__ == sorted(creatorkit.__all__)
    for name in creatorkit.__all__:
        assert getattr(creatorkit, name) is not None


def test_unknown_attribute_raises_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        creatorkit.nope  # noqa: B018


def test_version_matches_pyproject_and_changelog():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert meta["tool"]["hatch"]["version"]["path"] == "src/creatorkit/_version.py"
    assert f"## [{creatorkit.__version__}]" in (ROOT / "CHANGELOG.md").read_text()


def test_runtime_dependencies_are_exactly_the_four():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())
    names = {d.split(">")[0].split("=")[0] for d in meta["project"]["dependencies"]}
    assert names == {"numpy", "pandas", "attrs", "scipy"}
    assert {"plot", "dask", "docs", "dev", "bench"} <= set(meta["project"]["optional-dependencies"])


def test_py_typed_marker_is_shipped():
    assert (ROOT / "src" / "creatorkit" / "py.typed").exists()


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "python3 dev.py test" in readme
    assert "python3 dev.py demo" in readme
    assert "python3 dev.py test" in ci


def test_demo_runs():
    out = subprocess.run(
        [sys.executable, "-m", "creatorkit", "demo"], capture_output=True, text=True, check=True
    )
    assert "creatorkit" in out.stdout
    assert out.stderr == ""


def test_metric_reference_page_matches_the_catalog():
    import runpy

    page = ROOT / "docs" / "metric-reference.md"
    render = runpy.run_path(str(ROOT / "docs" / "_metric_reference.py"))["render"]
    assert page.read_text() == render(), "run: python docs/_metric_reference.py"


def test_cli_reports_bad_arguments_in_one_line_and_survives_a_closed_pipe():
    bad = subprocess.run(
        [sys.executable, "-m", "creatorkit", "demo", "--seed", "-1"],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2
    assert bad.stderr.strip().splitlines() == [
        "creatorkit: error: seed: must be in [0, 9223372036854775807] [out_of_range]; got -1"
    ]
    piped = subprocess.run(
        f"{sys.executable} -m creatorkit demo | head -1", shell=True, capture_output=True, text=True
    )
    assert "Traceback" not in piped.stderr
    assert piped.stdout.startswith("creatorkit ")
