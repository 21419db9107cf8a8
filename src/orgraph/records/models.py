"""Bodies of the record writes: strict (unknown fields are refused), typed and bounded.

No body carries a graph key the caller could use to reach another record (`key`, `id_hash`,
`on_roll` are not fields): the target comes from the URL, identity fields cannot change, and
taking a member off the roll has its own body.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

# Free text: no control characters (a NUL byte cannot travel in a query parameter, and no
# name or address needs a line break), and something besides white space, which is trimmed.
PLAIN = r"^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$"
Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=PLAIN)
]
LongText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=PLAIN)
]
Ref = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        min_length=1,
        max_length=80,
        pattern=r"^[0-9A-Za-z][0-9A-Za-z:_.\-]*$",
    ),
]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^1[3-9][0-9]{9}$")]
MemberNo = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=32, pattern=r"^[0-9A-Za-z][0-9A-Za-z_\-]*$"
    ),
]
Tag = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20, pattern=PLAIN)
]

Gender = Literal["male", "female"]
Category = Literal["full", "probationary"]
MgmtClass = Literal["young_at_home", "frontline", "mobile", "elderly_weak"]
Role = Literal[
    "secretary",
    "deputy_secretary",
    "committee_member",
    "group_leader",
    "village_committee",
    "first_secretary",
    "county_leader",
    "township_cadre",
]
EndReason = Literal["transferred_out", "deceased", "removed", "other"]

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def iso_only(value: object) -> object:
    """Dates arrive as YYYY-MM-DD text only: pydantic's lax mode would also take a number
    (seconds since 1970) or a datetime string, which the documented format does not allow."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return value
    raise ValueError("日期格式应为 YYYY-MM-DD")


IsoDate = Annotated[dt.date, BeforeValidator(iso_only)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class MemberFields(Strict):
    """What a member create and update share."""

    name: Text | None = Field(default=None, description="姓名")
    gender: Gender | None = Field(default=None, description="性别 male | female")
    ethnicity: Text | None = Field(default=None, description="民族")
    birth_date: IsoDate | None = Field(default=None, description="出生日期")
    education: Text | None = Field(default=None, description="学历")
    category: Category | None = Field(
        default=None, description="正式党员 full | 预备党员 probationary"
    )
    joined_on: IsoDate | None = Field(default=None, description="入党日期")
    full_on: IsoDate | None = Field(default=None, description="转正日期")
    phone: Phone | None = Field(default=None, description="手机号码 (11 位)")
    mgmt_class: MgmtClass | None = Field(default=None, description="分类管理类别")
    roles: list[Role] | None = Field(default=None, max_length=8, description="职务")
    branch: Ref | None = Field(default=None, description="所在党支部编号 (管辖范围内)")
    group: Ref | None = Field(default=None, description="所在党小组编号 (属于所在党支部)")
    household: Ref | None = Field(default=None, description="家庭户编号 (管辖范围内)")


class MemberCreate(MemberFields):
    """A new member. The key is the 人员编号; without one, the keyed hash of the ID number."""

    model_config = ConfigDict(
        json_schema_extra={"anyOf": [{"required": ["member_no"]}, {"required": ["id_number"]}]}
    )

    name: Text = Field(description="姓名")
    branch: Ref = Field(description="所在党支部编号 (管辖范围内)")
    member_no: MemberNo | None = Field(default=None, description="人员编号")
    id_number: (
        Annotated[
            str,
            StringConstraints(
                strip_whitespace=True,
                min_length=15,
                max_length=18,
                pattern=r"^[0-9]{15}([0-9]{2}[0-9Xx])?$",
            ),
        ]
        | None
    ) = Field(default=None, description="公民身份号码: 只保存带密钥的散列和打码形式")


class MemberUpdate(MemberFields):
    """Fields to change; fields left out stay as they are (null clears an optional field)."""


class MemberEnd(Strict):
    on: IsoDate = Field(description="不在册日期")
    reason: EndReason = Field(
        description="transferred_out 转出 | deceased 去世 | removed 除名 | other 其他"
    )


class HouseholdFields(Strict):
    head_name: Text | None = Field(default=None, description="户主姓名")
    address: LongText | None = Field(default=None, description="地址")
    size: int | None = Field(default=None, ge=1, le=99, description="人口数")
    tags: list[Tag] | None = Field(
        default=None, max_length=20, description="标签 (低保、特困、空巢、留守儿童、退役军人…)"
    )
    phone: Phone | None = Field(default=None, description="联系电话")
    lon: float | None = Field(default=None, ge=73, le=136, description="经度")
    lat: float | None = Field(default=None, ge=3, le=54, description="纬度")
    area: Ref | None = Field(default=None, description="所在区划代码 (村或村民小组，管辖范围内)")


class HouseholdCreate(HouseholdFields):
    id: Ref = Field(description="户编号")
    area: Ref = Field(description="所在区划代码 (村或村民小组，管辖范围内)")


class HouseholdUpdate(HouseholdFields):
    """Fields to change; fields left out stay as they are."""


class ContactCreate(Strict):
    member: Ref = Field(description="党员 (人员编号或成员键)")
    household: Ref = Field(description="户编号")
    since: IsoDate | None = Field(default=None, description="开始日期 (默认今天)")
    until: IsoDate | None = Field(default=None, description="结束日期 (可不填)")


class ContactEnd(Strict):
    member: Ref = Field(description="党员")
    household: Ref = Field(description="户编号")
    until: IsoDate | None = Field(default=None, description="结束日期 (默认今天)")


# -- members away (issue #5's services, as the API takes them) --------------------------------

Channel = Literal[
    "phone", "wechat", "in_person", "online", "letter", "电话", "微信", "现场", "网上", "书面"
]
MobileKind = Literal["mobile_branch", "temp_branch", "temp_group"]
Place = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=PLAIN)
]


class DepartureBody(Strict):
    left_on: IsoDate = Field(description="外出时间")
    destination: Place = Field(description="外出地点: 区划代码或“广东东莞长安镇”这样的文字")
    reason: LongText | None = Field(default=None, description="外出原因")
    employer: LongText | None = Field(default=None, description="工作单位")
    phone_away: Phone | None = Field(default=None, description="外出联系电话")
    card_no: Text | None = Field(default=None, description="活动证编号")
    contact_person: Text | None = Field(default=None, description="家乡联系人")
    host_org: Ref | None = Field(default=None, description="流入地党组织编号")


class ReportBody(Strict):
    on: IsoDate | None = Field(default=None, description="报到日期 (默认今天)")
    channel: Channel | None = Field(default=None, description="方式")
    org: Ref | None = Field(default=None, description="报到的党组织编号")


class ReturnBody(Strict):
    on: IsoDate | None = Field(default=None, description="返回日期 (默认今天)")


class AttendBody(Strict):
    org: Ref = Field(description="参加组织生活的党组织编号")
    since: IsoDate | None = Field(default=None, description="开始日期 (默认今天)")


class TransferBody(Strict):
    to_org: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=PLAIN)
    ] = Field(description="转入的党组织: 管辖范围内的党组织编号，或县外党组织的名称")
    on: IsoDate | None = Field(default=None, description="转接日期 (默认今天)")


class MobileBranchBody(Strict):
    id: Ref = Field(description="组织编号")
    name: LongText = Field(description="组织名称")
    kind: MobileKind = Field(description="流动党员党支部 | 临时党支部 | 临时党小组")
    host_area: Place = Field(description="驻在地: 区划代码或“省市县”名称")
    approved_by: Ref = Field(description="批准组建的县级及以上党组织编号")
    established_on: IsoDate | None = Field(default=None, description="成立日期 (默认今天)")


class BranchMemberBody(Strict):
    member: Ref = Field(description="党员键")
    since: IsoDate | None = Field(default=None, description="开始日期 (默认今天)")


class ProposalPair(Strict):
    member: Ref = Field(description="党员键 (人员编号)")
    household: Ref = Field(description="户编号")


class ProposalApply(Strict):
    scope: Ref | None = Field(default=None, description="区划代码或党组织编号 (默认本人范围)")
    as_of: IsoDate | None = Field(default=None, description="联系开始日期 (默认今天)")
    pairs: list[ProposalPair] = Field(
        min_length=1, max_length=20_000, description="审定后要建立的联系 (党员, 户)"
    )


class MeetingBody(Strict):
    type: Annotated[str, StringConstraints(min_length=1, max_length=20, pattern=PLAIN)] = Field(
        description="会议类型: 党员大会/支委会/党小组会/党课/主题党日/组织生活会/民主评议党员/"
        "谈心谈话 (或其英文代码)"
    )
    on: IsoDate | None = Field(default=None, description="会议日期 (默认今天)")
    topic: LongText | None = Field(default=None, description="会议主题")
    expected: int | None = Field(default=None, ge=0, le=100_000, description="应到人数")
    present: int | None = Field(default=None, ge=0, le=100_000, description="实到人数")
    attendees: list[Ref] = Field(
        default_factory=list, max_length=2000, description="参加人员的人员编号"
    )
    absentees: list[Ref] = Field(
        default_factory=list, max_length=2000, description="缺席人员的人员编号"
    )
    host: Text | None = Field(default=None, description="主持人/讲课人")


class DuesBody(Strict):
    # min_length 1, not 6: the model strips whitespace before checking lengths, so a padded
    # six-character value would be schema-valid yet refused by validation; parse_month refuses
    # what is not a month (a 422 without an errors list, docs/api.md).
    paid_to: Annotated[str, StringConstraints(min_length=1, max_length=12, pattern=PLAIN)] = Field(
        description="缴至月份, 如 2026-09 或 2026年9月"
    )
    paid_on: IsoDate | None = Field(default=None, description="缴纳日期")
    amount: Text | None = Field(default=None, description="金额 (只记录，不核对)")


class InspectionBody(Strict):
    """One inspection (督查记录) of an organisation: org, date and inspector identify it, so
    recording the same again corrects it."""

    org: Ref = Field(description="被督查党组织编号 (管辖范围内，不是党小组)")
    on: IsoDate = Field(description="督查日期 (不晚于今天)")
    inspector: Text = Field(description="督查人或督查组")
    findings: LongText | None = Field(default=None, description="发现的问题")
    follow_up: Tag | None = Field(default=None, description="整改情况: open 整改中 | done 已整改")


class FirstSecretaryBody(Strict):
    """One 第一书记 appointment: member, org and since identify it, so recording the same
    again corrects it (until, sent_by)."""

    member: Ref = Field(description="派驻党员的人员编号 (管辖范围内)")
    org: Ref = Field(description="派驻的村党组织编号 (管辖范围内，不是党小组)")
    since: IsoDate = Field(description="派驻日期")
    until: IsoDate | None = Field(default=None, description="派驻截止日期 (不早于派驻日期)")
    sent_by: Text | None = Field(default=None, description="派出单位")
