"""The demo county month by month (issue #16): the built world as it stands at the end of its
month (month 1, `as_of` a month end) and at the ends of the months after it, each written as
a full set of roster files in a folder named by its roster day (out/2026-10-31/,
out/2026-11-30/, …), with `evolution.json` listing every edit of every month by its keys.

Between two month ends, seeded and deterministic (one seed and as_of give the same months,
byte for byte), dated inside the month and never after its end:

- `left`: members at home leave (a new 外出登记 row, 外出时间 in the month; 是否流动党员 是);
- `returned`: members away come back (返回时间 set on their open row; 是否流动党员 否);
- `transferred`: members move to another village branch of the county (所在党支部 and
  所在党小组 change in the 党员花名册; the roster has no date for it);
- `contacts_ended` / `contacts_begun`: household contacts end (结束日期 in the month) and new
  ones begin (开始日期 in the month) with a household of the member's village;
- `households_moved`: households move to another hamlet of their village (所在区划代码 in
  农户, and the address and position with it).

Rows are only added or changed, never dropped, so each month's files are the whole county
as of that day and an import of them in order leaves the graph a fresh import of the last
month would give. Members, households, hamlets and party groups that carry a planted case
(demo_summary.json), members listed twice and 第一书记 are left alone (branches are not: a
transfer may leave or join one), so month 1's planted cases mostly stay where they were put
(their truth at later month ends is not guaranteed: dates move on, and the ledgers —
meetings, dues, reports, 第一书记, 整顿台账 — are carried forward unchanged).
Everything else (areas, orgs, ledgers) is written as month 1 has it.
"""

from __future__ import annotations

import calendar
import dataclasses
import json
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from orgraph.demo import places
from orgraph.demo.build import build
from orgraph.demo.generate import DemoSummary, Scale, write_demo
from orgraph.demo.model import Area, Contact, Household, Member, Outflow, World
from orgraph.demo.periods import add_months
from orgraph.demo.rosters import write_rosters
from orgraph.demo.state import EXEMPT_AGE, age_on

EVOLUTION_FILE = "evolution.json"
EDIT_KINDS = (
    "left",
    "returned",
    "transferred",
    "contacts_ended",
    "contacts_begun",
    "households_moved",
)
HAMLET_LEVELS = ("组", "网格")
_BRANCH = "党支部"
_GROUP = "党小组"
_MOBILE = "流动党员党支部"


def month_end(d: date) -> date:
    """The last day of d's month."""
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def last_month_end(d: date) -> date:
    """d when it is a month's last day, else the last day of the month before."""
    return d if d == month_end(d) else d.replace(day=1) - timedelta(days=1)


def month_ends(first: date, months: int) -> list[date]:
    """`months` month ends from `first`'s month on."""
    return [month_end(add_months(first.replace(day=1), k)) for k in range(months)]


@dataclass
class MonthEdits:
    """What changed in the county in the month ending `on` (month 1: nothing, it is the
    generated demo). Each edit names its keys: `member` = 人员编号, `household` = 户编号,
    orgs by 组织编号, areas by 区划代码, days as YYYY-MM-DD."""

    month: int
    on: date
    edits: dict[str, list[dict[str, Any]]] = field(
        default_factory=lambda: {k: [] for k in EDIT_KINDS}
    )

    def to_dict(self) -> dict[str, Any]:
        return {
            "month": self.month,
            "on": self.on.isoformat(),
            "folder": self.on.isoformat(),
            "counts": {k: len(v) for k, v in self.edits.items()},
            **self.edits,
        }


@dataclass
class MonthsSummary:
    """What `generate_months` wrote: one folder per month end, and evolution.json."""

    out: Path
    months: list[date]
    first: DemoSummary  # month 1, as `generate` writes it (with demo_summary.json)
    files: list[dict[str, int]]  # per month: file name → data rows
    edits: list[MonthEdits]
    seconds: float = 0.0

    @property
    def folders(self) -> list[Path]:
        return [self.out / d.isoformat() for d in self.months]


def generate_months(
    out: Path,
    *,
    scale: Scale = "county",
    seed: int = 1,
    as_of: date = date(2026, 10, 31),
    months: int = 3,
    with_errors: bool = False,
) -> MonthsSummary:
    """Write `months` month ends of the demo county into out/<YYYY-MM-DD>/ and
    out/evolution.json. Month 1 is `generate(scale, seed, as_of=D0)` with D0 the last month
    end on or before `as_of` (the with_errors/ samples, on request, in its folder only)."""
    t0 = time.perf_counter()
    if months < 1:
        raise ValueError("months must be at least 1")
    if scale not in ("tiny", "county", "city"):
        raise ValueError(f"unknown scale {scale!r}: tiny, county or city")
    out = Path(out)
    d0 = last_month_end(as_of)
    world = build(scale=scale, seed=seed, as_of=d0)
    worlds = evolve(world, months)
    first = write_demo(out / d0.isoformat(), worlds[0][0], with_errors=with_errors)
    files = [first.files]
    for w, _ in worlds[1:]:
        folder = out / w.as_of.isoformat()
        folder.mkdir(parents=True, exist_ok=True)
        files.append(write_rosters(w, folder))
    edits = [e for _, e in worlds]
    doc = {
        "scale": world.scale,
        "seed": world.seed,
        "as_of": d0.isoformat(),
        "months": [e.to_dict() for e in edits],
    }
    (out / EVOLUTION_FILE).write_text(
        json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    return MonthsSummary(
        out=out,
        months=[w.as_of for w, _ in worlds],
        first=first,
        files=files,
        edits=edits,
        seconds=round(time.perf_counter() - t0, 2),
    )


def evolve(world: World, months: int) -> list[tuple[World, MonthEdits]]:
    """The world at `months` month ends: first the world itself (its as_of must be a month's
    last day), then each next month end with that month's edits. The given world is not
    changed; a later month shares the records it did not change with the one before."""
    if world.as_of != month_end(world.as_of):
        raise ValueError(f"as_of {world.as_of} is not a month's last day")
    out = [(world, MonthEdits(1, world.as_of))]
    keep = _Kept.of(world)
    for k, end in enumerate(month_ends(world.as_of, months)[1:], start=2):
        rng = random.Random(f"orgraph-demo-evolve|{world.seed}|{end.isoformat()}")
        out.append(_Month(out[-1][0], end, k, rng, keep).run())
    return out


@dataclass
class _Kept:
    """What the edits leave alone: members, households, orgs and areas a planted case
    names, members listed twice or sent as 第一书记; and members already transferred and
    households already moved (one move each over the months)."""

    ids: set[str]
    members: set[int]
    transferred: set[int] = field(default_factory=set)
    moved: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, world: World) -> _Kept:
        members = {m.idx for m, _ in world.second_listings}
        members |= {a.member for a in world.appointments}
        return cls({p.id for p in world.planted}, members)

    def member(self, m: Member) -> bool:
        return m.idx in self.members or m.key in self.ids or m.id_number in self.ids


class _Month:
    """One month's edits over the world at the previous month end."""

    def __init__(
        self, world: World, end: date, month: int, rng: random.Random, keep: _Kept
    ) -> None:
        self.w = world
        self.end = end
        self.start = end.replace(day=1)  # days of the month: start … end
        self.r = rng
        self.keep = keep
        self.edits = MonthEdits(month, end)
        self.members: dict[int, Member] = dict(world.member_by_idx)
        self.outflows = list(world.outflows)
        self.contacts = list(world.contacts)
        self.households = list(world.households)
        self.open: dict[int, int] = {  # member idx → position of the open outflow
            o.member: n for n, o in enumerate(self.outflows) if o.returned_on is None
        }
        self.back_on: dict[int, date] = {}  # member idx → last return
        for o in self.outflows:
            if o.returned_on is not None:
                self.back_on[o.member] = max(o.returned_on, self.back_on.get(o.member, o.left_on))
        self.touched: set[int] = set()  # members edited this month (one edit each)

    def day(self, after: date | None = None) -> date:
        """A day of the month, after `after` when given."""
        lo = self.start if after is None or after < self.start else after + timedelta(days=1)
        assert lo <= self.end, (lo, self.end)
        return lo + timedelta(days=self.r.randint(0, (self.end - lo).days))

    def run(self) -> tuple[World, MonthEdits]:
        n_members = len(self.members)
        self.returns(max(2, len(self.open) // 10))
        self.departures(max(3, n_members // 150))
        self.transfers(max(2, n_members // 300))
        active = [x for x in self.contacts if x.target_kind == "户" and x.until is None]
        self.end_contacts(max(4, len(active) // 60))
        self.begin_contacts(max(4, len(active) // 60))
        self.move_households(max(3, len(self.households) // 300))
        w = self.w
        order = {m.idx: n for n, m in enumerate(w.members)}
        members = sorted(self.members.values(), key=lambda m: order[m.idx])
        world = dataclasses.replace(
            w,
            as_of=self.end,
            members=members,
            member_by_idx=dict(self.members),
            households=self.households,
            contacts=self.contacts,
            outflows=sorted(self.outflows, key=lambda o: (o.member, o.left_on)),
            counts=_counts(w.counts, members, self.contacts, self.outflows),
        )
        return world, self.edits

    # -- members --------------------------------------------------------------------------

    def _plain(self, m: Member) -> bool:
        """A village member with a 人员编号 and a branch, no role, no planted case, not
        flagged lost or suspended, under the exempt age and not 老弱, not edited this month."""
        return (
            bool(m.member_no)
            and m.village is not None
            and m.branch is not None
            and not m.roles
            and not m.lost_flag
            and m.suspended_on is None
            and m.mgmt_class != "老弱"
            and age_on(m.birth, self.end) < EXEMPT_AGE
            and m.idx not in self.touched
            and not self.keep.member(m)
        )

    def _sample(self, xs: list[Any], n: int) -> list[Any]:
        return self.r.sample(xs, min(n, len(xs)))

    def returns(self, n: int) -> None:
        """Members away since before the month come back on a day of it."""
        cands = []
        for i, pos in sorted(self.open.items()):
            m = self.members[i]
            o = self.outflows[pos]
            if (
                m.member_no
                and not m.lost_flag
                and not self.keep.member(m)
                and o.left_on < self.start
            ):
                cands.append(i)
        for i in sorted(self._sample(cands, n)):
            pos = self.open.pop(i)
            o = self.outflows[pos]
            back = self.day(after=o.left_on)
            self.outflows[pos] = dataclasses.replace(o, returned_on=back)
            self.back_on[i] = back
            self.members[i] = dataclasses.replace(self.members[i], away=False)
            self.touched.add(i)
            self.edits.edits["returned"].append(
                {
                    "member": self.members[i].member_no,
                    "left_on": o.left_on.isoformat(),
                    "on": back.isoformat(),
                }
            )

    def departures(self, n: int) -> None:
        """Members at home (back before the month, if ever away) leave on a day of it."""
        cands = [
            m.idx
            for m in self.members.values()
            if self._plain(m)
            and m.idx not in self.open
            and self.back_on.get(m.idx, date.min) < self.start
        ]
        mobile = {o.host_area: o.name for o in self.w.orgs if o.kind == _MOBILE}
        for i in sorted(self._sample(sorted(cands), n)):
            m = self.members[i]
            left = self.day(after=max(m.joined_on, self.back_on.get(i, date.min)))
            d = self.r.choices(places.DESTINATIONS, [x.weight for x in places.DESTINATIONS])[0]
            reason = self.r.choices([x for x, _ in places.REASONS], [w for _, w in places.REASONS])[
                0
            ]
            words, trades = places.COMPANY_WORDS, places.COMPANY_TRADES
            o = Outflow(
                member=i,
                left_on=left,
                destination=self.r.choice(d.variants),
                city=d.prefix,
                reason=reason,
                employer=f"{d.short}{self.r.choice(words)}{self.r.choice(trades)}",
                phone_away=m.phone,
                card_no="",
                host_org=mobile.get(d.city, "") if self.r.random() < 0.8 else "",
                returned_on=None,
                contact_person=self._cadre_name(m),
            )
            self.open[i] = len(self.outflows)
            self.outflows.append(o)
            self.members[i] = dataclasses.replace(m, away=True)
            self.touched.add(i)
            self.edits.edits["left"].append(
                {"member": m.member_no, "on": left.isoformat(), "destination": o.destination}
            )

    def _cadre_name(self, m: Member) -> str:
        """A 村两委 member of the member's village, the 联系人 at home ("" when none)."""
        names = [
            x.name
            for x in self.members.values()
            if x.village == m.village and x.idx != m.idx and "村两委" in x.roles
        ]
        return self.r.choice(sorted(names)) if names else ""

    def transfers(self, n: int) -> None:
        """Members at home move to another village branch (and one of its groups). At tiny
        scale every village branch carries a planted case, so branches are not kept (a
        planted party group is: neither left nor joined)."""
        w = self.w
        names = Counter(o.name for o in w.orgs)
        used = {m.branch for m in self.members.values()}
        branches = [
            o
            for o in w.orgs
            if o.kind == _BRANCH
            and o.area_code is not None
            and len(o.area_code) == 12  # a village's branch
            and o.org_id in used
            and names[o.name] == 1
        ]
        ids = {o.org_id for o in branches}
        groups: dict[str, list[str]] = {}
        for o in w.orgs:
            ok = o.kind == _GROUP and o.parent in ids and names[o.name] == 1
            if ok and o.parent is not None and o.org_id not in self.keep.ids:
                groups.setdefault(o.parent, []).append(o.org_id)
        cands = [
            m.idx
            for m in self.members.values()
            if self._plain(m)
            and m.branch in ids
            and m.idx not in self.open
            and m.idx not in self.keep.transferred
            and (m.group is None or m.group not in self.keep.ids)
        ]
        for i in sorted(self._sample(sorted(cands), n)):
            m = self.members[i]
            assert m.branch is not None
            home = [o for o in branches if o.org_id != m.branch]
            near = [o for o in home if (o.area_code or "")[:9] == (m.village or "")[:9]]
            to = self.r.choice(near or home).org_id
            grp = self.r.choice(groups[to]) if groups.get(to) else None
            self.members[i] = dataclasses.replace(m, branch=to, group=grp)
            self.touched.add(i)
            self.keep.transferred.add(i)
            self.edits.edits["transferred"].append(
                {
                    "member": m.member_no,
                    "from_branch": m.branch,
                    "to_branch": to,
                    "from_group": m.group,
                    "to_group": grp,
                }
            )

    # -- contacts -------------------------------------------------------------------------

    def end_contacts(self, n: int) -> None:
        """Open household contacts begun before the month end on a day of it."""
        cands = [
            k
            for k, x in enumerate(self.contacts)
            if x.target_kind == "户"
            and x.until is None
            and x.since < self.start
            and x.target_id not in self.keep.ids
            and self.members[x.member].member_no
            and not self.keep.member(self.members[x.member])
        ]
        for k in sorted(self._sample(cands, n)):
            x = self.contacts[k]
            until = self.day(after=x.since)
            self.contacts[k] = dataclasses.replace(x, until=until)
            self.edits.edits["contacts_ended"].append(
                {
                    "member": self.members[x.member].member_no,
                    "household": x.target_id,
                    "since": x.since.isoformat(),
                    "until": until.isoformat(),
                }
            )

    def begin_contacts(self, n: int) -> None:
        """Members at home at the month end take a household of their village they do not
        contact yet, from a day of the month."""
        by_village: dict[str, list[str]] = {}
        for h in self.households:
            if h.id not in self.keep.ids:
                by_village.setdefault(h.village, []).append(h.id)
        cands = [
            m.idx
            for m in self.members.values()
            if m.member_no
            and m.village in by_village
            and m.idx not in self.open
            and m.mgmt_class != "老弱"
            and age_on(m.birth, self.end) < EXEMPT_AGE
            and not self.keep.member(m)
        ]
        for i in sorted(self._sample(sorted(cands), n)):
            m = self.members[i]
            assert m.village is not None
            mine = {
                x.target_id
                for x in self.contacts
                if x.member == i and x.target_kind == "户" and x.until is None
            }
            free = [h for h in by_village[m.village] if h not in mine]
            if not free:
                continue
            hid = self.r.choice(free)
            since = self.day()
            self.contacts.append(Contact(i, "户", hid, since))
            self.edits.edits["contacts_begun"].append(
                {"member": m.member_no, "household": hid, "since": since.isoformat()}
            )

    # -- households -----------------------------------------------------------------------

    def move_households(self, n: int) -> None:
        """Households in a hamlet move to another hamlet of their village."""
        hamlets: dict[str, list[str]] = {}
        area = {a.code: a for a in self.w.areas}
        for a in self.w.areas:
            if a.level in HAMLET_LEVELS and a.parent and a.code not in self.keep.ids:
                hamlets.setdefault(a.parent, []).append(a.code)
        cands = [
            k
            for k, h in enumerate(self.households)
            if h.area_code in area
            and area[h.area_code].level in HAMLET_LEVELS
            and h.area_code not in self.keep.ids
            and len(hamlets.get(h.village, ())) >= 2
            and h.id not in self.keep.ids
            and h.id not in self.keep.moved
        ]
        for k in sorted(self._sample(cands, n)):
            h = self.households[k]
            old = area[h.area_code]
            new = area[self.r.choice([c for c in hamlets[h.village] if c != h.area_code])]
            self.households[k] = _moved(h, old, new)
            self.keep.moved.add(h.id)
            self.edits.edits["households_moved"].append(
                {
                    "household": h.id,
                    "village": h.village,
                    "from_area": old.code,
                    "to_area": new.code,
                }
            )


def _moved(h: Household, old: Area, new: Area) -> Household:
    """The household in hamlet `new`: its address names the new hamlet (a 村's addresses
    name the hamlet), and its position moves as far as the hamlets lie apart."""
    lon, lat = h.lon, h.lat
    if old.lon is not None and old.lat is not None and new.lon is not None and new.lat is not None:
        lon = round(h.lon + new.lon - old.lon, 6)
        lat = round(h.lat + new.lat - old.lat, 6)
    address = h.address.replace(old.name, new.name)
    return dataclasses.replace(h, area_code=new.code, address=address, lon=lon, lat=lat)


def _counts(
    counts: dict[str, int], members: list[Member], contacts: list[Contact], outflows: list[Outflow]
) -> dict[str, int]:
    """The world's counts with what the edits change brought up to date."""
    out = {k: v for k, v in counts.items() if not k.startswith("contacts.")}
    for x in contacts:
        key = f"contacts.{x.target_kind}" + (".ended" if x.until else "")
        out[key] = out.get(key, 0) + 1
    out["members.away"] = sum(m.away for m in members)
    out["outflows"] = len(outflows)
    out["outflows.open"] = sum(o.returned_on is None for o in outflows)
    return out
