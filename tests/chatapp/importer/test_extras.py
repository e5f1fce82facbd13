"""Presets, balances, transactions and shared links from a mongodump."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from bson import Decimal128, Int64, ObjectId

from accounts.models import Balance, Transaction
from chatapp.importer.run import Options
from chatapp.importer.steps import execute
from chatapp.models import Preset, SharedLink
from tests.chatapp.importer import dumps

pytestmark = pytest.mark.django_db


def imported(path, **options):
    return execute(Options(directory=path, **options))


def test_presets_keep_allowed_parameters_and_unique_names(tmp_path):
    ada = dumps.user("ada@librechat.test")
    preset = {
        "_id": ObjectId(),
        "presetId": "p-1",
        "user": str(ada["_id"]),
        "title": "Coder",
        "endpoint": "openAI",
        "model": "gpt-4o",
        "temperature": 0.2,
        "top_p": 0.9,
        "promptPrefix": "You write Python.",
        "defaultPreset": True,
        "max_tokens": "lots",
        "logit_bias": {"50256": -100},
        "chatGptLabel": "Coder",
    }
    twin = preset | {"_id": ObjectId(), "presetId": "p-2", "temperature": 9}
    broken = preset | {"_id": ObjectId(), "presetId": "p-3", "endpoint": None}
    dumps.write(tmp_path, {"users": [ada], "presets": [preset, twin, broken]})
    report = imported(tmp_path)
    rows = {p.name: p for p in Preset.objects.all()}
    assert rows["Coder"].parameters == {"temperature": 0.2, "topP": 0.9}
    assert (rows["Coder"].system_prompt, rows["Coder"].is_default) == ("You write Python.", True)
    assert rows["Coder (2)"].parameters == {"topP": 0.9}  # 9 is out of every range
    assert report.tally("presets").skipped == {"unreadable field endpoint": 1}
    assert imported(tmp_path).tally("presets").skipped["imported by an earlier run"] == 2


def test_balances_and_transactions(tmp_path):
    ada = dumps.user("ada@librechat.test")
    balance = {
        "_id": ObjectId(),
        "user": ada["_id"],
        "tokenCredits": 12345.5,
        "lastRefill": dumps.T0,
        "autoRefillEnabled": False,
    }
    spent = {
        "_id": ObjectId(),
        "user": ada["_id"],
        "conversationId": "c-1",
        "tokenType": "prompt",
        "model": "gpt-4o",
        "context": "message",
        "rate": 2.5,
        "rawAmount": Int64(-100),
        "tokenValue": Decimal128("-250"),
        "createdAt": dumps.T0,
    }
    refill = {
        "_id": ObjectId(),
        "user": ada["_id"],
        "tokenType": "credits",
        "context": "autoRefill",
        "rawAmount": 1000,
        "createdAt": "2025-03-02T00:00:00Z",
    }
    odd = {"_id": ObjectId(), "user": ada["_id"], "tokenType": "bitcoin", "rawAmount": 1}
    dumps.write(
        tmp_path, {"users": [ada], "balances": [balance], "transactions": [spent, refill, odd]}
    )
    report = imported(tmp_path)
    assert Balance.objects.get().credits == Decimal("12345.5")
    rows = {t.kind: t for t in Transaction.objects.all()}
    assert (rows["prompt"].tokens, rows["prompt"].credits, rows["prompt"].rate) == (
        -100,
        Decimal(-250),
        Decimal("2.5"),
    )
    assert rows["prompt"].created_at == dumps.T0
    assert (rows["refill"].credits, rows["refill"].tokens) == (Decimal(1000), 0)
    assert report.tally("transactions").skipped == {"unreadable field tokenType": 1}
    again = imported(tmp_path)
    assert Transaction.objects.count() == 2 and Balance.objects.count() == 1
    assert again.tally("transactions").skipped["imported by an earlier run"] == 2


def test_shared_links_keep_their_id_and_target(tmp_path, client):
    ada = dumps.user("ada@librechat.test")
    conv = dumps.conversation(ada, title="Shared chat")
    root = dumps.message(conv, None, "question")
    one = dumps.message(conv, root["messageId"], "first answer", isCreatedByUser=False)
    two = dumps.message(
        conv,
        root["messageId"],
        "second answer",
        isCreatedByUser=False,
        createdAt=dumps.T0 + timedelta(minutes=1),
    )
    share = {
        "_id": ObjectId(),
        "shareId": "V1StGXR8_Z5jdHi6B-myT",
        "conversationId": conv["conversationId"],
        "user": str(ada["_id"]),
        "title": "Shared chat",
        "messages": [root["_id"], one["_id"]],
        "targetMessageId": one["messageId"],
        "isPublic": True,
        "createdAt": dumps.T0,
    }
    dumps.write(
        tmp_path,
        {
            "users": [ada],
            "conversations": [conv],
            "messages": [root, one, two],
            "sharedlinks": [share],
        },
    )
    imported(tmp_path)
    link = SharedLink.objects.get(token="V1StGXR8_Z5jdHi6B-myT")
    assert [m["text"] for m in link.snapshot] == ["question", "first answer"]
    assert link.created_at == dumps.T0
    assert imported(tmp_path).tally("sharedlinks").skipped == {"imported by an earlier run": 1}


def test_a_share_of_someone_elses_conversation_is_refused(tmp_path):
    """Stranger: a share naming another user's conversation is not created."""
    ada, eve = dumps.user("ada@librechat.test"), dumps.user("eve@librechat.test")
    conv = dumps.conversation(ada)
    share = {
        "_id": ObjectId(),
        "shareId": "evil-share",
        "conversationId": conv["conversationId"],
        "user": str(eve["_id"]),
        "messages": [],
    }
    dumps.write(
        tmp_path,
        {
            "users": [ada, eve],
            "conversations": [conv],
            "messages": [dumps.message(conv, None, "private")],
            "sharedlinks": [share],
        },
    )
    report = imported(tmp_path)
    assert not SharedLink.objects.exists()
    assert report.tally("sharedlinks").skipped == {
        "its conversation was not imported for its user": 1
    }


def test_a_second_balance_for_one_user_is_reported(tmp_path):
    ada = dumps.user("ada@librechat.test")
    one = {"_id": ObjectId(), "user": ada["_id"], "tokenCredits": 100}
    two = {"_id": ObjectId(), "user": ada["_id"], "tokenCredits": 999}
    dumps.write(tmp_path, {"users": [ada], "balances": [one, two]})
    report = imported(tmp_path)
    assert Balance.objects.get().credits == 100
    assert report.tally("balances").skipped == {"the user already has a balance in Parley": 1}
