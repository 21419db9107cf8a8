"""Roster import: parse every file, resolve references across kinds, diff against the graph,
write only what is new or changed in UNWIND batches, and report every row's fate.

Kinds are processed in dependency order (areas → orgs → households → members → contacts →
outflows → reports → meetings → dues → first_secretaries → rectifications → inspections →
group_records)
whatever order the files came in. A row whose reference cannot be resolved is rejected with the
reason; the rest of its file is still imported.

Each kind's step lives in a module of its own (``areas_orgs``, ``households``, ``members``,
``contacts``, ``outflows``, ``life``, ``first_secretaries``, ``rectifications``); what they
share (lookups, row issues, the diff against the stored state and the batched writes) in
``diff``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from orgraph import clock
from orgraph.analysis import gap_ledger
from orgraph.analysis.engine import Engine
from orgraph.config import get_settings
from orgraph.importer import history, mark
from orgraph.importer.areas_orgs import AreaOrgSteps
from orgraph.importer.contacts import ContactSteps
from orgraph.importer.diff import Progress
from orgraph.importer.first_secretaries import FirstSecretarySteps
from orgraph.importer.group_records import GroupRecordSteps
from orgraph.importer.households import HouseholdSteps
from orgraph.importer.life import LifeSteps
from orgraph.importer.members import MemberSteps, Roster
from orgraph.importer.outflows import OutflowSteps
from orgraph.importer.rectifications import RectificationSteps
from orgraph.importer.report import FileReport, ImportReport
from orgraph.roster import ParsedSheet, parse_file, workers
from orgraph.store import GraphStore
from orgraph.store.base import Deferred, one_revision
from orgraph.store.migrations import migrate
from orgraph.store.write_lock import ImportLock, Waiting, import_lock

ORDER = (
    "areas",
    "orgs",
    "households",
    "members",
    "contacts",
    "outflows",
    "reports",
    "meetings",
    "dues",
    "first_secretaries",
    "rectifications",
    "inspections",
    "group_records",
)


class Importer(
    AreaOrgSteps,
    HouseholdSteps,
    MemberSteps,
    ContactSteps,
    OutflowSteps,
    LifeSteps,
    FirstSecretarySteps,
    RectificationSteps,
    GroupRecordSteps,
):
    """One import call: every kind's step over the same lookups and diff state."""


def import_files(
    store: GraphStore,
    paths: Sequence[Path],
    *,
    key: bytes,
    kind: str | None = None,
    dry_run: bool = False,
    snapshot: bool = False,
    today: dt.date | None = None,
    max_bytes: int | None = None,
    progress: Progress | None = None,
    parsed: Callable[[Path], list[ParsedSheet]] | None = None,
    waiting: Waiting | None = None,
    wait_s: float | None = None,
    origin: history.Origin | None = None,
    engine: Engine | None = None,
    on: dt.date | None = None,
    recheck: bool = False,
) -> ImportReport:
    """Import roster files (any kinds, any order) and report on every row. `parsed` gives
    each path's sheets when they were read already (the API reads uploads in a child process);
    without it every file is read here. A real import holds the graph's import lock while it
    reads and writes; `waiting` is told (in Chinese) while it waits for another import, for at
    most `wait_s` (default ORGRAPH_IMPORT_LOCK_WAIT_S). With an `origin` a real import is
    recorded in the graph's import history (importer/history.py) with the values it replaced,
    and the gap ledger observes the graph it leaves, dated `on` (the day the rosters
    describe, default `today`; docs/rules.md "Gap life"), before its lock is let go;
    `engine`: the one to observe with (the API's), else a new one. When an import found the
    same files unchanged and the graph is still as it read it, its report is given again
    without reading a row (importer/mark.py; `recheck`: read every row anyway)."""
    t0 = time.monotonic()
    today = today or clock.today()
    report = ImportReport(dry_run=dry_run)
    roster = Roster()
    names = origin.names if origin is not None else None

    def digest() -> str | None:
        return mark.inputs_digest(
            paths,
            names=names,
            kind=kind,
            key=key,
            today=today,
            max_bytes=max_bytes,
            snapshot=snapshot,
        )

    inputs = digest()
    # The same files over the graph the last import left: its mark holds the report, no row
    # needs reading (importer/mark.py); checked again under the lock before it is used.
    hoped = (
        not recheck
        and inputs is not None
        and mark.reuse(store, inputs, paths, dry_run=dry_run) is not None
    )
    sheets = None if hoped else _parse(paths, kind, key, today, max_bytes, report, roster, parsed)
    with contextlib.ExitStack() as held:
        if sheets is not None:
            held.callback(sheets.close)  # children still reading are stopped
        lock = None
        if not dry_run:
            migrate(store)  # a never-migrated graph would get no constraints and no indexes
            # One import at a time per graph, across processes, machines and engines: the diff
            # below reads the graph only once the previous import is done (store/write_lock.py).
            settings = get_settings()
            lock = held.enter_context(
                import_lock(
                    store,
                    wait_s=settings.import_lock_wait_s if wait_s is None else wait_s,
                    lease_s=settings.import_lock_lease_s,
                    waiting=waiting,
                )
            )
        found = mark.reuse(store, inputs, paths, dry_run=dry_run) if hoped and inputs else None
        if found is not None:
            report = found
        elif sheets is None:  # the graph moved on since the first look: read the rows after all
            sheets = _parse(paths, kind, key, today, max_bytes, report, roster, parsed)
            held.callback(sheets.close)
        if not dry_run and origin is not None:
            # after the revision is published (the exit below runs first), before the lock
            # is let go: the next import's writes are not yet in the graph
            held.push(_Recorder(store, report, paths, origin, snapshot, on or today, engine))
        if sheets is not None:
            held.enter_context(_rows_frozen())
            _run(
                store,
                sheets,
                report,
                roster,
                held,
                dry_run,
                snapshot,
                today,
                progress,
                lock,
                _Marker(store, inputs, digest, report, paths),
            )
        report.seconds = time.monotonic() - t0  # before the import's record is written
    if not dry_run and any(f.created or f.updated for f in report.files):
        store.compact()  # bulk writes: rewrite the log so the next restart is fast
    report.seconds = time.monotonic() - t0
    return report


def _run(
    store: GraphStore,
    sheets: Sheets,
    report: ImportReport,
    roster: Roster,
    held: contextlib.ExitStack,
    dry_run: bool,
    snapshot: bool,
    today: dt.date,
    progress: Progress | None,
    lock: ImportLock | None,
    marker: _Marker,
) -> None:
    """Every kind's step over the parsed sheets; a real import inside one revision, leaving
    its mark once the revision is published."""
    if not dry_run:
        # No mark while rows are written: an import killed halfway leaves writes behind that
        # no revision announces, and the last import's mark must not vouch for them.
        mark.clear(store)
        marker.read_at = mark.graph_rev(store)  # before anything of the graph is read
        held.push(marker)
        # Readers keep answering from the revision before the import until it ends, then
        # see it whole: one bump, one change to everything; a failed import publishes
        # nothing and can be run again (docs/design.md#change-log).
        marker.deferred = held.enter_context(one_revision(store))
    imp = Importer(store, dry_run=dry_run, progress=progress, lock=lock)
    for k in ORDER:
        if k == "members":
            imp.members([(rep, sheet.records) for sheet, rep in sheets.of_kind(k)], roster)
            continue
        for sheet, rep in sheets.of_kind(k):
            getattr(imp, k)(rep, sheet.records)
    sheets.finish()
    if snapshot:
        report.off_roll = imp.snapshot(roster, today.isoformat())
    if not dry_run:
        report.replaced = imp.replaced


class _Marker:
    """The end of a real import that read its rows (ExitStack callback, on success only, after
    the revision is published): the graph's import mark (importer/mark.py), left when the
    import wrote nothing."""

    def __init__(
        self,
        store: GraphStore,
        inputs: str | None,
        digest: Callable[[], str | None],
        report: ImportReport,
        paths: Sequence[Path],
    ) -> None:
        self.store, self.inputs, self.digest = store, inputs, digest
        self.report, self.paths = report, paths
        self.read_at: str | None = None
        self.deferred: Deferred | None = None

    def __call__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is not None or self.deferred is None:
            return
        mark.leave(
            self.store,
            self.inputs,
            self.report,
            self.paths,
            read_at=self.read_at,
            wrote=self.deferred.wrote,
            # the files hashed again now they are read: one saved meanwhile is another input
            inputs_after=None if self.deferred.wrote else self.digest(),
        )


class _Recorder:
    """The end of a real import with an origin (ExitStack callback, on success only): the gap
    ledger observes the published graph, then the import's record is written with the
    observation's number and the values the import replaced."""

    def __init__(
        self,
        store: GraphStore,
        report: ImportReport,
        paths: Sequence[Path],
        origin: history.Origin,
        snapshot: bool,
        today: dt.date,
        engine: Engine | None,
    ) -> None:
        self.store, self.report, self.paths, self.origin = store, report, paths, origin
        self.snapshot, self.today, self.engine = snapshot, today, engine

    def __call__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is not None:
            return
        engine = self.engine or Engine(self.store)
        engine.observe_gaps(self.today, import_=True)
        stamp = gap_ledger.state(self.store)
        self.report.import_id = history.record(
            self.store,
            self.report,
            self.paths,
            self.origin,
            snapshot=self.snapshot,
            on=self.today,
            obs=int(stamp["seq"]) if stamp else None,
            replaced=self.report.replaced,
        )


class _Frozen:
    count = 0
    lock = threading.Lock()


@contextlib.contextmanager
def _rows_frozen() -> Iterator[None]:
    """The rows read live until the import ends; every full garbage collection the writes'
    allocations trigger would walk them all (a tenth of a city's import): they are moved where
    collections do not look (gc.freeze), and back when the last import running in this
    process ends (freezing is process-wide)."""
    with _Frozen.lock:
        _Frozen.count += 1
        gc.freeze()
    try:
        yield
    finally:
        with _Frozen.lock:
            _Frozen.count -= 1
            if not _Frozen.count:
                gc.unfreeze()


def _parse(
    paths: Sequence[Path],
    kind: str | None,
    key: bytes,
    today: dt.date,
    max_bytes: int | None,
    report: ImportReport,
    roster: Roster,
    given: Callable[[Path], list[ParsedSheet]] | None = None,
) -> Sheets:
    """Every file's sheets, each with its report. Files not read already (`given`) are read
    here, or, from 2 MB of input on a machine with several cores, in one child process per
    core (roster/workers.py): reading and checking rows is pure Python, and two fifths of a
    fresh county import on one core (docs/scale.md "Imports"). The children open every file
    first, so that a file that cannot be read at all stops the import here, before anything
    is written, as when the files are read one after the other; then the kinds are written as
    their files come in."""
    children = workers.children_for(paths) if given is None else 1
    if children > 1:
        with contextlib.ExitStack() as undo:
            spool = undo.enter_context(tempfile.TemporaryDirectory(prefix="orgraph-read-"))
            reading = undo.enter_context(
                workers.Reading(
                    paths,
                    [p.name for p in paths],
                    kind=kind,
                    key=key,
                    today=today,
                    max_bytes=max_bytes,
                    limits=workers.NO_LIMITS,
                    spool=Path(spool),
                    children=children,
                    priority={k: i for i, k in enumerate(ORDER)},
                )
            )
            kinds = reading.opened()
            # the children and the spool now live as long as the import: Sheets.close
            return Sheets(paths, report, roster, reading.sheets, kinds, undo.pop_all())
    if given is None:
        extra = {"max_bytes": max_bytes} if max_bytes else {}

        def given(path: Path) -> list[ParsedSheet]:
            return parse_file(path, kind, key=key, today=today, **extra)

    read = given
    sheets = Sheets(paths, report, roster, lambda i: read(paths[i]), None)
    sheets.finish()  # every file read now, before the import lock is taken
    return sheets


class Sheets:
    """The sheets of an import's files with their reports, file by file as they come in: a
    kind's step waits for the files that may hold that kind (`of_kind`, by `kinds`: each
    file's possible kinds; None: every file). `finish` waits for the rest and sets
    `report.files`, in the files' order whatever order they came in; `close` ends what reads
    them (`held`)."""

    def __init__(
        self,
        paths: Sequence[Path],
        report: ImportReport,
        roster: Roster,
        fetch: Callable[[int], list[ParsedSheet]],
        kinds: dict[int, frozenset[str]] | None,
        held: contextlib.ExitStack | None = None,
    ) -> None:
        self.paths, self.report, self.roster = paths, report, roster
        self.fetch, self.kinds, self.held = fetch, kinds, held or contextlib.ExitStack()
        self.built: dict[int, list[tuple[ParsedSheet, FileReport]]] = {}
        self.reports: dict[int, list[FileReport]] = {}

    def of_kind(self, k: str) -> list[tuple[ParsedSheet, FileReport]]:
        """The importable sheets of kind k with their reports, in the files' order."""
        for i in range(len(self.paths)):
            if self.kinds is None or k in self.kinds[i]:
                self._build(i)
        return [(s, r) for i in sorted(self.built) for s, r in self.built[i] if s.kind == k]

    def finish(self) -> None:
        """Every file in, its reports in `report.files` in the files' order."""
        for i in range(len(self.paths)):
            self._build(i)
        self.report.files[:] = [r for i in sorted(self.reports) for r in self.reports[i]]

    def close(self) -> None:
        self.held.close()

    def _build(self, i: int) -> None:
        if i in self.built:
            return
        path, read = self.paths[i], self.fetch(i)
        if self.kinds is not None:
            gc.freeze()  # rows that come in while the kinds are written: see _rows_frozen
        self.built[i], self.reports[i] = [], []
        for sheet in read:
            rep = FileReport(
                path=str(path),
                sheet=sheet.sheet,
                kind=sheet.kind,
                columns=dict(sheet.columns),
                rows=sheet.rows_total,
                rejected=list(sheet.rejected),
                warnings=list(sheet.warnings),
                errors=list(sheet.errors),
            )
            self.reports[i].append(rep)
            if sheet.ok and sheet.kind:
                self.built[i].append((sheet, rep))
            elif sheet.kind == "members":  # refused whole: still counts against a snapshot
                self.roster.sheets.append(rep)
