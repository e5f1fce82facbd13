"""LibreChat's ways of encrypting secrets, read back so Parley can re-seal them.

- `keys.value`, legacy: AES-256-CBC (PKCS#7) with CREDS_KEY and the fixed CREDS_IV, hex.
- `keys.value`, newer (encryptV2): AES-256-CBC with a random IV, written `ivhex:cthex`.
- `users.totpSecret` (encryptV3): AES-256-CTR with a random IV, written `v3:ivhex:cthex`;
  older versions used encryptV2 or kept the base32 secret as it was.
"""

from __future__ import annotations

import re

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

HEX_IV = re.compile(r"^[0-9a-fA-F]{32}$")
BASE32 = re.compile(r"^[A-Z2-7]+=*$")


class Undecryptable(ValueError):
    """Wrong CREDS_KEY / CREDS_IV, or not a value LibreChat wrote."""


def _key(hex_value: str, size: int, name: str) -> bytes:
    try:
        raw = bytes.fromhex(hex_value)
    except ValueError:
        raise Undecryptable(f"{name} is not hexadecimal") from None
    if len(raw) != size:
        raise Undecryptable(f"{name} must be {size * 2} hex digits")
    return raw


def _cbc(ciphertext_hex: str, key: bytes, iv: bytes) -> str:
    try:
        data = bytes.fromhex(ciphertext_hex)
        decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
        padded = decryptor.update(data) + decryptor.finalize()
        unpadder = padding.PKCS7(128).unpadder()
        return (unpadder.update(padded) + unpadder.finalize()).decode()
    except ValueError as error:  # bad hex, bad length, bad padding, not UTF-8
        raise Undecryptable("the value does not decrypt with these keys") from error


def decrypt_key_value(value: str, creds_key: str, creds_iv: str) -> str:
    """A `keys.value` as LibreChat's encrypt() or encryptV2() wrote it."""
    key = _key(creds_key, 32, "CREDS_KEY")
    head, colon, tail = value.partition(":")
    if colon and HEX_IV.match(head):
        return _cbc(tail, key, bytes.fromhex(head))
    return _cbc(value, key, _key(creds_iv, 16, "CREDS_IV"))


def decrypt_totp_secret(value: str, creds_key: str) -> str:
    """The base32 TOTP secret from `users.totpSecret`, whichever version wrote it."""
    if value.startswith("v3:"):
        parts = value.split(":")
        if len(parts) != 3 or not HEX_IV.match(parts[1]):
            raise Undecryptable("not a v3 value")
        try:
            data = bytes.fromhex(parts[2])
        except ValueError:
            raise Undecryptable("not a v3 value") from None
        key = _key(creds_key, 32, "CREDS_KEY")
        decryptor = Cipher(algorithms.AES(key), modes.CTR(bytes.fromhex(parts[1]))).decryptor()
        secret = (decryptor.update(data) + decryptor.finalize()).decode(errors="replace")
    elif ":" in value:
        head, _colon, tail = value.partition(":")
        if not HEX_IV.match(head):
            raise Undecryptable("not a v2 value")
        secret = _cbc(tail, _key(creds_key, 32, "CREDS_KEY"), bytes.fromhex(head))
    else:
        secret = value
    # CTR has no padding to check: a wrong key shows as a secret that is not base32.
    if not BASE32.match(secret):
        raise Undecryptable("the secret does not decrypt with this CREDS_KEY")
    return secret
