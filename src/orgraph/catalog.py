"""The Cypher query catalog: every statement lives in cypher/*.cypher as a named block.

Block format::

    // @name upsert_areas
    // @write
    // One-line description of what the statement does.
    UNWIND $rows AS row
    MERGE (a:Area {code: row.code}) ...

A block runs from its `// @name` line to the next one (or the end of the file). Its header
comments are the doc, and markers: `// @write` on every block that writes (CREATE, MERGE,
SET, DELETE, REMOVE, DETACH, FOREACH, CALL ... IN TRANSACTIONS, LOAD CSV). Loading a folder
checks that the marker and the statement agree, both ways; the stores route by it (`read`
refuses a marked block, `write` an unmarked one).

A writing block may also say what it changes, for the change log that keeps every process's
analysis projection current without a reload (docs/design.md#change-log)::

    // @touches member:rows.member household:$id orgs

`kind:$param` names a parameter holding one key or a list of keys, `kind:rows.field` the field
of every row of `$rows`; `orgs` and `areas` mean "re-read that whole (small) table". Kinds:
member, household, meeting (keys), orgs, areas. A writing block without `@touches` counts as a
change to anything, so readers reload the whole projection after it.

cypher/ holds what orgraph itself runs. The tests and the benchmarks keep their own blocks in
tests/cypher/ and bench/cypher/ and add them to the catalog of their process with `extend`;
the installed package never carries them. A schema file for one engine lives under
cypher/schema/ and is loaded by the migrations, not here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

_NAME_RE = re.compile(r"^//\s*@name\s+([a-z][a-z0-9_]*)\s*$")
_MARKER_RE = re.compile(r"^//\s*@(\S*)\s*(.*)$")
_PARAM_RE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_STRING_RE = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
_COMMENT_RE = re.compile(r"//[^\n]*")
_QUOTED_NAME_RE = re.compile(r"`[^`]*`")
# A writing clause: the keyword itself, not a property (`n.set`), label (`:Set`), parameter
# ($delete), map key ({create: 1}) or longer word (created).
_WRITE_RE = re.compile(
    r"(?<![.$:\w])(CREATE|MERGE|SET|DELETE|REMOVE|DETACH|FOREACH|IN\s+TRANSACTIONS|LOAD\s+CSV)"
    r"\b(?!\s*:)",
    re.I,
)
WRITE_MARKER = "write"
TOUCHES_MARKER = "touches"
KEYED_KINDS = frozenset({"member", "household", "meeting"})
TABLE_KINDS = frozenset({"orgs", "areas"})
_TOUCH_RE = re.compile(r"^([a-z]+):(?:\$([A-Za-z_]\w*)|rows\.([A-Za-z_]\w*))$")


@dataclass(frozen=True)
class Touch:
    """What one writing block changes: `kind` with the keys in `param` (or in field `field` of
    every row of `param`), or a whole table (`kind` in TABLE_KINDS, no param)."""

    kind: str
    param: str | None = None
    field: str | None = None


@dataclass(frozen=True)
class Query:
    name: str
    doc: str
    text: str
    source: str  # file name and line, for messages
    params: frozenset[str]
    writes: bool = False  # marked `// @write`
    touches: tuple[Touch, ...] | None = None  # `// @touches`; None: changes anything


def cypher_dir() -> Path:
    """Where the .cypher files are: inside the installed package, else the source tree."""
    packaged = resources.files("orgraph") / "cypher"
    if packaged.is_dir():
        return Path(str(packaged))
    src_tree = Path(__file__).resolve().parents[2] / "cypher"
    if src_tree.is_dir():
        return src_tree
    raise FileNotFoundError("orgraph 安装不完整: 找不到 cypher/ 目录")


def _bare(text: str) -> str:
    """The statement without string literals, comments and quoted names."""
    return _COMMENT_RE.sub("", _QUOTED_NAME_RE.sub("``", _STRING_RE.sub("''", text)))


def params_of(text: str) -> frozenset[str]:
    """Parameter names a statement uses, ignoring string literals and comments."""
    bare = _COMMENT_RE.sub("", _STRING_RE.sub("''", text))
    return frozenset(_PARAM_RE.findall(bare))


def writing_clauses(text: str) -> list[str]:
    """The writing clauses a statement contains (upper case, in order), ignoring string
    literals, comments and names; empty for a read-only statement."""
    return [" ".join(m.group(1).upper().split()) for m in _WRITE_RE.finditer(_bare(text))]


def check_marker(q: Query) -> None:
    """ValueError unless the block is marked `// @write` exactly when its statement writes."""
    clauses = writing_clauses(q.text)
    if clauses and not q.writes:
        raise ValueError(
            f"{q.source}: block {q.name!r} writes ({', '.join(dict.fromkeys(clauses))}) "
            "but is not marked // @write"
        )
    if q.writes and not clauses:
        raise ValueError(f"{q.source}: block {q.name!r} is marked // @write but does not write")
    if q.touches is not None and not q.writes:
        raise ValueError(f"{q.source}: block {q.name!r} has // @touches but does not write")


def parse_touches(spec: str, where: str) -> tuple[Touch, ...]:
    """The touches of a `// @touches` marker's arguments (ValueError when malformed)."""
    out = []
    for word in spec.split():
        if word in TABLE_KINDS:
            out.append(Touch(word))
            continue
        m = _TOUCH_RE.match(word)
        if m is None or m.group(1) not in KEYED_KINDS:
            raise ValueError(
                f"{where}: bad @touches {word!r} (kind:$param or kind:rows.field with kind in "
                f"{sorted(KEYED_KINDS)}, or one of {sorted(TABLE_KINDS)})"
            )
        if m.group(2):
            out.append(Touch(m.group(1), m.group(2)))
        else:
            out.append(Touch(m.group(1), "rows", m.group(3)))
    if not out:
        raise ValueError(f"{where}: // @touches names nothing")
    return tuple(out)


def parse_blocks(text: str, source: str) -> list[Query]:
    blocks: list[Query] = []
    name: str | None = None
    start = 0
    lines: list[str] = []

    def close() -> None:
        if name is None:
            return
        doc_lines = []
        markers: set[str] = set()
        touches: tuple[Touch, ...] | None = None
        body: list[str] = []
        for ln in lines:
            if not body and ln.strip().startswith("//"):
                m = _MARKER_RE.match(ln.strip())
                if m is None:
                    doc_lines.append(ln.strip().lstrip("/").strip())
                elif m.group(1) == WRITE_MARKER and not m.group(2):
                    markers.add(m.group(1))
                elif m.group(1) == TOUCHES_MARKER and touches is None:
                    touches = parse_touches(m.group(2), f"{source}:{start}: block {name!r}")
                else:
                    raise ValueError(
                        f"{source}:{start}: block {name!r} has an unknown marker {ln.strip()!r} "
                        f"(only // @{WRITE_MARKER} and one // @{TOUCHES_MARKER})"
                    )
            else:
                body.append(ln)
        stmt = "\n".join(body).strip().rstrip(";").strip()
        if not doc_lines:
            raise ValueError(f"{source}:{start}: block {name!r} has no doc comment")
        if not stmt:
            raise ValueError(f"{source}:{start}: block {name!r} is empty")
        params = params_of(stmt)
        for t in touches or ():
            if t.param is not None and t.param not in params:
                raise ValueError(
                    f"{source}:{start}: block {name!r} @touches ${t.param}, not a parameter"
                )
        blocks.append(
            Query(
                name,
                " ".join(doc_lines),
                stmt,
                f"{source}:{start}",
                params,
                WRITE_MARKER in markers,
                touches,
            )
        )

    for i, raw in enumerate(text.splitlines(), start=1):
        m = _NAME_RE.match(raw.strip())
        if m:
            close()
            name, start, lines = m.group(1), i, []
        elif name is not None:
            lines.append(raw)
        elif raw.strip() and not raw.strip().startswith("//"):
            raise ValueError(f"{source}:{i}: statement outside a named block")
    close()
    return blocks


def load_dir(folder: Path, *, prefix: str = "") -> dict[str, Query]:
    """Every block of folder/*.cypher, by name, each checked against its write marker; a
    block's source is prefix + file name + line."""
    return load_dirs([(folder, prefix)])


def load_dirs(folders: Iterable[tuple[Path, str]]) -> dict[str, Query]:
    """The blocks of several folders (each with its source prefix): one name, one block."""
    out: dict[str, Query] = {}
    for folder, prefix in folders:
        for path in sorted(folder.glob("*.cypher")):
            for q in parse_blocks(path.read_text(encoding="utf-8"), prefix + path.name):
                check_marker(q)
                if q.name in out:
                    raise ValueError(
                        f"duplicate query name {q.name!r} in {q.source} and {out[q.name].source}"
                    )
                out[q.name] = q
    return out


_EXTRA: list[Path] = []


def source_prefix(folder: Path) -> str:
    """How an added folder's blocks name their file: tests/cypher/testing.cypher:4."""
    return f"{folder.parent.name}/{folder.name}/"


def extend(folder: Path) -> None:
    """Add folder/*.cypher to this process's catalog (the tests add tests/cypher/, the
    benchmarks bench/cypher/); a block whose name is taken fails the next lookup."""
    folder = folder.resolve()
    if not folder.is_dir():
        raise FileNotFoundError(f"no folder of Cypher blocks at {folder}")
    if folder not in _EXTRA:
        _EXTRA.append(folder)
        catalog.cache_clear()


def extra_dirs() -> tuple[Path, ...]:
    """The folders `extend` added, in order."""
    return tuple(_EXTRA)


@lru_cache(maxsize=1)
def shipped() -> dict[str, Query]:
    """The blocks of cypher/ alone: what orgraph itself runs."""
    return load_dir(cypher_dir())


@lru_cache(maxsize=1)
def catalog() -> dict[str, Query]:
    """cypher/ and every folder added with `extend`."""
    if not _EXTRA:
        return shipped()
    return load_dirs([(cypher_dir(), ""), *((d, source_prefix(d)) for d in _EXTRA)])


def get(name: str) -> Query:
    try:
        return catalog()[name]
    except KeyError:
        where = ", ".join(["cypher/", *(source_prefix(d) for d in _EXTRA)])
        raise KeyError(f"no Cypher block named {name!r} in {where}") from None
