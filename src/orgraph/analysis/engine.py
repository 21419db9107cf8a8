"""Coverage, gaps and contact chains for any part of the tree, on any date.

The Engine keeps one projection of the graph and checks the graph's revision token before each
answer (every store write sets a new one), so an answer is never older than the last write,
except while a full reload runs: then a reader waits for it up to `RELOAD_WAIT_S` and may answer
from the last complete revision (a request that writes never does). After a write it catches
up from the change log, re-reading only what the write touched (analysis/delta.py); it loads
the whole projection only when the log cannot be applied: the first answer, a bulk import, a
log it has fallen too far behind (docs/design.md#change-log). Per-date states are cached for
the projection's lifetime; per-scope masks too, and across a catch-up that left what they read
as it was.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, TypeVar

import numpy as np

from orgraph import clock
from orgraph.analysis import (
    changes,
    coverage,
    duty_proposals,
    first_secretaries,
    gap_ledger,
    group_ranking,
    life,
    life_rules,
    mobile,
    past,
    proposal_report,
    proposals,
    screening,
    snapshot,
    year_end,
)
from orgraph.analysis import projection as proj
from orgraph.analysis.context import Ctx, Ref
from orgraph.analysis.coverage import LOAD_BUCKETS as LOAD_BUCKETS  # bench/engine.py reads it here
from orgraph.analysis.delta import Reload, catch_up
from orgraph.analysis.history_scope import InScope
from orgraph.analysis.projection import Projection, rows_of
from orgraph.analysis.rules import RULES, by_id, household_order, households_by_id
from orgraph.analysis.scope import SCOPE_READS, Scope, resolve
from orgraph.analysis.state import DayState, compute
from orgraph.analysis.tracking import Kept, changed_fields
from orgraph.config import get_settings
from orgraph.errors import NotFound, ValidationFailed
from orgraph.mobility.timeline import timeline
from orgraph.policy import Policy, get_policy
from orgraph.store import GraphStore
from orgraph.store.changes import MAX_KEYS, Changes
from orgraph.vocab import AREA_LEVELS, MEETING_TYPE_ZH, MOBILE_KINDS, RESPONSIBLE_ROLE

LEVELS = AREA_LEVELS
MAX_PAGE_SIZE = 10_000
# At most this many logged changes are read to catch up; further behind, the engine reloads.
MAX_BEHIND = 500
# A snapshot is saved after every full load and after this many changes since the last one, so
# a new process finds one it can catch up from (docs/design.md#snapshots).
SAVE_EVERY = 200
# While one thread loads the whole projection, another reader waits this long for it, then
# answers from the last complete revision (a county loads in seconds, a city in minutes).
RELOAD_WAIT_S = 10.0
log = logging.getLogger(__name__)


def parse_as_of(as_of: str | dt.date | None) -> tuple[str, int]:
    if as_of is None:
        d = clock.today()
    elif isinstance(as_of, dt.date):
        d = as_of
    else:
        try:
            d = dt.date.fromisoformat(as_of)
        except ValueError:
            raise ValidationFailed(f"日期“{as_of}”格式不对，应为 YYYY-MM-DD") from None
    return d.isoformat(), d.year * 10_000 + d.month * 100 + d.day


MAX_TREND_MONTHS = 24


def month_ends(d: dt.date, months: int) -> list[dt.date]:
    """The last day of each of the `months` − 1 months before d's month, then d itself."""
    out = []
    first = d.replace(day=1)
    for _ in range(months - 1):
        first = first - dt.timedelta(days=1)  # the last day of the month before
        out.append(first)
        first = first.replace(day=1)
    return [*reversed(out), d]


T = TypeVar("T")


class Engine:
    def __init__(
        self,
        store: GraphStore,
        *,
        policy: Policy | None = None,
        snapshots: Path | Literal[False] | None = None,
        reload_wait: float = RELOAD_WAIT_S,
    ) -> None:
        """`snapshots`: the folder of projection snapshots (docs/design.md#snapshots) this
        engine starts from and saves to; None: the data folder's when it exists, unless
        settings turn them off (ORGRAPH_PROJECTION_SNAPSHOTS=0); False: none."""
        self.store = store
        self.policy = policy or get_policy()
        if snapshots is None:
            settings = get_settings()
            # only where a data folder is in use already (a local store's): a CLI command on
            # an external server leaves no folder behind in the directory it ran from
            on = settings.projection_snapshots and settings.data_path.is_dir()
            snapshots = snapshot.snapshot_dir(settings) if on else False
        self.snapshots = snapshots or None
        self._lock = threading.Lock()
        self._loaded = threading.Condition(self._lock)  # notified when a full load ends
        self._loading = False
        self._wait_until = 0.0
        self.reload_wait = reload_wait
        self._saving = threading.Lock()
        self._saved_seq = -1
        self._proj: Projection | None = None
        self._days: OrderedDict[int, DayState] = OrderedDict()
        self._scopes: dict[str | None, Scope] = {}
        self._members: dict[str | None, Any] = {}
        self._kept = Kept()  # rules' counts by (type, day, scope), with their reads
        self._proposals: OrderedDict[tuple[str | None, int], proposals.Solution] = OrderedDict()
        self._ledger: tuple[dict[str, Any], gap_ledger.Episodes] | None = None
        # how the projection was brought up to date, for /health and the tests
        self.loads = 0
        self.deltas = 0
        self.snapshot_loads = 0
        self.reload_reason: str | None = None  # why the last catch-up gave way to a reload

    # -- caches -------------------------------------------------------------------------------

    def projection(self, *, stale_ok: bool = True) -> Projection:
        """The current projection: one revision check; after a write, the change log's entries
        since this projection applied to a copy of it. When they cannot be (an import ended, a
        log too far behind) one thread loads the graph whole; readers wait for it until
        `reload_wait` seconds after it began, then answer from the projection they have, the
        last complete revision (the API's answers name it, X-Orgraph-Revision), rather than
        queue behind a load that takes minutes at city scale. `stale_ok=False` (a request that
        writes: its checks must see the graph as it is) waits for the load to end
        (docs/design.md#change-log)."""
        seen = self._proj
        rev, _ = proj.revision(self.store)
        with self._lock:
            p = self._proj
            if p is not None and p.revision == rev:
                return p
            if p is not None and p is not seen:
                # `rev` was read before the lock: another reader has caught up meanwhile, to
                # it or past it; without this a log already applied reads as missing, and the
                # engine reloaded whole under concurrent reads and writes. While the projection
                # is the one held when `rev` was read, nothing was applied since, and a second
                # read (~5 ms over Bolt) is spared.
                rev, _ = proj.revision(self.store)
                if p.revision == rev:
                    return p
            if p is not None and self._loading:
                left = max(0.0, self._wait_until - time.monotonic()) if stale_ok else None
                self._loaded.wait_for(lambda: not self._loading, timeout=left)
                return self._proj or p
            fresh = None
            if p is None:
                fresh = self._from_snapshot(rev)
            elif rev is not None:
                try:
                    fresh = self._catch_up(p)
                    self.deltas += 1
                except Reload as why:
                    self.reload_reason = str(why)
            if fresh is not None:
                if not self._saved_seq <= fresh.seq < self._saved_seq + SAVE_EVERY:
                    self._save_later(fresh)
                return self._install(fresh)
            if p is None:  # nothing to answer from meanwhile: every reader waits for this load
                return self._install(self._load())
            self._loading = True
            self._wait_until = time.monotonic() + self.reload_wait  # one wait per load
        try:
            fresh = self._load()  # outside the lock: the other readers keep answering
        except BaseException:
            with self._lock:
                self._loading = False
                self._loaded.notify_all()
            raise
        with self._lock:
            self._loading = False
            self._loaded.notify_all()
            return self._install(fresh)

    def _load(self) -> Projection:
        fresh = proj.load(self.store)
        self.loads += 1
        self._save_later(fresh)
        self._plan_catch_up()
        return fresh

    def _plan_catch_up(self) -> None:
        """Have the store plan a member's catch-up now, in a thread of its own: Neo4j plans a
        statement the first time it runs with parameters of those types (a list of strings:
        an empty list is another type, and plans again), ~0.7 s for delta_member_rows, which
        the first answer after the first write of a process or a load would otherwise wait
        for (docs/design.md#change-log). No change has the sequence number 2**53 and no
        member the key "", so nothing is read. A failure leaves that cost where it was."""

        def plan() -> None:
            try:
                self.store.read("changes_since", seq=2**53, limit=1)
                self.store.read("delta_member_rows", keys=[""])
            except Exception:
                log.debug("catch-up statements not planned ahead", exc_info=True)

        threading.Thread(target=plan, name="orgraph-plan", daemon=True).start()

    def _install(self, fresh: Projection) -> Projection:
        """Make `fresh` the projection answers come from (the caller holds the lock). After a
        catch-up the values computed on the projection before it stay where what they read
        was left as it was (the same objects; analysis/tracking.py): the resolved scopes (a
        members mask is a loop over every member: 23 ms at county scale, 10x that in a city),
        each day's values, each rule's count. docs/design.md#change-log."""
        old, self._proj = self._proj, fresh
        days, self._days = self._days, OrderedDict()
        self._proposals.clear()
        if old is None:
            self._kept = Kept()
            return fresh
        changed = changed_fields(old, fresh)
        for as_of, day in days.items():
            self._days[as_of] = kept = compute(fresh, as_of, self.policy)
            kept.keep(day, changed)
        self._kept = self._kept.carry(changed)
        if not changed.isdisjoint(SCOPE_READS):
            self._scopes.clear()
            self._members.clear()
        return fresh

    def _from_snapshot(self, rev: str | None) -> Projection | None:
        """The saved projection of revision `rev`, else the newest saved one caught up from
        the change log; None when neither works (the caller loads from the graph)."""
        if self.snapshots is None:
            return None
        found = snapshot.load(self.snapshots, rev)
        if found is not None:
            self.snapshot_loads += 1
            self._saved_seq = found.seq
            if not found.derived:  # its caches were saved by other code (an upgrade): again
                self._save_later(found)
            self._plan_catch_up()
            return found
        older = snapshot.load(self.snapshots)
        if older is None or rev is None:
            return None
        try:
            fresh = self._catch_up(older)
        except Reload:
            return None
        self.snapshot_loads += 1
        self.deltas += 1
        self._saved_seq = older.seq
        return fresh

    def _save_later(self, p: Projection) -> None:
        """Save `p` as a snapshot in a thread of its own (the caller answers meanwhile; a
        process waits for it before it exits), unless a save is running or none are kept."""
        if self.snapshots is None or not self._saving.acquire(blocking=False):
            return
        self._saved_seq = p.seq
        folder = self.snapshots

        def save() -> None:
            try:
                # saved with it: a new process need not compute them (docs/design.md#snapshots)
                life_rules.precompute(p)
                household_order(p)
                snapshot.save(p, folder)
            except Exception:  # a cold start reads the graph instead: worth a log line only
                log.exception("projection snapshot not saved to %s", folder)
            finally:
                self._saving.release()

        threading.Thread(target=save, name="orgraph-snapshot", daemon=False).start()

    def saved(self) -> None:
        """Wait for a snapshot save in progress (tests, and a clean exit)."""
        with self._saving:
            pass

    def _catch_up(self, p: Projection) -> Projection:
        """`p` brought up to the newest logged change (Reload when the log since `p` is
        broken, too long, or names everything)."""
        rows = self.store.read("changes_since", seq=p.seq, limit=MAX_BEHIND)
        if not rows or len(rows) >= MAX_BEHIND:
            raise Reload("no log to catch up from")
        changes, rev = Changes(), p.revision
        for row in rows:
            if row["prev"] != rev:  # pruned, or a graph dropped and rebuilt since
                raise Reload("the change log does not continue from this projection")
            changes.merge(Changes.decode(row["touched"] or []))
            if changes.everything or changes.size > MAX_KEYS:
                raise Reload("too much changed")
            rev = row["rev"]
        return catch_up(p, self.store, changes, rev, int(rows[-1]["seq"]))

    def freshness(self) -> dict[str, Any]:
        """Which revision answers come from, and how the projection kept up: full loads and
        catch-ups from the change log since the engine started."""
        p = self._proj
        return {
            "revision": p.revision if p else None,
            "seq": p.seq if p else None,
            "loads": self.loads,
            "deltas": self.deltas,
            "snapshot_loads": self.snapshot_loads,
            "reload_reason": self.reload_reason,
        }

    # The per-date states and per-scope masks below are kept for the current projection only: a
    # reader may still hold the one before (a write landed meanwhile), whose indexes differ.

    def _day(self, p: Projection, as_of: int) -> DayState:
        with self._lock:
            if p is self._proj:
                state = self._days.get(as_of)
                if state is None:
                    state = compute(p, as_of, self.policy)
                    self._days[as_of] = state
                    while len(self._days) > 16:
                        self._days.popitem(last=False)
                return state
        return compute(p, as_of, self.policy)  # outside the lock: nobody else needs it

    def _scope(self, p: Projection, ref: str | None) -> tuple[Scope, Any]:
        with self._lock:
            if p is self._proj:
                if ref not in self._scopes:
                    scope = resolve(p, ref)
                    self._scopes[ref], self._members[ref] = scope, scope.members(p)
                return self._scopes[ref], self._members[ref]
        scope = resolve(p, ref)
        return scope, scope.members(p)

    def scope(self, ref: str | None, *, stale_ok: bool = True) -> tuple[Projection, Scope, Any]:
        """The current projection, the scope `ref` resolves to, and its members mask
        (raises NotFound for an unknown or external ref). For access checks."""
        p = self.projection(stale_ok=stale_ok)
        sc, members = self._scope(p, ref)
        return p, sc, members

    def _ctx(
        self, scope: str | None, as_of: str | dt.date | None, *, stale_ok: bool = True
    ) -> tuple[Ctx, str]:
        iso, day = parse_as_of(as_of)
        p = self.projection(stale_ok=stale_ok)
        sc, members = self._scope(p, scope)
        return Ctx(p, self._day(p, day), sc, self.policy, members), iso

    # -- answers ------------------------------------------------------------------------------

    def gaps(
        self,
        type: str,
        *,
        scope: str | None = None,
        as_of: str | dt.date | None = None,
        page: int = 1,
        page_size: int = 100,
        min_age_days: int | None = None,
        ages: bool = False,
    ) -> dict[str, Any]:
        """One page of a rule's items at `as_of`; with `ages`, each with its age from the gap
        ledger (docs/rules.md "Gap life"); `min_age_days`: only the items open at least that
        long (their ages included)."""
        if type not in RULES:
            raise ValidationFailed(f"未知的缺口类型“{type}”。可用: {', '.join(RULES)}")
        if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValidationFailed(f"页码从 1 开始，每页 1–{MAX_PAGE_SIZE} 条")
        if min_age_days is not None and min_age_days < 0:
            raise ValidationFailed("持续天数下限不能为负数")
        c, iso = self._ctx(scope, as_of)
        rule = RULES[type]
        start = (page - 1) * page_size
        every: dict[str, dict[str, Any]] = {}
        if rule.households is not None and min_age_days is None:
            # a household rule's items as a mask: no list of a city's ~770k refs per page
            found = households_by_id(c.graph, rule.households(c))
            total = len(found)
            page_refs: list[Ref] = [("h", h) for h in found[start : start + page_size].tolist()]
        else:
            refs = by_id(c.graph, rule.find(c))
            if min_age_days is not None:
                ids = {r: gap_ledger.ledger_id(c, type, r) for r in refs}
                every = gap_ledger.ages(
                    self.store, type, ids.values(), iso, kept=self.gap_episodes()
                )
                refs = [
                    r
                    for r in refs
                    if (age := every[ids[r]]["age_days"]) is not None and age >= min_age_days
                ]
            total = len(refs)
            page_refs = refs[start : start + page_size]
        c.graph.load_heads(self.store, [i for kind, i in page_refs if kind == "h"])
        doc = {
            "type": type,
            "scope": c.scope.label,
            "as_of": iso,
            "total": total,
            "page": page,
            "page_size": page_size,
            "no_data": not rule.has_data(c),
            "items": [rule.detail(c, r) for r in page_refs],
        }
        if min_age_days is not None:
            doc["min_age_days"] = min_age_days
            return gap_ledger.with_ages(self.store, doc, every)
        return gap_ledger.with_ages(self.store, doc) if ages else doc

    def gap_ages(self, doc: dict[str, Any]) -> dict[str, Any]:
        """A gaps answer (perhaps cached for its revision) with each item's age read from the
        ledger now (docs/rules.md "Gap life": the ledger moves without a revision)."""
        return gap_ledger.with_ages(self.store, doc)

    def past(self, as_of: str | dt.date | None = None) -> dict[str, Any]:
        """What an answer at `as_of` could read (docs/rules.md "What an answer at a past day
        can read"): undated_as_now, replaced_after, history_from and its note, read now."""
        return past.past(self.store, parse_as_of(as_of)[0])

    def with_past(self, doc: dict[str, Any]) -> dict[str, Any]:
        """A gaps or summary answer (perhaps cached for its revision) with its `past` read now
        (as gap_ages: today moves without a revision)."""
        return {**doc, "past": self.past(doc["as_of"])}

    def changes(
        self, since: str, until: str | None = None, *, scope: str | None = None
    ) -> dict[str, Any]:
        """What changed between two imports or days (docs/rules.md "Changes between two
        points"), read from the graph's history; in a scope, what lies in it as the
        projection places things now."""
        p = self.projection()
        sc, members = self._scope(p, scope)
        within = InScope(p, sc, members)  # the whole county too: not every member is in it
        return changes.between(self.store, since, until, within=within, scope=sc.label)

    def year_end(self, year: int) -> dict[str, Any]:
        """The year-end summary (docs/rules.md "Year-end summary")."""
        return year_end.summary(self, year)

    def gap_episodes(self) -> tuple[dict[str, Any], gap_ledger.Episodes] | None:
        """The gap ledger's stamp and every episode, read once per finished observation and
        kept (the age filter reads every item's age; by type it is ~85k rows at county scale,
        seconds a read); None without a ledger. While an observation is still writing (its
        `done` behind its `seq`), read afresh and not kept."""
        stamp = gap_ledger.state(self.store)
        if stamp is None:
            return None
        kept = self._ledger
        if kept is not None and stamp["done"] == stamp["seq"] == kept[0]["seq"]:
            return kept
        fresh = (stamp, gap_ledger.by_type(gap_ledger.episodes(self.store)))
        if stamp["done"] == stamp["seq"]:
            self._ledger = fresh
        return fresh

    def observe_gaps(
        self, on: str | dt.date | None = None, *, import_: bool = False
    ) -> dict[str, Any] | None:
        """Bring the gap ledger up to the graph as it is now, dated `on` (default today):
        what the observation opened and closed, or None when there was nothing to observe
        (docs/rules.md "Gap life"). `import_`: the end of a recorded import, which begins the
        ledger and observes a later roster day even when it changed nothing."""
        day = dt.date.fromisoformat(parse_as_of(on)[0])
        done = gap_ledger.observe(self, day, import_=import_)
        return done.as_dict() if done else None

    def summary(
        self, *, scope: str | None = None, as_of: str | dt.date | None = None
    ) -> dict[str, Any]:
        c, iso = self._ctx(scope, as_of)
        found = self._counts(c, scope)
        return {
            "scope": c.scope.label,
            "as_of": iso,
            "counts": {t: n for t, (n, _) in found.items()},
            "no_data": [t for t, (_, has) in found.items() if not has],
        }

    def _counts(self, c: Ctx, ref: str | None) -> dict[str, tuple[int, bool]]:
        """Every rule's count in `c` and whether it has data there, each kept across catch-ups
        (`_keep`): after a write only the rules that read what it changed count again (a
        city's 45 rules take ~0.2 s, those a report or a dues payment reads ~30 ms)."""
        out: dict[str, tuple[int, bool]] = {}
        view: Ctx | None = None  # one for all the rules: they share its memo
        for t, rule in RULES.items():
            key = ("count", t, c.day.as_of, ref)
            hit = self._kept_value(c, key)
            if hit is None:
                view = view or c.tracked()
                hit = self._keep(c, key, view, rule.count_and_data)
            out[t] = hit
        return out

    def _rows(self, c: Ctx, ref: str | None, level: str) -> list[dict[str, Any]]:
        """The coverage rows of `c` at `level`, kept across catch-ups (`_keep`)."""
        key = ("coverage", level, c.day.as_of, ref)
        hit = self._kept_value(c, key)
        if hit is None:
            hit = self._keep(c, key, c.tracked(), lambda v: coverage.rows(v, level), weigh=len)
        rows: list[dict[str, Any]] = hit
        return rows

    def _kept_value(self, c: Ctx, key: tuple[Any, ...]) -> Any | None:
        with self._lock:
            return self._kept.get(key) if c.graph is self._proj else None

    def _keep(
        self,
        c: Ctx,
        key: tuple[Any, ...],
        view: Ctx,
        make: Callable[[Ctx], T],
        weigh: Callable[[T], int] = lambda _: 1,
    ) -> T:
        """`make(view)`, kept for `c`'s projection with what it read (recorded through `view`,
        c.tracked(): analysis/tracking.py) and the fields of the scope, so that a catch-up that
        changed none of them keeps it (`_install`). Not kept for a projection a write has
        replaced meanwhile."""
        assert view.tracker is not None
        with view.tracker.frame() as reads:
            value = make(view)
        with self._lock:
            if c.graph is self._proj:
                self._kept.put(key, value, reads.union(SCOPE_READS), weigh(value))
        return value

    def coverage(
        self,
        *,
        scope: str | None = None,
        level: str = "village",
        as_of: str | dt.date | None = None,
    ) -> dict[str, Any]:
        if level not in LEVELS:
            raise ValidationFailed(f"层级“{level}”无效。可用: {', '.join(LEVELS)}")
        c, iso = self._ctx(scope, as_of)
        return {
            "scope": c.scope.label,
            "as_of": iso,
            "level": level,
            "rows": self._rows(c, scope, level),
        }

    def trend(
        self,
        *,
        scope: str | None = None,
        level: str = "township",
        months: int = 12,
        as_of: str | dt.date | None = None,
        counts: bool = False,
    ) -> dict[str, Any]:
        """Coverage (and each gap type's count) at the end of each of the last `months`
        months, D's month ending at D (docs/rules.md "Trend")."""
        if level not in LEVELS:
            raise ValidationFailed(f"层级“{level}”无效。可用: {', '.join(LEVELS)}")
        if not 1 <= months <= MAX_TREND_MONTHS:
            raise ValidationFailed(f"月数应为 1–{MAX_TREND_MONTHS}")
        iso, _ = parse_as_of(as_of)
        p = self.projection()
        sc, members = self._scope(p, scope)
        points = []
        for day in month_ends(dt.date.fromisoformat(iso), months):
            c = Ctx(
                p,
                self._day(p, day.year * 10_000 + day.month * 100 + day.day),
                sc,
                self.policy,
                members,
            )
            point: dict[str, Any] = {"date": day.isoformat(), "rows": self._rows(c, scope, level)}
            if counts:
                point["counts"] = {t: n for t, (n, _) in self._counts(c, scope).items()}
            points.append(point)
        return {
            "scope": sc.label,
            "as_of": iso,
            "level": level,
            "months": months,
            "undated_as_now": True,
            "points": points,
        }

    # -- proposals ------------------------------------------------------------------------------

    def _solution(self, c: Ctx) -> proposals.Solution:
        key = (c.scope.ref, c.day.as_of)
        with self._lock:
            found = self._proposals.get(key)
        if found is None or c.graph is not self._proj:
            found = proposals.solve(c)
            with self._lock:
                if c.graph is self._proj:
                    self._proposals[key] = found
                    while len(self._proposals) > 8:
                        self._proposals.popitem(last=False)
        return found

    def proposal(
        self,
        *,
        scope: str | None = None,
        as_of: str | dt.date | None = None,
        page: int = 1,
        page_size: int | None = 100,
    ) -> dict[str, Any]:
        """Who should take which uncovered household, and what coverage needs beyond that
        (docs/rules.md "Contact proposals"). page_size None: every pair (exports)."""
        if page < 1 or (page_size is not None and not 1 <= page_size <= MAX_PAGE_SIZE):
            raise ValidationFailed(f"页码从 1 开始，每页 1–{MAX_PAGE_SIZE} 条")
        c, iso = self._ctx(scope, as_of)
        solution = self._solution(c)
        doc = proposal_report.report(
            c,
            solution,
            page=page if page_size is not None else 1,
            page_size=page_size or max(1, len(solution.pairs)),
            store=self.store,
        )
        return {**doc, "as_of": iso}

    def duty_proposal(
        self, *, scope: str | None = None, as_of: str | dt.date | None = None
    ) -> dict[str, Any]:
        """A cadre for each hamlet and party group without one, and a group for each member
        without one (docs/rules.md "Cadres for hamlets and party groups", "Members without a
        group")."""
        c, iso = self._ctx(scope, as_of)
        return {
            "scope": c.scope.label,
            "as_of": iso,
            "cadres": duty_proposals.cadres(c),
            "groups": duty_proposals.groups(c),
        }

    def preview_contacts(
        self, rows: list[dict[str, Any]], *, as_of: str | dt.date | None = None
    ) -> dict[str, Any]:
        """The county's coverage at D before → after these member → household contacts
        ({"member", "target", "since", "until"}, as the importer writes them) were added:
        a contact counts when it is active at D and its member is at home at D (members or
        households the graph does not hold yet are left out)."""
        c, iso = self._ctx(None, as_of)
        p, d = c.graph, c.day
        covered = d.covered.copy()
        for row in rows:
            m, h = p.m_index.get(row["member"]), p.hh_index.get(row["target"])
            since = proj.day(row.get("since"), proj.ALWAYS)
            until = proj.day(row.get("until"), proj.NEVER)
            if m is not None and h is not None and d.at_home[m] and since <= d.as_of < until:
                covered[h] = True
        county = c.scope.households(p)
        households = int(county.sum())
        before, after = int((d.covered & county).sum()), int((covered & county).sum())
        return {
            "as_of": iso,
            "households": households,
            "covered_before": before,
            "covered_after": after,
            "coverage_before": round(before / households, 4) if households else None,
            "coverage_after": round(after / households, 4) if households else None,
        }

    def check_pairs(
        self,
        pairs: list[tuple[str, str]],
        *,
        scope: str | None = None,
        as_of: str | dt.date | None = None,
    ) -> dict[str, Any]:
        """Which of these (member key, household id) pairs may be written as contacts from D
        (docs/rules.md "Applying"): {"as_of", "new": [...], "kept": [...], "problems": [...]}.
        Checked against the graph as it is: a write follows (never the last revision while a
        reload runs)."""
        c, iso = self._ctx(scope, as_of, stale_ok=False)
        return {"as_of": iso, **proposals.check(c, pairs)}

    # -- members away ---------------------------------------------------------------------------

    def destinations(
        self, *, scope: str | None = None, as_of: str | dt.date | None = None
    ) -> dict[str, Any]:
        """Members away by destination province and city."""
        c, iso = self._ctx(scope, as_of)
        return {"scope": c.scope.label, "as_of": iso, **mobile.destinations(c)}

    def flows(
        self, *, scope: str | None = None, as_of: str | dt.date | None = None
    ) -> dict[str, Any]:
        """Members away from each origin township to each destination city."""
        c, iso = self._ctx(scope, as_of)
        return {"scope": c.scope.label, "as_of": iso, **mobile.flows(c)}

    def mobile_branches(
        self, *, scope: str | None = None, as_of: str | dt.date | None = None
    ) -> dict[str, Any]:
        """Mobile and temporary branches in scope with their members' report status."""
        c, iso = self._ctx(scope, as_of)
        p = c.graph
        rows = []
        for i in np.flatnonzero(c.scope.orgs):
            if p.org_kind[i] in MOBILE_KINDS and not p.org_external[i]:
                rows.append(self._branch_row(c, int(i)))
        rows.sort(key=lambda r: r["id"])
        return {"scope": c.scope.label, "as_of": iso, "branches": rows}

    def _branch_row(self, c: Ctx, o: int) -> dict[str, Any]:
        p = c.graph
        people = _attending(c, o)
        host = p.org_host[o]
        place = mobile.city(p, host)
        parent = p.org_parent[o]
        established = int(p.org_established[o])
        return {
            "id": p.org_id[o],
            "name": p.org_name[o],
            "kind": p.org_kind[o],
            "host": {"code": host, "name": p.area_name[p.area_index[host]]}
            if host in p.area_index
            else None,
            "city": {"code": place.code6, "name": place.name, "lon": place.lon, "lat": place.lat}
            if place
            else None,
            "approved_by": c.org_brief(parent) if parent >= 0 else None,
            "established_on": mobile.iso(established) if established else None,
            "members": len(people),
            "silent": sum(1 for m in people if mobile.status(c, m) == "silent"),
            "lost": sum(1 for m in people if mobile.status(c, m) == "lost"),
        }

    def mobile_branch(self, branch: str, *, as_of: str | dt.date | None = None) -> dict[str, Any]:
        """One mobile branch and the members attending it, with their report status."""
        c, iso = self._ctx(None, as_of)
        p = c.graph
        o = p.org_index.get(branch)
        if o is None or p.org_kind[o] not in MOBILE_KINDS or p.org_external[o]:
            raise NotFound(f"流动党员党支部“{branch}”不存在")
        members = []
        for m in sorted(_attending(c, o), key=lambda m: p.m_key[m]):
            k = int(c.day.current[m])
            last = int(c.day.last_report[m])
            members.append(
                {
                    **c.member_brief(m),
                    "since": _since(c, m, o),
                    "away": bool(c.day.away[m]),
                    "destination_text": p.o_dest_text[k] if k >= 0 else None,
                    "last_report": mobile.iso(last) if last else None,
                    "quiet_days": int(c.day.quiet[m]) if k >= 0 else None,
                    "status": mobile.status(c, m),
                }
            )
        return {"as_of": iso, "branch": self._branch_row(c, o), "members": members}

    # -- 软弱涣散 screening -----------------------------------------------------------------------

    def screening(
        self, *, scope: str | None = None, as_of: str | dt.date | None = None
    ) -> dict[str, Any]:
        """Every village organisation in scope with the indicators of a weak organisation,
        its reasons and the figures behind them (docs/rules.md "软弱涣散 screening")."""
        c, iso = self._ctx(scope, as_of)
        whole, everyone = self._scope(c.graph, None)
        county = Ctx(c.graph, c.day, whole, self.policy, everyone)
        return {"scope": c.scope.label, "as_of": iso, **screening.screen(c, county)}

    def first_secretary_villages(
        self, *, scope: str | None = None, as_of: str | dt.date | None = None
    ) -> dict[str, Any]:
        """Every village organisation in scope with its 第一书记 in office (docs/rules.md
        "第一书记", the village view): for the map and the village page."""
        c, iso = self._ctx(scope, as_of)
        return {
            "scope": c.scope.label,
            "as_of": iso,
            "no_data": not first_secretaries.has_appointments(c),
            "rows": first_secretaries.by_village(c),
        }

    def group_ranking(
        self,
        township: str,
        *,
        quarter: str | None = None,
        as_of: str | dt.date | None = None,
    ) -> dict[str, Any]:
        """A township's party groups ranked over a completed quarter, and its 流动红旗
        (docs/rules.md "Township ranking of party groups")."""
        iso, day = parse_as_of(as_of)
        p = self.projection()
        a = p.area_index.get(township)
        if a is None or p.area_level[a] != "township" or p.area_external[a]:
            raise NotFound(f"乡镇“{township}”不存在")
        try:
            q = group_ranking.quarter(quarter) if quarter else group_ranking.last_completed(day)
        except ValueError:
            raise ValidationFailed(f"季度“{quarter or iso}”无效，应如 2026-Q3") from None
        if quarter is not None and q.last >= day:
            raise ValidationFailed(f"季度 {q.label} 在 {iso} 尚未结束")
        c, _ = self._ctx(None, life.iso(q.last))
        return {
            "township": {"code": township, "name": p.area_name[a]},
            "as_of": iso,
            **group_ranking.rank(c, a, q),
        }

    # -- organisational life ------------------------------------------------------------------

    def life_grid(
        self,
        *,
        scope: str | None = None,
        as_of: str | dt.date | None = None,
        type: str | None = None,
    ) -> dict[str, Any]:
        """Branch (and group) × checked month: met, missed, no quorum, or not checked."""
        if type is not None and type not in MEETING_TYPE_ZH:
            raise ValidationFailed(f"未知的会议类型“{type}”。可用: {', '.join(MEETING_TYPE_ZH)}")
        c, iso = self._ctx(scope, as_of)
        return {
            "scope": c.scope.label,
            "as_of": iso,
            "type": type or "theme_day",
            "no_data": not life.has_life(c),
            **life_rules.grid(c, type),
        }

    def member_life(self, member: str, *, as_of: str | dt.date | None = None) -> dict[str, Any]:
        """A member's organisational life up to D: meetings attended or missed (newest first),
        dues paid, and the figures the member rules read."""
        c, iso = self._ctx(None, as_of)
        p = c.graph
        m = p.m_index.get(member)
        if m is None:
            raise NotFound(f"党员“{member}”不存在")
        who, ks = life.attendance(p)  # sorted by member
        lo, hi = np.searchsorted(who, [m, m + 1])
        attended = set(ks[lo:hi].tolist())
        listed = rows_of(p, "kp_member", m)
        missed = set(p.kp_meeting[listed[~p.kp_attended[listed]]].tolist()) - attended
        meetings = [
            {
                "id": p.k_id[k],
                "org": c.org_brief(int(p.k_org[k])),
                "type": p.k_type[k],
                "on": life.iso(int(p.k_on[k])),
                "topic": p.k_topic[k],
                "attended": k in attended,
            }
            for k in sorted(attended | missed, key=lambda k: (-int(p.k_on[k]), p.k_id[k]))
            if p.k_on[k] <= c.day.as_of
        ]
        paid = rows_of(p, "d_member", m)  # a city's dues are ~360k rows: not sorted per call
        rows = zip(p.d_month[paid].tolist(), p.d_on[paid].tolist(), strict=True)
        dues = [
            {"paid_to": life.month_label(mo), "on": life.iso(on)}
            for mo, on in sorted(rows, key=lambda r: (-r[1], -r[0]))
            if on <= c.day.as_of
        ]
        return {
            "as_of": iso,
            "member": {**c.member_brief(m), "on_roll": bool(p.m_on_roll[m])},
            "meetings": meetings,
            "dues": dues,
            **life_rules.member_figures(c, m),
        }

    def timeline(self, member: str) -> dict[str, Any]:
        """Every departure, attendance, report, return and transfer of a member, in order."""
        p = self.projection()
        m = p.m_index.get(member)
        if m is None:
            raise NotFound(f"党员“{member}”不存在")
        c, _ = self._ctx(None, None)
        return {
            "member": {**c.member_brief(m), "on_roll": bool(p.m_on_roll[m])},
            "events": timeline(self.store, member),
        }

    def chain(self, household_id: str, *, as_of: str | dt.date | None = None) -> dict[str, Any]:
        c, iso = self._ctx(None, as_of)
        p, s = c.graph, c.day
        h = p.hh_index.get(household_id)
        if h is None:
            raise NotFound(f"农户“{household_id}”不存在")
        p.load_heads(self.store, [h])
        area = int(p.hh_area[h])
        above: dict[str, int] = {}
        i = area
        while i >= 0:
            above.setdefault(p.area_level[i], i)
            i = p.area_parent[i]
        people: list[dict[str, Any]] = []
        for k in np.flatnonzero((p.c_house == h) & s.active_contact):
            m = int(p.c_member[k])
            if p.m_on_roll[m]:
                people.append(
                    {"id": p.m_key[m], "name": p.m_name[m], "at_home": bool(s.at_home[m])}
                )
        people = sorted({x["id"]: x for x in people}.values(), key=lambda x: x["id"])
        levels: list[dict[str, Any]] = [
            {
                "level": "household",
                "area": None,
                "people": people,
                "ok": any(x["at_home"] for x in people),
            }
        ]
        for level, role in RESPONSIBLE_ROLE.items():
            a = above.get(level)
            if a is None:
                continue
            ok = s.active_resp & ~p.r_is_org & (p.r_target == a)
            who = sorted({int(m) for m in p.r_member[ok] if role in p.m_roles[int(m)]})
            levels.append(
                {
                    "level": level,
                    "area": {"code": p.area_code[a], "name": p.area_name[a]},
                    "people": [{"id": p.m_key[m], "name": p.m_name[m], "role": role} for m in who],
                    "ok": bool(who),
                }
            )
        for lv in levels:
            if lv["level"] == "village":
                lv["first_secretaries"] = first_secretaries.in_village(c, above["village"])
        broken = next((lv["level"] for lv in levels if not lv["ok"]), None)
        return {
            "household": {"id": household_id, "head_name": p.hh_head.get(h), **c.area_ctx(area)},
            "as_of": iso,
            "levels": levels,
            "broken_at": broken,
        }


def _attending(c: Ctx, o: int) -> list[int]:
    """Members with an ATTENDS link to org `o` active at D."""
    p, d = c.graph, c.day.as_of
    ok = (p.at_org == o) & (p.at_since <= d) & (p.at_until > d)
    return sorted({int(m) for m in p.at_member[ok]})


def _since(c: Ctx, m: int, o: int) -> str | None:
    p, d = c.graph, c.day.as_of
    ok = (p.at_org == o) & (p.at_member == m) & (p.at_since <= d) & (p.at_until > d)
    first = int(p.at_since[ok].min()) if ok.any() else 0
    return mobile.iso(first) if first else None
