"""Static check of Cypher blocks for Neo4j, without a Neo4j server.

Runs Neo4j's own analyser (npm package ``@neo4j-cypher/language-support``, function
``lintCypherQuery``) through ``tools/cypher-lint/lint.cjs``: one node process for all blocks.
It reports syntax errors, semantic errors (undefined variables, wrong arity, functions or
procedures that Neo4j 5 does not have) for the Cypher 5 dialect. Parameters are not errors.

Needs ``node`` and the folder's npm dependencies: ``scripts/setup.sh`` installs them.
Answers are cached in tools/cypher-lint/node_modules/.cache/ (keyed by the linter script, the
package and node versions and the block text); ORGRAPH_CYPHER_LINT_NO_CACHE=1 bypasses it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orgraph import catalog
from orgraph.catalog import Query
from orgraph.errors import ConfigError

PACKAGE = "@neo4j-cypher/language-support"
_SETUP_HINT = "run scripts/setup.sh (or tools/cypher-lint/install.sh) to install it"


class CypherLintUnavailable(ConfigError):
    """node or the linter's npm dependencies are missing."""


@dataclass(frozen=True)
class Diagnostic:
    message: str
    line: int  # 1-based, relative to the block's statement text
    column: int  # 1-based

    def __str__(self) -> str:
        return f"line {self.line} col {self.column}: {self.message}"


@dataclass(frozen=True)
class LintResult:
    name: str
    source: str
    errors: tuple[Diagnostic, ...]
    warnings: tuple[Diagnostic, ...]
    params: frozenset[str]  # parameter names as Neo4j's parser sees them

    @property
    def ok(self) -> bool:
        return not self.errors

    def describe(self) -> str:
        lines = [f"{self.source} {self.name}:"]
        lines += [f"    error   {d}" for d in self.errors]
        lines += [f"    warning {d}" for d in self.warnings]
        return "\n".join(lines)


def tool_dir() -> Path:
    """tools/cypher-lint in the source tree (the linter is a development tool)."""
    return Path(__file__).resolve().parents[2] / "tools" / "cypher-lint"


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        raise CypherLintUnavailable(f"Cypher 检查需要 Node.js (node 不在 PATH 中): {_SETUP_HINT}")
    return node


def check_installed(folder: Path | None = None) -> Path:
    """The linter's folder, once node and its npm dependencies are known to be there."""
    folder = folder or tool_dir()
    script = folder / "lint.cjs"
    if not script.is_file():
        raise CypherLintUnavailable(f"找不到 {script}: Cypher 检查工具只在源码树中提供")
    _node()
    if not (folder / "node_modules" / PACKAGE / "package.json").is_file():
        raise CypherLintUnavailable(
            f"Cypher 检查工具缺少 npm 依赖 {PACKAGE} ({folder / 'node_modules'}): {_SETUP_HINT}"
        )
    return folder


def _diagnostics(items: list[dict[str, Any]]) -> tuple[Diagnostic, ...]:
    return tuple(Diagnostic(str(d["message"]), int(d["line"]), int(d["column"])) for d in items)


def lint_blocks(
    blocks: list[Query],
    *,
    use_cache: bool | None = None,
    timeout: float = 300.0,
    folder: Path | None = None,
) -> list[LintResult]:
    """Lint every block with Neo4j's analyser; one result per block, in order."""
    if use_cache is None:
        use_cache = os.environ.get("ORGRAPH_CYPHER_LINT_NO_CACHE", "") in ("", "0")
    if not blocks:
        return []
    folder = check_installed(folder)
    payload = json.dumps([{"name": q.name, "source": q.source, "text": q.text} for q in blocks])
    cmd = [_node(), str(folder / "lint.cjs")]
    if not use_cache:
        cmd.append("--no-cache")
    proc = subprocess.run(
        cmd,
        input=payload,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        cwd=folder,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"cypher-lint failed (exit {proc.returncode}):\n{proc.stderr.strip()}")
    raw: list[dict[str, Any]] = json.loads(proc.stdout)
    if len(raw) != len(blocks):
        raise RuntimeError(f"cypher-lint answered {len(raw)} results for {len(blocks)} blocks")
    return [
        LintResult(
            name=str(r["name"]),
            source=str(r["source"]),
            errors=_diagnostics(r["errors"]),
            warnings=_diagnostics(r["warnings"]),
            params=frozenset(str(p) for p in r["params"]),
        )
        for r in raw
    ]


def neo4j_blocks(root: Path | None = None, *, extra: Sequence[Path] = ()) -> list[Query]:
    """Every block that must be valid Neo4j 5 Cypher: cypher/*.cypher, the blocks of each
    folder in extra (tests/cypher/, bench/cypher/) and the Neo4j schema.

    cypher/schema/falkordb.cypher is FalkorDB's own dialect and is not included.
    """
    root = root or catalog.cypher_dir()
    folders = [(root, ""), *((f, catalog.source_prefix(f)) for f in extra)]
    blocks = list(catalog.load_dirs(folders).values())
    schema = root / "schema" / "neo4j.cypher"
    if schema.is_file():
        blocks += catalog.parse_blocks(schema.read_text(encoding="utf-8"), f"schema/{schema.name}")
    return blocks
