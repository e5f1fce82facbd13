"""LibreChat's `keys`: user-provided API keys, decrypted with LibreChat's CREDS_KEY/CREDS_IV
and re-sealed with Parley's authenticated encryption (chatapp/keys.py, chatapp/crypto.py).

An expired key is skipped (MongoDB's TTL index would have removed it), and a key
the user has already set in Parley is never overwritten.
"""

from __future__ import annotations

import json

from django.utils import timezone

from accounts.models import User
from chatapp import keys
from chatapp.importer import ciphers
from chatapp.importer.run import Run
from chatapp.importer.values import Unreadable, text, when
from chatapp.models import UserKey

COLLECTION = "keys"


def load(run: Run) -> None:
    for batch in run.batches(COLLECTION):
        _batch(run, batch)


def _batch(run: Run, batch: list[dict]) -> None:
    now = timezone.now()
    found: list[tuple[int, str, str, str, object]] = []
    for document in batch:
        owner = run.owner(document, "userId")
        if owner is None:
            run.report.skip(COLLECTION, "its user was not imported", str(document.get("_id")))
            continue
        try:
            name, expires = text(document, "name", 100), when(document, "expiresAt")
            if not name:
                raise Unreadable("name", "missing")
            if expires is not None and expires <= now:
                run.report.skip(COLLECTION, "expired", f"{name} of user {owner}")
                continue
            api_key, base_url = _plain(run, text(document, "value"))
        except Unreadable as error:
            run.unreadable(COLLECTION, document, error)
            continue
        found.append((owner, name, api_key, base_url, expires))
    present = set(
        UserKey.objects.filter(owner_id__in={f[0] for f in found}).values_list(
            "owner_id", "endpoint"
        )
    )
    fresh = [f for f in found if (f[0], f[1]) not in present]
    if len(found) > len(fresh):
        run.report.skip(COLLECTION, "already set in Parley", n=len(found) - len(fresh))
    owners = User.objects.in_bulk({f[0] for f in fresh})
    run.write(lambda: [keys.store(owners[o], n, k, u, e) for o, n, k, u, e in fresh])
    run.report.imported(COLLECTION, len(fresh))


def _plain(run: Run, value: str) -> tuple[str, str]:
    """(api key, base URL) from the decrypted value: a bare key, or {apiKey, baseURL}."""
    try:
        plain = ciphers.decrypt_key_value(value, run.options.creds_key, run.options.creds_iv)
    except ciphers.Undecryptable as error:
        raise Unreadable("value", str(error)) from None
    if plain.startswith("{"):
        try:
            data = json.loads(plain)
        except ValueError:
            return plain, ""
        if isinstance(data, dict) and ("apiKey" in data or "baseURL" in data):
            return str(data.get("apiKey") or ""), str(data.get("baseURL") or "")
    return plain, ""
