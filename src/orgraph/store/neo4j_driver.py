"""The Neo4j driver, imported as if pandas and pyarrow were not installed.

The driver imports both at once when they are installed (`neo4j._optional_deps`), to accept
DataFrames and pandas timestamps as query parameters; the dashboard's Streamlit installs them
here, and they were 0.3 s of every process that opens a Neo4j store (each CLI command, each
API worker; docs/scale.md, "a new process"). orgraph passes only plain values, the
configuration the driver supports without pandas; `Result.to_df` imports pandas by itself,
and `Vector.from_pyarrow` (neo4j.vector, unguarded) would fail: orgraph uses neither.
Modules import the driver from here (`from orgraph.store.neo4j_driver import neo4j`). When the
driver was imported before this module, it is left as it is.
"""

from __future__ import annotations

import sys
import types

import numpy


def _without_dataframes() -> None:
    if "neo4j" in sys.modules or "neo4j._optional_deps" in sys.modules:
        return
    deps = types.ModuleType("neo4j._optional_deps")
    deps.__dict__.update(np=numpy, pd=None, pa=None, pa_compute=None)
    deps.__dict__["__all__"] = ["np", "pa", "pa_compute", "pd"]
    sys.modules[deps.__name__] = deps


_without_dataframes()

import neo4j  # noqa: E402  (after the stand-in above)
import neo4j.exceptions as nx  # noqa: E402

__all__ = ["neo4j", "nx"]
