"""The 整顿台账, 督查记录 and 党小组工作记录 rosters, and the planted cases of docs/rules.md "The
rectification ledger (整顿台账) and inspections (督查记录)" and "党小组 appraisal".

整顿台账: one row per episode, the same episodes the 党组织 roster's 整顿 columns write (so a
second import changes nothing): every weak (软弱涣散) village organisation's open episode, listed
200–500 days before as_of (orgs.py), with its 一村一策 plan 7–28 days after the listing, its
county leader, township cadre and sending unit; and a few episodes of other villages listed two
to three years ago and closed (已销号) after an acceptance (验收) of 合格 or 基本合格.
督查记录: each open episode inspected once in every quarter from the first whole quarter after
its listing, the current quarter too when its day has come; the closed ones were inspected in
the quarters they were open.
党小组工作记录: every party group of a few pilot townships (as many as fit in 400 rows; all of
them at tiny scale), one row per month from the first month of the quarter before the last
completed one to the month before as_of's month, each with its 月总结, one row a quarter with
the township's 督查 date, and the yearly appraisal (考评) on December's row. Groups elsewhere
keep no such record (so the two record rules find every one of them).

Planted, per county (guaranteed under the default policy on as_of):

  rectification_no_plan          an open episode whose 一村一策 was made 45–90 days after the
                                 listing (the second weak village, when there are two)
  rectification_no_inspection    an open episode not inspected in the last completed quarter
                                 (the first weak village)
  rectification_accepted_failing a closed (已销号) episode whose acceptance was 不合格
  group_no_summary               a pilot group with 月总结 否 in one checked month
  group_no_inspection            a pilot group not inspected in the last completed quarter
  group_no_leader                a group whose 党小组长 stepped down with no successor: no
                                 member of it holds the role any more (the members roster)

The draws come from a random source of this step's own, after every other step, so the other
files stay as they were, but for the 党组织 rows of the closed episodes and the 职务 of the
group_no_leader group's former leader.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from orgraph.demo.model import GroupRecord, Inspection, Org, Rectification
from orgraph.demo.state import County, State, Village, add_years

WEAK = frozenset({"weak", "weak_overdue"})
PROBLEMS = ("书记能力弱", "班子不团结", "集体经济薄弱", "组织生活不正常")
INSPECTORS = ("县委组织部督查组", "县委第一督查组", "县委第二督查组", "县委第三督查组")
FINDINGS = (
    "三会一课记录不全",
    "一村一策推进缓慢",
    "党员联户走访不到位",
    "村务公开不及时",
    "整顿台账资料不完整",
    "班子分工不明确",
)
GROUP_FINDINGS = ("会议记录规范", "月总结内容较简单", "联户走访记录不全", "党员积分未及时公示")
PAST_EPISODES = 3  # closed episodes per county (1 at tiny scale): the first fails its 验收
GROUP_RECORDS_MAX = 400  # pilot townships are taken while the county's rows stay within this


Quarter = int  # year * 4 + quarter index (0–3)
Month = int  # year * 12 + month index (0–11)


def quarter_of(d: date) -> Quarter:
    return d.year * 4 + (d.month - 1) // 3


def quarter_first(q: Quarter) -> date:
    return date(q // 4, 3 * (q % 4) + 1, 1)


def quarter_last(q: Quarter) -> date:
    return quarter_first(q + 1) - timedelta(days=1)


def month_of(d: date) -> Month:
    return d.year * 12 + d.month - 1


def month_first(m: Month) -> date:
    return date(m // 12, m % 12 + 1, 1)


def month_last(m: Month) -> date:
    return month_first(m + 1) - timedelta(days=1)


def build_ledgers(s: State) -> tuple[list[Rectification], list[Inspection], list[GroupRecord]]:
    """Every county's ledgers and planted cases, in roster order (by org, then date)."""
    rects: list[Rectification] = []
    insps: list[Inspection] = []
    records: list[GroupRecord] = []
    for c in s.counties:
        r = random.Random(f"{s.seed}|ledgers|{c.spec.code}")
        rectifications(s, c, r, rects, insps)
        group_records(s, c, r, records)
        no_leader(s, c)
    rank = {o.org_id: k for k, o in enumerate(s.orgs)}
    rects.sort(key=lambda x: (rank[x.org], x.opened_on))
    insps.sort(key=lambda x: (rank[x.org], x.on, x.inspector))
    records.sort(key=lambda x: (rank[x.group], x.month))
    return rects, insps, records


# --------------------------------------------------------------------------- 整顿台账, 督查记录


def _county_leader(s: State, c: County, v: Village) -> str:
    for i, t in c.leader_township.items():
        if t is v.township:
            return s.members[i].name
    return s.members[c.leaders[0]].name if c.leaders else ""


def _township_cadre(s: State, v: Village) -> str:
    t = v.township
    for i, villages in t.cadre_villages.items():
        if v in villages:
            return s.members[i].name
    return s.members[t.cadres[0]].name if t.cadres else ""


def _sent_unit(s: State, org: str) -> str:
    """The unit that sent the village its (latest) 第一书记; "" when none was sent."""
    sent = [a for a in s.appointments if a.org == org]
    return max(sent, key=lambda a: a.since).sent_by if sent else ""


def _problems(r: random.Random) -> str:
    return "、".join(sorted(r.sample(PROBLEMS, r.randint(1, 2)), key=PROBLEMS.index))


def _inspect(
    r: random.Random,
    org: str,
    start: date,
    end: date,
    skip: Quarter | None,
    out: list[Inspection],
    *,
    still_open: bool,
) -> None:
    """One inspection of `org` in every quarter whose first day is on or after `start`, on a
    day before `end` (the quarter `skip` left out): findings followed up (已整改), the latest
    often still being followed up (整改中) when the episode is `still_open`."""
    q = quarter_of(start) + (quarter_first(quarter_of(start)) < start)
    mine: list[Inspection] = []
    while quarter_first(q) < end:
        first, last = quarter_first(q), min(quarter_last(q), end - timedelta(days=1))
        if q != skip and (last - first).days >= 20:
            on = first + timedelta(days=r.randint(10, (last - first).days))
            found = r.choice(FINDINGS)
            mine.append(Inspection(org, on, r.choice(INSPECTORS), found, "已整改"))
        q += 1
    if still_open and mine and r.random() < 0.6:
        mine[-1].follow_up = "整改中"
    out.extend(mine)


def rectifications(
    s: State, c: County, r: random.Random, rects: list[Rectification], insps: list[Inspection]
) -> None:
    """The county's 整顿台账 and 督查记录, and their three planted cases."""
    D = s.as_of
    villages = c.villages
    weak = [v for v in villages if v.tags & WEAK and s.org_by_id[v.top_org].weak]
    if not weak:
        raise RuntimeError("no weak village to plant the rectification cases on")
    uninspected, late = weak[0], weak[1 % len(weak)]
    last_done = quarter_of(D) - 1  # the last quarter completed at D (its last day < D)
    for v in weak:
        o = s.org_by_id[v.top_org]
        assert o.rect_opened is not None
        opened = o.rect_opened
        plan = opened + timedelta(days=r.randint(7, 28))
        if v is late:
            plan = opened + timedelta(days=r.randint(45, 90))
        rects.append(_ledger_row(s, c, r, v, o, opened, plan, status=o.rect_status or "整顿中"))
        skip = last_done if v is uninspected else None
        _inspect(r, o.org_id, opened, D, skip, insps, still_open=True)
        if v is late:
            s.plant(
                "rectification_no_plan",
                "org",
                o.org_id,
                f"{v.area.name}: {opened.isoformat()} 列入整顿, 一村一策 {plan.isoformat()} 才制定",
            )
        if v is uninspected:
            s.plant(
                "rectification_no_inspection",
                "org",
                o.org_id,
                f"{v.area.name}: {quarter_first(last_done).year}年第{last_done % 4 + 1}季度未督查",
            )
    # closed episodes of villages listed before: the first failed its 验收 but was closed
    others = [
        v
        for v in villages
        if not v.tags & (WEAK | {"joint"})
        and v.top_org
        and s.org_by_id[v.top_org].rect_opened is None
    ]
    n = 1 if s.scale == "tiny" else PAST_EPISODES
    if not others:
        raise RuntimeError("no village to plant rectification_accepted_failing on")
    for k, v in enumerate(r.sample(others, min(n, len(others)))):
        o = s.org_by_id[v.top_org]
        opened = D - timedelta(days=r.randint(700, 1000))
        deadline = add_years(opened, 1)
        accepted = deadline - timedelta(days=r.randint(5, 40))
        o.rect_opened, o.rect_deadline, o.rect_status = opened, deadline, "已销号"
        plan = opened + timedelta(days=r.randint(8, 25))
        row = _ledger_row(s, c, r, v, o, opened, plan, status="已销号")
        row.accepted_on = accepted
        row.result = "不合格" if k == 0 else r.choice(("合格", "合格", "基本合格"))
        rects.append(row)
        _inspect(r, o.org_id, opened, accepted, None, insps, still_open=False)
        if k == 0:
            s.plant(
                "rectification_accepted_failing",
                "org",
                o.org_id,
                f"{v.area.name}: {accepted.isoformat()} 验收不合格, 仍已销号",
            )


def _ledger_row(
    s: State,
    c: County,
    r: random.Random,
    v: Village,
    o: Org,
    opened: date,
    plan: date,
    status: str,
) -> Rectification:
    return Rectification(
        org=o.org_id,
        opened_on=opened,
        problems=_problems(r),
        plan_on=plan,
        county_leader=_county_leader(s, c, v),
        township_team=_township_cadre(s, v),
        sent_unit=_sent_unit(s, o.org_id),
        deadline=o.rect_deadline,
        status=status,
    )


# --------------------------------------------------------------------------- 党小组工作记录


def _grade(score: int) -> str:
    return "优秀" if score >= 90 else "良好" if score >= 80 else "一般" if score >= 70 else "较差"


def group_records(s: State, c: County, r: random.Random, out: list[GroupRecord]) -> None:
    """Every party group of a few pilot townships, month by month, and the two planted
    cases on two of them."""
    D = s.as_of
    last_done = quarter_of(D) - 1
    begin = 3 * (last_done - 1)  # the first month of the quarter before the last completed one
    end = month_of(D)  # exclusive: months completed at D
    months = list(range(begin, end))

    def groups_of(villages: list[Village]) -> list[str]:
        return [g for v in villages for g in v.groups]

    townships = r.sample(c.townships, len(c.townships))
    pilot: list[str] = []
    for t in townships:
        gs = groups_of(t.villages)
        if s.scale == "tiny" or (len(pilot) + len(gs)) * len(months) <= GROUP_RECORDS_MAX:
            pilot += gs
    if not pilot:  # no township fits: the one with the fewest groups
        pilot = min((groups_of(t.villages) for t in townships), key=len)
    if not pilot:
        raise RuntimeError("no party group to keep a 党小组工作记录")
    # the planted ones: groups established before the records begin, so every period counts
    planted = {p.id for p in s.planted}
    old = [g for g in pilot if _est(s, g) <= month_first(begin) and g not in planted]
    if len(old) < 2:
        raise RuntimeError("fewer than two party groups to plant the group record cases on")
    no_summary, no_inspection = old[0], old[len(old) // 2]
    missed_month = r.choice([m for m in months if month_last(m) < D])
    mine: list[GroupRecord] = []
    for g in sorted(pilot):
        est = _est(s, g)
        rows = {
            m: GroupRecord(g, (m // 12, m % 12 + 1), not (g == no_summary and m == missed_month))
            for m in months
            if month_last(m) >= est
        }
        for q in range(last_done - 1, quarter_of(D) + 1):
            if g == no_inspection and q == last_done:
                continue
            in_q = [m for m in rows if m // 3 == q]
            if not in_q or (q == quarter_of(D) and r.random() < 0.5):
                continue
            m = r.choice(in_q)
            first = max(month_first(m), est)
            day = first + timedelta(days=r.randint(0, (month_last(m) - first).days))
            rows[m].inspected_on = day
            rows[m].finding = r.choice(GROUP_FINDINGS)
        for m, row in rows.items():
            if m % 12 == 11:  # December: the township's yearly appraisal
                row.score = r.randint(66, 98)
                row.grade = _grade(row.score)
        mine.extend(rows.values())
    out.extend(mine)
    name = s.org_by_id
    y, mo = missed_month // 12, missed_month % 12 + 1
    note = f"{name[no_summary].name}: {y}年{mo}月未作月总结"
    s.plant("group_no_summary", "org", no_summary, note)
    s.plant(
        "group_no_inspection",
        "org",
        no_inspection,
        f"{name[no_inspection].name}: {last_done // 4}年第{last_done % 4 + 1}季度未督查",
    )


def _est(s: State, g: str) -> date:
    est = s.org_by_id[g].established_on
    return est if est is not None else date.min


def no_leader(s: State, c: County) -> None:
    """group_no_leader: the 党小组长 of one group stepped down, nobody elected since (the
    members roster's 职务 no longer says 党小组长 for anyone in the group). A group of an
    ordinary village, not one carrying another planted case."""
    planted = {p.id for p in s.planted}
    for v in c.villages:
        if v.tags & {"big", "small", "joint"}:
            continue
        for g in v.groups:
            leaders = [
                i for i in v.members if s.members[i].group == g and "党小组长" in s.members[i].roles
            ]
            if g in planted or not leaders:
                continue
            for i in leaders:
                s.members[i].roles.remove("党小组长")
            s.plant(
                "group_no_leader",
                "org",
                g,
                f"{s.org_by_id[g].name}: 原党小组长 {s.members[leaders[0]].name} 卸任, 未补选",
            )
            return
    raise RuntimeError("no party group to plant group_no_leader on")
