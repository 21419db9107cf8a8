"""Names and defaults of the organisational-life rules (docs/rules.md "Organisational life and
dues"), shared by the oracles and the comparison without importing either."""

from __future__ import annotations

from typing import Any

LIFE_POLICY: dict[str, Any] = {
    "life_months_back": 12,
    "committee_min_members": 7,
    "lecture_period": "quarter",
    "lecture_min": 1,
    "life_warn_months": 3,
    "life_lapse_months": 6,
    "dues_warn_months": 3,
    "dues_lapse_months": 6,
    "suspend_months": 6,
    "removal_months": 24,
}

BRANCH_RULES = (
    "branch_no_general_meeting",
    "branch_no_committee_meeting",
    "branch_no_theme_day",
    "branch_few_lectures",
    "branch_no_life_meeting",
    "branch_no_appraisal",
    "group_no_meeting",
)
LIFE_RULES = (*BRANCH_RULES, "meeting_no_quorum", "member_no_life", "member_life_lapse")
DUES_RULES = ("dues_arrears", "dues_lapse")
LADDER_RULES = ("propose_suspension", "propose_removal")
LIFE_RULE_TYPES = (*LIFE_RULES, *DUES_RULES, *LADDER_RULES)

# Per rule: the item fields compared with the engine's.
ORG_FIELDS = ("name", "kind", "village", "township", "periods", "missed", "last")
MEMBER_LIFE = ("name", "branch", "last_life", "months")
DUES_FIELDS = ("name", "branch", "paid_to", "since", "months")
LIFE_FIELDS: dict[str, tuple[str, ...]] = {
    "branch_no_general_meeting": ORG_FIELDS,
    "branch_no_committee_meeting": (*ORG_FIELDS, "members"),
    "branch_no_theme_day": ORG_FIELDS,
    "branch_few_lectures": (*ORG_FIELDS, "min"),
    "branch_no_life_meeting": ORG_FIELDS,
    "branch_no_appraisal": ORG_FIELDS,
    "group_no_meeting": (*ORG_FIELDS, "branch"),
    "meeting_no_quorum": ("org", "on", "topic", "basis", "expected", "present"),
    "member_no_life": MEMBER_LIFE,
    "member_life_lapse": MEMBER_LIFE,
    "dues_arrears": DUES_FIELDS,
    "dues_lapse": DUES_FIELDS,
    "propose_suspension": (
        "name",
        "branch",
        "reason",
        "lost_since",
        "suspend_from",
        "last_life",
        "last_dues",
    ),
    "propose_removal": ("name", "branch", "suspended_on", "remove_from", "last_life", "last_dues"),
}
assert tuple(LIFE_FIELDS) == LIFE_RULE_TYPES
