"""Search fixtures: a Meilisearch double on a loopback port, and indexed conversations."""

from __future__ import annotations

import pytest

from chatapp.search import indexing
from tests.chatapp import factories
from tests.chatapp.search.meili_double import MeiliDouble


@pytest.fixture
def user(django_user_model):
    """As the suite's `user`, without a password: hashing one costs most of a test here."""
    return django_user_model.objects.create_user(email="alice@example.com", password=None)


@pytest.fixture
def stranger(django_user_model):
    return django_user_model.objects.create_user(email="mallory@example.com", password=None)


@pytest.fixture
def meili(settings):
    """Meilisearch configured (SEARCH=true, MEILI_*) and served by the double."""
    double = MeiliDouble().start()
    settings.SEARCH = True
    settings.MEILI_HOST = double.url
    settings.MEILI_MASTER_KEY = double.key
    settings.MEILI_NO_SYNC = False
    yield double
    double.stop()


@pytest.fixture
def chat(db):
    """chat(owner, title, *texts): a conversation of alternating user/assistant messages,
    indexed as the sync tasks would index it."""

    def build(owner, title: str, *texts: str):
        conversation = factories.conversation(owner, title=title)
        parent = None
        for n, text in enumerate(texts):
            role = "user" if n % 2 == 0 else "assistant"
            parent = conversation.messages.create(parent=parent, role=role, text=text)
        indexing.index_conversation(str(conversation.id))
        return conversation

    return build


@pytest.fixture
def attach(db, settings, tmp_path):
    """attach(message, (name, bytes)…): upload the files as the message's owner, attach them
    to it and index its conversation, as a send would."""
    from chatapp.files import attachments, storage, uploads
    from tests.chatapp.files.conftest import upload

    settings.FILES_ROOT = tmp_path / "files"
    storage.storage.cache_clear()

    def add(message, *files: tuple[str, bytes]):
        owner = message.conversation.owner
        stored = [uploads.store(owner, upload(n, d), endpoint="openAI") for n, d in files]
        attachments.attach(message, stored)
        indexing.index_conversation(str(message.conversation_id))
        return stored

    yield add
    storage.storage.cache_clear()
