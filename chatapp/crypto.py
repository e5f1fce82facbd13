"""Authenticated encryption for secrets users give Parley (their API keys).

AES-256-GCM keyed by CREDS_KEY with a fresh random 96-bit nonce per value, so
the same key saved twice never yields the same ciphertext (LibreChat's fixed
CREDS_IV made it deterministic). The associated data binds a ciphertext to its
owner and endpoint: a value copied onto another row does not decrypt.
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

NONCE_BYTES = 12


class DecryptionError(ValueError):
    """The value was altered, belongs to another row, or CREDS_KEY changed."""


def _cipher() -> AESGCM:
    return AESGCM(bytes.fromhex(settings.CREDS_KEY))


def seal(plaintext: str, context: str) -> str:
    nonce = os.urandom(NONCE_BYTES)
    sealed = _cipher().encrypt(nonce, plaintext.encode(), context.encode())
    return base64.b64encode(nonce + sealed).decode()


def unseal(token: str, context: str) -> str:
    try:
        raw = base64.b64decode(token.encode(), validate=True)
        plain = _cipher().decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode())
    except (InvalidTag, ValueError) as error:
        raise DecryptionError("The stored key cannot be decrypted.") from error
    return plain.decode()
