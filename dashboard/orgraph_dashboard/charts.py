"""ECharts options built from API answers (plain dicts: testable without a browser).

Colours: a red → amber → green scale for coverage, chosen to stay readable for the common
red-green colour blindness by also varying lightness, and on white.
"""

from __future__ import annotations

import math
from typing import Any

from orgraph.vocab import LEVEL_ZH, ORG_KIND_ZH

Options = dict[str, Any]

COVERAGE_COLOURS = ["#b2182b", "#ef8a62", "#fddbc7", "#d1e5f0", "#67a9cf", "#2166ac"]
FONT = (
    "'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', 'Microsoft YaHei', "
    "'PingFang SC', sans-serif"
)


def coverage_colour(value: float | None) -> str:
    if value is None:
        return "#bdbdbd"
    i = min(len(COVERAGE_COLOURS) - 1, max(0, int(value * len(COVERAGE_COLOURS))))
    return COVERAGE_COLOURS[i]


def coverage_bar(rows: list[dict[str, Any]], *, level: str) -> Options:
    """Coverage of each area, worst at the top (where a person looks first)."""
    data = sorted(
        (r for r in rows if r.get("households")),
        key=lambda r: (r["coverage"] if r["coverage"] is not None else 2.0, r["code"]),
        reverse=True,
    )
    names = [r["name"] for r in data]
    top = max(((r["coverage"] or 0) for r in data), default=1.0)
    # the axis ends a little past the best area (not always at 100%, which leaves a county
    # at 20% as a row of stubs), in steps of 10 points
    axis_max = min(100, int(top * 100 // 10 + 2) * 10)
    return {
        "textStyle": {"fontFamily": FONT},
        "title": {
            "text": f"各{LEVEL_ZH.get(level, level)}农户联系覆盖率",
            "left": 0,
            "textStyle": {"fontSize": 15},
        },
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "grid": {"left": 8, "right": 48, "top": 36, "bottom": 8, "containLabel": True},
        "xAxis": {
            "type": "value",
            "min": 0,
            "max": axis_max,
            "axisLabel": {"formatter": "{value}%"},
        },
        "yAxis": {
            "type": "category",
            "data": names,
            "axisLabel": {"interval": 0, "width": 120, "overflow": "truncate"},
        },
        "series": [
            {
                "type": "bar",
                "name": "覆盖率",
                "data": [
                    {
                        "value": round((r["coverage"] or 0) * 100, 1),
                        "itemStyle": {"color": coverage_colour(r["coverage"])},
                        "households": r["households"],
                    }
                    for r in data
                ],
                "label": {"show": True, "position": "right", "formatter": "{c}%"},
                "barMaxWidth": 18,
            }
        ],
    }


def bar_height(n: int, *, per: int = 24, minimum: int = 220, maximum: int = 2400) -> str:
    return f"{max(minimum, min(maximum, 60 + per * n))}px"


def village_map(
    points: list[dict[str, Any]], *, map_name: str | None, centre: tuple[float, float] | None = None
) -> Options:
    """Villages as points on the county outline: colour = coverage, size = households."""
    biggest = max((p["households"] for p in points), default=1) or 1
    data = [
        {
            "name": p["name"],
            "value": [p["lon"], p["lat"], round((p["coverage"] or 0) * 100, 1), p["households"]],
            "code": p["code"],
            "symbolSize": round(6 + 22 * math.sqrt(p["households"] / biggest), 1),
        }
        for p in points
    ]
    opts: Options = {
        "textStyle": {"fontFamily": FONT},
        "tooltip": {"trigger": "item", "formatter": "{b}<br/>覆盖率 {@[2]}%<br/>农户 {@[3]} 户"},
        "visualMap": {
            "type": "continuous",
            "dimension": 2,
            "min": 0,
            "max": 100,
            "text": ["覆盖率 100%", "0%"],
            "calculable": False,
            "inRange": {"color": COVERAGE_COLOURS},
            "right": 4,
            "bottom": 4,
            "itemHeight": 110,
            "itemWidth": 14,
            "textStyle": {"color": "#333"},
        },
        "series": [
            {
                "type": "scatter",
                "name": "村(社区)",
                "data": data,
                "itemStyle": {"borderColor": "#333", "borderWidth": 0.6, "opacity": 0.92},
                "emphasis": {
                    "label": {
                        "show": True,
                        "formatter": "{b}",
                        "color": "#111",
                        "backgroundColor": "#fff",
                    }
                },
            }
        ],
    }
    if map_name:
        opts["geo"] = {
            "map": map_name,
            "roam": True,
            "aspectScale": 0.86,
            "layoutCenter": ["46%", "50%"],
            "layoutSize": "92%",
            "itemStyle": {"areaColor": "#f4f1ea", "borderColor": "#6b6b6b", "borderWidth": 1.2},
            "emphasis": {"disabled": True},
            "label": {"show": False},
        }
        opts["series"][0]["coordinateSystem"] = "geo"
    else:
        lons = [p["lon"] for p in points] or [0]
        lats = [p["lat"] for p in points] or [0]
        opts["xAxis"] = {
            "type": "value",
            "min": min(lons) - 0.02,
            "max": max(lons) + 0.02,
            "show": False,
            "scale": True,
        }
        opts["yAxis"] = {
            "type": "value",
            "min": min(lats) - 0.02,
            "max": max(lats) + 0.02,
            "show": False,
            "scale": True,
        }
    return opts


# 第一书记 of a village, worst first: the colour of its point on the map.
FIRST_SECRETARY_COLOURS = {
    "软弱涣散无第一书记": "#b2182b",
    "联户、参会无记录": "#ef8a62",
    "即将期满无人接任": "#f6c143",
    "在任": "#2166ac",
    "未派驻": "#bdbdbd",
}


def first_secretary_map(points: list[dict[str, Any]], *, map_name: str | None) -> Options:
    """Village organisations as points on the county outline, one series (colour) per status
    of their 第一书记 (`status`, a key of FIRST_SECRETARY_COLOURS), as `village_map` draws
    coverage: a legend to switch each status on and off."""
    series = []
    for status, colour in FIRST_SECRETARY_COLOURS.items():
        data = [
            {"name": p["name"], "value": [p["lon"], p["lat"]], "code": p["code"]}
            for p in points
            if p["status"] == status
        ]
        series.append(
            {
                "type": "scatter",
                "name": status,
                "data": data,
                "symbolSize": 11,
                "itemStyle": {"color": colour, "borderColor": "#333", "borderWidth": 0.6},
                "emphasis": {"label": {"show": True, "formatter": "{b}", "color": "#111"}},
            }
        )
    opts: Options = {
        "textStyle": {"fontFamily": FONT},
        "tooltip": {"trigger": "item", "formatter": "{b}<br/>{a}"},
        "legend": {"data": list(FIRST_SECRETARY_COLOURS), "bottom": 4, "left": "center"},
        "series": series,
    }
    if map_name:
        opts["geo"] = {
            "map": map_name,
            "roam": True,
            "aspectScale": 0.86,
            "layoutCenter": ["50%", "48%"],
            "layoutSize": "90%",
            "itemStyle": {"areaColor": "#f4f1ea", "borderColor": "#6b6b6b", "borderWidth": 1.2},
            "emphasis": {"disabled": True},
            "label": {"show": False},
        }
        for one in series:
            one["coordinateSystem"] = "geo"
    else:
        lons = [p["lon"] for p in points] or [0]
        lats = [p["lat"] for p in points] or [0]
        for axis, values in (("xAxis", lons), ("yAxis", lats)):
            opts[axis] = {
                "type": "value",
                "min": min(values) - 0.02,
                "max": max(values) + 0.02,
                "show": False,
                "scale": True,
            }
    return opts


def flow_map(flows: list[dict[str, Any]], *, map_name: str | None) -> Options:
    """Lines from origin townships to destination cities, width by the number of members.

    `flows` are the API's rows: {"origin": {name, lon, lat}, "destination": {name, lon, lat},
    "count"}.
    """
    flows = [f for f in flows if _has_point(f.get("origin")) and _has_point(f.get("destination"))]
    top = max((f["count"] for f in flows), default=1) or 1
    lines = [
        {
            "name": f"{f['origin']['name']} → {f['destination']['name']}：{f['count']} 人",
            "coords": [
                [f["origin"]["lon"], f["origin"]["lat"]],
                [f["destination"]["lon"], f["destination"]["lat"]],
            ],
            "value": f["count"],
            "lineStyle": {"width": round(0.8 + 4 * f["count"] / top, 1)},
        }
        for f in flows
    ]
    dests, origins = _places_of(flows)
    dmax = max((v[2] for v in dests.values()), default=1) or 1
    opts: Options = {
        "textStyle": {"fontFamily": FONT},
        "tooltip": {"trigger": "item"},
        "legend": {"data": ["流向", "流入地", "户籍地乡镇"], "left": 8, "top": 8},
        "series": [
            {
                "type": "lines",
                "name": "流向",
                "zlevel": 1,
                "data": lines,
                "lineStyle": {"color": "#c0392b", "opacity": 0.5, "curveness": 0.2},
                "tooltip": {"formatter": "{b}"},
            },
            {
                "type": "scatter",
                "name": "流入地",
                "zlevel": 2,
                "data": [
                    {"name": n, "value": v, "symbolSize": round(6 + 18 * math.sqrt(v[2] / dmax), 1)}
                    for n, v in dests.items()
                ],
                "itemStyle": {"color": "#b2182b", "borderColor": "#fff", "borderWidth": 0.8},
                "label": {
                    "show": True,
                    "position": "right",
                    "formatter": "{b}",
                    "color": "#222",
                    "fontSize": 12,
                },
                "labelLayout": {"hideOverlap": True},
                "tooltip": {"formatter": "{b}：{@[2]} 人"},
            },
            {
                "type": "scatter",
                "name": "户籍地乡镇",
                "zlevel": 2,
                "data": [{"name": n, "value": v} for n, v in origins.items()],
                "symbolSize": 7,
                "itemStyle": {"color": "#2166ac"},
                "tooltip": {"formatter": "{b}：外出 {@[2]} 人"},
            },
        ],
    }
    if map_name:
        _on_map(opts, map_name, _centre(flows))
    return opts


def _places_of(flows: list[dict[str, Any]]) -> tuple[dict[str, list[Any]], dict[str, list[Any]]]:
    """Destination cities and origin townships, each [lon, lat, members] summed over flows."""
    dests: dict[str, list[Any]] = {}
    origins: dict[str, list[Any]] = {}
    for f in flows:
        d = dests.setdefault(
            f["destination"]["name"], [f["destination"]["lon"], f["destination"]["lat"], 0]
        )
        d[2] += f["count"]
        o = origins.setdefault(f["origin"]["name"], [f["origin"]["lon"], f["origin"]["lat"], 0])
        o[2] += f["count"]
    return dests, origins


def _on_map(opts: Options, map_name: str, centre: Any) -> None:
    """Draw the series over a registered map instead of bare coordinates."""
    opts["geo"] = {
        "map": map_name,
        "roam": True,
        "aspectScale": 0.8,
        "center": centre,
        "zoom": 1.15,
        "itemStyle": {"areaColor": "#f4f1ea", "borderColor": "#9a9a9a"},
        "emphasis": {"disabled": True},
        "label": {"show": False},
    }
    for series in opts["series"]:
        series["coordinateSystem"] = "geo"


def _has_point(p: Any) -> bool:
    return isinstance(p, dict) and p.get("lon") is not None and p.get("lat") is not None


def _centre(flows: list[dict[str, Any]]) -> list[float] | None:
    """Middle of the places in the flows, so the map opens on them (not on the whole globe
    the province file also reaches into)."""
    pts = [(f[k]["lon"], f[k]["lat"]) for f in flows for k in ("origin", "destination")]
    if not pts:
        return None
    xs, ys = [x for x, _ in pts], [y for _, y in pts]
    return [round((min(xs) + max(xs)) / 2, 3), round((min(ys) + max(ys)) / 2, 3)]


def org_tree(orgs: list[dict[str, Any]], *, depth: int = 2) -> tuple[Options, int]:
    """The org tree as a collapsible ECharts tree; also the number of leaves shown open."""
    children: dict[str | None, list[dict[str, Any]]] = {}
    ids = {o["id"] for o in orgs}
    for o in orgs:
        parent = o.get("parent") if o.get("parent") in ids else None
        children.setdefault(parent, []).append(o)

    def node(o: dict[str, Any], level: int) -> dict[str, Any]:
        kids = sorted(children.get(o["id"], []), key=lambda x: x["id"])
        n: dict[str, Any] = {
            "name": o["name"],
            "value": o.get("members"),
            "kind": ORG_KIND_ZH.get(o.get("kind", ""), o.get("kind", "")),
        }
        if kids:
            n["children"] = [node(k, level + 1) for k in kids]
            n["collapsed"] = level >= depth - 1
        return n

    roots = [node(o, 0) for o in sorted(children.get(None, []), key=lambda x: x["id"])]
    data = roots[0] if len(roots) == 1 else {"name": "全部", "children": roots}
    visible = _visible_leaves(data)
    return {
        "textStyle": {"fontFamily": FONT},
        "tooltip": {"trigger": "item", "formatter": "{b}<br/>党员 {c} 人"},
        "series": [
            {
                "type": "tree",
                "data": [data],
                "orient": "LR",
                "roam": True,
                "top": 10,
                "bottom": 10,
                "left": 150,
                "right": 260,
                "symbolSize": 8,
                "initialTreeDepth": -1,
                "expandAndCollapse": True,
                "label": {
                    "position": "left",
                    "verticalAlign": "middle",
                    "align": "right",
                    "fontSize": 12,
                    "color": "#222",
                },
                "leaves": {"label": {"position": "right", "align": "left"}},
                "itemStyle": {"color": "#c0392b", "borderColor": "#c0392b"},
                "lineStyle": {"color": "#bbb"},
                "animationDuration": 300,
            }
        ],
    }, visible


def _visible_leaves(n: dict[str, Any]) -> int:
    kids = n.get("children") or []
    if not kids or n.get("collapsed"):
        return 1
    return sum(_visible_leaves(k) for k in kids)


def load_histogram(load: dict[str, int]) -> Options:
    """How many households each at-home member keeps in touch with."""
    keys = list(load)
    return {
        "textStyle": {"fontFamily": FONT},
        "tooltip": {"trigger": "axis", "formatter": "联系 {b}：{c} 名党员"},
        "grid": {"left": 8, "right": 8, "top": 24, "bottom": 8, "containLabel": True},
        "xAxis": {
            "type": "category",
            "data": [f"{k} 户" for k in keys],
            "name": "联系户数",
            "nameLocation": "middle",
            "nameGap": 28,
            "axisLabel": {"interval": 0},
        },
        "yAxis": {"type": "value", "name": "党员人数", "minInterval": 1},
        "series": [
            {
                "type": "bar",
                "data": [load[k] for k in keys],
                "barMaxWidth": 28,
                "itemStyle": {"color": "#2166ac"},
                "label": {"show": True, "position": "top"},
            }
        ],
    }


def reason_bar(counts: list[tuple[str, int]], *, no_data: frozenset[str] = frozenset()) -> Options:
    """How many candidates each reason appears in, in the indicators' own order (top to
    bottom); an indicator without data for any organisation says so instead of a bar."""
    names = [f"{label}（无数据）" if label in no_data else label for label, _ in counts]
    return {
        "textStyle": {"fontFamily": FONT},
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "grid": {"left": 8, "right": 40, "top": 8, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "value", "minInterval": 1},
        "yAxis": {
            "type": "category",
            "data": names,
            "inverse": True,
            "axisLabel": {"interval": 0},
        },
        "series": [
            {
                "type": "bar",
                "name": "候选组织数",
                "data": [n for _, n in counts],
                "barMaxWidth": 18,
                "itemStyle": {"color": "#b2182b"},
                "label": {"show": True, "position": "right"},
            }
        ],
    }


# At most this many child areas get a line of their own in `coverage_trend` (the worst at
# the last point); more lines than that are a tangle no one can read.
TREND_MAX_AREAS = 12
TREND_SCOPE_SUFFIX = "合计"


def trend_areas(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The child areas of a trend answer (its last point's rows after the scope's own) that
    have households, in the API's order."""
    points = doc.get("points") or []
    if not points:
        return []
    return [r for r in points[-1]["rows"][1:] if r.get("households")]


def _trend_percent(row: dict[str, Any] | None) -> float | None:
    if row is None or row.get("coverage") is None:
        return None
    return round(float(row["coverage"]) * 100, 1)


def coverage_trend(doc: dict[str, Any]) -> Options:
    """Coverage month by month (the API's `trend` answer): a bold line for the scope itself
    and one per child area, in percent; a month without a value (no households) is a gap.

    The x axis shows each month end as "YYYY-MM" and the last point as its full date (it is
    the as-of date, not a month end). With more than TREND_MAX_AREAS child areas only the
    TREND_MAX_AREAS with the lowest coverage at the last point get a line."""
    points: list[dict[str, Any]] = list(doc.get("points") or [])
    labels = [p["date"][:7] for p in points[:-1]] + [p["date"] for p in points[-1:]]
    areas = trend_areas(doc)
    if len(areas) > TREND_MAX_AREAS:
        worst = sorted(
            areas,
            key=lambda r: (r["coverage"] if r["coverage"] is not None else 2.0, r["code"]),
        )[:TREND_MAX_AREAS]
        keep = {r["code"] for r in worst}
        areas = [r for r in areas if r["code"] in keep]
    by_code = [{r["code"]: r for r in p["rows"][1:]} for p in points]
    head = points[-1]["rows"][0] if points else {"name": ""}
    series: list[dict[str, Any]] = [
        {
            "type": "line",
            "name": f"{head['name']}{TREND_SCOPE_SUFFIX}",
            "data": [_trend_percent(p["rows"][0] if p["rows"] else None) for p in points],
            "lineStyle": {"width": 3, "color": "#222"},
            "itemStyle": {"color": "#222"},
            "symbolSize": 6,
            "z": 3,
        }
    ]
    series += [
        {
            "type": "line",
            "name": r["name"],
            "data": [_trend_percent(rows.get(r["code"])) for rows in by_code],
            "lineStyle": {"width": 1.5},
            "symbolSize": 4,
        }
        for r in areas
    ]
    return {
        "textStyle": {"fontFamily": FONT},
        "tooltip": {"trigger": "axis"},
        "legend": {
            "type": "scroll",
            "data": [s["name"] for s in series],
            "bottom": 0,
            "left": "center",
        },
        "grid": {"left": 8, "right": 24, "top": 16, "bottom": 40, "containLabel": True},
        "xAxis": {"type": "category", "data": labels, "boundaryGap": False},
        "yAxis": {
            "type": "value",
            "min": 0,
            "max": 100,
            "axisLabel": {"formatter": "{value}%"},
        },
        "series": series,
    }
