"""Which gap cases the demo generator plants on purpose (a help for tests, not the oracle).

Each planted case names the gap `type` of docs/rules.md and the entity it is about, with the key
the importer will see: a member's 人员编号 (or 公民身份号码 when the member has none), a
household's 户编号, an area's 区划代码, an org's 组织编号, a destination city's 6-digit
code (e.g. "320500" = 苏州市; municipalities are 110000/310000...), a meeting's id
`组织编号|type|YYYY-MM-DD|会议主题` (type as in docs/rules.md, e.g. general_meeting; the
meeting_no_quorum cases), or a 第一书记 appointment's id `人员编号|组织编号|YYYY-MM-DD` (member
key, the village org, 任职开始日期; kind "appointment", always a member with a 人员编号 when
the county has two). Natural randomness adds many more cases of most types; the planted
ones are guaranteed under the default thresholds on `as_of`.

The organisational-life and dues cases (life.py; docs/rules.md "Organisational life and
dues"), per county:

  branch_no_general_meeting    a village branch with no 党员大会 in the last checked quarter
  branch_no_committee_meeting  a village branch (≥ 10 members) with no 支委会 in two months
  branch_no_theme_day          a village branch with no 主题党日 in two checked months
  branch_few_lectures          a village branch with no 党课 in the last checked quarter that
                               is not a third quarter (each township gives a 七一 党课)
  branch_no_life_meeting       a village branch with no 组织生活会 in the checked year
  branch_no_appraisal          a village branch with no 民主评议党员 in the checked year
  group_no_meeting             a party group with no 党小组会 in two checked months
  meeting_no_quorum            two 党员大会 of the checked quarter before the last: one whose
                               实到 is half its 应到, one with no figures and half its full
                               members among the 缺席人员
  member_no_life               a member at home and a member away (attached to a mobile
                               branch when the county has one fit), absent from every meeting
                               for the last 4 months
  member_life_lapse            the same for 8 months (the one at home had a 谈心谈话 since,
                               which is not organisational life)
  dues_arrears, dues_lapse     members at home paid up to 5 and 9 months before as_of's month
                               (4 and 8 months owed)
  propose_suspension           the planted lost_contact members (the quiet one and the flagged
                               one): no meeting and no dues for 7 months and more
  propose_removal              a member at home with 停止党籍日期 27 months and more before
                               as_of, no meeting and no dues since

The 第一书记 cases (first_secretaries.py; docs/rules.md "第一书记"), per county, on the
第一书记.xlsx roster (appointments to the top org of the villages planned with one):

  weak_no_first_secretary      a weak (软弱涣散, with an open rectification) village
                               organisation whose last 第一书记 (an organ member) left 70–400
                               days before as_of, nobody in office since
  first_secretary_absent       a 第一书记 in office for a year and more whose household
                               contacts in the village all ended 120–300 days before as_of
                               and who is listed at none of its meetings
  first_secretary_ending       a term (任职结束日期) ending 10–50 days after as_of, nobody to
                               follow (in a weak village when one has a 第一书记)

Every other 第一书记 in office has household contacts in the village and is listed at its
branches' last 主题党日 (or has a 谈心谈话 there) within the last 75 days, and its term ends
more than 60 days after as_of or has no end written; every other weak village organisation
has one in office.

The ledger cases (ledgers.py; docs/rules.md "The rectification ledger (整顿台账) and
inspections (督查记录)" and "党小组 appraisal"), per county, on the 整顿台账, 督查记录 and
党小组工作记录 rosters (and the members roster's 职务):

  rectification_no_plan        a weak village organisation's open episode whose 一村一策 was
                               made 45–90 days after its listing
  rectification_no_inspection  a weak village organisation's open episode with no inspection
                               in the last completed quarter
  rectification_accepted_failing  a closed (已销号) episode of another village, listed two to
                               three years before as_of, whose 验收结果 is 不合格
  group_no_summary             a party group of a pilot township with 月总结 否 in one checked
                               month
  group_no_inspection          a party group of a pilot township with no 督查 in the last
                               completed quarter
  group_no_leader              a party group of an ordinary village whose 党小组长 stepped down:
                               no member of it has the role

Every other episode has its plan within 30 days and an inspection in every quarter from its
listing, and every other closed one passed (合格 or 基本合格); every other group of the pilot
townships has a 月总结 every month and a 督查 every quarter since the records begin. Groups of
the other townships keep no 党小组工作记录, so the two record rules find them all.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

# Gap types the demo does not plant, with the reason: none (every type of GAP_TYPES is
# planted). `member_multi_branch` was here until the members workbook got its second sheet
# 补报党员; the six types of the 整顿台账, 督查记录 and 党小组工作记录 rosters until the demo
# wrote them (ledgers.py, #14). A type that cannot be planted would go here with its reason
# (tests/demo pins this dict; tests/acceptance requires a case of every type).
NOT_PLANTED: dict[str, str] = {}

EntityKind = Literal["member", "household", "area", "org", "city", "meeting", "appointment"]


@dataclass(frozen=True)
class PlantedCase:
    type: str
    kind: EntityKind
    id: str
    note: str = ""

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


@dataclass(frozen=True)
class ScreenCase:
    """A planted weak village organisation (weak_villages.py): the screening lists `org`
    (serving the village `village`) with exactly these `reasons`, in its order."""

    org: str
    village: str
    reasons: list[str]
    note: str = ""

    def to_dict(self) -> dict[str, object]:
        return asdict(self)
