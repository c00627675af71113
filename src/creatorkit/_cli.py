"""Command-line plumbing: one-line errors, exit codes, a progress bar, writing tables.

Every subcommand runs under :func:`guarded`: a problem with an argument, a file or the
data is one line ``creatorkit: error: <argument>: <detail>`` on standard error and exit
status 2 — never a traceback. The core stays free of I/O; reading and writing files
happens here and in ``_cli_read``.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn, TextIO

import numpy as np
import pandas as pd

__all__ = [
    "HINTS",
    "OUT_FORMATS",
    "CliError",
    "Parser",
    "Progress",
    "blame",
    "check_out",
    "csv_text",
    "guarded",
    "one_line",
    "write_table",
]

OUT_FORMATS = {".csv": "CSV", ".parquet": "parquet", ".xlsx": "Excel"}
"""File endings ``--out`` accepts and what they write."""

_NEEDS = {
    ".parquet": ("pyarrow", "writing parquet needs pyarrow: pip install pyarrow"),
    ".xlsx": ("openpyxl", "writing Excel needs openpyxl: pip install 'creatorkit[excel]'"),
}
_WHERE = re.compile(r"^[^\s\[\]]+\[('[^']*')\](?:\[('[^']*')\])?: ")
_ARGUMENT = re.compile(r"^argument ([^:]+): (.*)$")


class CliError(Exception):
    """A problem to report as ``creatorkit: error: <argument>: <detail>`` (exit status 2).

    Example:
        >>> str(CliError("--top", "must be in (0, 1]"))
        '--top: must be in (0, 1]'
    """

    def __init__(self, argument: str, detail: str) -> None:
        super().__init__(f"{argument}: {detail}")
        self.argument = argument
        self.detail = detail


class Parser(argparse.ArgumentParser):
    """``argparse`` whose usage errors are one line and status 2 (no usage dump).

    Example:
        >>> parser = Parser(prog="creatorkit")
        >>> _ = parser.add_argument("--top", type=float)
        >>> try:
        ...     parser.parse_args(["--top", "x"])
        ... except CliError as exc:
        ...     print(exc)
        --top: invalid float value: 'x'
    """

    def error(self, message: str) -> NoReturn:
        """Raise the usage error as a :class:`CliError` (argparse would print and exit)."""
        raise _usage(message)


def _usage(message: str) -> CliError:
    from creatorkit._validation import did_you_mean

    match = _ARGUMENT.match(message)
    if match:
        where, detail = match.group(1), match.group(2)
        choice = re.match(r"invalid choice: '([^']*)' \(choose from (.*)\)$", detail)
        if choice:
            names = re.findall(r"'([^']*)'", choice.group(2)) or choice.group(2).split(", ")
            hint = did_you_mean(choice.group(1), names)
            detail += f".{hint}" if hint else ""
        return CliError("command" if where.startswith("{") else where, detail)
    required = re.match(r"the following arguments are required: (.*)$", message)
    if required:
        return CliError(required.group(1), "is required")
    one_of = re.match(r"one of the arguments (.*) is required$", message)
    if one_of:
        return CliError("/".join(one_of.group(1).split()), "one of them is required")
    unknown = re.match(r"unrecognized arguments: (.*)$", message)
    if unknown:
        return CliError(unknown.group(1), "unrecognized argument (see --help)")
    return CliError("arguments", message)


def one_line(exc: BaseException) -> str:
    r"""The first problem of an error on one line (``(and N more)`` when there are more).

    Example:
        >>> from creatorkit.errors import ValidationError
        >>> one_line(ValidationError("df: 2 problems\n  - df['views']: must not be negative"
        ...                          " [negative]\n  - df['likes']: must not be missing"))
        "column 'views': must not be negative [negative] (and 1 more problem)"
    """
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    if not lines:
        return type(exc).__name__
    items = [line.lstrip("-").strip() for line in lines[1:]]
    detail = items[0] if items else lines[0]
    where = _WHERE.match(detail)
    if where:
        column = where.group(2) or where.group(1)
        detail = f"column {column}: {detail[where.end() :]}"
    if len(items) > 1:
        more = len(items) - 1
        detail += f" (and {more} more problem{'s' if more > 1 else ''})"
    return detail


HINTS = {
    "mixed_currency": "on the command line: --currency CODE and an fx-rates file (date, "
    "currency, rate)",
    "naive_timestamp": "give --tz ZONE",
}
"""What to add to an error of these codes, in command-line terms."""


@contextmanager
def blame(argument: str, names: Mapping[str, str] | None = None) -> Iterator[None]:
    """Report a creatorkit error raised inside as a problem with ``argument``.

    ``names`` maps the library's argument names to command-line ones (``as_of`` →
    ``--as-of``); an error about any other argument is blamed on ``argument``. Errors
    whose codes have a :data:`HINTS` entry end with it.

    Example:
        >>> from creatorkit._validation import fail
        >>> from creatorkit.errors import ErrorCode
        >>> try:
        ...     with blame("--preset", {"frac": "--top"}):
        ...         fail("frac", "must be in (0, 1]", ErrorCode.OUT_OF_RANGE)
        ... except CliError as exc:
        ...     print(exc)
        --top: must be in (0, 1] [out_of_range]
    """
    from creatorkit.errors import CreatorkitError

    try:
        yield
    except CreatorkitError as exc:
        where = (names or {}).get(str(getattr(exc, "argument", None)), argument)
        hints = [HINTS[c] for c in getattr(exc, "codes", ()) if c in HINTS]
        detail = one_line(exc) + "".join(f"; {h}" for h in hints)
        raise CliError(where, detail) from exc


def guarded(run: Callable[[], int], err: TextIO | None = None) -> int:
    r"""Run a subcommand; a problem is one line on standard error and status 2.

    Example:
        >>> import io
        >>> def bad() -> int:
        ...     raise CliError("--out", "must end in .csv, .parquet or .xlsx")
        >>> stream = io.StringIO()
        >>> guarded(bad, stream), stream.getvalue()
        (2, 'creatorkit: error: --out: must end in .csv, .parquet or .xlsx\n')
    """
    from creatorkit.errors import CreatorkitError

    stream = err if err is not None else sys.stderr
    try:
        return run()
    except CliError as exc:
        print(f"creatorkit: error: {exc.argument}: {exc.detail}", file=stream)
    except CreatorkitError as exc:
        where = getattr(exc, "argument", None) or "input"
        print(f"creatorkit: error: {where}: {one_line(exc)}", file=stream)
    except BrokenPipeError:  # piped into `head`: stop quietly, as Unix tools do
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except OSError as exc:  # a file that cannot be read or written
        where = exc.filename if exc.filename is not None else "file"
        print(f"creatorkit: error: {where}: {exc.strerror or exc}", file=stream)
    except Exception as exc:  # a bug: still one line, and a status of its own
        text = f"{type(exc).__name__}: {exc}".splitlines()[0]
        print(f"creatorkit: internal error: {text} (a bug: please report the command)", file=stream)
        return 3
    return 2


def check_out(out: str | None) -> Path | None:
    """Where ``--out`` writes: its format known, its extra installed, its folder existing.

    Checked before any work, so a long run never fails at the last step.

    Example:
        >>> check_out("ranked.csv")
        PosixPath('ranked.csv')
        >>> check_out("ranked.txt")
        Traceback (most recent call last):
        ...
        creatorkit._cli.CliError: --out: must end in .csv, .parquet or .xlsx, got 'ranked.txt'
    """
    if out is None:
        return None
    path = Path(out)
    suffix = path.suffix.lower()
    if suffix not in OUT_FORMATS:
        raise CliError("--out", f"must end in .csv, .parquet or .xlsx, got {out!r}")
    if suffix in _NEEDS:
        module, message = _NEEDS[suffix]
        try:
            __import__(module)
        except ImportError:
            raise CliError("--out", message) from None
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise CliError("--out", f"its folder {str(folder)!r} does not exist")
    return path


def write_table(frame: pd.DataFrame, path: Path) -> None:
    r"""Write ``frame`` as CSV, parquet or Excel (by the ending of ``path``), no index.

    Example:
        >>> import tempfile
        >>> where = Path(tempfile.mkdtemp()) / "t.csv"
        >>> write_table(pd.DataFrame({"creator_id": ["007"]}), where)
        >>> where.read_text()
        'creator_id\n007\n'
    """
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        frame.to_parquet(path, index=False)
    elif suffix == ".xlsx":
        frame.to_excel(path, index=False)
    else:
        data = _csv_bytes(frame)
        if data is None:
            frame.to_csv(path, index=False)
        else:
            path.write_bytes(data)


_SPECIAL = '[,"\n]'  # what makes the csv module quote a field (QUOTE_MINIMAL)


def _float_text(values: np.ndarray) -> Any:
    """Floats as the text ``to_csv`` writes (numpy's shortest repr), missing as null.

    Arrow formats the same shortest digits about 3× faster but spells large and tiny
    numbers differently; those (outside 1e-4 ≤ |x| < 1e9) are formatted by numpy.
    """
    import pyarrow as pa  # type: ignore[import-untyped,import-not-found,unused-ignore]
    import pyarrow.compute as pc  # type: ignore[import-untyped,import-not-found,unused-ignore]

    size = np.abs(values)
    with np.errstate(invalid="ignore"):
        odd = np.isfinite(values) & (size != 0) & ((size < 1e-4) | (size >= 1e9))
    odd |= np.isinf(values)
    out = pc.cast(pa.array(values, from_pandas=True), pa.string())
    whole = pa.array(np.isfinite(values) & (np.floor(values) == values) & ~odd)
    out = pc.if_else(whole, pc.binary_join_element_wise(out, ".0", ""), out)  # 92 → 92.0
    if odd.any():
        fixed = np.asarray(out.to_numpy(zero_copy_only=False), dtype=object)
        fixed[odd] = values[odd].astype(str).astype(object)
        out = pa.array(fixed, type=pa.string(), from_pandas=True)
    return out


def _column_text(column: pd.Series) -> Any:
    """One column as Arrow text the way ``to_csv`` writes it, or None (pandas writes it)."""
    import pyarrow as pa  # type: ignore[import-untyped,import-not-found,unused-ignore]
    import pyarrow.compute as pc  # type: ignore[import-untyped,import-not-found,unused-ignore]

    dtype = column.dtype
    if dtype == np.float64:
        return _float_text(column.to_numpy())
    if dtype == np.bool_:
        return pa.array(np.where(column.to_numpy(), "True", "False"), type=pa.string())
    if pd.api.types.is_integer_dtype(dtype) and not isinstance(dtype, pd.CategoricalDtype):
        return pc.cast(pa.array(column.array, from_pandas=True), pa.string())
    if dtype == np.dtype(object):  # booleans with missing values (low_data of the excluded)
        values = column.to_numpy()
        if pd.api.types.infer_dtype(values, skipna=True) not in ("boolean", "empty"):
            return None
        missing = pd.isna(values)
        text = np.where(values == True, "True", "False").astype(object)  # noqa: E712
        text[missing] = None
        return pa.array(text, type=pa.string())
    if isinstance(dtype, pd.StringDtype):
        arr = pa.array(column.array, type=pa.string(), from_pandas=True)
        found = _special_bytes(arr)
        if found is None or found[1]:  # a carriage return: pandas writes the file
            return None
        if found[0]:
            special = pc.fill_null(pc.match_substring_regex(arr, _SPECIAL), False)
            quoted = pc.binary_join_element_wise('"', pc.replace_substring(arr, '"', '""'), '"', "")
            arr = pc.if_else(special, quoted, arr)
        return arr
    return None


def _text_bytes(arr: Any) -> np.ndarray | None:
    """The bytes of an Arrow string array's values (all rows), or None for another layout."""
    import pyarrow as pa  # type: ignore[import-untyped,import-not-found,unused-ignore]

    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if not pa.types.is_string(arr.type) or not len(arr):
        return None
    ends = np.frombuffer(arr.buffers()[1], dtype=np.int32)[arr.offset : arr.offset + len(arr) + 1]
    data = arr.buffers()[2]
    if data is None:
        return np.empty(0, dtype=np.uint8)
    return np.frombuffer(data, dtype=np.uint8)[int(ends[0]) : int(ends[-1])]


_QUOTING = np.zeros(256, dtype=bool)
_QUOTING[[ord(","), ord('"'), ord("\n")]] = True


def _special_bytes(arr: Any) -> tuple[bool, bool] | None:
    """Whether any value holds a character the csv module quotes, and any a carriage return.

    One pass over the values' bytes (those characters are single bytes in UTF-8), so the
    per-value regular expression runs only on columns that have one.
    """
    data = _text_bytes(arr)
    if data is None:
        return None
    return bool(_QUOTING[data].any()), bool((data == ord("\r")).any())


def csv_text(frame: pd.DataFrame) -> str | None:
    """The text ``frame.to_csv(index=False)`` writes, built column-wise by Arrow.

    Numbers, booleans (also with missing values) and text are formatted once per column
    and joined row-wise in C++; a frame with other columns (times, categories, mixed
    objects), a single column, a carriage return in a value or odd column names returns
    None and is written by pandas. The text is the same either way (tests/test_cli.py).

    Example:
        >>> frame = pd.DataFrame({"id": ["a", "b,c"], "score": [1.5, float("nan")]})
        >>> csv_text(frame) == frame.to_csv(index=False)
        True
    """
    data = _csv_bytes(frame)
    return None if data is None else data.decode("utf-8")


def _csv_bytes(frame: pd.DataFrame) -> bytes | None:
    """:func:`csv_text` as UTF-8 bytes, straight from Arrow's buffer (None: pandas writes)."""
    try:
        import pyarrow.compute as pc  # type: ignore[import-untyped,import-not-found,unused-ignore]
    except ImportError:  # pragma: no cover - pyarrow comes with pandas' text dtype
        return None
    names = [str(c) for c in frame.columns]
    if len(names) < 2 or not len(frame) or frame.columns.has_duplicates:
        return None
    if any(
        re.search(_SPECIAL + "|\r", n) or not isinstance(c, str)
        for n, c in zip(names, frame.columns, strict=True)
    ):
        return None
    columns = []
    for name in frame.columns:
        text = _column_text(frame[name])
        if text is None:
            return None
        columns.append(pc.fill_null(text, ""))
    lines = pc.binary_join_element_wise(*columns, ",")
    body = _text_bytes(pc.binary_join_element_wise(lines, "\n", ""))  # each line + "\n"
    if body is None:
        return None
    return (",".join(names) + "\n").encode() + body.tobytes()


class Progress:
    r"""A progress bar on standard error, only on long runs and only on a terminal.

    Args:
        steps: How many steps the run has (read each file, score, write).
        stream: Where to draw (standard error).
        size: Bytes of input; runs on less than ``long`` bytes draw nothing.
        long: The size from which a run counts as long.

    Example:
        >>> import io
        >>> class Tty(io.StringIO):
        ...     def isatty(self) -> bool:
        ...         return True
        >>> bar = Progress(2, Tty(), size=10**9)
        >>> bar.step("reading a.csv"); bar.step("scoring"); bar.done()
        >>> bar.stream.getvalue().split("\r")[1]
        'creatorkit [##########----------] 1/2 reading a.csv'
        >>> quiet = Progress(2, Tty(), size=100)
        >>> quiet.step("reading a.csv"); quiet.done(); quiet.stream.getvalue()
        ''
    """

    LONG = 20_000_000
    WIDTH = 20

    def __init__(self, steps: int, stream: Any, *, size: int, long: int | None = None) -> None:
        self.steps, self.stream, self.count = max(int(steps), 1), stream, 0
        tty = bool(getattr(stream, "isatty", lambda: False)())
        self.on = tty and size >= (self.LONG if long is None else long)
        self.shown = 0

    def step(self, label: str) -> None:
        """Start the next step, called ``label``."""
        self.count = min(self.count + 1, self.steps)
        if not self.on:
            return
        filled = self.WIDTH * self.count // self.steps
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        text = f"creatorkit [{bar}] {self.count}/{self.steps} {label}"
        pad = " " * max(self.shown - len(text), 0)
        self.stream.write(f"\r{text}{pad}")
        self.stream.flush()
        self.shown = len(text)

    def done(self) -> None:
        """Clear the bar (the summary on standard output follows)."""
        if self.on and self.shown:
            self.stream.write("\r" + " " * self.shown + "\r")
            self.stream.flush()
            self.shown = 0
