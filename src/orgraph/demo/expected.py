"""Which gap cases the demo generator plants on purpose (a help for tests, not the oracle).

Each planted case names the gap `type` of docs/rules.md and the entity it is about, with the key
the importer will see: a member's 人员编号 (or 公民身份号码 when the member has none), a
household's 户编号, an area's 区划代码, an org's 组织编号, or a destination city's 6-digit
code (e.g. "320500" = 苏州市; municipalities are 110000/310000...). Natural randomness
adds many more cases of most types; the planted ones are guaranteed under the default
thresholds on `as_of`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

# Gap types the demo does not plant, with the reason. Empty: every type is planted.
# (`member_multi_branch` used to be here; it is now planted as a second sheet 补报党员 of the
# members workbook that lists a member again under another branch, which the importer keeps
# as a second formal affiliation.)
NOT_PLANTED: dict[str, str] = {}

EntityKind = Literal["member", "household", "area", "org", "city"]


@dataclass(frozen=True)
class PlantedCase:
    type: str
    kind: EntityKind
    id: str
    note: str = ""

    def to_dict(self) -> dict[str, str]:
        return asdict(self)
