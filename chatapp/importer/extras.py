"""LibreChat's `presets`, `balances`, `transactions` and `sharedlinks`.

Presets, balances and transactions have no id Parley keeps, so each imported
document is recorded (ImportedRecord); shared links keep their share id as the
token, so `/share/<id>` links still work.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from accounts.models import Balance, Transaction
from chatapp import sharing
from chatapp.importer import bulk, params
from chatapp.importer.conversations import kept_timestamps
from chatapp.importer.run import Run
from chatapp.importer.values import (
    NO_PARENT,
    Unreadable,
    as_uuid,
    decimal,
    signed,
    source_id,
    text,
    when,
)
from chatapp.models import Conversation, ImportedRecord, Message, Preset, SharedLink

# LibreChat's tokenType → Parley's transaction kind.
KINDS = {"prompt": "prompt", "completion": "completion", "credits": "credit"}
SHARE_TOKEN_MAX = SharedLink._meta.get_field("token").max_length


def load(run: Run) -> None:
    _presets(run)
    _balances(run)
    _transactions(run)
    _shares(run)


def _recorded(run: Run, collection: str, rows: list[tuple[str, object]]) -> None:
    """Save (source id, model instance) pairs and record each so no later run repeats it."""
    for _source, row in rows:
        row.save()
    ImportedRecord.objects.bulk_create(
        [ImportedRecord(collection=collection, source_id=s, target_id=str(r.pk)) for s, r in rows]
    )


def _presets(run: Run) -> None:
    done = run.done("presets")
    names = set(Preset.objects.values_list("owner_id", "name"))
    for batch in run.batches("presets"):
        rows: list[tuple[str, Preset]] = []
        for document in batch:
            try:
                row = _preset(run, document, done, names)
            except Unreadable as error:
                run.unreadable("presets", document, error)
                continue
            if row is not None:
                rows.append(row)
        run.write(lambda rows=rows: _recorded(run, "presets", rows))
        run.report.imported("presets", len(rows))


def _preset(run: Run, document: dict, done: dict, names: set) -> tuple[str, Preset] | None:
    source = source_id(document, "presetId") if document.get("presetId") else source_id(document)
    owner = run.owner(document)
    if source in done:
        run.report.earlier("presets", 1)
        return None
    if owner is None:
        run.report.skip("presets", "its user was not imported", source)
        return None
    endpoint, model = text(document, "endpoint", 100), text(document, "model", 200)
    if not endpoint or not model:
        raise Unreadable("endpoint" if not endpoint else "model", "missing")
    name = _free_name(text(document, "title", 100) or "Preset", owner, names)
    return source, Preset(
        owner_id=owner,
        name=name,
        endpoint=endpoint,
        model=model,
        parameters=params.clean(endpoint, params.from_document(document)),
        system_prompt=text(document, "promptPrefix"),
        is_default=bool(document.get("defaultPreset")),
    )


def _free_name(name: str, owner: int, names: set) -> str:
    """Preset names are unique per user: a clash becomes "name (2)", "name (3)"…"""
    candidate, n = name, 1
    while (owner, candidate) in names:
        n += 1
        candidate = f"{name[: 100 - len(str(n)) - 3]} ({n})"
    names.add((owner, candidate))
    return candidate


def _balances(run: Run) -> None:
    done = run.done("balances")
    given: set[int] = set()  # one balance a user: a second document for them is reported
    for batch in run.batches("balances"):
        rows: list[tuple[str, Balance]] = []
        for document in batch:
            source, owner = str(document.get("_id")), run.owner(document)
            if source in done:
                run.report.earlier("balances", 1)
            elif owner is None:
                run.report.skip("balances", "its user was not imported", source)
            elif owner in given or Balance.objects.filter(user_id=owner).exists():
                run.report.skip("balances", "the user already has a balance in Parley", source)
            else:
                try:
                    rows.append((source, _balance(document, owner)))
                    given.add(owner)
                except Unreadable as error:
                    run.unreadable("balances", document, error)
        run.write(lambda rows=rows: _recorded(run, "balances", rows))
        run.report.imported("balances", len(rows))


def _balance(document: dict, owner: int) -> Balance:
    return Balance(
        user_id=owner,
        credits=max(decimal(document, "tokenCredits"), 0),
        last_refill=when(document, "lastRefill"),
    )


def _transactions(run: Run) -> None:
    done = run.done("transactions")
    created = Transaction._meta.get_field("created_at")
    for batch in run.batches("transactions"):
        rows: list[tuple[str, Transaction]] = []
        for document in batch:
            source, owner = str(document.get("_id")), run.owner(document)
            if source in done:
                run.report.earlier("transactions", 1)
            elif owner is None:
                run.report.skip("transactions", "its user was not imported", source)
            else:
                try:
                    rows.append((source, _transaction(document, owner)))
                except Unreadable as error:
                    run.unreadable("transactions", document, error)
        with kept_timestamps(created):
            run.write(lambda rows=rows: _bulk_recorded(rows))
        run.report.imported("transactions", len(rows))


def _bulk_recorded(rows: list[tuple[str, Transaction]]) -> None:
    """Transactions are many: inserted in bulk, and recorded by their source id alone."""
    bulk.insert(Transaction, [row for _source, row in rows])
    records = [ImportedRecord(collection="transactions", source_id=s) for s, _row in rows]
    bulk.insert(ImportedRecord, records)


def _transaction(document: dict, owner: int) -> Transaction:
    kind = KINDS.get(text(document, "tokenType"))
    if kind is None:
        raise Unreadable("tokenType", f"unknown ({document.get('tokenType')!r:.30})")
    context = text(document, "context", 32)
    if kind == "credit" and context == "autoRefill":
        kind = "refill"
    raw = signed(document, "rawAmount")
    return Transaction(
        user_id=owner,
        kind=kind,
        context=context,
        endpoint=text(document, "endpoint", 100),
        model=text(document, "model", 200),
        conversation_id=text(document, "conversationId", 64),
        tokens=0 if kind in ("credit", "refill") else raw,
        rate=decimal(document, "rate"),
        credits=decimal(document, "tokenValue") if "tokenValue" in document else raw,
        created_at=when(document, "createdAt", timezone.now()),
    )


def _shares(run: Run) -> None:
    for batch in run.batches("sharedlinks"):
        for document in batch:
            try:
                _share(run, document)
            except Unreadable as error:
                run.unreadable("sharedlinks", document, error)


def _share(run: Run, document: dict) -> None:
    token = source_id(document, "shareId")
    conversation_id = as_uuid(source_id(document, "conversationId"))
    owner = run.owner(document)
    if len(token) > SHARE_TOKEN_MAX:
        raise Unreadable("shareId", f"longer than {SHARE_TOKEN_MAX} characters")
    if SharedLink.objects.filter(token=token).exists():
        run.report.earlier("sharedlinks", 1)
    elif owner is None or run.conversations.get(conversation_id) != owner:
        run.report.skip("sharedlinks", "its conversation was not imported for its user", token)
    else:
        target = text(document, "targetMessageId")
        run.write(lambda: _snapshot(conversation_id, target, token, document))
        run.report.imported("sharedlinks")


def _snapshot(conversation_id, target: str, token: str, document: dict) -> None:
    """The share as Parley makes it (chatapp/sharing.py), under LibreChat's share id."""
    conversation = Conversation.objects.get(pk=conversation_id)
    message = None
    if target and target != NO_PARENT:
        message = Message.objects.filter(Q(pk=as_uuid(target)), conversation=conversation).first()
    link = sharing.share(conversation, message)
    created = when(document, "createdAt", link.created_at)
    SharedLink.objects.filter(pk=link.pk).update(token=token, created_at=created)
