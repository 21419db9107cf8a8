"""The query catalog: block parsing, parameter checks, and every call site against its block."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from orgraph import catalog
from orgraph.errors import BadQuery
from orgraph.store.base import checked
from orgraph.store.migrations import schema_blocks

ROOT = Path(__file__).resolve().parents[2]


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


def test_checked_rejects_missing_and_extra_parameters() -> None:
    assert checked("area_by_code", {"code": "1"}).name == "area_by_code"
    with pytest.raises(BadQuery, match="缺少 \\['code'\\]"):
        checked("area_by_code", {})
    with pytest.raises(BadQuery, match="多余 \\['zzz'\\]"):
        checked("area_by_code", {"code": "1", "zzz": 2})
    with pytest.raises(KeyError):
        checked("no_such_block", {})


def _call_sites() -> list[tuple[str, int, str, set[str] | None]]:
    """(file, line, block, keyword names) for every store.read/write("literal", ...) in src/
    and bench/.

    By convention the receiver is a name or attribute called `store` (or ending in `store`).
    The importer's batching helper `self._write("block", rows, label)` passes `rows` only.
    """
    sites = []
    paths = sorted((ROOT / "src").rglob("*.py")) + sorted((ROOT / "bench").rglob("*.py"))
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("read", "write", "_write")
                and node.args
            ):
                continue
            first = node.args[0]
            if node.func.attr == "_write":
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    sites.append((str(path.relative_to(ROOT)), node.lineno, first.value, {"rows"}))
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
            sites.append((str(path.relative_to(ROOT)), node.lineno, first.value, names))
    return sites


def test_every_call_site_passes_exactly_its_blocks_parameters() -> None:
    cat = catalog.catalog()
    sites = _call_sites()
    assert sites, "no call sites found: the scan is broken"
    problems = []
    for file, line, name, names in sites:
        if name not in cat:
            problems.append(f"{file}:{line}: no block named {name!r}")
        elif names is None:
            problems.append(f"{file}:{line}: {name}: pass parameters as explicit keywords")
        elif names != set(cat[name].params):
            problems.append(
                f"{file}:{line}: {name}: passes {sorted(names)}, block uses "
                f"{sorted(cat[name].params)}"
            )
    assert not problems, "\n".join(problems)


def test_every_block_is_used_somewhere() -> None:
    used = {name for _, _, name, _ in _call_sites()}
    tests_text = "\n".join(
        p.read_text(encoding="utf-8")
        for folder in ("tests", "bench")
        for p in (ROOT / folder).rglob("*.py")
    )
    unused = [n for n in catalog.catalog() if n not in used and f'"{n}"' not in tests_text]
    assert not unused, f"blocks nobody calls: {unused}"


def test_schema_files_exist_for_both_engines_with_the_same_versions() -> None:
    falkor = {b.name for b in schema_blocks("falkordb")}
    neo = {b.name for b in schema_blocks("neo4j")}
    assert falkor == neo


def test_installed_wheel_finds_its_cypher_files(tmp_path: Path) -> None:
    """A non-editable install must carry cypher/ inside the package."""
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
            "print(c.cypher_dir()); print(len(c.catalog()))",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    module_file, folder, count = out.stdout.split()
    assert module_file.startswith(str(target)), "imported the source tree, not the wheel"
    assert folder.startswith(str(target))
    assert int(count) == len(catalog.catalog())
