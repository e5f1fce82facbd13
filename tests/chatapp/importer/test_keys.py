"""User-provided keys encrypted the way LibreChat's code encrypts them, re-sealed by Parley."""

from __future__ import annotations

import json
import os
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.utils import timezone

from chatapp import crypto
from chatapp.importer.run import Options
from chatapp.importer.steps import execute
from chatapp.models import UserKey
from tests.chatapp.importer import dumps

pytestmark = pytest.mark.django_db
CREDS_KEY, CREDS_IV = os.urandom(32).hex(), os.urandom(16).hex()


def cbc(value: str, iv: bytes) -> str:
    """AES-256-CBC with PKCS#7 padding, as WebCrypto's AES-CBC does, in hex."""
    padder = padding.PKCS7(128).padder()
    data = padder.update(value.encode()) + padder.finalize()
    encryptor = Cipher(algorithms.AES(bytes.fromhex(CREDS_KEY)), modes.CBC(iv)).encryptor()
    return (encryptor.update(data) + encryptor.finalize()).hex()


def encrypt(value: str) -> str:
    """LibreChat's encrypt(): the fixed CREDS_IV."""
    return cbc(value, bytes.fromhex(CREDS_IV))


def encrypt_v2(value: str) -> str:
    """LibreChat's encryptV2(): a random IV, written `iv:ciphertext`."""
    iv = os.urandom(16)
    return f"{iv.hex()}:{cbc(value, iv)}"


def key(owner: dict, name: str, value: str, **fields) -> dict:
    return {"_id": dumps.ObjectId(), "userId": owner["_id"], "name": name, "value": value} | fields


def unsealed(row: UserKey) -> dict:
    return json.loads(crypto.unseal(row.sealed, f"userkey:{row.owner_id}:{row.endpoint}"))


def test_both_forms_decrypt_and_are_resealed(tmp_path, settings):
    ada = dumps.user("ada@librechat.test")
    later = timezone.now() + timedelta(days=7)
    dumps.write(
        tmp_path,
        {
            "users": [ada],
            "keys": [
                key(ada, "openAI", encrypt("sk-fixed-iv-0001")),
                key(
                    ada,
                    "Groq",
                    encrypt_v2(
                        json.dumps({"apiKey": "gsk-random", "baseURL": "https://g.test/v1"})
                    ),
                    expiresAt=later,
                ),
                key(
                    ada,
                    "anthropic",
                    encrypt_v2("sk-ant-old"),
                    expiresAt=timezone.now() - timedelta(hours=1),
                ),
            ],
        },
    )
    report = execute(Options(directory=tmp_path, creds_key=CREDS_KEY, creds_iv=CREDS_IV))

    rows = {row.endpoint: row for row in UserKey.objects.all()}
    assert unsealed(rows["openAI"]) == {"api_key": "sk-fixed-iv-0001", "base_url": None}
    assert unsealed(rows["Groq"]) == {"api_key": "gsk-random", "base_url": "https://g.test/v1"}
    assert rows["Groq"].expires_at == later.replace(microsecond=later.microsecond // 1000 * 1000)
    assert rows["openAI"].expires_at is None and rows["openAI"].hint == "sk-…0001"
    assert "anthropic" not in rows
    assert report.tally("keys").skipped == {"expired": 1}
    assert encrypt("sk-fixed-iv-0001") not in rows["openAI"].sealed


def test_wrong_keys_are_reported_not_stored(tmp_path):
    ada = dumps.user("ada@librechat.test")
    dumps.write(tmp_path, {"users": [ada], "keys": [key(ada, "openAI", encrypt("sk-1"))]})
    report = execute(Options(directory=tmp_path, creds_key=os.urandom(32).hex(), creds_iv=CREDS_IV))
    assert not UserKey.objects.exists()
    assert report.tally("keys").skipped == {"unreadable field value": 1}


def test_a_key_set_in_parley_is_kept(tmp_path, user):
    alice = dumps.user("alice@example.com")
    dumps.write(tmp_path, {"users": [alice], "keys": [key(alice, "openAI", encrypt("sk-old"))]})
    UserKey.objects.create(owner=user, endpoint="openAI", sealed="parley's own", hint="x")
    report = execute(
        Options(directory=tmp_path, merge_existing=True, creds_key=CREDS_KEY, creds_iv=CREDS_IV)
    )
    assert UserKey.objects.get().sealed == "parley's own"
    assert report.tally("keys").skipped == {"already set in Parley": 1}
