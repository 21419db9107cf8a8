"""The layers of docs/design.md#layers, held by the imports: each package imports only what its
layer may use, so a dependency that goes the wrong way fails here instead of creeping back.

The sources are read, never imported: every `import` and `from … import` counts wherever it
stands (module level, inside a function, under TYPE_CHECKING), and so does
`importlib.import_module("…")` with a literal name. Relative imports are made absolute, and
`from pkg import name` counts as `pkg.name` when that is a module.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = {
    "orgraph": ROOT / "src" / "orgraph",
    "orgraph_api": ROOT / "api" / "orgraph_api",
    "orgraph_dashboard": ROOT / "dashboard" / "orgraph_dashboard",
}


@dataclass(frozen=True)
class Import:
    source: str  # the importing module
    path: Path
    line: int
    target: str  # the imported module, absolute

    def __str__(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line} imports {self.target}"


@cache
def modules() -> dict[str, Path]:
    """Every first-party module and package by its dotted name."""
    found: dict[str, Path] = {}
    for top, folder in PACKAGES.items():
        for path in sorted(folder.rglob("*.py")):
            parts = [top, *path.relative_to(folder).with_suffix("").parts]
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _is_package(module: str) -> bool:
    return modules()[module].name == "__init__.py"


def _targets(module: str, tree: ast.AST) -> Iterator[tuple[int, str]]:
    known = modules()
    package = module if _is_package(module) else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                yield node.lineno, sub if sub in known else base
        elif (
            isinstance(node, ast.Call)
            and _called_name(node.func) in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.lineno, node.args[0].value


def _called_name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else ""


@cache
def imports_of(module: str) -> tuple[Import, ...]:
    path = modules()[module]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return tuple(Import(module, path, line, target) for line, target in _targets(module, tree))


def under(name: str, prefixes: Iterable[str]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def imports_in(prefixes: Iterable[str], *, excluding: Iterable[str] = ()) -> list[Import]:
    prefixes, excluding = tuple(prefixes), tuple(excluding)
    return [
        imp
        for module in sorted(modules())
        if under(module, prefixes) and not under(module, excluding)
        for imp in imports_of(module)
    ]


def loaded_by(roots: Iterable[str]) -> set[str]:
    """The first-party modules that importing `roots` can load: their imports, transitively,
    with each module's parent packages (whose __init__ runs first)."""
    known = modules()
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        module = todo.pop()
        if module in seen or module not in known:
            continue
        seen.add(module)
        parts = module.split(".")
        todo += [".".join(parts[:i]) for i in range(1, len(parts))]
        todo += [imp.target for imp in imports_of(module)]
    return seen


# -- the contracts ----------------------------------------------------------------------------

UPPER_LAYERS = (
    "orgraph.analysis",
    "orgraph.records",
    "orgraph.importer",
    "orgraph.mobility",
    "orgraph.security",
    "orgraph.roster",
    "orgraph.demo",
    "orgraph.cli",
    "orgraph.client",
    "orgraph.policy",
    "orgraph_api",
    "orgraph_dashboard",
)
FRONT_ENDS = ("orgraph_api", "orgraph_dashboard")


@dataclass(frozen=True)
class Contract:
    id: str
    name: str
    sources: tuple[str, ...]  # the importing modules: these and everything under them
    forbidden: tuple[str, ...] = ()  # may not import these (nor anything under them)
    only: tuple[str, ...] | None = None  # of the imports under `within`, only these
    within: tuple[str, ...] = ()
    excluding: tuple[str, ...] = ()  # sources left out

    def broken_by(self) -> list[Import]:
        bad = []
        for imp in imports_in(self.sources, excluding=self.excluding):
            if under(imp.target, self.forbidden) or (
                self.only is not None
                and under(imp.target, self.within)
                and not under(imp.target, self.only)
            ):
                bad.append(imp)
        return bad


CONTRACTS = [
    Contract(
        "dashboard",
        "the dashboard reaches orgraph through the client only (docs/design.md#dashboard)",
        sources=("orgraph_dashboard",),
        forbidden=("orgraph_api",),
        within=("orgraph",),
        only=("orgraph.client", "orgraph.vocab", "orgraph.errors", "orgraph.clock"),
    ),
    Contract(
        "api-no-cli",
        "the API never imports the CLI, typer or rich",
        sources=("orgraph_api",),
        forbidden=("orgraph.cli", "orgraph_dashboard", "typer", "rich"),
    ),
    Contract(
        "api-engine-only",
        "the API asks the Engine, and reads scopes through records.visibility, never the "
        "projection (docs/design.md#scopes)",
        sources=("orgraph_api",),
        within=("orgraph.analysis",),
        only=("orgraph.analysis.engine",),
    ),
    Contract(
        "store",
        "the store imports nothing above it (docs/design.md#store)",
        sources=("orgraph.store",),
        forbidden=UPPER_LAYERS,
    ),
    Contract(
        "analysis",
        "the engine neither writes nor serves: analysis imports no records, importer, "
        "lifecycle writes, security, CLI or front end (docs/design.md#projection)",
        sources=("orgraph.analysis",),
        forbidden=(
            "orgraph.records",
            "orgraph.importer",
            "orgraph.mobility.services",
            "orgraph.security",
            "orgraph.demo",
            "orgraph.cli",
            "orgraph.client",
            *FRONT_ENDS,
        ),
    ),
    Contract(
        "vocab",
        "orgraph.vocab imports nothing of orgraph",
        sources=("orgraph.vocab",),
        forbidden=("orgraph", *FRONT_ENDS),
    ),
    Contract(
        "core-no-front-ends",
        "only the CLI starts the front ends: the core never imports the API or the dashboard",
        sources=("orgraph",),
        excluding=("orgraph.cli",),
        forbidden=FRONT_ENDS,
    ),
]


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda c: c.id)
def test_contract(contract: Contract) -> None:
    broken = contract.broken_by()
    assert not broken, f"{contract.name}:\n" + "\n".join(f"  {imp}" for imp in broken)


def test_dashboard_loads_no_server_code() -> None:
    """What the dashboard's imports load in turn (the client's lazy imports included): the
    client, its errors, the vocabulary, the clock (the day it defaults its dates to), and the
    settings the client reads its address from."""
    roots = [imp.target for imp in imports_in(["orgraph_dashboard"])]
    loaded = {m for m in loaded_by(roots) if under(m, ["orgraph"])}
    extra = loaded - {
        "orgraph",
        "orgraph.client",
        "orgraph.errors",
        "orgraph.vocab",
        "orgraph.clock",
    }
    packages = sorted({".".join(m.split(".")[:2]) for m in extra - {"orgraph.config"}})
    assert not packages, f"the dashboard's imports load server code: {', '.join(packages)}"


def test_api_does_not_read_the_projection() -> None:
    """Routes ask the caller's view (`view.revision`, `view.area(code)`, `view.seen()`), never
    a projection held by it (`view.p.revision`, `seen.p.org_index`)."""
    reads = [
        f"{path.relative_to(ROOT)}:{node.lineno} reads .{node.attr}"
        for module, path in modules().items()
        if under(module, ["orgraph_api"])
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute) and node.attr in ("p", "_p")
    ]
    assert not reads, "\n".join(reads)


def test_the_scan_sees_imports() -> None:
    """The contracts are not vacuous: the scanner finds imports of every kind it must judge."""
    assert {"orgraph", "orgraph_api", "orgraph_dashboard"} <= set(modules())
    found = {(imp.source, imp.target) for imp in imports_in(["orgraph", *FRONT_ENDS])}
    assert ("orgraph_dashboard.session", "orgraph.client") in found  # from x import y
    assert ("orgraph.records.visibility", "orgraph.errors") in found
    assert ("orgraph.cli.serve", "orgraph_api.app") in found  # inside a function
    assert ("orgraph.analysis.engine", "orgraph.analysis.projection") in found
    assert ("orgraph.analysis.rules", "orgraph.analysis.mobile") in found  # from pkg import mod
    assert any(target == "typer" for source, target in found if source.startswith("orgraph.cli"))
    assert "orgraph.config" in loaded_by(["orgraph.client"])  # a lazy import, transitively
