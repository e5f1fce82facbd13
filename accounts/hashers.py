"""LibreChat's password hashes: bcryptjs's `$2a$`/`$2b$` strings, kept as `bcryptjs$<hash>`.

An imported user signs in with their old password; Django then re-hashes it with
the first (default) hasher of PASSWORD_HASHERS, because this one is never first.
"""

from __future__ import annotations

from django.contrib.auth.hashers import BCryptPasswordHasher

BCRYPT_PREFIXES = ("$2a$", "$2b$", "$2y$")
BCRYPT_MAX_BYTES = 72  # bcryptjs ignores what follows; the bcrypt package refuses it


class BCryptJSPasswordHasher(BCryptPasswordHasher):
    algorithm = "bcryptjs"

    def encode(self, password: str, salt: bytes | str) -> str:
        bcrypt = self._load_library()
        raw = password.encode()[:BCRYPT_MAX_BYTES]
        salt = salt.encode() if isinstance(salt, str) else salt
        return f"{self.algorithm}${bcrypt.hashpw(raw, salt).decode('ascii')}"


def from_librechat(value: object) -> str | None:
    """Parley's stored form of a LibreChat `password` field, or None if it is not bcrypt."""
    if isinstance(value, str) and value.startswith(BCRYPT_PREFIXES) and len(value) == 60:
        return f"{BCryptJSPasswordHasher.algorithm}${value}"
    return None
