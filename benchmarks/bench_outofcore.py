"""Out-of-core on Dask: a 5-step funnel, per-creator metrics and a Scorecard over parquet.

Writes a parquet event log (hash-partitioned by user: one file per bucket of
``hash(user_id)``) and a content table at two sizes 4× apart, with the same number of rows
per file (so more data means more files, not bigger ones) and the same 20,000 creators.
Each size runs in a fresh ``distributed`` LocalCluster of 2 worker processes with a hard
memory limit (``--limit``, default 2 GiB each), and reports the wall time and the peak
resident memory of every process (the client and each worker: psutil sampled every
0.1 s, and each worker's own high-water mark, ``VmHWM``). Peak memory must stay flat
between the two sizes (``--sizes 4,16,32`` runs others, in millions of events). The log
is read one file per partition and declared ``partitioned_by_user=True``
(the path for a big hash-partitioned parquet log: no shuffle, the claim verified). The
peer is the pandas path on one slice (one bucket file), whose numbers the Dask run on that
slice must equal.

Run: ``cd benchmarks; /tmp/vd/bin/python run.py outofcore [--quick]`` (needs dask,
distributed, pyarrow and psutil) or ``python bench_outofcore.py [--quick] [--limit 2GiB]``.
Free disk is checked first (``shutil.disk_usage``).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

import creatorkit as ck
from _harness import Line

STEPS = ["view", "click", "add_to_cart", "purchase", "review"]
PROBS = [0.45, 0.25, 0.14, 0.10, 0.06]
CREATORS = 20_000
ROWS_PER_FILE = 500_000
START = pd.Timestamp("2026-05-01", tz="UTC")
AS_OF = pd.Timestamp("2026-06-30T23:59:59", tz="UTC")
METRICS = ["views", "gmv", "ctr", "gpm", "cvr", "aov", "like_rate", "engagement_rate",
           "share_rate", "add_to_cart_rate"]  # fmt: skip
BYTES_PER_EVENT = 40  # parquet on disk, generously


def _ids(prefix: str, values: np.ndarray, width: int) -> pd.Series:
    return pd.Series(np.char.add(prefix, np.char.zfill(values.astype(str), width)), dtype="str")


def _events(users: np.ndarray, rows: int, rng: np.random.Generator) -> pd.DataFrame:
    seconds = rng.integers(0, 60 * 86_400, rows)
    return pd.DataFrame(
        {
            "user_id": _ids("u", rng.choice(users, rows), 9),
            "timestamp": START + pd.to_timedelta(seconds, unit="s"),
            "event": pd.Series(np.array(STEPS)[rng.choice(5, rows, p=PROBS)], dtype="str"),
            "creator_id": _ids("c", rng.integers(0, CREATORS, rows), 6),
        }
    )


def _content(rows: int, rng: np.random.Generator) -> pd.DataFrame:
    views = rng.integers(100, 100_000, rows)
    clicks = rng.binomial(views, 0.02)
    orders = rng.binomial(clicks, 0.08)
    return pd.DataFrame(
        {
            "creator_id": _ids("c", rng.integers(0, CREATORS, rows), 6),
            "published_at": START + pd.to_timedelta(rng.integers(0, 60 * 86_400, rows), unit="s"),
            "views": views,
            "likes": rng.binomial(views, 0.06),
            "comments": rng.binomial(views, 0.004),
            "shares": rng.binomial(views, 0.002),
            "saves": rng.binomial(views, 0.003),
            "clicks": clicks,
            "add_to_carts": rng.binomial(clicks, 0.3),
            "orders": orders,
            "gmv": np.round(orders * rng.gamma(2.0, 15.0, rows), 2),
        }
    )


def write(root: Path, events: int, seed: int = 0) -> tuple[Path, Path]:
    """The event log (one file per hash bucket of the user id) and the content table."""
    need = events * BYTES_PER_EVENT * 1.2
    free = shutil.disk_usage(root).free
    if free < need + 2 * 1024**3:
        raise SystemExit(
            f"not enough free disk in {root}: {free / 1e9:.1f} GB for {need / 1e9:.1f}"
        )
    buckets = max(events // ROWS_PER_FILE, 1)
    users = np.arange(max(events // 10, 1))
    ids = _ids("u", users, 9)
    bucket = pd.util.hash_pandas_object(ids, index=False).to_numpy() % np.uint64(buckets)
    rng = np.random.default_rng(seed)
    log, content = root / "events", root / "content"
    log.mkdir()
    content.mkdir()
    for b in range(buckets):
        mine = users[bucket == b]
        _events(mine, events // buckets, rng).to_parquet(log / f"bucket={b:04d}.parquet")
        _content(events // buckets // 10, rng).to_parquet(content / f"part-{b:04d}.parquet")
    return log, content


class Peak:
    """Peak RSS of this process and its children, sampled every 0.1 s in a thread."""

    def __init__(self) -> None:
        import psutil

        self.me = psutil.Process()
        self.peaks: dict[int, int] = {}
        self.overall: dict[int, int] = {}
        self.phases: dict[str, int] = {}
        self.names: dict[int, str] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            for proc in [self.me, *self.me.children(recursive=True)]:
                try:
                    rss = proc.memory_info().rss
                except Exception:  # a process that just ended
                    continue
                self.peaks[proc.pid] = max(self.peaks.get(proc.pid, 0), rss)
                self.overall[proc.pid] = max(self.overall.get(proc.pid, 0), rss)
                self.names.setdefault(proc.pid, "client" if proc.pid == self.me.pid else "child")
            time.sleep(0.1)

    def phase(self, name: str) -> None:
        """Record the largest process since the last phase under ``name``; start afresh."""
        self.phases[name] = max(self.peaks.values(), default=0)
        self.peaks = {}

    def __enter__(self) -> Peak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _creators() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    return pd.DataFrame(
        {
            "creator_id": _ids("c", np.arange(CREATORS), 6),
            "followers": rng.integers(1_000, 2_000_000, CREATORS),
            "country": rng.choice(["US", "GB", "TH", "ID"], CREATORS),
        }
    )


CARD = ck.Scorecard(
    [
        ck.Criterion(name="gpm", weight=0.3, low_data="shrink", min_n=3),
        ck.Criterion(name="cvr", weight=0.3, low_data="shrink", min_n=3),
        ck.Criterion(name="engagement_rate", weight=0.2),
        ck.Criterion(name="posts", weight=0.2),
    ]
)


def work(log: Any, content: Any, mark: Any = None) -> dict[str, Any]:
    """The three pieces of work; Dask or pandas frames alike (``mark(phase)`` after each)."""
    mark = mark if mark is not None else (lambda name: None)
    out: dict[str, Any] = {}
    start = time.perf_counter()
    # the files are hash-partitioned by user: declared, so no shuffle (verified on the way)
    out["funnel"] = ck.funnel.from_events(
        log, STEPS, window="7D", event_id=None, partitioned_by_user=True
    )
    out["funnel_s"] = time.perf_counter() - start
    mark("funnel")
    start = time.perf_counter()
    out["metrics"] = ck.metrics.compute(content, METRICS, by="creator_id", ci="auto")
    out["metrics_s"] = time.perf_counter() - start
    mark("metrics")
    start = time.perf_counter()
    tables = {"creators": _creators(), "content": content}
    out["score"] = CARD.score(tables, as_of=AS_OF)
    out["score_s"] = time.perf_counter() - start
    mark("scorecard")
    return out


def _worker_maxrss() -> int:
    """This process's peak RSS since it started: ``VmHWM`` (Linux), else ``ru_maxrss``.

    ``ru_maxrss`` survives ``fork`` + ``exec``, so a spawned worker would report the peak
    of the process that spawned it (here the one that wrote the data); ``VmHWM`` is the
    high-water mark of the worker's own address space.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def on_cluster(log: Path, content: Path, limit: str) -> dict[str, Any]:
    """``work`` through a fresh 2-worker LocalCluster; time and peak memory of each process."""
    import dask.dataframe as dd
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, memory_limit=limit, dashboard_address=None
        ) as cluster,  # fmt: skip
        Client(cluster) as client,
        Peak() as peak,
    ):
        start = time.perf_counter()
        peak.phase("start")
        rss: dict[str, list[int]] = {}

        def mark(name: str) -> None:  # a worker's high-water mark is monotone: the peak so far
            peak.phase(name)
            rss[name] = sorted(client.run(_worker_maxrss).values())

        events = dd.read_parquet(log, split_row_groups=False)  # one file = one partition
        res = work(events, dd.read_parquet(content), mark)
        res["worker_maxrss_by_phase"] = rss
        res["partitions"] = int(events.npartitions)
        res["total_s"] = time.perf_counter() - start
        res["worker_maxrss"] = sorted(client.run(_worker_maxrss).values())
    res["client_peak"] = peak.overall.get(peak.me.pid, 0)
    res["child_peaks"] = sorted(v for k, v in peak.overall.items() if k != peak.me.pid)
    res["phases"] = dict(peak.phases)
    return res


def _check_slice(log: Path, content: Path) -> float:
    """Dask equals pandas on one bucket file; returns the pandas time of that slice."""
    import dask.dataframe as dd

    first = sorted(log.iterdir())[0]
    part = sorted(content.iterdir())[0]
    start = time.perf_counter()
    want = work(pd.read_parquet(first), pd.read_parquet(part))
    seconds = time.perf_counter() - start
    got = work(dd.read_parquet(first, split_row_groups=False), dd.read_parquet(part))
    a, b = got["funnel"].table["users"], want["funnel"].table["users"]
    assert (a == b).all(), (a, b)
    same = {"rtol": 1e-12, "check_dtype": False}  # Dask reads text as Arrow strings
    pd.testing.assert_frame_equal(got["metrics"].table, want["metrics"].table, **same)
    pd.testing.assert_frame_equal(got["score"].table, want["score"].table, **same)
    return seconds


def _gib(n: float) -> str:
    return f"{n / 1024**3:.2f} GiB"


def run(quick: bool, limit: str = "2GiB", sizes: tuple[int, ...] | None = None) -> list[Line]:
    if sizes is None:
        sizes = (1_000_000, 4_000_000) if quick else (4_000_000, 16_000_000)
    lines = []
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
        for events in sizes:
            root = Path(tmp) / f"n{events}"
            root.mkdir()
            log, content = write(root, events)
            pandas_s = _check_slice(log, content) if events == sizes[0] else None
            res = on_cluster(log, content, limit)
            peak = max([res["client_peak"], *res["child_peaks"], *res["worker_maxrss"]])
            note = (
                f"{res['partitions']} log partitions; funnel {res['funnel_s']:.1f} s, "
                f"metrics {res['metrics_s']:.1f} s, scorecard "
                f"{res['score_s']:.1f} s; peak RSS client {_gib(res['client_peak'])}, workers "
                f"{', '.join(_gib(v) for v in res['worker_maxrss'])} (limit {limit} each; "
                "worker VmHWM after "
                + ", ".join(
                    f"{k} {'/'.join(_gib(v) for v in vs)}"
                    for k, vs in res["worker_maxrss_by_phase"].items()
                )
                + "); "
                f"users at step 1: {int(res['funnel'].table['users'].iloc[0]):,}; largest "
                f"process per phase: "
                + ", ".join(f"{k} {_gib(v)}" for k, v in res["phases"].items() if k != "start")
            )
            lines.append(
                Line(
                    work=f"Dask LocalCluster: funnel+metrics+score, {events / 1e6:g}M events",
                    ours=res["total_s"],
                    peer=pandas_s,
                    target=f"peak RSS flat, ≤ 4 GiB (max process {_gib(peak)})",
                    note=note + ("; peer: pandas on one bucket file" if pandas_s else ""),
                )
            )
            shutil.rmtree(root)
    return lines


if __name__ == "__main__":
    from _harness import print_table

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--limit", default="2GiB")
    parser.add_argument("--sizes", help="event counts in millions, e.g. 4,16,32")
    args = parser.parse_args()
    sizes = tuple(int(float(m) * 1e6) for m in args.sizes.split(",")) if args.sizes else None
    print_table(run(args.quick, args.limit, sizes))
