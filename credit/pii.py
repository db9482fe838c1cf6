"""Keyed hashing of personal identifiers (resident ID numbers).

Clear ID numbers stay in the restricted schemas (``raw``, ``restricted``); every other schema
carries the HMAC-SHA256 of the normalised number under a key from ``CREDIT_PII_HASH_KEY`` and the
masked form. The SQL twin is ``util.pii_hash``; both must give the same hex digest.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os

from credit import settings

log = logging.getLogger(__name__)

#: Used only when CREDIT_PII_HASH_KEY is unset, so that the demo runs with no configuration.
#: Hashes made with it are not secret; production must set its own key.
DEVELOPMENT_KEY = "credit-warehouse-development-key-not-secret"
_BLOCK = 64  # SHA-256 block size


_warned_development_key = False


def hash_key() -> bytes:
    global _warned_development_key
    key = os.environ.get(settings.PII_HASH_KEY_ENV)
    if not key:
        if not _warned_development_key:  # once per process: every run step asks for the key
            log.warning("%s is unset: using the public development key", settings.PII_HASH_KEY_ENV)
            _warned_development_key = True
        key = DEVELOPMENT_KEY
    return key.encode("utf-8")


def pii_hash(value: str | None, key: bytes | None = None) -> str | None:
    if value is None:
        return None
    return hmac.new(key or hash_key(), value.encode("utf-8"), hashlib.sha256).hexdigest()


def hmac_pads(key: bytes) -> tuple[bytes, bytes]:
    """The HMAC inner and outer pads, which let SQL compute HMAC with its built-in sha256()."""
    if len(key) > _BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_BLOCK, b"\0")
    return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)


def install_key(conn, key: bytes | None = None) -> None:
    """Store the pads in ``restricted.pii_key`` (one row), replacing any earlier key."""
    inner, outer = hmac_pads(key or hash_key())
    conn.execute("create schema if not exists restricted")
    conn.execute(
        "create table if not exists restricted.pii_key (inner_pad bytea not null, outer_pad bytea not null)"
    )
    conn.execute("delete from restricted.pii_key")
    conn.execute("insert into restricted.pii_key values (%s, %s)", (inner, outer))
