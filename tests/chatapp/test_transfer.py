"""Imports keep only the parameters the user may set (endpoints.userparams)."""

import pytest
from django.http import Http404

from chatapp import access, transfer
from chatapp.conversations import BadRequest
from tests.chatapp.conftest import ENDPOINT, MODEL

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("chat_endpoint")]
HOSTILE = {"model": "gpt-secret", "messages": [], "tools": [{"name": "x"}], "n": 5}


def parley_export(parameters, endpoint=ENDPOINT) -> dict:
    return {
        "format": "parley",
        "version": 1,
        "conversation": {"title": "t", "endpoint": endpoint, "model": MODEL,
                         "parameters": parameters},
        "messages": [{"id": "a", "role": "user", "text": "hi"}],
    }  # fmt: skip


def test_a_parley_import_keeps_only_the_allowed_params(user):
    data = parley_export({**HOSTILE, "temperature": 0.3, "maxOutputTokens": 50})
    conversation = transfer.import_conversation(user, data)
    assert conversation.parameters == {"temperature": 0.3, "maxOutputTokens": 50}


def test_a_librechat_import_keeps_its_params_by_the_panels_names(user):
    data = {
        "conversationId": "c1",
        "endpoint": ENDPOINT,
        "title": "t",
        "options": {"model": MODEL, "top_p": 0.5, "temperature": 1},
        "messages": [{"messageId": "m1", "text": "hi", "isCreatedByUser": True}],
    }
    conversation = transfer.import_conversation(user, data)
    assert conversation.parameters == {"topP": 0.5, "temperature": 1}


def test_a_bad_value_refuses_the_import_naming_it(user):
    with pytest.raises(BadRequest, match=r"conversation\.parameters\.temperature: must be"):
        transfer.import_conversation(user, parley_export({"temperature": 40}))
    with pytest.raises(BadRequest, match=r"conversation\.parameters\.params: must be an object"):
        transfer.import_conversation(user, parley_export(["temperature"]))


def test_an_endpoint_not_configured_here_keeps_no_params(user):
    conversation = transfer.import_conversation(user, parley_export(HOSTILE, endpoint="Gone"))
    assert conversation.parameters == {}


def test_a_stranger_cannot_see_an_import(user, stranger):
    conversation = transfer.import_conversation(user, parley_export({"temperature": 0.3}))
    with pytest.raises(Http404):
        access.get_conversation_for(stranger, conversation.pk)
