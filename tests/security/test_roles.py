"""Member duties a user may give or take: at or below their own rank (#18)."""

from __future__ import annotations

import pytest

from orgraph.errors import Forbidden
from orgraph.security.roles import check_duty_change


def test_duties_above_the_rank_can_be_neither_given_nor_taken() -> None:
    check_duty_change("county_admin", [], ["county_leader", "township_cadre"])
    check_duty_change("township_admin", ["secretary"], ["township_cadre"])
    check_duty_change("village_secretary", ["secretary"], ["committee_member", "group_leader"])
    # Unchanged higher duties are no obstacle to changing the others.
    check_duty_change("village_secretary", ["county_leader"], ["county_leader", "secretary"])
    with pytest.raises(Forbidden, match="县级领导"):
        check_duty_change("township_admin", [], ["county_leader"])
    with pytest.raises(Forbidden, match="县级领导、乡镇干部"):
        check_duty_change("village_secretary", [], ["township_cadre", "county_leader"])
    with pytest.raises(Forbidden, match="乡镇干部"):
        check_duty_change("village_secretary", ["township_cadre"], [])
    with pytest.raises(Forbidden):
        check_duty_change("viewer", [], ["group_leader"])
