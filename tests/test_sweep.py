"""Run the bad-input sweep (``tests/_sweep.py``) in a child process with a memory limit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SWEEP = Path(__file__).with_name("_sweep.py")
PRELUDE = """
import resource, runpy, sys
limit = 6 * 1024**3  # a call that tries to allocate more fails, as a MemoryError
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
sys.argv = [{path!r}]
runpy.run_path({path!r}, run_name="__main__")
"""


def test_every_public_function_gives_only_clear_errors_on_bad_input():
    code = PRELUDE.format(path=str(SWEEP))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 failures" in done.stderr
