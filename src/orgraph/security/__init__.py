"""Security of the HTTP API: roles, passwords, users, tokens, audit log, masking
(docs/design.md#security)."""

from orgraph.security.audit import AuditLog, default_audit_log
from orgraph.security.masking import mask_id, mask_phone
from orgraph.security.passwords import check_strength, hash_password, verify_password
from orgraph.security.roles import can_import, can_reveal, can_write, check_role
from orgraph.security.tokens import Claims, IssuedToken, TokenService, load_secret
from orgraph.security.users import User, UserStore, default_user_store

__all__ = [
    "AuditLog",
    "Claims",
    "IssuedToken",
    "TokenService",
    "User",
    "UserStore",
    "can_import",
    "can_reveal",
    "can_write",
    "check_role",
    "check_strength",
    "default_audit_log",
    "default_user_store",
    "hash_password",
    "load_secret",
    "mask_id",
    "mask_phone",
    "verify_password",
]
