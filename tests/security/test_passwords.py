"""Password rules: length, three of four character classes, not the username; argon2 hashes."""

from __future__ import annotations

import itertools

import pytest

from orgraph.errors import ValidationFailed
from orgraph.security import check_strength, hash_password, verify_password
from orgraph.security.passwords import default_hasher

# One 8-character sample of each class; a password made of some classes repeats them.
CLASSES = {"lower": "abcdefgh", "upper": "ABCDEFGH", "digit": "12345678", "other": "!@#-_.%*"}


def _made_of(classes: tuple[str, ...]) -> str:
    return "".join(CLASSES[c][:3] for c in classes).ljust(8, CLASSES[classes[0]][-1])[:12]


@pytest.mark.parametrize("classes", [c for n in (1, 2) for c in itertools.combinations(CLASSES, n)])
def test_fewer_than_three_classes_are_refused(classes: tuple[str, ...]) -> None:
    with pytest.raises(ValidationFailed, match="三类"):
        check_strength(_made_of(classes))


@pytest.mark.parametrize("classes", [c for n in (3, 4) for c in itertools.combinations(CLASSES, n)])
def test_three_or_four_classes_are_accepted(classes: tuple[str, ...]) -> None:
    check_strength(_made_of(classes))


def test_length_limits() -> None:
    with pytest.raises(ValidationFailed, match="至少需要 8 个字符"):
        check_strength("aB3$xyz")
    check_strength("aB3$xyzw")
    with pytest.raises(ValidationFailed, match="不能超过"):
        check_strength("aB3$" * 33)


def test_chinese_letters_count_as_other_characters() -> None:
    check_strength("党员abc123")  # lower + digit + other


def test_a_password_equal_to_the_username_is_refused() -> None:
    with pytest.raises(ValidationFailed, match="用户名"):
        check_strength("Admin.2026", username="admin.2026")
    check_strength("Admin.2026", username="someone")


def test_hashes_are_argon2id_salted_and_verify() -> None:
    first = hash_password("Dangyuan-2026")
    second = hash_password("Dangyuan-2026")
    assert first.startswith("$argon2id$") and first != second
    assert verify_password("Dangyuan-2026", first)
    assert not verify_password("dangyuan-2026", first)
    assert not verify_password("Dangyuan-2026", "not-a-hash")


def test_default_costs_are_pwdlibs_recommended_ones() -> None:
    # m=65536 KiB, t=3: about 0.1 s per hash, the point of a slow hash.
    assert "$m=65536,t=3," in default_hasher().hash("x")
