"""The vocabulary is the one source of codes: the types the API validates with, the codes the
importer writes and the rules' thresholds all agree with orgraph.vocab."""

from __future__ import annotations

from typing import get_args

from orgraph.analysis.rules import RULES
from orgraph.policy import Policy
from orgraph.records import models
from orgraph.roster import codes
from orgraph.roster.columns import KINDS, Kind
from orgraph.vocab import (
    CATEGORY_ZH,
    CHANNEL_ZH,
    GAP_TYPE_NAMES,
    GENDER_ZH,
    HISTORY_TYPES,
    MEMBER_ROLE_ZH,
    MGMT_CLASS_ZH,
    MOBILE_KINDS,
    ORG_KINDS,
    PROPOSAL_TYPES,
    RECT_STATUS_ZH,
    ROSTER_KIND_ZH,
    ROSTER_KINDS,
    TARGET_KIND_ZH,
)


def test_the_api_types_take_the_vocabulary_codes() -> None:
    assert get_args(Kind) == ROSTER_KINDS == KINDS == tuple(ROSTER_KIND_ZH)
    assert set(get_args(models.Gender)) == set(GENDER_ZH)
    assert set(get_args(models.Category)) == set(CATEGORY_ZH)
    assert set(get_args(models.MgmtClass)) == set(MGMT_CLASS_ZH)
    assert set(get_args(models.Role)) == set(MEMBER_ROLE_ZH)
    assert set(get_args(models.MobileKind)) == MOBILE_KINDS
    # the API takes a channel as its code or as its Chinese name
    assert set(get_args(models.Channel)) == set(CHANNEL_ZH) | set(CHANNEL_ZH.values())


def test_the_importer_writes_only_vocabulary_codes() -> None:
    for table, vocab in (
        (codes.MGMT_CLASS, MGMT_CLASS_ZH),
        (codes.CATEGORY, CATEGORY_ZH),
        (codes.GENDER, GENDER_ZH),
        (codes.TARGET_KIND, TARGET_KIND_ZH),
        (codes.CHANNEL, CHANNEL_ZH),
        (codes.RECT_STATUS, RECT_STATUS_ZH),
        (codes.ROLES, MEMBER_ROLE_ZH),
    ):
        assert set(table.values()) == set(vocab), table
    assert set(codes.ORG_KIND.values()) == set(ORG_KINDS)


def test_every_threshold_belongs_to_a_rule_and_each_rule_names_its_own() -> None:
    policy = Policy()
    described = policy.describe()
    assert {t["rule"] for t in described} <= {*GAP_TYPE_NAMES, *PROPOSAL_TYPES, *HISTORY_TYPES}
    assert tuple(RULES) == GAP_TYPE_NAMES
    for name, rule in RULES.items():
        assert rule.thresholds(policy) == {
            t["name"]: t["value"] for t in described if t["rule"] == name
        }
    assert RULES["member_contact_load"].thresholds(policy) == {"contact_min": 3, "contact_max": 5}
