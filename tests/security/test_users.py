"""The user store: accounts, lockout, disabled users, concurrency, file permissions."""

from __future__ import annotations

import os
import stat
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from pwdlib import PasswordHash

from orgraph.config import Settings
from orgraph.errors import (
    AccountLocked,
    ConstraintConflict,
    NotFound,
    StoreUnavailable,
    Unauthorized,
    ValidationFailed,
)
from orgraph.security import User, UserStore, default_user_store
from orgraph.security.users import BAD_LOGIN
from tests.security.conftest import GOOD, T0

WRONG = "Wrong-pass-1"


def _add(users: UserStore, name: str = "zhang.san", role: str = "township_admin") -> User:
    return users.add(name, GOOD, role=role, scope="330226101", display_name="张三")


def test_add_get_list(users: UserStore) -> None:
    user = _add(users)
    assert user == User("zhang.san", "township_admin", "330226101", "张三", False)
    assert user.role_zh == "乡镇管理员"
    users.add("viewer1", GOOD, role="viewer", scope="ORG001")
    assert users.get("zhang.san") == user
    assert users.get("ZHANG.SAN") == user  # log-in names are case-insensitive
    assert users.get("nobody") is None
    assert [u.username for u in users.list()] == ["viewer1", "zhang.san"]


def test_add_refuses_bad_input(users: UserStore) -> None:
    _add(users)
    with pytest.raises(ConstraintConflict, match="已存在"):
        users.add("Zhang.San", GOOD, role="viewer", scope="x")
    with pytest.raises(ValidationFailed, match="未知的角色"):
        users.add("li.si", GOOD, role="admin", scope="x")
    with pytest.raises(ValidationFailed, match="三类"):
        users.add("li.si", "password", role="viewer", scope="x")
    with pytest.raises(ValidationFailed, match="不能与用户名相同"):
        users.add("Li.Si.2026", "li.si.2026", role="viewer", scope="x")
    for bad in ("", "ab", "李四", "li si", "-lisi", "x" * 33, "a;drop"):
        with pytest.raises(ValidationFailed, match="用户名"):
            users.add(bad, GOOD, role="viewer", scope="x")
    with pytest.raises(ValidationFailed, match="范围"):
        users.add("li.si", GOOD, role="viewer", scope="  ")
    assert [u.username for u in users.list()] == ["zhang.san"]


def test_the_database_file_is_private_and_made_on_first_use(
    tmp_path: Path, cheap_hasher: PasswordHash
) -> None:
    path = tmp_path / "sub" / "users.sqlite3"
    users = UserStore(path, hasher=cheap_hasher)
    assert not path.exists()
    _add(users)
    for p in [path, *path.parent.glob("users.sqlite3-*")]:
        assert stat.S_IMODE(p.stat().st_mode) == 0o600, p
    # A second store on the same file (another API worker, or the CLI) sees the same users.
    assert UserStore(path, hasher=cheap_hasher).get("zhang.san") is not None


def test_default_user_store_lives_in_the_data_folder(tmp_path: Path) -> None:
    store = default_user_store(Settings(data_dir=tmp_path, lockout_failures=3, lockout_minutes=10))
    assert store.path == tmp_path.resolve() / "users.sqlite3"
    assert (store.lockout_failures, store.lockout_minutes) == (3, 10)


def test_authenticate(users: UserStore) -> None:
    _add(users)
    user = users.authenticate("zhang.san", GOOD, now=T0)
    assert user.username == "zhang.san" and user.last_login == T0
    assert users.authenticate("Zhang.San", GOOD, now=T0).username == "zhang.san"


def test_unknown_user_and_wrong_password_look_the_same(users: UserStore) -> None:
    _add(users)
    with pytest.raises(Unauthorized) as unknown:
        users.authenticate("nobody", GOOD, now=T0)
    with pytest.raises(Unauthorized) as wrong:
        users.authenticate("zhang.san", WRONG, now=T0)
    with pytest.raises(Unauthorized) as malformed:
        users.authenticate("李四; --", GOOD, now=T0)
    assert type(unknown.value) is type(wrong.value) is type(malformed.value) is Unauthorized
    assert str(unknown.value) == str(wrong.value) == str(malformed.value) == BAD_LOGIN


class CountingHash(PasswordHash):
    """Counts verifications, to show an unknown user costs one too."""

    verifies = 0

    def verify(self, password: str | bytes, hash: str | bytes) -> bool:
        CountingHash.verifies += 1
        return super().verify(password, hash)


def test_an_unknown_user_still_costs_one_argon2_verify(
    tmp_path: Path, cheap_hasher: PasswordHash
) -> None:
    users = UserStore(tmp_path / "u.sqlite3", hasher=CountingHash(cheap_hasher.hashers))
    CountingHash.verifies = 0
    with pytest.raises(Unauthorized):
        users.authenticate("nobody", GOOD)
    assert CountingHash.verifies == 1


def test_unknown_users_take_as_long_as_wrong_passwords_at_real_cost(tmp_path: Path) -> None:
    users = UserStore(tmp_path / "u.sqlite3")  # pwdlib's recommended argon2 costs
    users.add("zhang.san", GOOD, role="viewer", scope="x")
    with pytest.raises(Unauthorized):
        users.authenticate("nobody", GOOD)  # the first one also makes the dummy hash

    def timed(name: str) -> float:
        t = time.perf_counter()
        with pytest.raises(Unauthorized):
            users.authenticate(name, WRONG)
        return time.perf_counter() - t

    unknown, wrong = (
        min(timed("nobody") for _ in range(2)),
        min(timed("zhang.san") for _ in range(2)),
    )
    # Without the dummy verify an unknown user answers in well under a millisecond.
    assert unknown > 0.5 * wrong, (unknown, wrong)


def test_lockout_after_exactly_five_failures_lasting_thirty_minutes(users: UserStore) -> None:
    _add(users)
    for i in range(4):
        with pytest.raises(Unauthorized) as err:
            users.authenticate("zhang.san", WRONG, now=T0 + timedelta(minutes=i))
        assert type(err.value) is Unauthorized
    with pytest.raises(AccountLocked, match=r"连续 5 次登录失败.*30 分钟"):
        users.authenticate("zhang.san", WRONG, now=T0 + timedelta(minutes=4))
    locked = users.get("zhang.san", now=T0 + timedelta(minutes=5))
    assert locked is not None and locked.locked_until == T0 + timedelta(minutes=34)
    # While locked even the right password is refused, with the minutes still to wait.
    with pytest.raises(AccountLocked, match="请 30 分钟后再试"):
        users.authenticate("zhang.san", GOOD, now=T0 + timedelta(minutes=4, seconds=1))
    with pytest.raises(AccountLocked, match="请 1 分钟后再试"):
        users.authenticate("zhang.san", GOOD, now=T0 + timedelta(minutes=33, seconds=30))
    assert AccountLocked.http_status == 423
    # 30 minutes after the fifth failure it opens again, with a fresh count.
    assert users.authenticate("zhang.san", GOOD, now=T0 + timedelta(minutes=34)).username
    for i in range(4):
        with pytest.raises(Unauthorized) as err:
            users.authenticate("zhang.san", WRONG, now=T0 + timedelta(minutes=35 + i))
        assert type(err.value) is Unauthorized


def test_lockout_settings_are_honoured(tmp_path: Path, cheap_hasher: PasswordHash) -> None:
    users = UserStore(
        tmp_path / "u.sqlite3", lockout_failures=2, lockout_minutes=5, hasher=cheap_hasher
    )
    _add(users)
    with pytest.raises(Unauthorized):
        users.authenticate("zhang.san", WRONG, now=T0)
    with pytest.raises(AccountLocked, match="5 分钟"):
        users.authenticate("zhang.san", WRONG, now=T0)
    assert users.authenticate("zhang.san", GOOD, now=T0 + timedelta(minutes=5)).username


def test_a_success_resets_the_failure_count(users: UserStore) -> None:
    _add(users)
    for round_ in range(3):
        for i in range(4):
            with pytest.raises(Unauthorized) as err:
                users.authenticate("zhang.san", WRONG, now=T0 + timedelta(minutes=round_))
            assert type(err.value) is Unauthorized, (round_, i)
        users.authenticate("zhang.san", GOOD, now=T0 + timedelta(minutes=round_))


def test_unlock_and_new_password_lift_a_lockout(users: UserStore) -> None:
    _add(users)
    for _ in range(5):
        with pytest.raises(Unauthorized):
            users.authenticate("zhang.san", WRONG, now=T0)
    users.unlock("zhang.san")
    assert users.authenticate("zhang.san", GOOD, now=T0).username
    for _ in range(5):
        with pytest.raises(Unauthorized):
            users.authenticate("zhang.san", WRONG, now=T0)
    users.set_password("zhang.san", "Another-pass-9")
    with pytest.raises(Unauthorized):
        users.authenticate("zhang.san", GOOD, now=T0)
    assert users.authenticate("zhang.san", "Another-pass-9", now=T0).username
    with pytest.raises(ValidationFailed):
        users.set_password("zhang.san", "short")
    with pytest.raises(NotFound, match="不存在"):
        users.unlock("nobody")
    with pytest.raises(NotFound):
        users.set_password("nobody", GOOD)


def test_disabled_users_cannot_log_in(users: UserStore) -> None:
    _add(users)
    assert users.set_disabled("zhang.san", True).disabled
    with pytest.raises(Unauthorized, match="已停用"):
        users.authenticate("zhang.san", GOOD, now=T0)
    # A wrong password says no more than for anyone else.
    with pytest.raises(Unauthorized, match=BAD_LOGIN):
        users.authenticate("zhang.san", WRONG, now=T0)
    assert not users.set_disabled("zhang.san", False).disabled
    assert users.authenticate("zhang.san", GOOD, now=T0).username
    with pytest.raises(NotFound):
        users.set_disabled("nobody", True)


def test_concurrent_failures_are_all_counted(users: UserStore) -> None:
    _add(users)
    _add(users, "li.si")
    start = threading.Barrier(10)

    def attempt(i: int) -> str:
        start.wait()
        name, password = ("zhang.san", WRONG) if i % 2 == 0 else ("li.si", GOOD)
        try:
            users.authenticate(name, password, now=T0)
        except AccountLocked:
            return "locked"
        except Unauthorized:
            return "refused"
        return "ok"

    with ThreadPoolExecutor(10) as pool:
        results = list(pool.map(attempt, range(10)))
    # li.si logs in five times at once; zhang.san's five wrong passwords lock him, exactly once.
    assert sorted(results[1::2]) == ["ok"] * 5
    assert sorted(results[0::2]) == ["locked"] + ["refused"] * 4
    with pytest.raises(AccountLocked):
        users.authenticate("zhang.san", GOOD, now=T0)

    with ThreadPoolExecutor(10) as pool:
        more = list(pool.map(lambda _: attempt(0), range(10)))  # a burst against a lock
    assert more == ["locked"] * 10


def test_a_corrupt_database_is_a_clear_error(tmp_path: Path, cheap_hasher: PasswordHash) -> None:
    path = tmp_path / "users.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    os.chmod(path, 0o600)
    with pytest.raises(StoreUnavailable, match="用户数据库"):
        UserStore(path, hasher=cheap_hasher).get("x")
