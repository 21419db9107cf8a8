"""Projection snapshots: a Projection saved to a folder column by column and loaded back by a
new process without reading the graph (docs/design.md#snapshots, issue #12).

`save(p, folder)` writes `<folder>/snapshot-<revision>/` (a temporary folder, every file
fsynced, then one rename; the two most recently saved snapshots are kept, older ones pruned);
`load(folder, revision)` returns the Projection saved for that revision, or None when there is
none, it is unreadable or of another format. The encoding follows the field types of
`Projection` (`dataclasses.fields`), so a field added later is saved with no change here, and
a type this module cannot encode fails `save` with a TypeError naming the field:

- numpy arrays: one `.npy` each, memory-mapped read-only on load (`mmap_mode="r"`, arrays of
  `MMAP_MIN` bytes or more; smaller ones are read and also made read-only). Pages are shared
  by every process that loads the same snapshot; code must never write into a loaded array
  (build a new one: `np.concatenate`, `np.where`, a copy);
- `list[str]` (`| None`): the strings joined by a separator no string holds, UTF-8, plus a
  `.none.npy` mask where there are Nones; a column of few distinct strings (or
  `frozenset[str]`) as the distinct values and a code per row, shared objects on load;
  `list[int|float|bool]` (`| None`): a `.npy`;
- `list[list[T]]`, `list[frozenset[T]]` (sorted) and `list[tuple[T, ...]]`: CSR, offsets and
  the values as one column; `list[tuple[A, B, ...]]`: one column per position;
- `dict[K, V]`: not stored when it is the index of a key list (`area_index` of `area_code`:
  `{key: position}`), rebuilt on load; otherwise its keys and values as two columns;
- scalars (`str`, `int`, `float`, `bool`, None): in `manifest.json`, with the format version,
  the revision, each field's type and each file's size and CRC-32;
- `derived` and `hh_head` are caches (as is a field declared with `metadata={"cache": True}`):
  not saved as fields, empty (their defaults) after a load; but the entries of `derived` that
  declare their reads and are arrays (`_encode_derived`) are saved beside the fields and
  restored when the same analysis code loads them (`code_digest`).

A loaded projection equals the saved one field by field (`projection_compare.equal`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import hashlib
import itertools
import json
import logging
import mmap
import os
import re
import shutil
import threading
import time
import typing
import uuid
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from types import NoneType, UnionType
from typing import Any, Final

import numpy as np

from orgraph.analysis.projection import Deferred, LazyIndex, Projection
from orgraph.analysis.projection_compare import is_cache
from orgraph.config import Settings
from orgraph.store.filemodes import FILE_MODE, private_dir

log = logging.getLogger(__name__)

FORMAT = 1  # raise it whenever the encoding changes: older snapshots then load as None
PREFIX = "snapshot-"
KEEP = 2  # snapshots kept after a save: the one just saved and the one before
MANIFEST = "manifest.json"
MMAP_MIN = 1 << 16  # arrays at least this large (bytes) are memory-mapped, smaller ones read
CAT_MIN = 64  # a shorter str or frozenset[str] column is never dictionary-encoded
STALE_TMP_S = 3600  # a temporary folder this old is a crashed save's and is removed


class _Latest:
    def __repr__(self) -> str:
        return "LATEST"


LATEST: Final = _Latest()  # load(folder): the snapshot saved most recently, whatever its revision


def snapshot_dir(settings: Settings) -> Path:
    """Where the projection snapshots of this data folder live: `<data>/projection/`."""
    return settings.data_path / "projection"


# -- saving -----------------------------------------------------------------------------------


def save(p: Projection, folder: Path) -> Path:
    """Write p to `<folder>/snapshot-<revision>/` atomically and prune older snapshots; returns
    that folder. A snapshot of the same revision already there is kept (and counts as the
    newest; its saved caches are replaced by p's when other code saved them). Raises
    TypeError for a field whose type or value this module cannot encode, and OSError when the
    folder cannot be written; the projection itself is never changed."""
    folder = private_dir(Path(folder))
    final = folder / _dirname(p.revision)
    held = _read_manifest(final)
    if held is not None:  # saved already: only the newest now
        if (held.get("derived") or {}).get("code") != code_digest():
            _refresh_derived(final, held, p)  # saved by other code: its caches are ignored
        os.utime(final / MANIFEST)
        prune(folder, keep=KEEP, protect=final)
        return final
    tmp = private_dir(folder / f".tmp-{uuid.uuid4().hex}")
    try:
        w = _Writer(tmp)
        fields: dict[str, Any] = {}
        for f in _fields(Projection):
            spec = _encode_field(w, f.name, _hints(Projection)[f.name], getattr(p, f.name), p)
            fields[f.name] = {"type": _type_key(_hints(Projection)[f.name]), **spec}
        derived = _encode_derived(w, p)
        manifest = {
            "format": FORMAT,
            "revision": p.revision,
            "saved_at": time.time(),
            "fields": fields,
            "derived": {"code": code_digest(), "values": derived},
            "files": w.files,
        }
        w.write(MANIFEST, json.dumps(manifest, indent=1).encode(), record=False)
        _fsync_dir(tmp)
        _install(tmp, final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    _fsync_dir(folder)
    prune(folder, keep=KEEP, protect=final)
    return final


def _install(tmp: Path, final: Path) -> None:
    """Rename tmp to final; when final exists, keep it if it is a readable snapshot of this
    format (touching its manifest: it is the newest now), else replace it."""
    try:
        os.rename(tmp, final)
        return
    except OSError:
        if not final.exists():
            raise
    if _read_manifest(final) is not None:
        os.utime(final / MANIFEST)
        return
    trash = final.with_name(f".trash-{uuid.uuid4().hex}")
    os.rename(final, trash)
    os.rename(tmp, final)
    shutil.rmtree(trash, ignore_errors=True)


def prune(folder: Path, *, keep: int = KEEP, protect: Path | None = None) -> list[Path]:
    """Remove all but the `keep` most recently saved snapshots (never `protect`), and the
    leftovers of crashed saves; returns what was removed. A process that has a removed
    snapshot's arrays mapped keeps reading them (the files are unlinked, not truncated)."""
    removed = []
    for path in _snapshots(Path(folder))[keep:]:
        if path != protect:
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    now = time.time()
    for path in Path(folder).glob(".t*-*"):
        if path.name.startswith((".tmp-", ".trash-")):
            with contextlib.suppress(OSError):
                if now - path.stat().st_mtime > STALE_TMP_S:
                    shutil.rmtree(path, ignore_errors=True)
                    removed.append(path)
    return removed


class _Writer:
    """Writes the files of one snapshot, 0600 from the start, each fsynced, and records each
    file's size and CRC-32 for the manifest."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.files: dict[str, list[int]] = {}

    def write(self, name: str, data: bytes, *, record: bool = True) -> str:
        fd = os.open(self.folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        if record:
            self.files[name] = [len(data), zlib.crc32(data)]
        return name

    def array(self, name: str, a: np.ndarray[Any, Any]) -> str:
        if a.dtype.hasobject:
            raise TypeError(f"snapshot: {name}: an object array cannot be saved")
        name += ".npy"
        fd = os.open(self.folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        with os.fdopen(fd, "wb") as out:
            np.save(out, a, allow_pickle=False)
            out.flush()
            os.fsync(out.fileno())
        self.files[name] = [os.path.getsize(self.folder / name), _crc(self.folder / name)]
        return name


def _refresh_derived(path: Path, manifest: dict[str, Any], p: Projection) -> None:
    """Replace the saved caches of the snapshot at `path` (saved by other code, so ignored
    on load: `_decode_derived`) with p's: new files under a name of their own, then the
    manifest replaced in one rename. A process reading the snapshot meanwhile finds either
    manifest whole, and the files it names: the old cache files stay until the snapshot is
    pruned (a process that read the old manifest may still open them)."""
    token = uuid.uuid4().hex[:12]
    w = _Writer(path)
    values = _encode_derived(w, p, prefix=f"derived-{token}")
    old = {f for entry in (manifest.get("derived") or {}).get("values", []) for f in entry["files"]}
    files = {k: v for k, v in manifest["files"].items() if k not in old} | w.files
    doc = {**manifest, "derived": {"code": code_digest(), "values": values}, "files": files}
    tmp = w.write(f".manifest-{token}", json.dumps(doc, indent=1).encode(), record=False)
    os.replace(path / tmp, path / MANIFEST)
    _fsync_dir(path)


def _encode_derived(w: _Writer, p: Projection, prefix: str = "derived") -> list[dict[str, Any]]:
    """The caches of p that declare what they read (`Projection.once(..., reads)`) and are
    arrays, tuples of arrays or lists of 1-D arrays: each saved with its reads, so that a new
    process does not compute them again (a city's attendance took ~0.7 s of a cold start).
    Others (dicts, lists of Python values) are left out and computed on first use."""
    out = []
    for i, (name, value) in enumerate(list(p.derived.items())):
        reads = p.derived_reads.get(name)
        shape = _derived_shape(value)
        if reads is None or shape is None:
            continue
        if shape == "list":
            lengths = np.array([len(a) for a in value], dtype=np.int64)
            flat = np.concatenate(value) if len(value) else np.zeros(0, np.int64)
            files = [w.array(f"{prefix}-{i}-0", lengths), w.array(f"{prefix}-{i}-1", flat)]
        else:
            parts = value if shape == "tuple" else (value,)
            files = [w.array(f"{prefix}-{i}-{j}", a) for j, a in enumerate(parts)]
        out.append({"name": name, "reads": list(reads), "shape": shape, "files": files})
    return out


def _derived_shape(value: Any) -> str | None:
    def plain(a: Any) -> bool:
        return isinstance(a, np.ndarray) and not a.dtype.hasobject

    if plain(value):
        return "array"
    if isinstance(value, tuple) and value and all(plain(a) for a in value):
        return "tuple"
    if (
        isinstance(value, list)
        and all(plain(a) and a.ndim == 1 for a in value)
        and len({a.dtype for a in value}) <= 1
    ):
        return "list"
    return None


@functools.cache
def code_digest() -> str:
    """A digest of the analysis package's source: saved caches are used only by the code that
    computed them (a cache whose computation changed in an upgrade is computed again)."""
    files = sorted(Path(__file__).parent.glob("*.py"))
    if not files:  # installed without sources: nothing to tell versions apart, never reuse
        return uuid.uuid4().hex
    h = hashlib.sha256()
    for file in files:
        h.update(file.name.encode() + b"\0" + file.read_bytes() + b"\0")
    return h.hexdigest()


def _decode_derived(path: Path, manifest: dict[str, Any], p: Projection) -> None:
    """Restore the saved caches into p when this code saved them (see _encode_derived)."""
    derived = manifest.get("derived") or {}
    if derived.get("code") != code_digest():
        return
    fields = {f.name for f in dataclasses.fields(Projection)}
    for entry in derived.get("values", []):
        reads = tuple(entry["reads"])
        if not fields.issuperset(reads):
            continue
        arrays = [_array(path / file) for file in entry["files"]]
        value: Any
        if entry["shape"] == "array":
            (value,) = arrays
        elif entry["shape"] == "tuple":
            value = tuple(arrays)
        else:
            lengths, flat = arrays
            if int(lengths.sum()) != len(flat):
                raise ValueError(f"derived {entry['name']}: lengths do not fit")
            value = np.split(flat, np.cumsum(lengths)[:-1]) if len(lengths) else []
        p.derived[entry["name"]] = value
        p.derived_reads[entry["name"]] = reads


def _encode_field(w: _Writer, name: str, hint: Any, value: Any, p: Projection) -> dict[str, Any]:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is np.ndarray or hint is np.ndarray:
        if not isinstance(value, np.ndarray):
            raise TypeError(f"snapshot: field {name}: expected a numpy array, got {type(value)}")
        return {"kind": "array", "file": w.array(name, value)}
    if _scalar_types(hint):
        if type(value) not in _scalar_types(hint):
            raise TypeError(f"snapshot: field {name}: {value!r} is not a {hint}")
        return {"kind": "scalar", "value": value}
    if origin is list and len(args) == 1:
        return _encode_column(w, name, args[0], _checked_list(name, value))
    if origin is dict and len(args) == 2:
        if not isinstance(value, dict):
            raise TypeError(f"snapshot: field {name}: expected a dict, got {type(value)}")
        keys_of = _index_of(name, args, value, p)
        if keys_of is not None:
            return {"kind": "index", "of": keys_of}
        return {
            "kind": "dict",
            "keys": _encode_column(w, f"{name}.k", args[0], list(value.keys())),
            "values": _encode_column(w, f"{name}.v", args[1], list(value.values())),
        }
    raise _unsupported(name, hint)


def _index_of(name: str, args: tuple[Any, ...], d: dict[Any, Any], p: Projection) -> str | None:
    """The list field whose `{key: position}` d is (so it need not be stored), if any."""
    if args[1] is not int:
        return None
    for f in _fields(Projection):
        keys = getattr(p, f.name)
        if (
            f.name != name
            and typing.get_origin(_hints(Projection)[f.name]) is list
            and typing.get_args(_hints(Projection)[f.name]) == (args[0],)
            and len(keys) == len(d)
            and (not keys or (next(iter(d)) == keys[0] and d.get(keys[-1]) == len(keys) - 1))
            and all(type(k) is args[0] for k in d)  # exact: the rebuilt keys are keys' own
            and d == dict(zip(keys, range(len(keys)), strict=True))
        ):
            return f.name
    return None


def _encode_column(w: _Writer, name: str, elem: Any, values: list[Any]) -> dict[str, Any]:
    """One list of values of type elem as files; returns the spec `_decode_column` reads."""
    spec: dict[str, Any] = {"n": len(values)}
    base, optional = _optional(elem)
    if optional and any(v is None for v in values):
        mask = np.fromiter((v is None for v in values), dtype=bool, count=len(values))
        spec["none"] = w.array(f"{name}.none", mask)
        fill = _FILL.get(base)
        values = [fill if v is None else v for v in values]
    origin, args = typing.get_origin(base), typing.get_args(base)
    if base is str:
        _check_types(name, values, str)
    elif origin is frozenset:
        values = _checked_rows(name, values, frozenset, "none" in spec)
    if base is str or (origin is frozenset and args == (str,)):
        shared = _categories(values)
        if shared is not None:  # few distinct values: each stored once, and shared on load
            distinct, codes = shared
            return spec | {
                "kind": "cat",
                "codes": w.array(f"{name}.codes", codes),
                "values": _encode_column(w, f"{name}.cat", base, distinct),
            }
    if base is str:
        return spec | _encode_strings(w, name, values)
    if base in _NUMPY:
        _check_types(name, values, base)
        try:
            a = np.array(values, dtype=_NUMPY[base])
        except OverflowError:
            raise TypeError(f"snapshot: {name}: an int outside int64") from None
        return spec | {"kind": base.__name__, "file": w.array(name, a)}
    if (origin in (list, frozenset) and len(args) == 1) or (
        origin is tuple and len(args) == 2 and args[1] is Ellipsis
    ):
        rows = _checked_rows(name, values, origin, "none" in spec)
        if origin is frozenset:
            rows = [_sorted(name, row) for row in rows]
        offsets = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum([len(row) for row in rows], out=offsets[1:])
        flat = [v for row in rows for v in row]
        return spec | {
            "kind": "csr",
            "wrap": origin.__name__,
            "offsets": w.array(f"{name}.off", offsets),
            "values": _encode_column(w, f"{name}.val", args[0], flat),
        }
    if origin is tuple and args and Ellipsis not in args:
        rows = _checked_rows(name, values, tuple, "none" in spec, width=len(args))
        columns = [list(col) for col in zip(*rows, strict=True)] if rows else [[] for _ in args]
        return spec | {
            "kind": "tuple",
            "columns": [
                _encode_column(w, f"{name}.{i}", t, col)
                for i, (t, col) in enumerate(zip(args, columns, strict=True))
            ],
        }
    raise _unsupported(name, elem)


def _categories(values: list[Any]) -> tuple[list[Any], np.ndarray[Any, Any]] | None:
    """The distinct values (in order of appearance) and each value's code, when there are
    at most a quarter as many distinct values as values; else None."""
    if len(values) < CAT_MIN:
        return None
    seen: dict[Any, int] = {}
    codes = [seen.setdefault(v, len(seen)) for v in values]
    if len(seen) * 4 > len(values):
        return None
    return list(seen), np.array(codes, dtype=np.int32)


def _encode_strings(w: _Writer, name: str, values: list[str]) -> dict[str, Any]:
    """Joined by the first separator no string holds: one split() on load rebuilds the list."""
    for sep in _SEPARATORS:
        text = sep.join(values)
        if text.count(sep) == max(len(values) - 1, 0):
            data = text.encode("utf-8", "surrogatepass")
            return {"kind": "str", "sep": sep, "file": w.write(f"{name}.str", data)}
    data = json.dumps(values, ensure_ascii=True).encode()  # every separator taken: rare, slower
    return {"kind": "str", "sep": None, "file": w.write(f"{name}.json", data)}


# -- loading ----------------------------------------------------------------------------------


def load(
    folder: Path, revision: str | _Latest | None = LATEST, *, verify: bool = True
) -> Projection | None:
    """The projection saved for `revision` (by default the most recently saved snapshot), or
    None when there is none, or it is unreadable, damaged (sizes, and with `verify` the CRC-32
    of every file) or of another format or another set of fields. Never raises for a bad
    snapshot: it is logged and None returned, so the caller reads the graph instead. Arrays are
    read-only, memory-mapped when large; caches are empty."""
    folder = Path(folder)
    if isinstance(revision, _Latest):
        found = _snapshots(folder)
        if not found:
            return None
        path = found[0]
    else:
        path = folder / _dirname(revision)
    if not (path / MANIFEST).exists():
        return None
    try:
        manifest = _read_manifest(path)
        if manifest is None:
            return None
        held = manifest["revision"]
        if path.name != _dirname(held) or (not isinstance(revision, _Latest) and held != revision):
            log.warning("snapshot %s holds revision %r, not %r", path, held, revision)
            return None
        if not _files_ok(path, manifest["files"], verify=False):
            return None
        # The CRC-32s are computed on the other core while this one decodes (zlib and the
        # page reads release the GIL): a city's snapshot took 0.1 s to check, 0.4 s to decode.
        # A damaged file may make the decoding fail first; either way nothing is returned.
        crcs = _Verify(path, manifest["files"]) if verify else None
        try:
            with _no_gc():  # millions of new objects, none cyclic: collections only slow it
                p = _decode(path, manifest)
        finally:
            ok = crcs is None or crcs.ok()
        if not ok:
            return None
        if p.revision != held:
            raise ValueError(f"its revision field is {p.revision!r}, not {held!r}")
        return p
    except Exception as e:  # a damaged snapshot in any way: the graph is read instead
        log.warning("snapshot %s unreadable (%s: %s): ignored", path, type(e).__name__, e)
        return None


def latest(folder: Path) -> str | None:
    """The revision of the most recently saved snapshot in folder; None when there is none
    (or when that snapshot is of a revision None: `revisions` tells the two apart)."""
    found = revisions(folder)
    return found[0] if found else None


def revisions(folder: Path) -> list[str | None]:
    """The revisions of the snapshots in folder with a readable manifest of this format, most
    recently saved first."""
    out = []
    for path in _snapshots(Path(folder)):
        manifest = _read_manifest(path)
        if manifest is not None:
            out.append(manifest["revision"])
    return out


def _snapshots(folder: Path) -> list[Path]:
    """The snapshot folders, most recently saved (manifest written or touched) first."""
    found = []
    with contextlib.suppress(FileNotFoundError, NotADirectoryError):
        for entry in os.scandir(folder):
            if entry.name.startswith(PREFIX) and entry.is_dir(follow_symlinks=False):
                try:
                    found.append((os.stat(Path(entry.path) / MANIFEST).st_mtime_ns, entry.name))
                except OSError:
                    found.append((0, entry.name))  # no manifest: broken, the first pruned
    return [folder / name for _, name in sorted(found, reverse=True)]


def _read_manifest(path: Path) -> dict[str, Any] | None:
    """The manifest, if readable and of this format with this module's fields and types."""
    try:
        manifest = json.loads((path / MANIFEST).read_bytes())
        if manifest.get("format") != FORMAT:
            log.info("snapshot %s is of format %r, not %d", path, manifest.get("format"), FORMAT)
            return None
        want = {f.name: _type_key(_hints(Projection)[f.name]) for f in _fields(Projection)}
        have = {name: spec.get("type") for name, spec in manifest["fields"].items()}
        if have != want:
            log.info("snapshot %s was saved with other projection fields", path)
            return None
        return dict(manifest)
    except FileNotFoundError:
        return None
    except Exception as e:
        log.warning("snapshot %s: manifest unreadable (%s: %s)", path, type(e).__name__, e)
        return None


def _files_ok(path: Path, files: dict[str, list[int]], verify: bool) -> bool:
    for name, (size, crc) in files.items():
        file = path / name
        if "/" in name or name.startswith(".") or file.stat().st_size != size:
            log.warning("snapshot %s: %s has the wrong size", path, name)
            return False
        if verify and _crc(file) != crc:
            log.warning("snapshot %s: %s is damaged (CRC-32)", path, name)
            return False
    return True


class _Verify:
    """The CRC-32 check of a snapshot's files (`_files_ok`), run in a thread of its own."""

    def __init__(self, path: Path, files: dict[str, list[int]]) -> None:
        self._ok = False
        self._thread = threading.Thread(
            target=self._run, args=(path, files), name="orgraph-snapshot-crc", daemon=True
        )
        self._thread.start()

    def _run(self, path: Path, files: dict[str, list[int]]) -> None:
        try:
            self._ok = _files_ok(path, files, verify=True)
        except Exception as e:
            log.warning("snapshot %s: files unreadable (%s: %s)", path, type(e).__name__, e)

    def ok(self) -> bool:
        self._thread.join()
        return self._ok


def _decode(path: Path, manifest: dict[str, Any]) -> Projection:
    specs = manifest["fields"]
    values: dict[str, Any] = {}
    deferred: dict[str, Deferred] = {}
    for f in _fields(Projection):
        spec = specs[f.name]
        if spec["kind"] == "scalar":
            values[f.name] = _scalar(f.name, spec["value"])
        elif spec["kind"] == "array":
            values[f.name] = _array(path / spec["file"])
        elif spec["kind"] == "dict":
            keys = _decode_column(path, spec["keys"])
            values[f.name] = dict(zip(keys, _decode_column(path, spec["values"]), strict=True))
        elif _deferrable(f.name, spec):
            data = _checked_strings(path, spec, manifest["files"])
            deferred[f.name] = Deferred(functools.partial(_split, data, spec["sep"]))
        elif spec["kind"] != "index":
            values[f.name] = _decode_column(path, spec)
    for f in _fields(Projection):
        spec = specs[f.name]
        if spec["kind"] == "index":
            # built on first use (a summary never asks for it); the save stored an index only
            # for keys that are distinct (`_index_of`), and the CRC-32s guard the file
            of = spec["of"]
            values[f.name] = LazyIndex(deferred[of].get if of in deferred else values[of])
    init = {k: v for k, v in values.items() if _init(k)}
    p = Projection(**init)
    for k, v in values.items():
        if not _init(k):
            setattr(p, k, v)
    for k, d in deferred.items():
        p.defer(k, d)
    _decode_derived(path, manifest, p)
    return p


# A list[str] column of at least this many strings is decoded on its first read
# (projection.Deferred): a city's meeting ids and household ids took 0.19 s of a snapshot
# load and a summary reads neither. Its bytes are read and checked now (its separators
# counted), so that a damaged snapshot is still refused by `load`, and a read after the
# snapshot was pruned still finds them (they are kept until decoded: ~40 MB in a city).
DEFER_MIN = 10_000


def _deferrable(name: str, spec: dict[str, Any]) -> bool:
    hint = _hints(Projection)[name]
    return (
        spec["kind"] == "str"
        and spec.get("sep") is not None
        and "none" not in spec
        and spec["n"] >= DEFER_MIN
        and typing.get_origin(hint) is list
        and typing.get_args(hint) == (str,)
    )


def _checked_strings(path: Path, spec: dict[str, Any], files: dict[str, Any]) -> bytes:
    """The bytes of a deferred string column, checked as decoding it would: its file is the
    snapshot's and holds n strings."""
    if spec["file"] not in files:
        raise ValueError(f"{spec['file']}: not a file of this snapshot")
    data: bytes = (path / spec["file"]).read_bytes()
    found = data.count(spec["sep"].encode("utf-8", "surrogatepass")) + 1
    if found != spec["n"]:
        raise ValueError(f"{spec['file']}: {found} strings, not {spec['n']}")
    return data


def _split(data: bytes, sep: str) -> list[str]:
    return data.decode("utf-8", "surrogatepass").split(sep)


def _decode_column(path: Path, spec: dict[str, Any]) -> list[Any]:
    n, kind = spec["n"], spec["kind"]
    out: list[Any]
    if kind == "str":
        data = (path / spec["file"]).read_bytes()
        if spec["sep"] is None:
            out = json.loads(data)
        else:
            out = data.decode("utf-8", "surrogatepass").split(spec["sep"]) if n else []
    elif kind in ("int", "float", "bool"):
        a = _array(path / spec["file"])
        if a.dtype != _NUMPY[_PY[kind]] or a.ndim != 1:
            raise ValueError(f"{spec['file']}: {a.dtype} {a.shape}, not a {kind} column")
        out = a.tolist()
    elif kind == "csr":
        offsets = _array(path / spec["offsets"]).tolist()
        flat = _decode_column(path, spec["values"])
        if len(offsets) != n + 1 or offsets[-1] != len(flat) or offsets[0] != 0:
            raise ValueError(f"{spec['offsets']}: offsets do not fit")
        wrap: Callable[[list[Any]], Any] | None = _WRAP[spec["wrap"]]
        if wrap is None:
            out = [flat[a:b] for a, b in itertools.pairwise(offsets)]
        else:
            out = [wrap(flat[a:b]) for a, b in itertools.pairwise(offsets)]
    elif kind == "cat":
        distinct = _decode_column(path, spec["values"])
        codes = _array(path / spec["codes"])
        if codes.dtype != np.int32 or (
            codes.size and not 0 <= codes.min() <= codes.max() < len(distinct)
        ):
            raise ValueError(f"{spec['codes']}: codes out of range")
        out = list(map(distinct.__getitem__, codes.tolist()))
    elif kind == "tuple":
        columns = [_decode_column(path, c) for c in spec["columns"]]
        out = list(zip(*columns, strict=True)) if columns else []
    else:
        raise ValueError(f"unknown column kind {kind!r}")
    if len(out) != n:
        raise ValueError(f"a {kind} column of {len(out)} values, not {n}")
    if "none" in spec:
        mask = _array(path / spec["none"])
        if mask.shape != (n,) or mask.dtype != np.bool_:
            raise ValueError(f"{spec['none']}: not a mask of {n}")
        for i in np.flatnonzero(mask).tolist():
            out[i] = None
    return out


def _array(file: Path) -> np.ndarray[Any, Any]:
    """A saved array, read-only: memory-mapped (mode "r", pages shared between processes) when
    large, read when small. A plain ndarray view, so results of numpy calls are plain too."""
    a: np.ndarray[Any, Any]
    if file.stat().st_size >= MMAP_MIN:
        a = np.load(file, mmap_mode="r", allow_pickle=False).view(np.ndarray)
    else:
        a = np.load(file, allow_pickle=False)
        a.flags.writeable = False
    return a


def _scalar(name: str, value: Any) -> Any:
    if type(value) not in _scalar_types(_hints(Projection)[name]):
        raise ValueError(f"{name}: {value!r} is not a {_hints(Projection)[name]}")
    return value


# -- types ------------------------------------------------------------------------------------

_NUMPY: dict[Any, Any] = {int: np.int64, float: np.float64, bool: np.bool_}
_PY = {"int": int, "float": float, "bool": bool}
_FILL: dict[Any, Any] = {str: "", int: 0, float: 0.0, bool: False}
_WRAP: dict[str, Callable[[list[Any]], Any] | None] = {
    "list": None,
    "frozenset": frozenset,
    "tuple": tuple,
}
_SEPARATORS = ("\x00", "\x1f", "\x1e", "\x1d", "\x1c", "\ufdd0", "\ufdd1")
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}\Z")


# Keyed by the class, read at call time: a test may stand a wider dataclass in for Projection.
@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


@functools.cache
def _fields(cls: type) -> tuple[dataclasses.Field[Any], ...]:
    """The fields a snapshot holds: all of Projection's but its caches."""
    return tuple(f for f in dataclasses.fields(cls) if not is_cache(f))


def _init(name: str) -> bool:
    return _inits(Projection)[name]


@functools.cache
def _inits(cls: type) -> dict[str, bool]:
    return {f.name: f.init for f in dataclasses.fields(cls)}


def _type_key(hint: Any) -> str:
    return repr(hint).replace("typing.", "")


def _optional(hint: Any) -> tuple[Any, bool]:
    """T | None → (T, True); T → (T, False)."""
    if typing.get_origin(hint) in (typing.Union, UnionType):
        args = [a for a in typing.get_args(hint) if a is not NoneType]
        if len(args) == 1 and len(typing.get_args(hint)) == 2:
            return args[0], True
    return hint, False


def _scalar_types(hint: Any) -> tuple[type, ...]:
    """The exact types of a scalar field (str, int, float, bool, None and unions of them); ()
    for any other type."""
    members = typing.get_args(hint) if typing.get_origin(hint) in (typing.Union, UnionType) else ()
    members = members or (hint,)
    if all(m in (str, int, float, bool, NoneType) for m in members):
        return tuple(members)
    return ()


def _check_types(name: str, values: list[Any], want: type) -> None:
    """Every value exactly of type want (a bool is not an int): what loads back is exact."""
    bad = next((v for v in values if type(v) is not want), _NONE)
    if bad is not _NONE:
        raise TypeError(f"snapshot: {name}: {bad!r} is a {type(bad).__name__}, not a {want}")


_NONE = object()


def _checked_list(name: str, value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError(f"snapshot: field {name}: expected a list, got {type(value)}")
    return value


def _checked_rows(
    name: str, rows: list[Any], origin: Any, masked: bool, width: int | None = None
) -> list[Any]:
    """rows, every one of exactly type origin (and width, for a fixed tuple); a row that was
    None (masked) stands in as an empty one."""
    out = []
    for row in rows:
        if masked and row is None:
            row = origin() if width is None else (None,) * width
        if type(row) is not origin or (width is not None and len(row) != width):
            raise TypeError(f"snapshot: {name}: {row!r} is not a {origin.__name__}")
        out.append(row)
    return out


def _sorted(name: str, row: frozenset[Any]) -> list[Any]:
    try:
        return sorted(row)
    except TypeError:
        raise TypeError(f"snapshot: {name}: a set of values that do not sort") from None


def _unsupported(name: str, hint: Any) -> TypeError:
    return TypeError(
        f"snapshot: field {name}: type {hint} has no snapshot encoding; add one to "
        "orgraph/analysis/snapshot.py (docs/design.md#snapshots) or make the field a cache"
    )


# -- files ------------------------------------------------------------------------------------


def _dirname(revision: str | None) -> str:
    """snapshot-<revision> when the token is a safe file name, else a hash of it (`%` marks
    one: it is never part of a safe name)."""
    if revision is None:
        return PREFIX + "%none"
    if _SAFE_NAME.match(revision):
        return PREFIX + revision
    return PREFIX + "%" + hashlib.sha256(revision.encode("utf-8", "surrogatepass")).hexdigest()[:40]


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _crc(file: Path) -> int:
    size = file.stat().st_size
    if size == 0:
        return zlib.crc32(b"")
    with open(file, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as m:
        return zlib.crc32(m)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
