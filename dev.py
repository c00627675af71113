#!/usr/bin/env python3
"""Developer entry point: the README's two commands.

    python3 dev.py demo    # set up .venv and run the demo
    python3 dev.py test    # set up .venv and run every check CI runs

Each command creates its own virtual environment (the demo ``.venv-demo`` with the core
dependencies only; the tests ``.venv`` with the dev extra, ``.venv-dask`` and, for the
lowest-dependency smoke run, ``.venv-min``) and reinstalls only when ``pyproject.toml`` changed.
Only the standard library is used here, so a fresh machine needs nothing but Python 3.11+.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
VENV_MIN = ROOT / ".venv-min"
VENV_DASK = ROOT / ".venv-dask"
VENV_DEMO = ROOT / ".venv-demo"
# The lowest versions pyproject.toml declares; the smoke run proves they work.
LOWEST = ["numpy==1.26.4", "pandas==2.2.2", "attrs==23.2.0", "scipy==1.12.0"]
MIN_TEST_TOOLS = ["pytest>=8.0", "hypothesis>=6.100"]
# Tests of code paths taken only for text held by pyarrow (run where pyarrow is installed).
ARROW_PATHS = ["tests/test_time.py", "tests/test_ingest.py", "tests/test_funnel_events.py"]


def _python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _run(*cmd: str | Path, env: dict[str, str] | None = None) -> None:
    print(f"$ {' '.join(str(c) for c in cmd)}", flush=True)
    subprocess.run([str(c) for c in cmd], cwd=ROOT, check=True, env=env)


def _ensure_venv(venv: Path, spec: str, extra: list[str]) -> Path:
    """Create ``venv`` and install ``spec`` (and ``extra``) unless already up to date."""
    fingerprint = hashlib.sha256(
        (ROOT / "pyproject.toml").read_bytes() + spec.encode() + " ".join(extra).encode()
    ).hexdigest()
    stamp = venv / ".creatorkit-stamp"
    python = _python(venv)
    if python.exists() and stamp.exists() and stamp.read_text() == fingerprint:
        return python
    if not python.exists():
        _run(sys.executable, "-m", "venv", venv)
    _run(python, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    _run(python, "-m", "pip", "install", "--quiet", "-e", spec, *extra)
    stamp.write_text(fingerprint)
    return python


def demo() -> None:
    # The demo needs only the core (numpy, pandas, attrs, scipy): a small, quick install.
    python = _ensure_venv(VENV_DEMO, ".", [])
    _run(python, "-m", "creatorkit", "demo")


def test() -> None:
    python = _ensure_venv(VENV, ".[dev]", [])
    env = {**os.environ, "PYTHONHASHSEED": "0", "MPLBACKEND": "Agg"}
    steps: list[tuple[str, list[str | Path]]] = [
        ("ruff lint", [python, "-m", "ruff", "check", "."]),
        ("ruff format", [python, "-m", "ruff", "format", "--check", "."]),
        ("mypy --strict", [python, "-m", "mypy"]),
        (
            "pytest: tests, doctests of src/ and docs/, notebooks",
            [
                python,
                "-m",
                "pytest",
                "tests",
                "src/creatorkit",
                "docs",
                "notebooks",
                "--doctest-modules",
                "--doctest-glob=*.md",
                "--nbmake",
                "--hypothesis-profile=ci",
                "-q",
            ],
        ),
        (
            "docs build (offline, warnings are errors)",
            [
                python,
                "-m",
                "sphinx",
                "-W",
                "--keep-going",
                "-q",
                "-b",
                "html",
                "docs",
                "docs/_build/html",
            ],
        ),
    ]
    timings = []
    for label, cmd in steps:
        start = time.perf_counter()
        print(f"\n=== {label}", flush=True)
        _run(*cmd, env=env)
        timings.append((label, time.perf_counter() - start))
    start = time.perf_counter()
    print("\n=== Dask (the same results on Dask DataFrames) and the pyarrow text paths", flush=True)
    python_dask = _ensure_venv(VENV_DASK, ".[dask]", MIN_TEST_TOOLS)
    _run(
        python_dask,
        "-m",
        "pytest",
        *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tests").glob("test_dask*.py")),
        *ARROW_PATHS,
        "src/creatorkit/adapters",
        "docs/scaling.md",
        "--doctest-modules",
        "--doctest-glob=*.md",
        "--hypothesis-profile=ci",
        "-q",
        env=env,
    )
    timings.append(("Dask", time.perf_counter() - start))
    start = time.perf_counter()
    print("\n=== smoke run on the lowest declared dependency versions", flush=True)
    python_min = _ensure_venv(VENV_MIN, ".", [*LOWEST, *MIN_TEST_TOOLS])
    _run(
        python_min,
        "-m",
        "pytest",
        "tests",
        "-q",
        "-m",
        "not slow",
        "--hypothesis-profile=ci",
        "-p",
        "no:nbmake",
        env=env,
    )
    timings.append(("lowest-dependency smoke", time.perf_counter() - start))
    print("\n=== all checks passed")
    for label, seconds in timings:
        print(f"  {seconds:7.1f} s  {label}")


def bench() -> None:
    python = _ensure_venv(VENV, ".[dev,bench]", [])
    _run(python, "benchmarks/run.py", *sys.argv[2:])


COMMANDS = {"demo": demo, "test": test, "bench": bench}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        print(__doc__)
        print("commands:", ", ".join(COMMANDS))
        raise SystemExit(2)
    try:
        COMMANDS[sys.argv[1]]()
    except subprocess.CalledProcessError as exc:
        print(f"\nFAILED: {' '.join(str(c) for c in exc.cmd)} (exit {exc.returncode})")
        raise SystemExit(exc.returncode or 1) from None
