"""Code lists: every way a roster spells a category, a role, an org kind, an area level, a
contact target, a report channel or a rectification status, mapped onto the codes of
:mod:`orgraph.vocab`; and their parsers. An unknown role is kept verbatim with a warning;
any other unknown code is an error."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Final

from orgraph.roster.cells import Parsed, cell_text, clean_text, failed
from orgraph.vocab import (
    AREA_LEVELS,
    CHANNEL_ZH,
    FOLLOW_UP_ZH,
    GROUP_GRADE_ZH,
    MEETING_TYPE_ZH,
    MEMBER_ROLE_ZH,
    MGMT_CLASS_ZH,
    ORG_KIND_ZH,
    ORG_KINDS,
    RECT_PROBLEM_ZH,
    RECT_RESULT_ZH,
    TARGET_KIND_ZH,
)


def _norm_code(raw: object) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", cell_text(raw))).lower()


def _lookup(table: dict[str, str], raw: object, what: str, allowed: str) -> Parsed:
    s = _norm_code(raw)
    v = table.get(s)
    if v is not None:
        return Parsed(v)
    return failed(f"无法识别的{what}“{cell_text(raw).strip()[:20]}”，应为{allowed}")


CATEGORY = {
    "正式党员": "full",
    "正式": "full",
    "正": "full",
    "full": "full",
    "党员": "full",
    "预备党员": "probationary",
    "预备": "probationary",
    "预": "probationary",
    "probationary": "probationary",
}
GENDER = {
    "男": "male",
    "男性": "male",
    "m": "male",
    "male": "male",
    "1": "male",
    "女": "female",
    "女性": "female",
    "f": "female",
    "female": "female",
    "2": "female",
}
MGMT_CLASS = {
    "在家青壮年": "young_at_home",
    "在家青壮年党员": "young_at_home",
    "青壮年": "young_at_home",
    "产业一线": "frontline",
    "产业一线党员": "frontline",
    "一线": "frontline",
    "流动创业": "mobile",
    "流动创业党员": "mobile",
    "流动": "mobile",
    "外出创业": "mobile",
    "老弱": "elderly_weak",
    "老弱党员": "elderly_weak",
    "老弱病残": "elderly_weak",
    "老弱病残党员": "elderly_weak",
    "年老体弱": "elderly_weak",
    "年老体弱党员": "elderly_weak",
}
for _v in MGMT_CLASS_ZH:
    MGMT_CLASS[_v] = _v

ORG_KIND = {
    "党委": "committee",
    "基层党委": "committee",
    "党委员会": "committee",
    "党工委": "working_committee",
    "工委": "working_committee",
    "党总支": "general_branch",
    "党总支部": "general_branch",
    "总支": "general_branch",
    "党总支部委员会": "general_branch",
    "党支部": "branch",
    "支部": "branch",
    "党支部委员会": "branch",
    "联合党支部": "joint_branch",
    "联合支部": "joint_branch",
    "党小组": "group",
    "流动党员党支部": "mobile_branch",
    "流动党支部": "mobile_branch",
    "流动党员党总支": "mobile_branch",
    "临时党支部": "temp_branch",
    "临时支部": "temp_branch",
    "临时党小组": "temp_group",
}
for _v in ORG_KINDS:
    ORG_KIND[_v] = _v

AREA_LEVEL = {
    "县": "county",
    "区": "county",
    "市": "county",
    "县级市": "county",
    "旗": "county",
    "自治县": "county",
    "县区": "county",
    "县(区)": "county",
    "县(市、区)": "county",
    "乡镇": "township",
    "乡": "township",
    "镇": "township",
    "街道": "township",
    "苏木": "township",
    "乡镇(街道)": "township",
    "乡(镇)": "township",
    "村": "village",
    "社区": "village",
    "行政村": "village",
    "居委会": "village",
    "村委会": "village",
    "嘎查": "village",
    "村(社区)": "village",
    "组": "hamlet",
    "村民小组": "hamlet",
    "网格": "hamlet",
    "楼栋": "hamlet",
    "自然村": "hamlet",
    "小组": "hamlet",
    "村组": "hamlet",
}
for _v in AREA_LEVELS:
    AREA_LEVEL[_v] = _v

# 组 alone names a hamlet (村民小组) or a party group (党小组): many counties assign 村干部包组
# to party groups. The importer resolves it against both (docs/design.md#importer).
HAMLET_OR_GROUP: Final = "hamlet_or_group"
TARGET_KIND = {
    "户": "household",
    "农户": "household",
    "家庭户": "household",
    "组": HAMLET_OR_GROUP,
    "小组": HAMLET_OR_GROUP,
    "村民小组": "hamlet",
    "网格": "hamlet",
    "楼栋": "hamlet",
    "党小组": "group",
    "村": "village",
    "社区": "village",
    "村(社区)": "village",
    "乡镇": "township",
    "乡": "township",
    "镇": "township",
    "街道": "township",
}
for _v in TARGET_KIND_ZH:
    TARGET_KIND[_v] = _v

CHANNEL = {
    "电话": "phone",
    "打电话": "phone",
    "短信": "phone",
    "微信": "wechat",
    "qq": "wechat",
    "视频": "wechat",
    "现场": "in_person",
    "当面": "in_person",
    "上门": "in_person",
    "回乡": "in_person",
    "网上": "online",
    "网络": "online",
    "线上": "online",
    "网上报到": "online",
    "app": "online",
    "书面": "letter",
    "信函": "letter",
}
for _v in CHANNEL_ZH:
    CHANNEL[_v] = _v

RECT_PROBLEM = {
    "书记能力弱": "secretary_weak",
    "书记能力不强": "secretary_weak",
    "书记不胜任": "secretary_weak",
    "书记不胜任现职": "secretary_weak",
    "班子不团结": "team_disunited",
    "班子不团结内耗严重": "team_disunited",
    "班子软弱": "team_disunited",
    "集体经济薄弱": "economy_weak",
    "集体经济薄弱村": "economy_weak",
    "经济薄弱": "economy_weak",
    "组织生活不正常": "life_irregular",
    "组织生活不规范": "life_irregular",
    "组织制度形同虚设": "life_irregular",
    "其他": "other",
    "其它": "other",
}
RECT_RESULT = {
    "合格": "pass",
    "通过": "pass",
    "验收合格": "pass",
    "达标": "pass",
    "好": "pass",
    "基本合格": "basic",
    "较好": "basic",
    "基本通过": "basic",
    "不合格": "fail",
    "未通过": "fail",
    "不达标": "fail",
    "差": "fail",
    "验收不合格": "fail",
}
FOLLOW_UP = {
    "整改中": "open",
    "正在整改": "open",
    "未整改": "open",
    "待整改": "open",
    "已整改": "done",
    "整改完成": "done",
    "已完成": "done",
    "完成": "done",
    "无需整改": "done",
}
GROUP_GRADE = {
    "优秀": "excellent",
    "优": "excellent",
    "良好": "good",
    "良": "good",
    "较好": "good",
    "一般": "fair",
    "合格": "fair",
    "中": "fair",
    "较差": "poor",
    "差": "poor",
    "不合格": "poor",
}
for _t, _zh in (
    (GROUP_GRADE, GROUP_GRADE_ZH),
    (RECT_PROBLEM, RECT_PROBLEM_ZH),
    (RECT_RESULT, RECT_RESULT_ZH),
    (FOLLOW_UP, FOLLOW_UP_ZH),
):
    for _code in _zh:
        _t[_code] = _code

RECT_STATUS = {
    "整顿中": "open",
    "正在整顿": "open",
    "进行中": "open",
    "未完成": "open",
    "已完成": "done",
    "完成": "done",
    "已整顿": "done",
    "已销号": "done",
    "已转化": "done",
    "open": "open",
    "done": "done",
}

MEETING_TYPE = {
    "党员大会": "general_meeting",
    "支部党员大会": "general_meeting",
    "党支部党员大会": "general_meeting",
    "全体党员大会": "general_meeting",
    "全体党员会议": "general_meeting",
    "党员会议": "general_meeting",
    "大会": "general_meeting",
    "支委会": "committee_meeting",
    "支部委员会": "committee_meeting",
    "支部委员会会议": "committee_meeting",
    "支委会议": "committee_meeting",
    "支委会会议": "committee_meeting",
    "党小组会": "group_meeting",
    "党小组会议": "group_meeting",
    "小组会": "group_meeting",
    "小组会议": "group_meeting",
    "党课": "lecture",
    "上党课": "lecture",
    "讲党课": "lecture",
    "专题党课": "lecture",
    "书记讲党课": "lecture",
    "主题党日": "theme_day",
    "主题党日活动": "theme_day",
    "党员活动日": "theme_day",
    "固定党日": "theme_day",
    "固定主题党日": "theme_day",
    "组织生活会": "life_meeting",
    "专题组织生活会": "life_meeting",
    "民主评议党员": "appraisal",
    "民主评议": "appraisal",
    "评议党员": "appraisal",
    "民主评议党员大会": "appraisal",
    "谈心谈话": "talk",
    "谈心": "talk",
    "谈话": "talk",
    "谈心谈话活动": "talk",
    "支部大会": "general_meeting",
    "党支部大会": "general_meeting",
    "党支部委员会会议": "committee_meeting",
    "支部委员会议": "committee_meeting",
    "委员会会议": "committee_meeting",
    "党小组学习会": "group_meeting",
    "小组学习会": "group_meeting",
    "廉政党课": "lecture",
    "微党课": "lecture",
    "支部主题党日": "theme_day",
}
for _v in MEETING_TYPE_ZH:
    MEETING_TYPE[_v] = _v

# Roles: every spelling → the canonical key (orgraph.vocab.MEMBER_ROLE_ZH). Unknown roles are
# kept verbatim (warning).
ROLES = {
    "书记": "secretary",
    "支部书记": "secretary",
    "党支部书记": "secretary",
    "党委书记": "secretary",
    "总支书记": "secretary",
    "党总支书记": "secretary",
    "村党组织书记": "secretary",
    "村党支部书记": "secretary",
    "副书记": "deputy_secretary",
    "党支部副书记": "deputy_secretary",
    "党委副书记": "deputy_secretary",
    "总支副书记": "deputy_secretary",
    "委员": "committee_member",
    "支委": "committee_member",
    "支部委员": "committee_member",
    "党委委员": "committee_member",
    "总支委员": "committee_member",
    "组织委员": "committee_member",
    "宣传委员": "committee_member",
    "纪检委员": "committee_member",
    "青年委员": "committee_member",
    "统战委员": "committee_member",
    "保密委员": "committee_member",
    "党小组长": "group_leader",
    "小组长": "group_leader",
    "党小组组长": "group_leader",
    "组长": "group_leader",
    "村两委": "village_committee",
    "两委": "village_committee",
    "村两委成员": "village_committee",
    "两委成员": "village_committee",
    "两委委员": "village_committee",
    "村两委委员": "village_committee",
    "村委委员": "village_committee",
    "村委会委员": "village_committee",
    "村委会主任": "village_committee",
    "村主任": "village_committee",
    "村委主任": "village_committee",
    "居委会主任": "village_committee",
    "社区居委会主任": "village_committee",
    "第一书记": "first_secretary",
    "驻村第一书记": "first_secretary",
    "县级领导": "county_leader",
    "县领导": "county_leader",
    "县级干部": "county_leader",
    "包乡县级领导": "county_leader",
    "乡镇干部": "township_cadre",
    "乡镇领导": "township_cadre",
    "包村干部": "township_cadre",
    "驻村干部": "township_cadre",
    "乡镇包村干部": "township_cadre",
}
for _v in MEMBER_ROLE_ZH:
    ROLES[_v] = _v

_SPLIT_RE = re.compile(r"[;；、,，/|\r\n]+")


def split_list(raw: object) -> list[str]:
    """``a;b；c、d`` (also , ， / | and line breaks) → ["a", "b", "c", "d"], blanks dropped,
    order kept, no duplicates. Split before whitespace is collapsed: a line break in a cell
    separates two items."""
    out: list[str] = []
    for part in _SPLIT_RE.split(cell_text(raw)):
        p = clean_text(part)
        if p and p not in out:
            out.append(p)
    return out


def parse_roles(raw: object) -> Parsed:
    roles: list[str] = []
    unknown: list[str] = []
    for part in split_list(raw):
        for piece in re.split(r"兼|、|\s+", part) if "兼" in part or " " in part else [part]:
            p = piece.strip()
            if not p:
                continue
            key = ROLES.get(p) or ROLES.get(_norm_code(p))
            if key is None and p.endswith("委员") and not p.startswith("村"):
                key = "committee_member"
            if key is None:
                unknown.append(p)
                key = p
            if key not in roles:
                roles.append(key)
    warnings = (f"未识别的职务“{'、'.join(unknown)}”（已原样保留）",) if unknown else ()
    return Parsed(roles, warnings=warnings)


def parse_tags(raw: object) -> Parsed:
    return Parsed(split_list(raw))


def _lookup_by_suffix(table: dict[str, str], raw: object, what: str, allowed: str) -> Parsed:
    """A code by its name, else by the longest Chinese name the cell ends with ("村党总支" →
    党总支, "廉政党课" → 党课; 临时党小组 is tried before 党小组)."""
    s = _norm_code(raw)
    if s in table:
        return Parsed(table[s])
    for name in sorted(table, key=len, reverse=True):
        if len(name) >= 2 and not name.isascii() and s.endswith(name):
            return Parsed(table[name])
    return failed(f"无法识别的{what}“{cell_text(raw).strip()[:20]}”，应为{allowed}")


def parse_org_kind(raw: object) -> Parsed:
    allowed = "/".join(ORG_KIND_ZH[k] for k in ORG_KINDS)
    return _lookup_by_suffix(ORG_KIND, raw, "组织类别", allowed)


def parse_area_level(raw: object) -> Parsed:
    return _lookup(AREA_LEVEL, raw, "层级", "县/乡镇/街道/村/社区/组/网格")


def parse_category(raw: object) -> Parsed:
    return _lookup(CATEGORY, raw, "人员类别", "正式党员或预备党员")


def parse_gender(raw: object) -> Parsed:
    return _lookup(GENDER, raw, "性别", "男或女")


def parse_mgmt_class(raw: object) -> Parsed:
    return _lookup(MGMT_CLASS, raw, "分类管理类别", "/".join(MGMT_CLASS_ZH.values()))


def parse_target_kind(raw: object) -> Parsed:
    return _lookup(TARGET_KIND, raw, "联系对象类型", "户/组/党小组/村/乡镇")


def parse_channel(raw: object) -> Parsed:
    return _lookup(CHANNEL, raw, "报到方式", "电话/微信/现场/网上")


def parse_rect_status(raw: object) -> Parsed:
    return _lookup(RECT_STATUS, raw, "整顿状态", "整顿中或已完成")


def parse_rect_problems(raw: object) -> Parsed:
    """问题类型: one or several categories (、，；/ separated); an unknown one is kept as 其他
    with a warning, so a county's own wording loses nothing."""
    out: list[str] = []
    unknown: list[str] = []
    for part in split_list(raw):
        p = part.strip()
        if not p:
            continue
        key = RECT_PROBLEM.get(p) or RECT_PROBLEM.get(_norm_code(p))
        if key is None:
            unknown.append(p)
            key = "other"
        if key not in out:
            out.append(key)
    warnings = (f"未识别的问题类型“{'、'.join(unknown)}”（按“其他”记录）",) if unknown else ()
    return Parsed(out, warnings=warnings)


def parse_rect_result(raw: object) -> Parsed:
    return _lookup(RECT_RESULT, raw, "验收结果", "合格、基本合格或不合格")


def parse_group_grade(raw: object) -> Parsed:
    return _lookup(GROUP_GRADE, raw, "考评等次", "优秀、良好、一般或较差")


def parse_follow_up(raw: object) -> Parsed:
    return _lookup(FOLLOW_UP, raw, "整改情况", "整改中或已整改")


def parse_meeting_type(raw: object) -> Parsed:
    allowed = "/".join(MEETING_TYPE_ZH.values())
    return _lookup_by_suffix(MEETING_TYPE, raw, "会议类型", allowed)


@lru_cache(maxsize=1)
def nations() -> frozenset[str]:
    """The 56 ethnic groups (cpca's ``56_nations.csv``), empty if not available."""
    try:
        from orgraph.roster.geocode import cpca_resource

        text = cpca_resource("56_nations.csv")
    except Exception:  # pragma: no cover
        return frozenset()
    names = {line.strip() for line in text.splitlines() if line.strip()}
    names.add("汉族")  # the file has no header; keep the first line for sure
    return frozenset(names)


def parse_ethnicity(raw: object) -> Parsed:
    s = clean_text(cell_text(raw)).replace(" ", "")
    known = nations()
    if not known or s in known:
        return Parsed(s)
    if s + "族" in known:
        return Parsed(s + "族")
    return Parsed(s, warnings=(f"民族“{s[:20]}”不在56个民族名称中（已保留）",))
