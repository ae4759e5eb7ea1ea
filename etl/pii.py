"""Personal identifiers: keyed hashes only, and a check that the key never changes.

A warehouse loaded with one secret and then another would count the same person
twice, so the first load records a fingerprint of the secret and later loads must match.
"""

from __future__ import annotations

import hashlib
import hmac

import numpy as np
import pandas as pd
from sqlalchemy import Connection, insert, select

from xieshang.warehouse import schema

FINGERPRINT_KEY = "secret_fingerprint"


class SecretMismatch(RuntimeError):
    pass


def person_hashes(ids: pd.Series, secret: bytes) -> np.ndarray:
    """HMAC-SHA256 of each identifier (hex), computed once per distinct identifier."""
    codes, uniques = pd.factorize(ids.astype(object))
    hashed = np.array(
        [hmac.new(secret, str(u).encode("utf-8"), hashlib.sha256).hexdigest() for u in uniques],
        dtype=object,
    )
    return hashed[codes] if len(hashed) else np.array([], dtype=object)


def fingerprint(secret: bytes) -> str:
    return hmac.new(secret, b"xieshang secret fingerprint", hashlib.sha256).hexdigest()


def check_secret(conn: Connection, secret: bytes) -> None:
    """Record the secret's fingerprint on first load; refuse a different secret later.
    `conn` holds the warehouse's write lock (begin_write), so of two first loads at once
    the second finds the first's fingerprint instead of recording its own beside it."""
    stored = conn.execute(
        select(schema.meta.c.value).where(schema.meta.c.key == FINGERPRINT_KEY)
    ).scalar()
    if stored is None:
        conn.execute(insert(schema.meta).values(key=FINGERPRINT_KEY, value=fingerprint(secret)))
    elif stored != fingerprint(secret):
        raise SecretMismatch(
            "密钥与本仓库载入时所用的不同 XIESHANG_SECRET differs from the secret this "
            "warehouse was loaded with; set the original secret (person identifiers would "
            "not match otherwise)"
        )
