"""Sphinx configuration: offline build, MyST markdown, API reference from docstrings."""

import creatorkit

project = "creatorkit"
author = "creatorkit developers"
release = creatorkit.__version__
version = release
extensions = ["myst_parser", "sphinx.ext.autodoc", "sphinx.ext.napoleon"]
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build"]
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


def _skip_table_views(app, what, name, obj, skip, options):  # type: ignore[no-untyped-def]
    """Tables are documented in each result's Attributes section, not again as members."""
    from creatorkit.results import Copied

    return True if isinstance(obj, Copied) else None


def setup(app):  # type: ignore[no-untyped-def]
    app.connect("autodoc-skip-member", _skip_table_views)
