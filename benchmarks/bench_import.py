"""`import creatorkit` against `import pandas`, each in a fresh interpreter."""

from __future__ import annotations

import subprocess
import sys

from _harness import Line, median_time


def _import(module: str) -> None:
    subprocess.run([sys.executable, "-c", f"import {module}"], check=True)


def run(quick: bool) -> list[Line]:
    repeat = 5 if quick else 11
    ours = median_time(lambda: _import("creatorkit"), repeat=repeat)
    peer = median_time(lambda: _import("pandas"), repeat=repeat)
    return [Line("import creatorkit (fresh interpreter)", ours, peer, "≤ 1.2× import pandas")]
