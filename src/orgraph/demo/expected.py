"""Which gap cases the demo generator plants on purpose (a help for tests, not the oracle).

Each planted case names the gap `type` of DESIGN §2 and the entity it is about, with the key
the importer will see: a member's 人员编号 (or 公民身份号码 when the member has none), a
household's 户编号, an area's 区划代码, an org's 组织编号, or a destination city's 6-digit
code (e.g. "320500" = 苏州市; municipalities are 110000/310000...). Natural randomness
adds many more cases of most types; the planted ones are guaranteed under the default
thresholds on `as_of`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

GAP_TYPES: tuple[str, ...] = (
    "household_uncovered",
    "household_contact_away",
    "member_contact_load",
    "exempt_member_assigned",
    "township_no_leader",
    "village_no_cadre",
    "hamlet_no_cadre",
    "cadre_group_load",
    "group_size",
    "branch_too_small",
    "branch_too_large",
    "member_no_branch",
    "member_multi_branch",
    "member_no_group",
    "mobile_unattached",
    "mobile_silent",
    "lost_contact",
    "mobile_cluster_without_branch",
    "mobile_no_contact_person",
    "should_transfer",
    "rectification_overdue",
    "term_expired",
)

# Gap types that a clean roster in the DESIGN §3 formats cannot express.
NOT_PLANTED: dict[str, str] = {
    "member_multi_branch": (
        "党员花名册 has one 所在党支部 cell per member, and listing a member twice is a "
        "duplicate-key error, not a second affiliation; no other roster kind carries a formal "
        "affiliation (流入地党组织 in the outflow file is organisational life, ATTENDS). "
        "It can only arise from an edit in the graph, so the demo does not plant it."
    ),
}

EntityKind = Literal["member", "household", "area", "org", "city"]


@dataclass(frozen=True)
class PlantedCase:
    type: str
    kind: EntityKind
    id: str
    note: str = ""

    def to_dict(self) -> dict[str, str]:
        return asdict(self)
