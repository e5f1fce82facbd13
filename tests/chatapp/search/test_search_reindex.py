"""`manage.py search_reindex [--user EMAIL]`."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from chatapp.search.meili import INDEX
from tests.chatapp import factories


def run(*args: str) -> str:
    out = StringIO()
    call_command("search_reindex", *args, stdout=out)
    return out.getvalue()


def test_reindex_with_a_progress_bar(user, stranger, meili):
    for owner in (user, stranger):
        factories.exchange(factories.conversation(owner, title="t"), "question", "answer")
    output = run()
    assert "[###############...............] 1/2" in output
    assert "[##############################] 2/2" in output
    assert "Reindexed 2 conversation(s)." in output
    assert {d["owner_id"] for d in meili.documents(INDEX).values()} == {user.pk, stranger.pk}


def test_reindex_one_user_by_email(user, stranger, meili):
    factories.exchange(factories.conversation(user, title="t"), "question", "answer")
    factories.exchange(factories.conversation(stranger, title="t"), "question", "answer")
    assert "Reindexed 1 conversation(s)." in run("--user", user.email.upper())
    assert {d["owner_id"] for d in meili.documents(INDEX).values()} == {user.pk}


def test_unknown_user_and_unreachable_index_are_clear_errors(user, meili):
    with pytest.raises(CommandError, match="No user with the e-mail"):
        run("--user", "nobody@example.com")
    factories.conversation(user, title="t")
    meili.stop()
    with pytest.raises(CommandError, match="unreachable"):
        run()


@pytest.mark.modes
def test_without_meilisearch_only_sqlite_has_an_index_to_rebuild(user):
    from django.db import connection

    factories.exchange(factories.conversation(user, title="t"), "question", "answer")
    output = run()
    if connection.vendor == "postgresql":
        assert "nothing to rebuild" in output
    else:
        assert "Reindexing into sqlite" in output and "Reindexed 1 conversation(s)." in output
