"""Duties: village cadres (村两委) and the responsibility chain
"县级领导包乡镇、乡镇干部包村、村干部包组、党员包户" as contact rows (联系关系), current and ended.

Some chain gap cases are planted here, where the missing link would have been drawn:
township_no_leader, village_no_cadre, hamlet_no_cadre and cadre_group_load. The household
contacts return how many active contacts each household has, which planted.contact_cases
needs to plant the contact-load cases.
"""

from __future__ import annotations

import math
from datetime import timedelta

from orgraph.demo.model import Contact
from orgraph.demo.people import eligible
from orgraph.demo.state import County, State, Village


def village_cadres(s: State, v: Village) -> None:
    """The village's 村两委 (3–5, at least one per two party groups), 书记 first."""
    r = s.r
    home = [i for i in v.members if not s.members[i].away and s.members[i].branch]
    prime = [i for i in home if 25 <= s.age(s.members[i]) <= 66]
    others = [i for i in home if i not in prime and s.age(s.members[i]) < 75]
    r.shuffle(prime)
    if "joint" in v.tags or "small" in v.tags:
        want = len(v.members)
    else:
        want = 3 if v.M < 20 else 4 if v.M < 40 else 5
        want = max(want, math.ceil(len(v.groups) / 2))
    chosen = (prime + others)[:want]
    if not chosen:
        chosen = home[:1] or v.members[:1]
    v.cadres = chosen
    for k, i in enumerate(chosen):
        roles = s.members[i].roles
        if k == 0 and "secretary_vacant" in v.tags:
            roles[:0] = ["副书记", "村两委"]  # 书记 post vacant, the 副书记 主持工作 (planted)
        elif k == 0:
            roles[:0] = ["书记", "村两委"]
        elif k == 1:
            roles[:0] = ["副书记" if v.M >= 30 else "委员", "村两委"]
        elif k <= 3:
            roles[:0] = ["委员", "村两委"]
        else:
            roles[:0] = ["村两委"]


def responsibilities(s: State, c: County) -> None:
    """County leaders → townships, township cadres and first secretaries → villages, village
    cadres → hamlets and party groups."""
    r = s.r
    add = s.contacts.append
    # county leaders → townships; the last township has none (planted)
    gap_t = c.townships[-1]
    covered = c.townships[:-1]
    for k, i in enumerate(c.leaders):
        t = covered[k % len(covered)]
        c.leader_township[i] = t
        add(Contact(i, "乡镇", t.area.code, s.days_ago(300, 1500)))
    last = c.leaders[-1]
    add(Contact(last, "乡镇", gap_t.area.code, s.days_ago(1200, 1800), s.days_ago(60, 200)))
    s.plant(
        "township_no_leader",
        "area",
        gap_t.area.code,
        f"{gap_t.area.name}: 无县级领导联系 (原联系领导已调整)",
    )
    # township cadres → villages
    for t in c.townships:
        targets = [v for v in t.villages if "no_cadre" not in v.tags]
        t.cadre_villages = {i: [] for i in t.cadres}
        for k, v in enumerate(targets):
            i = t.cadres[k % len(t.cadres)]
            t.cadre_villages[i].append(v)
            add(Contact(i, "村", v.area.code, s.days_ago(200, 1500)))
        for v in t.villages:
            if "no_cadre" in v.tags:
                add(
                    Contact(
                        r.choice(t.cadres),
                        "村",
                        v.area.code,
                        s.days_ago(900, 1500),
                        s.days_ago(30, 300),
                    )
                )
                s.plant("village_no_cadre", "area", v.area.code, f"{v.area.name}: 无乡镇干部联系")
    for i, v in c.first_secretaries:
        add(Contact(i, "村", v.area.code, s.days_ago(100, 700)))
    # village cadres → hamlets and party groups
    for t in c.townships:
        for v in t.villages:
            _village_chain(s, v)


def _village_chain(s: State, v: Village) -> None:
    add = s.contacts.append
    cadres = v.cadres
    if not cadres:
        return
    skip_hamlet = v.hamlets[len(v.hamlets) // 2].code if "normal" in v.tags else None
    k = 0
    for h in v.hamlets:
        if h.code == skip_hamlet:
            s.plant("hamlet_no_cadre", "area", h.code, f"{v.area.name}{h.name}: 无村干部联系")
            continue
        add(Contact(cadres[k % len(cadres)], "组", h.code, s.days_ago(150, 600)))
        k += 1
    groups = list(v.groups)
    if not groups:
        return
    since = s.days_ago(150, 600)
    if "big" in v.tags:
        # cadre 0: 3 groups (too many); cadre 4: none (too few); every group covered
        plan = {0: [0, 1, 2], 1: [3], 2: [4], 3: [0]}
        for ci, gis in plan.items():
            for gi in gis:
                add(Contact(cadres[ci], "党小组", groups[gi], since))
        s.plant("cadre_group_load", "member", s.members[cadres[0]].key, "村两委 联系 3 个党小组")
        if len(cadres) > 4:
            s.plant(
                "cadre_group_load",
                "member",
                s.members[cadres[4]].key,
                "村两委 联系 0 个党小组 (所在支部有党小组)",
            )
        return
    if "normal" in v.tags and len(groups) >= 2:
        gone = groups.pop()
        s.plant("hamlet_no_cadre", "org", gone, "党小组无村两委联系")
    if len(cadres) >= len(groups):
        for ci, i in enumerate(cadres):
            add(Contact(i, "党小组", groups[ci % len(groups)], since))
    else:
        for gi, gid in enumerate(groups):
            add(Contact(cadres[gi % len(cadres)], "党小组", gid, since))


# --------------------------------------------------------------------------- 党员包户


def household_contacts(s: State, c: County) -> dict[str, int]:
    """Members → households, village by village, then the organs' 结对帮扶 households.

    Returns the active contacts per 户编号 (households without one are absent).
    """
    active: dict[str, int] = {}
    for v in c.villages:
        if v.coverage == "none" or not v.households:
            continue
        hh = [h.id for h in v.households]
        _village_household_contacts(s, v, hh, active)
        _ended_household_contacts(s, v, hh)
    _organ_household_contacts(s, c, active)
    return active


def _village_household_contacts(
    s: State, v: Village, hh: list[str], active: dict[str, int]
) -> None:
    """Each eligible member takes 3–5 households; in a fully covered village every household
    is taken (and each member has at least 3)."""
    r = s.r
    add = s.contacts.append
    elig = eligible(s, v.members)
    if v.coverage == "full" and elig:
        load: dict[int, list[str]] = {i: [] for i in elig}
        order = r.sample(hh, len(hh))
        for k, hid in enumerate(order):
            load[elig[k % len(elig)]].append(hid)
        for i in elig:
            while len(load[i]) < 3:
                extra = r.choice(hh)
                if extra not in load[i] or len(hh) < 3:
                    load[i].append(extra)
        for i in elig:
            for hid in load[i]:
                add(Contact(i, "户", hid, s.days_ago(60, 1800)))
                active[hid] = active.get(hid, 0) + 1
        return
    pool = r.sample(hh, len(hh))
    pos = 0
    for i in elig:
        k = r.choice((3, 4, 4, 5))
        take = pool[pos : pos + k]
        pos += k
        while len(take) < min(k, len(hh)):
            extra = r.choice(hh)
            if extra not in take:
                take.append(extra)
        for hid in take:
            add(Contact(i, "户", hid, s.days_ago(60, 1800)))
            active[hid] = active.get(hid, 0) + 1


def _ended_household_contacts(s: State, v: Village, hh: list[str]) -> None:
    """History: contacts that ended, of members away (some still open: they left without
    handing over), of aged members, and a few of anyone."""
    r = s.r
    add = s.contacts.append
    for i in v.members:
        m = s.members[i]
        if m.away:
            o = s.open_outflows[i]
            if r.random() < 0.35:
                for hid in r.sample(hh, min(len(hh), r.randint(2, 3))):
                    since = o.left_on - timedelta(days=r.randint(200, 1500))
                    until = min(
                        s.as_of - timedelta(days=1),
                        o.left_on + timedelta(days=r.randint(0, 60)),
                    )
                    add(Contact(i, "户", hid, since, until))
            elif r.random() < 0.3:
                for hid in r.sample(hh, min(len(hh), r.randint(1, 3))):
                    since = o.left_on - timedelta(days=r.randint(30, 900))
                    add(Contact(i, "户", hid, since))
        elif s.exempt(m) and r.random() < 0.3:
            until = s.days_ago(100, 900)
            since = until - timedelta(days=r.randint(400, 1500))
            add(Contact(i, "户", r.choice(hh), since, until))
        elif r.random() < 0.05:
            until = s.days_ago(100, 1000)
            since = until - timedelta(days=r.randint(300, 900))
            add(Contact(i, "户", r.choice(hh), since, until))


def _pick_village(s: State, options: list[Village]) -> Village | None:
    ok = [v for v in options if v.coverage != "none" and v.households]
    return s.r.choice(ok) if ok else None


def _organ_household_contacts(s: State, c: County, active: dict[str, int]) -> None:
    """Organ members (结对帮扶): 3–5 households each, tagged ones (低保, 空巢…) first, in a
    village they are responsible for, never in a village planted with no contacts."""
    r = s.r
    all_villages = c.villages
    organ_targets: list[tuple[int, list[Village]]] = []
    for t in c.townships:
        for i in t.cadres:
            organ_targets.append((i, t.cadre_villages.get(i) or t.villages))
        for i in t.staff:
            organ_targets.append((i, t.villages))
    for i in c.leaders:
        organ_targets.append((i, c.leader_township[i].villages))
    for i, v in c.first_secretaries:
        organ_targets.append((i, [v] if v.coverage != "none" else v.township.villages))
    for i in c.staff:
        organ_targets.append((i, all_villages))
    for i, options in organ_targets:
        m = s.members[i]
        if s.exempt(m):
            continue
        target = _pick_village(s, options) or _pick_village(s, all_villages)
        if target is None:
            continue
        tagged = [h.id for h in target.households if h.tags]
        rest = [h.id for h in target.households if not h.tags]
        k = r.choice((3, 4, 5))
        picks = r.sample(tagged, min(len(tagged), k))
        picks += r.sample(rest, min(len(rest), k - len(picks)))
        for hid in picks:
            s.contacts.append(Contact(i, "户", hid, s.days_ago(60, 1500)))
            active[hid] = active.get(hid, 0) + 1
