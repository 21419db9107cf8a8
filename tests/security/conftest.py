"""Fixtures of the security tests: a user store with cheap argon2 costs (still argon2id) so
lockout tests can afford dozens of hashes; the real costs are checked in test_passwords."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from orgraph.security.users import UserStore

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
GOOD = "Dangyuan-2026"


@pytest.fixture
def cheap_hasher() -> PasswordHash:
    return PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),))


@pytest.fixture
def users(tmp_path: Path, cheap_hasher: PasswordHash) -> UserStore:
    return UserStore(tmp_path / "users.sqlite3", hasher=cheap_hasher)
