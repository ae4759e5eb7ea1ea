"""Password hashes: argon2id through argon2-cffi, with its default parameters (RFC 9106's
low-memory profile), never a hand-rolled scheme. The hash string carries its own salt and
parameters, so raising them later only needs `needs_rehash` at the next sign-in."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 10
# long enough for any passphrase; anything longer is refused before it reaches argon2,
# so a megabyte "password" costs the server nothing
MAX_LENGTH = 256

_HASHER = PasswordHasher()
# checked when the name is unknown, so that a wrong name takes as long as a wrong password
_UNKNOWN = _HASHER.hash("no such user: a password nobody has")


def check_strength(password: str) -> None:
    """ValueError unless `password` may be set."""
    if len(password) < MIN_LENGTH:
        raise ValueError(f"the password is too short: at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise ValueError(f"the password is too long: at most {MAX_LENGTH} characters")
    if password != password.strip():
        raise ValueError("the password begins or ends with a space")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify(stored: str | None, password: str) -> bool:
    """Whether `password` matches `stored` (None: an unknown user, checked all the same)."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _HASHER.verify(stored or _UNKNOWN, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return _HASHER.check_needs_rehash(stored)
