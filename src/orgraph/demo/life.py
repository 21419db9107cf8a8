"""Organisational life (组织生活记录) and dues (党费) of a built world, with the planted cases of
docs/rules.md "Organisational life and dues".

`build_life` runs once every county is built, on a random source of its own (seeded from the
build's seed), so the older rosters hold what they held without it (the members roster gains
停止党籍日期, set for the planted suspended members only); every date is relative to `as_of`.

Meetings cover the last `WINDOW_MONTHS` months before `as_of` (dues the last `DUES_MONTHS`):

- branches (党支部, 联合党支部, 流动党员党支部): a monthly 主题党日, a monthly 支委会 when the
  branch has at least 7 members (its committee listed as 参加人员), a quarterly 党员大会 with
  应到/实到 and a quarterly 党课, a yearly 组织生活会 and 民主评议党员 in December; each
  township committee gives a "七一" 党课 to its branch secretaries (参加人员 listed), which
  counts for every branch under it;
- party groups (党小组): a monthly 党小组会;
- most orgs record the absentees (缺席人员) only, some the attendees (参加人员);
- a village's 第一书记 (first_secretaries.py) is listed among the 参加人员 of its branches'
  last 主题党日 (but the planted first_secretary_absent);
- members away attend their mobile branch's meetings when attached to it (流入地党组织) and
  are absent from home; the others take part online, or not; members of the "silent", "lost"
  and "flagged" reporting habits (mobility.py) stop taking part, and paying, from their last
  report;
- dues: organ branches pay monthly (salary), village branches quarterly or half-yearly in
  advance, each member at its own rate.

Planted (per county): one branch for each branch rule (a 党员大会 missing in a checked quarter,
支委会 and 主题党日 missing in two checked months, no 党课 in a checked quarter, no 组织生活会
and no 民主评议党员 last year), a party group missing two months, two 党员大会 without a
quorum (one by its figures, one by its absentees), members silent at home and away (3–6 months
and ≥ 6 months), dues 4 and 8 months in arrears, the planted lost and flagged members with no
sign for ≥ 7 months (propose_suspension) and a member suspended (停止党籍) 2 years and more ago
(propose_removal). `_verify` recomputes the member cases from the ledgers and refuses a build
where one does not hold.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from orgraph.demo.model import MEETING_CODES, Meeting, Member, Org, Payment
from orgraph.demo.periods import (
    Month,
    Periods,
    add_months,
    day_in,
    first_day,
    label,
    month_of,
    months_between,
    quarter_months,
    shift,
    whole_months,
)
from orgraph.demo.state import County, State
from orgraph.policy import Policy

WINDOW_MONTHS = 15  # the meetings ledger: this many months before as_of's month, and that month
DUES_MONTHS = 12  # the dues ledger
FS_RECENT = 75  # a 第一书记 is listed at a 主题党日 this many days before as_of at most

BRANCH_KINDS = ("党支部", "联合党支部", "流动党员党支部")
COMMITTEE_MIN = 7  # 7 人以上设支部委员会
_POLICY = Policy()  # the screening's default thresholds (weak_villages.py)
COMMITTEE_ROLES = ("书记", "副书记", "委员", "村两委")

THEMES = (
    "学习贯彻党的二十届四中全会精神",
    "重温入党誓词",
    "学习《中国共产党章程》",
    "志愿服务进村入户",
    "人居环境整治",
    "垃圾分类宣传",
    "走访慰问困难群众",
    "防汛防台安全隐患排查",
    "反诈宣传进万家",
    "清廉村居建设",
    "共同富裕示范区建设学习",
    "文明新风倡议",
)
THEME_BY_MONTH = {
    1: "走访慰问老党员困难党员",
    3: "学雷锋志愿服务",
    4: "清明祭扫革命烈士墓",
    7: "庆祝建党节 重温入党誓词",
    10: "国庆主题教育",
}
COMMITTEE_ITEMS = (
    "研究本月主题党日安排",
    "研究发展党员工作",
    "研究党费收缴情况",
    "研究村级重大事项",
    "研究困难党员慰问",
    "研究流动党员管理",
)
GENERAL_ITEMS = (
    "通报支部工作 讨论村级事务",
    "讨论接收预备党员",
    "学习上级文件 通报党费收缴",
    "讨论村务公开事项",
)
MOBILE_THEMES = (
    "流动党员志愿服务",
    "学习家乡发展规划",
    "在外党员交流座谈",
    "重温入党誓词",
    "学习《中国共产党章程》",
    "走访慰问在外困难党员",
)
MOBILE_ITEMS = ("流动党员思想汇报", "交流在外工作生活情况", "通报家乡发展情况")
LECTURES = (
    "弘扬伟大建党精神",
    "坚定理想信念 践行初心使命",
    "学习习近平新时代中国特色社会主义思想",
    "全面从严治党 永葆党的先进性和纯洁性",
    "发挥党员先锋模范作用",
    "学党史 悟思想",
)
GROUP_ITEMS = ("学习党章党规", "学习时事政策", "讨论网格事务", "交流思想")


def _top(s: State, o: Org) -> str:
    """The village organisation an org is part of (itself when none is above it)."""
    while o.parent and s.org_by_id[o.parent].kind in ("党总支", "党支部", "联合党支部"):
        o = s.org_by_id[o.parent]
    return o.org_id


def _weak(s: State, o: Org) -> bool:
    """A 软弱涣散 org, or a branch of a 软弱涣散 党总支 (whose flag is on the 党总支)."""
    parent = s.org_by_id.get(o.parent) if o.parent else None
    return o.weak or (parent is not None and parent.kind == "党总支" and parent.weak)


@dataclass
class _County:
    """The county's orgs and members as the ledgers see them."""

    orgs: list[Org]
    branches: list[Org]
    groups: list[Org]
    belongs: dict[str, list[int]]  # org → members that BELONGS_TO it (both sheets)
    in_group: dict[str, list[int]]
    # mobile branch → (member, since, until): the members away attached to it
    attends: dict[str, list[tuple[int, date, date | None]]]
    committee: dict[str, list[int]] = field(default_factory=dict)
    style: dict[str, str] = field(default_factory=dict)  # org → "absentees" / "attendees"
    skip: set[tuple[str, str, str]] = field(default_factory=set)  # (org, 会议类型, period label)


class _Life:
    def __init__(self, s: State) -> None:
        self.s = s
        self.r = random.Random(s.seed * 7919 + 29)
        self.D = s.as_of
        self.p = Periods.at(s.as_of, WINDOW_MONTHS)
        self.meetings: list[Meeting] = []
        self.payments: list[Payment] = []
        self.silence: dict[int, date] = {}  # member → takes no part from this date
        self.no_dues: dict[int, date] = {}  # member → pays nothing from this date
        self.forced: set[int] = set()  # planted members: present whenever they can be
        self.away_iv: dict[int, list[tuple[date, date | None]]] = {}
        self.attached_iv: dict[int, list[tuple[str, date, date | None]]] = {}
        self.dues_cutoff: dict[int, Month] = {}  # planted arrears: pays monthly, up to this
        self.suspended_set: set[int] = set()
        self.exempt = {m.idx for m in s.members if s.exempt(m)}
        for o in s.outflows:
            self.away_iv.setdefault(o.member, []).append((o.left_on, o.returned_on))

    # ------------------------------------------------------------------ facts

    def m(self, i: int) -> Member:
        return self.s.members[i]

    def away_at(self, i: int, on: date) -> bool:
        return any(a <= on and (b is None or b > on) for a, b in self.away_iv.get(i, ()))

    def attached_at(self, i: int, on: date) -> str | None:
        for org, a, b in self.attached_iv.get(i, ()):
            if a <= on and (b is None or b > on):
                return org
        return None

    def suspended(self, i: int) -> bool:
        return i in self.suspended_set

    def quiet(self, i: int, on: date) -> bool:
        """Takes no part at `on`: silent (or suspended) from an earlier date."""
        ss = self.silence.get(i)
        return ss is not None and on >= ss

    # ------------------------------------------------------------------ county

    def county(self, c: County) -> None:
        s = self.s
        prefix = f"D{c.spec.code}"
        orgs = [o for o in s.orgs if o.org_id.startswith(prefix)]
        members = set(c.members)
        belongs: dict[str, list[int]] = {}
        in_group: dict[str, list[int]] = {}
        for i in c.members:
            m = s.members[i]
            if m.branch:
                belongs.setdefault(m.branch, []).append(i)
            if m.group:
                in_group.setdefault(m.group, []).append(i)
        for i, oid in s.second_listings:
            if i in members:
                belongs.setdefault(oid, []).append(i)
        mobile = {o.name: o.org_id for o in c.mobile.values()}
        attends: dict[str, list[tuple[int, date, date | None]]] = {}
        for x in s.outflows:
            if x.member in members and x.host_org in mobile:
                oid = mobile[x.host_org]
                attends.setdefault(oid, []).append((x.member, x.left_on, x.returned_on))
                self.attached_iv.setdefault(x.member, []).append((oid, x.left_on, x.returned_on))
        cc = _County(
            orgs=orgs,
            branches=[o for o in orgs if o.kind in BRANCH_KINDS],
            groups=[o for o in orgs if o.kind == "党小组"],
            belongs=belongs,
            in_group=in_group,
            attends=attends,
        )
        self._habits(c)
        planter = _Planter(self, c, cc)
        planter.plant()
        for o in cc.branches:
            cc.committee[o.org_id] = self._committee(cc, o)
        self._natural_misses(cc)
        for o in cc.orgs:
            if o.org_id not in cc.style:
                cc.style[o.org_id] = "attendees" if self.r.random() < 0.1 else "absentees"
        for o in cc.branches:
            self._branch_meetings(cc, o)
        for o in cc.groups:
            self._group_meetings(cc, o)
        self._township_lectures(c, cc)
        self._talks(cc, planter.talk_with)
        planter.quorum_cases()
        self._first_secretaries(c, cc)
        self._dues(c, cc)

    def _habits(self, c: County) -> None:
        """Members of the silent, lost and flagged reporting habits stop at their last report
        of the current episode (at its departure when they never reported)."""
        s = self.s
        last: dict[int, date] = {}
        for x in s.reports:
            o = s.open_outflows.get(x.member)
            if o is not None and x.on >= o.left_on and x.on > last.get(x.member, date.min):
                last[x.member] = x.on
        for i in c.members:
            if s.profiles.get(i) in ("silent", "lost", "flagged") and i in s.open_outflows:
                self.silence[i] = self.no_dues[i] = last.get(i, s.open_outflows[i].left_on)

    def _committee(self, cc: _County, o: Org) -> list[int]:
        """The branch committee (支委): its cadres first, then members at home, 3 or 5."""
        members = cc.belongs.get(o.org_id, [])
        if len(members) < COMMITTEE_MIN:
            return []
        ok = [
            i
            for i in members
            if not self.m(i).away and i not in self.silence and not self.suspended(i)
        ]
        ranked = sorted(
            (i for i in ok if set(self.m(i).roles) & set(COMMITTEE_ROLES)),
            key=lambda i: (
                min(COMMITTEE_ROLES.index(x) for x in self.m(i).roles if x in COMMITTEE_ROLES),
                i,
            ),
        )
        want = 3 if len(members) < 30 else 5
        rest = [i for i in ok if i not in ranked and i not in self.exempt]
        pad = self.r.sample(rest, min(len(rest), max(0, want - len(ranked))))
        return (ranked + sorted(pad))[: max(want, min(len(ranked), 5))]

    def _natural_misses(self, cc: _County) -> None:
        """Some branches and groups miss a period now and then; weak (软弱涣散) branches more
        often. None in the tiny county, whose few branches carry the planted cases."""
        if self.s.scale == "tiny":
            return
        r = self.r
        months = [label(m) for m in self.p.checked]
        quarters = [f"{y}-Q{q}" for y, q in self.p.quarters]
        planted = {k[0] for k in cc.skip}
        # A village organisation that is not weak misses fewer periods than the screening's
        # life_irregular counts (docs/rules.md), its planted ones included: the screening
        # lists the planted weak villages only (weak_villages.py). Every draw is still made.
        top = {o.org_id: _top(self.s, o) for o in cc.orgs}
        used = Counter(top[k[0]] for k in cc.skip if k[0] in top)
        limit = _POLICY.screen_life_missed - 1

        def miss(oid: str, kind: str, period: str) -> None:
            if used[top[oid]] < limit:
                used[top[oid]] += 1
                cc.skip.add((oid, kind, period))

        for o in cc.branches:
            oid = o.org_id
            if oid in planted:
                continue
            if _weak(self.s, o):
                # three checked months and more: life_irregular for the screening
                # (demo/weak_villages.py) whatever the branch's size
                for m in r.sample(months, min(len(months), r.randint(3, 4))):
                    cc.skip.add((oid, "主题党日", m))
                for m in r.sample(months, r.randint(1, 3)):
                    cc.skip.add((oid, "支委会", m))
                if r.random() < 0.5:
                    cc.skip.add((oid, "民主评议党员", str(self.p.year)))
                continue
            if r.random() < 0.02:
                miss(oid, "主题党日", r.choice(months))
            if r.random() < 0.02:
                miss(oid, "支委会", r.choice(months))
            if r.random() < 0.015 and quarters:
                miss(oid, "党课", r.choice(quarters))
            if r.random() < 0.01 and quarters:
                miss(oid, "党员大会", r.choice(quarters))
            if r.random() < 0.01:
                miss(oid, "组织生活会", str(self.p.year))
        for g in cc.groups:
            if g.org_id not in planted and r.random() < 0.03:
                entry = (g.org_id, "党小组会", r.choice(months))
                if g.parent is not None and _weak(self.s, self.s.org_by_id[g.parent]):
                    cc.skip.add(entry)
                else:
                    miss(*entry)

    # ------------------------------------------------------------------ meetings

    def _in_window(self, o: Org, on: date) -> bool:
        start = first_day(self.p.window[0])
        est = o.established_on
        return start <= on < self.D and (est is None or on >= est)

    def _expected(self, cc: _County, o: Org, on: date) -> list[int]:
        if o.kind == "流动党员党支部":
            return [
                i
                for i, a, b in cc.attends.get(o.org_id, [])
                if a <= on and (b is None or b > on) and self.m(i).joined_on <= on
            ]
        pool = cc.in_group if o.kind == "党小组" else cc.belongs
        return [i for i in pool.get(o.org_id, []) if self.m(i).joined_on <= on]

    def _present(self, o: Org, i: int, on: date) -> bool:
        """Whether member i takes part in o's meeting on `on` (expected there)."""
        ss = self.silence.get(i)
        if ss is not None and on >= ss:
            return False
        if i in self.away_iv and self.away_at(i, on):
            at = self.attached_at(i, on)
            if o.kind == "流动党员党支部":
                p = 0.85
            elif at is not None:
                return False  # takes part at the mobile branch
            else:
                p = 0.55  # online, when at all
        else:
            p = 0.7 if i in self.exempt else 0.92
        if i in self.forced:
            return True
        return self.r.random() < p

    def _add(
        self,
        cc: _County,
        o: Org,
        type_: str,
        on: date,
        topic: str,
        host: str,
        *,
        people: list[int] | None = None,
        listed: bool | None = None,
        quorum: bool = False,
    ) -> Meeting:
        """One meeting; `people` = who is expected (default: the org's members), `listed` =
        write the attendees (default: the org's style)."""
        expected = self._expected(cc, o, on) if people is None else people
        present = [i for i in expected if self._present(o, i, on)]
        if not present and people is not None:  # a committee meets with its secretary at least
            present = [i for i in expected[:1] if not self.quiet(i, on)]
        counted = [i for i in expected if not self.suspended(i)]
        if quorum:
            # 应到 of a 党员大会 leaves out the members away who cannot come (外出务工等确实
            # 无法参加) and those out of reach; more than half of the others must come
            seen = set(present)
            counted = [
                i
                for i in counted
                if i in seen
                or not (self.quiet(i, on) or (i in self.away_iv and self.away_at(i, on)))
            ]
            absent = [i for i in counted if i not in seen]
            while 2 * len(present) <= len(counted) and absent:
                present.append(absent.pop(0))
        seen = set(present)
        if listed is None:
            listed = cc.style[o.org_id] == "attendees"
        if not seen:
            # an empty 参加人员 reads as "not recorded" (docs/rules.md: every expected member
            # attended): when nobody came, the absentees are written
            listed = False
        n_expected = len(counted)
        k = Meeting(
            org=o.org_id,
            type=type_,
            on=on,
            topic=topic,
            expected=n_expected if n_expected else None,
            present=len(present) if n_expected else None,
            attendees=sorted(seen) if listed else [],
            absentees=[] if listed else [i for i in expected if i not in seen],
            host=host,
            attended=sorted(seen),
        )
        self.meetings.append(k)
        return k

    def _host(self, cc: _County, o: Org) -> str:
        com = cc.committee.get(o.org_id) or [
            i for i in self._expected(cc, o, self.D) if not self.quiet(i, self.D)
        ]
        return self.m(com[0]).name if com else ""

    def _branch_meetings(self, cc: _County, o: Org) -> None:
        r = self.r
        oid = o.org_id
        committee = cc.committee[oid]
        host = self._host(cc, o)
        mobile = o.kind == "流动党员党支部"
        items = MOBILE_ITEMS if mobile else GENERAL_ITEMS
        day = r.randint(1, 20)
        quarter_pick: dict[tuple[int, int], tuple[int, int]] = {}
        for m in self.p.window:
            q = (m[0], (m[1] - 1) // 3 + 1)
            if q not in quarter_pick:  # (党员大会 month, 党课 month) within the quarter
                quarter_pick[q] = (r.randint(1, 3), r.randint(1, 3))
            theme_on = day_in(m, max(1, min(28, day + r.randint(-2, 2))))
            ml = label(m)
            if (oid, "主题党日", ml) not in cc.skip and self._in_window(o, theme_on):
                if mobile:
                    theme = r.choice(MOBILE_THEMES)
                else:
                    theme = THEME_BY_MONTH.get(m[1]) or r.choice(THEMES)
                self._add(cc, o, "主题党日", theme_on, f"{m[1]}月主题党日：{theme}", host)
            com_on = day_in(m, max(1, theme_on.day - r.randint(2, 6)))
            if committee and (oid, "支委会", ml) not in cc.skip and self._in_window(o, com_on):
                self._add(
                    cc,
                    o,
                    "支委会",
                    com_on,
                    f"{m[1]}月支委会：{r.choice(COMMITTEE_ITEMS)}",
                    host,
                    people=committee,
                    listed=True,
                )
            ql = f"{q[0]}-Q{q[1]}"
            gm, lm = quarter_pick[q]
            if (m[1] - 1) % 3 + 1 == gm and (oid, "党员大会", ml) not in cc.skip:
                on = day_in(m, r.randint(8, 26))
                if (oid, "党员大会", ql) not in cc.skip and self._in_window(o, on):
                    self._add(
                        cc,
                        o,
                        "党员大会",
                        on,
                        f"{q[0]}年第{q[1]}季度党员大会：{r.choice(items)}",
                        host,
                        quorum=True,
                    )
            if (m[1] - 1) % 3 + 1 == lm and (oid, "党课", ql) not in cc.skip:
                on = theme_on if r.random() < 0.6 else day_in(m, r.randint(1, 28))
                if self._in_window(o, on):
                    self._add(
                        cc, o, "党课", on, f"{q[0]}年第{q[1]}季度党课：{r.choice(LECTURES)}", host
                    )
            if m[1] == 12:
                on = day_in(m, r.randint(5, 24))
                if (oid, "组织生活会", str(m[0])) not in cc.skip and self._in_window(o, on):
                    self._add(cc, o, "组织生活会", on, f"{m[0]}年度组织生活会", host)
                on2 = on + timedelta(days=r.randint(0, 3))
                if (oid, "民主评议党员", str(m[0])) not in cc.skip and self._in_window(o, on2):
                    self._add(cc, o, "民主评议党员", on2, f"{m[0]}年度民主评议党员", host)

    def _group_meetings(self, cc: _County, g: Org) -> None:
        r = self.r
        leader = next(
            (i for i in cc.in_group.get(g.org_id, []) if "党小组长" in self.m(i).roles), None
        )
        host = self.m(leader).name if leader is not None else ""
        day = r.randint(3, 25)
        for m in self.p.window:
            on = day_in(m, max(1, min(28, day + r.randint(-3, 3))))
            if (g.org_id, "党小组会", label(m)) in cc.skip or not self._in_window(g, on):
                continue
            self._add(cc, g, "党小组会", on, f"{m[1]}月党小组会：{r.choice(GROUP_ITEMS)}", host)

    def _township_lectures(self, c: County, cc: _County) -> None:
        """七一 党课 of each township committee, for its branch secretaries and cadres."""
        s = self.s
        for t in c.townships:
            o = s.org_by_id[t.org_id]
            secretaries = [
                cc.committee[b.org_id][0]
                for b in cc.branches
                if cc.committee.get(b.org_id) and self._under(b, t.org_id)
            ]
            people = sorted(set(secretaries) | set(t.cadres))
            for m in self.p.window:
                if m[1] != 7:
                    continue
                on = day_in(m, self.r.randint(1, 5))
                if self._in_window(o, on):
                    self._add(
                        cc,
                        o,
                        "党课",
                        on,
                        f"{m[0]}年七一专题党课：{self.r.choice(LECTURES)}",
                        s.members[t.cadres[0]].name,
                        people=[i for i in people if not self.quiet(i, on)],
                        listed=True,
                    )

    def _talks(self, cc: _County, silent: list[int]) -> None:
        """谈心谈话 (not organisational life): the secretary with a member now and then, and
        with each planted member silent at home, after the silence began."""
        r = self.r
        for o in cc.branches:
            com = cc.committee.get(o.org_id)
            members = [
                i
                for i in cc.belongs.get(o.org_id, [])
                if com and i != com[0] and i not in self.silence
            ]
            if not com or not members or r.random() < 0.5:
                continue
            i = r.choice(members)
            on = day_in(r.choice(self.p.checked), r.randint(1, 28))
            self._talk(o, com[0], i, on)
        for i in silent:
            branch = self.m(i).branch
            assert branch is not None
            com = cc.committee.get(branch)
            if com:
                self._talk(self.s.org_by_id[branch], com[0], i, self.silence[i] + timedelta(40))

    def _talk(self, o: Org, secretary: int, i: int, on: date) -> None:
        if not self._in_window(o, on):
            return
        self.meetings.append(
            Meeting(
                org=o.org_id,
                type="谈心谈话",
                on=on,
                topic=f"与{self.m(i).name}谈心谈话",
                expected=None,
                present=None,
                attendees=[secretary, i],
                absentees=[],
                host=self.m(secretary).name,
            )
        )

    def _first_secretaries(self, c: County, cc: _County) -> None:
        """Each 第一书记 in office (but the planted absent one) is listed among the 参加人员 of
        the last 主题党日 of each of their village's branches, when it is less than
        FS_RECENT days before D (列席: 应到/实到 count the branch's members only); a meeting
        that listed its absentees lists its attendees instead, the same people. One with no
        such meeting has a 谈心谈话 in the village 20 days before D (docs/rules.md: presence
        too), so none is a first_secretary_absent case but the planted one."""
        s, D = self.s, self.D
        members = set(c.members)
        held: dict[str, list[Meeting]] = {}
        for k in self.meetings:
            if k.type == "主题党日":
                held.setdefault(k.org, []).append(k)
        for a in s.appointments:
            if a.member not in members or not a.present or not a.active(D):
                continue
            orgs = [a.org] + [o.org_id for o in cc.orgs if self._under(o, a.org)]
            lo = max(a.since, D - timedelta(days=FS_RECENT))
            # a meeting some member came to (one nobody came to names its absentees)
            recent = [
                max(ks, key=lambda k: k.on)
                for oid in orgs
                if (ks := [k for k in held.get(oid, ()) if lo <= k.on < D and k.attended])
            ]
            for k in recent:
                k.attended = sorted({*k.attended, a.member})
                k.attendees = k.attended
                k.absentees = []
            if not recent:
                self._fs_talk(cc, a.member, a.org, orgs)

    def _fs_talk(self, cc: _County, fs: int, top: str, orgs: list[str]) -> None:
        """A 谈心谈话 of a 第一书记 with a member of the village's orgs, 20 days before D."""
        on = self.D - timedelta(days=20)
        planted = {x.id for x in self.s.planted if x.kind == "member"}
        people = [
            i
            for oid in orgs
            for i in cc.belongs.get(oid, [])
            if not self.quiet(i, on)
            and not (i in self.away_iv and self.away_at(i, on))
            and self.m(i).key not in planted
        ]
        with_ = people[0] if people else None
        name = self.m(with_).name if with_ is not None else "村民"
        self.meetings.append(
            Meeting(
                org=top,
                type="谈心谈话",
                on=on,
                topic=f"第一书记与{name}谈心谈话",
                expected=None,
                present=None,
                attendees=[fs] if with_ is None else [fs, with_],
                absentees=[],
                host=self.m(fs).name,
            )
        )

    def _under(self, o: Org, top: str) -> bool:
        p = o.parent
        while p is not None:
            if p == top:
                return True
            p = self.s.org_by_id[p].parent
        return False

    # ------------------------------------------------------------------ dues

    def _dues(self, c: County, cc: _County) -> None:
        s, r = self.s, self.r
        habit: dict[str, str] = {}
        month_style: dict[str, bool] = {}
        for o in cc.branches:
            organ = "-JG" in o.org_id
            habit[o.org_id] = "monthly" if organ else r.choices(("quarterly", "half"), (65, 35))[0]
            month_style[o.org_id] = r.random() < 0.25
        start = shift(month_of(self.D), -DUES_MONTHS)
        for i in sorted(c.members):
            m = s.members[i]
            if m.suspended_on is not None:
                continue  # nothing since the suspension, long before the ledger
            h = habit.get(m.branch or "", "quarterly")
            if i in self.dues_cutoff:
                h = "monthly"
            organ = m.village is None
            rate = (
                r.choice((30.0, 45.0, 60.0, 80.0, 100.0, 120.0))
                if organ
                else r.choices((0.2, 0.5, 1.0, 2.0, 5.0), (30, 25, 20, 15, 10))[0]
            )
            skip_last = r.random() < 0.01 and i not in self.forced
            rows = list(self._member_dues(i, h, start))
            if skip_last and rows:
                rows.pop()
            cutoff = self.dues_cutoff.get(i)
            stop = self.no_dues.get(i)
            for paid_to, months, on in rows:
                if cutoff is not None and paid_to > cutoff:
                    continue
                if stop is not None and on >= stop:
                    continue
                self.payments.append(
                    Payment(
                        member=i,
                        paid_to=paid_to,
                        paid_on=on,
                        amount=round(rate * months, 2),
                        cn_month=month_style.get(m.branch or "", False),
                    )
                )

    def _member_dues(self, i: int, habit: str, start: Month) -> Iterable[tuple[Month, int, date]]:
        """(paid to, months paid, paid on) of member i's payments, oldest first, known at D."""
        r = self.r
        joined = self.m(i).joined_on
        jm = month_of(joined)
        now = month_of(self.D)
        if habit == "monthly":
            m = start
            while m <= now:
                if m >= jm:
                    on = day_in(m, r.randint(3, 25))
                    if r.random() < 0.08:
                        on = day_in(shift(m, 1), r.randint(1, 15))  # paid late
                    on = max(on, joined + timedelta(days=r.randint(1, 10)))
                    if on < self.D:
                        yield m, 1, on
                m = shift(m, 1)
            return
        step = 3 if habit == "quarterly" else 6
        m = (start[0], (start[1] - 1) // step * step + 1)  # the period holding `start`
        while m <= now:
            end = shift(m, step - 1)
            if end >= jm:
                first = max(m, jm)
                on = day_in(m, r.randint(1, 25))
                on = max(on, joined + timedelta(days=r.randint(1, 10)))
                if on < self.D:
                    yield end, months_between(first, end) + 1, on
            m = shift(m, step)


class _Planter:
    """The planted cases of one county (see the module's docstring)."""

    def __init__(self, life: _Life, c: County, cc: _County) -> None:
        self.life, self.c, self.cc = life, c, cc
        self.s = life.s
        self.r = life.r
        self.p = life.p
        self.D = life.D
        self.used = {x.id for x in self.s.planted if x.kind == "member"}
        self.second = {i for i, _ in self.s.second_listings}
        self.key_of = {self.s.members[i].key: i for i in c.members}
        self.county_members = set(c.members)
        self.contacted = {x.member for x in self.s.contacts}
        self.home: list[int] = []
        self.talk_with: list[int] = []
        self.quorum: tuple[Org, Org, tuple[int, int]] | None = None

    def plant(self) -> None:
        branches = self._branches()
        self._branch_cases(branches)
        self._member_life()
        self._dues_cases()
        self._ladder()

    # -- orgs

    def _branches(self) -> list[Org]:
        """Village branches (党支部) that existed before the ledgers, 7 members or more, not
        weak: the ones that carry planted branch cases, in a random order."""
        start = first_day(self.p.window[0]) - timedelta(days=400)
        cands = [
            o
            for o in self.cc.branches
            if o.kind == "党支部"
            and o.area_code is not None
            and len(o.area_code) >= 12
            and not _weak(self.s, o)
            and (o.established_on is None or o.established_on < start)
            and len(self.cc.belongs.get(o.org_id, [])) >= COMMITTEE_MIN + 3
        ]
        return self.r.sample(cands, len(cands))

    def _branch_cases(self, branches: list[Org]) -> None:
        s, cc, p = self.s, self.cc, self.p
        n = len(branches)
        pick = iter(branches[k % n] for k in range(100))
        last_q = p.quarters[-1]
        ql = f"{last_q[0]}-Q{last_q[1]}"
        lecture_q = next(q for q in reversed(p.quarters) if q[1] != 3)  # Q3 has the 七一 党课
        lq = f"{lecture_q[0]}-Q{lecture_q[1]}"
        o = next(pick)
        cc.skip.add((o.org_id, "党员大会", ql))
        s.plant("branch_no_general_meeting", "org", o.org_id, f"{ql} 未召开党员大会")
        o = next(pick)
        ms = [label(m) for m in p.checked[-5:-3]]
        for m in ms:
            cc.skip.add((o.org_id, "支委会", m))
        s.plant("branch_no_committee_meeting", "org", o.org_id, f"{'、'.join(ms)} 未召开支委会")
        o = next(pick)
        ms = [label(m) for m in (p.checked[-2], p.checked[-7])]
        for m in ms:
            cc.skip.add((o.org_id, "主题党日", m))
        s.plant("branch_no_theme_day", "org", o.org_id, f"{'、'.join(ms)} 未开展主题党日")
        o = next(pick)
        cc.skip.add((o.org_id, "党课", lq))
        s.plant("branch_few_lectures", "org", o.org_id, f"{lq} 未上党课")
        o = next(pick)
        cc.skip.add((o.org_id, "组织生活会", str(p.year)))
        s.plant("branch_no_life_meeting", "org", o.org_id, f"{p.year} 年未召开组织生活会")
        o = next(pick)
        cc.skip.add((o.org_id, "民主评议党员", str(p.year)))
        s.plant("branch_no_appraisal", "org", o.org_id, f"{p.year} 年未开展民主评议党员")
        # a party group of a planted-free branch, existing before the checked months
        planted = {k[0] for k in cc.skip}
        first = first_day(p.checked[0])
        groups = [
            g
            for g in cc.groups
            if g.parent not in planted
            and (g.established_on is None or g.established_on <= first)
            and len(cc.in_group.get(g.org_id, [])) >= 5
        ]
        g = self.r.choice(groups)
        ms = [label(m) for m in p.checked[-4:-2]]
        for m in ms:
            cc.skip.add((g.org_id, "党小组会", m))
        s.plant("group_no_meeting", "org", g.org_id, f"{'、'.join(ms)} 未召开党小组会")
        # the quorum cases: a quarter before the one planned away above
        self.quorum = (next(pick), next(pick), p.quarters[-2])

    # -- members

    def _member_ok(self, i: int, strict: bool = True) -> bool:
        """A member free to carry a planted member case: not exempt, in a branch since long
        before the ledgers, on no other case; `strict`: a full member aged 25–65, no role."""
        s = self.s
        m = s.members[i]
        return (
            m.key not in self.used
            and i not in self.second
            and i not in self.life.silence
            and i not in self.life.exempt
            and m.branch is not None
            and not m.lost_flag
            and m.joined_on < first_day(self.p.window[0]) - timedelta(days=365)
            and (not strict or (m.is_full and not m.roles and 25 <= s.age(m) <= 65))
        )

    def _home(self, strict: bool = True) -> list[int]:
        """Village members never away, in a random order."""
        out = [
            i
            for i in self.c.members
            if self._member_ok(i, strict)
            and i not in self.life.away_iv
            and self.s.members[i].village is not None
        ]
        return self.r.sample(out, len(out))

    def _take(self, pool: list[int]) -> int:
        i = pool.pop()
        self.used.add(self.s.members[i].key)
        return i

    def _take_home(self) -> int:
        """The next member of the at-home pool (widened when the strict one runs out)."""
        if not self.home:
            self.home = self._home(strict=False)
        return self._take(self.home)

    def _member_life(self) -> None:
        s, life = self.s, self.life
        self.home = self._home()
        home_lapse = -1
        for months, type_ in ((4, "member_no_life"), (8, "member_life_lapse")):
            i = self._take_home()
            life.silence[i] = add_months(self.D, -months)
            life.forced.add(i)
            home_lapse = i
            s.plant(type_, "member", s.members[i].key, f"在家, 约 {months} 个月未参加组织生活")
        # members away of ordinary reporting habits, gone since before the ledgers (or at
        # least before their silence): one attached to a mobile branch (its meetings are
        # theirs) when there is one, and one not
        for months, type_, attached in (
            (4, "member_no_life", True),
            (8, "member_life_lapse", False),
        ):
            silent_from = add_months(self.D, -months)
            pool = self._away_pool(months)
            fit = [
                i
                for i in pool
                if (life.attached_at(i, add_months(silent_from, -1)) is not None) == attached
                and (life.attached_at(i, self.D) is not None) == attached
            ]
            i = self._take(fit or pool)
            life.silence[i] = silent_from
            life.forced.add(i)
            how = "流动党员党支部" if life.attached_at(i, self.D) else "线上"
            s.plant(
                type_, "member", s.members[i].key, f"外出 ({how}), 约 {months} 个月未参加组织生活"
            )
        self.talk_with = [home_lapse]

    def _away_pool(self, months: int) -> list[int]:
        """Members away now who report, gone since before the ledgers (strict, then any),
        else since before the last `months` + 2 months, else gone lately (silent at home
        before they left)."""
        s = self.s
        start = first_day(self.p.window[0])
        for strict, before, habits in (
            (True, start, ("monthly", "quarterly")),
            (False, start, ("monthly", "quarterly")),
            (False, add_months(self.D, -(months + 2)), ("monthly", "quarterly")),
            (False, self.D, ("monthly", "quarterly", "recent")),
        ):
            out = [
                i
                for i, o in sorted(s.open_outflows.items())
                if i in self.county_members
                and self._member_ok(i, strict)
                and s.profiles.get(i) in habits
                and o.left_on < before
            ]
            if out:
                return self.r.sample(out, len(out))
        raise RuntimeError("no member away to plant organisational-life cases on")

    def _dues_cases(self) -> None:
        s = self.s
        now = month_of(self.D)
        for back, type_ in ((5, "dues_arrears"), (9, "dues_lapse")):
            i = self._take_home()
            self.life.dues_cutoff[i] = shift(now, -back)
            self.life.forced.add(i)
            s.plant(type_, "member", s.members[i].key, f"党费缴至 {label(shift(now, -back))}")

    def _ladder(self) -> None:
        """The planted lost and flagged members (lost_contact): no part and no dues for seven
        months and more; and a member suspended 27 months and more ago, silent since."""
        s, life = self.s, self.life
        seven = add_months(self.D, -7)
        lost = [
            x
            for x in s.planted
            if x.type == "lost_contact" and x.kind == "member" and x.id in self.key_of
        ]
        for x in lost:
            i = self.key_of[x.id]
            life.silence[i] = min(life.silence.get(i, seven), seven)
            life.no_dues[i] = min(life.no_dues.get(i, seven), seven)
            reason = "花名册标记失联" if s.members[i].lost_flag else "长期未报到"
            s.plant("propose_suspension", "member", x.id, f"{reason}, 7 个月以上无组织生活、无党费")
        # suspended: a member of a village no household contact reaches, on no other case
        pool = [i for i in self.home if i not in self.contacted]
        i = self._take(pool) if pool else self._take_home()
        m = s.members[i]
        m.suspended_on = add_months(self.D, -27) - timedelta(days=self.r.randint(0, 60))
        life.suspended_set.add(i)
        life.silence[i] = life.no_dues[i] = m.suspended_on
        assert m.branch is not None
        self.cc.style[m.branch] = "attendees"
        if m.group:
            self.cc.style[m.group] = "attendees"
        s.plant(
            "propose_removal",
            "member",
            m.key,
            f"停止党籍日期 {m.suspended_on.isoformat()}, 此后无组织生活、无党费",
        )

    def quorum_cases(self) -> None:
        """Two 党员大会 of the last checked quarter without a quorum: one by its figures (实到
        half of 应到), one with no figures and half its full members listed absent. Quiet
        members (silent, suspended) are among the absent either way."""
        life, s, cc = self.life, self.s, self.cc
        assert self.quorum is not None
        o1, o2, q = self.quorum
        months = quarter_months(q)
        for o, basis in ((o1, "figures"), (o2, "absentees")):
            k = next(
                (
                    k
                    for k in life.meetings
                    if k.org == o.org_id and k.type == "党员大会" and month_of(k.on) in months
                ),
                None,
            )
            if k is None:
                raise AssertionError(f"{o.org_id}: no 党员大会 in {q} to plant a missed quorum")
            expected = life._expected(cc, o, k.on)
            quiet = [i for i in expected if life.quiet(i, k.on)]
            if basis == "figures":
                counted = [i for i in expected if not life.suspended(i)]
                want = len(counted) - len(counted) // 2 - sum(i in quiet for i in counted)
                absent = quiet + [i for i in counted if i not in quiet][: max(0, want)]
                k.expected = len(counted)
                k.present = len(counted) - sum(i in absent for i in counted)
                note = f"应到 {k.expected} 人, 实到 {k.present} 人"
            else:
                # voting: its full members, not suspended (停止党籍: no vote)
                voting = [
                    i
                    for i in cc.belongs[o.org_id]
                    if s.members[i].is_full and not life.suspended(i)
                ]
                want = len(voting) - len(voting) // 2 - sum(i in quiet for i in voting)
                absent = quiet + [i for i in voting if i not in quiet][: max(0, want)]
                k.expected = k.present = None
                note = f"未记录应到、实到; 有表决权党员 {len(voting)} 人, 缺席 {len(absent)} 人"
            gone = set(absent)
            k.attendees = []
            k.absentees = [i for i in expected if i in gone or i not in k.attended]
            k.absentees += [i for i in absent if i not in expected]
            k.attended = [i for i in expected if i not in set(k.absentees)]
            s.plant("meeting_no_quorum", "meeting", k.id, note)


def build_life(s: State) -> tuple[list[Meeting], list[Payment]]:
    """The meetings and dues ledgers of every county of `s` (and members' suspended_on), in
    roster order: meetings by org (the orgs file's order), date, type; dues by member."""
    life = _Life(s)
    for c in s.counties:
        life.county(c)
    _unique_ids(life.meetings)
    _verify(life)
    rank = {o.org_id: k for k, o in enumerate(s.orgs)}
    types = list(MEETING_CODES)
    meetings = sorted(
        life.meetings, key=lambda k: (rank[k.org], k.on, types.index(k.type), k.topic)
    )
    # dues in the members roster's order (by branch), each member's oldest first
    payments = sorted(
        life.payments,
        key=lambda x: (rank.get(s.members[x.member].branch or "", len(rank)), x.member, x.paid_to),
    )
    return meetings, payments


def _unique_ids(meetings: list[Meeting]) -> None:
    """Two rows with one id would be one meeting: move a repeat (a talk) to the next day."""
    seen: set[str] = set()
    for k in meetings:
        while k.id in seen:
            k.on += timedelta(days=1)
        seen.add(k.id)


@dataclass
class _Signs:
    """What docs/rules.md reads of a member from the ledgers at D."""

    life_begin: date
    dues_begin: Month
    last_life: dict[int, date]
    paid_to: dict[int, Month]
    last_paid_on: dict[int, date]


def _signs(life: _Life) -> _Signs:
    D = life.D
    last_life: dict[int, date] = {}
    for k in life.meetings:
        if k.on <= D and k.type != "谈心谈话":
            for i in k.attended:
                if k.on > last_life.get(i, date.min):
                    last_life[i] = k.on
    paid_to: dict[int, Month] = {}
    last_on: dict[int, date] = {}
    for x in life.payments:
        if x.paid_on <= D:
            paid_to[x.member] = max(paid_to.get(x.member, x.paid_to), x.paid_to)
            last_on[x.member] = max(last_on.get(x.member, x.paid_on), x.paid_on)
    return _Signs(
        life_begin=min(k.on for k in life.meetings if k.on <= D),
        dues_begin=min(x.paid_to for x in life.payments if x.paid_on <= D),
        last_life=last_life,
        paid_to=paid_to,
        last_paid_on=last_on,
    )


def life_months(sg: _Signs, m: Member, D: date) -> int:
    base = max(sg.life_begin, m.joined_on, sg.last_life.get(m.idx, date.min))
    return whole_months(base, D)


def months_owed(sg: _Signs, m: Member, D: date) -> int:
    first = max(month_of(m.joined_on), sg.dues_begin)
    if m.idx in sg.paid_to:
        first = max(first, shift(sg.paid_to[m.idx], 1))
    return max(0, months_between(first, month_of(D)))


def _verify(life: _Life) -> None:
    """Each planted member case holds on the ledgers as written (docs/rules.md, default
    thresholds); a build where one does not is a bug of this module."""
    s, D = life.s, life.D
    sg = _signs(life)
    by_key = {m.key: m for m in s.members}
    for x in s.planted:
        if x.kind != "member" or x.type not in _MEMBER_TESTS:
            continue
        m = by_key[x.id]
        if not _MEMBER_TESTS[x.type](sg, m, D):
            raise AssertionError(f"planted {x.type} {x.id} ({x.note}) does not hold")


def _lost_since(sg: _Signs, m: Member) -> date:
    signs = [sg.last_life.get(m.idx, date.min), sg.last_paid_on.get(m.idx, date.min)]
    return max(*signs, m.joined_on, min(sg.life_begin, first_day(sg.dues_begin)))


def _removal(sg: _Signs, m: Member, D: date) -> bool:
    on = m.suspended_on
    return (
        on is not None
        and add_months(on, 24) <= D
        and sg.last_life.get(m.idx, date.min) <= on
        and sg.last_paid_on.get(m.idx, date.min) <= on
    )


_MEMBER_TESTS = {
    "member_no_life": lambda sg, m, D: 3 <= life_months(sg, m, D) < 6,
    "member_life_lapse": lambda sg, m, D: life_months(sg, m, D) >= 6,
    "dues_arrears": lambda sg, m, D: 3 <= months_owed(sg, m, D) < 6,
    "dues_lapse": lambda sg, m, D: months_owed(sg, m, D) >= 6,
    "propose_suspension": lambda sg, m, D: add_months(_lost_since(sg, m), 6) <= D,
    "propose_removal": _removal,
}
