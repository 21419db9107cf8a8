"""The gap rules of docs/rules.md over the projection: each finds entity indices, and builds
item details only for the page asked for."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from orgraph.analysis import (
    first_secretaries,
    group_rules,
    life,
    life_rules,
    mobile,
    rect_rules,
)
from orgraph.analysis.context import Ctx, Ref
from orgraph.analysis.projection import Projection, org_member_counts
from orgraph.policy import Policy
from orgraph.vocab import GAP_TYPES, GROUP_KINDS, RESPONSIBLE_ROLE, SIZED_BRANCH_KINDS, GapType

# -- households -------------------------------------------------------------------------------


def _uncovered_mask(c: Ctx) -> Any:
    return c.scope.households(c.graph) & ~c.day.covered


def _away_mask(c: Ctx) -> Any:
    return _uncovered_mask(c) & (c.day.contacts_away > 0)


def _uncovered(c: Ctx) -> list[Ref]:
    return [("h", int(i)) for i in np.flatnonzero(_uncovered_mask(c))]


def _contact_away(c: Ctx) -> list[Ref]:
    return [("h", int(i)) for i in np.flatnonzero(_away_mask(c))]


def _household_item(c: Ctx, h: int) -> dict[str, Any]:
    a = int(c.graph.hh_area[h])
    return {
        "id": c.graph.hh_id[h],
        "head_name": c.graph.hh_head.get(h),
        "area": {"code": c.graph.area_code[a], "name": c.graph.area_name[a]} if a >= 0 else None,
        **c.area_ctx(a),
        "contacts_away": int(c.day.contacts_away[h]),
    }


# -- members ----------------------------------------------------------------------------------


def _rural(c: Ctx, m: int) -> bool:
    """Members whose branch's home area is a village or hamlet (联户 is a rural duty)."""
    for b in c.graph.m_branches[m]:
        a = c.graph.org_home_area[b]
        if a >= 0 and c.graph.area_level[a] in ("village", "hamlet"):
            return True
    return False


def _contact_load(c: Ctx) -> list[Ref]:
    lo, hi = c.policy.contact_min, c.policy.contact_max
    n = c.day.member_households
    cand = c.members & c.day.at_home & ~c.day.exempt & ((n < lo) | (n > hi))
    return [("m", int(m)) for m in np.flatnonzero(cand) if _rural(c, int(m))]


def _contact_load_item(c: Ctx, m: int) -> dict[str, Any]:
    return {
        **c.member_brief(m),
        "households": int(c.day.member_households[m]),
        "min": c.policy.contact_min,
        "max": c.policy.contact_max,
    }


def _exempt_assigned(c: Ctx) -> list[Ref]:
    cand = c.members & c.day.exempt & (c.day.member_households > 0)
    return [("m", int(m)) for m in np.flatnonzero(cand)]


def _exempt_item(c: Ctx, m: int) -> dict[str, Any]:
    age = int(c.day.age[m])
    return {
        **c.member_brief(m),
        "age": age if age >= 0 else None,
        "mgmt_class": c.graph.m_mgmt[m],
        "households": int(c.day.member_households[m]),
    }


def _has_role(c: Ctx, role: str) -> Any:
    return c.graph.once(
        f"role:{role}",
        lambda: np.array([role in r for r in c.graph.m_roles], dtype=bool),
        ("m_roles",),
    )


def _responsible_targets(c: Ctx, role: str, *, orgs: bool) -> set[int]:
    ok = c.day.active_resp & (c.graph.r_is_org == orgs)
    if not len(ok):
        return set()
    ok &= _has_role(c, role)[c.graph.r_member]
    return {int(t) for t in c.graph.r_target[ok]}


def _areas_without(c: Ctx, level: str) -> list[Ref]:
    """Areas of `level` in scope that no member holding its RESPONSIBLE_ROLE answers for."""
    covered = _responsible_targets(c, RESPONSIBLE_ROLE[level], orgs=False)
    return [
        ("a", int(i))
        for i in np.flatnonzero(c.scope.areas)
        if c.graph.area_level[i] == level and not c.graph.area_external[i] and int(i) not in covered
    ]


def _area_item(c: Ctx, a: int) -> dict[str, Any]:
    ctx = c.area_ctx(c.graph.area_parent[a]) if c.graph.area_parent[a] >= 0 else {}
    return {
        "id": c.graph.area_code[a],
        "name": c.graph.area_name[a],
        "level": c.graph.area_level[a],
        **ctx,
    }


def _groups(c: Ctx) -> list[int]:
    return [int(o) for o in np.flatnonzero(c.scope.orgs) if c.graph.org_kind[o] in GROUP_KINDS]


def _hamlet_no_cadre(c: Ctx) -> list[Ref]:
    out = _areas_without(c, "hamlet")
    covered = _responsible_targets(c, RESPONSIBLE_ROLE["hamlet"], orgs=True)  # groups: as hamlets
    return out + [("o", g) for g in _groups(c) if g not in covered]


def _hamlet_item(c: Ctx, ref: Ref) -> dict[str, Any]:
    kind, i = ref
    if kind == "a":
        return {**_area_item(c, i), "target_kind": "hamlet"}
    parent = c.graph.org_parent[i]
    home = c.graph.org_home_area[i]
    return {
        "id": c.graph.org_id[i],
        "name": c.graph.org_name[i],
        "target_kind": "group",
        "branch": c.org_brief(parent) if parent >= 0 else None,
        **(c.area_ctx(home) if home >= 0 else {}),
    }


def _orgs_with_groups(c: Ctx) -> list[bool]:
    """Per org: whether a group is among its children."""
    has: list[bool] = c.graph.once(
        "has_groups",
        lambda: [
            any(c.graph.org_kind[g] in GROUP_KINDS for g in kids) for kids in c.graph.org_children
        ],
        ("org_kind", "org_children"),
    )
    return has


def _branch_has_groups(c: Ctx, o: int) -> bool:
    return bool(_orgs_with_groups(c)[o])


def _cadre_groups(c: Ctx) -> Any:
    """Per member: distinct party groups it is actively responsible for."""
    ok = c.day.active_resp & c.graph.r_is_org
    counts = np.zeros(len(c.graph.m_key), dtype=np.int64)
    pairs = {
        (int(m), int(t))
        for m, t in zip(c.graph.r_member[ok], c.graph.r_target[ok], strict=True)
        if c.graph.org_kind[int(t)] in GROUP_KINDS
    }
    for m, _ in pairs:
        counts[m] += 1
    return counts


def _cadre_group_load(c: Ctx) -> list[Ref]:
    lo, hi = c.policy.cadre_groups_min, c.policy.cadre_groups_max
    n = _cadre_groups(c)
    cadre = (
        c.members & c.graph.m_on_roll & _has_role(c, "village_committee") & ((n < lo) | (n > hi))
    )
    return [
        ("m", int(m))
        for m in np.flatnonzero(cadre)
        if any(_branch_has_groups(c, b) for b in c.graph.m_branches[int(m)])
    ]


def _cadre_item(c: Ctx, m: int) -> dict[str, Any]:
    return {
        **c.member_brief(m),
        "groups": int(_cadre_groups(c)[m]),
        "min": c.policy.cadre_groups_min,
        "max": c.policy.cadre_groups_max,
    }


# -- orgs -------------------------------------------------------------------------------------


def _org_members(c: Ctx, *, groups: bool) -> tuple[Any, Any]:
    """Per org: on-roll members (IN_GROUP when groups, else BELONGS_TO) and full ones."""
    found: tuple[Any, Any] = c.graph.once(
        f"org_members:{groups}",
        lambda: _count_org_members(c, groups=groups),
        ("org_id", "m_groups" if groups else "m_branches", "m_on_roll", "m_full"),
    )
    return found


def _count_org_members(c: Ctx, *, groups: bool) -> tuple[Any, Any]:
    p = c.graph
    return org_member_counts(
        p.m_groups if groups else p.m_branches, p.m_on_roll, p.m_full, len(p.org_id)
    )


def _group_size(c: Ctx) -> list[Ref]:
    total, _ = _org_members(c, groups=True)
    lo, hi = c.policy.group_min, c.policy.group_max
    return [("o", g) for g in _groups(c) if not lo <= total[g] <= hi]


def _group_item(c: Ctx, o: int) -> dict[str, Any]:
    total, _ = _org_members(c, groups=True)
    parent = c.graph.org_parent[o]
    return {
        "id": c.graph.org_id[o],
        "name": c.graph.org_name[o],
        "members": int(total[o]),
        "branch": c.org_brief(parent) if parent >= 0 else None,
        "min": c.policy.group_min,
        "max": c.policy.group_max,
    }


def _orgs_of(c: Ctx, kinds: tuple[str, ...]) -> list[int]:
    return [int(o) for o in np.flatnonzero(c.scope.orgs) if c.graph.org_kind[o] in kinds]


def _branch_small(c: Ctx) -> list[Ref]:
    _, full = _org_members(c, groups=False)
    return [("o", o) for o in _orgs_of(c, ("branch",)) if full[o] < c.policy.branch_min_full]


def _branch_large(c: Ctx) -> list[Ref]:
    total, _ = _org_members(c, groups=False)
    return [("o", o) for o in _orgs_of(c, SIZED_BRANCH_KINDS) if total[o] > c.policy.branch_max]


def _branch_item(c: Ctx, o: int) -> dict[str, Any]:
    total, full = _org_members(c, groups=False)
    home = c.graph.org_home_area[o]
    return {
        "id": c.graph.org_id[o],
        "name": c.graph.org_name[o],
        "kind": c.graph.org_kind[o],
        "members": int(total[o]),
        "full_members": int(full[o]),
        **(c.area_ctx(home) if home >= 0 else {}),
    }


def _branch_shape(c: Ctx) -> tuple[Any, Any, Any]:
    """Per member: how many distinct branches, the one branch when there is exactly one (else
    -1), and whether the member is in no group; once per projection (three rules over every
    member read them)."""
    p = c.graph

    def make() -> tuple[Any, Any, Any]:
        n = len(p.m_branches)
        sets = [set(b) for b in p.m_branches]
        count = np.fromiter((len(b) for b in sets), np.int64, n)
        only = np.fromiter((next(iter(b)) if len(b) == 1 else -1 for b in sets), np.int64, n)
        ungrouped = np.fromiter((not g for g in p.m_groups), bool, n)
        return count, only, ungrouped

    found: tuple[Any, Any, Any] = p.once("member_branch_shape", make, ("m_branches", "m_groups"))
    return found


def _member_branches(c: Ctx, mask: Any) -> list[Ref]:
    """The members in scope and on roll where `mask` (per member) holds."""
    cand = c.members & c.graph.m_on_roll & mask
    return [("m", int(m)) for m in np.flatnonzero(cand)]


def _no_branch(c: Ctx) -> list[Ref]:
    count, _, _ = _branch_shape(c)
    return _member_branches(c, count == 0)


def _multi_branch(c: Ctx) -> list[Ref]:
    count, _, _ = _branch_shape(c)
    return _member_branches(c, count > 1)


def _no_group(c: Ctx) -> list[Ref]:
    """In exactly one branch, which has groups, and in none of them."""
    _, only, ungrouped = _branch_shape(c)
    has = np.append(np.asarray(_orgs_with_groups(c), dtype=bool), False)  # `only` -1 → False
    return _member_branches(c, (only >= 0) & has[only] & ungrouped)


def _member_item(c: Ctx, m: int) -> dict[str, Any]:
    return {
        **c.member_brief(m),
        "branches": [c.org_brief(b) for b in sorted(set(c.graph.m_branches[m]))],
    }


def _iso(d: int) -> str:
    return f"{d // 10000:04d}-{d // 100 % 100:02d}-{d % 100:02d}"


def _overdue(c: Ctx) -> list[Ref]:
    today = _iso(c.day.as_of)
    return [
        ("r", i)
        for i, (o, _opened, deadline, status) in enumerate(c.graph.rects)
        if c.scope.orgs[o] and status != "done" and deadline and deadline < today
    ]


def _overdue_item(c: Ctx, r: int) -> dict[str, Any]:
    o, opened, deadline, status = c.graph.rects[r]
    days = (dt.date.fromisoformat(_iso(c.day.as_of)) - dt.date.fromisoformat(str(deadline))).days
    return {
        "id": c.graph.org_id[o],
        "name": c.graph.org_name[o],
        "opened_on": opened or None,
        "deadline": deadline,
        "status": status,
        "days_overdue": days,
    }


def _term_expired(c: Ctx) -> list[Ref]:
    today = _iso(c.day.as_of)
    return [
        ("o", int(o))
        for o in np.flatnonzero(c.scope.orgs)
        if c.graph.org_kind[o] not in GROUP_KINDS
        and not c.graph.org_external[o]
        and c.graph.org_term_end[o]
        and str(c.graph.org_term_end[o]) < today
    ]


def _term_item(c: Ctx, o: int) -> dict[str, Any]:
    return {
        "id": c.graph.org_id[o],
        "name": c.graph.org_name[o],
        "kind": c.graph.org_kind[o],
        "term_end": c.graph.org_term_end[o],
    }


Finder = Callable[[Ctx], list[Ref]]


def _counted(mask: Callable[[Ctx], Any]) -> Callable[[Ctx], int]:
    """A rule's counter from the mask its items are listed from."""
    return lambda c: int(np.count_nonzero(mask(c)))


Detail = Callable[[Ctx, Ref], dict[str, Any]]


def _by_index(fn: Callable[[Ctx, int], dict[str, Any]]) -> Detail:
    return lambda c, ref: fn(c, ref[1])


@dataclass(frozen=True)
class Rule:
    """One gap rule: its name in every layer (orgraph.vocab), how it finds the entities in a
    scope, how it describes one of them, and, where the summary can count without building
    every item, a cheaper counter. Thresholds come from the policy fields tagged with `type`."""

    gap: GapType
    find: Finder
    detail: Detail
    counter: Callable[[Ctx], int] | None = None
    # For a rule over households: its items as a mask over all households (what `find`
    # lists), so that a gap page of ~770k households is found without a list of them all.
    households: Callable[[Ctx], Any] | None = None
    # Whether the records the rule reads exist at D (docs/rules.md "records begin"); a rule
    # without them finds nothing, and answers say "no data" rather than "no gap".
    has_data: Callable[[Ctx], bool] = lambda c: True

    @property
    def type(self) -> str:
        return self.gap.type

    def count(self, c: Ctx) -> int:
        return self.counter(c) if self.counter is not None else len(self.find(c))

    def count_and_data(self, c: Ctx) -> tuple[int, bool]:
        return self.count(c), self.has_data(c)

    def thresholds(self, policy: Policy) -> dict[str, Any]:
        return {t["name"]: t["value"] for t in policy.describe() if t["rule"] == self.type}


_GAP = {g.type: g for g in GAP_TYPES}
_DEFINED = (
    Rule(
        _GAP["household_uncovered"],
        _uncovered,
        _by_index(_household_item),
        counter=lambda c: int(_uncovered_mask(c).sum()),
        households=_uncovered_mask,
    ),
    Rule(
        _GAP["household_contact_away"],
        _contact_away,
        _by_index(_household_item),
        counter=lambda c: int(_away_mask(c).sum()),
        households=_away_mask,
    ),
    Rule(_GAP["member_contact_load"], _contact_load, _by_index(_contact_load_item)),
    Rule(_GAP["exempt_member_assigned"], _exempt_assigned, _by_index(_exempt_item)),
    Rule(
        _GAP["township_no_leader"],
        lambda c: _areas_without(c, "township"),
        _by_index(_area_item),
    ),
    Rule(
        _GAP["village_no_cadre"],
        lambda c: _areas_without(c, "village"),
        _by_index(_area_item),
    ),
    Rule(_GAP["hamlet_no_cadre"], _hamlet_no_cadre, _hamlet_item),
    Rule(_GAP["cadre_group_load"], _cadre_group_load, _by_index(_cadre_item)),
    Rule(_GAP["group_size"], _group_size, _by_index(_group_item)),
    Rule(_GAP["group_no_leader"], group_rules.no_leader, group_rules.no_leader_item),
    Rule(
        _GAP["group_no_summary"],
        group_rules.no_summary,
        group_rules.no_summary_item,
        has_data=group_rules.has_records,
    ),
    Rule(
        _GAP["group_no_inspection"],
        group_rules.no_inspection,
        group_rules.no_inspection_item,
        has_data=group_rules.has_records,
    ),
    Rule(_GAP["branch_too_small"], _branch_small, _by_index(_branch_item)),
    Rule(_GAP["branch_too_large"], _branch_large, _by_index(_branch_item)),
    Rule(_GAP["member_no_branch"], _no_branch, _by_index(_member_item)),
    Rule(_GAP["member_multi_branch"], _multi_branch, _by_index(_member_item)),
    Rule(_GAP["member_no_group"], _no_group, _by_index(_member_item)),
    Rule(_GAP["rectification_overdue"], _overdue, _by_index(_overdue_item)),
    Rule(_GAP["term_expired"], _term_expired, _by_index(_term_item)),
    Rule(_GAP["rectification_no_plan"], rect_rules.no_plan, rect_rules.no_plan_item),
    Rule(
        _GAP["rectification_no_inspection"],
        rect_rules.no_inspection,
        rect_rules.no_inspection_item,
    ),
    Rule(
        _GAP["rectification_accepted_failing"],
        rect_rules.accepted_failing,
        rect_rules.accepted_failing_item,
    ),
    Rule(
        _GAP["weak_no_first_secretary"],
        first_secretaries.weak_without,
        first_secretaries.weak_without_item,
        has_data=first_secretaries.has_appointments,
    ),
    Rule(
        _GAP["first_secretary_absent"],
        first_secretaries.absent,
        first_secretaries.absent_item,
        has_data=first_secretaries.has_appointments,
    ),
    Rule(
        _GAP["first_secretary_ending"],
        first_secretaries.ending,
        first_secretaries.ending_item,
        has_data=first_secretaries.has_appointments,
    ),
    # counted from their masks: a list of ~10k refs per count was most of a city's recount
    # after a departure
    Rule(
        _GAP["mobile_unattached"],
        mobile.unattached,
        mobile.unattached_item,
        counter=_counted(mobile.unattached_mask),
    ),
    Rule(
        _GAP["mobile_silent"],
        mobile.silent_members,
        mobile.silent_item,
        counter=_counted(mobile.silent),
    ),
    Rule(
        _GAP["lost_contact"],
        mobile.lost_members,
        mobile.lost_item,
        counter=_counted(mobile.lost),
    ),
    Rule(_GAP["mobile_cluster_without_branch"], mobile.cluster_without_branch, mobile.cluster_item),
    Rule(_GAP["mobile_no_contact_person"], mobile.no_contact_person, mobile.no_contact_item),
    Rule(_GAP["should_transfer"], mobile.should_transfer, mobile.transfer_item),
    *(
        Rule(_GAP[type_], r.find, detail, has_data=life.has_life)
        for type_, r, detail in (
            ("branch_no_general_meeting", life_rules.GENERAL, life_rules.GENERAL.item),
            ("branch_no_committee_meeting", life_rules.COMMITTEE, life_rules.committee_item),
            ("branch_no_theme_day", life_rules.THEME_DAY, life_rules.THEME_DAY.item),
            ("branch_few_lectures", life_rules.LECTURES, life_rules.lectures_item),
            ("branch_no_life_meeting", life_rules.LIFE_MEETING, life_rules.LIFE_MEETING.item),
            ("branch_no_appraisal", life_rules.APPRAISAL, life_rules.APPRAISAL.item),
            ("group_no_meeting", life_rules.GROUP, life_rules.group_item),
        )
    ),
    Rule(
        _GAP["meeting_no_quorum"],
        life_rules.no_quorum,
        life_rules.quorum_item,
        has_data=life.has_life,
    ),
    Rule(_GAP["member_no_life"], life_rules.no_life, life_rules.life_item, has_data=life.has_life),
    Rule(
        _GAP["member_life_lapse"],
        life_rules.life_lapse,
        life_rules.life_item,
        has_data=life.has_life,
    ),
    Rule(
        _GAP["dues_arrears"], life_rules.dues_arrears, life_rules.dues_item, has_data=life.has_dues
    ),
    Rule(_GAP["dues_lapse"], life_rules.dues_lapse, life_rules.dues_item, has_data=life.has_dues),
    Rule(
        _GAP["propose_suspension"],
        life_rules.propose_suspension,
        life_rules.suspension_item,
        has_data=life.has_any,
    ),
    Rule(
        _GAP["propose_removal"],
        life_rules.propose_removal,
        life_rules.removal_item,
        has_data=life.has_any,
    ),
)
# In the order of orgraph.vocab.GAP_TYPES; a gap type without a rule fails at import.
RULES: dict[str, Rule] = {r.type: r for r in sorted(_DEFINED, key=lambda r: GAP_TYPES.index(r.gap))}
if len(RULES) != len(GAP_TYPES):
    missing = sorted(set(_GAP) - set(RULES))
    raise ImportError(f"gap types without a rule: {missing}")


def by_id(p: Projection, refs: list[Ref]) -> list[Ref]:
    """`refs` in the order of their ids (`ref_id`), as a gap list pages them. Households by
    their ids' rank, sorted once per projection: a city's uncovered households are ~770k, and
    sorting them by id string on every page took ~0.5 s."""
    if refs and all(kind == "h" for kind, _ in refs):
        order = household_order(p)
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order), dtype=np.int64)
        at = np.fromiter((i for _, i in refs), np.int64, len(refs))
        return [refs[j] for j in np.argsort(rank[at], kind="stable").tolist()]
    return sorted(refs, key=lambda r: ref_id(p, r))


def households_by_id(p: Projection, mask: Any) -> Any:
    """The households where `mask` holds, in the order of their ids (a gather along the ids'
    order: no sort per answer)."""
    order = household_order(p)
    found: Any = order[np.asarray(mask, dtype=bool)[order]]
    return found


def household_order(p: Projection) -> Any:
    """The household indexes in the order of their ids (Python's string order, as `sorted`
    gives), once per projection."""
    return p.once(
        "hh_id_order",
        lambda: np.array(sorted(range(len(p.hh_id)), key=p.hh_id.__getitem__), dtype=np.int64),
        ("hh_id",),
    )


def ref_id(p: Projection, ref: Ref) -> str:
    kind, i = ref
    if kind == "h":
        return p.hh_id[i]
    if kind == "m":
        return p.m_key[i]
    if kind == "a":
        return p.area_code[i]
    if kind == "r":
        return p.org_id[p.rects[i][0]]
    if kind == "c":
        return mobile.cluster_id(p, i)
    if kind == "k":
        return p.k_id[i]
    if kind == "f":
        return first_secretaries.appointment_id(p, i)
    return p.org_id[i]
