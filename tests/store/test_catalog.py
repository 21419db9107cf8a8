"""The query catalog: block parsing, write markers, parameter checks, the tests' and benchmarks'
own blocks, and every call site in src/, api/, dashboard/ and bench/ against its block."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from orgraph import catalog
from orgraph.errors import BadQuery
from orgraph.store import GraphStore
from orgraph.store.base import checked, count_nodes
from orgraph.store.falkor import FalkorStore
from orgraph.store.migrations import schema_blocks
from orgraph.store.neo4j_store import Neo4jStore

ROOT = Path(__file__).resolve().parents[2]
TESTS_CYPHER = ROOT / "tests" / "cypher"
BENCH_CYPHER = ROOT / "bench" / "cypher"
# Where code calls the store, and the blocks it may name: the application the shipped ones
# only, the benchmarks theirs too (the tests' own call sites are checked by running them).
APP = ("src", "api", "dashboard")
CALLERS = {**dict.fromkeys(APP, ()), "bench": (BENCH_CYPHER,)}


def blocks_for(*extra: Path) -> dict[str, catalog.Query]:
    return catalog.load_dirs(
        [(catalog.cypher_dir(), ""), *((d, catalog.source_prefix(d)) for d in extra)]
    )


def every_block() -> dict[str, catalog.Query]:
    """The shipped blocks, the tests' and the benchmarks'."""
    return blocks_for(TESTS_CYPHER, BENCH_CYPHER)


def test_parse_blocks_reads_name_doc_text_and_params() -> None:
    text = (
        "// header comment\n\n"
        "// @name first_one\n// Finds things.\nMATCH (a:Area {code: $code})\n"
        "WHERE a.name <> '$not_a_param' // $nor_this\nRETURN a.code AS code;\n\n"
        "// @name second\n// Two-line\n// doc.\nRETURN $x + $y AS s\n"
    )
    blocks = catalog.parse_blocks(text, "t.cypher")
    assert [b.name for b in blocks] == ["first_one", "second"]
    assert blocks[0].doc == "Finds things."
    assert blocks[0].params == {"code"}
    assert blocks[0].text.endswith("RETURN a.code AS code")
    assert blocks[1].doc == "Two-line doc."
    assert blocks[1].params == {"x", "y"}


@pytest.mark.parametrize(
    "text, message",
    [
        ("// @name a\nRETURN 1", "no doc comment"),
        ("// @name a\n// doc\n", "is empty"),
        ("RETURN 1\n// @name a\n// doc\nRETURN 1", "outside a named block"),
        ("// @name a\n// @writes\n// doc\nCREATE (n)", "unknown marker '// @writes'"),
        ("// @name a\n// @write now\n// doc\nCREATE (n)", "unknown marker"),
    ],
)
def test_malformed_blocks_are_rejected(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        catalog.parse_blocks(text, "bad.cypher")


def test_duplicate_names_across_files_are_rejected(tmp_path: Path) -> None:
    (tmp_path / "a.cypher").write_text("// @name same\n// doc\nRETURN 1")
    (tmp_path / "b.cypher").write_text("// @name same\n// doc\nRETURN 2")
    with pytest.raises(ValueError, match="duplicate query name 'same'"):
        catalog.load_dir(tmp_path)


# -- write markers ----------------------------------------------------------------------------


def test_the_write_marker_is_read_from_the_header_and_is_not_doc() -> None:
    text = (
        "// @name w\n// Writes.\n// @write\nMERGE (a:Area {code: $code})\n\n"
        "// @name r\n// Reads.\nMATCH (a:Area) RETURN a.code AS code\n"
    )
    w, r = catalog.parse_blocks(text, "t.cypher")
    assert (w.writes, w.doc, r.writes) == (True, "Writes.", False)


@pytest.mark.parametrize(
    "statement, clauses",
    [
        ("MATCH (a) RETURN a.code AS code", []),
        (
            "UNWIND $rows AS row MERGE (a:Area {code: row.code}) SET a += row.props",
            ["MERGE", "SET"],
        ),
        ("MATCH (n) WITH n LIMIT $limit DETACH DELETE n", ["DETACH", "DELETE"]),
        ("MATCH (n) remove n.flag", ["REMOVE"]),
        ("MATCH (a) FOREACH (x IN [] | CREATE (:B))", ["FOREACH", "CREATE"]),
        ("MATCH (n) CALL { WITH n DELETE n } IN  TRANSACTIONS", ["DELETE", "IN TRANSACTIONS"]),
        # words that only look like clauses
        ("MATCH (a:Set) WHERE a.create = 'MERGE' // SET\nRETURN a.delete AS created", []),
        ("RETURN {merge: $set, remove: 1} AS m, `SET` AS x", []),
    ],
)
def test_writing_clauses_ignore_strings_comments_names_and_keys(
    statement: str, clauses: list[str]
) -> None:
    assert catalog.writing_clauses(statement) == clauses


@pytest.mark.parametrize(
    "block, message",
    [
        (
            "// @name w\n// doc\nCREATE (a:Area {code: $code})",
            r"writes \(CREATE\) but is not marked",
        ),
        ("// @name w\n// doc\nMATCH (a) SET a.x = 1", r"writes \(SET\) but is not marked"),
        (
            "// @name r\n// @write\n// doc\nMATCH (a) RETURN a",
            "marked // @write but does not write",
        ),
    ],
)
def test_loading_refuses_a_marker_that_does_not_match_the_statement(
    tmp_path: Path, block: str, message: str
) -> None:
    (tmp_path / "a.cypher").write_text(block)
    with pytest.raises(ValueError, match=message):
        catalog.load_dir(tmp_path)


def test_every_block_is_marked_exactly_when_it_writes() -> None:
    """Loading checks it; here in so many words, for every folder of blocks."""
    blocks = every_block()
    wrong = [q.source for q in blocks.values() if q.writes != bool(catalog.writing_clauses(q.text))]
    assert not wrong
    assert {"upsert_areas", "bump_revision", "drop_all_batch"} <= {
        n for n, q in blocks.items() if q.writes
    }


# -- the tests' and the benchmarks' own blocks ------------------------------------------------


@pytest.fixture
def own_extras(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """catalog.extend on a private list of folders, the process's own restored afterwards."""
    monkeypatch.setattr(catalog, "_EXTRA", [])
    catalog.catalog.cache_clear()
    yield
    monkeypatch.undo()
    catalog.catalog.cache_clear()


@pytest.mark.usefixtures("own_extras")
def test_extend_adds_a_folder_to_the_catalog_but_not_to_the_shipped_blocks(
    tmp_path: Path,
) -> None:
    extra = tmp_path / "bench" / "cypher"
    extra.mkdir(parents=True)
    (extra / "x.cypher").write_text("// @name x_only\n// Doc.\nRETURN $a AS a\n")
    assert "x_only" not in catalog.catalog()
    with pytest.raises(KeyError, match="no Cypher block named 'x_only' in cypher/"):
        catalog.get("x_only")
    catalog.extend(extra)
    catalog.extend(extra)  # twice is once
    assert catalog.extra_dirs() == (extra.resolve(),)
    assert catalog.get("x_only").source == "bench/cypher/x.cypher:1"
    assert set(catalog.catalog()) == {*catalog.shipped(), "x_only"}
    assert "x_only" not in catalog.shipped()


@pytest.mark.usefixtures("own_extras")
def test_an_added_block_may_not_take_a_shipped_name(tmp_path: Path) -> None:
    (tmp_path / "x.cypher").write_text("// @name count_nodes\n// Doc.\nRETURN 1 AS nodes\n")
    catalog.extend(tmp_path)
    with pytest.raises(ValueError, match="duplicate query name 'count_nodes'"):
        catalog.catalog()


def test_the_tests_catalog_is_the_shipped_one_and_tests_cypher() -> None:
    assert catalog.extra_dirs() == (TESTS_CYPHER,)  # tests/conftest.py
    assert catalog.catalog() == blocks_for(TESTS_CYPHER)


def test_checked_rejects_missing_and_extra_parameters() -> None:
    assert checked("area_by_code", {"code": "1"}).name == "area_by_code"
    with pytest.raises(BadQuery, match="缺少 \\['code'\\]"):
        checked("area_by_code", {})
    with pytest.raises(BadQuery, match="多余 \\['zzz'\\]"):
        checked("area_by_code", {"code": "1", "zzz": 2})
    with pytest.raises(KeyError):
        checked("no_such_block", {})


def test_checked_rejects_a_block_whose_marker_does_not_fit_the_call() -> None:
    assert checked("upsert_areas", {"rows": []}, writes=True).writes
    assert not checked("count_nodes", {}, writes=False).writes
    with pytest.raises(BadQuery, match="upsert_areas 会写入图"):
        checked("upsert_areas", {"rows": []}, writes=False)
    with pytest.raises(BadQuery, match="count_nodes 是只读查询"):
        checked("count_nodes", {}, writes=True)


# -- call sites -------------------------------------------------------------------------------


def _call_sites() -> list[tuple[str, int, str, str, set[str] | None]]:
    """(file, line, read or write, block, keyword names) for every store.read/write("literal",
    ...) in src/, api/, dashboard/ and bench/.

    By convention the receiver is a name or attribute called `store` (or ending in `store`).
    The importer's batching helpers `self._write("block", rows, label, create="block")` and
    `self._write_items("block", "create_block", items, label)` pass `rows` only.
    """
    sites: list[tuple[str, int, str, str, set[str] | None]] = []
    paths = [p for folder in CALLERS for p in sorted((ROOT / folder).rglob("*.py"))]
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("read", "write", "_write", "_write_items")
                and node.args
            ):
                continue
            first = node.args[0]
            if node.func.attr in ("_write", "_write_items"):
                # its block, and its CREATE block (`create=`, or `_write_items`' second
                # argument), get `rows` only
                given = [first, *(k.value for k in node.keywords if k.arg == "create")]
                if node.func.attr == "_write_items":
                    given.append(node.args[1])
                for block in given:
                    if isinstance(block, ast.Constant) and isinstance(block.value, str):
                        rel = str(path.relative_to(ROOT))
                        sites.append((rel, node.lineno, "write", block.value, {"rows"}))
                continue
            recv = node.func.value
            recv_name = (
                recv.id
                if isinstance(recv, ast.Name)
                else (recv.attr if isinstance(recv, ast.Attribute) else "")
            )
            in_adapter = path.parent.name == "store"  # adapters call their own read/write
            if not (recv_name.endswith("store") or (in_adapter and recv_name == "self")):
                continue
            first = node.args[0]
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                continue
            names: set[str] | None = {k.arg for k in node.keywords if k.arg is not None}
            if any(k.arg is None for k in node.keywords) or len(node.args) > 1:
                names = None  # **splat or positional dict: cannot be checked statically
            rel = str(path.relative_to(ROOT))
            sites.append((rel, node.lineno, node.func.attr, first.value, names))
    return sites


def test_the_call_site_scan_covers_every_caller() -> None:
    folders = {file.split("/")[0] for file, *_ in _call_sites()}
    assert folders == {"src", "api", "bench"}  # the dashboard talks to the API, not the store


def test_every_call_site_passes_exactly_its_blocks_parameters() -> None:
    sites = _call_sites()
    assert sites, "no call sites found: the scan is broken"
    problems = []
    for file, line, how, name, names in sites:
        cat = blocks_for(*CALLERS[file.split("/")[0]])
        if name not in cat:
            problems.append(f"{file}:{line}: no block named {name!r} that {file} may run")
        elif names is None:
            problems.append(f"{file}:{line}: {name}: pass parameters as explicit keywords")
        elif names != set(cat[name].params):
            problems.append(
                f"{file}:{line}: {name}: passes {sorted(names)}, block uses "
                f"{sorted(cat[name].params)}"
            )
        elif cat[name].writes != (how == "write"):
            problems.append(
                f"{file}:{line}: {how}({name!r}) but the block is "
                + ("marked // @write" if cat[name].writes else "read-only")
            )
    assert not problems, "\n".join(problems)


def _text(*folders: str) -> str:
    return "\n".join(
        p.read_text(encoding="utf-8") for folder in folders for p in (ROOT / folder).rglob("*.py")
    )


def test_every_block_is_used_where_it_lives() -> None:
    """A shipped block is named by the application (src/, api/, dashboard/): a block that
    only the tests or the benchmarks name lives in tests/cypher/ or bench/cypher/, and each
    of those is named there."""
    unused = [
        f"{q.source} {n}"
        for folder, text in (
            (catalog.cypher_dir(), _text(*APP)),
            (TESTS_CYPHER, _text("tests")),
            (BENCH_CYPHER, _text("bench")),
        )
        for n, q in catalog.load_dir(folder).items()
        if f'"{n}"' not in text
    ]
    assert not unused, f"blocks nobody there names: {unused}"


# -- the stores route by the marker, on both engines -------------------------------------------


def _revision(store: GraphStore) -> object:
    return store.read("graph_revision")


def test_read_refuses_a_write_block_and_write_a_read_only_one(store: GraphStore) -> None:
    rev = _revision(store)
    row = {"code": "1", "props": {"name": "x", "level": "village"}}
    with pytest.raises(BadQuery, match=r"upsert_areas 会写入图.*只能用 write"):
        store.read("upsert_areas", rows=[row])
    with pytest.raises(BadQuery, match=r"count_nodes 是只读查询.*只能用 read"):
        store.write("count_nodes")
    with store.transaction() as tx:
        with pytest.raises(BadQuery, match="upsert_areas 会写入图"):
            tx.read("upsert_areas", rows=[row])
        with pytest.raises(BadQuery, match="count_nodes 是只读查询"):
            tx.write("count_nodes")
    assert count_nodes(store) == 0
    assert _revision(store) == rev  # nothing ran, so nothing was bumped
    store.write("upsert_areas", rows=[row])
    assert count_nodes(store) == 1 and _revision(store) != rev


def _dummy(params: frozenset[str]) -> dict[str, object]:
    """Values of the right shape for planning a block on an empty graph."""
    return {
        p: 1
        if p in ("limit", "version", "size")
        else ([] if p in ("rows", "ids", "keys", "codes", "branches") else "x")
        for p in params
    }


def test_each_engine_agrees_with_the_write_markers(store: GraphStore) -> None:
    """Neo4j's planner classifies every block (EXPLAIN's query type: r, rw, w or s); FalkorDB
    refuses every marked block as GRAPH.RO_QUERY and runs every other one there."""
    wrong = []
    for name, q in every_block().items():
        writes: bool
        seen: str
        if isinstance(store, Neo4jStore):
            # EXPLAIN plans without parameter values
            summary = store._driver.execute_query(
                "EXPLAIN " + q.text, database_=store.database
            ).summary
            writes = summary.query_type != "r"
            seen = str(summary.query_type)
        else:
            assert isinstance(store, FalkorStore)
            header = store._graph._build_params_header(_dummy(q.params))
            try:
                store.connection.execute_command(  # type: ignore[no-untyped-call]
                    "GRAPH.RO_QUERY", store.graph_name, header + q.text
                )
                writes, seen = False, "ran read-only"
            except Exception as exc:
                writes, seen = "read-only" in str(exc), str(exc)
        if writes != q.writes:
            wrong.append(f"{q.source} {name}: marked {q.writes}, {store.engine} says {seen}")
    assert not wrong, "\n".join(wrong)


def test_schema_files_exist_for_both_engines_with_the_same_versions() -> None:
    falkor = {b.name for b in schema_blocks("falkordb")}
    neo = {b.name for b in schema_blocks("neo4j")}
    assert falkor == neo


def test_installed_wheel_finds_its_cypher_files(tmp_path: Path) -> None:
    """A non-editable install must carry cypher/ inside the package, and only cypher/."""
    wheel_dir, target = tmp_path / "wheel", tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheel_dir), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    wheel = next(wheel_dir.glob("orgraph-*.whl"))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import orgraph, orgraph.catalog as c; print(orgraph.__file__); "
            "print(c.cypher_dir()); print(' '.join(sorted(c.catalog())))",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    module_file, folder, names = out.stdout.split("\n")[:3]
    assert module_file.startswith(str(target)), "imported the source tree, not the wheel"
    assert folder.startswith(str(target))
    assert names.split() == sorted(catalog.shipped())
    assert not {*catalog.load_dir(TESTS_CYPHER), *catalog.load_dir(BENCH_CYPHER)} & set(
        names.split()
    )
