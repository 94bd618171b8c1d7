"""Passwords, hashed with argon2id (argon2-cffi); never stored or logged in the clear."""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from attunement.errors import InvalidInput

MIN_LENGTH = 10
MAX_LENGTH = 1024


@lru_cache(maxsize=4)
def hasher(memory_kib: int, time_cost: int) -> PasswordHasher:
    return PasswordHasher(memory_cost=memory_kib, time_cost=time_cost, type=Type.ID)


def check_new(password: str) -> str:
    if len(password) < MIN_LENGTH:
        raise InvalidInput(
            f"Choose a password of at least {MIN_LENGTH} characters (a few words is easiest).",
            field="password",
        )
    if len(password) > MAX_LENGTH:
        raise InvalidInput(f"A password can be at most {MAX_LENGTH} characters.", field="password")
    return password


def hash_password(ph: PasswordHasher, password: str) -> str:
    return ph.hash(check_new(password))


# Compared against when the account does not exist, so a wrong e-mail address takes as
# long as a wrong password and the timing tells nobody which accounts exist.
_DUMMY: dict[int, str] = {}


def verify(ph: PasswordHasher, stored: str | None, password: str) -> bool:
    if len(password) > MAX_LENGTH:
        return False
    if stored is None:
        key = id(ph)
        if key not in _DUMMY:
            _DUMMY[key] = ph.hash("not a real password, only for timing")
        stored = _DUMMY[key]
        try:
            ph.verify(stored, password)
        except (VerificationError, InvalidHashError):
            pass
        return False
    try:
        return ph.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
