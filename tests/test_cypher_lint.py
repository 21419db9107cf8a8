"""Every Cypher block must be valid Neo4j 5 Cypher, checked by Neo4j's own analyser (no server).

Needs node and tools/cypher-lint/node_modules (scripts/setup.sh): without them these tests
fail, they never skip. Answers are cached by block text (a cache entry is the analyser's own
earlier answer for the same script, package and node versions); set
ORGRAPH_CYPHER_LINT_NO_CACHE=1 to run the analyser afresh.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from orgraph import catalog
from orgraph.catalog import Query
from orgraph.cypher_lint import (
    CypherLintUnavailable,
    LintResult,
    check_installed,
    lint_blocks,
    neo4j_blocks,
    tool_dir,
)

FIXTURES = Path(__file__).parent / "fixtures" / "cypher_lint"
ROOT = Path(__file__).resolve().parents[1]
# The tests' and the benchmarks' own blocks are linted with the shipped ones.
EXTRA = (ROOT / "tests" / "cypher", ROOT / "bench" / "cypher")

# block name -> a piece of the error message Neo4j's analyser must give
BROKEN = {
    "syntax_error": "Invalid input 'RETURN'",
    "undefined_variable": "Variable `m` not defined",
    "two_statements": "2 statements",
    "unknown_function": "Function toUpperr is not present",
    "falkor_index_legacy_syntax": "Invalid create index syntax",
    "falkor_fulltext_procedure": "Procedure db.idx.fulltext.createNodeIndex is not present",
    "falkor_fulltext_ddl": "expected 'EACH'",
    "falkor_vector_function": "Function vecf32 is not present",
    "falkor_property_exists": "exists(variable.property)` is no longer supported",
}


def _fixture(name: str) -> list[Query]:
    path = FIXTURES / name
    return catalog.parse_blocks(path.read_text(encoding="utf-8"), path.name)


def _lint(blocks: list[Query], *, use_cache: bool | None = None) -> list[LintResult]:
    try:
        return lint_blocks(blocks, use_cache=use_cache)
    except CypherLintUnavailable as e:  # CI installs it: a missing linter is a failure
        pytest.fail(f"Neo4j Cypher linter unavailable: {e}", pytrace=False)


@pytest.fixture(scope="module")
def all_results() -> tuple[list[LintResult], dict[str, LintResult]]:
    """The real catalog (cypher/, tests/cypher/, bench/cypher/, the Neo4j schema) and the
    fixtures, linted by one node process (loading it costs ~1 s)."""
    real = neo4j_blocks(extra=EXTRA)
    fixtures = _fixture("broken.cypher") + _fixture("good.cypher")
    results = _lint(real + fixtures)
    return results[: len(real)], {r.name: r for r in results[len(real) :]}


@pytest.fixture(scope="module")
def catalog_results(
    all_results: tuple[list[LintResult], dict[str, LintResult]],
) -> list[LintResult]:
    return all_results[0]


@pytest.fixture(scope="module")
def fixture_results(
    all_results: tuple[list[LintResult], dict[str, LintResult]],
) -> dict[str, LintResult]:
    return all_results[1]


def test_linter_installed() -> None:
    try:
        check_installed()
    except CypherLintUnavailable as e:
        pytest.fail(str(e), pytrace=False)


def test_every_catalog_block_is_valid_neo4j_cypher(catalog_results: list[LintResult]) -> None:
    bad = [r for r in catalog_results if r.errors]
    assert not bad, f"{len(bad)} Cypher block(s) rejected by Neo4j's analyser:\n" + "\n".join(
        r.describe() for r in bad
    )


def test_catalog_params_match_neo4j_parser(catalog_results: list[LintResult]) -> None:
    """catalog.params_of (a regex) finds the same parameters as Neo4j's parser."""
    by_name = {q.name: q for q in neo4j_blocks(extra=EXTRA)}
    wrong = [
        f"{r.source} {r.name}: catalog {sorted(by_name[r.name].params)} != neo4j {sorted(r.params)}"
        for r in catalog_results
        if by_name[r.name].params != r.params
    ]
    assert not wrong, "\n".join(wrong)


def test_neo4j_blocks_take_catalog_and_neo4j_schema_only(tmp_path: Path) -> None:
    (tmp_path / "schema").mkdir()
    (tmp_path / "a.cypher").write_text("// @name q_a\n// Doc.\nRETURN 1 AS x\n")
    (tmp_path / "schema" / "neo4j.cypher").write_text("// @name s_neo\n// Doc.\nRETURN 2 AS x\n")
    (tmp_path / "schema" / "falkordb.cypher").write_text("// @name s_fk\n// Doc.\nRETURN 3\n")
    extra = tmp_path / "bench" / "cypher"
    extra.mkdir(parents=True)
    (extra / "b.cypher").write_text("// @name q_b\n// @write\n// Doc.\nCREATE (n) RETURN 4 AS x\n")
    assert [(q.name, q.source) for q in neo4j_blocks(tmp_path)] == [
        ("q_a", "a.cypher:1"),
        ("s_neo", "schema/neo4j.cypher:1"),
    ]
    assert [(q.name, q.source) for q in neo4j_blocks(tmp_path, extra=[extra])] == [
        ("q_a", "a.cypher:1"),
        ("q_b", "bench/cypher/b.cypher:1"),
        ("s_neo", "schema/neo4j.cypher:1"),
    ]


def test_the_linted_blocks_are_every_block_the_suite_and_benchmarks_can_run() -> None:
    linted = {q.name for q in neo4j_blocks(extra=EXTRA)}
    bench = set(catalog.load_dir(EXTRA[1]))
    assert set(catalog.catalog()) | bench <= linted  # the tests' catalog, and bench/cypher/
    assert bench and set(catalog.load_dir(EXTRA[0]))


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_block_is_rejected(fixture_results: dict[str, LintResult], name: str) -> None:
    result = fixture_results[name]
    assert result.errors, f"{name}: Neo4j's analyser found no error"
    messages = " | ".join(d.message for d in result.errors)
    assert BROKEN[name] in messages, messages


def test_every_broken_fixture_is_checked(fixture_results: dict[str, LintResult]) -> None:
    broken = {q.name for q in _fixture("broken.cypher")}
    assert broken == set(BROKEN)


def test_error_position_is_block_relative(fixture_results: dict[str, LintResult]) -> None:
    (err,) = fixture_results["undefined_variable"].errors
    assert (err.line, err.column) == (2, 8)  # "RETURN m" on the statement's second line


@pytest.mark.parametrize("name", ["upsert_areas_sample", "area_page_sample"])
def test_correct_block_with_parameters_passes(
    fixture_results: dict[str, LintResult], name: str
) -> None:
    result = fixture_results[name]
    assert not result.errors, result.describe()
    (query,) = [q for q in _fixture("good.cypher") if q.name == name]
    assert result.params == query.params and result.params  # parameters seen, not flagged


def test_missing_node_modules_tells_to_run_setup(tmp_path: Path) -> None:
    shutil.copy(tool_dir() / "lint.cjs", tmp_path / "lint.cjs")
    q = _fixture("good.cypher")[:1]
    with pytest.raises(CypherLintUnavailable, match=r"scripts/setup\.sh"):
        lint_blocks(q, folder=tmp_path)
