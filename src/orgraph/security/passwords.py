"""Password rules and argon2 hashing (pwdlib)."""

from __future__ import annotations

from functools import lru_cache

from pwdlib import PasswordHash
from pwdlib.exceptions import UnknownHashError
from pwdlib.hashers.argon2 import Argon2Hasher

from orgraph.errors import ValidationFailed

MIN_LENGTH = 8
# Argon2 hashes any length, but a megabyte "password" would be a cheap way to burn CPU.
MAX_LENGTH = 128
MIN_CLASSES = 3


def _classes(password: str) -> int:
    lower = any(c.islower() for c in password)
    upper = any(c.isupper() for c in password)
    digit = any(c.isdigit() for c in password)
    other = any(not (c.islower() or c.isupper() or c.isdigit()) for c in password)
    return lower + upper + digit + other


def check_strength(password: str, *, username: str | None = None) -> None:
    """Raise ValidationFailed (Chinese) unless the password is 8–128 characters with at least
    three of: lower-case, upper-case, digits, other characters, and differs from the username."""
    if len(password) < MIN_LENGTH:
        raise ValidationFailed(f"密码至少需要 {MIN_LENGTH} 个字符")
    if len(password) > MAX_LENGTH:
        raise ValidationFailed(f"密码不能超过 {MAX_LENGTH} 个字符")
    if _classes(password) < MIN_CLASSES:
        raise ValidationFailed("密码需至少包含以下四类中的三类: 小写字母、大写字母、数字、其他符号")
    if username and password.strip().casefold() == username.strip().casefold():
        raise ValidationFailed("密码不能与用户名相同")


@lru_cache(maxsize=1)
def default_hasher() -> PasswordHash:
    """argon2id with pwdlib's recommended costs (about 0.1 s and 64 MiB per hash)."""
    return PasswordHash((Argon2Hasher(),))


def hash_password(password: str, *, hasher: PasswordHash | None = None) -> str:
    return (hasher or default_hasher()).hash(password)


def verify_password(
    password: str, password_hash: str, *, hasher: PasswordHash | None = None
) -> bool:
    """True when `password` matches; False for a mismatch or a hash this build cannot read."""
    try:
        return (hasher or default_hasher()).verify(password, password_hash)
    except UnknownHashError:
        return False
