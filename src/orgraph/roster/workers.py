"""Rosters read and checked in child processes: for isolation (the API) and for speed (both).

A roster reader is native code (calamine) or a pure-Python library fed a stranger's file
(openpyxl, the HTML and XML readers): a file that makes one abort, exhaust memory or spin
would otherwise take the process down (#18). And reading and checking is pure Python on one
core: ~30k rows/s, two fifths of a county's import (#12, docs/scale.md "Imports").

:func:`parse_in_children` runs `orgraph.roster.parse_file` over a set of files in up to
`children` fresh processes forked from a small fork server, the files shared out by size
(:func:`share`), each child reading its files in the callers' order under

- an address-space limit (`Limits.memory_mb` above its size when it starts; 0: none),
  no core dumps,
- a wall-clock limit (`Limits.seconds`) for all the files, after which the parent kills them.

A child tells the parent which file it is reading before it starts each one, so a child that
dies or overruns is answered with a Chinese problem naming that file: PayloadTooLarge when it
ran out of memory, ValidationFailed when it died (a native abort or crash), UploadTimeout when
it overran; the caller stays up. When several files fail, the error raised is the first
file's in the callers' order, as a reading one file after the other would have raised it: a
child stops at its first failure, and its later files come later in that order.

Only the results come back, once: each file's parsed sheets (records, issues; never the file's
bytes) are pickled into the caller's private spool folder as soon as that file is read, and
the parent loads them while the children read on. The fork server is started once (`start()`,
from the API's lifespan; else at the first call) with the readers already imported, so each
child costs one `fork`, not an interpreter start.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import gc
import io
import logging
import multiprocessing
import os
import pickle
import resource
import signal
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from multiprocessing import connection, forkserver, popen_forkserver, reduction, spawn, util
from multiprocessing.connection import Connection
from multiprocessing.context import ForkServerProcess, set_spawning_popen
from pathlib import Path
from typing import Any

from orgraph.errors import PayloadTooLarge, UploadTimeout, ValidationFailed
from orgraph.roster import validate
from orgraph.roster.parsed import ParsedSheet, Record

log = logging.getLogger("orgraph.roster.workers")

_CTX = multiprocessing.get_context("forkserver")
# What the fork server imports once, so that each child starts with the readers loaded. Not
# the parent's main module: a child needs nothing from it (see _Popen).
PRELOAD = [
    "orgraph.roster.workers",
    "orgraph.roster.readers",
    "orgraph.roster.validate",
]
RESULT = "parsed-{}.pickle"
# Below this much input a second child costs more than it saves (a fork and the pickling of
# the results); `orgraph import` then reads in its own process (importer/pipeline.py).
PARALLEL_MIN_BYTES = 2 * 1024 * 1024
_MB = 1024 * 1024


class _Popen(popen_forkserver.Popen):
    """The stdlib's forkserver launch, less the parent's main module. multiprocessing asks each
    child to import the parent's `__main__` again whenever it is not the one the fork server
    loaded; a process whose main module changes after the server started (streamlit's AppTest
    runs the dashboard as `__main__`) then had every reader re-run that script and die. The
    reader's target lives in this module, so the child needs no main at all."""

    def _launch(self, process_obj: Any) -> None:  # as Python 3.11's, plus the loop above buf
        prep_data = spawn.get_preparation_data(process_obj._name)
        for key in ("init_main_from_path", "init_main_from_name"):
            prep_data.pop(key, None)
        buf = io.BytesIO()
        set_spawning_popen(self)
        try:
            reduction.dump(prep_data, buf)
            reduction.dump(process_obj, buf)
        finally:
            set_spawning_popen(None)
        self.sentinel, w = forkserver.connect_to_new_process(self._fds)  # type: ignore[attr-defined]
        parent_w = os.dup(w)  # the child's sentinel of this parent, closed with the process
        self.finalizer = util.Finalize(self, util.close_fds, (parent_w, self.sentinel))  # type: ignore[attr-defined]
        with open(w, "wb", closefd=True) as f:
            f.write(buf.getbuffer())
        self.pid = forkserver.read_signed(self.sentinel)


class _ReaderProcess(ForkServerProcess):
    @staticmethod
    def _Popen(process_obj: Any) -> _Popen:
        return _Popen(process_obj)


@dataclass(frozen=True)
class Limits:
    memory_mb: int  # address space each child may add to its size at start; 0: no limit
    seconds: float  # wall clock for every file of one call


NO_LIMITS = Limits(0, float("inf"))


def start() -> None:
    """Start the fork server now (the API's lifespan), not at the first call."""
    _CTX.set_forkserver_preload(PRELOAD)
    forkserver.ensure_running()


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def children_for(paths: Sequence[Path]) -> int:
    """How many children reading `paths` is worth: one per core, at most one per file, and
    one alone for less than PARALLEL_MIN_BYTES of input."""
    size = sum(_size(p) for p in paths)
    if size < PARALLEL_MIN_BYTES:
        return 1
    return max(1, min(cores(), len(paths)))


def _size(p: Path) -> int:
    try:
        return p.stat().st_size
    except OSError:
        return 0  # the reader says what is wrong with it


def _work(p: Path) -> int:
    """How long reading a file takes, roughly, in bytes of CSV: a zipped workbook's byte holds
    ~4 of text (the demo county: 1.1 s/MB for .xlsx, 0.3 s/MB for .csv)."""
    size = _size(p)
    try:
        with p.open("rb") as f:
            zipped = f.read(4) == b"PK\x03\x04"
    except OSError:
        zipped = False
    return size * 4 if zipped else size


def share(paths: Sequence[Path], children: int) -> list[list[int]]:
    """The indexes of `paths` each child reads: the longest file first to the child with the
    least work so far (`_work`), each child's files in the callers' order. Children left
    without a file are left out."""
    groups: list[list[int]] = [[] for _ in range(max(1, children))]
    loads = [0] * len(groups)
    work = [_work(p) for p in paths]
    for i in sorted(range(len(paths)), key=lambda i: (-work[i], i)):
        g = loads.index(min(loads))
        groups[g].append(i)
        loads[g] += work[i]
    return [sorted(g) for g in groups if g]


def _address_space() -> int | None:
    """Bytes of address space this process maps now (VmSize); None without /proc (macOS,
    which does not enforce RLIMIT_AS either)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def _limit_memory(memory_mb: int) -> None:
    size = _address_space()
    if memory_mb <= 0 or size is None:
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = size + memory_mb * _MB
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


@contextlib.contextmanager
def no_collection() -> Iterator[None]:
    """No garbage collection in this block (process-wide: keep it short). Loading results
    makes no reference cycles, and the collections its allocations trigger walk every row
    loaded before."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def pack(sheets: list[ParsedSheet]) -> list[tuple[ParsedSheet, list[tuple[int, Any]]]]:
    """Sheets without their records, and the records as plain (row, values) tuples: plain
    tuples and dicts pickle in C, a slotted dataclass through Python (3x slower)."""
    return [
        (dataclasses.replace(s, records=[]), [(r.row, r.values) for r in s.records]) for s in sheets
    ]


def unpack(packed: list[tuple[ParsedSheet, list[tuple[int, Any]]]]) -> list[ParsedSheet]:
    for sheet, records in packed:
        sheet.records = [Record(row, values) for row, values in records]
    return [sheet for sheet, _ in packed]


def _child(
    paths: list[tuple[int, Path]],
    kind: str | None,
    key: bytes,
    today: dt.date,
    max_bytes: int | None,
    memory_mb: int,
    spool: Path,
    conn: Connection,
) -> None:
    """Parse every (index, path): ('file', i) before each, ('parsed', i) once its sheets are
    in spool / RESULT.format(i); ('done',) at the end, or ('error', i, exc) or ('memory', i)."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    _limit_memory(memory_mb)
    # Reading a file makes no reference cycles (checked on the demo's files), but every full
    # collection walks all the rows read so far: a fifth of the reading time. Collected once
    # after each file instead.
    gc.disable()
    extra: dict[str, Any] = {"max_bytes": max_bytes} if max_bytes else {}
    for i, path in paths:
        conn.send(("file", i))
        try:
            sheets = validate.parse_file(path, kind, key=key, today=today, **extra)
            with (spool / RESULT.format(i)).open("wb") as out:
                pickle.dump(pack(sheets), out, protocol=pickle.HIGHEST_PROTOCOL)
            del sheets
            gc.collect()
        except MemoryError:
            conn.send(("memory", i))
            return
        except Exception as exc:  # the reader's own answer, raised again in the parent
            try:
                conn.send(("error", i, exc))
            except Exception:  # an exception that does not pickle: its text is enough
                conn.send(("error", i, ValidationFailed(str(exc))))
            return
        conn.send(("parsed", i))
    conn.send(("done",))


def _memory(name: str, limits: Limits) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"读取文件“{name}”所需内存超过 {limits.memory_mb} MB 的限制 "
        "(ORGRAPH_UPLOAD_MEMORY_MB)，请拆分文件或删去多余的空行空列后再上传"
    )


def _died(name: str, exitcode: int | None, limits: Limits) -> ValidationFailed:
    how = ""
    if exitcode is not None and exitcode < 0:
        with_name = signal.Signals(-exitcode).name if -exitcode in signal.valid_signals() else ""
        how = f" ({with_name or -exitcode})"
    log.warning("roster reader died on %s: exit code %s%s", name, exitcode, how)
    cap = f" (读取内存上限 {limits.memory_mb} MB)" if limits.memory_mb > 0 else ""
    return ValidationFailed(
        f"文件“{name}”无法读取: 读取程序异常终止，文件可能已损坏或过于庞大{cap}；"
        "服务未受影响，请检查文件后重试"
    )


def _timeout(name: str, limits: Limits) -> UploadTimeout:
    return UploadTimeout(
        f"读取文件“{name}”超过 {limits.seconds:g} 秒仍未完成 (ORGRAPH_UPLOAD_TIMEOUT_S)，"
        "已中止；请拆分文件后再上传"
    )


@dataclass
class _Reader:
    proc: _ReaderProcess
    receiver: Connection
    group: list[int]  # the indexes of its files
    current: int | None = None  # the index of the file it is reading

    def at(self, done: dict[Path, list[ParsedSheet]], paths: Sequence[Path]) -> int:
        """The file it was at: the one it is reading, else (between two) its next one."""
        if self.current is not None:
            return self.current
        return next((i for i in self.group if paths[i] not in done), self.group[-1])


def parse_in_children(
    paths: Sequence[Path],
    names: Sequence[str],
    *,
    kind: str | None,
    key: bytes,
    today: dt.date,
    max_bytes: int | None,
    limits: Limits,
    spool: Path,
    children: int = 1,
) -> dict[Path, list[ParsedSheet]]:
    """The sheets of every path, read in up to `children` child processes under `limits`
    (each child its own memory limit, the wall clock for them all). `names` are the files as
    the user knows them, for the messages; `spool` a private folder for the results."""
    if not paths:
        return {}
    _CTX.set_forkserver_preload(PRELOAD)
    deadline = time.monotonic() + limits.seconds
    readers: list[_Reader] = []
    out: dict[Path, list[ParsedSheet]] = {}
    failed: dict[int, Exception] = {}
    try:
        for group in share(paths, children):
            receiver, sender = _CTX.Pipe(duplex=False)
            proc = _ReaderProcess(
                target=_child,
                args=(
                    [(i, paths[i]) for i in group],
                    kind,
                    key,
                    today,
                    max_bytes,
                    limits.memory_mb,
                    spool,
                    sender,
                ),
                name="orgraph-roster-reader",
                daemon=True,
            )
            readers.append(_Reader(proc, receiver, group))
            proc.start()
            sender.close()
        live = {r.receiver: r for r in readers}
        while live:
            left = deadline - time.monotonic()
            reading = [r.current for r in live.values() if r.current is not None]
            if left <= 0:
                raise _timeout(names[min(reading, default=0)], limits)
            for ready in connection.wait(list(live), timeout=min(left, 3600.0)):
                assert isinstance(ready, Connection)
                reader = live[ready]
                try:
                    msg = ready.recv()
                except EOFError:  # the child is gone without a word: killed or aborted
                    reader.proc.join(timeout=5)
                    at = reader.at(out, paths)
                    failed[at] = _died(names[at], reader.proc.exitcode, limits)
                    del live[ready]
                    continue
                if msg[0] == "file":
                    reader.current = msg[1]
                elif msg[0] == "parsed":
                    result = spool / RESULT.format(msg[1])
                    with result.open("rb") as f, no_collection():
                        out[paths[msg[1]]] = unpack(pickle.load(f))
                    result.unlink()
                    reader.current = None
                elif msg[0] in ("memory", "error"):
                    i = msg[1]
                    failed[i] = _memory(names[i], limits) if msg[0] == "memory" else msg[2]
                    del live[ready]
                else:
                    del live[ready]
        if failed:
            raise failed[min(failed)]
        return out
    finally:
        for r in readers:
            if r.proc.is_alive():
                r.proc.kill()
            if r.proc.pid is not None:
                r.proc.join(timeout=5)
            r.receiver.close()
