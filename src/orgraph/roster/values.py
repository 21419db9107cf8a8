"""Lenient cell-value parsing: dates, phones, booleans and the Chinese code lists.

Every parser takes the cell as the reader gave it (str, int, float, bool, date, datetime,
...) and returns a :class:`Parsed`: a normalised value, or an error message in Chinese,
plus warnings. Empty cells are the caller's business (see :func:`is_blank`).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any, NamedTuple

from orgraph.roster.idnumber import check_id
from orgraph.vocab import (
    AREA_LEVELS,
    CHANNEL_ZH,
    MEMBER_ROLE_ZH,
    MGMT_CLASS_ZH,
    ORG_KIND_ZH,
    ORG_KINDS,
    TARGET_KIND_ZH,
)

# ---------------------------------------------------------------------------------------------
# results


class Parsed(NamedTuple):
    value: Any = None
    error: str | None = None
    warnings: tuple[str, ...] = ()
    # Dates only: "day" | "month" | "year" (year-month and year are stored as the 1st).
    precision: str | None = None


def _err(msg: str) -> Parsed:
    return Parsed(None, msg)


# ---------------------------------------------------------------------------------------------
# text helpers

_HALF = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_HALF[0x3000] = 0x20  # ideographic space


def to_halfwidth(s: str) -> str:
    """Full-width ASCII (Ａ１（）…) and the ideographic space to half-width; nothing else
    (names keep their exact CJK characters)."""
    return s.translate(_HALF)


_WS = re.compile(r"\s+")


def clean_text(s: str) -> str:
    """Half-width, trimmed, inner runs of whitespace collapsed to one space."""
    return _WS.sub(" ", to_halfwidth(s)).strip()


def is_blank(raw: object) -> bool:
    if raw is None:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    return isinstance(raw, float) and math.isnan(raw)


def cell_text(raw: object) -> str:
    """A cell rendered as text: integral floats without ".0", dates as ISO."""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "是" if raw else "否"
    if isinstance(raw, float):
        if math.isfinite(raw) and raw.is_integer() and abs(raw) < 1e15:
            return str(int(raw))
        return repr(raw)
    if isinstance(raw, datetime):
        return raw.date().isoformat() if raw.time() == time() else raw.isoformat(sep=" ")
    if isinstance(raw, date):
        return raw.isoformat()
    return str(raw)


def _is_number(raw: object) -> bool:
    return isinstance(raw, int | float) and not isinstance(raw, bool)


# ---------------------------------------------------------------------------------------------
# dates

MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2100, 12, 31)
_EXCEL_EPOCH = date(1899, 12, 30)
_MAX_SERIAL = (MAX_DATE - _EXCEL_EPOCH).days

_DATE_RE = re.compile(
    r"^(?P<y>\d{4})\s*(?:[-/.年]\s*(?P<m>\d{1,2})\s*(?:(?:[-/.月]\s*(?P<d>\d{1,2})\s*[日号]?)|月)?"
    r"|年)?"
    r"(?:[T\s]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_COMPACT_RE = re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})?$")
_SERIAL_RE = re.compile(r"^\d{5}(?:\.\d+)?$")

PRECISION_NOTE = {"month": "仅有年月，按当月1日计", "year": "仅有年份，按当年1月1日计"}


def _mk_date(y: int, m: int | None, d: int | None, shown: str) -> Parsed:
    if m is not None and not 1 <= m <= 12:
        return _err(f"日期“{shown}”的月份无效")
    try:
        value = date(y, m or 1, d or 1)
    except ValueError:
        return _err(f"日期“{shown}”不存在")
    precision = "day" if d is not None else ("month" if m is not None else "year")
    return Parsed(value, precision=precision)


def _from_serial(n: float, shown: str) -> Parsed:
    if not 1 <= n <= _MAX_SERIAL:
        return _err(f"无法识别的日期“{shown}”")
    return Parsed(_EXCEL_EPOCH + timedelta(days=int(n)), precision="day")


def _date_from_number(n: float) -> Parsed:
    shown = cell_text(n)
    if not math.isfinite(n) or n < 0:
        return _err(f"无法识别的日期“{shown}”")
    if not float(n).is_integer():
        whole = int(n)
        if 1900 <= whole <= 2100:
            # 1990.03 typed in Excel became the number 1990.03; 1990.1 may be Jan or Oct.
            frac = repr(float(n)).split(".")[1]
            if len(frac) == 2:
                return _mk_date(whole, int(frac), None, shown)
            return _err(
                f"日期被Excel存成了数字“{shown}”，无法确定月份（1月还是10月），请改为文本如1990.10"
            )
        return _from_serial(n, shown)
    i = int(n)
    if 1900 <= i <= 2100:
        return _mk_date(i, None, None, shown)
    if 190001 <= i <= 210012:
        return _mk_date(i // 100, i % 100, None, shown)
    if 19000101 <= i <= 21001231:
        return _mk_date(i // 10000, i // 100 % 100, i % 100, shown)
    return _from_serial(i, shown)


def parse_date(raw: object, *, not_after: date | None = None) -> Parsed:
    """Parse a date cell: real date/datetime, Excel serial, ``1990.03``, ``1990年3月``,
    ``1990年3月7日``, ``199003``, ``19900307``, ``1990/3/7``, ``1990-03-07``. Value is a
    ``date``; year-month and year are the first day, with ``precision`` "month"/"year"."""
    if isinstance(raw, bool):
        return _err("日期不能是逻辑值")
    if isinstance(raw, datetime):
        res = Parsed(raw.date(), precision="day")
    elif isinstance(raw, date):
        res = Parsed(raw, precision="day")
    elif isinstance(raw, time | timedelta):
        return _err(f"“{raw}”是时间而不是日期")
    elif _is_number(raw):
        res = _date_from_number(float(raw))  # type: ignore[arg-type]
    elif isinstance(raw, str):
        s = _WS.sub(" ", unicodedata.normalize("NFKC", raw)).strip()
        s = s.replace(" ", "") if "年" in s else s
        m = _DATE_RE.match(s)
        if m and m.group("y"):
            res = _mk_date(
                int(m.group("y")),
                int(m.group("m")) if m.group("m") else None,
                int(m.group("d")) if m.group("d") else None,
                s,
            )
        elif (m2 := _COMPACT_RE.match(s)) is not None:
            res = _mk_date(
                int(m2.group("y")),
                int(m2.group("m")),
                int(m2.group("d")) if m2.group("d") else None,
                s,
            )
        elif _SERIAL_RE.match(s):
            res = _from_serial(float(s), s)
        else:
            return _err(f"无法识别的日期“{raw.strip()[:30]}”")
    else:
        return _err(f"无法识别的日期“{raw}”")
    if res.error is not None:
        return res
    d: date = res.value
    if not MIN_DATE <= d <= MAX_DATE:
        return _err(f"日期“{d.isoformat()}”超出合理范围（1900—2100年）")
    if not_after is not None and d > not_after:
        return _err(f"日期“{d.isoformat()}”晚于今天")
    return res


# ---------------------------------------------------------------------------------------------
# phones

_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE_RE = re.compile(r"^(?:0\d{2,3})?[2-9]\d{6,7}(?:转\d{1,6}|-\d{1,6})?$")
_PHONE_STRIP = re.compile(r"[\s\-()（）]+")


def parse_phone(raw: object) -> Parsed:
    """Text or number → digits as text (``15528921840.0`` → ``15528921840``). Anything but an
    11-digit mobile or a plausible landline is kept, with a warning."""
    if type(raw) is str and len(raw) == 11 and _MOBILE_RE.match(raw):
        return Parsed(raw)
    if isinstance(raw, bool):
        return _err("电话号码不能是逻辑值")
    if _is_number(raw):
        f = float(raw)  # type: ignore[arg-type]
        if not (math.isfinite(f) and f.is_integer()):
            return _err(f"电话号码“{cell_text(raw)}”不是整数")
        text = str(int(f))
        if len(text) in (10, 11) and text[0] != "1":
            # A landline with area code whose leading 0 Excel dropped (0579-85123456).
            return Parsed(
                "0" + text, warnings=(f"电话号码被存成数字，已补回开头的0：“0{text}”，请核对",)
            )
    elif isinstance(raw, str):
        text = clean_text(raw)
    else:
        return _err("电话号码应为文本")
    first = re.split(r"[;；,，、/]", text)[0]
    digits = _PHONE_STRIP.sub("", first)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    elif len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    if _MOBILE_RE.match(digits):
        return Parsed(digits if first == text else text)
    if _LANDLINE_RE.match(digits) or _LANDLINE_RE.match(first.replace(" ", "")):
        return Parsed(text)
    return Parsed(text, warnings=(f"电话号码“{text}”不像11位手机号或固定电话（已保留）",))


# ---------------------------------------------------------------------------------------------
# booleans and code lists

_TRUE = {"是", "y", "yes", "true", "1", "t", "√", "✓", "✔", "有", "对"}
_FALSE = {"否", "n", "no", "false", "0", "f", "×", "✗", "无", "不是", "-"}


def parse_bool(raw: object) -> Parsed:
    if isinstance(raw, bool):
        return Parsed(raw)
    if _is_number(raw):
        if raw in (0, 1):
            return Parsed(bool(raw))
        return _err(f"“{cell_text(raw)}”应填是或否")
    s = clean_text(str(raw)).lower()
    if s in _TRUE:
        return Parsed(True)
    if s in _FALSE:
        return Parsed(False)
    return _err(f"“{str(raw).strip()[:20]}”应填是或否")


def _norm_code(raw: object) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", cell_text(raw))).lower()


def _lookup(table: dict[str, str], raw: object, what: str, allowed: str) -> Parsed:
    s = _norm_code(raw)
    v = table.get(s)
    if v is not None:
        return Parsed(v)
    return _err(f"无法识别的{what}“{cell_text(raw).strip()[:20]}”，应为{allowed}")


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

TARGET_KIND = {
    "户": "household",
    "农户": "household",
    "家庭户": "household",
    "组": "hamlet",
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

_SPLIT_RE = re.compile(r"[;；、,，/|\n]+")


def split_list(raw: object) -> list[str]:
    """``a;b；c、d`` (also , ， / |) → ["a", "b", "c", "d"], blanks dropped, order kept, no
    duplicates."""
    out: list[str] = []
    for part in _SPLIT_RE.split(clean_text(cell_text(raw))):
        p = part.strip()
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


def parse_org_kind(raw: object) -> Parsed:
    s = _norm_code(raw)
    if s in ORG_KIND:
        return Parsed(ORG_KIND[s])
    # "村党总支" → ends with 党总支; longest suffix first (临时党小组 before 党小组).
    for name in sorted(ORG_KIND, key=len, reverse=True):
        if len(name) >= 2 and not name.isascii() and s.endswith(name):
            return Parsed(ORG_KIND[name])
    return _err(
        f"无法识别的组织类别“{cell_text(raw).strip()[:20]}”，应为"
        + "/".join(ORG_KIND_ZH[k] for k in ORG_KINDS)
    )


def parse_area_level(raw: object) -> Parsed:
    return _lookup(AREA_LEVEL, raw, "层级", "县/乡镇/街道/村/社区/组/网格")


def parse_category(raw: object) -> Parsed:
    return _lookup(CATEGORY, raw, "人员类别", "正式党员或预备党员")


def parse_gender(raw: object) -> Parsed:
    return _lookup(GENDER, raw, "性别", "男或女")


def parse_mgmt_class(raw: object) -> Parsed:
    return _lookup(MGMT_CLASS, raw, "分类管理类别", "在家青壮年/产业一线/流动创业/老弱")


def parse_target_kind(raw: object) -> Parsed:
    return _lookup(TARGET_KIND, raw, "联系对象类型", "户/组/党小组/村/乡镇")


def parse_channel(raw: object) -> Parsed:
    return _lookup(CHANNEL, raw, "报到方式", "电话/微信/现场/网上")


def parse_rect_status(raw: object) -> Parsed:
    return _lookup(RECT_STATUS, raw, "整顿状态", "整顿中或已完成")


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


_NEEDS_CLEAN = re.compile(r"[\s\uff01-\uff5e\u3000]")


def parse_text(raw: object) -> Parsed:
    if type(raw) is str and not _NEEDS_CLEAN.search(raw):
        return Parsed(raw)
    return Parsed(clean_text(cell_text(raw)))


_CJK = r"[\u3400-\u9fff\U00020000-\U0003134f·]"
_CJK_SPACE = re.compile(rf"(?<={_CJK})\s+(?={_CJK})")


def parse_name(raw: object) -> Parsed:
    """Names: "张  三" (padded to align) → "张三"; other whitespace collapsed."""
    if type(raw) is str and not _NEEDS_CLEAN.search(raw):
        return Parsed(raw)
    if _is_number(raw) or isinstance(raw, bool):
        return _err(f"姓名“{cell_text(raw)}”不能是数字")
    s = clean_text(cell_text(raw))
    return Parsed(_CJK_SPACE.sub("", s))


_CODE_SCI = re.compile(r"\d(?:\.\d+)?[eE]\+?\d+")


def parse_code(raw: object) -> Parsed:
    """Identifiers (area codes, org ids, member numbers). A number is fine while exact
    (< 2**53 and integral); otherwise Excel already lost digits."""
    if type(raw) is str and raw.isascii() and raw.isalnum():
        return Parsed(raw)
    if isinstance(raw, bool):
        return _err("编号不能是逻辑值")
    if _is_number(raw):
        f = float(raw)  # type: ignore[arg-type]
        if not math.isfinite(f) or not f.is_integer():
            return _err(f"编号“{cell_text(raw)}”不是整数")
        if abs(f) >= 1e15:
            return _err("编号被Excel存成数字，已丢失位数，请将该列设为文本后重新导出")
        return Parsed(str(int(f)))
    s = _WS.sub("", to_halfwidth(raw if type(raw) is str else cell_text(raw))).strip("'")
    if s.startswith('="') and s.endswith('"'):
        s = s[2:-1]
    if "e" in s.lower() and _CODE_SCI.fullmatch(s):
        return _err("编号被Excel存成数字，已丢失位数，请将该列设为文本后重新导出")
    return Parsed(s)


def parse_int(raw: object) -> Parsed:
    if isinstance(raw, bool):
        return _err("应为整数")
    if _is_number(raw):
        f = float(raw)  # type: ignore[arg-type]
        if math.isfinite(f) and f.is_integer() and f >= 0:
            return Parsed(int(f))
        return _err(f"“{cell_text(raw)}”应为非负整数")
    s = clean_text(cell_text(raw))
    m = re.fullmatch(r"(\d+)(?:\.0+)?\s*[人口个户]?", s)
    if m:
        return Parsed(int(m.group(1)))
    return _err(f"“{s[:20]}”应为非负整数")


def _parse_coord(
    raw: object, lo: float, hi: float, china: tuple[float, float], what: str
) -> Parsed:
    if isinstance(raw, bool):
        return _err(f"{what}应为数字")
    if _is_number(raw):
        f = float(raw)  # type: ignore[arg-type]
    else:
        s = clean_text(cell_text(raw)).rstrip("°")
        try:
            f = float(s)
        except ValueError:
            return _err(f"{what}“{s[:20]}”应为数字")
    if not math.isfinite(f) or not lo <= f <= hi:
        return _err(f"{what}“{cell_text(raw)}”超出范围")
    if not china[0] <= f <= china[1]:
        return Parsed(f, warnings=(f"{what}{f}不在中国范围内（经纬度是否填反？）",))
    return Parsed(f)


def parse_lon(raw: object) -> Parsed:
    return _parse_coord(raw, -180, 180, (73.0, 136.0), "经度")


def parse_lat(raw: object) -> Parsed:
    return _parse_coord(raw, -90, 90, (3.0, 54.0), "纬度")


def parse_id_cell(raw: object) -> Parsed:
    """ID check through :func:`orgraph.roster.idnumber.check_id` (value: normalised ID)."""
    res = check_id(raw)
    if res.error is not None:
        return _err(res.error)
    return Parsed(res.normalized, warnings=res.warnings)


CONVERTERS: dict[str, Callable[[object], Parsed]] = {
    "text": parse_text,
    "name": parse_name,
    "code": parse_code,
    "int": parse_int,
    "lon": parse_lon,
    "lat": parse_lat,
    "bool": parse_bool,
    "category": parse_category,
    "gender": parse_gender,
    "ethnicity": parse_ethnicity,
    "mgmt_class": parse_mgmt_class,
    "org_kind": parse_org_kind,
    "area_level": parse_area_level,
    "roles": parse_roles,
    "tags": parse_tags,
    "phone": parse_phone,
    "id_number": parse_id_cell,
    "target_kind": parse_target_kind,
    "channel": parse_channel,
    "rect_status": parse_rect_status,
}


def convert(
    type_: str, raw: object, *, today: date | None = None, past_only: bool = False
) -> Parsed:
    """Parse a non-blank cell for a column type (see ``columns.ColumnType``)."""
    if type_ == "date":
        return parse_date(raw, not_after=(today or date.today()) if past_only else None)
    return CONVERTERS[type_](raw)
