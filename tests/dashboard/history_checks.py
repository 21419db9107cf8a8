"""Checks of the 变化 page (docs/rules.md "Changes between two points") shared by the
dashboard tests: the page shows the API's answer."""

from __future__ import annotations

from typing import Any

from streamlit.testing.v1 import AppTest

from orgraph_dashboard.strings import change_field, change_value, num
from tests.dashboard.apptest import frame


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def check_changes(at: AppTest, doc: dict[str, Any]) -> None:
    """The page shows the API's answer: the figures, the gap table, the household lists, the
    member tabs, the orgs created and the field changes, with Chinese headers."""
    gaps, hh, members = doc["gaps"], doc["households"], doc["members"]
    shown = metrics(at)
    assert shown["新出现缺口"] == num(sum(g["opened"] for g in gaps))
    assert shown["已解决缺口"] == num(sum(g["closed"] for g in gaps))
    assert shown["新增未联系农户"] == num(len(hh["newly_uncovered"]))
    assert shown["新联系上农户"] == num(len(hh["newly_covered"]))
    assert shown["党员变动"] == num(sum(len(v) for v in members.values()))
    assert shown["改动字段"] == num(doc["fields"]["total"])
    if gaps:
        table = frame(at, "缺口类型", "新出现", "已解决")
        got = {(r["缺口类型"], r["新出现"], r["已解决"]) for r in table.to_dict("records")}
        assert got == {(g["label"], g["opened"], g["closed"]) for g in gaps}
    for key in ("newly_uncovered", "newly_covered"):
        if hh[key]:
            assert any(f"（{num(len(hh[key]))} 户）" in e.label for e in at.expander)
    lists = [list(df.value["户编号"]) for df in at.dataframe if "户编号" in df.value.columns]
    assert lists == [hh[k] for k in ("newly_uncovered", "newly_covered") if hh[k]]
    tabs = [t.label for t in at.tabs]
    for key, name in (("left", "外出"), ("returned", "返回"), ("transferred", "转出")):
        assert f"{name}（{num(len(members[key]))}）" in tabs
    assert f"调整支部或党小组（{num(len(members['moved']))}）" in tabs
    if members["moved"]:
        moved = frame(at, "人员编号", "调整项", "原", "现")
        assert list(moved["人员编号"]) == [m["key"] for m in members["moved"]]
    created = doc["orgs"]["created"]
    if created:
        orgs = frame(at, "组织编号", "组织名称")
        assert list(orgs["组织编号"]) == [o["id"] for o in created]
    fields = doc["fields"]
    if fields["total"]:
        by_field = frame(at, "类别 · 字段", "条数")
        assert dict(zip(by_field["类别 · 字段"], by_field["条数"], strict=True)) == {
            change_field(*k.split(".", 1)): n for k, n in fields["by_field"].items()
        }
        items = frame(at, "导入", "类别 · 字段", "编号", "原值", "新值")
        assert len(items) == min(len(fields["items"]), 200)
        assert list(items["新值"]) == [
            change_value(f["field"], f["new"]) for f in fields["items"][:200]
        ]
