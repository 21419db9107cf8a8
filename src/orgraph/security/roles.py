"""The four roles and what each may do. The API checks these; the graph knows nothing of them."""

from __future__ import annotations

from collections.abc import Iterable

from orgraph.errors import Forbidden, ValidationFailed
from orgraph.vocab import AREA_LEVEL_ZH, MEMBER_ROLE_ZH, USER_ROLE_ZH, USER_ROLES

# Unmasked phones are personal information (PIPL); only staff who arrange contact need them.
_REVEAL = frozenset({"county_admin", "township_admin"})
_WRITE = frozenset({"county_admin", "township_admin", "village_secretary"})
# A roster import can rewrite a whole county, so it stays with the county department.
_IMPORT = frozenset({"county_admin"})


# Ranks (#18): a user gives or takes a member's duty only at or below their own rank (and only
# for members in their scope, which the API checks as for any write). The two duties above a
# village are what the contact chain counts as a county leader and a township cadre.
_USER_RANK = {"county_admin": 3, "township_admin": 2, "village_secretary": 1, "viewer": 0}
_DUTY_RANK = {"county_leader": 3, "township_cadre": 2}  # every other duty: 1 (village)


def duty_rank(duty: str) -> int:
    return _DUTY_RANK.get(duty, 1)


def check_duty_change(role: str, before: Iterable[str], after: Iterable[str]) -> None:
    """Forbidden (Chinese, naming the duties) when a user of `role` would give or take a
    member duty above their rank in changing the member's duties from `before` to `after`."""
    rank = _USER_RANK.get(role, 0)
    changed = set(before) ^ set(after)
    above = sorted((d for d in changed if duty_rank(d) > rank), key=lambda d: (-duty_rank(d), d))
    if above:
        names = "、".join(MEMBER_ROLE_ZH.get(d, d) for d in above)
        raise Forbidden(f"您的角色 ({USER_ROLE_ZH.get(role, role)}) 不能授予或撤销职务: {names}")


# The levels of area a role's scope may be at (an org's scope is at the level of its area): a
# township administrator or village secretary with a wider scope would rule above their rank.
_SCOPE_LEVELS = {
    "township_admin": ("township", "village", "hamlet"),
    "village_secretary": ("village", "hamlet"),
}


def check_scope_level(role: str, level: str | None) -> None:
    """ValidationFailed (Chinese) when a scope at area `level` (None: unknown, as for an org
    with no area) is wider than `role` may have."""
    allowed = _SCOPE_LEVELS.get(role)
    if allowed is None or level in allowed:
        return
    where = "、".join(AREA_LEVEL_ZH[lv] for lv in allowed)
    found = AREA_LEVEL_ZH.get(level or "", "无法确定层级的党组织")
    raise ValidationFailed(
        f"{USER_ROLE_ZH[role]}的范围只能是{where}级的区划或其党组织，这个范围是{found}"
    )


def can_reveal(role: str) -> bool:
    return role in _REVEAL


def can_write(role: str) -> bool:
    return role in _WRITE


def can_import(role: str) -> bool:
    return role in _IMPORT


def check_role(role: str) -> str:
    """`role` itself when it is one of USER_ROLES; otherwise ValidationFailed listing them."""
    if role not in USER_ROLES:
        choices = "、".join(f"{r} ({USER_ROLE_ZH[r]})" for r in USER_ROLES)
        raise ValidationFailed(f"未知的角色“{role}”。可用: {choices}")
    return role
