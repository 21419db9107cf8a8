"""Roster upload: the same importer and JSON report as `orgraph import`.

The files are read in a child process (`orgraph.roster.workers.Reading`, forked from the fork
server the app's lifespan starts), never in the API's own: a reader is native code (calamine)
or pure Python fed a stranger's file, and one that aborts, exhausts memory or spins would take
the API down (#18). The child runs under an address-space limit (`ORGRAPH_UPLOAD_MEMORY_MB`
above its size at start) and the request under a wall clock (`ORGRAPH_UPLOAD_TIMEOUT_S`): 413,
422 or 504 naming the file, and the API stays up. One child, not one per core as
`orgraph import` has: the memory limit is the request's, and a second child would double it."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path, PurePath
from typing import Annotated, Literal

from fastapi import APIRouter, File, Query, UploadFile

from orgraph import clock
from orgraph.errors import PayloadTooLarge, ValidationFailed
from orgraph.importer import history
from orgraph.importer.history import Origin
from orgraph.importer.pipeline import import_files
from orgraph.roster import KINDS, ParsedSheet
from orgraph.roster.workers import Limits, Reading
from orgraph_api.deps import Caller, Svc, audited, importer
from orgraph_api.errors_doc import errors
from orgraph_api.responses import Json
from orgraph_api.schemas import ImportOut
from orgraph_api.uploads import too_large_message

router = APIRouter(prefix="/imports", tags=["导入"])

Kind = Literal[
    "auto",
    "areas",
    "orgs",
    "members",
    "households",
    "contacts",
    "outflows",
    "reports",
    "meetings",
    "dues",
    "first_secretaries",
    "rectifications",
    "inspections",
    "group_records",
]
assert set(Kind.__args__) - {"auto"} == set(KINDS)  # type: ignore[attr-defined]
SUFFIXES = (".xlsx", ".xls", ".csv", ".xlsm", ".txt", ".htm", ".html", ".xml")
CHUNK = 1 << 20
MAX_FILES = 20
API_IMPORT_WAIT_S = 30.0


def _spool(
    upload: UploadFile, folder: Path, index: int, budget: int, total_limit: int
) -> tuple[Path, int]:
    """Copy one upload into folder under a safe name; (its path, bytes written)."""
    original = PurePath((upload.filename or "").replace("\\", "/")).name or f"file{index}"
    suffix = PurePath(original).suffix.lower()
    if suffix not in SUFFIXES:
        raise ValidationFailed(f"文件“{original[:80]}”不是表格文件 (xlsx、xls 或 csv)")
    stem = "".join(c for c in PurePath(original).stem if c.isalnum() or c in "-_")[:60]
    # A folder per file keeps the uploaded name (a CSV's sheet is named after its file, and
    # the report and messages quote it) while two uploads of one name cannot collide.
    (folder / f"{index:02d}").mkdir(mode=0o700)
    path = folder / f"{index:02d}" / f"{stem or 'file'}{suffix}"
    written = 0
    with path.open("wb") as out:
        while chunk := upload.file.read(CHUNK):
            written += len(chunk)
            if written > budget:
                raise PayloadTooLarge(too_large_message(total_limit))
            out.write(chunk)
    return path, written


@router.post(
    "/{kind}",
    summary="导入花名册",
    response_model=ImportOut,
    responses=errors(403, 413, 422, 504),
    description="multipart 上传一个或多个表格文件 (字段名 files)。"
    "kind 为文件类别，auto 按表头"
    "或工作表名识别。dry_run=true (默认) 只校验不写入。答复与命令行 "
    "`orgraph import --report` 的 JSON 报告相同 (path 为上传时的文件名)。"
    "总大小超过 ORGRAPH_ROSTER_MAX_MB 时 413。文件在独立进程中读取: 读取所需内存超过 "
    "ORGRAPH_UPLOAD_MEMORY_MB 时 413，读取程序异常终止时 422，超过 ORGRAPH_UPLOAD_TIMEOUT_S "
    "时 504 (均指明文件)。仅限县级管理员。"
    "试导入含农户联系关系时，coverage 给出全县今天的联系覆盖导入前 → 导入后。",
)
def import_roster(
    svc: Svc,
    caller: Caller,
    kind: Kind,
    files: Annotated[
        list[UploadFile],
        File(min_length=1, max_length=MAX_FILES, description="表格文件 (xlsx/xls/csv)"),
    ],
    dry_run: Annotated[bool, Query(description="只校验，不写入")] = True,
    on: Annotated[
        dt.date | None,
        Query(description="花名册反映的日期 (默认今天)：缺口台账按此日记首次发现、已解决"),
    ] = None,
) -> Json:
    names = [PurePath((f.filename or "").replace("\\", "/")).name[:120] for f in files]
    with audited(
        svc, caller, action="import", target=kind, detail={"files": names, "dry_run": dry_run}
    ) as detail:
        importer(caller)
        if not files or len(files) > MAX_FILES:
            raise ValidationFailed(f"请上传 1–{MAX_FILES} 个文件")
        limit = svc.settings.roster_max_mb * 1024 * 1024
        folder = Path(tempfile.mkdtemp(prefix="orgraph-upload-"))
        try:
            paths, used = [], 0
            for i, upload in enumerate(files):
                path, size = _spool(upload, folder, i, limit - used, limit)
                paths.append(path)
                used += size
            key = svc.settings.id_hash_key.get_secret_value().encode()
            today = clock.today()
            read: dict[Path, list[ParsedSheet]] = {}

            def sheets(path: Path) -> list[ParsedSheet]:
                # All files read at the first the import asks for: an upload of the files the
                # last import read, over the graph it left, reads none (importer/mark.py).
                if not read:
                    with Reading(
                        paths,
                        names,
                        kind=None if kind == "auto" else kind,
                        key=key,
                        today=today,
                        max_bytes=limit,
                        limits=Limits(svc.settings.upload_memory_mb, svc.settings.upload_timeout_s),
                        spool=folder,
                    ) as reading:
                        read.update(reading.all())
                return read[path]

            report = import_files(
                svc.bulk_store,
                paths,
                kind=None if kind == "auto" else kind,
                dry_run=dry_run,
                key=key,
                today=today,
                max_bytes=limit,
                parsed=sheets,
                # A request does not hang for minutes behind another import: it answers 503
                # (ImportBusy, "another import is writing") after at most half a minute.
                wait_s=min(API_IMPORT_WAIT_S, svc.settings.import_lock_wait_s),
                origin=Origin(by=caller.username, source="api", names=tuple(names)),
                engine=svc.engine,
                on=on,
            )
            if dry_run and report.household_contacts():
                report.coverage = svc.engine.preview_contacts(report.household_contacts())
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        doc = history.as_named(report, paths, names)
        detail["totals"] = doc["totals"]
    return Json(doc)
