"""What every kind's import step shares (docs/design.md#importer): the lookups, row issues,
the diff of accepted rows against the stored state, and the batched writes.

A step resolves its rows into :class:`Item` s (key, state to compare, row to write), then
:meth:`ImportStep._count` sorts them into created / updated / unchanged and returns those to
write, and :meth:`ImportStep._write` writes them in UNWIND batches (nothing on a dry run).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from orgraph.errors import ConstraintConflict
from orgraph.importer.lookups import Lookups
from orgraph.importer.places import place_rows
from orgraph.importer.report import FileReport
from orgraph.roster import Issue, Record
from orgraph.roster.columns import SPECS
from orgraph.store import GraphStore
from orgraph.store.write_lock import ImportLock
from orgraph.vocab import GROUP_KINDS

BATCH = 5000
# Unknown start date of a contact or responsibility: sorts before every real date, so the link
# counts as active since ever. (MERGE keys cannot be null in Neo4j.)
NO_DATE = ""

Progress = Callable[[str, int, int], None]
# Fields that identify a person: the field history notes that they changed, keeping neither
# value (docs/rules.md "Field history"; the API masks them, the history would not): the ID
# number, the phone, and the phone while away (an outflow's 外出期间联系电话).
UNKEPT = frozenset({"id_hash", "id_masked", "phone", "phone_away"})


@dataclass
class Item:
    """One accepted row: its key, the state to compare, and the row to write."""

    row: int
    key: str
    state: dict[str, Any]
    write: dict[str, Any]
    # Set by `_count`: in neither the graph nor an earlier file of this call, so it may be
    # CREATEd, not MERGEd (`_write`'s `create`).
    new: bool = False


def clean(d: dict[str, Any]) -> dict[str, Any]:
    """Drop absent values and order lists, so stored and incoming states compare equal."""
    return {k: v for k, v in d.items() if v is not None and v != [] and v != ""}


def changed(old: dict[str, Any], state: dict[str, Any]) -> bool:
    """Whether a stored state differs from the incoming one, on the incoming state's keys, once
    both are cleaned; most rows of a re-import compare equal before cleaning."""
    sub = {k: old.get(k) for k in state}
    return sub != state and clean(sub) != clean(state)


def batches(rows: Sequence[Any], size: int = BATCH) -> Iterable[Sequence[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def column_label(key: str) -> str:
    """The Chinese column name of a key, for files whose header did not carry it."""
    for spec in SPECS.values():
        for col in spec.columns:
            if col.key == key:
                return col.synonyms[0] if col.synonyms else key
    return key


class ImportStep:
    """The state of one import call that every kind's step reads and extends."""

    def __init__(
        self,
        store: GraphStore,
        *,
        dry_run: bool = False,
        progress: Progress | None = None,
        lock: ImportLock | None = None,
    ) -> None:
        self.store = store
        self.dry_run = dry_run
        self.progress = progress
        # The graph's import lock this call holds (None: a dry run): checked before each batch.
        self.lock = lock
        self.lk = Lookups.load(store)
        self.places: dict[str, dict[str, Any]] = {}
        # What this call has already accepted, per kind: a second file naming the same entity
        # diffs against it, so a dry run (which writes nothing) counts like a real run.
        self.seen: dict[str, dict[str, dict[str, Any]]] = {}
        # Rectification episodes the 党组织 roster's 整顿 columns wrote in this call (on a dry
        # run: would have written), by episode id: the 整顿台账's rows for the same episodes diff
        # against them, so a dry run counts those rows as updated, as the real run does.
        self.episodes: dict[str, dict[str, Any]] = {}
        # Field history (docs/rules.md "Field history"): each stored value this call replaces,
        # written with the import's record (importer/history.py), also counted on a dry run.
        self.replaced: list[dict[str, Any]] = []

    # -- row issues ---------------------------------------------------------------------------

    @staticmethod
    def _issue(rep: FileReport, rec: Record, key: str, value: Any, msg: str) -> Issue:
        """An issue naming the column as the file's header wrote it."""
        return Issue(
            rep.sheet,
            rec.row,
            rep.columns.get(key) or column_label(key),
            None if value is None else str(value),
            msg,
        )

    def _reject(self, rep: FileReport, rec: Record, key: str, value: Any, msg: str) -> None:
        rep.rejected.append(self._issue(rep, rec, key, value, msg))

    def _warn(self, rep: FileReport, rec: Record, key: str, value: Any, msg: str) -> None:
        rep.warnings.append(self._issue(rep, rec, key, value, msg))

    def _resolve_member(self, rep: FileReport, rec: Record) -> str | None:
        """The member a contacts, outflows, reports or dues row names, or None (row rejected):
        also when its 人员编号 and its 身份证号 name two different members."""
        v = rec.values
        key = self.lk.member(v.get("member_key"), v.get("id_hash"))
        if key is None:
            shown = v.get("member_no") or v.get("id_masked") or v.get("name")
            self._reject(
                rep,
                rec,
                "member_no" if v.get("member_no") else "id_number",
                shown,
                "花名册中没有这名党员：请先导入党员花名册",
            )
            return None
        if v.get("member_no") and v.get("id_hash"):
            by_id = self.lk.member(None, v["id_hash"])
            if by_id is not None and by_id != key:
                self._reject(
                    rep,
                    rec,
                    "id_number",
                    v.get("id_masked"),
                    f"人员编号“{v['member_no']}”与身份证号不是同一名党员，请核对",
                )
                return None
        return key

    def _repeated(
        self,
        rep: FileReport,
        rec: Record,
        first: dict[str, int],
        key: str,
        field: str,
        shown: Any,
        what: str,
    ) -> bool:
        """A row naming what an earlier row of the sheet named once references resolve (one
        by 人员编号 and one by 身份证号, one by org id and one by name) is rejected, naming the
        first: which of the two is right is for the user to say, not for the import."""
        if key in first:
            self._reject(
                rep, rec, field, shown, f"与第{first[key]}行重复（{what}），请核对后只保留一行"
            )
            return True
        first[key] = rec.row
        return False

    def _county_org(self, rep: FileReport, rec: Record, what: str, not_group: str) -> str | None:
        """The org a row names in its `org` (id) or `org_name` column, when it is an org of the
        county that is not a party group; else None, the row rejected (`not_group` says why a
        group will not do)."""
        field = "org" if rec.values.get("org") else "org_name"
        ref = rec.values[field]
        org, err = self.lk.org(ref, what=what)
        kind = self.lk.orgs[org].get("kind") if org is not None else None
        if org is None or kind == "external" or kind in GROUP_KINDS:
            why = err or (f"“{ref}”是党小组，{not_group}" if kind in GROUP_KINDS else None)
            self._reject(rep, rec, field, ref, why or f"“{ref}”不是本县党组织")
            return None
        return org

    # -- diff and write -----------------------------------------------------------------------

    def _diff_write(
        self,
        rep: FileReport,
        items: list[Item],
        states: str,
        props: tuple[str, ...],
        upsert: str,
        label: str,
        stored: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
        written: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        """The common tail of a kind keyed by one id: read the stored state of the items' ids
        (`states` returns `id` and the `props`), count each row's fate, write what changed.
        `written`: properties an earlier step of this call set on some ids (also on a dry run,
        which wrote nothing), laid over what the graph holds."""
        existing: dict[str, dict[str, Any]] = {}
        for chunk in batches([it.key for it in items], 20_000):
            for row in self.store.read(states, ids=list(chunk)):
                state = {k: row[k] for k in props}
                existing[row["id"]] = stored(state) if stored else state
        for key, values in (written or {}).items():
            existing[key] = {**existing.get(key, dict.fromkeys(props)), **values}
        todo = self._count(rep, items, existing)
        self._write(upsert, [t.write for t in todo], label)

    def _count(
        self, rep: FileReport, items: list[Item], existing: dict[str, dict[str, Any]]
    ) -> list[Item]:
        """Split into created / updated / unchanged; return the rows that need writing."""
        todo = []
        seen = self.seen.setdefault(rep.kind or "", {})
        for it in items:
            old = seen.get(it.key, existing.get(it.key))
            seen[it.key] = it.state
            if old is None:
                rep.created += 1
                it.new = True
                todo.append(it)
                if rep.kind == "orgs":
                    # an org's creation is history too (the 变化 page lists new orgs); a
                    # member's, household's or contact's would be most of a first import
                    self.replaced.append(
                        {
                            "kind": "orgs",
                            "key": it.key,
                            "field": "created",
                            "old": None,
                            "new": it.state.get("name"),
                        }
                    )
            elif changed(old, it.state):
                rep.updated += 1
                todo.append(it)
                self.note_replaced(rep.kind or "", it.key, old, it.state)
            else:
                rep.unchanged += 1
        return todo

    def note_replaced(
        self, kind: str, key: str, old: dict[str, Any], state: dict[str, Any]
    ) -> None:
        """Note each field of `state` whose stored value differs (both cleaned, as `changed`
        compares them): the field, the value replaced and the value written."""
        before, after = clean({k: old.get(k) for k in state}), clean(state)
        for field in sorted(state):
            if before.get(field) != after.get(field):
                kept = field not in UNKEPT
                self.replaced.append(
                    {
                        "kind": kind,
                        "key": key,
                        "field": field,
                        "old": before.get(field) if kept else None,
                        "new": after.get(field) if kept else None,
                    }
                )

    def _write(
        self,
        query: str,
        rows: list[dict[str, Any]],
        label: str,
        *,
        create: str | None = None,
        new: Sequence[bool] = (),
    ) -> list[dict[str, Any]]:
        """Write `rows` with `query` in batches; with `create`, the rows whose `new` is true
        with that statement instead: a CREATE, which skips the lookups of a MERGE (a fresh
        county's households: 2.6 → 1.9 s of the server's time, docs/scale.md "Imports"). A
        batch of those that a uniqueness constraint refuses (another writer created one
        meanwhile; the refused statement wrote nothing) is written again with `query`; those
        rows are returned (what they stand for was not new after all). The creates go first:
        a key is new only where it first occurs in the call."""
        again: list[dict[str, Any]] = []
        if self.dry_run or not rows:
            return again
        parts = [(query, rows)]
        if create is not None:
            fresh = [r for r, n in zip(rows, new, strict=True) if n]
            parts = [(create, fresh), (query, [r for r, n in zip(rows, new, strict=True) if not n])]
        done = 0
        for statement, part in parts:
            for chunk in batches(part):
                if self.lock is not None:
                    self.lock.check()
                try:
                    self.store.write(statement, rows=list(chunk))
                except ConstraintConflict:
                    if statement == query:
                        raise
                    self.store.write(query, rows=list(chunk))
                    again.extend(chunk)
                done += len(chunk)
                if self.progress:
                    self.progress(label, done, len(rows))
        return again

    def _write_items(
        self, query: str, create: str, todo: list[Item], label: str
    ) -> list[dict[str, Any]]:
        """`_write` of the items `_count` returned: the new ones with `create`."""
        return self._write(
            query, [t.write for t in todo], label, create=create, new=[t.new for t in todo]
        )

    def _place(self, code6: str | None) -> str | None:
        """Register a destination place (and its city) as an external area; its code."""
        code, rows = place_rows(code6)
        for row in rows:
            if row["code"] not in self.lk.areas:
                self.places.setdefault(row["code"], row)
        return code

    def _flush_places(self) -> None:
        new = [p for c, p in self.places.items() if c not in self.lk.areas]
        # Cities first, so a county's PART_OF finds its city.
        new.sort(key=lambda p: p["level"] != "city")
        self._write("upsert_places", new, "places")
        for p in new:
            self.lk.areas[p["code"]] = {
                "code": p["code"],
                "name": p["name"],
                "level": p["level"],
                "external": True,
            }
