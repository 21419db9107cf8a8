"""Party organisations: the county committee and its organs, township committees, village
branches (党支部, 党总支 with sub-branches, 联合党支部 of two small villages), party groups
(党小组), and which branch and group each member belongs to.

组织编号 = "D" + the code of the area served: D330226 县委, D330226101 镇党委,
D330226101201 村党支部/党总支, D330226101201-1 总支下的支部, D330226101-LH1 联合党支部,
D330226-JG 机关工委, D330226-JG01 机关支部, D330226101-JG 乡镇机关支部; a party group is its
branch's id + "-G01". (Mobile branches, D330226-LD01, are built in mobility.py.)

Some structural gap cases are planted here, where the org they are about is made:
member_no_branch, member_no_group, group_size, branch_too_large, branch_too_small,
rectification_overdue and term_expired (on the villages planted.plan tagged).
"""

from __future__ import annotations

import math
from collections import Counter
from datetime import date, timedelta

from orgraph.demo import places
from orgraph.demo.model import Org
from orgraph.demo.people import organ_member
from orgraph.demo.state import County, State, Township, Village, add_years

CN_NUM = "一二三四五六七八九十"


def cn(k: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十."""
    if k <= 10:
        return CN_NUM[k - 1]
    if k < 20:
        return "十" + CN_NUM[k - 11]
    tens, ones = divmod(k, 10)
    return CN_NUM[tens - 1] + "十" + (CN_NUM[ones - 1] if ones else "")


def term(s: State, years: int) -> tuple[date, date]:
    """(elected, term ends): elected 6–14 months before as_of, for `years` years."""
    elected = s.days_ago(180, 420)
    return elected, add_years(elected, years)


def county_orgs(s: State, c: County, parent_org: str | None) -> None:
    """The county committee, its organ work committee and the township committees."""
    r = s.r
    spec = c.spec
    c.committee = f"D{spec.code}"
    _, term_end = term(s, 5)
    s.add_org(
        Org(
            c.committee,
            f"中共{spec.name}委员会",
            "党委",
            parent_org,
            spec.code,
            established_on=date(1949, 5, r.randint(1, 28)),
            term_end=s.as_of + timedelta(days=r.randint(60, 400)),
        )
    )
    c.organ_committee = f"D{spec.code}-JG"
    s.add_org(
        Org(
            c.organ_committee,
            f"中共{spec.name}直属机关工作委员会",
            "党工委",
            c.committee,
            spec.code,
            established_on=date(1985, 7, 1),
            term_end=term_end,
        )
    )
    for t in c.townships:
        t.org_id = f"D{t.area.code}"
        word = "工作委员会" if t.kind == "街道" else "委员会"
        kind = "党工委" if t.kind == "街道" else "党委"
        s.add_org(
            Org(
                t.org_id,
                f"中共{spec.name}{t.area.name}{word}",
                kind,
                c.committee,
                t.area.code,
                established_on=date(r.randint(1950, 2002), 7, 1),
                term_end=s.as_of + timedelta(days=r.randint(60, 400)),
            )
        )


def village_orgs(s: State, c: County, t: Township) -> None:
    """The branches of a township's villages: one joint branch per joint set, else one each."""
    r = s.r
    cname, tname = c.spec.name, t.area.name
    joint_members: dict[int, tuple[str, list[Village]]] = {}
    for n, group in enumerate(c.joint_sets, start=1):
        if group[0].township is t:
            joint_members[id(group[0])] = (f"D{t.area.code}-LH{n}", group)
    for v in t.villages:
        if "joint" in v.tags:
            key = id(v)
            if key not in joint_members:
                continue  # the second village of a joint set: handled with the first
            oid, group = joint_members[key]
            _, term_end = term(s, 5)
            names = "".join(x.area.name for x in group)
            s.add_org(
                Org(
                    oid,
                    f"{cname}{tname}{names}联合党支部",
                    "联合党支部",
                    t.org_id,
                    group[0].area.code,
                    established_on=date(r.randint(2018, 2022), r.randint(1, 12), 1),
                    term_end=term_end,
                )
            )
            for x in group:
                x.top_org = oid
                x.branches = [oid]
                for i in x.members:
                    s.members[i].branch = oid
            continue
        _one_village_org(s, c, t, v)


def _sorted_by_hamlet(s: State, idxs: list[int]) -> list[int]:
    def key(i: int) -> tuple[str, int]:
        hid = s.members[i].household_id
        return (s.household_area[hid] if hid else "~", i)

    return sorted(idxs, key=key)


def _one_village_org(s: State, c: County, t: Township, v: Village) -> None:
    """A village's own branch (党支部, or a 党总支 with sub-branches) and its party groups, with
    the structural cases planned on the village."""
    r = s.r
    base = f"{c.spec.name}{t.area.name}{v.area.name}"
    _, term_end = term(s, 5)
    if "term_expired" in v.tags:
        term_end = s.days_ago(30, 200)
    est = date(r.randint(1950, 1998), r.randint(1, 12), 1)
    members = list(v.members)
    if "normal" in v.tags:  # the member whose 所在党支部 cell is empty
        cand = [i for i in members if not s.members[i].away and 30 <= s.age(s.members[i]) <= 60]
        loner = cand[0] if cand else members[0]
        members.remove(loner)
        s.plant(
            "member_no_branch", "member", s.members[loner].key, f"{v.area.name}: 所在党支部 为空"
        )
    weak = bool(v.tags & {"weak", "weak_overdue"})
    rect_opened = s.days_ago(200, 500) if weak else None
    rect_deadline = None
    if "weak_overdue" in v.tags:
        rect_deadline = s.days_ago(20, 120)
    elif weak:
        rect_deadline = s.as_of + timedelta(days=r.randint(30, 240))
    # more than 50 members: a 党总支 with sub-branches (the planted "big" branch stays one)
    split = len(members) > 50 and "big" not in v.tags
    top = s.add_org(
        Org(
            f"D{v.area.code}",
            f"{base}党总支" if split else f"{base}党支部",
            "党总支" if split else "党支部",
            t.org_id,
            v.area.code,
            established_on=est,
            term_end=term_end,
        )
    )
    if split:
        _sub_branches(s, v, top, base, members)
    else:
        v.branches.append(top.org_id)
        for i in members:
            s.members[i].branch = top.org_id
        _groups(s, v, top, members)
    if weak:
        top.weak = True
        top.rect_opened = rect_opened
        top.rect_deadline = rect_deadline
        if rect_deadline is not None and rect_deadline < s.as_of:
            s.plant(
                "rectification_overdue", "org", top.org_id, f"整顿期限 {rect_deadline.isoformat()}"
            )
    if "term_expired" in v.tags:
        s.plant("term_expired", "org", top.org_id, f"届满日期 {term_end.isoformat()}")
    v.top_org = top.org_id
    if "big" in v.tags:
        s.plant("branch_too_large", "org", top.org_id, f"{len(members)} 名党员")
    if "small" in v.tags:
        s.plant("branch_too_small", "org", top.org_id, "正式党员 2 名")


def _sub_branches(s: State, v: Village, top: Org, base: str, members: list[int]) -> None:
    """The branches of a 党总支, about 45 members each, balanced and grouped by hamlet."""
    r = s.r
    k = max(2, math.ceil(len(members) / 45))
    ordered = _sorted_by_hamlet(s, members)
    chunks = [ordered[j::k] for j in range(k)]  # balanced
    for j, chunk in enumerate(chunks, start=1):
        sub = s.add_org(
            Org(
                f"{top.org_id}-{j}",
                f"{base}党总支第{cn(j)}党支部",
                "党支部",
                top.org_id,
                v.area.code,
                established_on=date(r.randint(2012, 2021), 7, 1),
                term_end=top.term_end,
            )
        )
        v.branches.append(sub.org_id)
        for i in chunk:
            s.members[i].branch = sub.org_id
        _groups(s, v, sub, chunk)


def _group_sizes(s: State, v: Village, branch: Org, ordered: list[int]) -> list[int]:
    """Party-group sizes for a branch's members (removes the planted member_no_group from
    `ordered`); none when the branch is too small for groups."""
    if "big" in v.tags:
        lone = next(i for i in ordered if not s.members[i].away)
        ordered.remove(lone)
        s.plant(
            "member_no_group",
            "member",
            s.members[lone].key,
            f"{branch.name} 有党小组, 该党员不在任何党小组",
        )
        rest = len(ordered) - 20
        return [17, 3] + [rest // 3 + (1 if j < rest % 3 else 0) for j in range(3)]
    n = len(ordered)
    if n < 10:
        return []
    k = max(2, round(n / 10))
    while n / k > 15:
        k += 1
    while k > 2 and n / k < 5:
        k -= 1
    return [n // k + (1 if j < n % k else 0) for j in range(k)]


def _groups(s: State, v: Village, branch: Org, members: list[int]) -> None:
    ordered = _sorted_by_hamlet(s, members)
    sizes = _group_sizes(s, v, branch, ordered)
    pos = 0
    for j, size in enumerate(sizes, start=1):
        chunk = ordered[pos : pos + size]
        pos += size
        hamlets = Counter(
            s.household_area[s.members[i].household_id] for i in chunk if s.members[i].household_id
        )
        hamlet_code = v.hamlets[0].code
        for code, _ in sorted(hamlets.items(), key=lambda kv: (-kv[1], kv[0])):
            if len(code) == 15:
                hamlet_code = code
                break
        gid = f"{branch.org_id}-G{j:02d}"
        s.add_org(
            Org(
                gid,
                f"{branch.name}第{cn(j)}党小组",
                "党小组",
                branch.org_id,
                hamlet_code,
                established_on=s.days_ago(200, 2000),
            )
        )
        v.groups.append(gid)
        for i in chunk:
            s.members[i].group = gid
        home = [i for i in chunk if not s.members[i].away and s.age(s.members[i]) < 75]
        if home:
            s.members[home[0]].roles.append("党小组长")
        if "big" in v.tags and size in (17, 3):
            s.plant("group_size", "org", gid, f"{size} 名党员")


def organs(s: State, c: County, tiny: bool) -> None:
    """Township organ branches (cadres and staff), then the county's: leaders, first
    secretaries (第一书记, sent to the villages planted.plan picked) and staff."""
    r = s.r
    spec = c.spec
    for t in c.townships:
        n_cadres = 2 if tiny else math.ceil(len(t.villages) / 2) + 1
        t.cadres = [organ_member(s, c, 28, 55, ["乡镇干部"]) for _ in range(n_cadres)]
        t.staff = [organ_member(s, c, 24, 58, []) for _ in range(r.randint(3, 7))]
        s.members[t.cadres[0]].roles.insert(0, "书记")
        bid = f"D{t.area.code}-JG"
        _, term_end = term(s, 3)
        s.add_org(
            Org(
                bid,
                f"{spec.name}{t.area.name}机关党支部",
                "党支部",
                t.org_id,
                t.area.code,
                established_on=date(r.randint(1985, 2005), 7, 1),
                term_end=term_end,
            )
        )
        t.organ_branch = bid
        for i in t.cadres + t.staff:
            s.members[i].branch = bid
    n_leaders = 2 if tiny else round(len(c.townships) * 1.1)
    c.leaders = [organ_member(s, c, 45, 58, ["县级领导"]) for _ in range(n_leaders)]
    for v in c.villages:
        if "first_secretary" in v.tags:
            c.first_secretaries.append((organ_member(s, c, 28, 50, ["第一书记"]), v))
    n_staff = 3 if tiny else max(3, round(len(c.villages) * 0.1))
    c.staff = [organ_member(s, c, 24, 58, []) for _ in range(n_staff)]
    _county_organ_branches(s, c)


def _county_organ_branches(s: State, c: County) -> None:
    """The county organ's members, shuffled into branches of at most 15."""
    r = s.r
    spec = c.spec
    organ = c.leaders + [i for i, _ in c.first_secretaries] + c.staff
    organ = r.sample(organ, len(organ))
    k = max(1, math.ceil(len(organ) / 15))
    for j in range(k):
        chunk = organ[j::k]
        bid = f"{c.organ_committee}{j + 1:02d}"
        _, term_end = term(s, 3)
        name = places.COUNTY_ORGAN_BRANCHES[j % len(places.COUNTY_ORGAN_BRANCHES)]
        suffix = "" if j < len(places.COUNTY_ORGAN_BRANCHES) else str(j)
        s.add_org(
            Org(
                bid,
                f"{spec.name}{name[1:]}{suffix}党支部",
                "党支部",
                c.organ_committee,
                spec.code,
                established_on=date(r.randint(1980, 2010), 7, 1),
                term_end=term_end,
            )
        )
        c.organ_branches.append(bid)
        for i in chunk:
            s.members[i].branch = bid
        s.members[chunk[0]].roles.append("书记")
