"""The four roles and what each may do. The API checks these; the graph knows nothing of them."""

from __future__ import annotations

from orgraph.errors import ValidationFailed

ROLES: tuple[str, ...] = ("county_admin", "township_admin", "village_secretary", "viewer")

ROLE_ZH: dict[str, str] = {
    "county_admin": "县级管理员",
    "township_admin": "乡镇管理员",
    "village_secretary": "村党组织书记",
    "viewer": "只读用户",
}

# Unmasked phones are personal information (PIPL); only staff who arrange contact need them.
_REVEAL = frozenset({"county_admin", "township_admin"})
_WRITE = frozenset({"county_admin", "township_admin", "village_secretary"})
# A roster import can rewrite a whole county, so it stays with the county department.
_IMPORT = frozenset({"county_admin"})


def can_reveal(role: str) -> bool:
    return role in _REVEAL


def can_write(role: str) -> bool:
    return role in _WRITE


def can_import(role: str) -> bool:
    return role in _IMPORT


def check_role(role: str) -> str:
    """`role` itself when it is one of ROLES; otherwise ValidationFailed listing them."""
    if role not in ROLES:
        choices = "、".join(f"{r} ({ROLE_ZH[r]})" for r in ROLES)
        raise ValidationFailed(f"未知的角色“{role}”。可用: {choices}")
    return role
