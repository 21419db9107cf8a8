"""The Cypher query catalog: every statement lives in cypher/*.cypher as a named block.

Block format::

    // @name upsert_areas
    // One-line description of what the statement does.
    UNWIND $rows AS row
    MERGE (a:Area {code: row.code}) ...

A block runs from its `// @name` line to the next one (or the end of the file). A schema
file for one engine lives under cypher/schema/ and is loaded by the migrations, not here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

_NAME_RE = re.compile(r"^//\s*@name\s+([a-z][a-z0-9_]*)\s*$")
_PARAM_RE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_STRING_RE = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
_COMMENT_RE = re.compile(r"//[^\n]*")


@dataclass(frozen=True)
class Query:
    name: str
    doc: str
    text: str
    source: str  # file name and line, for messages
    params: frozenset[str]


def cypher_dir() -> Path:
    """Where the .cypher files are: inside the installed package, else the source tree."""
    packaged = resources.files("orgraph") / "cypher"
    if packaged.is_dir():
        return Path(str(packaged))
    src_tree = Path(__file__).resolve().parents[2] / "cypher"
    if src_tree.is_dir():
        return src_tree
    raise FileNotFoundError("orgraph 安装不完整: 找不到 cypher/ 目录")


def params_of(text: str) -> frozenset[str]:
    """Parameter names a statement uses, ignoring string literals and comments."""
    bare = _COMMENT_RE.sub("", _STRING_RE.sub("''", text))
    return frozenset(_PARAM_RE.findall(bare))


def parse_blocks(text: str, source: str) -> list[Query]:
    blocks: list[Query] = []
    name: str | None = None
    start = 0
    lines: list[str] = []

    def close() -> None:
        if name is None:
            return
        doc_lines = []
        body: list[str] = []
        for ln in lines:
            if not body and ln.strip().startswith("//"):
                doc_lines.append(ln.strip().lstrip("/").strip())
            else:
                body.append(ln)
        stmt = "\n".join(body).strip().rstrip(";").strip()
        if not doc_lines:
            raise ValueError(f"{source}:{start}: block {name!r} has no doc comment")
        if not stmt:
            raise ValueError(f"{source}:{start}: block {name!r} is empty")
        blocks.append(Query(name, " ".join(doc_lines), stmt, f"{source}:{start}", params_of(stmt)))

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


def load_dir(folder: Path) -> dict[str, Query]:
    out: dict[str, Query] = {}
    for path in sorted(folder.glob("*.cypher")):
        for q in parse_blocks(path.read_text(encoding="utf-8"), path.name):
            if q.name in out:
                raise ValueError(
                    f"duplicate query name {q.name!r} in {q.source} and {out[q.name].source}"
                )
            out[q.name] = q
    return out


@lru_cache(maxsize=1)
def catalog() -> dict[str, Query]:
    return load_dir(cypher_dir())


def get(name: str) -> Query:
    try:
        return catalog()[name]
    except KeyError:
        raise KeyError(f"no Cypher block named {name!r} in cypher/") from None
