"""The four roles and what each may do. The API checks these; the graph knows nothing of them."""

from __future__ import annotations

from orgraph.errors import ValidationFailed
from orgraph.vocab import USER_ROLE_ZH, USER_ROLES

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
    """`role` itself when it is one of USER_ROLES; otherwise ValidationFailed listing them."""
    if role not in USER_ROLES:
        choices = "、".join(f"{r} ({USER_ROLE_ZH[r]})" for r in USER_ROLES)
        raise ValidationFailed(f"未知的角色“{role}”。可用: {choices}")
    return role
