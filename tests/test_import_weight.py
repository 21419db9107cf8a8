"""What a process loads before it can answer: `orgraph gaps` (or any reading command) must not
import the roster readers, the demo generator (Faker's locale data), openpyxl or the importer,
which only the commands that use them need (docs/scale.md, "a new process": they were 0.2 s
of every command). Checked in a fresh interpreter, since this one has imported everything."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = (
    "openpyxl",
    "faker",
    "orgraph.demo.generate",
    "orgraph.importer.pipeline",
    "orgraph.roster.readers",
    "orgraph.roster.validate",
)


def loaded_by(module: str) -> list[str]:
    code = f"import sys, {module}\nprint('\\n'.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.split()


@pytest.mark.parametrize("module", ["orgraph.cli", "orgraph.analysis.engine"])
def test_a_reading_command_loads_none_of_the_heavy_modules(module: str) -> None:
    assert loaded_by(module) == []


def test_the_check_sees_a_heavy_module() -> None:
    """The check itself: importing the importer does load what it reads rosters with."""
    assert "orgraph.roster.validate" in loaded_by("orgraph.importer.pipeline")


def test_a_package_name_stays_its_function_after_the_module_of_that_name_loads() -> None:
    """`orgraph.roster.geocode` and `orgraph.demo.generate` are modules and functions the
    packages export under the same names; a lazily exported name would read as the module
    once anything imported the module first."""
    code = (
        "import types, orgraph.roster.geocode, orgraph.demo.generate\n"
        "from orgraph.roster import geocode\n"
        "from orgraph.demo import generate\n"
        "assert callable(geocode) and not isinstance(geocode, types.ModuleType), geocode\n"
        "assert callable(generate) and not isinstance(generate, types.ModuleType), generate\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_neo4j_store_loads_the_driver_without_pandas() -> None:
    """The driver imports pandas and pyarrow when installed (Streamlit installs them here):
    orgraph.store.neo4j_driver keeps them out of a process that opens a Neo4j store."""
    code = (
        "import sys, orgraph.store.neo4j_store\n"
        "print(' '.join(m for m in ('pandas', 'pyarrow') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == []


def test_the_sheet_text_check_is_openpyxls() -> None:
    """contact_roster keeps its own copy of openpyxl's illegal-character pattern (so that a
    table cell or a CSV does not load openpyxl); the two must not drift apart."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    from orgraph.roster import contact_roster

    assert contact_roster.ILLEGAL_CHARACTERS_RE.pattern == ILLEGAL_CHARACTERS_RE.pattern
    assert contact_roster.safe_text("=1+1\x07") == "'=1+1"
