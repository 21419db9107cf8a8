"""The tiny demo county through the importer into a real graph on each engine: counts,
idempotency, update in place, file order, dry run and privacy (docs/design.md#importer)."""

from __future__ import annotations

import csv
import json
import re
import shutil
from collections import Counter
from pathlib import Path

from importer_helpers import (
    AREAS,
    CJK,
    CONTACTS,
    FILES,
    HOUSEHOLDS,
    MEMBERS,
    ORGS,
    OUTFLOWS,
    REPORTS,
    by_file,
    counts,
    demo_rows,
    diff,
    dump,
    edit_csv,
    edit_xlsx,
    id_hash,
    import_demo,
    issue_columns,
    member_key,
    node_count,
    raw_ids,
    read_rows,
    reimport,
    run_import,
    text,
    write_csv,
)

from orgraph.store import GraphStore

# -- 1. counts -------------------------------------------------------------------------------


def test_counts_per_kind_equal_the_files(store: GraphStore, demo_dir: Path) -> None:
    rows = demo_rows(demo_dir)
    report = import_demo(store, demo_dir)

    # The report: every row of every file created, nothing else.
    files = by_file(report)
    assert set(files) == set(FILES)
    for name in FILES:
        f = files[name]
        assert f.errors == [] and f.rejected == [] and f.warnings == [], name
        assert counts(f) == {
            "rows": len(rows[name]),
            "created": len(rows[name]),
            "updated": 0,
            "unchanged": 0,
            "rejected": 0,
        }, name
    assert report.totals()["created"] == sum(len(r) for r in rows.values())

    g = dump(store)
    labels = Counter(lb for lb, _ in g.nodes)
    org_names = {r["组织名称"]: r["组织编号"] for r in rows[ORGS]}
    assert len(org_names) == len(rows[ORGS]), "demo org names are unique"
    external_orgs = (
        {text(r["流入地党组织"]) for r in rows[OUTFLOWS]}
        - {""}
        - set(org_names)
        - set(org_names.values())
    )
    rects = [r for r in rows[ORGS] if r["整顿开始日期"] or r["整顿期限"]]
    # Nodes per label. Areas and orgs the files do not list are the geocoded destinations and
    # the destination orgs of the outflow file, flagged external.
    assert set(labels) == {
        "Area",
        "Org",
        "Member",
        "Household",
        "Outflow",
        "Report",
        "Rectification",
    }
    own_areas = [a for a in g.label("Area") if not a.get("external")]
    own_orgs = [o for o in g.label("Org") if not o.get("external")]
    assert sorted(a["code"] for a in own_areas) == sorted(text(r["区划代码"]) for r in rows[AREAS])
    assert sorted(o["id"] for o in own_orgs) == sorted(org_names.values())
    assert sorted(o["name"] for o in g.label("Org") if o.get("external")) == sorted(external_orgs)
    assert labels["Member"] == len(rows[MEMBERS])
    assert labels["Household"] == len(rows[HOUSEHOLDS])
    assert labels["Outflow"] == len(rows[OUTFLOWS])
    assert labels["Report"] == len(rows[REPORTS])
    assert labels["Rectification"] == len(rects)
    assert sorted(m["key"] for m in g.label("Member")) == sorted(
        member_key(r) for r in rows[MEMBERS]
    )

    # Relationships: counts and exact end points, per type.
    area_codes = {text(r["区划代码"]) for r in rows[AREAS]}
    part_of = Counter((a, b) for a, b, _ in g.rel("PART_OF") if a in area_codes)
    assert part_of == Counter(
        (text(r["区划代码"]), text(r["上级代码"])) for r in rows[AREAS] if r["上级代码"]
    )
    assert Counter((a, b) for a, b, _ in g.rel("IN")) == Counter(
        (text(r["户编号"]), text(r["所在区划代码"])) for r in rows[HOUSEHOLDS]
    )
    assert Counter((a, b) for a, b, _ in g.rel("BELONGS_TO")) == Counter(
        (member_key(r), org_names[r["所在党支部"]]) for r in rows[MEMBERS] if r["所在党支部"]
    )
    hh = [r for r in rows[CONTACTS] if r["联系对象类型"] == "户"]
    others = [r for r in rows[CONTACTS] if r["联系对象类型"] != "户"]
    assert Counter(
        (a, b, p.get("since"), p.get("until")) for a, b, p in g.rel("CONTACTS")
    ) == Counter(
        (member_key(r), text(r["联系对象编号"]), text(r["开始日期"]), text(r["结束日期"]) or None)
        for r in hh
    )
    assert Counter((a, b) for a, b, _ in g.rel("RESPONSIBLE_FOR")) == Counter(
        (member_key(r), text(r["联系对象编号"])) for r in others
    )
    assert Counter(a for a, _, _ in g.rel("HAS_OUTFLOW")) == Counter(
        member_key(r) for r in rows[OUTFLOWS]
    )
    assert Counter(a for a, _, _ in g.rel("REPORTED")) == Counter(
        member_key(r) for r in rows[REPORTS]
    )
    by_type = {r["rel"]: r["n"] for r in store.read("testing_rel_counts")}
    assert by_type["CONTACTS"] == len(hh)
    assert by_type["RESPONSIBLE_FOR"] == len(others)
    assert by_type["BELONGS_TO"] == sum(1 for r in rows[MEMBERS] if r["所在党支部"])
    assert by_type["HAS_OUTFLOW"] == len(rows[OUTFLOWS])
    assert by_type["REPORTED"] == len(rows[REPORTS])
    assert by_type["IN"] == len(rows[HOUSEHOLDS])
    # Every area not in the file is a destination: reached from an outflow, or the city of one.
    ext = {a["code"] for a in g.label("Area") if a.get("external")}
    reached = {b for a, b, _ in g.rel("TO") if b in ext}
    reached |= {b for a, b, _ in g.rel("PART_OF") if a in reached}
    reached |= {b for a, b, _ in g.rel("HOSTED_IN")}
    assert ext <= reached
    assert by_type["PART_OF"] == len(part_of) + sum(1 for a, _, _ in g.rel("PART_OF") if a in ext)


# -- 2. idempotency --------------------------------------------------------------------------


def test_second_import_changes_nothing(store: GraphStore, demo_dir: Path) -> None:
    import_demo(store, demo_dir)
    before = dump(store)
    again = reimport(store, [demo_dir / n for n in FILES])
    for name, f in by_file(again).items():
        assert counts(f) == {
            "rows": f.rows,
            "created": 0,
            "updated": 0,
            "unchanged": f.rows,
            "rejected": 0,
        }, name
    assert diff(before, dump(store)) == ([], [], [], [])


# -- 3. update in place ----------------------------------------------------------------------


def _copy_demo(demo_dir: Path, to: Path) -> Path:
    to.mkdir()
    for name in FILES:
        shutil.copy(demo_dir / name, to / name)
    return to


def test_edited_rows_are_updated_in_place(
    store: GraphStore, demo_dir: Path, tmp_path: Path
) -> None:
    rows = demo_rows(demo_dir)
    import_demo(store, demo_dir)
    before = dump(store)

    member = next(r for r in rows[MEMBERS] if r["人员编号"] and r["手机号码"])
    new_phone = "13900001111" if member["手机号码"] != "13900001111" else "13900002222"
    household = rows[HOUSEHOLDS][0]
    hamlets = [text(r["区划代码"]) for r in rows[AREAS] if r["层级"] == "组"]
    new_area = next(h for h in hamlets if h != household["所在区划代码"])
    edited = _copy_demo(demo_dir, tmp_path / "edited")
    edit_xlsx(demo_dir / MEMBERS, edited / MEMBERS, {(member["人员编号"], "手机号码"): new_phone})
    edit_csv(
        demo_dir / HOUSEHOLDS,
        edited / HOUSEHOLDS,
        {(household["户编号"], "所在区划代码"): new_area},
        key_column="户编号",
        encoding="gb18030",
    )

    files = by_file(import_demo(store, edited))
    for name, f in files.items():
        changed = 1 if name in (MEMBERS, HOUSEHOLDS) else 0
        assert counts(f) == {
            "rows": f.rows,
            "created": 0,
            "updated": changed,
            "unchanged": f.rows - changed,
            "rejected": 0,
        }, name

    nodes_gone, nodes_new, rels_gone, rels_new = diff(before, dump(store))
    assert [json.loads(n)[1]["key"] for n in nodes_gone] == [member["人员编号"]]
    assert len(nodes_new) == 1
    label, props = json.loads(nodes_new[0])
    old = json.loads(nodes_gone[0])[1]
    assert label == "Member" and props == {**old, "phone": new_phone}
    assert [json.loads(r)[:5] for r in rels_gone] == [
        ["IN", "Household", household["户编号"], "Area", household["所在区划代码"]]
    ]
    assert [json.loads(r)[:5] for r in rels_new] == [
        ["IN", "Household", household["户编号"], "Area", new_area]
    ]

    # A member moving to another branch keeps exactly one formal affiliation.
    org_ids = {r["组织名称"]: r["组织编号"] for r in rows[ORGS]}
    mover = next(
        r
        for r in rows[MEMBERS]
        if r["人员编号"] and r["所在党支部"] and not r["所在党小组"] and not r["职务"]
    )
    branches = [r["组织名称"] for r in rows[ORGS] if r["组织类别"] == "党支部"]
    target = next(b for b in branches if b != mover["所在党支部"])
    edit_xlsx(
        edited / MEMBERS, tmp_path / "moved.xlsx", {(mover["人员编号"], "所在党支部"): target}
    )
    before = dump(store)
    f = by_file(run_import(store, [tmp_path / "moved.xlsx"]))["moved.xlsx"]
    assert (f.updated, f.unchanged, f.created) == (1, f.rows - 1, 0)
    after = dump(store)
    belongs = [b for a, b, _ in after.rel("BELONGS_TO") if a == mover["人员编号"]]
    assert belongs == [org_ids[target]]
    _, _, rels_gone, rels_new = diff(before, after)
    assert [json.loads(r)[:5] for r in rels_gone] == [
        ["BELONGS_TO", "Member", mover["人员编号"], "Org", org_ids[mover["所在党支部"]]]
    ]
    assert [json.loads(r)[:5] for r in rels_new] == [
        ["BELONGS_TO", "Member", mover["人员编号"], "Org", org_ids[target]]
    ]


def test_links_of_every_kind_are_replaced_in_place(
    store: GraphStore, demo_dir: Path, tmp_path: Path
) -> None:
    """An org's parent, an area's parent (cleared), a contact's end date, an outflow's return
    and destination: each edited row is one update and its old link is gone."""
    rows = demo_rows(demo_dir)
    import_demo(store, demo_dir)
    before = dump(store)
    org = next(r for r in rows[ORGS] if r["组织类别"] == "党支部" and r["上级组织编号"])
    county_org = next(r["组织编号"] for r in rows[ORGS] if not r["上级组织编号"])
    hamlet = next(r for r in rows[AREAS] if r["层级"] == "组")
    away = next(r for r in rows[OUTFLOWS] if r["人员编号"] and not r["返回时间"])
    contact = next(r for r in rows[CONTACTS] if r["联系对象类型"] == "户" and not r["结束日期"])
    edit_xlsx(
        demo_dir / ORGS,
        tmp_path / ORGS,
        {(org["组织编号"], "上级组织编号"): county_org},
        key_column="组织编号",
    )
    edit_xlsx(
        demo_dir / AREAS,
        tmp_path / AREAS,
        {(hamlet["区划代码"], "上级代码"): None},
        key_column="区划代码",
    )
    edit_xlsx(
        demo_dir / OUTFLOWS,
        tmp_path / OUTFLOWS,
        {
            (away["人员编号"], "返回时间"): "2026-10-20",
            (away["人员编号"], "外出地点"): "上海市浦东新区",
        },
    )
    with (demo_dir / CONTACTS).open(encoding="utf-8-sig", newline="") as f:
        table = list(csv.reader(f))
    table[contact["_row"] - 1][table[0].index("结束日期")] = "2026-10-01"
    write_csv(tmp_path / CONTACTS, table)
    edited = [tmp_path / n for n in (AREAS, ORGS, CONTACTS, OUTFLOWS)]

    for name, f in by_file(import_demo(store, tmp_path, (AREAS, ORGS, CONTACTS, OUTFLOWS))).items():
        assert counts(f) == {
            "rows": f.rows,
            "created": 0,
            "updated": 1,
            "unchanged": f.rows - 1,
            "rejected": 0,
        }, name
    after = dump(store)
    mk = member_key(contact)
    _, _, rels_gone, rels_new = diff(before, after)
    gone = {tuple(json.loads(r)[::2][:3]) for r in rels_gone}
    new = {tuple(json.loads(r)[::2][:3]) for r in rels_new}
    assert ("UNDER", org["组织编号"], org["上级组织编号"]) in gone
    assert ("UNDER", org["组织编号"], county_org) in new
    assert ("PART_OF", hamlet["区划代码"], hamlet["上级代码"]) in gone
    assert not any(r[0] == "PART_OF" and r[1] == hamlet["区划代码"] for r in new)
    assert [p for a, b, p in after.rel("CONTACTS") if (a, b) == (mk, contact["联系对象编号"])] == [
        {"since": contact["开始日期"], "until": "2026-10-01"}
    ]
    out = [
        b
        for t, lb, a, _, b, _ in after.rels
        if (t, lb) == ("TO", "Outflow") and a.startswith(away["人员编号"] + "|")
    ]
    assert out == ["310115"]  # 上海市浦东新区
    # a return also ends the attendance of the host org's life begun with the episode
    hosted = bool(away.get("流入地党组织"))
    assert {r[0] for r in gone | new} == {"UNDER", "PART_OF", "CONTACTS", "TO"} | (
        {"ATTENDS"} if hosted else set()
    )
    if hosted:
        assert [
            p.get("until")
            for t, lb, a, _, b, p in after.rels
            if t == "ATTENDS" and a == member_key(away)
        ] == ["2026-10-20"]
    again = import_demo(store, tmp_path, (AREAS, ORGS, CONTACTS, OUTFLOWS))
    assert again.totals()["unchanged"] == sum(len(read_rows(p)) for p in edited)
    assert diff(after, dump(store)) == ([], [], [], [])


# -- 4. file order ---------------------------------------------------------------------------


def test_file_order_within_one_call_does_not_matter(
    store: GraphStore, other_store: GraphStore, demo_dir: Path
) -> None:
    forward = import_demo(store, demo_dir, FILES)
    backward = import_demo(other_store, demo_dir, tuple(reversed(FILES)))
    assert {n: counts(f) for n, f in by_file(forward).items()} == {
        n: counts(f) for n, f in by_file(backward).items()
    }
    assert backward.totals()["rejected"] == 0
    assert diff(dump(store), dump(other_store)) == ([], [], [], [])


def test_contacts_before_members_are_rejected_then_accepted(
    store: GraphStore, demo_dir: Path
) -> None:
    rows = read_rows(demo_dir / CONTACTS)
    import_demo(store, demo_dir, (AREAS, ORGS, HOUSEHOLDS))
    early = by_file(import_demo(store, demo_dir, (CONTACTS,)))[CONTACTS]
    assert counts(early) == {
        "rows": len(rows),
        "created": 0,
        "updated": 0,
        "unchanged": 0,
        "rejected": len(rows),
    }
    by_row = {i.row: i for i in early.rejected}
    assert len(by_row) == len(early.rejected) == len(rows)
    for r in rows:
        issue = by_row[r["_row"]]
        assert issue.sheet == "联系关系"
        assert {"人员编号", "公民身份号码"} & issue_columns(issue.column), issue
        assert CJK.search(issue.message) and "党员" in issue.message, issue
        idn = text(r["公民身份号码"])
        # The member is named: by 人员编号, or by the masked ID number when there is none.
        assert issue.value == (text(r["人员编号"]) or f"{idn[:6]}********{idn[-4:]}"), issue
    rels = {r["rel"] for r in store.read("testing_rel_counts")}
    assert not rels & {"CONTACTS", "RESPONSIBLE_FOR"}

    import_demo(store, demo_dir, (MEMBERS,))
    late = by_file(import_demo(store, demo_dir, (CONTACTS,)))[CONTACTS]
    assert counts(late) == {
        "rows": len(rows),
        "created": len(rows),
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
    }


# -- 6. dry run ------------------------------------------------------------------------------


def test_dry_run_writes_nothing_and_counts_like_a_real_run(
    store: GraphStore, demo_dir: Path, tmp_path: Path
) -> None:
    dry = import_demo(store, demo_dir, dry_run=True)
    assert dry.dry_run
    assert node_count(store) == 0
    assert store.read("testing_rel_counts") == []
    real = import_demo(store, demo_dir)
    assert {n: counts(f) for n, f in by_file(dry).items()} == {
        n: counts(f) for n, f in by_file(real).items()
    }
    assert real.totals()["created"] == dry.totals()["created"] > 1000

    # On a loaded graph too: an edited file is reported as updated, and nothing changes.
    rows = read_rows(demo_dir / MEMBERS)
    member = next(r for r in rows if r["人员编号"])
    edit_xlsx(
        demo_dir / MEMBERS, tmp_path / MEMBERS, {(member["人员编号"], "手机号码"): "13900003333"}
    )
    before = dump(store)
    f = by_file(run_import(store, [tmp_path / MEMBERS], dry_run=True))[MEMBERS]
    assert (f.created, f.updated, f.unchanged) == (0, 1, f.rows - 1)
    assert diff(before, dump(store)) == ([], [], [], [])


def test_dry_run_counts_every_demo_file_like_a_real_run(store: GraphStore, demo_dir: Path) -> None:
    """Every file of the demo, the ledgers too: the 整顿台账's rows name the episodes the
    党组织 roster's 整顿 columns open in the same call, which a dry run never writes (its rows
    came out created on a dry run, updated on the real one)."""
    paths = sorted(p for p in demo_dir.iterdir() if p.suffix in (".xlsx", ".csv"))
    assert "整顿台账.xlsx" in {p.name for p in paths}
    dry = run_import(store, paths, dry_run=True)
    real = run_import(store, paths)
    ledger = by_file(real)["整顿台账.xlsx"]
    assert ledger.rows == ledger.updated > 0  # every episode listed in the 党组织 roster too
    assert {n: counts(f) for n, f in by_file(dry).items()} == {
        n: counts(f) for n, f in by_file(real).items()
    }


def test_dry_run_counts_like_a_real_run_when_files_overlap(
    store: GraphStore, other_store: GraphStore, demo_dir: Path, tmp_path: Path
) -> None:
    shutil.copy(demo_dir / HOUSEHOLDS, tmp_path / "农户_副本.csv")
    shutil.copy(demo_dir / MEMBERS, tmp_path / "花名册_副本.xlsx")
    paths = [demo_dir / n for n in FILES] + [
        tmp_path / "农户_副本.csv",
        tmp_path / "花名册_副本.xlsx",
    ]
    dry = run_import(store, paths, dry_run=True)
    real = run_import(other_store, paths)
    assert by_file(real)["农户_副本.csv"].unchanged == len(read_rows(demo_dir / HOUSEHOLDS))
    assert {n: counts(f) for n, f in by_file(dry).items()} == {
        n: counts(f) for n, f in by_file(real).items()
    }


# -- 8. privacy ------------------------------------------------------------------------------


def test_no_raw_id_number_is_stored(store: GraphStore, demo_dir: Path) -> None:
    errors_dir = demo_dir / "with_errors"
    extra = sorted(p for p in errors_dir.iterdir() if p.name in FILES)
    report = import_demo(store, demo_dir)
    report2 = run_import(store, extra)
    raw = raw_ids([demo_dir / n for n in FILES] + extra)
    assert len(raw) > 130
    everything = dump(store).as_text()
    reports = json.dumps([report.as_dict(), report2.as_dict()], ensure_ascii=False)
    leaked = sorted(i for i in raw if i in everything or i.lower() in everything)
    assert leaked == []
    assert sorted(i for i in raw if i in reports) == []

    members = {m["key"]: m for m in dump(store).label("Member")}
    for r in read_rows(demo_dir / MEMBERS):
        idn = text(r["公民身份号码"])
        m = members[member_key(r)]
        assert m["id_hash"] == id_hash(idn)
        assert re.fullmatch(r"[0-9a-f]{64}", m["id_hash"])
        assert m["id_masked"] == idn[:6] + "********" + idn[-4:]
        assert "id_number" not in m
