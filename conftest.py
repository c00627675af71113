"""Shared test configuration: hypothesis profiles."""

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    deadline=None,
    derandomize=True,
    print_blob=True,
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("dev", deadline=None, max_examples=100)

collect_ignore_glob = ["tests/fixtures/*"]  # fixture generators run by hand, never by pytest


# doctests of the fast paths that only exist with pyarrow (the pandas paths have their own)
NEEDS_PYARROW = {"creatorkit.ingest._grid.arrow_edges", "creatorkit._cli.csv_text"}


def pytest_collection_modifyitems(config, items):  # type: ignore[no-untyped-def]
    """Doctests that need an optional extra are skipped when it is not installed."""
    import importlib.util

    import pytest

    if importlib.util.find_spec("pyarrow") is None:
        no_arrow = pytest.mark.skip(reason="needs pyarrow")
        for item in items:
            if item.name in NEEDS_PYARROW:
                item.add_marker(no_arrow)
    if importlib.util.find_spec("dask") is not None:
        return
    skip = pytest.mark.skip(reason="needs the 'dask' extra")
    for item in items:
        if "adapters/dask" in str(item.fspath).replace("\\", "/") or item.name.endswith(
            "scaling.md"
        ):
            item.add_marker(skip)
