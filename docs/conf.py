"""Sphinx configuration: offline build, MyST markdown, API reference from docstrings."""

import creatorkit

project = "creatorkit"
author = "creatorkit developers"
release = creatorkit.__version__
version = release
extensions = ["myst_parser", "sphinx.ext.autodoc", "sphinx.ext.napoleon"]
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build", "_generated"]
myst_enable_extensions = ["colon_fence", "dollarmath"]
myst_heading_anchors = 3
autodoc_typehints = "description"
autodoc_member_order = "bysource"
autodoc_default_options = {"members": True, "show-inheritance": True}
napoleon_google_docstring = True
napoleon_numpy_docstring = False
html_theme = "alabaster"
suppress_warnings = ["myst.xref_missing"]
nitpicky = False


def _write_metric_catalog(app: object) -> None:
    """Generate the metric reference table from the live catalog (offline, at build time)."""
    from pathlib import Path

    from creatorkit.metrics import catalog

    table = catalog()
    lines = [
        "| name | formula | kind | table | mergeable | intervals | window | params | source |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in table.itertuples(index=False):
        cells = [
            f"`{row.name}`",
            row.formula.replace("|", "\\|"),
            row.kind,
            row.table,
            "yes" if row.mergeable else "**no**",
            row.intervals or "—",
            row.window or "—",
            row.params or "—",
            row.source,
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    lines.append("| name | direction | unit | layer | description |")
    lines.append("|---|---|---|---|---|")
    for row in table.itertuples(index=False):
        cells = [f"`{row.name}`", row.direction, row.unit, row.layer, row.description]
        lines.append("| " + " | ".join(cells) + " |")
    out = Path(__file__).parent / "_generated"
    out.mkdir(exist_ok=True)
    (out / "metric-catalog.md").write_text("\n".join(lines) + "\n")


def setup(app):  # type: ignore[no-untyped-def]
    app.connect("builder-inited", _write_metric_catalog)
