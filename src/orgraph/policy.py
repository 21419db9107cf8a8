"""Every threshold the gap rules use, in one place, with its default and its source.

A county overrides any of them in a TOML file named by ORGRAPH_POLICY_FILE, e.g.::

    contact_max = 20        # 宁海: 每名党员联系 5–20 户
    exempt_age = 75
"""

from __future__ import annotations

import os
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from orgraph.errors import ConfigError


def _t(default: Any, rule: str, source: str) -> Any:
    return Field(default=default, description=source, json_schema_extra={"rule": rule})


class Policy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    contact_min: int = _t(3, "member_contact_load", "党小组讲话: 每名党员与3—5个农户结成对子")
    gap_old_days: int = _t(
        90, "gap_ledger", "长期未解决: 缺口已持续天数达到此数 (按缺口台账; 仪表盘与导出的提示)"
    )
    contact_max: int = _t(5, "member_contact_load", "同上; 各县可调 (宁海 5—20 户)")
    exempt_age: int = _t(70, "exempt_member_assigned", "地方做法 (宁海): 70 岁以上党员不安排联户")
    cadre_groups_min: int = _t(1, "cadre_group_load", "两委成员每人联系1—2个党小组")
    cadre_groups_max: int = _t(2, "cadre_group_load", "同上")
    group_min: int = _t(5, "group_size", "按照5—15名党员的人数规模合理设置党小组")
    group_max: int = _t(15, "group_size", "同上")
    branch_min_full: int = _t(
        3, "branch_too_small", "支部工作条例第四条: 正式党员3人以上成立党支部"
    )
    branch_max: int = _t(50, "branch_too_large", "支部工作条例第五条: 党员人数一般不超过50人")
    silent_days: int = _t(90, "mobile_silent", "流动党员应常向组织报平安; 每年至少报告一次")
    lost_days: int = _t(180, "lost_contact", "连续6个月不与组织联系 → 失联党员")
    cluster_min_full: int = _t(
        3,
        "mobile_cluster_without_branch",
        "党员流动到哪里, 党组织就覆盖到哪里; 3名以上正式党员 → 成立党支部",
    )
    transfer_days: int = _t(180, "should_transfer", "外出超过6个月且地点固定: 应转尽转")
    not_fixed_employers: tuple[str, ...] = _t(
        ("个体经营", "灵活就业", "打零工", "自由职业", "待业", "无固定", "不固定"),
        "should_transfer",
        "工作单位含这些词时不算固定单位 (不提示转接组织关系)",
    )

    life_months_back: int = _t(
        12,
        "branch_no_theme_day",
        "组织生活检查回看的已结束月份数 (季度、年度按其中完整的季度、上一年度检查)",
    )
    committee_min_members: int = _t(
        7,
        "branch_no_committee_meeting",
        "支部工作条例第八条: 党员7人以上的党支部设立支部委员会 (支委会每月一次)",
    )
    lecture_period: Literal["quarter", "year"] = _t(
        "quarter",
        "branch_few_lectures",
        "党课: 党支部一般每季度至少1次 (地方做法); 党委书记每年至少讲1次 (条例第十六条)",
    )
    lecture_min: int = _t(1, "branch_few_lectures", "每个检查期至少的党课次数")
    life_warn_months: int = _t(
        3, "member_no_life", "3个月未参加组织生活: 批评教育 (地方做法, 先于6个月介入)"
    )
    life_lapse_months: int = _t(
        6, "member_life_lapse", "党章第九条: 连续6个月不参加党的组织生活 → 自行脱党"
    )
    dues_warn_months: int = _t(3, "dues_arrears", "3个月未交纳党费: 提醒、批评教育")
    dues_lapse_months: int = _t(
        6, "dues_lapse", "党章第九条: 连续6个月不交纳党费 → 自行脱党; 补交一般不超过6个月"
    )
    suspend_months: int = _t(
        6,
        "propose_suspension",
        "党员教育管理工作条例: 失去联系满6个月, 经查找仍无法取得联系 → 停止党籍",
    )
    removal_months: int = _t(24, "propose_removal", "停止党籍满2年仍无法取得联系 → 按自行脱党除名")

    proposal_cross_village: bool = _t(
        False,
        "contact_proposal",
        "联户调整建议: 本村党员不足时是否可由同乡镇邻村党员联系 (默认否, 就近就便)",
    )
    proposal_cadre_extra: int = _t(
        0,
        "contact_proposal",
        "宁海做法: 外出党员留下的空缺由村（社）党组织成员补位; 村两委成员可在联户上限之外"
        "再多联系的户数 (默认 0: 不超上限)",
    )

    rect_plan_days: int = _t(
        30, "rectification_no_plan", "列入整顿后N天内应制定一村一策整顿方案 (地方做法)"
    )
    first_secretary_days: int = _t(
        90,
        "first_secretary_absent",
        "第一书记近N天在村里既无联户也未参加村党组织的会议: 提示核实 (少到群众家里)",
    )
    first_secretary_notice_days: int = _t(
        60, "first_secretary_ending", "第一书记任期N天内届满且无人接任: 提前选派"
    )

    group_points_summary: int = _t(
        10, "group_ranking", "党小组季度排名: 每个有月总结的月份得分 (一月一总结)"
    )
    group_points_inspection: int = _t(10, "group_ranking", "党小组季度排名: 本季度经督查得分")
    group_points_meeting: int = _t(
        10, "group_ranking", "党小组季度排名: 每个召开党小组会的月份得分"
    )
    group_points_size: int = _t(10, "group_ranking", "党小组季度排名: 人数在5—15人之间得分")
    group_points_contacts: int = _t(
        20, "group_ranking", "党小组季度排名: 在家党员联户达标比例 × 此分值"
    )
    red_flag_min_points: int = _t(
        80, "group_ranking", "流动红旗: 本乡镇排名第一且得分不低于此数的党小组"
    )

    # 软弱涣散 screening (docs/rules.md#软弱涣散-screening-排查): thresholds, then the weight of
    # each indicator, which orders an organisation's reasons and the candidates.
    screen_life_missed: int = _t(
        3, "weak_screening", "组织生活不正常: 三会一课等缺开的期数 (月、季、年合计) 达到此数"
    )
    screen_lost_pct: int = _t(
        10, "weak_screening", "党员队伍管理松散: 失联、久未报告的党员占本村党员的百分比达到此数"
    )
    screen_coverage_pct: int = _t(
        80,
        "weak_screening",
        "党员联户不到位: 在家党员中联户达到 contact_min 户的比例 (%) 低于此数"
        " (党小组讲话: 每名党员与3—5个农户结成对子)",
    )
    screen_chain_breaks_max: int = _t(
        0, "weak_screening", "县领导包乡、乡干部包村、村干部包组: 断开的环节超过此数"
    )
    screen_weight_secretary_vacant: int = _t(
        5, "weak_screening", "权重: 书记长期缺职、不在岗 (整顿软弱涣散通知所列情形)"
    )
    screen_weight_term_expired: int = _t(4, "weak_screening", "权重: 班子届满未换届、配备不齐")
    screen_weight_life_irregular: int = _t(
        4, "weak_screening", "权重: 组织制度形同虚设、组织生活不正常"
    )
    screen_weight_few_full_members: int = _t(
        3, "weak_screening", "权重: 正式党员不足 (支部工作条例第四条: 3人以上)"
    )
    screen_weight_members_lost: int = _t(3, "weak_screening", "权重: 党员队伍管理松散")
    screen_weight_household_coverage: int = _t(
        2, "weak_screening", "权重: 党员联户不到位 (服务群众意识淡薄)"
    )
    screen_weight_chain_breaks: int = _t(2, "weak_screening", "权重: 包联链条断开")
    screen_weight_rectification_open: int = _t(1, "weak_screening", "权重: 已列入整顿、尚未验收")

    @model_validator(mode="after")
    def _ranges(self) -> Policy:
        for lo, hi in (
            ("contact_min", "contact_max"),
            ("cadre_groups_min", "cadre_groups_max"),
            ("group_min", "group_max"),
        ):
            if getattr(self, lo) > getattr(self, hi):
                raise ValueError(f"{lo} ({getattr(self, lo)}) 大于 {hi} ({getattr(self, hi)})")
        if self.contact_max < 1:
            raise ValueError(f"contact_max ({self.contact_max}) 至少为 1")
        for name in (
            "life_months_back",
            "committee_min_members",
            "life_warn_months",
            "dues_warn_months",
            "suspend_months",
            "removal_months",
            "first_secretary_days",
        ):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} ({getattr(self, name)}) 至少为 1")
        if self.lecture_min < 0:
            raise ValueError(f"lecture_min ({self.lecture_min}) 不能为负数")
        for lo, hi in (
            ("life_warn_months", "life_lapse_months"),
            ("dues_warn_months", "dues_lapse_months"),
        ):
            if getattr(self, lo) > getattr(self, hi):
                raise ValueError(f"{lo} ({getattr(self, lo)}) 大于 {hi} ({getattr(self, hi)})")
        for name, value in self:
            counted = name.startswith(("screen_", "group_points_", "red_flag_"))
            if counted and isinstance(value, int) and not isinstance(value, bool) and value < 0:
                raise ValueError(f"{name} ({value}) 不能为负数")
        if self.proposal_cadre_extra < 0:
            raise ValueError(f"proposal_cadre_extra ({self.proposal_cadre_extra}) 不能为负数")
        return self

    def describe(self) -> list[dict[str, Any]]:
        """Each threshold with its value in force, default, rule and source (for display)."""
        out = []
        for name, f in type(self).model_fields.items():
            extra = f.json_schema_extra if isinstance(f.json_schema_extra, dict) else {}
            out.append(
                {
                    "name": name,
                    "value": getattr(self, name),
                    "default": f.default,
                    "rule": extra.get("rule"),
                    "source": f.description,
                }
            )
        return out


def load_policy(path: Path | None) -> Policy:
    if path is None:
        return Policy()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"无法读取政策文件 {path}: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"政策文件 {path} 不是有效的 TOML: {exc}") from exc
    try:
        return Policy(**data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or '整体'}: {e['msg']}" for e in exc.errors()
        )
        raise ConfigError(f"政策文件 {path} 有误: {problems}") from exc


@lru_cache(maxsize=1)
def get_policy() -> Policy:
    env = os.environ.get("ORGRAPH_POLICY_FILE")
    return load_policy(Path(env) if env else None)
