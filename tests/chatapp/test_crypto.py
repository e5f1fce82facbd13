"""AES-256-GCM with a random nonce, bound to its row."""

import pytest

from chatapp.crypto import DecryptionError, seal, unseal


def test_round_trip_with_a_fresh_nonce_each_time():
    first, second = seal("sk-secret", "row:1"), seal("sk-secret", "row:1")
    assert first != second  # not deterministic, unlike LibreChat's fixed IV
    assert unseal(first, "row:1") == unseal(second, "row:1") == "sk-secret"
    assert "sk-secret" not in first


def test_tampering_or_another_row_is_refused():
    token = seal("sk-secret", "row:1")
    with pytest.raises(DecryptionError):
        unseal(token, "row:2")
    # Flip a character inside the data: the last ones may only carry base64 padding bits.
    middle = len(token) // 2
    flipped = token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1 :]
    with pytest.raises(DecryptionError):
        unseal(flipped, "row:1")


def test_another_creds_key_cannot_read_it(settings):
    token = seal("sk-secret", "row:1")
    settings.CREDS_KEY = "ab" * 32
    with pytest.raises(DecryptionError):
        unseal(token, "row:1")
