"""Uploaded rosters are read and checked in a child process, never in the API's own.

A roster reader is native code (calamine) or a pure-Python library fed a stranger's file
(openpyxl, the HTML and XML readers): a file that makes one abort, exhaust memory or spin
would otherwise take the whole API down (#18). `parse_uploads` runs `orgraph.roster.parse_file`
over every file of one request in a fresh process forked from a small fork server, with

- an address-space limit (`RLIMIT_AS`: its size when it starts plus `ORGRAPH_UPLOAD_MEMORY_MB`),
  no core dumps (`RLIMIT_CORE` 0),
- a wall-clock limit (`ORGRAPH_UPLOAD_TIMEOUT_S`) for the whole request, after which the
  parent kills it.

The child tells the parent which file it is reading before it starts each one, so a child that
dies or overruns is answered with a Chinese problem naming that file: 413 when it ran out of
memory, 422 when it died (a native abort or crash), 504 when it overran. The API stays up.

Only the result comes back, once: each file's parsed sheets (records, issues; never the file's
bytes) are pickled into the request's private spool folder as soon as that file is read, and
the parent loads them while the child reads the next file. The fork server is
started once (`start()`, from the app's lifespan) with the readers already imported, so a
request pays one `fork`, not an interpreter start. The CLI (`orgraph import`) reads its own
files in-process.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import logging
import multiprocessing
import os
import pickle
import resource
import signal
import time
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing import forkserver, popen_forkserver, reduction, spawn, util
from multiprocessing.connection import Connection
from multiprocessing.context import ForkServerProcess, set_spawning_popen
from pathlib import Path
from typing import Any

from orgraph.errors import PayloadTooLarge, UploadTimeout, ValidationFailed
from orgraph.roster import ParsedSheet, Record, parse_file

log = logging.getLogger("orgraph.api.uploads")

_CTX = multiprocessing.get_context("forkserver")
# What the fork server imports once, so that each child starts with the readers loaded. Not
# the parent's main module: a child needs nothing from it (see _Popen).
PRELOAD = [
    "orgraph_api.upload_worker",
    "orgraph.roster.readers",
    "orgraph.roster.validate",
]
RESULT = "parsed-{}.pickle"
_MB = 1024 * 1024


class _Popen(popen_forkserver.Popen):
    """The stdlib's forkserver launch, less the parent's main module. multiprocessing asks each
    child to import the parent's `__main__` again whenever it is not the one the fork server
    loaded; a process whose main module changes after the server started (streamlit's AppTest
    runs the dashboard as `__main__`) then had every upload reader re-run that script and die.
    The reader's target lives in this module, so the child needs no main at all."""

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
    memory_mb: int  # address space the child may add to its size at start; 0: no limit
    seconds: float  # wall clock for every file of one request


def start() -> None:
    """Start the fork server now (the app's lifespan), not on the first upload."""
    _CTX.set_forkserver_preload(PRELOAD)
    from multiprocessing import forkserver

    forkserver.ensure_running()


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
    paths: list[Path],
    kind: str | None,
    key: bytes,
    today: dt.date,
    max_bytes: int | None,
    memory_mb: int,
    conn: Connection,
) -> None:
    """Parse every path: ('file', i) before each, ('parsed', i) once its sheets are in
    RESULT.format(i) beside it; ('done',) at the end, or ('error', i, exc) or ('memory', i)."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    _limit_memory(memory_mb)
    extra: dict[str, Any] = {"max_bytes": max_bytes} if max_bytes else {}
    for i, path in enumerate(paths):
        conn.send(("file", i))
        try:
            sheets = parse_file(path, kind, key=key, today=today, **extra)
            with (path.parent / RESULT.format(i)).open("wb") as out:
                pickle.dump(_pack(sheets), out, protocol=pickle.HIGHEST_PROTOCOL)
            del sheets
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
    log.warning("upload reader died on %s: exit code %s%s", name, exitcode, how)
    return ValidationFailed(
        f"文件“{name}”无法读取: 读取程序异常终止，文件可能已损坏或过于庞大 "
        f"(读取内存上限 {limits.memory_mb} MB)；服务未受影响，请检查文件后重试"
    )


def _timeout(name: str, limits: Limits) -> UploadTimeout:
    return UploadTimeout(
        f"读取文件“{name}”超过 {limits.seconds:g} 秒仍未完成 (ORGRAPH_UPLOAD_TIMEOUT_S)，"
        "已中止；请拆分文件后再上传"
    )


def parse_uploads(
    paths: Sequence[Path],
    names: Sequence[str],
    *,
    kind: str | None,
    key: bytes,
    today: dt.date,
    max_bytes: int | None,
    limits: Limits,
) -> dict[Path, list[ParsedSheet]]:
    """The sheets of every path (all in one folder, the request's private spool), read in a
    child process under `limits`. `names` are the files as uploaded, for the messages. Each
    file's sheets are loaded here while the child reads the next file."""
    if not paths:
        return {}
    receiver, sender = _CTX.Pipe(duplex=False)
    proc = _ReaderProcess(
        target=_child,
        args=(list(paths), kind, key, today, max_bytes, limits.memory_mb, sender),
        name="orgraph-upload-reader",
        daemon=True,
    )
    deadline = time.monotonic() + limits.seconds
    current = 0
    out: dict[Path, list[ParsedSheet]] = {}
    try:
        proc.start()
        sender.close()
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise _timeout(names[current], limits)
            if not receiver.poll(left):
                continue
            try:
                msg = receiver.recv()
            except EOFError:  # the child is gone without a word: killed or aborted
                proc.join(timeout=5)
                raise _died(names[current], proc.exitcode, limits) from None
            if msg[0] == "file":
                current = msg[1]
            elif msg[0] == "parsed":
                result = paths[msg[1]].parent / RESULT.format(msg[1])
                with result.open("rb") as f:
                    out[paths[msg[1]]] = _unpack(pickle.load(f))
                result.unlink()
            elif msg[0] == "memory":
                raise _memory(names[msg[1]], limits)
            elif msg[0] == "error":
                raise msg[2]
            else:
                return out
    finally:
        if proc.is_alive():
            proc.kill()
        if proc.pid is not None:
            proc.join(timeout=5)
        receiver.close()
