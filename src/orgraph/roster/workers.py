"""Rosters read and checked in child processes: for isolation (the API) and for speed (the CLI).

A roster reader is native code (calamine) or pure Python fed a stranger's file (the HTML and
XML readers): a file that makes one abort, exhaust memory or spin would otherwise take the
process down (#18). And reading and checking is pure Python on one core: ~30k rows/s, a third
of a county's import (#12, docs/scale.md "Imports").

A :class:`Reading` runs `orgraph.roster` over a set of files in up to `children` fresh
processes forked from a small fork server, the files shared out by the work they take
(:func:`share`), each child reading its files in the callers' order under

- an address-space limit (`Limits.memory_mb` above its size when it starts; 0: none),
  no core dumps,
- a wall-clock limit (`Limits.seconds`) for all the files, after which the parent kills them.

A child tells the parent which file it is at before it starts each one, so a child that dies
or overruns is answered with a Chinese problem naming that file: PayloadTooLarge when it ran
out of memory, ValidationFailed when it died (a native abort or crash), UploadTimeout when it
overran; the caller stays up. When several files fail, the error raised is the first file's in
the callers' order, as reading one file after the other would raise it: a child stops at its
first failure and its later files come later in that order, and once a file failed, the
children that can only fail later files are stopped (a later file that hangs does not hide
an earlier one that failed).

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
import traceback
from collections.abc import Callable, Iterator, Sequence
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
def _no_collection() -> Iterator[None]:
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


def _pack(sheets: list[ParsedSheet]) -> list[tuple[ParsedSheet, list[tuple[int, Any]]]]:
    """Sheets without their records, and the records as plain (row, values) tuples: plain
    tuples and dicts pickle in C, a slotted dataclass through Python (3x slower)."""
    return [
        (dataclasses.replace(s, records=[]), [(r.row, r.values) for r in s.records]) for s in sheets
    ]


def _unpack(packed: list[tuple[ParsedSheet, list[tuple[int, Any]]]]) -> list[ParsedSheet]:
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
    priority: dict[str, int] | None,
    conn: Connection,
) -> None:
    """Read every (index, path): ('file', i) before each, ('parsed', i) once its sheets are
    in spool / RESULT.format(i); ('done',) at the end, or ('error', i, exc, its
    traceback's text) or ('memory', i).
    With a `priority` (kind → rank), in two passes: every file opened first, ('kinds', i,
    kinds) for each, then their rows checked, the files of the lowest-ranked kind first."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    _limit_memory(memory_mb)
    # Reading a file makes no reference cycles (checked on the demo's files), but every full
    # collection walks all the rows read so far: a fifth of the reading time. Collected once
    # after each file instead, when no memory limit could make the difference refuse a file.
    if memory_mb <= 0:
        gc.disable()
    extra: dict[str, Any] = {"max_bytes": max_bytes} if max_bytes else {}
    at = -1
    try:
        if priority is None:
            for at, path in paths:
                conn.send(("file", at))
                _send(at, validate.parse_file(path, kind, key=key, today=today, **extra), spool)
                conn.send(("parsed", at))
        else:
            opened: dict[int, validate.Opened] = {}
            for at, path in paths:
                conn.send(("file", at))
                opened[at] = validate.open_file(path, kind, **extra)
                conn.send(("kinds", at, opened[at].kinds))
            for at in sorted(opened, key=lambda i: _rank(opened[i].kinds, priority)):
                conn.send(("file", at))
                _send(at, validate.read_rows(opened.pop(at), key=key, today=today), spool)
                conn.send(("parsed", at))
    except MemoryError:
        conn.send(("memory", at))
        return
    except Exception as exc:  # the reader's own answer, raised again in the parent
        try:
            pickle.loads(pickle.dumps(exc))
        except Exception:  # one that does not pickle, or not back: its text is enough
            exc = ValidationFailed(str(exc))
        # a pickled exception loses its traceback: the text goes with it, for the logs
        conn.send(("error", at, exc, traceback.format_exc()))
        return
    conn.send(("done",))


class ChildTraceback(Exception):
    """Where in the reader child an error raised again here was raised: its traceback's
    text, set as the error's cause (as concurrent.futures does), so that a log of the error
    shows the reader's stack and not only the parent's."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text

    def __str__(self) -> str:
        return f'\n"""\n{self.text}"""'


def _rank(kinds: frozenset[str], priority: dict[str, int]) -> int:
    """When a file's rows are wanted: the rank of its first kind to be written (a file of no
    kind last)."""
    return min((priority.get(k, len(priority)) for k in kinds), default=len(priority))


def _send(i: int, sheets: list[ParsedSheet], spool: Path) -> None:
    """File i's sheets into the spool, then a collection (see _child)."""
    with (spool / RESULT.format(i)).open("wb") as out:
        pickle.dump(_pack(sheets), out, protocol=pickle.HIGHEST_PROTOCOL)
    del sheets
    gc.collect()


def _memory(name: str, limits: Limits) -> PayloadTooLarge:
    if limits.memory_mb <= 0:
        return PayloadTooLarge(
            f"读取文件“{name}”时内存不足，请拆分文件或删去多余的空行空列后再导入"
        )
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
        "读取在单独的进程中进行，其余部分未受影响，请检查文件后重试"
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
    current: int | None = None  # the index of the file it is at
    done: bool = False  # it said 'done', failed, or died

    def at(self, parsed: dict[int, list[ParsedSheet]]) -> int:
        """The file it was at: the one it said it started, else its next unread one."""
        if self.current is not None:
            return self.current
        return next((i for i in self.group if i not in parsed), self.group[-1])


class Reading:
    """Files read in up to `children` child processes under `limits` (each child its own
    memory limit, the wall clock for them all). `names` are the files as the user knows
    them, for the messages; `spool` a private folder for the results. With a `priority`
    (kind → rank) each child opens all its files first (`opened` gives their kinds once all
    are), then checks their rows, the files of the lowest-ranked kind first (`sheets`); an
    importer writes the kinds it has while the rest are read. Use as a context manager: the
    children are killed when it ends."""

    def __init__(
        self,
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
        priority: dict[str, int] | None = None,
    ) -> None:
        self.paths, self.names, self.limits, self.spool = list(paths), names, limits, spool
        self.kinds: dict[int, frozenset[str]] = {}
        self.parsed: dict[int, list[ParsedSheet]] = {}
        self.failed: dict[int, Exception] = {}
        self.readers: list[_Reader] = []
        self.deadline = time.monotonic() + limits.seconds
        _CTX.set_forkserver_preload(PRELOAD)
        try:
            for group in share(self.paths, children) if self.paths else []:
                receiver, sender = _CTX.Pipe(duplex=False)
                proc = _ReaderProcess(
                    target=_child,
                    args=(
                        [(i, self.paths[i]) for i in group],
                        kind,
                        key,
                        today,
                        max_bytes,
                        limits.memory_mb,
                        spool,
                        priority,
                        sender,
                    ),
                    name="orgraph-roster-reader",
                    daemon=True,
                )
                self.readers.append(_Reader(proc, receiver, group))
                proc.start()
                sender.close()
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> Reading:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def opened(self) -> dict[int, frozenset[str]]:
        """Every file's kinds, once all are opened (with a `priority`); the error of the first
        file, in the callers' order, that could not be."""
        self._until(lambda r: all(i in self.kinds for i in r.group))
        self._raise_first()
        return dict(self.kinds)

    def sheets(self, i: int) -> list[ParsedSheet]:
        """File i's sheets, once read."""
        self._until(lambda r: i not in r.group or i in self.parsed)
        if i not in self.parsed:
            self._raise_first()
        return self.parsed[i]

    def all(self) -> dict[Path, list[ParsedSheet]]:
        """Every file's sheets; the error of the first file that could not be read."""
        self._until(lambda r: all(i in self.parsed for i in r.group))
        self._raise_first()
        return {self.paths[i]: sheets for i, sheets in sorted(self.parsed.items())}

    def _raise_first(self) -> None:
        if self.failed:
            raise self.failed[min(self.failed)]

    def _until(self, enough: Callable[[_Reader], bool]) -> None:
        """Take the children's messages until each is done or has given `enough`."""
        while True:
            live = {r.receiver: r for r in self.readers if not r.done and not enough(r)}
            if not live:
                return
            left = self.deadline - time.monotonic()
            if left <= 0:
                at = min(r.at(self.parsed) for r in live.values())
                if self.failed and min(self.failed) < at:
                    self._raise_first()
                raise _timeout(self.names[at], self.limits)
            for ready in connection.wait(list(live), timeout=min(left, 3600.0)):
                assert isinstance(ready, Connection)
                self._take(live[ready])

    def _take(self, reader: _Reader) -> None:
        try:
            msg = reader.receiver.recv()
        except EOFError:  # the child is gone without a word: killed or aborted
            reader.proc.join(timeout=5)
            if not all(i in self.parsed for i in reader.group):
                at = reader.at(self.parsed)
                self._fail(at, _died(self.names[at], reader.proc.exitcode, self.limits))
            reader.done = True
            return
        except Exception as exc:  # a message that does not load (an exception's class)
            at = reader.at(self.parsed)
            self._fail(at, ValidationFailed(f"文件“{self.names[at]}”无法读取: {exc}"))
            reader.done = True
            return
        if msg[0] == "file":
            reader.current = msg[1]
        elif msg[0] == "kinds":
            self.kinds[msg[1]] = msg[2]
            reader.current = None
        elif msg[0] == "parsed":
            result = self.spool / RESULT.format(msg[1])
            with result.open("rb") as f, _no_collection():
                self.parsed[msg[1]] = _unpack(pickle.load(f))
            result.unlink()
            reader.current = None
        elif msg[0] in ("memory", "error"):
            i = msg[1] if msg[1] >= 0 else reader.at(self.parsed)
            reader.done = True
            if msg[0] == "memory":
                self._fail(i, _memory(self.names[i], self.limits))
            else:
                raised: Exception = msg[2]
                raised.__cause__ = ChildTraceback(msg[3])
                self._fail(i, raised)
        else:
            reader.done = True

    def _fail(self, i: int, exc: Exception) -> None:
        """File i failed: a child still at a later file (in the callers' order, which it reads
        in until every file is opened) can fail none before it, and is stopped."""
        self.failed[i] = exc
        first = min(self.failed)
        for r in self.readers:
            pending = [j for j in r.group if j not in self.kinds and j not in self.parsed]
            if not r.done and pending and min(pending) > first:
                r.proc.kill()
                r.done = True

    def close(self) -> None:
        for r in self.readers:
            if r.proc.is_alive():
                r.proc.kill()
            if r.proc.pid is not None:
                r.proc.join(timeout=5)
            r.receiver.close()
        self.readers = []
